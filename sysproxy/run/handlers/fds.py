"""Descriptor calls: close, dup*, fcntl, ioctl, lseek, fstat, getdents64, sync,
truncate, chmod/chown by descriptor, mmap of kernel files."""
from __future__ import annotations

import os
import struct

from sysproxy.abi import fcntl as nbf
from sysproxy.abi import ioctl as nbioctl
from sysproxy.abi import stat as nbstat
from sysproxy.client import SYS, InOut, Out

from .. import linux
from ..call import ANSWERED, CONTINUE, Call, Errno, _kclose, handles, i32
from ..supervisor_limits import EXTRA, LOW


@handles("close")
def sys_close(c: Call) -> object:
    fd = i32(c.args[0])
    with c.proc.lock:
        kfd = c.proc.fds.pop(fd, None)
    if kfd is not None:
        _kclose(c, kfd)
    return CONTINUE     # the host closes the placeholder


@handles("close_range")
def sys_close_range(c: Call) -> object:
    lo, hi, flags = c.args[0] & 0xFFFFFFFF, c.args[1] & 0xFFFFFFFF, c.args[2]
    with c.proc.lock:
        hit = [fd for fd in c.proc.fds if lo <= fd <= hi]
        for fd in hit:
            if not flags & 4:   # CLOSE_RANGE_CLOEXEC: the host marks the placeholders
                _kclose(c, c.proc.fds.pop(fd))
    return CONTINUE


def _kdup(c: Call, kfd: int) -> int:
    return c.k.syscall(SYS.dup, kfd)[0]


