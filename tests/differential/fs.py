"""The file system family: every file system call of syscalls.tsv with edge arguments.

``generate(seed, calls)`` makes a reproducible op list (see runner.py for the op
format); ``CALLS`` executes each op name with raw system calls.

Steered around (never generated), each for a reason written where it is avoided:
* FIFOs are made only under the names in FIFO_NAMES and those names are never
  opened, truncated or linked/renamed onto other names: NetBSD's rump tmpfs
  answers EOPNOTSUPP to opening a FIFO (its fifofs is not wired to tmpfs), a
  reference bug, not behaviour to copy (docs/CONFORMANCE.md).
* Block devices and unknown device numbers likewise only under FIFO_NAMES;
  character nodes elsewhere are /dev/null's number (0x202) only.
* Calls that could block forever: O_SHLOCK/O_EXLOCK always come with O_NONBLOCK,
  flock(LOCK_SH/LOCK_EX) with LOCK_NB, no F_SETLKW.
* A length larger than the buffer passed (below SSIZE_MAX): the server would copy
  outside it, which our client refuses and NetBSD's server then hangs on (one of
  the places where we differ on purpose, README "Where we differ").
* mount/unmount/getvfsstat/getfh/fhopen/quotactl/ktrace/aio: they see or change
  the whole machine (mount lists, file handles naming inode numbers), not the
  tmpfs of the sequence.
"""
from __future__ import annotations

import random
import struct
from typing import Any

from sysproxy.abi import fcntl as F
from sysproxy.abi import ioctl as I
from sysproxy.abi import stat as S
from sysproxy.abi import statvfs as V
from sysproxy.abi import time as T
from sysproxy.client.memory import Out

from .common import COMMON, CallTable, cpath, norm_dirents, norm_stat, payload, u64
from .runner import Op, Proc

AT_FDCWD = F.AT_FDCWD

# ---- the calls -------------------------------------------------------------------


def _dirfd(p: Proc, ref: Any) -> int:
    return AT_FDCWD if ref == "cwd" else p.fd(ref)


def c_open(p: Proc, path: str, flags: int, mode: int) -> int:
    return p.sys("open", cpath(path), flags, mode)[0]


def c_openat(p: Proc, d: Any, path: str, flags: int, mode: int) -> int:
    return p.sys("openat", _dirfd(p, d), cpath(path), flags, mode)[0]


def _p1(name: str):
    def call(p: Proc, path: str, *ints: int) -> int:
        return p.sys(name, cpath(path), *ints)[0]
    return call


def _p2(name: str):
    def call(p: Proc, a: str, b: str) -> int:
        return p.sys(name, cpath(a), cpath(b))[0]
    return call


def c_linkat(p: Proc, d1: Any, a: str, d2: Any, b: str, flags: int) -> int:
    return p.sys("linkat", _dirfd(p, d1), cpath(a), _dirfd(p, d2), cpath(b), flags)[0]


def c_renameat(p: Proc, d1: Any, a: str, d2: Any, b: str) -> int:
    return p.sys("renameat", _dirfd(p, d1), cpath(a), _dirfd(p, d2), cpath(b))[0]


def c_symlinkat(p: Proc, target: str, d: Any, path: str) -> int:
    return p.sys("symlinkat", cpath(target), _dirfd(p, d), cpath(path))[0]


def _at1(name: str):
    def call(p: Proc, d: Any, path: str, *ints: int) -> int:
        return p.sys(name, _dirfd(p, d), cpath(path), *ints)[0]
    return call


def _f1(name: str):
    def call(p: Proc, fd: Any, *ints: int) -> int:
        return p.sys(name, p.fd(fd), *ints)[0]
    return call


def c_mknod(p: Proc, path: str, mode: int, dev: int) -> int:
    return p.sys("__mknod50", cpath(path), mode, dev)[0]


def c_readlink(p: Proc, path: str, n: int) -> tuple:
    buf = bytearray(n)
    r = p.sys("readlink", cpath(path), Out(buf), n)[0]
    return (r, bytes(buf[:r]))


def c_readlinkat(p: Proc, d: Any, path: str, n: int) -> tuple:
    buf = bytearray(n)
    r = p.sys("readlinkat", _dirfd(p, d), cpath(path), Out(buf), n)[0]
    return (r, bytes(buf[:r]))


def c_stat(p: Proc, path: str) -> tuple:
    buf = bytearray(S.STAT_SIZE)
    p.sys("__stat50", cpath(path), Out(buf))
    return norm_stat(buf)


