"""Reading and writing descriptors: read, write, readv, writev, pread, pwrite, preadv, pwritev.

The data moves in as few copy round trips as possible: one COPYIN per
buffer (in chunks of at most COPY_CHUNK) and one COPYOUT per buffer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi.socket import unpack_iovecs
from ..errors import KernelError
from ..file import DTYPE_VNODE, FREAD, FWRITE
from .args import i32, i64
from .table import Args, syscall

if TYPE_CHECKING:
    from ..file import File
    from ..lwp import Lwp

SSIZE_MAX = (1 << 63) - 1
IOV_MAX = 1024
COPY_CHUNK = 16 * 1024 * 1024  # well under the wire's frame limit


def _file(l: "Lwp", fd: int, mode: int) -> "File":
    f = l.proc.fd.get(fd)
    if not f.flag & mode:
        raise KernelError(E.EBADF)
    return f


async def _copyin_all(l: "Lwp", addr: int, n: int) -> bytes:
    if n <= COPY_CHUNK:
        return await l.copyin(addr, n) if n else b""
    parts = []
    for off in range(0, n, COPY_CHUNK):
        parts.append(await l.copyin(addr + off, min(COPY_CHUNK, n - off)))
    return b"".join(parts)


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
    return await f.write(l, await _copyin_all(l, buf, n), offset)


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


async def _iovecs(l: "Lwp", iovp: int, iovcnt: int) -> list[tuple[int, int]]:
    if not 0 <= iovcnt <= IOV_MAX:
        raise KernelError(E.EINVAL)
    if iovcnt == 0:
        return []
    iov = unpack_iovecs(await l.copyin(iovp, 16 * iovcnt), iovcnt)
    total = 0
    for _, ln in iov:
        total += ln
        if ln > SSIZE_MAX or total > SSIZE_MAX:
            raise KernelError(E.EINVAL)
    return iov


async def do_readv(l: "Lwp", f: "File", iovp: int, iovcnt: int, offset: int | None) -> int:
    iov = await _iovecs(l, iovp, iovcnt)
    total = sum(n for _, n in iov)
    data = await f.read(l, total, offset)
    pos = 0
    for base, n in iov:
        if pos >= len(data):
            break
        chunk = data[pos:pos + n]
        if chunk:
            l.copyout(base, chunk)
        pos += len(chunk)
    return len(data)


async def do_writev(l: "Lwp", f: "File", iovp: int, iovcnt: int, offset: int | None) -> int:
    iov = await _iovecs(l, iovp, iovcnt)
    parts = [await _copyin_all(l, base, n) for base, n in iov if n]
    return await f.write(l, b"".join(parts), offset)


@syscall("readv")
async def sys_readv(l: "Lwp", a: Args) -> int:
    return await do_readv(l, _file(l, i32(a[0]), FREAD), a[1], i32(a[2]), None)


@syscall("writev")
async def sys_writev(l: "Lwp", a: Args) -> int:
    return await do_writev(l, _file(l, i32(a[0]), FWRITE), a[1], i32(a[2]), None)


@syscall("preadv")
async def sys_preadv(l: "Lwp", a: Args) -> int:
    f = _positional(l, i32(a[0]), FREAD)
    return await do_readv(l, f, a[1], i32(a[2]), _offset(a[4]))


@syscall("pwritev")
async def sys_pwritev(l: "Lwp", a: Args) -> int:
    f = _positional(l, i32(a[0]), FWRITE)
    return await do_writev(l, f, a[1], i32(a[2]), _offset(a[4]))
