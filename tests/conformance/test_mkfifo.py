"""mkfifo(2): pjdfstest's mkfifo/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import Kernel


def mk(p: str, mode: int) -> tuple:
    return ("mkfifo", p, mode)


def t00_creates(k: Kernel) -> None:
    common.creates_with_umask(k, mk, "fifo", "unlink")
    common.owner_and_group(k, mk, "unlink")
    common.creation_times(k, mk, "unlink")


def t01_to_12_errors(k: Kernel) -> None:
    common.eexist(k, mk)
    common.eacces_write(k, mk, "unlink")
    common.eacces_search_create(k, mk, "unlink")
    common.name_limits(k, mk, "fifo", "unlink")
    common.path_errors(k, mk)


def t13_setid_and_sticky(k: Kernel) -> None:
    n0 = k.namegen()
    for mode in (0o1644, 0o2644, 0o4644):
        k.expect(0, "mkfifo", n0, mode)
        k.expect("fifo", "stat", n0, "type")
        k.expect(0, "unlink", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_mkfifo(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