@handles("dup")
def sys_dup(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    return c.new_fd(_kdup(c, kfd), False, plain=kfd in c.proc.plain)


def _routed(c: Call, fd: int) -> bool:
    return 0 <= fd < LOW or fd in EXTRA or c.sup.base <= fd < c.sup.base + c.sup.count


@handles("dup2", "dup3")
def sys_dup2(c: Call) -> object:
    old, new = i32(c.args[0]), i32(c.args[1])
    flags = c.args[2] if c.n.nr == linux.NR["dup3"] else 0
    kold = c.proc.fds.get(old)
    if old == new:
        if c.n.nr != linux.NR["dup2"]:
            raise Errno(22)
        return new if kold is not None else CONTINUE
    if kold is None:
        with c.proc.lock:
            knew = c.proc.fds.pop(new, None)
        if knew is not None:
            _kclose(c, knew)
        return CONTINUE
    if not _routed(c, new):
        raise Errno(9, f"dup2 of a kernel descriptor to {new} is not supported: only 0-{LOW - 1}, "
                    "255 and the placeholder range can hold kernel descriptors")
    k2 = _kdup(c, kold)
    return c.new_fd(k2, bool(flags & linux.O_CLOEXEC), at=new, plain=kold in c.proc.plain)


_FLOCK_L = struct.Struct("<hh4xqqi4x")     # Linux struct flock
_FLOCK_NB = struct.Struct("<qqihh")        # NetBSD struct flock
_LTYPE_TO_NB = {0: nbf.F_RDLCK, 1: nbf.F_WRLCK, 2: nbf.F_UNLCK}
_LTYPE_FROM_NB = {v: k for k, v in _LTYPE_TO_NB.items()}


@handles("fcntl")
def sys_fcntl(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    cmd, arg = c.args[1] & 0xFFFFFFFF, c.args[2]
    k = c.k
    if cmd in (linux.F_DUPFD, linux.F_DUPFD_CLOEXEC):
        cloexec = cmd == linux.F_DUPFD_CLOEXEC
        k2 = _kdup(c, kfd)
        want = i32(arg)
        if want < LOW and want >= 0:
            with c.proc.lock:
                free = [n for n in range(want, LOW) if n not in c.proc.fds
                        and not os.path.lexists(f"/proc/{c.proc.tgid}/fd/{n}")]
            if free:
                return c.new_fd(k2, cloexec, at=free[0], plain=kfd in c.proc.plain)
        return c.new_fd(k2, cloexec, plain=kfd in c.proc.plain)
    if cmd in (linux.F_GETFD, linux.F_SETFD):
        # Close-on-exec lives on the placeholder: the host closes it at exec and
        # we then close the kernel descriptor (handlers/process.after_exec).
        return CONTINUE
    if cmd == linux.F_GETFL:
        return linux.open_flags_from_netbsd(k.syscall(SYS.fcntl, kfd, nbf.F_GETFL, 0)[0])
    if cmd == linux.F_SETFL:
        return k.syscall(SYS.fcntl, kfd, nbf.F_SETFL,
                         linux.open_flags_to_netbsd(arg & ~3 & 0xFFFFFFFF))[0]
    if cmd in (linux.F_GETLK, linux.F_SETLK, linux.F_SETLKW):
        ltype, whence, start, ln, pid = _FLOCK_L.unpack(c.proc.mem.read(arg, _FLOCK_L.size))
        if ltype not in _LTYPE_TO_NB:
            raise Errno(22)
        buf = InOut(bytearray(_FLOCK_NB.pack(start, ln, pid, _LTYPE_TO_NB[ltype], whence)))
        nbcmd = {5: nbf.F_GETLK, 6: nbf.F_SETLK, 7: nbf.F_SETLKW}[cmd]
        k.syscall(SYS.fcntl, kfd, nbcmd, buf)
        if cmd == linux.F_GETLK:
            start, ln, pid, t, whence = _FLOCK_NB.unpack(bytes(buf.buf))
            c.proc.mem.write(arg, _FLOCK_L.pack(_LTYPE_FROM_NB.get(t, 2), whence,
                                                start, ln, pid))
        return 0
    raise Errno(22, f"fcntl command {cmd} on a kernel descriptor is not supported")


@handles("ioctl")
def sys_ioctl(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    req, arg = c.args[1] & 0xFFFFFFFF, c.args[2]
    k = c.k
    if req == linux.FIONREAD:
        out = Out(4)
        k.syscall(SYS.ioctl, kfd, nbioctl.FIONREAD, out)
        c.proc.mem.write(arg, out.buf)
        return 0
    if req == linux.FIONBIO:
        on = c.proc.mem.u32(arg)
        fl = k.syscall(SYS.fcntl, kfd, nbf.F_GETFL, 0)[0]
        k.syscall(SYS.fcntl, kfd, nbf.F_SETFL,
                  (fl | nbf.O_NONBLOCK) if on else (fl & ~nbf.O_NONBLOCK))
        return 0
    if req in (linux.FIOCLEX, linux.FIONCLEX):
        return CONTINUE    # close-on-exec lives on the placeholder
    if req >> 8 & 0xFF == 0x54:   # terminal ioctls: a kernel file is not a terminal
        raise Errno(25)
    if req == linux.FICLONE:
        raise Errno(95)
    raise Errno(25, f"ioctl {req:#x} on a kernel descriptor is not supported (ENOTTY)")


@handles("lseek")
def sys_lseek(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    off = c.args[1] - (1 << 64) if c.args[1] >> 63 else c.args[1]
    return c.k.syscall(SYS.lseek, kfd, 0, off & ((1 << 64) - 1), c.args[2] & 0xFFFFFFFF)[0]


def kstat_fd(c: Call, kfd: int) -> bytes:
    out = Out(nbstat.STAT_SIZE)
    c.k.syscall(SYS.fstat, kfd, out)
    note_kind(c, kfd, out.buf)
    return bytes(out.buf)


def note_kind(c: Call, kfd: int, raw: bytes | bytearray | memoryview) -> None:
    """Remember a regular file or directory: its calls never block."""
    mode = nbstat.STAT.unpack_from(raw)[1] & 0o170000
    if mode in (0o100000, 0o040000):
        c.proc.plain.add(kfd)


@handles("fstat")
def sys_fstat(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    c.proc.mem.write(c.args[1], linux.stat_to_linux(kstat_fd(c, kfd)))
    return 0


@handles("getdents64", "getdents")
def sys_getdents64(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    if c.n.nr == linux.NR["getdents"]:
        raise Errno(38, "getdents (the old form) on a kernel directory is not supported")
    count = c.args[2] & 0xFFFFFFFF
    ask = count * 2 // 3     # a Linux record is at most 1.5 times NetBSD's: all fit
    if ask < 512:
        raise Errno(22)
    out = Out(ask)
    n = c.k.syscall(SYS.getdents, kfd, out, ask)[0]
    recs = linux.dirents_to_linux(bytes(out.buf[:n]), 0)
    data = b"".join(recs)
    if len(data) > count:
        raise Errno(22)
    c.proc.mem.write(c.args[1], data)
    return len(data)


def _simple(nbnum: int, *extra: int):
    def h(c: Call) -> object:
        kfd = c.kfd(c.args[0])
        if kfd is None:
            return CONTINUE
        return c.k.syscall(nbnum, kfd, *extra)[0]
    return h


handles("fsync")(_simple(SYS.fsync))
handles("fdatasync")(_simple(SYS.fdatasync))


@handles("syncfs", "sync_file_range", "fadvise64", "readahead")
def sys_advice(c: Call) -> object:
    """Hints and whole-file-system syncs: the kernel's files need none; answer 0."""
    return CONTINUE if c.kfd(c.args[0]) is None else 0


@handles("ftruncate")
def sys_ftruncate(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    return c.k.syscall(SYS.ftruncate, kfd, 0, c.args[1])[0]


@handles("fchmod")
def sys_fchmod(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    return CONTINUE if kfd is None else c.k.syscall(SYS.fchmod, kfd, c.args[1] & 0o7777)[0]


@handles("fchown")
def sys_fchown(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    return c.k.syscall(SYS.fchown, kfd, i32(c.args[1]), i32(c.args[2]))[0]


@handles("flock")
def sys_flock(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    return CONTINUE if kfd is None else c.k.syscall(SYS.flock, kfd, c.args[1] & 0xF)[0]


@handles("fallocate")
def sys_fallocate(c: Call) -> object:
    if c.kfd(c.args[0]) is None:
        return CONTINUE
    raise Errno(95)


@handles("fgetxattr", "fsetxattr", "flistxattr", "fremovexattr")
def sys_fxattr(c: Call) -> object:
    if c.kfd(c.args[0]) is None:
        return CONTINUE
    raise Errno(95)    # no extended attributes: ls and cp take ENOTSUP as "none"


_MMAP_MAX = 256 << 20


@handles("mmap")
def sys_mmap(c: Call) -> object:
    """A private (or read-only) mapping of a kernel file maps a host copy of its
    contents, put at the placeholder's number; a shared writable one cannot be."""
    fd = i32(c.args[4])
    kfd = c.kfd(fd)
    if kfd is None:
        return CONTINUE
    prot, flags = c.args[2], c.args[3]
    if flags & linux.MAP_SHARED and prot & linux.PROT_WRITE:
        raise Errno(19, "a shared writable mmap of a kernel file is not supported (ENODEV)")
    size = nbstat.STAT.unpack_from(kstat_fd(c, kfd))[15]
    if size > _MMAP_MAX:
        raise Errno(12, "mmap of a kernel file over 256 MiB is not supported (ENOMEM)")
    mfd = os.memfd_create("sysproxy-mmap", os.MFD_CLOEXEC)
    try:
        off = 0
        while off < size:
            out = Out(min(size - off, 8 << 20))
            got = c.k.syscall(SYS.pread, kfd, out, len(out.buf), 0, off)[0]
            if got <= 0:
                break
            os.write(mfd, out.buf[:got])
            off += got
        cloexec = _host_cloexec(c, fd)
        c.sup.listener.addfd(c.n.id, mfd, fd, cloexec, send=False)
    finally:
        os.close(mfd)
    return CONTINUE


def _host_cloexec(c: Call, fd: int) -> bool:
    """The placeholder's close-on-exec flag, from /proc/PID/fdinfo (flags are octal)."""
    try:
        with open(f"/proc/{c.proc.tgid}/fdinfo/{fd}", "rb") as f:
            for line in f:
                if line.startswith(b"flags:"):
                    return bool(int(line.split()[1], 8) & linux.O_CLOEXEC)
    except OSError:
        pass
    return False


__all__ = ["ANSWERED"]
