"""utimensat(2): pjdfstest's utimensat/NN.t."""
from __future__ import annotations

import pytest

from .pjd import Kernel

D1, D2, D3, D4, D5, D6 = 1900000000, 1950000000, 1960000000, 1970000000, 1980000000, 1990000000


def ut(path: str, a: object, an: object, m: object, mn: object, flag: object = 0) -> tuple:
    return ("open", ".", "O_RDONLY", ":", "utimensat", 0, path, a, an, m, mn, flag)


def t00_sets_times(k: Kernel) -> None:
    n0 = k.namegen()
    k.create_file("regular", n0)
    k.expect(0, *ut(n0, D1, 0, D2, 0))
    k.expect(str(D1), "stat", n0, "atime")
    k.expect(str(D2), "stat", n0, "mtime")
    c1 = k.ns("stat", n0, "ctime")
    k.tick()
    k.expect(0, *ut(n0, D3, 123456789, D4, 987654321))
    k.expect(f"{D3}123456789,{D4}987654321", "stat", n0, "atime_ns,mtime_ns")
    # 7.99.34's tmpfs_chtimes leaves ctime alone (pjdfstest expects it to move)
    k.check(c1 == k.ns("stat", n0, "ctime"), "utimensat leaves ctime")
    k.expect(0, *ut(n0, 0, 0, 0, 0))                      # the epoch
    k.expect("0,0", "stat", n0, "atime,mtime")
    # before it; but a time of -1 seconds is VNOVAL to tmpfs_setattr: not set
    k.expect(0, *ut(n0, -1, 0, -(10 ** 9), 0))
    k.expect(f"0,-{10 ** 9}", "stat", n0, "atime,mtime")
    k.expect(0, "unlink", n0)


def t01_now_and_omit(k: Kernel) -> None:
    n0 = k.namegen()
    k.create_file("regular", n0)
    k.expect(0, *ut(n0, D1, 0, D2, 0))
    k.expect(0, *ut(n0, 0, "UTIME_NOW", 0, "UTIME_OMIT"))
    k.check(int(k.get("stat", n0, "atime")) < D1, "UTIME_NOW atime")
    k.expect(str(D2), "stat", n0, "mtime")
    k.expect(0, *ut(n0, D1, 0, 0, "UTIME_NOW"))
    k.expect(str(D1), "stat", n0, "atime")
    k.check(int(k.get("stat", n0, "mtime")) < D2, "UTIME_NOW mtime")
    k.expect(0, *ut(n0, D3, 0, D4, 0))
    c1 = k.ns("stat", n0, "ctime")
    k.tick()
    k.expect(0, *ut(n0, 0, "UTIME_OMIT", 0, "UTIME_OMIT"))   # nothing at all changes
    k.expect(f"{D3},{D4}", "stat", n0, "atime,mtime")
    k.check(c1 == k.ns("stat", n0, "ctime"), "UTIME_OMIT twice keeps ctime")
    k.expect(0, "unlink", n0)


def t02_no_einval(k: Kernel) -> None:
    # pjdfstest wants EINVAL here; 7.99.34's do_sys_utimensat checks neither the
    # nanoseconds nor the flag bits (checked against the reference server)
    n0 = k.namegen()
    k.create_file("regular", n0)
    k.expect(0, *ut(n0, D1, -1, D2, 0))
    k.expect(0, *ut(n0, D1, 0, D2, 1000000000))
    k.expect(0, *ut(n0, D3, 0, D4, 0, 0x1000))     # an unknown flag
    k.expect(f"{D3},{D4}", "stat", n0, "atime,mtime")
    k.expect(0, "unlink", n0)


def t05_symlinks(k: Kernel) -> None:
    n0, n2 = k.namegen(), k.namegen()
    k.create_file("regular", n0)
    k.expect(0, "symlink", n0, n2)
    k.expect(0, *ut(n0, D1, 0, D2, 0))
    k.expect(0, *ut(n2, D3, 0, D4, 0, "AT_SYMLINK_NOFOLLOW"))
    k.expect(f"{D1},{D2}", "lstat", n0, "atime,mtime")
    k.expect(f"{D3},{D4}", "lstat", n2, "atime,mtime")
    k.expect(0, *ut(n2, D5, 0, D6, 0))
    k.expect(f"{D5},{D6}", "lstat", n0, "atime,mtime")
    k.expect(str(D4), "lstat", n2, "mtime")
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", n2)


def t06_now_needs_write_access(k: Kernel) -> None:
    n0 = k.namegen()
    k.create_file("regular", n0, 0o644)
    k.expect("EACCES", *ut(n0, 0, "UTIME_NOW", 0, "UTIME_NOW"), u=65534)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "chmod", n0, 0o444)
    k.expect(0, *ut(n0, 0, "UTIME_NOW", 0, "UTIME_NOW"), u=65534)
    k.expect(0, *ut(n0, 0, "UTIME_OMIT", 0, "UTIME_OMIT"), u=0)
    k.expect(0, "chown", n0, 0, 0)
    k.expect(0, "chmod", n0, 0o666)
    # pre-ACL NetBSD (and POSIX): write access is enough for "now"; see CONFORMANCE.md
    k.expect(0, *ut(n0, 0, "UTIME_NOW", 0, "UTIME_NOW"), u=65534)
    k.expect(0, "unlink", n0)


def t07_explicit_needs_owner(k: Kernel) -> None:
    n0 = k.namegen()
    k.create_file("regular", n0, 0o644, 0, 0)
    for mode in (0o644, 0o666):
        k.expect(0, "chmod", n0, mode)
        k.expect("EPERM", *ut(n0, 0, "UTIME_OMIT", D2, 0), u=65534)
        k.expect("EPERM", *ut(n0, D1, 0, 0, "UTIME_OMIT"), u=65534)
        k.expect("EPERM", *ut(n0, D1, 0, D2, 0), u=65534)
        k.expect("EPERM", *ut(n0, 0, "UTIME_NOW", D2, 0), u=65534)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "chmod", n0, 0o444)
    k.expect(0, *ut(n0, D1, 0, D2, 0), u=65534)
    k.expect(0, *ut(n0, D1, 0, D2, 0), u=0)
    k.expect(0, "unlink", n0)


def t08_errors(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect("ENOENT", *ut(n0, D1, 0, D2, 0))
    k.create_file("regular", n0)
    k.expect("ENOTDIR", *ut(f"{n0}/x", D1, 0, D2, 0))
    k.expect("ENOTDIR", "open", n0, "O_RDONLY", ":", "utimensat", 0, n1, D1, 0, D2, 0, 0)
    k.expect("EBADF", "utimensat", "BADFD", n1, D1, 0, D2, 0, 0)
    k.expect(0, "unlink", n0)
    k.expect(0, "symlink", n0, n1)
    k.expect(0, "symlink", n1, n0)
    k.expect("ELOOP", *ut(n0, D1, 0, D2, 0))
    k.expect(0, *ut(n0, D1, 0, D2, 0, "AT_SYMLINK_NOFOLLOW"))
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", n1)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_utimensat(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
