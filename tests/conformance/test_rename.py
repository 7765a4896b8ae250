"""rename(2) and renameat(2): pjdfstest's rename/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import ALL_TYPES, Kernel

NON_DIRS = ("regular", "fifo", "block", "char", "socket", "symlink")


def t00_renames(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    for t in ALL_TYPES:
        k.create_file(t, n0, 0o644) if t != "symlink" else k.create_file(t, n0)
        ino = k.get("lstat", n0, "inode")
        k.expect(0, "rename", n0, n1)
        k.expect("ENOENT", "lstat", n0, "type")
        k.expect(f"{t},{ino}", "lstat", n1, "type,inode")
        if t in ("regular", "fifo", "block", "char", "socket"):
            k.expect(0, "link", n1, n0)
            k.expect(0, "rename", n1, n2)
            k.expect(f"{t},{ino},2", "lstat", n0, "type,inode,nlink")
            k.expect(f"{t},{ino},2", "lstat", n2, "type,inode,nlink")
            k.expect(0, "unlink", n0)
            k.expect(0, "rename", n2, n1)
        k.remove(t, n1)
    # the parents' times move; a rename onto another name of the same file is a no-op
    for t in ALL_TYPES:
        k.create_file(t, n0)
        d1 = k.ns("stat", ".", "mtime")
        k.tick()
        k.expect(0, "rename", n0, n1)
        k.check(d1 < k.ns("stat", ".", "mtime"), f"rename {t}: dir mtime")
        k.check(d1 < k.ns("stat", ".", "ctime"), f"rename {t}: dir ctime")
        k.remove(t, n1)
    k.expect(0, "create", n0, 0o644)
    k.expect(0, "link", n0, n1)
    # two links to one file: POSIX (and pjdfstest) leave both, but NetBSD's rename(2)
    # drops the source name (genfs_sane_rename, not posixly correct); only
    # __posix_rename leaves both (checked against the reference server)
    k.expect(0, "rename", n0, n1)
    k.expect("ENOENT", "lstat", n0, "type")
    k.expect("regular,1", "lstat", n1, "type,nlink")
    k.expect(0, "unlink", n1)


def t01_replace(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    for t in NON_DIRS:          # a non-directory replaces any non-directory
        for t2 in NON_DIRS:
            k.create_file(t, n0)
            k.create_file(t2, n1)
            ino = k.get("lstat", n0, "inode")
            k.expect(0, "rename", n0, n1)
            k.expect(f"{t},{ino}", "lstat", n1, "type,inode")
            k.expect("ENOENT", "lstat", n0, "type")
            k.expect(0, "unlink", n1)
    # an empty directory replaces an empty directory
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "rename", n0, n1)
    k.expect(0, "rmdir", n1)


def t02_type_mismatch(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    for t in NON_DIRS:
        k.create_file(t, n1)
        k.expect("ENOTDIR", "rename", n0, n1)   # directory onto a file
        k.expect("EISDIR", "rename", n1, n0)    # file onto a directory
        k.expect(0, "unlink", n1)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "create", f"{n1}/x", 0o644)
    k.expect("ENOTEMPTY", "rename", n0, n1)
    k.expect(0, "unlink", f"{n1}/x")
    k.expect(0, "rmdir", n1)
    k.expect("EINVAL", "rename", n0, f"{n0}/sub")   # into itself
    k.expect(0, "mkdir", f"{n0}/sub", 0o755)
    k.expect("EINVAL", "rename", n0, f"{n0}/sub/deeper")
    k.expect(0, "rmdir", f"{n0}/sub")
    k.expect(0, "rmdir", n0)


def t03_errors(k: Kernel) -> None:
    n = k.namegen()
    k.expect(0, "create", n, 0o644)
    common.enotdir_prefix(k, lambda p: ("rename", p, n))
    common.enotdir_prefix(k, lambda p: ("rename", n, p))
    n0, n1 = k.namegen(), k.namegen()
    k.expect("ENOENT", "rename", n0, n1)
    k.expect("ENOENT", "rename", f"{n0}/x", n1)
    k.expect("ENOENT", "rename", n, f"{n0}/x")
    common.eloop(k, lambda p: ("rename", p, n1), follows_last=False)
    common.eloop(k, lambda p: ("rename", n, p), follows_last=False)
    common.efault(k, lambda p: ("rename", p, n1))
    common.efault(k, lambda p: ("rename", n, p))
    nx = k.name_max()
    k.expect(0, "rename", n, nx)
    k.expect(0, "rename", nx, n)
    k.expect("ENAMETOOLONG", "rename", n, nx + "x")
    k.expect("ENAMETOOLONG", "rename", nx + "x", n)
    px = k.path_max()
    k.expect(0, "rename", n, px)
    k.expect(0, "rename", px, n)
    k.expect("ENAMETOOLONG", "rename", n, px + "x")
    k.expect("ENAMETOOLONG", "rename", px + "x", n)
    k.rm_rf(px)
    k.expect(0, "unlink", n)


def t04_eacces(k: Kernel) -> None:
    n1, n2, n3, n4 = k.namegen(), k.namegen(), k.namegen(), k.namegen()
    for d in (n1, n2):
        k.expect(0, "mkdir", d, 0o755)
        k.expect(0, "chown", d, 65534, 65534)
    f = f"{n1}/{n3}"
    k.expect(0, "create", f, 0o644, u=65534, g=65534)
    k.expect(0, "rename", f, f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "rename", f"{n2}/{n4}", f, u=65534, g=65534)
    for d, mode in ((n1, 0o644), (n1, 0o555), (n2, 0o644), (n2, 0o555)):
        k.expect(0, "chmod", d, mode)
        k.expect("EACCES", "rename", f, f"{n2}/{n4}", u=65534, g=65534)
        k.expect(0, "chmod", d, 0o755)
    k.expect(0, "unlink", f)
    # moving a directory to another parent writes its ".." (NetBSD asks for write access)
    k.expect(0, "mkdir", f, 0o555, u=65534, g=65534)
    k.expect("EACCES", "rename", f, f"{n2}/{n4}", u=65534, g=65534)
    k.expect(0, "rename", f, f"{n1}/{n4}", u=65534, g=65534)
    k.expect(0, "rmdir", f"{n1}/{n4}")
    k.expect(0, "rmdir", n1)
    k.expect(0, "rmdir", n2)


def t09_sticky_source(k: Kernel) -> None:
    n0, n1, n2, n3 = k.namegen(), k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "chmod", n0, 0o1777)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    for t in NON_DIRS:
        for downer, fowner, ok in ((65534, 65534, True), (65534, 0, True), (65534, 65533, True),
                                   (0, 65534, True), (65533, 65534, True),
                                   (0, 0, False), (65533, 65533, False)):
            k.expect(0, "chown", n0, downer, downer)
            k.create_file(t, f"{n0}/{n2}", fowner, fowner)
            ino = k.get("lstat", f"{n0}/{n2}", "inode")
            for t2 in ("none",) + NON_DIRS:
                if t2 != "none":
                    k.create_file(t2, f"{n1}/{n3}", 65534, 65534)
                if ok:
                    k.expect(0, "rename", f"{n0}/{n2}", f"{n1}/{n3}", u=65534, g=65534)
                    k.expect(f"{ino},{fowner},{fowner}", "lstat", f"{n1}/{n3}", "inode,uid,gid")
                    k.expect(0, "rename", f"{n1}/{n3}", f"{n0}/{n2}", u=65534, g=65534)
                else:
                    k.expect("EACCES|EPERM", "rename", f"{n0}/{n2}", f"{n1}/{n3}",
                             u=65534, g=65534)
                    k.expect(f"{ino},{fowner},{fowner}", "lstat", f"{n0}/{n2}", "inode,uid,gid")
                    if t2 != "none":
                        k.expect("65534,65534", "lstat", f"{n1}/{n3}", "uid,gid")
                        k.expect(0, "unlink", f"{n1}/{n3}")
            k.expect(0, "unlink", f"{n0}/{n2}")
    k.expect(0, "rmdir", n1)
    k.expect(0, "rmdir", n0)


def t10_sticky_target(k: Kernel) -> None:
    n0, n1, n2, n3 = k.namegen(), k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chmod", n1, 0o1777)
    for t in NON_DIRS:
        for downer, towner, ok in ((65534, 65534, True), (65534, 65533, True),
                                   (65533, 65534, True), (65533, 65533, False), (0, 0, False)):
            k.expect(0, "chown", n1, downer, downer)
            k.create_file("regular", f"{n0}/{n2}", 65534, 65534)
            k.create_file(t, f"{n1}/{n3}", towner, towner)
            want = 0 if ok else "EACCES|EPERM"
            k.expect(want, "rename", f"{n0}/{n2}", f"{n1}/{n3}", u=65534, g=65534)
            if ok:
                k.expect("regular", "lstat", f"{n1}/{n3}", "type")
                k.expect(0, "unlink", f"{n1}/{n3}")
            else:
                k.expect(f"{t},{towner},{towner}", "lstat", f"{n1}/{n3}", "type,uid,gid")
                k.expect(0, "unlink", f"{n1}/{n3}")
                k.expect(0, "unlink", f"{n0}/{n2}")
    k.expect(0, "rmdir", n1)
    k.expect(0, "rmdir", n0)


def t20_dots(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect("EINVAL", "rename", f"{n0}/.", n1)
    k.expect("EINVAL", "rename", f"{n0}/..", n1)
    k.expect("EINVAL|EISDIR", "rename", n1, f"{n0}/.")
    k.expect("EINVAL", "rename", n1, f"{n0}/..")
    k.expect(0, "rmdir", n0)
    k.expect(0, "rmdir", n1)


def t21_renameat(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "create", n1, 0o644)
    k.expect(0, "open", n0, "O_RDONLY", ":", "renameat", "AT_FDCWD", n1, 0, n2)
    k.expect("regular", "lstat", f"{n0}/{n2}", "type")
    k.expect("EBADF", "renameat", "BADFD", n2, "AT_FDCWD", n1)
    k.expect(0, "unlink", f"{n0}/{n2}")
    k.expect(0, "rmdir", n0)


def t22_directory_links(k: Kernel) -> None:
    # moving a directory moves its ".." link between the parents
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "mkdir", f"{n0}/{n2}", 0o755)
    k.expect("3", "stat", n0, "nlink")
    k.expect(0, "rename", f"{n0}/{n2}", f"{n1}/{n2}")
    k.expect("2", "stat", n0, "nlink")
    k.expect("3", "stat", n1, "nlink")
    k.expect("dir", "stat", f"{n1}/{n2}/../{n2}", "type")
    k.expect(0, "rmdir", f"{n1}/{n2}")
    k.expect(0, "rmdir", n0)
    k.expect(0, "rmdir", n1)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_rename(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
