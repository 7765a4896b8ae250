"""symlink(2): pjdfstest's symlink/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import Kernel


def mk(p: str, mode: int) -> tuple:
    return ("symlink", "test", p)


def t00_creates(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect("regular,0644", "stat", n0, "type,mode")
    k.expect(0, "symlink", n0, n1)
    k.expect("regular,0644", "stat", n1, "type,mode")
    k.expect("symlink", "lstat", n1, "type")
    k.expect(0, "unlink", n0)
    k.expect("ENOENT", "stat", n1, "type")
    k.expect(0, "unlink", n1)
    # the link's owner is the caller; times of the link and of the directory
    k.expect(0, "chmod", ".", 0o777)
    k.expect(0, "symlink", "test", n1, u=65534, g=65534)
    k.expect("symlink,65534", "lstat", n1, "type,uid")
    k.expect(0, "unlink", n1)
    k.expect(0, "chmod", ".", 0o755)
    common.creation_times(k, mk, "unlink")
    # a symlink's mode is 0777 less the umask (NetBSD's symlink uses ACCESSPERMS)
    k.expect(0, "symlink", "test", n1, U=0o22)
    k.expect("symlink,0755", "lstat", n1, "type,mode")
    k.expect(0, "unlink", n1)


def t01_errors(k: Kernel) -> None:
    common.eexist(k, mk)
    common.eacces_write(k, mk, "unlink")
    common.eacces_search_create(k, mk, "unlink")
    common.path_errors(k, mk)
    n0 = k.namegen()
    nx = k.name_max()
    k.expect(0, "symlink", nx, n0)      # a long target is fine
    k.expect(0, "unlink", n0)
    k.expect(0, "symlink", n0, nx)
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "symlink", n0, nx + "x")
    px = k.path_max()
    k.expect(0, "symlink", px, n0)
    k.expect(0, "unlink", n0)
    k.expect(0, "symlink", n0, px)
    k.expect(0, "unlink", px)
    k.expect("ENAMETOOLONG", "symlink", n0, px + "x")
    k.expect("ENAMETOOLONG", "symlink", px + "x", n0)
    k.rm_rf(px)
    common.efault(k, lambda p: ("symlink", p, n0))


def t02_loops(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "symlink", n0, n1)
    k.expect(0, "symlink", n1, n0)
    for op in (("stat", n0, "type"), ("open", n0, "O_RDONLY"), ("chmod", n1, 0o644),
               ("stat", f"{n0}/x", "type")):
        k.expect("ELOOP", *op)
    k.expect("symlink", "lstat", n0, "type")
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", n1)


def t03_symlinkat(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "open", n0, "O_RDONLY", ":", "symlinkat", "target", 0, n1)
    k.expect("symlink,6", "lstat", f"{n0}/{n1}", "type,size")
    k.expect(0, "unlink", f"{n0}/{n1}")
    k.expect("EBADF", "symlinkat", "target", "BADFD", n1)
    k.expect(0, "rmdir", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_symlink(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
