"""Sockets (with ``--net``): AF_INET and AF_INET6 sockets are the kernel's.

Translated: the socket() flags, sockaddrs (Linux has no sa_len and numbers
AF_INET6 10, NetBSD 24), MSG_* flags, and the common socket options.
"""
from __future__ import annotations

import struct

from sysproxy.abi import socket as nbs
from sysproxy.client import SYS, InOut, Out

from ..call import CONTINUE, Call, Errno, handles, i32

L_AF_INET, L_AF_INET6 = 2, 10
L_SOCK_NONBLOCK, L_SOCK_CLOEXEC = 0o4000, 0o2000000
_MSG = [(0x1, nbs.MSG_OOB), (0x2, nbs.MSG_PEEK), (0x4, nbs.MSG_DONTROUTE),
        (0x40, nbs.MSG_DONTWAIT), (0x100, nbs.MSG_WAITALL), (0x4000, 0x400),
        (0x80, nbs.MSG_EOR), (0x20, nbs.MSG_TRUNC)]
# (Linux level, option) -> (NetBSD level, option)
_SOL = 1
_OPTS = {
    (_SOL, 1): (nbs.SOL_SOCKET, nbs.SO_DEBUG), (_SOL, 2): (nbs.SOL_SOCKET, nbs.SO_REUSEADDR),
    (_SOL, 3): (nbs.SOL_SOCKET, nbs.SO_TYPE), (_SOL, 4): (nbs.SOL_SOCKET, nbs.SO_ERROR),
    (_SOL, 5): (nbs.SOL_SOCKET, nbs.SO_DONTROUTE), (_SOL, 6): (nbs.SOL_SOCKET, nbs.SO_BROADCAST),
    (_SOL, 7): (nbs.SOL_SOCKET, nbs.SO_SNDBUF), (_SOL, 8): (nbs.SOL_SOCKET, nbs.SO_RCVBUF),
    (_SOL, 9): (nbs.SOL_SOCKET, nbs.SO_KEEPALIVE), (_SOL, 10): (nbs.SOL_SOCKET, nbs.SO_OOBINLINE),
    (_SOL, 13): (nbs.SOL_SOCKET, nbs.SO_LINGER), (_SOL, 15): (nbs.SOL_SOCKET, nbs.SO_REUSEPORT),
    (_SOL, 18): (nbs.SOL_SOCKET, nbs.SO_RCVLOWAT), (_SOL, 19): (nbs.SOL_SOCKET, nbs.SO_SNDLOWAT),
    (_SOL, 20): (nbs.SOL_SOCKET, nbs.SO_RCVTIMEO), (_SOL, 21): (nbs.SOL_SOCKET, nbs.SO_SNDTIMEO),
    (_SOL, 30): (nbs.SOL_SOCKET, nbs.SO_ACCEPTCONN),
    (6, 1): (6, 1),          # IPPROTO_TCP TCP_NODELAY
    (41, 26): (41, 27),      # IPPROTO_IPV6 IPV6_V6ONLY
    (0, 2): (0, 4),          # IPPROTO_IP IP_TTL
}


def msg_flags(f: int) -> int:
    out = 0
    for lx, nb in _MSG:
        if f & lx:
            out |= nb
    return out


def sockaddr_to_nb(raw: bytes) -> bytes:
    if len(raw) < 2:
        raise Errno(22)
    fam = struct.unpack_from("<H", raw)[0]
    if fam == L_AF_INET:
        return bytes([16, nbs.AF_INET]) + raw[2:16].ljust(14, b"\0")
    if fam == L_AF_INET6:
        return bytes([28, nbs.AF_INET6]) + raw[2:28].ljust(26, b"\0")
    raise Errno(97)   # EAFNOSUPPORT


def sockaddr_from_nb(raw: bytes) -> bytes:
    if len(raw) < 2:
        return b""
    ln, fam = raw[0], raw[1]
    if fam == nbs.AF_INET:
        return struct.pack("<H", L_AF_INET) + raw[2:16]
    if fam == nbs.AF_INET6:
        return struct.pack("<H", L_AF_INET6) + raw[2:28]
    return struct.pack("<H", fam) + raw[2:ln]


