"""Descriptor calls: close, dup, dup2, dup3, fcntl, ioctl's descriptor-level commands."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import ioctl as IO
from ..errors import KernelError
from ..file import FCNTLFLAGS, FREAD, FWRITE
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..file import File
    from ..lwp import Lwp


@syscall("close")
async def sys_close(l: "Lwp", a: Args) -> int:
    l.proc.fd.close(i32(a[0]))
    return 0


@syscall("dup")
async def sys_dup(l: "Lwp", a: Args) -> int:
    fdt = l.proc.fd
    return fdt.alloc(fdt.get(i32(a[0])))


def _dup2(l: "Lwp", old: int, new: int, cloexec: bool) -> int:
    fdt = l.proc.fd
    f = fdt.get(old)
    if not 0 <= new < fdt.maxfiles:
        raise KernelError(E.EBADF)
    if old != new:
        fdt.install(new, f, cloexec)
    return new


@syscall("dup2")
async def sys_dup2(l: "Lwp", a: Args) -> int:
    return _dup2(l, i32(a[0]), i32(a[1]), False)


@syscall("dup3")
async def sys_dup3(l: "Lwp", a: Args) -> int:
    flags = i32(a[2])
    if flags & ~(F.O_CLOEXEC | F.O_NONBLOCK | F.O_NOSIGPIPE):
        raise KernelError(E.EINVAL)
    return _dup2(l, i32(a[0]), i32(a[1]), bool(flags & F.O_CLOEXEC))


F_FSCTL, F_FSIN = 0x80000000, 0x10000000  # (int) bits of a file-system fcntl
F_PARAM_MASK = 0xFFF


async def _fcntl_forfs(l: "Lwp", f: "File", cmd: int, arg: int) -> int:
    """fcntl_forfs: an fcntl for the file system. The file must be open for reading
    or writing, an F_FSIN parameter (length in bits 16-27) is copied in, then the
    file's fo_fcntl answers: none here knows any (tmpfs's genfs_fcntl, pipes'
    fnullop_fcntl, sockets': EOPNOTSUPP)."""
    if not f.flag & (FREAD | FWRITE):
        raise KernelError(E.EBADF)
    size = (cmd >> 16) & F_PARAM_MASK
    if cmd & F_FSIN and size:
        await l.copyin(arg, size)
    raise KernelError(E.EOPNOTSUPP)


@syscall("fcntl")
async def sys_fcntl(l: "Lwp", a: Args) -> int:
    fd, cmd, arg = i32(a[0]), i32(a[1]), a[2]
    fdt = l.proc.fd
    if cmd == F.F_CLOSEM:
        if fd < 0:
            raise KernelError(E.EBADF)
        fdt.close_from(fd)
        return 0
    if cmd == F.F_MAXFD:
        return fdt.maxfd()
    f = fdt.get(fd)
    if cmd & F_FSCTL:
        return await _fcntl_forfs(l, f, cmd, arg)
    if cmd in (F.F_DUPFD, F.F_DUPFD_CLOEXEC):
        minfd = i32(arg)
        if not 0 <= minfd < fdt.maxfiles:
            raise KernelError(E.EINVAL)
        return fdt.alloc(f, cmd == F.F_DUPFD_CLOEXEC, minfd)
    if cmd == F.F_GETFD:
        return F.FD_CLOEXEC if fdt.get_cloexec(fd) else 0
    if cmd == F.F_SETFD:
        fdt.set_cloexec(fd, bool(i32(arg) & F.FD_CLOEXEC))
        return 0
    if cmd == F.F_GETFL:
        return F.OFLAGS(f.flag)
    if cmd == F.F_SETFL:
        await f.setfl(l, F.FFLAGS(i32(arg)) & FCNTLFLAGS)
        return 0
    if cmd == F.F_GETNOSIGPIPE:
        return 1 if f.flag & F.O_NOSIGPIPE else 0
    if cmd == F.F_SETNOSIGPIPE:
        if i32(arg):
            f.flag |= F.O_NOSIGPIPE
        else:
            f.flag &= ~F.O_NOSIGPIPE
        return 0
    if cmd in (F.F_GETLK, F.F_SETLK, F.F_SETLKW):
        from .locks import fcntl_lock
        return await fcntl_lock(l, f, cmd, arg)
    if cmd in (F.F_GETOWN, F.F_SETOWN):
        if f.refuses_flag_ioctls:  # FIOGETOWN/FIOSETOWN go to fo_ioctl
            raise KernelError(E.ENOTTY)
        if cmd == F.F_GETOWN:
            return f.owner
        f.owner = i32(arg)
        return 0
    raise KernelError(E.EINVAL)


@syscall("ioctl")
async def sys_ioctl(l: "Lwp", a: Args) -> int:
    fd, cmd, datap = i32(a[0]), a[1] & 0xFFFFFFFF, a[2]
    fdt = l.proc.fd
    f = fdt.get(fd)
    if cmd == IO.FIOCLEX or cmd == IO.FIONCLEX:
        fdt.set_cloexec(fd, cmd == IO.FIOCLEX)
        return 0
    size = IO.IOCPARM_LEN(cmd)
    data = bytearray(size)
    if cmd & IO.IOC_IN and size:
        data[:] = await l.copyin(datap, size)
    if cmd in (IO.FIONBIO, IO.FIOASYNC):
        # sys_ioctl sets or clears the flag itself, then tells the file (which may refuse)
        bit = F.O_NONBLOCK if cmd == IO.FIONBIO else F.O_ASYNC
        on = int.from_bytes(data[:4], "little") != 0
        f.set_flags((f.flag | bit) if on else (f.flag & ~bit))
        await f.ioctl_flag(l, cmd, data)
        return 0
    else:
        await f.ioctl(l, cmd, data)
    if cmd & IO.IOC_OUT and size:
        l.copyout(datap, bytes(data))
    return 0
