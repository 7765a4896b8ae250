"""Calls both families share, and the normalisation of what a call returns.

A call implementation takes the process (runner.Proc) and the op's arguments,
makes the raw system call with sysproxy's ABI codecs and returns a plain,
comparable value; a failure is the KernelError the client raises. Lengths are
never larger than the buffer passed unless they exceed SSIZE_MAX (refused
before any copy): a copy outside the buffer is refused by our client, which
NetBSD's server answers by hanging the call (README "Where we differ").
"""
from __future__ import annotations

import struct
import time
from typing import Any, Callable

from sysproxy.abi import fcntl as F
from sysproxy.abi import stat as S
from sysproxy.client.errors import ConnectionLost, KernelError
from sysproxy.client.memory import Out

from .runner import Proc, errname

U64 = (1 << 64) - 1
CallTable = dict[str, Callable[..., Any]]

#: A time at least this old (ns) was set explicitly (utimes & co.) and is compared;
#: a newer one came from the server's clock and is not (see IGNORED below).
_CLOCK_WINDOW_NS = 86400 * 10**9

# ---- THE IGNORE LIST: what is never compared, and why ------------------------
#  st_dev, st_ino, d_fileno: numbers each kernel allocates its own way.
#  st_gen: tmpfs generation numbers are random.
#  st_atime/st_mtime/st_ctime/st_birthtime set from the clock (within a day of
#    now): the servers run at different instants. Times set explicitly
#    (utimes(2) & co., far from now) are compared exactly.
#  st_ctime and st_birthtime are never set explicitly, so they are never compared.
#  pids returned by fork/getpid: process numbering is not part of the contract.
#  statvfs free/used counts and fsid: the two tmpfs account memory differently.
IGNORED = ("st_dev", "st_ino", "d_fileno", "st_gen", "clock times", "st_ctime",
           "st_birthtime", "pids", "statvfs counts")


def _time(ns: int, now: int) -> int | str:
    return "now" if abs(ns - now) < _CLOCK_WINDOW_NS else ns


def norm_stat(raw: bytes | bytearray) -> tuple:
    """A struct stat without the ignored fields: ((field, value), ...)."""
    st = S.unpack_stat(bytes(raw))
    now = time.time_ns()
    return (("mode", oct(st.mode)), ("nlink", st.nlink), ("uid", st.uid), ("gid", st.gid),
            ("rdev", st.rdev), ("size", st.size), ("blocks", st.blocks),
            ("blksize", st.blksize), ("flags", st.flags),
            ("atime", _time(st.atime_ns, now)), ("mtime", _time(st.mtime_ns, now)))


def norm_dirents(buf: bytes | bytearray, n: int) -> tuple:
    return tuple((name.decode("latin-1"), dtype)
                 for _ino, name, dtype in S.unpack_dirents(bytes(buf[:n])))


def u64(v: int) -> int:
    """A 64-bit argument (off_t, size_t): negative values become two's complement."""
    return v & U64


def payload(spec: bytes | int) -> bytes:
    """Data to write: bytes as they are, or an int n: n bytes of a fixed pattern
    (so printed sequences stay short)."""
    if isinstance(spec, int):
        return bytes((i * 7 + spec) & 0xFF for i in range(spec))
    return bytes(spec)


def cpath(p: str) -> bytes:
    return p.encode("latin-1") + b"\0"


# ---- calls both families use ---------------------------------------------------

def _copy_kind(p: Proc, old: int, new: int) -> None:
    """``new`` now refers to what ``old`` does (dup & co.): carry its kind."""
    if old in p.kinds:
        p.kinds[new] = p.kinds[old]
    else:
        p.kinds.pop(new, None)


def c_close(p: Proc, fd: Any) -> int:
    n = p.fd(fd)
    p.kinds.pop(n, None)
    return p.sys("close", n)[0]


def c_dup(p: Proc, fd: Any) -> int:
    r = p.sys("dup", p.fd(fd))[0]
    _copy_kind(p, p.fd(fd), r)
    return r


def c_dup2(p: Proc, fd: Any, to: Any) -> int:
    r = p.sys("dup2", p.fd(fd), p.fd(to))[0]
    _copy_kind(p, p.fd(fd), p.fd(to))
    return r