def c_lstat(p: Proc, path: str) -> tuple:
    buf = bytearray(S.STAT_SIZE)
    p.sys("__lstat50", cpath(path), Out(buf))
    return norm_stat(buf)


def c_fstatat(p: Proc, d: Any, path: str, flag: int) -> tuple:
    buf = bytearray(S.STAT_SIZE)
    p.sys("fstatat", _dirfd(p, d), cpath(path), Out(buf), flag)
    return norm_stat(buf)


def c_truncate(p: Proc, path: str, length: int) -> int:
    return p.sys("truncate", cpath(path), 0, u64(length))[0]


def c_ftruncate(p: Proc, fd: Any, length: int) -> int:
    return p.sys("ftruncate", p.fd(fd), 0, u64(length))[0]


def _tv(times: Any) -> bytes | None:
    if times is None:
        return None
    return b"".join(T.TIMEVAL.pack(s, u) for s, u in times)


def _ts(times: Any) -> bytes | None:
    if times is None:
        return None
    return b"".join(T.TIMESPEC.pack(s, n) for s, n in times)


def c_utimes(p: Proc, path: str, times: Any) -> int:
    return p.sys("__utimes50", cpath(path), _tv(times))[0]


def c_lutimes(p: Proc, path: str, times: Any) -> int:
    return p.sys("__lutimes50", cpath(path), _tv(times))[0]


def c_futimes(p: Proc, fd: Any, times: Any) -> int:
    return p.sys("__futimes50", p.fd(fd), _tv(times))[0]


def c_utimensat(p: Proc, d: Any, path: str, times: Any, flag: int) -> int:
    return p.sys("utimensat", _dirfd(p, d), cpath(path), _ts(times), flag)[0]


def c_futimens(p: Proc, fd: Any, times: Any) -> int:
    return p.sys("futimens", p.fd(fd), _ts(times))[0]


def c_getdents(p: Proc, fd: Any, n: int) -> tuple:
    buf = bytearray(n)
    r = p.sys("__getdents30", p.fd(fd), Out(buf), n)[0]
    return (r, norm_dirents(buf, r))


def c_getcwd(p: Proc, n: int) -> tuple:
    buf = bytearray(n)
    r = p.sys("__getcwd", Out(buf), n)[0]
    return (r, bytes(buf[:r]))


def _norm_statvfs(buf: bytearray) -> tuple:
    v = V.unpack_statvfs(bytes(buf))
    return (("flag", hex(v.f_flag)), ("bsize", v.f_bsize), ("frsize", v.f_frsize),
            ("iosize", v.f_iosize), ("namemax", v.f_namemax), ("fstype", v.f_fstypename))


def c_statvfs(p: Proc, path: str, flags: int) -> tuple:
    buf = bytearray(V.STATVFS_SIZE)
    p.sys("statvfs1", cpath(path), Out(buf), flags)
    return _norm_statvfs(buf)


def c_fstatvfs(p: Proc, fd: Any, flags: int) -> tuple:
    buf = bytearray(V.STATVFS_SIZE)
    p.sys("fstatvfs1", p.fd(fd), Out(buf), flags)
    return _norm_statvfs(buf)


def c_pread(p: Proc, fd: Any, n: int, off: int) -> tuple:
    buf = bytearray(n)
    r = p.sys("pread", p.fd(fd), Out(buf), n, 0, u64(off))[0]
    return (r, bytes(buf[:r]))


def c_pwrite(p: Proc, fd: Any, data: bytes | int, off: int) -> int:
    raw = payload(data)
    return p.sys("pwrite", p.fd(fd), raw, len(raw), 0, u64(off))[0]


def _iov_call(p: Proc, name: str, fd: Any, bufs: list, off: int | None) -> int:
    """readv & co.: an iovec array over buffers registered in the client's address space."""
    mem = p.conn.memory
    slots: list[int] = []
    iov = b""
    try:
        for b in bufs:
            slot, addr = mem.register(b, True, isinstance(b, bytearray))
            slots.append(slot)
            iov += struct.pack("<QQ", addr, len(b))
        extra = () if off is None else (0, u64(off))
        return p.sys(name, p.fd(fd), iov, len(bufs), *extra)[0]
    finally:
        for slot in slots:
            mem.unregister(slot)


def c_readv(p: Proc, fd: Any, sizes: tuple, off: int | None = None) -> tuple:
    bufs = [bytearray(n) for n in sizes]
    r = _iov_call(p, "readv" if off is None else "preadv", fd, bufs, off)
    return (r, b"".join(bytes(b) for b in bufs)[:r])


def c_writev(p: Proc, fd: Any, chunks: tuple, off: int | None = None) -> int:
    return _iov_call(p, "writev" if off is None else "pwritev", fd,
                     [payload(c) for c in chunks], off)