def _put_addr(c: Call, addr: int, lenp: int, nbaddr: bytes) -> None:
    """Copy a sockaddr out the Linux way: truncated to *lenp, *lenp = its full size."""
    if not addr or not lenp:
        return
    la = sockaddr_from_nb(nbaddr)
    room = c.proc.mem.u32(lenp)
    c.proc.mem.write(addr, la[:room])
    c.proc.mem.put_i32(lenp, len(la))


@handles("socket")
def sys_socket(c: Call) -> object:
    dom, typ, proto = i32(c.args[0]), c.args[1] & 0xFFFFFFFF, i32(c.args[2])
    if dom not in (L_AF_INET, L_AF_INET6):
        return CONTINUE
    nbtype = (typ & 0xF) | (nbs.SOCK_NONBLOCK if typ & L_SOCK_NONBLOCK else 0) | \
        (nbs.SOCK_CLOEXEC if typ & L_SOCK_CLOEXEC else 0)
    kfd = c.k.syscall(SYS.socket, nbs.AF_INET if dom == L_AF_INET else nbs.AF_INET6,
                      nbtype, proto)[0]
    return c.new_fd(kfd, bool(typ & L_SOCK_CLOEXEC))


@handles("socketpair")
def sys_socketpair(c: Call) -> object:
    if i32(c.args[0]) in (L_AF_INET, L_AF_INET6):
        raise Errno(95)
    return CONTINUE


def _addr_call(nb_num: int):
    def h(c: Call) -> object:
        kfd = c.kfd(c.args[0])
        if kfd is None:
            return CONTINUE
        raw = c.proc.mem.read(c.args[1], min(c.args[2] & 0xFFFFFFFF, 128))
        nb = sockaddr_to_nb(raw)
        return c.k.syscall(nb_num, kfd, nb, len(nb))[0]
    return h


handles("bind")(_addr_call(SYS.bind))
handles("connect")(_addr_call(SYS.connect))


