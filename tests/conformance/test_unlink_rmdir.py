"""unlink(2), unlinkat(2) and rmdir(2): pjdfstest's unlink/NN.t and rmdir/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import ALL_TYPES, Kernel

NON_DIRS = ("regular", "fifo", "block", "char", "socket", "symlink")


def t_unlink_00(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    for t in NON_DIRS:
        k.create_file(t, n0)
        k.expect(t, "lstat", n0, "type")
        k.expect(0, "unlink", n0)
        k.expect("ENOENT", "lstat", n0, "type")
    # a removed hard link: the file's ctime; the directory's ctime and mtime
    for t in ("regular", "fifo", "block", "char", "socket"):
        k.create_file(t, n0)
        k.expect(0, "link", n0, n1)
        c1, d1 = k.ns("stat", n0, "ctime"), k.ns("stat", ".", "mtime")
        k.tick()
        k.expect(0, "unlink", n1)
        k.check(c1 < k.ns("stat", n0, "ctime"), f"unlink of a {t} link: ctime")
        k.check(d1 < k.ns("stat", ".", "mtime"), f"unlink of a {t}: dir mtime")
        k.check(d1 < k.ns("stat", ".", "ctime"), f"unlink of a {t}: dir ctime")
        k.expect(0, "unlink", n0)
    # an open file stays usable after its last name goes
    k.expect(0, "open", n0, "O_CREAT,O_RDWR", 0o644, ":", "unlink", n0, ":",
             "write", 0, "data", ":", "fstat", 0, "nlink")
    k.expect("ENOENT", "lstat", n0, "type")


def t_unlink_errors(k: Kernel) -> None:
    common.enotdir_prefix(k, lambda p: ("unlink", p))
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("ENOENT", "unlink", f"{n0}/{n1}/test")
    k.expect("ENOENT", "unlink", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)
    common.eloop(k, lambda p: ("unlink", p), follows_last=False)
    common.efault(k, lambda p: ("unlink", p))
    nx = k.name_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "unlink", nx + "x")
    px = k.path_max()
    k.expect(0, "create", px, 0o644)
    k.expect(0, "unlink", px)
    k.expect("ENAMETOOLONG", "unlink", px + "x")
    k.rm_rf(px)
    # a directory: EPERM (NetBSD's tmpfs_remove)
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("EPERM", "unlink", n0)
    k.expect(0, "rmdir", n0)


def t_unlink_eacces(k: Kernel) -> None:
    n1, n2 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    f = f"{n1}/{n2}"
    k.expect(0, "create", f, 0o644, u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o644)
    k.expect("EACCES", "unlink", f, u=65534, g=65534)   # no search
    k.expect(0, "chmod", n1, 0o555)
    k.expect("EACCES", "unlink", f, u=65534, g=65534)   # no write
    k.expect(0, "chmod", n1, 0o755)
    k.expect(0, "unlink", f, u=65534, g=65534)
    k.expect(0, "rmdir", n1)


def _sticky(k: Kernel, kind: str) -> None:
    """A sticky directory: only root, the directory's owner or the file's owner removes."""
    n0, n1 = k.namegen(), k.namegen()
    rm = "rmdir" if kind == "dir" else "unlink"
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "chmod", n0, 0o1777)
    for dir_owner, file_owner, who, want in (
            (65534, 65534, 65534, 0),       # owns both
            (65534, 65533, 65534, 0),       # owns the directory
            (65533, 65534, 65534, 0),       # owns the file
            (65533, 65533, 65534, "EPERM"),  # owns neither
            (65533, 65533, 0, 0)):          # root
        k.expect(0, "chown", n0, dir_owner, dir_owner)
        k.create_file(kind, f"{n0}/{n1}", file_owner, file_owner)
        g = 65534 if who else None
        k.expect(want, rm, f"{n0}/{n1}", u=who if who else None, g=g)
        if want:
            k.expect(kind, "lstat", f"{n0}/{n1}", "type")
            k.expect(0, rm, f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


def t_unlink_sticky(k: Kernel) -> None:
    for t in NON_DIRS:
        _sticky(k, t)


def t_rmdir_00(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("dir", "lstat", n0, "type")
    k.expect(0, "rmdir", n0)
    k.expect("ENOENT", "lstat", n0, "type")
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "mkdir", f"{n0}/{n1}", 0o755)
    k.expect("3", "stat", n0, "nlink")
    t0 = k.ns("stat", n0, "ctime")
    k.tick()
    k.expect(0, "rmdir", f"{n0}/{n1}")
    k.expect("2", "stat", n0, "nlink")
    k.check(t0 < k.ns("stat", n0, "mtime"), "rmdir: parent mtime")
    k.check(t0 < k.ns("stat", n0, "ctime"), "rmdir: parent ctime")
    k.expect(0, "rmdir", n0)


def t_rmdir_errors(k: Kernel) -> None:
    common.enotdir_prefix(k, lambda p: ("rmdir", p))
    n0, n1 = k.namegen(), k.namegen()
    for t in NON_DIRS:           # not a directory
        k.create_file(t, n0)
        k.expect("ENOTDIR", "rmdir", n0)
        k.expect(0, "unlink", n0)
    k.expect("ENOENT", "rmdir", n0)
    k.expect("ENOENT", "rmdir", f"{n0}/{n1}")
    k.expect(0, "mkdir", n0, 0o755)   # not empty
    for t in ALL_TYPES:
        k.create_file(t, f"{n0}/{n1}")
        k.expect("ENOTEMPTY", "rmdir", n0)
        k.remove(t, f"{n0}/{n1}")
    k.expect("EINVAL", "rmdir", f"{n0}/.")    # NetBSD: "." is EINVAL
    # ".." names the parent, never empty (it holds the caller's directory): tmpfs_rmdir
    # says ENOTEMPTY; a mount root would be EBUSY first, so one level down
    k.expect(0, "mkdir", f"{n0}/{n1}", 0o755)
    k.expect("ENOTEMPTY", "rmdir", f"{n0}/{n1}/..")
    k.expect(0, "rmdir", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)
    common.eloop(k, lambda p: ("rmdir", p), follows_last=False)
    common.efault(k, lambda p: ("rmdir", p))
    nx = k.name_max()
    k.expect(0, "mkdir", nx, 0o755)
    k.expect(0, "rmdir", nx)
    k.expect("ENAMETOOLONG", "rmdir", nx + "x")
    px = k.path_max()
    k.expect(0, "mkdir", px, 0o755)
    k.expect(0, "rmdir", px)
    k.expect("ENAMETOOLONG", "rmdir", px + "x")
    k.rm_rf(px)
    k.expect("EBUSY", "rmdir", "/")


def t_rmdir_eacces(k: Kernel) -> None:
    n1, n2 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    d = f"{n1}/{n2}"
    k.expect(0, "mkdir", d, 0o755, u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o644)
    k.expect("EACCES", "rmdir", d, u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o555)
    k.expect("EACCES", "rmdir", d, u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o755)
    k.expect(0, "rmdir", d, u=65534, g=65534)
    k.expect(0, "rmdir", n1)


def t_rmdir_sticky(k: Kernel) -> None:
    _sticky(k, "dir")


def t_unlinkat(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "create", f"{n0}/{n1}", 0o644)
    k.expect("EPERM", "unlinkat", "AT_FDCWD", n0, "0")
    k.expect("ENOTDIR", "unlinkat", "AT_FDCWD", f"{n0}/{n1}", "AT_REMOVEDIR")
    k.expect(0, "open", n0, "O_RDONLY", ":", "unlinkat", 0, n1, "0")
    k.expect("ENOENT", "lstat", f"{n0}/{n1}", "type")
    k.expect(0, "unlinkat", "AT_FDCWD", n0, "AT_REMOVEDIR")
    k.expect("EBADF", "unlinkat", "BADFD", n0, "0")


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t_")]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_unlink_rmdir(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