def c_fsync_range(p: Proc, fd: Any, flags: int, start: int, length: int) -> int:
    return p.sys("fsync_range", p.fd(fd), flags, u64(start), u64(length))[0]


def c_fallocate(p: Proc, fd: Any, pos: int, length: int) -> int:
    return p.sys("posix_fallocate", p.fd(fd), 0, u64(pos), u64(length))[0]


def c_fdiscard(p: Proc, fd: Any, pos: int, length: int) -> int:
    return p.sys("fdiscard", p.fd(fd), 0, u64(pos), u64(length))[0]


def c_fadvise(p: Proc, fd: Any, off: int, length: int, advice: int) -> int:
    return p.sys("__posix_fadvise50", p.fd(fd), 0, u64(off), u64(length), advice)[0]


def _target(p: Proc, via: str, target: Any) -> Any:
    """The first argument of a *_file/*_link (a path) or *_fd (a descriptor) call."""
    return p.fd(target) if via == "fd" else cpath(target)


def c_extattr_get(p: Proc, target: Any, ns: int, name: str, n: int, via: str = "file") -> tuple:
    buf = bytearray(n)
    r = p.sys(f"extattr_get_{via}", _target(p, via, target), ns, cpath(name), Out(buf), n)[0]
    return (r, bytes(buf[:r]))


def c_extattr_set(p: Proc, target: Any, ns: int, name: str, data: bytes,
                  via: str = "file") -> int:
    return p.sys(f"extattr_set_{via}", _target(p, via, target), ns, cpath(name), data,
                 len(data))[0]


def c_extattr_delete(p: Proc, target: Any, ns: int, name: str, via: str = "file") -> int:
    return p.sys(f"extattr_delete_{via}", _target(p, via, target), ns, cpath(name))[0]


def c_extattr_list(p: Proc, target: Any, ns: int, n: int, via: str = "file") -> tuple:
    buf = bytearray(n)
    r = p.sys(f"extattr_list_{via}", _target(p, via, target), ns, Out(buf), n)[0]
    return (r, bytes(buf[:r]))


_XPREFIX = {"file": "", "link": "l", "fd": "f"}


def c_getxattr(p: Proc, target: Any, name: str, n: int, via: str = "file") -> tuple:
    buf = bytearray(n)
    r = p.sys(f"{_XPREFIX[via]}getxattr", _target(p, via, target), cpath(name), Out(buf), n)[0]
    return (r, bytes(buf[:r]))


def c_setxattr(p: Proc, target: Any, name: str, data: bytes, flags: int,
               via: str = "file") -> int:
    return p.sys(f"{_XPREFIX[via]}setxattr", _target(p, via, target), cpath(name), data,
                 len(data), flags)[0]


def c_listxattr(p: Proc, target: Any, n: int, via: str = "file") -> tuple:
    buf = bytearray(n)
    r = p.sys(f"{_XPREFIX[via]}listxattr", _target(p, via, target), Out(buf), n)[0]
    return (r, bytes(buf[:r]))


def c_removexattr(p: Proc, target: Any, name: str, via: str = "file") -> int:
    return p.sys(f"{_XPREFIX[via]}removexattr", _target(p, via, target), cpath(name))[0]


def c_mknodat(p: Proc, d: Any, path: str, mode: int, dev: int) -> int:
    return p.sys("mknodat", _dirfd(p, d), cpath(path), mode, 0, dev)[0]


