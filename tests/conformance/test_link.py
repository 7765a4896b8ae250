"""link(2): pjdfstest's link/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import ALL_TYPES, Kernel

LINKABLE = ("regular", "fifo", "block", "char", "socket")


def t00_hard_links(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    for t in LINKABLE:
        k.create_file(t, n0)
        k.expect(f"{t},1", "lstat", n0, "type,nlink")
        k.expect(0, "link", n0, n1)
        k.expect(f"{t},2", "lstat", n0, "type,nlink")
        k.expect(f"{t},2", "lstat", n1, "type,nlink")
        k.expect(0, "link", n1, n2)
        for x in (n0, n1, n2):
            k.expect(f"{t},3", "lstat", x, "type,nlink")
        k.expect(0, "chmod", n1, 0o201)
        k.expect(0, "chown", n1, 65534, 65533)
        for x in (n0, n1, n2):
            k.expect(f"{t},0201,3,65534,65533", "lstat", x, "type,mode,nlink,uid,gid")
        k.expect(0, "unlink", n0)
        k.expect("ENOENT", "lstat", n0, "type")
        k.expect(f"{t},0201,2,65534,65533", "lstat", n1, "type,mode,nlink,uid,gid")
        k.expect(f"{t},0201,2,65534,65533", "lstat", n2, "type,mode,nlink,uid,gid")
        k.expect(0, "unlink", n2)
        k.expect(f"{t},0201,1,65534,65533", "lstat", n1, "type,mode,nlink,uid,gid")
        k.expect("ENOENT", "lstat", n2, "type")
        k.expect(0, "unlink", n1)
        k.expect("ENOENT", "lstat", n1, "type")
    # success updates the file's ctime and the directory's ctime and mtime
    for t in LINKABLE:
        k.create_file(t, n0)
        c1, dc1 = k.ns("stat", n0, "ctime"), k.ns("stat", ".", "ctime")
        k.tick()
        k.expect(0, "link", n0, n1)
        k.check(c1 < k.ns("stat", n0, "ctime"), f"link {t}: ctime")
        k.check(dc1 < k.ns("stat", ".", "ctime"), f"link {t}: dir ctime")
        k.check(dc1 < k.ns("stat", ".", "mtime"), f"link {t}: dir mtime")
        k.expect(0, "unlink", n0)
        k.expect(0, "unlink", n1)
    # failure changes nothing
    for t in LINKABLE:
        k.create_file(t, n0)
        k.expect(0, "chown", n0, 65534, -1)
        c1, dc1, dm1 = k.ns("stat", n0, "ctime"), k.ns("stat", ".", "ctime"), k.ns("stat", ".", "mtime")
        k.tick()
        k.expect("EACCES", "link", n0, n1, u=65534)
        k.check(c1 == k.ns("stat", n0, "ctime"), f"failed link {t}: ctime")
        k.check(dc1 == k.ns("stat", ".", "ctime"), f"failed link {t}: dir ctime")
        k.check(dm1 == k.ns("stat", ".", "mtime"), f"failed link {t}: dir mtime")
        k.expect(0, "unlink", n0)


def t01_enotdir(k: Kernel) -> None:
    n = k.namegen()
    k.expect(0, "create", n, 0o644)
    common.enotdir_prefix(k, lambda p: ("link", p, n))
    common.enotdir_prefix(k, lambda p: ("link", n, p))
    k.expect(0, "unlink", n)


def t02_name_too_long(k: Kernel) -> None:
    n0, nx = k.namegen(), k.name_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "link", nx, n0)
    k.expect(0, "unlink", nx)
    k.expect(0, "link", n0, nx)
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", nx)
    k.expect(0, "create", n0, 0o644)
    k.expect("ENAMETOOLONG", "link", n0, nx + "x")
    k.expect("ENAMETOOLONG", "link", nx + "x", n0)
    k.expect(0, "unlink", n0)


def t03_path_too_long(k: Kernel) -> None:
    n0, nx = k.namegen(), k.path_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "link", nx, n0)
    k.expect(0, "unlink", nx)
    k.expect(0, "link", n0, nx)
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", nx)
    k.expect(0, "create", n0, 0o644)
    k.expect("ENAMETOOLONG", "link", n0, nx + "x")
    k.expect("ENAMETOOLONG", "link", nx + "x", n0)
    k.expect(0, "unlink", n0)
    k.rm_rf(nx)


def t04_enoent(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "create", f"{n0}/{n1}", 0o644)
    k.expect("ENOENT", "link", f"{n0}/{n1}", f"{n0}/{n2}/test")
    k.expect("ENOENT", "link", f"{n0}/{n2}/test", f"{n0}/{n1}")
    k.expect(0, "unlink", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)
    k.expect("ENOENT", "link", n0, n1)  # a missing source


def t06_eacces_search(k: Kernel) -> None:
    n1, n2, n3, n4 = k.namegen(), k.namegen(), k.namegen(), k.namegen()
    for d in (n1, n2):
        k.expect(0, "mkdir", d, 0o755)
        k.expect(0, "chown", d, 65534, 65534)
    k.expect(0, "create", f"{n1}/{n3}", 0o644, u=65534, g=65534)
    k.expect(0, "link", f"{n1}/{n3}", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "unlink", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o644)
    k.expect("EACCES", "link", f"{n1}/{n3}", f"{n1}/{n4}", u=65534, g=65534)
    k.expect("EACCES", "link", f"{n1}/{n3}", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o755)
    k.expect(0, "chmod", n2, 0o644)
    k.expect("EACCES", "link", f"{n1}/{n3}", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "unlink", f"{n1}/{n3}")
    k.expect(0, "rmdir", n1)
    k.expect(0, "rmdir", n2)


def t07_eacces_write(k: Kernel) -> None:
    n1, n2, n3, n4 = k.namegen(), k.namegen(), k.namegen(), k.namegen()
    for d in (n1, n2):
        k.expect(0, "mkdir", d, 0o755)
        k.expect(0, "chown", d, 65534, 65534)
    k.expect(0, "create", f"{n1}/{n3}", 0o644, u=65534, g=65534)
    k.expect(0, "link", f"{n1}/{n3}", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "unlink", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "chmod", n2, 0o555)
    k.expect("EACCES", "link", f"{n1}/{n3}", f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o555)
    k.expect("EACCES", "link", f"{n1}/{n3}", f"{n1}/{n4}", u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o755)
    k.expect(0, "unlink", f"{n1}/{n3}")
    k.expect(0, "rmdir", n1)
    k.expect(0, "rmdir", n2)


def t08_eloop(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "symlink", n0, n1)
    k.expect(0, "symlink", n1, n0)
    k.expect("ELOOP", "link", f"{n0}/test", n2)
    k.expect("ELOOP", "link", f"{n1}/test", n2)
    k.expect(0, "create", n2, 0o644)
    k.expect("ELOOP", "link", n2, f"{n0}/test")
    k.expect("ELOOP", "link", n2, f"{n1}/test")
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", n1)
    k.expect(0, "unlink", n2)


def t10_eexist(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "create", n0, 0o644)
    for t in ALL_TYPES:
        k.create_file(t, n1)
        k.expect("EEXIST", "link", n0, n1)
        k.remove(t, n1)
    k.expect(0, "unlink", n0)


def t11_eperm_directory(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("EPERM", "link", n0, n1)
    k.expect(0, "rmdir", n0)
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "mkdir", f"{n0}/{n1}", 0o755, u=65534, g=65534)
    k.expect("EPERM", "link", f"{n0}/{n1}", f"{n0}/{n2}", u=65534, g=65534)
    k.expect(0, "rmdir", f"{n0}/{n1}", u=65534, g=65534)
    k.expect(0, "rmdir", n0)


def t17_efault(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    common.efault(k, lambda p: ("link", p, n0))
    common.efault(k, lambda p: ("link", n0, p))
    k.expect(0, "unlink", n0)


def t18_linkat_follow(k: Kernel) -> None:
    # linkat with and without AT_SYMLINK_FOLLOW: the link or its target
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect(0, "symlink", n0, n1)
    k.expect(0, "linkat", "AT_FDCWD", n1, "AT_FDCWD", n2, "0")
    k.expect("symlink,2", "lstat", n2, "type,nlink")
    k.expect(0, "unlink", n2)
    k.expect(0, "linkat", "AT_FDCWD", n1, "AT_FDCWD", n2, "AT_SYMLINK_FOLLOW")
    k.expect("regular,2", "lstat", n2, "type,nlink")
    k.expect(0, "unlink", n2)
    k.expect(0, "unlink", n1)
    k.expect(0, "unlink", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_link(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