@handles("listen")
def sys_listen(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    return CONTINUE if kfd is None else c.k.syscall(SYS.listen, kfd, i32(c.args[1]))[0]


@handles("shutdown")
def sys_shutdown(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    return CONTINUE if kfd is None else c.k.syscall(SYS.shutdown, kfd, i32(c.args[1]))[0]


@handles("accept", "accept4")
def sys_accept(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    flags = c.args[3] if c.n.nr == 288 else 0
    name, ln = Out(128), InOut(bytearray(struct.pack("<I", 128)))
    nbflags = (nbs.SOCK_NONBLOCK if flags & L_SOCK_NONBLOCK else 0) | \
        (nbs.SOCK_CLOEXEC if flags & L_SOCK_CLOEXEC else 0)
    k2 = c.k.syscall(SYS.paccept, kfd, name, ln, None, nbflags)[0]
    n = struct.unpack("<I", bytes(ln.buf))[0]
    _put_addr(c, c.args[1], c.args[2], bytes(name.buf[:n]))
    return c.new_fd(k2, bool(flags & L_SOCK_CLOEXEC))


def _name_call(nb_num: int):
    def h(c: Call) -> object:
        kfd = c.kfd(c.args[0])
        if kfd is None:
            return CONTINUE
        name, ln = Out(128), InOut(bytearray(struct.pack("<I", 128)))
        c.k.syscall(nb_num, kfd, name, ln)
        n = struct.unpack("<I", bytes(ln.buf))[0]
        _put_addr(c, c.args[1], c.args[2], bytes(name.buf[:n]))
        return 0
    return h


handles("getsockname")(_name_call(SYS.getsockname))
handles("getpeername")(_name_call(SYS.getpeername))


@handles("sendto")
def sys_sendto(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    data = c.proc.mem.read(c.args[1], min(c.args[2], 8 << 20))
    to = None
    if c.args[4]:
        to = sockaddr_to_nb(c.proc.mem.read(c.args[4], min(c.args[5] & 0xFFFFFFFF, 128)))
    return c.k.syscall(SYS.sendto, kfd, data, len(data), msg_flags(c.args[3]),
                       to, len(to) if to else 0)[0]


@handles("recvfrom")
def sys_recvfrom(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    buf = Out(min(c.args[2], 8 << 20))
    name, ln = Out(128), InOut(bytearray(struct.pack("<I", 128)))
    n = c.k.syscall(SYS.recvfrom, kfd, buf, len(buf.buf), msg_flags(c.args[3]),
                    name, ln)[0]
    c.proc.mem.write(c.args[1], buf.buf[:min(n, len(buf.buf))])
    got = struct.unpack("<I", bytes(ln.buf))[0]
    _put_addr(c, c.args[4], c.args[5], bytes(name.buf[:got]))
    return n


_MSGHDR = struct.Struct("<QI4xQQQQi4x")   # Linux struct msghdr


@handles("sendmsg", "recvmsg")
def sys_msg(c: Call) -> object:
    """Data and address only: control messages (descriptor passing) are refused."""
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    name, namelen, iov, iovlen, ctl, ctllen, _fl = _MSGHDR.unpack(
        c.proc.mem.read(c.args[1], _MSGHDR.size))
    if ctl and ctllen:
        raise Errno(95, "control messages on kernel sockets are not supported (EOPNOTSUPP)")
    vecs = c.proc.mem.iovecs(iov, iovlen)
    if c.n.nr == 46:
        data = b"".join(c.proc.mem.read(b, ln) for b, ln in vecs)
        to = sockaddr_to_nb(c.proc.mem.read(name, namelen)) if name else None
        return c.k.syscall(SYS.sendto, kfd, data, len(data), msg_flags(c.args[2]),
                           to, len(to) if to else 0)[0]
    total = sum(ln for _, ln in vecs)
    buf = Out(min(total, 8 << 20))
    nm, ln = Out(128), InOut(bytearray(struct.pack("<I", 128)))
    n = c.k.syscall(SYS.recvfrom, kfd, buf, len(buf.buf), msg_flags(c.args[2]), nm, ln)[0]
    off = 0
    for b, vl in vecs:
        if off >= n:
            break
        c.proc.mem.write(b, buf.buf[off:min(n, off + vl)])
        off += vl
    if name:
        got = struct.unpack("<I", bytes(ln.buf))[0]
        la = sockaddr_from_nb(bytes(nm.buf[:got]))
        c.proc.mem.write(name, la[:namelen])
        c.proc.mem.write(c.args[1] + 8, struct.pack("<I", len(la)))
    c.proc.mem.write(c.args[1] + 48, struct.pack("<i", 0))   # msg_flags
    return n


@handles("setsockopt", "getsockopt")
def sys_sockopt(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    lvl, opt = i32(c.args[1]), i32(c.args[2])
    m = _OPTS.get((lvl, opt))
    if m is None:
        raise Errno(92, f"socket option level {lvl} option {opt} on a kernel socket is "
                    "not supported (ENOPROTOOPT)")
    nlvl, nopt = m
    if c.n.nr == 54:   # set
        val = c.proc.mem.read(c.args[3], min(c.args[4] & 0xFFFFFFFF, 64))
        return c.k.syscall(SYS.setsockopt, kfd, nlvl, nopt, val, len(val))[0]
    room = c.proc.mem.u32(c.args[4])
    out, ln = Out(max(room, 4)), InOut(bytearray(struct.pack("<I", max(room, 4))))
    c.k.syscall(SYS.getsockopt, kfd, nlvl, nopt, out, ln)
    n = struct.unpack("<I", bytes(ln.buf))[0]
    val = bytes(out.buf[:n])
    if (lvl, opt) == (_SOL, 4) and len(val) >= 4:   # SO_ERROR: an errno
        from sysproxy.abi.errno import to_host
        val = struct.pack("<i", to_host(struct.unpack("<i", val[:4])[0]))
    c.proc.mem.write(c.args[3], val[:room])
    c.proc.mem.put_i32(c.args[4], min(n, room))
    return 0