CALLS: CallTable = dict(COMMON)
CALLS.update({
    "open": c_open, "openat": c_openat,
    "link": _p2("link"), "rename": _p2("rename"), "posix_rename": _p2("__posix_rename"),
    "symlink": _p2("symlink"), "linkat": c_linkat, "renameat": c_renameat,
    "symlinkat": c_symlinkat,
    "unlink": _p1("unlink"), "rmdir": _p1("rmdir"), "chdir": _p1("chdir"),
    "chroot": _p1("chroot"), "revoke": _p1("revoke"),
    "mkdir": _p1("mkdir"), "mkfifo": _p1("mkfifo"), "chmod": _p1("chmod"),
    "lchmod": _p1("lchmod"), "chown": _p1("chown"), "lchown": _p1("lchown"),
    "posix_chown": _p1("__posix_chown"), "posix_lchown": _p1("__posix_lchown"),
    "access": _p1("access"), "chflags": _p1("chflags"), "lchflags": _p1("lchflags"),
    "pathconf": _p1("pathconf"),
    "unlinkat": _at1("unlinkat"), "mkdirat": _at1("mkdirat"), "mkfifoat": _at1("mkfifoat"),
    "faccessat": _at1("faccessat"), "fchmodat": _at1("fchmodat"),
    "fchownat": _at1("fchownat"),
    "fchdir": _f1("fchdir"), "fchroot": _f1("fchroot"), "fchmod": _f1("fchmod"),
    "fchown": _f1("fchown"), "posix_fchown": _f1("__posix_fchown"),
    "fchflags": _f1("fchflags"), "fsync": _f1("fsync"), "fdatasync": _f1("fdatasync"),
    "flock": _f1("flock"), "fpathconf": _f1("fpathconf"),
    "sync": lambda p: p.sys("sync")[0],
    "mknod": c_mknod, "readlink": c_readlink, "readlinkat": c_readlinkat,
    "stat": c_stat, "lstat": c_lstat, "fstatat": c_fstatat,
    "truncate": c_truncate, "ftruncate": c_ftruncate,
    "utimes": c_utimes, "lutimes": c_lutimes, "futimes": c_futimes,
    "utimensat": c_utimensat, "futimens": c_futimens,
    "getdents": c_getdents, "getcwd": c_getcwd, "statvfs": c_statvfs,
    "fstatvfs": c_fstatvfs, "pread": c_pread, "pwrite": c_pwrite,
    "readv": c_readv, "writev": c_writev, "fsync_range": c_fsync_range,
    "fallocate": c_fallocate, "fdiscard": c_fdiscard, "fadvise": c_fadvise,
    "extattr_get": c_extattr_get, "extattr_set": c_extattr_set,
    "extattr_list": c_extattr_list, "extattr_delete": c_extattr_delete,
    "getxattr": c_getxattr, "setxattr": c_setxattr, "mknodat": c_mknodat,
    "listxattr": c_listxattr, "removexattr": c_removexattr,
})

# ---- the generator ---------------------------------------------------------------

NAMES = ["a", "b", "c", "d", "e", "d/a", "d/d", "e/b", "d/d/c"]
SYMLINKS = ["l1", "l2", "ls", "ld", "lf", "d/l"]
FIFO_NAMES = ["p1", "p2", "d/p3"]    # FIFOs and odd device nodes: never opened
LONG = ["N" * 255, "N" * 256, "N" * 511, "N" * 512, "d/" + "M" * 255,
        "./" * 511 + "a", "./" * 511 + "ab", "d/" * 400 + "a"]
EDGE = [".", "..", "", "/", "a/", "d/", "d/.", "d/..", "./a", "d//a", "a/x", "nx",
        "nx/a", "l1/x", "ld/", "lf/", "ls/", "/d", "../d", "../../a", "d/../a", "..."]
# Edge paths no call can create anything at (for FIFOs, which must never be opened).
NO_CREATE = [".", "..", "", "/", "d/.", "d/..", "a/x", "nx/a", "N" * 512]
LINK_TARGETS = ["a", "d", "l2", "l1", "ls", "nx", "d/", "/", "..", "", "d/a", "a/",
                "/d/d", "T" * 1023, "T" * 1024]
OPEN_BITS = [F.O_NONBLOCK, F.O_APPEND, F.O_SHLOCK, F.O_EXLOCK, F.O_ASYNC, F.O_SYNC,
             F.O_NOFOLLOW, F.O_CREAT, F.O_TRUNC, F.O_EXCL, F.O_NOCTTY, F.O_DSYNC,
             F.O_RSYNC, F.O_ALT_IO, F.O_DIRECT, F.O_DIRECTORY, F.O_CLOEXEC, F.O_SEARCH,
             F.O_NOSIGPIPE, 0x40000000]
MODES = [0o644, 0o755, 0o777, 0o600, 0o000, 0o4755, 0o2755, 0o1777, 0o7777, 0o2775,
         0o3777, 0o170644, 0o444, 0o200, 0o100]
UIDS = [0, 1000, 1001]
GIDS = [0, 100, 101]
FLAGS_CHFLAGS = [0, S.UF_NODUMP, S.UF_IMMUTABLE, S.UF_APPEND, S.SF_IMMUTABLE,
                 S.SF_APPEND, S.SF_ARCHIVED, S.UF_OPAQUE, 0xFFFFFFFF]
