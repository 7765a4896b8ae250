"""File and descriptor calls with the signatures of Python's :mod:`os`.

Paths are str or bytes (or os.PathLike); flags are the host's ``os.O_*``,
translated to NetBSD's; results are ``os.stat_result`` objects; failures raise
:class:`KernelError` subclasses (FileNotFoundError, ...) carrying the path.
"""
from __future__ import annotations

import math
import os
import struct
import sys
from typing import TYPE_CHECKING

from sysproxy.abi import fcntl as nbfcntl
from sysproxy.abi import stat as nbstat

from .errors import KernelError
from .memory import Out
from .syscalls import SYS, open_flags_from_netbsd, open_flags_to_netbsd

if TYPE_CHECKING:
    from .connection import Slot

_U64 = (1 << 64) - 1
_NS = 1_000_000_000
_TIMESPEC2 = struct.Struct("<qqqq")
AT_FDCWD = nbfcntl.AT_FDCWD
_FSENC, _FSERR = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
_STAT_SIZE = nbstat.STAT_SIZE
_SYS_STAT, _SYS_LSTAT = SYS.stat, SYS.lstat


def _path(p) -> str | bytes:
    p = os.fspath(p)
    if isinstance(p, str) and "\0" in p or isinstance(p, bytes) and b"\0" in p:
        raise ValueError("embedded null byte")
    return p


def _cpath(p) -> bytes:
    """A path as the NUL-terminated bytes the kernel copies in."""
    return os.fsencode(_path(p)) + b"\0"


def _float_ns(t: float) -> int:
    """Seconds (int or float) -> ns, rounding down as os.utime does."""
    if isinstance(t, int):
        return t * _NS
    frac, whole = math.modf(float(t))
    n = math.floor(frac * 1e9)
    return int(whole) * _NS + n


def _s64(v: int) -> int:
    v &= _U64
    return v - (1 << 64) if v >> 63 else v


_STAT = nbstat.STAT
_stat_result = os.stat_result


def _positional_stat_result() -> bool:
    """Whether this host's os.stat_result takes every field we fill by position
    (CPython on Linux: the 10 sequence fields, float times, ns times, blksize,
    blocks, rdev and nothing else). Elsewhere (st_flags, st_birthtime...) the
    keyword form is used."""
    probe = _stat_result(tuple(range(_stat_result.n_fields)))
    names = ("st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns",
             "st_ctime_ns", "st_blksize", "st_blocks", "st_rdev")
    return _stat_result.n_fields == 19 and all(
        getattr(probe, name, None) == i for i, name in enumerate(names, 10))


_POSITIONAL = _positional_stat_result()


def stat_result(raw: bytes | bytearray) -> os.stat_result:
    """An os.stat_result from a NetBSD struct stat (S_IF* and permission bits agree)."""
    (dev, mode, ino, nlink, uid, gid, rdev, a_s, a_n, m_s, m_n, c_s, c_n, b_s, b_n,
     size, blocks, blksize, flags, gen) = _STAT.unpack_from(raw)
    a_ns, m_ns, c_ns = a_s * _NS + a_n, m_s * _NS + m_n, c_s * _NS + c_n
    if _POSITIONAL:  # (every stat comes here: the one-tuple form is the cheapest)
        return _stat_result((mode, ino, dev, nlink, uid, gid, size, a_s, m_s, c_s,
                             a_ns / _NS, m_ns / _NS, c_ns / _NS, a_ns, m_ns, c_ns,
                             blksize, blocks, rdev))
    return _stat_result(
        (mode, ino, dev, nlink, uid, gid, size, a_s, m_s, c_s),
        {"st_atime": a_ns / _NS, "st_mtime": m_ns / _NS, "st_ctime": c_ns / _NS,
         "st_atime_ns": a_ns, "st_mtime_ns": m_ns, "st_ctime_ns": c_ns,
         "st_blksize": blksize, "st_blocks": blocks, "st_rdev": rdev,
         "st_flags": flags, "st_gen": gen, "st_birthtime": (b_s * _NS + b_n) / _NS})


def _fail(e: KernelError, *names) -> KernelError:
    """Attach the path(s) a failed call was about, as os does."""
    if names:
        e.filename = names[0]
        if len(names) > 1:
            e.filename2 = names[1]
    return e


