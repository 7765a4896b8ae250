"""mkdir(2) and mkdirat(2): pjdfstest's mkdir/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import Kernel


def mk(p: str, mode: int) -> tuple:
    return ("mkdir", p, mode)


def t00_creates(k: Kernel) -> None:
    common.creates_with_umask(k, mk, "dir", "rmdir")
    common.owner_and_group(k, mk, "rmdir")
    common.creation_times(k, mk, "rmdir")


def t01_to_12_errors(k: Kernel) -> None:
    common.eexist(k, mk)
    common.eacces_write(k, mk, "rmdir")
    common.eacces_search_create(k, mk, "rmdir")
    common.name_limits(k, mk, "dir", "rmdir")
    common.path_errors(k, mk)


def t10_setid_bits_dropped(k: Kernel) -> None:
    # NetBSD's mkdir keeps only the access bits of the mode (ACCESSPERMS)
    n0 = k.namegen()
    for mode in (0o1755, 0o2755, 0o4755, 0o7777):
        k.expect(0, "mkdir", n0, mode)
        k.expect("0%o" % (mode & 0o777), "stat", n0, "mode")
        k.expect(0, "rmdir", n0)


def t13_mkdirat(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "open", n0, "O_RDONLY,O_DIRECTORY", ":", "mkdirat", 0, n1, 0o700)
    k.expect("dir,0700", "lstat", f"{n0}/{n1}", "type,mode")
    k.expect(0, "rmdir", f"{n0}/{n1}")
    k.expect(0, "create", n1, 0o644)
    k.expect("ENOTDIR", "open", n1, "O_RDONLY", ":", "mkdirat", 0, "x", 0o755)
    k.expect("EBADF", "mkdirat", "BADFD", "x", 0o755)
    k.expect(0, "unlink", n1)
    k.expect(0, "rmdir", n0)


def t14_trailing_slash_and_dots(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "mkdir", n0 + "/", 0o755)
    k.expect("dir", "stat", n0, "type")
    k.expect("EEXIST", "mkdir", n0 + "/.", 0o755)
    k.expect("EEXIST", "mkdir", n0 + "/..", 0o755)
    k.expect("EEXIST", "mkdir", ".", 0o755)
    k.expect("EEXIST", "mkdir", "/", 0o755)
    k.expect(0, "rmdir", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_mkdir(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
