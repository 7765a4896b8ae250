"""getsockopt and setsockopt: SOL_SOCKET options, AF_LOCAL's level-0 options, a few IP/TCP ones."""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import socket as S
from ...abi.time import TIMEVAL, TIMEVAL_SIZE
from ..errors import KernelError
from ..socket.base import BOOL_OPTIONS, Socket
from ..socket.local import LocalSocket
from .args import i32, u32
from .socket import getsock
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

_INT = struct.Struct("<i")
_U32 = struct.Struct("<I")
SB_MAX = 256 * 1024  # NetBSD's default kern.sbmax
MCLBYTES = 2048  # the largest option value setsockopt copies in
TF_NODELAY = 0x0004  # netinet/tcp_var.h: what TCP_NODELAY reads back as


def _int(val: bytes) -> int:
    if len(val) < 4:
        raise KernelError(E.EINVAL)
    return _INT.unpack_from(val)[0]


def _timeo(val: bytes) -> float | None:
    if len(val) < TIMEVAL_SIZE:
        raise KernelError(E.EINVAL)
    sec, usec = TIMEVAL.unpack_from(val)
    if sec < 0 or not 0 <= usec < 1_000_000:
        raise KernelError(E.EDOM)
    t = sec + usec / 1e6
    return None if t == 0 else t


def _tcp_alive(so: Socket, level: int) -> None:
    """tcp_ctloutput: a TCP socket whose pcb is gone answers ECONNRESET at any level."""
    if level != S.SOL_SOCKET and getattr(so, "dropped", False):
        raise KernelError(E.ECONNRESET)


def setopt(l: "Lwp", so: Socket, level: int, name: int, val: bytes) -> None:
    _tcp_alive(so, level)
    if level == S.SOL_SOCKET:
        if name in BOOL_OPTIONS:
            if _int(val):
                so.options |= name
            else:
                so.options &= ~name
        elif name == S.SO_LINGER:
            if len(val) < S.LINGER.size:
                raise KernelError(E.EINVAL)
            on, secs = S.LINGER.unpack_from(val)
            so.linger = secs
            so.options = (so.options | S.SO_LINGER) if on else (so.options & ~S.SO_LINGER)
        elif name in (S.SO_SNDBUF, S.SO_RCVBUF, S.SO_SNDLOWAT, S.SO_RCVLOWAT):
            v = _int(val)
            if v < 1:
                raise KernelError(E.EINVAL)
            sb = so.snd if name in (S.SO_SNDBUF, S.SO_SNDLOWAT) else so.rcv
            if name in (S.SO_SNDBUF, S.SO_RCVBUF):
                if v > SB_MAX:
                    raise KernelError(E.ENOBUFS)
                sb.hiwat = v
                sb.lowat = min(sb.lowat, v)
            else:
                sb.lowat = min(v, sb.hiwat)
            so.changed()
        elif name in (S.SO_SNDTIMEO, S.SO_RCVTIMEO):
            t = _timeo(val)
            if name == S.SO_SNDTIMEO:
                so.sndtimeo = t
            else:
                so.rcvtimeo = t
        else:
            raise KernelError(E.ENOPROTOOPT)
        return
    if isinstance(so, LocalSocket) and level == S.SOL_LOCAL:
        if name == S.LOCAL_CREDS:
            so.wantcred = bool(_int(val))
        elif name == S.LOCAL_CONNWAIT:
            so.connwait = bool(_int(val))
        else:
            raise KernelError(E.ENOPROTOOPT)
        return
    if level in (S.IPPROTO_TCP, S.IPPROTO_IP, S.IPPROTO_IPV6) and so.domain in (S.AF_INET, S.AF_INET6):
        v = _int(val)
        if level == S.IPPROTO_TCP and name == S.TCP_NODELAY:
            val = _INT.pack(TF_NODELAY if v else 0)  # getsockopt reads t_flags & TF_NODELAY
        so.__dict__.setdefault("ipopts", {})[(level, name)] = val[:4]
        return
    raise KernelError(E.ENOPROTOOPT)


