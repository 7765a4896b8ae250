"""Socket life: __socket30, socketpair, bind, connect, listen, accept, paccept,
getsockname, getpeername, shutdown (NetBSD's uipc_syscalls.c shapes)."""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import socket as S
from ...abi.socket import AF_MAX
from ..errors import KernelError
from ..socket import create, find_protocol
from ..socket.base import SS_CANTRCVMORE, SS_ISCONNECTED, SS_ISCONNECTING, SS_ISDISCONNECTING, Socket
from ..socket.local import socketpair
from .args import i32, u32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

_U32 = struct.Struct("<I")
UCHAR_MAX = 255


def getsock(l: "Lwp", fd: int) -> Socket:
    f = l.proc.fd.get(fd)
    if not isinstance(f, Socket):
        raise KernelError(E.ENOTSOCK)
    return f


def _typeflags(type: int) -> tuple[int, int, bool]:
    """Split SOCK_* flags off a type: (type, extra f_flag bits, cloexec)."""
    flags = type & S.SOCK_FLAGS_MASK & 0xFFFFFFFF  # other bits of the mask are ignored (fsocreate)
    extra = (F.O_NONBLOCK if flags & S.SOCK_NONBLOCK else 0) | \
        (F.O_NOSIGPIPE if flags & S.SOCK_NOSIGPIPE else 0)
    return type & 0x0FFFFFFF, extra, bool(flags & S.SOCK_CLOEXEC)


async def sockaddr_in(l: "Lwp", addr: int, n: int) -> bytes:
    """sockargs: copy a sockaddr in; sa_len becomes the length given. More than 255
    bytes, or no more than sa_len and sa_family, is EINVAL; a family of 0 with a
    length byte below AF_MAX takes the length byte as family (4.3BSD's sockaddr)."""
    if n > UCHAR_MAX or n <= 2:
        raise KernelError(E.EINVAL)
    raw = bytearray(await l.copyin(addr, n))
    if raw[1] == 0 and raw[0] < AF_MAX:
        raw[1] = raw[0]
    raw[0] = n
    return bytes(raw)


async def copyout_sockname(l: "Lwp", asa: int, alenp: int, sa: bytes | None) -> None:
    """NetBSD's copyout_sockname: copy min(*alen, sa_len) bytes, store that length."""
    if not asa:
        return
    n = _U32.unpack(await l.copyin(alenp, 4))[0]
    if n & 0x80000000:
        raise KernelError(E.EINVAL)
    if sa is None:
        n = 0
    else:
        n = min(n, len(sa))
        if n:
            l.copyout(asa, sa[:n])
    l.copyout(alenp, _U32.pack(n))


@syscall("__socket30")
async def sys_socket(l: "Lwp", a: Args) -> int:
    type, extra, cloexec = _typeflags(i32(a[1]))
    so = create(l.kernel, l.proc, i32(a[0]), type, i32(a[2]))
    so.flag |= extra
    try:
        return l.proc.fd.alloc(so, cloexec)
    except KernelError:
        so.on_last_close()
        raise


@syscall("socketpair")
async def sys_socketpair(l: "Lwp", a: Args) -> int:
    domain, (type, extra, cloexec), proto = i32(a[0]), _typeflags(i32(a[1])), i32(a[2])
    find_protocol(domain, type, proto)  # socreate's EAFNOSUPPORT/EPROTOTYPE/EPROTONOSUPPORT
    if domain != S.AF_LOCAL:
        raise KernelError(E.EOPNOTSUPP)  # soconnect2: only AF_LOCAL pairs up
    c = l.proc.cred
    s1, s2 = socketpair(l.kernel, type, c.euid, c.egid, l.proc.pid)
    s1.flag |= extra
    s2.flag |= extra
    fdt = l.proc.fd
    try:
        fd1 = fdt.alloc(s1, cloexec)
    except KernelError:
        s1.on_last_close()
        s2.on_last_close()
        raise
    try:
        fd2 = fdt.alloc(s2, cloexec)
    except KernelError:
        s2.on_last_close()
        fdt.close(fd1)
        raise
    l.copyout(a[3], struct.pack("<ii", fd1, fd2))
    return 0


@syscall("bind")
async def sys_bind(l: "Lwp", a: Args) -> int:
    addr = await sockaddr_in(l, a[1], u32(a[2]))  # sys_bind: the name before the descriptor
    so = getsock(l, i32(a[0]))
    if addr[1] != so.domain:
        raise KernelError(E.EAFNOSUPPORT)  # sobind: the family must be the socket's domain
    await so.bind(l, addr)
    return 0