class FileOps:
    """Descriptors, reads and writes, stat, and path-name calls."""

    if TYPE_CHECKING:  # what this mixin uses of Client (Kernel's other base)
        def syscall(self, number: int, *args: Slot) -> tuple[int, int]: ...
        def path_out_call(self, number: int, path: bytes, out: bytearray) -> int: ...

    # ----- descriptors ------------------------------------------------------

    def _close_later(self, fd: int) -> None:
        """Close ``fd`` at the next open/scandir (for finalizers, which must not call)."""
        gen = getattr(self, "generation", 0)  # a reconnect is a new process: skip then
        self.__dict__.setdefault("_deferred_fds", []).append((gen, fd))

    def _close_deferred(self) -> None:
        pending = self.__dict__.get("_deferred_fds")
        while pending:
            gen, fd = pending.pop()
            if gen != getattr(self, "generation", 0):
                continue
            try:
                self.close(fd)
            except OSError:
                pass

    def open(self, path, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        self._close_deferred()
        nbflags = open_flags_to_netbsd(flags)
        if not flags & os.O_CREAT:
            mode = 0  # what C callers send (mode is a vararg only read with O_CREAT)
        try:
            if dir_fd is None:
                return self.syscall(SYS.open, _cpath(path), nbflags, mode)[0]
            return self.syscall(SYS.openat, dir_fd, _cpath(path), nbflags, mode)[0]
        except KernelError as e:
            raise _fail(e, path) from None

    def close(self, fd: int) -> None:
        self.syscall(SYS.close, fd)

    def closerange(self, fd_low: int, fd_high: int) -> None:
        for fd in range(fd_low, fd_high):
            try:
                self.close(fd)
            except OSError:
                pass

    def read(self, fd: int, n: int) -> bytes:
        buf = bytearray(n)
        got = self.syscall(SYS.read, fd, Out(buf), n)[0]
        return bytes(buf) if got == n else bytes(memoryview(buf)[:got])

    def readinto(self, fd: int, buf) -> int:
        """Read straight into a writable buffer (what io's raw files need)."""
        mv = memoryview(buf).cast("B")
        return self.syscall(SYS.read, fd, Out(mv), len(mv))[0]

    def write(self, fd: int, data) -> int:
        if not isinstance(data, bytes):
            data = bytes(data)
        return self.syscall(SYS.write, fd, data, len(data))[0]

    def pread(self, fd: int, n: int, offset: int) -> bytes:
        buf = bytearray(n)
        got = self.syscall(SYS.pread, fd, Out(buf), n, 0, offset & _U64)[0]
        return bytes(memoryview(buf)[:got])

    def pwrite(self, fd: int, data, offset: int) -> int:
        data = bytes(data)
        return self.syscall(SYS.pwrite, fd, data, len(data), 0, offset & _U64)[0]

    def lseek(self, fd: int, pos: int, how: int) -> int:
        return _s64(self.syscall(SYS.lseek, fd, 0, pos & _U64, how)[0])

    def dup(self, fd: int) -> int:
        return self.syscall(SYS.dup, fd)[0]

    def dup2(self, fd: int, fd2: int, inheritable: bool = True) -> int:
        if inheritable:
            self.syscall(SYS.dup2, fd, fd2)
        else:
            self.syscall(SYS.dup3, fd, fd2, nbfcntl.O_CLOEXEC)
        return fd2

    def pipe(self) -> tuple[int, int]:
        return self.syscall(SYS.pipe)

    def pipe2(self, flags: int) -> tuple[int, int]:
        fds = bytearray(8)
        self.syscall(SYS.pipe2, Out(fds), open_flags_to_netbsd(flags))
        r, w = struct.unpack("<ii", fds)
        return r, w

    def fsync(self, fd: int) -> None:
        self.syscall(SYS.fsync, fd)

    def fdatasync(self, fd: int) -> None:
        self.syscall(SYS.fdatasync, fd)

    def ftruncate(self, fd: int, length: int) -> None:
        self.syscall(SYS.ftruncate, fd, 0, length & _U64)

    def fchmod(self, fd: int, mode: int) -> None:
        self.syscall(SYS.fchmod, fd, mode)

    def fchown(self, fd: int, uid: int, gid: int) -> None:
        self.syscall(SYS.fchown, fd, uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)

    def fchdir(self, fd: int) -> None:
        self.syscall(SYS.fchdir, fd)

    def fcntl(self, fd: int, cmd: int, arg: int = 0) -> int:
        """fcntl with NetBSD F_* commands and integer arguments."""
        return self.syscall(SYS.fcntl, fd, cmd, arg)[0]

    def get_blocking(self, fd: int) -> bool:
        return not self.fcntl(fd, nbfcntl.F_GETFL) & nbfcntl.O_NONBLOCK

    def set_blocking(self, fd: int, blocking: bool) -> None:
        fl = self.fcntl(fd, nbfcntl.F_GETFL)
        fl = fl & ~nbfcntl.O_NONBLOCK if blocking else fl | nbfcntl.O_NONBLOCK
        self.fcntl(fd, nbfcntl.F_SETFL, fl)

    def get_inheritable(self, fd: int) -> bool:
        return not self.fcntl(fd, nbfcntl.F_GETFD) & nbfcntl.FD_CLOEXEC

    def set_inheritable(self, fd: int, inheritable: bool) -> None:
        self.fcntl(fd, nbfcntl.F_SETFD, 0 if inheritable else nbfcntl.FD_CLOEXEC)

    def get_flags(self, fd: int) -> int:
        """F_GETFL as host os.O_* flags."""
        return open_flags_from_netbsd(self.fcntl(fd, nbfcntl.F_GETFL))

    # ----- stat -------------------------------------------------------------

    def stat(self, path, *, dir_fd: int | None = None,
             follow_symlinks: bool = True) -> os.stat_result:
        buf = bytearray(_STAT_SIZE)
        if path.__class__ is str and dir_fd is None and "\0" not in path:
            # The common case, short: a str path, no dir_fd (os.fsencode, inlined).
            try:
                self.path_out_call(_SYS_STAT if follow_symlinks else _SYS_LSTAT,
                                   path.encode(_FSENC, _FSERR) + b"\0", buf)
            except KernelError as e:
                raise _fail(e, path) from None
            return stat_result(buf)
        if isinstance(path, int):
            return self._by_fd(self.fstat, path)
        try:
            if dir_fd is not None:
                flag = 0 if follow_symlinks else nbfcntl.AT_SYMLINK_NOFOLLOW
                self.syscall(SYS.fstatat, dir_fd, _cpath(path), Out(buf), flag)
            else:
                self.path_out_call(SYS.stat if follow_symlinks else SYS.lstat,
                                   _cpath(path), buf)
        except KernelError as e:
            raise _fail(e, path) from None
        return stat_result(buf)

    def lstat(self, path, *, dir_fd: int | None = None) -> os.stat_result:
        return self.stat(path, dir_fd=dir_fd, follow_symlinks=False)

    def fstat(self, fd: int) -> os.stat_result:
        buf = bytearray(nbstat.STAT_SIZE)
        self.syscall(SYS.fstat, fd, Out(buf))
        return stat_result(buf)

    # ----- path names -------------------------------------------------------

    @staticmethod
    def _by_fd(fn, fd: int, *rest):
        """A path call given a descriptor: its error names the descriptor, as os's do."""
        try:
            return fn(fd, *rest)
        except KernelError as e:
            raise _fail(e, fd) from None

    def _p1(self, num: int, path, *rest):
        try:
            return self.syscall(num, _cpath(path), *rest)
        except KernelError as e:
            raise _fail(e, path) from None

    def _p2(self, num: int, a, b, *rest):
        try:
            return self.syscall(num, _cpath(a), _cpath(b), *rest)
        except KernelError as e:
            raise _fail(e, a, b) from None

    def mkdir(self, path, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        if dir_fd is None:
            self._p1(SYS.mkdir, path, mode)
        else:
            self.syscall(SYS.mkdirat, dir_fd, _cpath(path), mode)

    def rmdir(self, path, *, dir_fd: int | None = None) -> None:
        if dir_fd is None:
            self._p1(SYS.rmdir, path)
        else:
            self.syscall(SYS.unlinkat, dir_fd, _cpath(path), nbfcntl.AT_REMOVEDIR)

    def unlink(self, path, *, dir_fd: int | None = None) -> None:
        if dir_fd is None:
            self._p1(SYS.unlink, path)
        else:
            self.syscall(SYS.unlinkat, dir_fd, _cpath(path), 0)

    remove = unlink

    def rename(self, src, dst) -> None:
        self._p2(SYS.rename, src, dst)

    replace = rename  # rename(2) replaces an existing target atomically

    def symlink(self, src, dst, target_is_directory: bool = False) -> None:
        self._p2(SYS.symlink, src, dst)

    def link(self, src, dst, *, follow_symlinks: bool = True) -> None:
        """link(2) (which follows a symlink ``src`` on NetBSD); with
        ``follow_symlinks=False`` linkat(2) without AT_SYMLINK_FOLLOW links the symlink."""
        if follow_symlinks:
            self._p2(SYS.link, src, dst)
            return
        try:
            self.syscall(SYS.linkat, AT_FDCWD, _cpath(src), AT_FDCWD, _cpath(dst), 0)
        except KernelError as e:
            raise _fail(e, src, dst) from None

    def readlink(self, path, *, dir_fd: int | None = None) -> str | bytes:
        buf = bytearray(1024)
        n = self._p1(SYS.readlink, path, Out(buf), len(buf))[0]
        out = bytes(buf[:n])
        return out if isinstance(os.fspath(path), bytes) else os.fsdecode(out)

    def chmod(self, path, mode: int, *, follow_symlinks: bool = True) -> None:
        if isinstance(path, int):
            return self._by_fd(self.fchmod, path, mode)
        self._p1(SYS.chmod if follow_symlinks else SYS.lchmod, path, mode)

    def lchmod(self, path, mode: int) -> None:
        self.chmod(path, mode, follow_symlinks=False)

    def chown(self, path, uid: int, gid: int, *, follow_symlinks: bool = True) -> None:
        if isinstance(path, int):
            return self._by_fd(self.fchown, path, uid, gid)
        self._p1(SYS.chown if follow_symlinks else SYS.lchown, path,
                 uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)

    def lchown(self, path, uid: int, gid: int) -> None:
        self.chown(path, uid, gid, follow_symlinks=False)

    def utime(self, path, times: tuple[float, float] | None = None, *,
              ns: tuple[int, int] | None = None, follow_symlinks: bool = True) -> None:
        """Set atime/mtime to the nanosecond (utimensat/futimens); neither: now."""
        if times is not None and ns is not None:
            raise ValueError("utime: you may specify either 'times' or 'ns' but not both")
        if times is not None:
            if not isinstance(times, tuple) or len(times) != 2:
                raise TypeError("utime: 'times' must be either a tuple of two ints or None")
            ns = (_float_ns(times[0]), _float_ns(times[1]))
        elif ns is not None and (not isinstance(ns, tuple) or len(ns) != 2):
            raise TypeError("utime: 'ns' must be a tuple of two ints")
        ts = None
        if ns is not None:
            (a_s, a_n), (m_s, m_n) = divmod(ns[0], _NS), divmod(ns[1], _NS)
            ts = _TIMESPEC2.pack(a_s, a_n, m_s, m_n)
        if isinstance(path, int):
            self._by_fd(lambda fd: self.syscall(SYS.futimens, fd, ts), path)
        else:
            flag = 0 if follow_symlinks else nbfcntl.AT_SYMLINK_NOFOLLOW
            try:
                self.syscall(SYS.utimensat, AT_FDCWD, _cpath(path), ts, flag)
            except KernelError as e:
                raise _fail(e, path) from None

    def truncate(self, path, length: int) -> None:
        if isinstance(path, int):
            return self.ftruncate(path, length)
        self._p1(SYS.truncate, path, 0, length & _U64)

    def access(self, path, mode: int, *, dir_fd: int | None = None,
               effective_ids: bool = False, follow_symlinks: bool = True) -> bool:
        try:
            self._p1(SYS.access, path, mode)
        except OSError:
            return False
        return True

    def mkfifo(self, path, mode: int = 0o666) -> None:
        self._p1(SYS.mkfifo, path, mode)

    def getcwd(self) -> str:
        return os.fsdecode(self.getcwdb())

    def getcwdb(self) -> bytes:
        buf = bytearray(1024)
        n = self.syscall(SYS.getcwd, Out(buf), len(buf))[0]
        return bytes(buf[:max(n - 1, 0)]).split(b"\0", 1)[0]

    def chdir(self, path) -> None:
        if isinstance(path, int):
            return self._by_fd(self.fchdir, path)
        self._p1(SYS.chdir, path)

    def chroot(self, path) -> None:
        self._p1(SYS.chroot, path)

    def umask(self, mask: int) -> int:
        return self.syscall(SYS.umask, mask & 0o7777)[0]

    def sync(self) -> None:
        self.syscall(SYS.sync)
