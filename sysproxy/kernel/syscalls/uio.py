"""User I/O vectors (NetBSD's struct uio from struct iovec arrays).

readv/writev and sendmsg/recvmsg all copy an iovec array in, then gather the
data from its buffers or scatter data into them: one COPYIN per buffer (large
ones in chunks well under the wire's frame limit) and one COPYOUT per buffer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi.socket import IOVEC_SIZE, unpack_iovecs
from ..errors import KernelError

if TYPE_CHECKING:
    from ..lwp import Lwp

IOV_MAX = 1024
SSIZE_MAX = (1 << 63) - 1
COPY_CHUNK = 16 * 1024 * 1024

Iovecs = list[tuple[int, int]]


async def copyin_iovecs(l: "Lwp", iovp: int, n: int, too_many: int = E.EINVAL) -> Iovecs:
    """The (base, len) pairs of an iovec array; ``too_many`` beyond IOV_MAX (sendmsg: EMSGSIZE)."""
    if not 0 <= n <= IOV_MAX:
        raise KernelError(too_many)
    if n == 0:
        return []
    iov = unpack_iovecs(await l.copyin(iovp, IOVEC_SIZE * n), n)
    total = 0
    for _, ln in iov:
        total += ln
        if ln > SSIZE_MAX or total > SSIZE_MAX:
            raise KernelError(E.EINVAL)
    return iov


async def copyin_all(l: "Lwp", addr: int, n: int) -> bytes:
    """``n`` bytes of client memory, in one copy or in COPY_CHUNK pieces."""
    if n <= COPY_CHUNK:
        return await l.copyin(addr, n) if n else b""
    parts = []
    for off in range(0, n, COPY_CHUNK):
        parts.append(await l.copyin(addr + off, min(COPY_CHUNK, n - off)))
    return b"".join(parts)


async def gather(l: "Lwp", iov: Iovecs) -> bytes:
    """The data of every buffer of ``iov``, in order."""
    return b"".join([await copyin_all(l, base, n) for base, n in iov if n])


def scatter(l: "Lwp", iov: Iovecs, data: bytes) -> None:
    """Copy ``data`` out across the buffers of ``iov``, filling each in turn."""
    pos = 0
    for base, n in iov:
        if pos >= len(data):
            break
        chunk = data[pos:pos + n]
        if chunk:
            l.copyout(base, chunk)
        pos += len(chunk)