def c_dup3(p: Proc, fd: Any, to: Any, flags: int) -> int:
    r = p.sys("dup3", p.fd(fd), p.fd(to), flags)[0]
    _copy_kind(p, p.fd(fd), p.fd(to))
    return r


def c_read(p: Proc, fd: Any, n: int, buflen: int | None = None) -> tuple:
    buf = bytearray(n if buflen is None else buflen)
    r = p.sys("read", p.fd(fd), Out(buf), u64(n))[0]
    return (r, bytes(buf[:r]))


def c_write(p: Proc, fd: Any, data: bytes | int, n: int | None = None) -> int:
    raw = payload(data)
    return p.sys("write", p.fd(fd), raw, u64(len(raw) if n is None else n))[0]


def c_fcntl(p: Proc, fd: Any, cmd: int, arg: int = 0) -> int:
    n = p.fd(fd)
    if cmd == F.F_CLOSEM:
        for k in [k for k in p.kinds if k >= n]:
            del p.kinds[k]
    r = p.sys("fcntl", n, cmd, arg)[0]
    if cmd in (F.F_DUPFD, F.F_DUPFD_CLOEXEC):
        _copy_kind(p, n, r)
    return r


def c_fcntl_lk(p: Proc, fd: Any, cmd: int, typ: int, whence: int, start: int,
               length: int) -> tuple:
    buf = bytearray(F.FLOCK.pack(start, length, 0, typ, whence))
    r = p.sys("fcntl", p.fd(fd), cmd, buf)[0]   # read and written
    st, ln, _pid, ty, wh = F.FLOCK.unpack(buf)
    return (r, st, ln, ty, wh)   # (l_pid is a pid: ignored)


def c_fstat(p: Proc, fd: Any) -> tuple:
    buf = bytearray(S.STAT_SIZE)
    p.sys("__fstat50", p.fd(fd), Out(buf))
    return norm_stat(buf)


def c_lseek(p: Proc, fd: Any, off: int, whence: int) -> int:
    r = p.sys("lseek", p.fd(fd), 0, u64(off), whence)[0]
    return r - (1 << 64) if r >= 1 << 63 else r


def c_ioctl_int(p: Proc, fd: Any, cmd: int, value: int = 0) -> tuple:
    buf = bytearray(struct.pack("<i", value))
    r = p.sys("ioctl", p.fd(fd), cmd, buf)[0]   # read and written
    return (r, struct.unpack("<i", buf)[0])


def c_umask(p: Proc, mask: int) -> int:
    return p.sys("umask", mask)[0]


def c_setcred(p: Proc, groups: tuple, gid: int, uid: int, mask: int,
              how: str = "setuid") -> tuple:
    """A forked process takes its credentials: setgroups, then the gid and the uid
    (``how``: setgid+setuid, setegid+seteuid (real ids stay 0), or setregid+setreuid
    with the real ids kept), then umask; each call's result, in order."""
    out: list[Any] = []
    gbuf = struct.pack(f"<{len(groups)}I", *groups)
    ids: dict[str, tuple[tuple[str, tuple], ...]] = {
        "setuid": (("setgid", (gid,)), ("setuid", (uid,))),
        "seteuid": (("setegid", (gid,)), ("seteuid", (uid,))),
        "setreuid": (("setregid", (-1, gid)), ("setreuid", (-1, uid))),
    }
    for name, args in (("setgroups", (len(groups), gbuf)), *ids[how], ("umask", (mask,))):
        try:
            out.append(p.sys(name, *args)[0])
        except ConnectionLost:
            if not p.conn.alive:
                raise
            out.append("ENOTCONN")
        except KernelError as e:
            out.append(errname(e.netbsd_errno))
    return tuple(out)


COMMON: CallTable = {
    "close": c_close, "dup": c_dup, "dup2": c_dup2, "dup3": c_dup3, "read": c_read,
    "write": c_write, "fcntl": c_fcntl, "fcntl_lk": c_fcntl_lk, "fstat": c_fstat,
    "lseek": c_lseek, "ioctl_int": c_ioctl_int, "umask": c_umask, "setcred": c_setcred,
}