# Lengths and write offsets stay below 64 MiB: NetBSD's tmpfs mounted without a size
# limit is bounded by the host's memory (ENOSPC past it), which no other machine shares.
LENGTHS = [0, 1, 3, 100, 4096, 5000, 1 << 20, -1, -4096, -(1 << 63)]
WOFFSETS = [0, 1, 2, 10, 100, 4096, 1 << 25, -1, -2, -(1 << 63)]
OFFSETS = WOFFSETS + [1 << 31, 1 << 62, (1 << 63) - 1]   # (pread and fadvise only)
SIZES = [0, 1, 7, 16, 64, 512, 4096, 70000]
TIMES_TV = [None, ((0, 0), (0, 0)), ((-1, 0), (-100, 5)), ((1_000_000_000, 999_999),
            (1_000_000_000, 1_000_000)), ((1 << 40, 0), (7, 1)), ((5, -1), (5, 0)),
            ((123456789, 500000), (987654321, 1))]
TIMES_TS = [None, ((0, 0), (0, 0)), ((-1, 0), (-100, 5)), ((100, S.UTIME_NOW),
            (200, S.UTIME_OMIT)), ((100, S.UTIME_OMIT), (200, S.UTIME_OMIT)),
            ((1, 1_000_000_000), (1, 0)), ((1, -1), (1, 0)), ((123456789, 5), (987654321, 7))]
FCNTL_CMDS = [F.F_GETFL, F.F_GETFD, F.F_GETNOSIGPIPE, F.F_MAXFD, 99, -1]
WHENCES = [F.SEEK_SET, F.SEEK_CUR, F.SEEK_END, 3, -1]
SLOTS = [f"#{i}" for i in range(8)]
AT_FLAGS = [0, F.AT_SYMLINK_NOFOLLOW, F.AT_SYMLINK_FOLLOW, F.AT_REMOVEDIR, F.AT_EACCESS,
            0x1]