def getopt(so: Socket, level: int, name: int) -> bytes:
    _tcp_alive(so, level)
    if level == S.SOL_SOCKET:
        if name in BOOL_OPTIONS or name == S.SO_ACCEPTCONN:
            return _INT.pack(1 if so.options & name else 0)
        if name == S.SO_LINGER:
            return S.LINGER.pack(1 if so.options & S.SO_LINGER else 0, so.linger)
        if name == S.SO_SNDBUF:
            return _INT.pack(so.snd.hiwat)
        if name == S.SO_RCVBUF:
            return _INT.pack(so.rcv.hiwat)
        if name == S.SO_SNDLOWAT:
            return _INT.pack(so.snd.lowat)
        if name == S.SO_RCVLOWAT:
            return _INT.pack(so.rcv.lowat)
        if name == S.SO_TYPE:
            return _INT.pack(so.type)
        if name == S.SO_ERROR:
            err, so.error = so.error, 0
            return _INT.pack(err)
        if name in (S.SO_SNDTIMEO, S.SO_RCVTIMEO):
            t = so.sndtimeo if name == S.SO_SNDTIMEO else so.rcvtimeo
            t = t or 0.0
            return TIMEVAL.pack(int(t), int(round((t - int(t)) * 1e6)))
        raise KernelError(E.ENOPROTOOPT)
    if isinstance(so, LocalSocket) and level == S.SOL_LOCAL:
        if name == S.LOCAL_PEEREID:
            if so.connid is None:
                raise KernelError(E.EINVAL)
            return S.pack_unpcbid(*so.connid)
        if name == S.LOCAL_CREDS:
            return _INT.pack(1 if so.wantcred else 0)
        # LOCAL_CONNWAIT can be set, not read (uipc_ctloutput: ENOPROTOOPT)
        raise KernelError(E.ENOPROTOOPT)
    if level in (S.IPPROTO_TCP, S.IPPROTO_IP, S.IPPROTO_IPV6) and so.domain in (S.AF_INET, S.AF_INET6):
        opts = so.__dict__.get("ipopts", {})
        if (level, name) in opts:
            return opts[(level, name)]
        if (level, name) == (S.IPPROTO_IPV6, S.IPV6_V6ONLY):
            return _INT.pack(1)
        if (level, name) == (S.IPPROTO_IP, S.IP_TTL):
            return _INT.pack(64)
        if level == S.IPPROTO_TCP and name == S.TCP_NODELAY:
            return _INT.pack(0)
    raise KernelError(E.ENOPROTOOPT)


@syscall("setsockopt")
async def sys_setsockopt(l: "Lwp", a: Args) -> int:
    level, name, valp, size = i32(a[1]), i32(a[2]), a[3], u32(a[4])
    if (size and not valp) or size > MCLBYTES:  # sys_setsockopt: before the descriptor
        raise KernelError(E.EINVAL)
    so = getsock(l, i32(a[0]))
    val = await l.copyin(valp, size) if size else b""
    try:
        setopt(l, so, level, name, val)
    finally:  # SO_NOSIGPIPE and the file's FNOSIGPIPE are one bit (sys_setsockopt)
        if so.options & S.SO_NOSIGPIPE:
            so.flag |= F.FNOSIGPIPE
        else:
            so.flag &= ~F.FNOSIGPIPE
    return 0


@syscall("getsockopt")
async def sys_getsockopt(l: "Lwp", a: Args) -> int:
    level, name, valp, sizep = i32(a[1]), i32(a[2]), a[3], a[4]
    size = 0
    if valp:  # the size is read before the descriptor is looked up
        size = _U32.unpack(await l.copyin(sizep, 4))[0]
    so = getsock(l, i32(a[0]))
    if so.flag & F.FNOSIGPIPE:
        so.options |= S.SO_NOSIGPIPE
    else:
        so.options &= ~S.SO_NOSIGPIPE
    val = getopt(so, level, name)
    if valp:
        n = min(size, len(val))
        if n:
            l.copyout(valp, val[:n])
        l.copyout(sizep, _U32.pack(n))
    return 0
