"""Reading and writing descriptors: read, write, readv, writev, pread, pwrite, preadv, pwritev.

The data moves in as few copy round trips as possible: one COPYIN per
buffer (in chunks of at most COPY_CHUNK) and one COPYOUT per buffer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ..errors import KernelError
from ..file import DTYPE_VNODE, FREAD, FWRITE
from .args import i32, i64
from .table import Args, syscall
from .uio import SSIZE_MAX, copyin_all, copyin_iovecs, gather, scatter

if TYPE_CHECKING:
    from ..file import File
    from ..lwp import Lwp



def _file(l: "Lwp", fd: int, mode: int) -> "File":
    f = l.proc.fd.get(fd)
    if not f.flag & mode:
        raise KernelError(E.EBADF)
    return f


async def do_read(l: "Lwp", f: "File", buf: int, n: int, offset: int | None) -> int:
    if n > SSIZE_MAX:
        raise KernelError(E.EINVAL)
    data = await f.read(l, n, offset)
    if data:
        l.copyout(buf, data)
    return len(data)


async def do_write(l: "Lwp", f: "File", buf: int, n: int, offset: int | None) -> int:
    if n > SSIZE_MAX:
        raise KernelError(E.EINVAL)
    if getattr(f, "discards_writes", False):  # /dev/null, /dev/zero: NetBSD copies nothing in
        return n
    return await f.write(l, await copyin_all(l, buf, n), offset)


def _positional(l: "Lwp", fd: int, mode: int) -> "File":
    """The file of a p* call: EBADF, then ESPIPE unless a vnode (a FIFO is a pipe here),
    in NetBSD's order (sys_pread: access mode, then file type, then the offset)."""
    f = _file(l, fd, mode)
    if f.dtype != DTYPE_VNODE:
        raise KernelError(E.ESPIPE)
    return f


def _offset(v: int) -> int:
    off = i64(v)
    if off < 0:
        raise KernelError(E.EINVAL)
    return off


@syscall("read")
async def sys_read(l: "Lwp", a: Args) -> int:
    return await do_read(l, _file(l, i32(a[0]), FREAD), a[1], a[2], None)


@syscall("write")
async def sys_write(l: "Lwp", a: Args) -> int:
    return await do_write(l, _file(l, i32(a[0]), FWRITE), a[1], a[2], None)


@syscall("pread")
async def sys_pread(l: "Lwp", a: Args) -> int:
    f = _positional(l, i32(a[0]), FREAD)
    return await do_read(l, f, a[1], a[2], _offset(a[4]))


@syscall("pwrite")
async def sys_pwrite(l: "Lwp", a: Args) -> int:
    f = _positional(l, i32(a[0]), FWRITE)
    return await do_write(l, f, a[1], a[2], _offset(a[4]))


async def do_readv(l: "Lwp", f: "File", iovp: int, iovcnt: int, offset: int | None) -> int:
    iov = await copyin_iovecs(l, iovp, iovcnt)
    data = await f.read(l, sum(n for _, n in iov), offset)
    scatter(l, iov, data)
    return len(data)


async def do_writev(l: "Lwp", f: "File", iovp: int, iovcnt: int, offset: int | None) -> int:
    iov = await copyin_iovecs(l, iovp, iovcnt)
    return await f.write(l, await gather(l, iov), offset)


def _iovcnt(v: int) -> int:
    """do_filereadv/do_filewritev refuse an empty vector before looking at the fd."""
    n = i32(v)
    if n == 0:
        raise KernelError(E.EINVAL)
    return n


@syscall("readv")
async def sys_readv(l: "Lwp", a: Args) -> int:
    n = _iovcnt(a[2])
    return await do_readv(l, _file(l, i32(a[0]), FREAD), a[1], n, None)


@syscall("writev")
async def sys_writev(l: "Lwp", a: Args) -> int:
    n = _iovcnt(a[2])
    return await do_writev(l, _file(l, i32(a[0]), FWRITE), a[1], n, None)


@syscall("preadv")
async def sys_preadv(l: "Lwp", a: Args) -> int:
    n = _iovcnt(a[2])
    f = _positional(l, i32(a[0]), FREAD)
    return await do_readv(l, f, a[1], n, _offset(a[4]))


@syscall("pwritev")
async def sys_pwritev(l: "Lwp", a: Args) -> int:
    n = _iovcnt(a[2])
    f = _positional(l, i32(a[0]), FWRITE)
    return await do_writev(l, f, a[1], n, _offset(a[4]))