class Gen:
    """The generator's state: which processes exist, the next slot and process numbers."""

    def __init__(self, seed: int, max_procs: int = 4) -> None:
        self.r = random.Random(f"fs:{seed}")
        # Choices added later come from their own stream, so the sequences of the main
        # stream (and with them the known table's seeds) stay as they were.
        self.r2 = random.Random(f"fs2:{seed}")
        self.procs = [0]
        self.max_procs = max_procs
        self.ops: list[Op] = []

    def path(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.72:
            return r.choice(NAMES + SYMLINKS)
        if x < 0.92:
            return r.choice(EDGE)
        if x < 0.96:
            return r.choice(NAMES) + "/"
        return r.choice(LONG)

    def fifo_or_path(self) -> str:
        return self.r.choice(FIFO_NAMES) if self.r.random() < 0.3 else self.path()

    def fd(self) -> Any:
        r = self.r
        x = r.random()
        if x < 0.9:
            return r.choice(SLOTS[:5] if x < 0.7 else SLOTS)
        return r.choice([-1, 0, 3, 63, 1 << 20, -100, 0x7FFFFFFF])

    def dirfd(self) -> Any:
        return "cwd" if self.r.random() < 0.6 else self.fd()

    def slot(self) -> str:
        return self.r.choice(SLOTS)

    def open_flags(self) -> int:
        r = self.r
        flags = r.choice([F.O_RDONLY, F.O_WRONLY, F.O_RDWR, F.O_RDWR, 3])
        for bit in OPEN_BITS:
            if r.random() < (0.35 if bit == F.O_CREAT else 0.08):
                flags |= bit
        if flags & (F.O_SHLOCK | F.O_EXLOCK):
            flags |= F.O_NONBLOCK   # a lock held elsewhere must not block the call
        return flags

    def data(self) -> int:
        return self.r.choice([0, 1, 10, 600, 5000])   # common.payload(n)

    def op(self) -> Op | None:
        r = self.r
        p = r.choice(self.procs)
        if len(self.procs) < self.max_procs and r.random() < 0.04:
            child = len(self.procs)
            self.procs.append(child)
            self.ops.append((p, "fork", (), (child,)))
            groups = tuple(sorted(r.sample([0, 100, 101, 102], r.randrange(4))))
            cred = (groups, r.choice(GIDS), r.choice(UIDS),
                    r.choice([0o022, 0, 0o077, 0o027, 0o777]))
            ids = self.r2.choice(["setuid"] * 4 + ["seteuid", "setreuid"])
            return (child, "setcred", cred + ((ids,) if ids != "setuid" else ()))
        kind = r.choices(
            ["open", "openat", "close", "read", "write", "mkdir", "rmdir", "unlink",
             "rename", "link", "symlink", "readlink", "stat", "lstat", "fstat",
             "chmod", "chown", "truncate", "ftruncate", "lseek", "getdents", "access",
             "utimes", "dup", "fcntl", "fifo", "chdir", "at", "misc", "rw2"],
            [10, 4, 5, 5, 5, 6, 4, 5, 5, 4, 4, 2, 6, 3, 4, 4, 3, 3, 3, 3, 4, 2, 3, 2, 3, 2,
             1, 6, 4, 4])[0]
        path = self.path
        if kind == "open":
            return (p, "open", (path(), self.open_flags(), r.choice(MODES)), (self.slot(),))
        if kind == "openat":
            return (p, "openat", (self.dirfd(), path(), self.open_flags(), r.choice(MODES)),
                    (self.slot(),))
        if kind == "close":
            return (p, "close", (self.fd(),))
        if kind == "read":
            n = r.choice(SIZES)
            if r.random() < 0.05:
                return (p, "read", (self.fd(), r.choice([-1, 1 << 63]), 16))
            return (p, "read", (self.fd(), n))
        if kind == "write":
            if r.random() < 0.05:
                return (p, "write", (self.fd(), b"x" * 16, r.choice([-1, 1 << 63])))
            return (p, "write", (self.fd(), self.data()))
        if kind == "rw2":
            c = r.randrange(6)
            if c == 0:
                return (p, "pread", (self.fd(), r.choice(SIZES), r.choice(OFFSETS)))
            if c == 1:
                return (p, "pwrite", (self.fd(), self.data(), r.choice(WOFFSETS)))
            if c == 2:
                return (p, "readv", (self.fd(), tuple(r.choice(SIZES[:6])
                                                    for _ in range(r.randrange(4)))))
            if c == 3:
                return (p, "writev", (self.fd(), tuple(self.data()
                                                     for _ in range(r.randrange(4)))))
            if c == 4:
                return (p, "readv", (self.fd(), (r.choice(SIZES), 3), r.choice(OFFSETS)))
            return (p, "writev", (self.fd(), (self.data(),), r.choice(WOFFSETS)))
        if kind == "mkdir":
            return (p, "mkdir", (path(), r.choice(MODES)))
        if kind == "rmdir":
            return (p, "rmdir", (path(),))
        if kind == "unlink":
            return (p, "unlink", (self.fifo_or_path(),))
        if kind in ("rename", "link"):
            if r.random() < 0.15:   # FIFOs move only among FIFO names (never opened)
                a, b = r.choice(FIFO_NAMES), r.choice(FIFO_NAMES)
            else:
                a, b = path(), path()
            call = kind if kind == "link" or r.random() < 0.8 else "posix_rename"
            return (p, call, (a, b))
        if kind == "symlink":
            return (p, "symlink", (r.choice(LINK_TARGETS), r.choice(SYMLINKS + [path()])))
        if kind == "readlink":
            return (p, "readlink", (r.choice(SYMLINKS + [path()]), r.choice([1, 2, 64, 1024, 0])))
        if kind == "stat":
            return (p, "stat", (self.fifo_or_path(),))
        if kind == "lstat":
            return (p, "lstat", (self.fifo_or_path(),))
        if kind == "fstat":
            return (p, "fstat", (self.fd(),))
        if kind == "chmod":
            call = r.choice(["chmod", "chmod", "lchmod", "fchmod"])
            target = self.fd() if call == "fchmod" else self.fifo_or_path()
            return (p, call, (target, r.choice(MODES)))
        if kind == "chown":
            call = r.choice(["chown", "lchown", "fchown", "posix_chown", "posix_lchown",
                             "posix_fchown"])
            target = self.fd() if "fchown" in call else self.fifo_or_path()
            return (p, call, (target, r.choice(UIDS + [-1]), r.choice(GIDS + [-1])))
        if kind == "truncate":
            return (p, "truncate", (path(), r.choice(LENGTHS)))
        if kind == "ftruncate":
            return (p, "ftruncate", (self.fd(), r.choice(LENGTHS)))
        if kind == "lseek":
            return (p, "lseek", (self.fd(), r.choice(WOFFSETS), r.choice(WHENCES)))
        if kind == "getdents":
            if r.random() < 0.3:   # a fresh directory descriptor, then read it
                s = self.slot()
                self.ops.append((p, "open", (r.choice([".", "d", "e", "..", "ld"]),
                                             F.O_RDONLY | F.O_DIRECTORY, 0), (s,)))
                return (p, "getdents", (s, r.choice([4096, 512, 64, 16, 0])))
            return (p, "getdents", (self.fd(), r.choice([4096, 512, 64, 16, 0])))
        if kind == "access":
            return (p, "access", (self.fifo_or_path(), r.choice([0, 1, 2, 4, 7, 8, -1])))
        if kind == "utimes":
            c = r.randrange(5)
            if c == 0:
                return (p, "utimes", (self.fifo_or_path(), r.choice(TIMES_TV)))
            if c == 1:
                return (p, "lutimes", (path(), r.choice(TIMES_TV)))
            if c == 2:
                return (p, "futimes", (self.fd(), r.choice(TIMES_TV)))
            if c == 3:
                return (p, "utimensat", (self.dirfd(), path(), r.choice(TIMES_TS),
                                         r.choice([0, F.AT_SYMLINK_NOFOLLOW, 0x4])))
            return (p, "futimens", (self.fd(), r.choice(TIMES_TS)))
        if kind == "dup":
            c = r.randrange(3)
            if c == 0:
                return (p, "dup", (self.fd(),), (self.slot(),))
            if c == 1:
                s = self.slot()
                return (p, "dup2", (self.fd(), s), (s,))
            s = self.slot()
            return (p, "dup3", (self.fd(), s, r.choice([0, F.O_CLOEXEC, F.O_NONBLOCK])), (s,))
        if kind == "fcntl":
            c = r.randrange(6)
            if c == 0:
                return (p, "fcntl", (self.fd(), F.F_SETFL, r.choice(
                    [0, F.O_NONBLOCK, F.O_APPEND, F.O_ASYNC, F.O_RDWR | F.O_APPEND,
                     F.O_NOSIGPIPE, F.O_DIRECT, -1])))
            if c == 1:
                return (p, "fcntl", (self.fd(), F.F_SETFD, r.choice([0, 1, 3, -1])))
            if c == 2:
                return (p, "fcntl", (self.fd(), r.choice([F.F_DUPFD, F.F_DUPFD_CLOEXEC]),
                                     r.choice([0, 5, 10, 1 << 20, -1])), (self.slot(),))
            if c == 3:
                return (p, "fcntl_lk", (self.fd(), r.choice([F.F_GETLK, F.F_SETLK]),
                                        r.choice([F.F_RDLCK, F.F_WRLCK, F.F_UNLCK, 7]),
                                        r.choice([0, 1, 2, 5]), r.choice([0, 10, -1]),
                                        r.choice([0, 5, -5])))
            if c == 4:
                how = r.choice([F.LOCK_SH, F.LOCK_EX, F.LOCK_UN, 0, 3])
                if how & (F.LOCK_SH | F.LOCK_EX):
                    how |= F.LOCK_NB   # a lock held elsewhere must not block the call
                return (p, "flock", (self.fd(), how))
            return (p, "fcntl", (self.fd(), r.choice(FCNTL_CMDS), 0))
        if kind == "fifo":
            c = r.randrange(3)
            if c == 0:
                return (p, "mkfifo", (r.choice(FIFO_NAMES) if r.random() < 0.9
                                      else r.choice(NO_CREATE), r.choice(MODES)))
            if c == 1:   # device nodes: /dev/null's number anywhere, others never opened
                if r.random() < 0.5:
                    if self.r2.random() < 0.3:
                        return (p, "mknodat", (self.r2.choice(["cwd", "#0", "#1", 1 << 20]),
                                               r.choice(NAMES[:3]), S.S_IFCHR | 0o666, 0x202))
                    return (p, "mknod", (r.choice(NAMES[:3]), S.S_IFCHR | 0o666, 0x202))
                return (p, "mknod", (r.choice(FIFO_NAMES), r.choice(
                    [S.S_IFIFO | 0o644, S.S_IFBLK | 0o600, S.S_IFCHR | 0o600,
                     S.S_IFREG | 0o644, S.S_IFDIR | 0o755, S.S_IFSOCK | 0o644, 0o644,
                     S.S_IFWHT, S.S_IFLNK | 0o777]), r.choice([0, 0x202, 0xFFF00])))
            return (p, "mkfifoat", (self.dirfd(), r.choice(FIFO_NAMES), r.choice(MODES)))
        if kind == "chdir":
            c = r.randrange(4)
            if c == 0:
                return (p, "chdir", (path(),))
            if c == 1:
                return (p, "fchdir", (self.fd(),))
            if c == 2:
                return (p, "getcwd", (r.choice([0, 1, 2, 3, 64, 1024]),))
            if r.random() < 0.5:
                return (p, "chroot", (path(),))
            return (p, "fchroot", (self.fd(),))
        if kind == "at":
            c = r.randrange(10)
            d = self.dirfd()
            flag = r.choice(AT_FLAGS)
            if c == 0:
                return (p, "unlinkat", (d, path(), r.choice([0, F.AT_REMOVEDIR, 0x1])))
            if c == 1:
                return (p, "mkdirat", (d, path(), r.choice(MODES)))
            if c == 2:
                return (p, "linkat", (d, path(), self.dirfd(), path(), flag))
            if c == 3:
                return (p, "renameat", (d, path(), self.dirfd(), path()))
            if c == 4:
                return (p, "symlinkat", (r.choice(LINK_TARGETS), d, path()))
            if c == 5:
                return (p, "readlinkat", (d, path(), r.choice([1, 64, 1024])))
            if c == 6:
                return (p, "fstatat", (d, path(), flag))
            if c == 7:
                return (p, "faccessat", (d, path(), r.choice([0, 1, 2, 4, 8]), flag))
            if c == 8:
                return (p, "fchmodat", (d, path(), r.choice(MODES), flag))
            return (p, "fchownat", (d, path(), r.choice(UIDS + [-1]), r.choice(GIDS + [-1]),
                                    flag))
        # misc
        c = r.randrange(16)
        if c == 0:
            return (p, r.choice(["chflags", "lchflags"]), (path(), r.choice(FLAGS_CHFLAGS)))
        if c == 1:
            return (p, "fchflags", (self.fd(), r.choice(FLAGS_CHFLAGS)))
        if c == 2:
            return (p, "pathconf", (path(), r.randrange(0, 16)))
        if c == 3:
            return (p, "fpathconf", (self.fd(), r.randrange(0, 16)))
        if c == 4:
            return (p, r.choice(["fsync", "fdatasync"]), (self.fd(),))
        if c == 5:
            return (p, "fsync_range", (self.fd(), r.choice([0, 1, 2, 4, 0x20]),
                                       r.choice(OFFSETS[:4] + [-1]), r.choice(LENGTHS[:5])))
        if c == 6:
            return (p, r.choice(["fallocate", "fdiscard"]), (self.fd(), r.choice(WOFFSETS),
                                                            r.choice(LENGTHS)))
        if c == 7:
            return (p, "fadvise", (self.fd(), r.choice(OFFSETS), r.choice(LENGTHS),
                                   r.choice([0, 1, 2, 3, 4, 5, 6, -1])))
        if c == 8:
            return (p, r.choice(["statvfs"]), (path(), r.choice([1, 2, 0])))
        if c == 9:
            return (p, "fstatvfs", (self.fd(), r.choice([1, 2])))
        if c == 10:
            return (p, "umask", (r.choice([0o022, 0, 0o777, 0o7777, 0o077]),))
        if c == 11:
            return (p, "ioctl_int", (self.fd(), r.choice([I.FIONREAD, I.FIONBIO, I.FIOASYNC,
                                                          I.FIOCLEX, I.FIONCLEX, I.FIOGETOWN]),
                                     r.choice([0, 1])))
        if c == 12:
            return (p, "revoke", (path(),))
        if c == 13:
            return (p, "sync", ())
        if c == 14:   # extended attributes: by path, by link (l*), by descriptor (f*)
            x = r.randrange(4)
            xtarget: Any = path()
            r2 = self.r2
            via = r2.choice(["file", "file", "link", "fd"])
            if via == "fd":
                xtarget = r2.choice(SLOTS[:5])
            if x == 0:
                return (p, "extattr_get", (xtarget, r.choice([1, 2, 0]), "user.x",
                                           r.choice([0, 16]), via))
            if x == 1:
                if r2.random() < 0.3:
                    return (p, "extattr_delete", (xtarget, r.choice([1, 2]), "x", via))
                return (p, "extattr_set", (xtarget, r.choice([1, 2]), "x", b"val", via))
            if x == 2:
                return (p, "extattr_list", (xtarget, 1, r.choice([0, 64]), via))
            return _xattr(p, r, xtarget, via)
        return (p, "fcntl", (self.fd(), r.choice(FCNTL_CMDS), 0))


def _xattr(p: int, r: random.Random, target: Any, via: str) -> Op:
    call = r.choice(["getxattr", "listxattr", "removexattr", "setxattr"])
    if call == "getxattr":
        return (p, call, (target, "user.x", r.choice([0, 16]), via))
    if call == "listxattr":
        return (p, call, (target, r.choice([0, 64]), via))
    if call == "removexattr":
        return (p, call, (target, "user.x", via))
    return (p, call, (target, "user.x", b"v", r.choice([0, 1, 2]), via))


def generate(seed: int, calls: int = 200) -> list[Op]:
    """The op list of one seed: ``calls`` calls (forks and credential changes included)."""
    g = Gen(seed)
    while len(g.ops) < calls:
        op = g.op()
        if op is not None:
            g.ops.append(op)
    return g.ops[:calls]