@syscall("connect")
async def sys_connect(l: "Lwp", a: Args) -> int:
    """sys_connect/do_sys_connect/soconnect: the name, the descriptor, EALREADY while
    connecting, EOPNOTSUPP for a listener, EISCONN for a connected stream, then the
    family (EAFNOSUPPORT) before the protocol looks at the address."""
    addr = await sockaddr_in(l, a[1], u32(a[2]))
    so = getsock(l, i32(a[0]))
    if so.state & SS_ISCONNECTING:
        raise KernelError(E.EALREADY)
    if so.options & S.SO_ACCEPTCONN:
        raise KernelError(E.EOPNOTSUPP)
    if so.state & SS_ISCONNECTED and so.connreq:
        raise KernelError(E.EISCONN)
    if addr[1] != so.domain:
        raise KernelError(E.EAFNOSUPPORT)
    await so.connect(l, addr)
    return 0


@syscall("listen")
async def sys_listen(l: "Lwp", a: Args) -> int:
    """solisten: a connected (or connecting) socket is EINVAL whatever its protocol; a
    negative backlog is 0, a big one somaxconn; then the protocol's own checks."""
    so = getsock(l, i32(a[0]))
    if so.state & (SS_ISCONNECTED | SS_ISCONNECTING | SS_ISDISCONNECTING):
        raise KernelError(E.EINVAL)
    so.listen(l, min(max(i32(a[1]), 0), S.SOMAXCONN))
    return 0


async def do_accept(l: "Lwp", fd: int, name: int, alenp: int, flags: int, clrflags: int) -> int:
    """do_sys_accept's order: a protocol without listen (datagrams) is EOPNOTSUPP, a
    socket not listening EINVAL, a nonblocking empty queue EWOULDBLOCK before so_error;
    a listener shut down for reading aborts the wait (ECONNABORTED)."""
    so = getsock(l, fd)
    if so.type == S.SOCK_DGRAM:
        raise KernelError(E.EOPNOTSUPP)
    if not so.options & S.SO_ACCEPTCONN:
        raise KernelError(E.EINVAL)
    if so.nonblocking and not so.acceptq:
        raise KernelError(E.EAGAIN)
    while not so.acceptq and not so.error:
        if so.state & SS_CANTRCVMORE or so.closed:
            so.error = E.ECONNABORTED
            break
        await so.sleep(l)  # sowait(so, true, 0): SO_RCVTIMEO does not apply
    if so.error:
        err, so.error = so.error, 0
        raise KernelError(err)
    new = so.acceptq.popleft()
    new.head = None
    new.flag = (so.flag & ~clrflags) | (F.O_NONBLOCK if flags & S.SOCK_NONBLOCK else 0) \
        | (F.O_NOSIGPIPE if flags & S.SOCK_NOSIGPIPE else 0)
    so.changed()
    fdt = l.proc.fd
    try:
        nfd = fdt.alloc(new, bool(flags & S.SOCK_CLOEXEC))
    finally:
        new.release()  # the accept queue's reference
    new.changed()
    if name:
        try:
            await copyout_sockname(l, name, alenp, new.accept_name())
        except KernelError:
            fdt.close(nfd)
            raise
    return nfd


@syscall("accept")
async def sys_accept(l: "Lwp", a: Args) -> int:
    return await do_accept(l, i32(a[0]), a[1], a[2], 0, 0)


@syscall("paccept")
async def sys_paccept(l: "Lwp", a: Args) -> int:
    """sys_paccept: flags are not checked; the new socket's O_NONBLOCK comes from
    them alone, its O_NOSIGPIPE from the listener's or SOCK_NOSIGPIPE."""
    if a[3]:
        await l.copyin(a[3], 16)  # the signal mask is read first
    return await do_accept(l, i32(a[0]), a[1], a[2], i32(a[4]), F.O_NONBLOCK)


@syscall("getsockname")
async def sys_getsockname(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    await copyout_sockname(l, a[1], a[2], so.sockname())
    return 0


@syscall("getpeername")
async def sys_getpeername(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    await copyout_sockname(l, a[1], a[2], so.peername())
    return 0


@syscall("shutdown")
async def sys_shutdown(l: "Lwp", a: Args) -> int:
    getsock(l, i32(a[0])).shutdown(i32(a[1]))
    return 0
