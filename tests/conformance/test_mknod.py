"""mknod(2): pjdfstest's mknod/NN.t, as NetBSD 7.99.34 answers it.

pjdfstest expects mknod to make FIFOs for anyone. 7.99.34's do_sys_mknodat
does not: it asks kauth for KAUTH_SYSTEM_MKNOD first (EPERM for anyone but
root, before the path is even looked at) and has no S_IFIFO case (EINVAL,
after an existing name's EEXIST); mkfifo(2) makes FIFOs. Checked against the
reference server (tests/conformance/conftest.py: SYSPROXY_CONFORMANCE_SERVER).
"""
from __future__ import annotations

import pytest

from . import common
from .pjd import Kernel


def fifo(p: str, mode: int) -> tuple:
    return ("mknod", p, "f", mode, 0, 0)


def char(p: str, mode: int) -> tuple:
    return ("mknod", p, "c", mode, 1, 2)


def block(p: str, mode: int) -> tuple:
    return ("mknod", p, "b", mode, 1, 2)


def t00_fifo_einval(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect("EINVAL", *fifo(n0, 0o644))
    k.expect("ENOENT", "lstat", n0, "type")
    k.expect(0, "mkfifo", n0, 0o644)
    k.expect("EEXIST", *fifo(n0, 0o644))  # the lookup comes before the type
    k.expect(0, "unlink", n0)


def t01_to_10_errors(k: Kernel) -> None:
    for make, t in ((char, "char"), (block, "block")):
        common.eexist(k, make)
        common.name_limits(k, make, t, "unlink")
        common.path_errors(k, make)


def t08_eperm_everything_needs_root(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "chmod", ".", 0o777)
    k.expect("EPERM", "mknod", n0, "c", 0o644, 1, 2, u=65534, g=65534)
    k.expect("EPERM", "mknod", n0, "b", 0o644, 1, 2, u=65534, g=65534)
    k.expect("EPERM", "mknod", n0, "f", 0o644, 0, 0, u=65534, g=65534)
    k.expect("EPERM", "mknod", n0, "o", 0o644, 0, 0, u=65534, g=65534)
    k.expect("EPERM", "mknod", "nodir/x", "f", 0o644, 0, 0, u=65534, g=65534)
    k.expect("ENOENT", "lstat", n0, "type")
    k.expect(0, "chmod", ".", 0o755)


def t11_devices(k: Kernel) -> None:
    n0 = k.namegen()
    for typ, name in (("c", "char"), ("b", "block")):
        k.expect(0, "mknod", n0, typ, 0o755, 1, 2)
        k.expect(f"{name},0755", "lstat", n0, "type,mode")
        k.expect("1,2", "lstat", n0, "major,minor")
        k.expect("EEXIST", "mknod", n0, typ, 0o777, 3, 4)
        k.expect(0, "unlink", n0)
        k.expect(0, "mknod", n0, typ, 0o755, 4095, 1048575)
        k.expect("4095,1048575", "lstat", n0, "major,minor")
        k.expect(0, "unlink", n0)
        common.creation_times(k, char if typ == "c" else block, "unlink")


def t12_other_types(k: Kernel) -> None:
    # NetBSD's mknod makes regular files too (VOP_CREATE); a directory, a FIFO
    # with a device number, or no type at all is EINVAL.
    n0 = k.namegen()
    k.expect(0, "mknod", n0, "o", 0o644, 0, 0)
    k.expect("regular,0644", "lstat", n0, "type,mode")
    k.expect("EEXIST", "mknod", n0, "o", 0o644, 0, 0)
    k.expect(0, "unlink", n0)
    k.expect("EINVAL", "mknod", n0, "d", 0o755, 0, 0)
    k.expect("EINVAL", "mknod", n0, "f", 0o644, 1, 2)
    k.expect("ENOENT", "lstat", n0, "type")


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_mknod(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
