"""open(2) and openat(2): pjdfstest's open/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import Kernel


def mk(p: str, mode: int) -> tuple:
    return ("open", p, "O_CREAT,O_WRONLY", mode)


def t00_creates(k: Kernel) -> None:
    common.creates_with_umask(k, mk, "regular", "unlink")
    common.owner_and_group(k, mk, "unlink")
    common.creation_times(k, mk, "unlink")
    n0 = k.namegen()
    # an existing file: the directory's times stay
    k.expect(0, "create", n0, 0o644)
    dm, dc = k.ns("stat", ".", "mtime"), k.ns("stat", ".", "ctime")
    k.tick()
    k.expect(0, "open", n0, "O_CREAT,O_RDONLY", 0o644)
    k.check(dm == k.ns("stat", ".", "mtime"), "open existing: dir mtime kept")
    k.check(dc == k.ns("stat", ".", "ctime"), "open existing: dir ctime kept")
    # O_TRUNC empties and touches
    k.expect(0, "open", n0, "O_WRONLY", ":", "write", 0, "test\n")
    k.expect("5", "stat", n0, "size")
    m1, c1 = k.ns("stat", n0, "mtime"), k.ns("stat", n0, "ctime")
    k.tick()
    k.expect(0, "open", n0, "O_WRONLY,O_TRUNC")
    k.check(m1 < k.ns("stat", n0, "mtime"), "O_TRUNC: mtime")
    k.check(c1 < k.ns("stat", n0, "ctime"), "O_TRUNC: ctime")
    k.expect("0", "stat", n0, "size")
    k.expect(0, "unlink", n0)
    for how in ("O_WRONLY", "O_RDWR", "O_RDONLY"):   # mode 0000 still opens for the creator
        k.expect(0, "open", n0, f"O_CREAT,{how}", 0)
        k.expect("regular,00", "lstat", n0, "type,mode")
        k.expect(0, "unlink", n0)


def t01_path_errors(k: Kernel) -> None:
    common.enotdir_prefix(k, lambda p: ("open", p, "O_RDONLY"))
    common.enotdir_prefix(k, lambda p: ("open", p, "O_CREAT", 0o644))
    common.name_limits(k, lambda p, m: ("open", p, "O_CREAT", m), "regular", "unlink")
    n0, n1 = k.namegen(), k.namegen()
    k.expect("ENOENT", "open", f"{n0}/{n1}/test", "O_CREAT", 0o644)
    k.expect("ENOENT", "open", n0, "O_RDONLY")
    common.eloop(k, lambda p: ("open", p, "O_RDONLY"))
    common.eloop(k, lambda p: ("open", p, "O_CREAT", 0o644))
    common.efault(k, lambda p: ("open", p, "O_RDONLY"))
    common.efault(k, lambda p: ("open", p, "O_CREAT", 0o644))


def t05_eacces_search(k: Kernel) -> None:
    common.eacces_search(k, lambda p: ("create", p, 0o644),
                         lambda p: ("open", p, "O_RDONLY"), lambda p: ("unlink", p))


def t06_eacces_modes(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "chown", ".", 65534, 65534)
    owner, member, other = (65534, 65534), (65533, 65534), (65533, 65533)
    for ftype in ("regular", "dir") if k.external else ("regular", "fifo", "dir"):
        if ftype == "regular":
            k.expect(0, "create", n0, 0o644, u=65534, g=65534)
        elif ftype == "fifo":
            k.expect(0, "mkfifo", n0, 0o644, u=65534, g=65534)
        else:
            k.expect(0, "mkdir", n0, 0o755, u=65534, g=65534)
        for bits in (6, 4, 2, 1, 0):
            for shift, who in ((6, owner), (3, member), (0, other)):
                mode = bits << shift | (0o77 if shift == 6 else 0o707 if shift == 3 else 0o770)
                if bits == 6:
                    mode = bits << shift
                k.expect(0, "chmod", n0, mode, u=65534, g=65534)
                u, g = who
                if ftype == "dir":
                    k.expect(0 if bits & 4 else "EACCES", "open", n0, "O_RDONLY", u=u, g=g)
                    continue
                rd = "O_RDONLY,O_NONBLOCK" if ftype == "fifo" else "O_RDONLY"
                k.expect(0 if bits & 4 else "EACCES", "open", n0, rd, u=u, g=g)
                if ftype == "regular":
                    k.expect(0 if bits & 2 else "EACCES", "open", n0, "O_WRONLY", u=u, g=g)
                else:   # no reader: ENXIO once write access is granted
                    k.expect("ENXIO" if bits & 2 else "EACCES", "open", n0,
                             "O_WRONLY,O_NONBLOCK", u=u, g=g)
                k.expect(0 if bits & 6 == 6 else "EACCES", "open", n0, "O_RDWR", u=u, g=g)
                if ftype == "regular":
                    # O_RDONLY|O_TRUNC needs read and write access
                    k.expect(0 if bits & 6 == 6 else "EACCES", "open", n0, "O_RDONLY,O_TRUNC",
                             u=u, g=g)
        k.expect(0, "rmdir" if ftype == "dir" else "unlink", n0)
    k.expect(0, "chown", ".", 0, 0)


def t08_eacces_create(k: Kernel) -> None:
    common.eacces_write(k, mk, "unlink")


def t11_eisdir_and_exist(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("EISDIR", "open", n0, "O_WRONLY")
    k.expect("EISDIR", "open", n0, "O_RDWR")
    k.expect("EISDIR", "open", n0, "O_RDONLY,O_TRUNC")
    k.expect("EISDIR", "open", n0, "O_CREAT,O_WRONLY", 0o644)
    k.expect(0, "rmdir", n0)
    common.eexist(k, lambda p, m: ("open", p, "O_CREAT,O_EXCL,O_RDONLY", m))
    k.expect(0, "create", n0, 0o644)
    k.expect("ENOTDIR", "open", n0, "O_RDONLY,O_DIRECTORY")
    k.expect(0, "unlink", n0)


def t16_nofollow(k: Kernel) -> None:
    # pjdfstest expects ELOOP (EMLINK on FreeBSD); NetBSD's vn_open says EFTYPE
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "symlink", n0, n1)
    for how in ("O_RDONLY,O_CREAT,O_NOFOLLOW", "O_RDONLY,O_NOFOLLOW", "O_WRONLY,O_NOFOLLOW",
                "O_RDWR,O_NOFOLLOW"):
        k.expect("EFTYPE", "open", n1, how, 0o644)
    k.expect(0, "unlink", n1)


def t17_fifo_and_socket(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "mkfifo", n0, 0o644)
    k.expect("ENXIO", "open", n0, "O_WRONLY,O_NONBLOCK")
    k.expect(0, "open", n0, "O_RDONLY,O_NONBLOCK", ":", "open", n0, "O_WRONLY,O_NONBLOCK")
    k.expect(0, "unlink", n0)
    k.expect(0, "bind", n0)
    for how in ("O_RDONLY", "O_WRONLY", "O_RDWR"):
        k.expect("EOPNOTSUPP", "open", n0, how)
    k.expect(0, "unlink", n0)


def t18_locks(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect(0, "open", n0, "O_RDONLY,O_SHLOCK", ":", "open", n0, "O_RDONLY,O_SHLOCK,O_NONBLOCK")
    for a, b in (("O_EXLOCK", "O_EXLOCK"), ("O_SHLOCK", "O_EXLOCK"), ("O_EXLOCK", "O_SHLOCK")):
        k.expect("EAGAIN", "open", n0, f"O_RDONLY,{a}", ":", "open", n0, f"O_RDONLY,{b},O_NONBLOCK")
    k.expect(0, "unlink", n0)


def t23_access_modes(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    # O_RDONLY is 0, so these are O_RDWR (and O_WRONLY|O_RDWR, an illegal mode: EINVAL)
    k.expect(0, "open", n0, "O_RDONLY,O_RDWR")
    k.expect("EINVAL", "open", n0, "O_WRONLY,O_RDWR")
    k.expect("EINVAL", "open", n0, "O_RDONLY,O_WRONLY,O_RDWR")
    k.expect(0, "unlink", n0)


def t25_large_offsets(k: Kernel) -> None:
    n0 = k.namegen()
    big = 2 * 1024 * 1024 * 1024 + 1
    k.expect(0, "open", n0, "O_CREAT,O_WRONLY", 0o755, ":", "pwrite", 0, "a", big)
    k.expect(str(big + 1), "lstat", n0, "size")
    k.expect("a", "open", n0, "O_RDONLY", ":", "pread", 0, 1, big)
    k.expect(0, "unlink", n0)


def t26_openat(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "open", n0, "O_RDONLY", ":", "openat", 0, n1, "O_CREAT,O_RDWR", 0o640)
    k.expect("regular,0640", "lstat", f"{n0}/{n1}", "type,mode")
    k.expect("EBADF", "openat", "BADFD", n1, "O_RDONLY")
    k.expect("EBADF", "openat", "BADFD", "/", "O_RDONLY")  # checked even for absolute paths
    k.expect("ENOTDIR", "open", f"{n0}/{n1}", "O_RDONLY", ":", "openat", 0, "x", "O_RDONLY")
    k.expect(0, "unlink", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_open(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
