"""The IPC family: pipes, socketpairs, AF_LOCAL/AF_INET/AF_INET6 sockets, poll, select,
kqueue, fcntl, ioctl and sysctl reads.

Every descriptor is made non-blocking as soon as it exists (the creating call's
executor reads F_GETFL first, so what the kernel gave is still compared, then sets
O_NONBLOCK), F_SETFL always keeps O_NONBLOCK, FIONBIO only sets it, and poll,
select and kevent use zero timeouts: no call can block.

Ports: "P0".."P3" in an address are the sequence's own ports (a base both servers
share for one run, fresh for each run, so TIME_WAIT leftovers never collide); in
results they are mapped back, and ports the kernel picks (ephemeral) read "eph".

Steered around (never generated), reference bugs (docs/CONFORMANCE.md):
* a kqueue registered in a kqueue aborts NetBSD's server: kevent changes naming a
  descriptor that is a kqueue (the executor tracks kinds) are dropped;
* FIONWRITE/FIONSPACE on a pipe whose peer is closed dereferences NULL: never on pipes;
* a MSG_PEEK recv of a zero-length SOCK_SEQPACKET record spins forever: no MSG_PEEK
  on SOCK_SEQPACKET sockets;
* SO_LINGER with a non-zero time would make close() wait: only l_linger 0.
* MSG_WAITALL: NetBSD 7.99 sleeps in a MSG_WAITALL receive on a non-blocking socket
  (even with MSG_DONTWAIT) once part of the data has come, forever here (soreceive's
  WAITALL loop does not check for non-blocking); ours returns the part.
EVFILT_TIMER uses long periods only (a timer firing mid-sequence is timing, not
behaviour); EVFILT_PROC and F_SETOWN take pids, which are not compared.
"""
from __future__ import annotations

import random
import struct
import time
from typing import Any

from sysproxy.abi import event as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import ioctl as I
from sysproxy.abi import poll as P
from sysproxy.abi import socket as N
from sysproxy.abi import time as T
from sysproxy.client.errors import KernelError
from sysproxy.client.memory import Out

from .common import COMMON, CallTable, payload
from .runner import Op, Proc

# ---- helpers -----------------------------------------------------------------------


def _port(p: Proc, spec: Any) -> int:
    if isinstance(spec, str) and spec.startswith("P"):
        return int(p.env.get("port_base", 40000)) + int(spec[1:])
    return int(spec)


def _port_name(p: Proc, port: int) -> str | int:
    base = int(p.env.get("port_base", 40000))
    if base <= port < base + 8:
        return f"P{port - base}"
    return 0 if port == 0 else "eph"


def sockaddr(p: Proc, spec: Any) -> bytes:
    """("in", host, port) / ("in6", host, port) / ("un", path) / ("raw", bytes)."""
    kind = spec[0]
    if kind == "in":
        return N.pack_sockaddr_in(spec[1], _port(p, spec[2]))
    if kind == "in6":
        return N.pack_sockaddr_in6(spec[1], _port(p, spec[2]))
    if kind == "un":
        return N.pack_sockaddr_un(spec[1].encode())
    return bytes(spec[1])


def norm_addr(p: Proc, raw: bytes) -> Any:
    """A returned sockaddr with our port numbers named (and kernel-picked ones "eph")."""
    if len(raw) < 2:
        return ("short", raw.hex())
    try:
        fam, addr = N.unpack_sockaddr(raw)
    except ValueError:
        return ("raw", raw.hex())
    if fam == N.AF_INET:
        return ("in", raw[0], addr[0], _port_name(p, addr[1]))  # type: ignore[index]
    if fam == N.AF_INET6:
        a = addr
        return ("in6", raw[0], a[0], _port_name(p, a[1]), a[2], a[3])  # type: ignore[index]
    if fam == N.AF_LOCAL:
        return ("un", raw[0], addr)
    return ("fam", fam, raw.hex())


def _nonblock(p: Proc, fd: int) -> int:
    """F_GETFL (what the kernel gave), then O_NONBLOCK on: nothing may block later."""
    fl = p.sys("fcntl", fd, F.F_GETFL, 0)[0]
    p.sys("fcntl", fd, F.F_SETFL, fl | F.O_NONBLOCK)
    return fl


def _fdflags(p: Proc, fd: int) -> int:
    return p.sys("fcntl", fd, F.F_GETFD, 0)[0]


def _kind_of(domain: int, typ: int) -> str:
    return f"sock:{domain}:{typ & ~N.SOCK_FLAGS_MASK}"


# ---- the calls ---------------------------------------------------------------------


def c_pipe(p: Proc) -> tuple:
    a, b = p.sys("pipe")
    p.kinds[a], p.kinds[b] = "pipe", "pipe"
    return (a, b, _nonblock(p, a), _nonblock(p, b))


def c_pipe2(p: Proc, flags: int) -> tuple:
    buf = bytearray(8)
    p.sys("pipe2", Out(buf), flags)
    a, b = struct.unpack("<ii", buf)
    p.kinds[a], p.kinds[b] = "pipe", "pipe"
    fd = (_fdflags(p, a), _fdflags(p, b))
    return (a, b, _nonblock(p, a), _nonblock(p, b), fd)


def c_socketpair(p: Proc, domain: int, typ: int, proto: int) -> tuple:
    buf = bytearray(8)
    p.sys("socketpair", domain, typ, proto, Out(buf))
    a, b = struct.unpack("<ii", buf)
    p.kinds[a] = p.kinds[b] = _kind_of(domain, typ)
    return (a, b, _nonblock(p, a), _nonblock(p, b))


def c_socket(p: Proc, domain: int, typ: int, proto: int) -> tuple:
    fd = p.sys("__socket30", domain, typ, proto)[0]
    p.kinds[fd] = _kind_of(domain, typ)
    return (fd, _nonblock(p, fd))


def c_bind(p: Proc, fd: Any, addr: Any, sublen: int = 0) -> int:
    raw = sockaddr(p, addr)
    return p.sys("bind", p.fd(fd), raw, max(len(raw) - sublen, 0))[0]


def c_connect(p: Proc, fd: Any, addr: Any, sublen: int = 0) -> int:
    raw = sockaddr(p, addr)
    try:
        return p.sys("connect", p.fd(fd), raw, max(len(raw) - sublen, 0))[0]
    finally:
        time.sleep(0.001)   # let loopback packets be processed (the reference does it apart)


def c_listen(p: Proc, fd: Any, backlog: int) -> int:
    return p.sys("listen", p.fd(fd), backlog)[0]


def c_accept(p: Proc, fd: Any, namelen: int = 128, flags: int | None = None) -> tuple:
    buf = bytearray(max(namelen, 0) or 1)
    lenbuf = bytearray(struct.pack("<I", namelen & 0xFFFFFFFF))
    n = p.fd(fd)
    if flags is None:
        r = p.sys("accept", n, Out(buf), lenbuf)[0]
    else:
        r = p.sys("paccept", n, Out(buf), lenbuf, None, flags)[0]
    got = struct.unpack("<I", lenbuf)[0]
    if n in p.kinds:
        p.kinds[r] = p.kinds[n]
    return (r, got, norm_addr(p, bytes(buf[:min(got, len(buf))])), _fdflags(p, r),
            _nonblock(p, r))


def _name(p: Proc, call: str, fd: Any, namelen: int) -> tuple:
    buf = bytearray(max(namelen, 0) or 1)
    lenbuf = bytearray(struct.pack("<I", namelen & 0xFFFFFFFF))
    r = p.sys(call, p.fd(fd), Out(buf), lenbuf)[0]
    got = struct.unpack("<I", lenbuf)[0]
    return (r, got, norm_addr(p, bytes(buf[:min(got, len(buf))])))


def c_getsockname(p: Proc, fd: Any, namelen: int = 128) -> tuple:
    return _name(p, "getsockname", fd, namelen)


def c_getpeername(p: Proc, fd: Any, namelen: int = 128) -> tuple:
    return _name(p, "getpeername", fd, namelen)


def c_shutdown(p: Proc, fd: Any, how: int) -> int:
    try:
        return p.sys("shutdown", p.fd(fd), how)[0]
    finally:
        time.sleep(0.001)


def c_sendto(p: Proc, fd: Any, spec: bytes | int, flags: int, addr: Any = None) -> int:
    raw = sockaddr(p, addr) if addr is not None else None
    data = payload(spec)
    try:
        return p.sys("sendto", p.fd(fd), data, len(data), flags | N.MSG_DONTWAIT, raw,
                     len(raw) if raw is not None else 0)[0]
    finally:
        time.sleep(0.001)


def c_recvfrom(p: Proc, fd: Any, n: int, flags: int, want_from: bool = True) -> tuple:
    n_fd = p.fd(fd)
    if flags & N.MSG_PEEK and p.kinds.get(n_fd, "").endswith(f":{N.SOCK_SEQPACKET}"):
        return ("avoided", "MSG_PEEK on SOCK_SEQPACKET (reference bug)")
    buf = bytearray(n)
    frm = bytearray(128) if want_from else None
    flen = bytearray(struct.pack("<I", 128)) if want_from else None
    r = p.sys("recvfrom", n_fd, Out(buf), n, flags | N.MSG_DONTWAIT,
              Out(frm) if frm is not None else None, flen)[0]
    src: Any = None
    if frm is not None and flen is not None:
        got = struct.unpack("<I", flen)[0]
        src = (got, norm_addr(p, bytes(frm[:min(got, 128)])) if got else None)
    return (r, bytes(buf[:r]), src)


def c_sendmsg_fds(p: Proc, fd: Any, data: bytes, pass_fds: tuple) -> int:
    """sendmsg with SCM_RIGHTS passing ``pass_fds`` (kqueues are never passed)."""
    fds = [p.fd(x) for x in pass_fds]
    fds = [x for x in fds if p.kinds.get(x) != "kq"]
    ctl = N.pack_cmsg(N.SOL_SOCKET, N.SCM_RIGHTS, struct.pack(f"<{len(fds)}i", *fds))
    mem = p.conn.memory
    slots = []
    try:
        s1, a_data = mem.register(data, True, False)
        slots.append(s1)
        iov = N.IOVEC.pack(a_data, len(data))
        s2, a_iov = mem.register(iov, True, False)
        slots.append(s2)
        s3, a_ctl = mem.register(ctl, True, False)
        slots.append(s3)
        hdr = N.pack_msghdr(0, 0, a_iov, 1, a_ctl if fds else 0, len(ctl) if fds else 0, 0)
        return p.sys("sendmsg", p.fd(fd), hdr, N.MSG_DONTWAIT)[0]
    finally:
        for s in slots:
            mem.unregister(s)
        time.sleep(0.001)


def c_recvmsg_fds(p: Proc, fd: Any, n: int, ctllen: int, flags: int) -> tuple:
    """recvmsg with a control buffer; received descriptors are noted as unknown kinds
    unless they are closed again; returns (n, data, msg_flags, [(level, type, len)])."""
    n_fd = p.fd(fd)
    if flags & N.MSG_PEEK and p.kinds.get(n_fd, "").endswith(f":{N.SOCK_SEQPACKET}"):
        return ("avoided", "MSG_PEEK on SOCK_SEQPACKET (reference bug)")
    mem = p.conn.memory
    data = bytearray(n)
    ctl = bytearray(ctllen)
    slots = []
    try:
        s1, a_data = mem.register(data, False, True)
        slots.append(s1)
        iov = N.IOVEC.pack(a_data, n)
        s2, a_iov = mem.register(iov, True, False)
        slots.append(s2)
        s3, a_ctl = mem.register(ctl, False, True)
        slots.append(s3)
        hdr = bytearray(N.pack_msghdr(0, 0, a_iov, 1, a_ctl if ctllen else 0, ctllen, 0))
        r = p.sys("recvmsg", n_fd, hdr, flags | N.MSG_DONTWAIT)[0]
    finally:
        for s in slots:
            mem.unregister(s)
    _name_, _nl, _iov, _iovlen, _c, clen, mflags = N.unpack_msghdr(bytes(hdr))
    cm: list[tuple] = []
    try:
        msgs = N.unpack_cmsgs(bytes(ctl[:clen]))
    except ValueError:
        msgs = []
    for level, typ, body in msgs:
        if level == N.SOL_SOCKET and typ == N.SCM_RIGHTS:
            got = struct.unpack(f"<{len(body) // 4}i", body[:len(body) // 4 * 4])
            for x in got:
                p.kinds[x] = "passed"
                try:
                    _nonblock(p, x)
                except KernelError:
                    if not p.conn.alive:
                        raise
            cm.append((level, typ, got))
        else:
            cm.append((level, typ, len(body)))
    return (r, bytes(data[:r]), mflags, clen, tuple(cm))


def c_setsockopt(p: Proc, fd: Any, level: int, name: int, value: Any) -> int:
    if isinstance(value, int):
        raw = struct.pack("<i", value)
    else:
        raw = bytes(value)
    return p.sys("setsockopt", p.fd(fd), level, name, raw, len(raw))[0]


def c_getsockopt(p: Proc, fd: Any, level: int, name: int, n: int) -> tuple:
    buf = bytearray(max(n, 0) or 1)
    lenbuf = bytearray(struct.pack("<I", n & 0xFFFFFFFF))
    r = p.sys("getsockopt", p.fd(fd), level, name, Out(buf), lenbuf)[0]
    got = struct.unpack("<I", lenbuf)[0]
    return (r, got, bytes(buf[:min(got, len(buf))]).hex())


def c_ioctl_ipc(p: Proc, fd: Any, cmd: int, value: int = 0) -> tuple:
    n = p.fd(fd)
    if cmd in (I.FIONWRITE, I.FIONSPACE) and p.kinds.get(n) == "pipe":
        return ("avoided", "FIONWRITE/FIONSPACE on a pipe (reference bug)")
    if cmd == I.FIONBIO:
        value = 1   # never blocking
    buf = bytearray(struct.pack("<i", value))
    r = p.sys("ioctl", n, cmd, buf)[0]
    return (r, struct.unpack("<i", buf)[0])


def c_fcntl_ipc(p: Proc, fd: Any, cmd: int, arg: int = 0) -> int:
    if cmd == F.F_SETFL:
        arg |= F.O_NONBLOCK    # never blocking
    return COMMON["fcntl"](p, fd, cmd, arg)


def c_poll(p: Proc, fds: tuple, nfds: int | None = None) -> tuple:
    pf = [(p.fd(fd), ev, 0) for fd, ev in fds]
    buf = bytearray(P.pack_pollfds(pf)) if pf else bytearray(8)
    n = len(pf) if nfds is None else nfds
    r = p.sys("poll", buf, n, 0)[0]
    return (r, tuple(rev for _fd, _ev, rev in P.unpack_pollfds(bytes(buf), len(pf))))


def _fdset(p: Proc, fds: tuple, nbytes: int) -> bytearray:
    b = bytearray(nbytes)
    for x in fds:
        n = p.fd(x)
        if 0 <= n < nbytes * 8:
            b[n // 8] |= 1 << (n % 8)
    return b


def _bits(b: bytearray) -> tuple:
    return tuple(i for i in range(len(b) * 8) if b[i // 8] >> (i % 8) & 1)


def c_select(p: Proc, nd: int, rd: tuple, wr: tuple, ex: tuple) -> tuple:
    # fd_set buffers cover nd bits (at least 8 bytes; within reason when nd is huge)
    nbytes = max(8, ((max(nd, 0) + 63) // 64) * 8) if nd <= 4096 else 512
    sets = [_fdset(p, s, nbytes) if s is not None else None for s in (rd, wr, ex)]
    tv = T.TIMEVAL.pack(0, 0)
    r = p.sys("__select50", nd, *sets, tv)[0]
    return (r,) + tuple(_bits(s) if s is not None else None for s in sets)


def c_kqueue(p: Proc, flags: int | None = None) -> tuple:
    if flags is None:
        fd = p.sys("kqueue")[0]
    else:
        fd = p.sys("kqueue1", flags)[0]
    p.kinds[fd] = "kq"
    return (fd, _fdflags(p, fd), p.sys("fcntl", fd, F.F_GETFL, 0)[0])


def c_kevent(p: Proc, kq: Any, changes: tuple, nevents: int) -> tuple:
    evs = []
    dropped = 0
    for ident, filt, flags, fflags, data in changes:
        n = p.fd(ident) if isinstance(ident, str) else ident
        if p.kinds.get(n) == "kq" and filt in (E.EVFILT_READ, E.EVFILT_WRITE):
            dropped += 1     # a kqueue in a kqueue aborts NetBSD's server
            continue
        evs.append((n, filt & 0xFFFFFFFF, flags, fflags, data, 0))
    ch = E.pack_kevents(evs) if evs else None
    out = bytearray(max(nevents, 0) * E.KEVENT_SIZE) if nevents > 0 else None
    ts = T.TIMESPEC.pack(0, 0)
    r = p.sys("__kevent50", p.fd(kq), ch, len(evs), Out(out) if out is not None else None,
              max(nevents, 0), ts)[0]
    got = E.unpack_kevents(bytes(out), r) if out is not None and r > 0 else []
    return (r, dropped, tuple((i, f, fl, ff, d) for i, f, fl, ff, d, _u in got))


def c_sysctl(p: Proc, mib: tuple, oldlen: int | None) -> tuple:
    name = struct.pack(f"<{len(mib)}i", *mib)
    if oldlen is None:
        lenbuf = bytearray(8)
        r = p.sys("__sysctl", name, len(mib), None, lenbuf, None, 0)[0]
        return (r, struct.unpack("<Q", lenbuf)[0])
    old = bytearray(oldlen or 1)
    lenbuf = bytearray(struct.pack("<Q", oldlen))
    r = p.sys("__sysctl", name, len(mib), Out(old) if oldlen else None, lenbuf, None, 0)[0]
    got = struct.unpack("<Q", lenbuf)[0]
    return (r, got, bytes(old[:min(got, oldlen)]).hex())


CALLS: CallTable = dict(COMMON)
CALLS.update({
    "pipe": c_pipe, "pipe2": c_pipe2, "socketpair": c_socketpair, "socket": c_socket,
    "bind": c_bind, "connect": c_connect, "listen": c_listen, "accept": c_accept,
    "getsockname": c_getsockname, "getpeername": c_getpeername, "shutdown": c_shutdown,
    "sendto": c_sendto, "recvfrom": c_recvfrom, "sendmsg_fds": c_sendmsg_fds,
    "recvmsg_fds": c_recvmsg_fds, "setsockopt": c_setsockopt, "getsockopt": c_getsockopt,
    "ioctl": c_ioctl_ipc, "fcntl": c_fcntl_ipc, "poll": c_poll, "select": c_select,
    "kqueue": c_kqueue, "kevent": c_kevent, "sysctl": c_sysctl,
})
del CALLS["ioctl_int"]

# ---- the generator -------------------------------------------------------------------

DOMAINS = [N.AF_LOCAL, N.AF_INET, N.AF_INET6]
TYPES = [N.SOCK_STREAM, N.SOCK_DGRAM, N.SOCK_SEQPACKET, N.SOCK_RAW, N.SOCK_RDM, 0, 99]
TYPE_FLAGS = [0, N.SOCK_NONBLOCK, N.SOCK_CLOEXEC, N.SOCK_NOSIGPIPE, 0x08000000]
UN_PATHS = ["s1", "s2", "d", "nx/s", "", "s" * 103, "s" * 104]
SLOTS = [f"#{i}" for i in range(10)]
SOCKOPTS = [  # (level, name, values to set)
    (N.SOL_SOCKET, N.SO_REUSEADDR, [0, 1]), (N.SOL_SOCKET, N.SO_REUSEPORT, [0, 1]),
    (N.SOL_SOCKET, N.SO_KEEPALIVE, [0, 1]), (N.SOL_SOCKET, N.SO_BROADCAST, [1]),
    (N.SOL_SOCKET, N.SO_OOBINLINE, [1]), (N.SOL_SOCKET, N.SO_SNDBUF, [0, 1, 4096, -1, 1 << 30]),
    (N.SOL_SOCKET, N.SO_RCVBUF, [0, 2048, 1 << 20, -5]),
    (N.SOL_SOCKET, N.SO_SNDLOWAT, [0, 1, 100000]), (N.SOL_SOCKET, N.SO_RCVLOWAT, [0, 1, 7]),
    (N.SOL_SOCKET, N.SO_NOSIGPIPE, [0, 1]), (N.SOL_SOCKET, N.SO_TIMESTAMP, [1]),
    (N.SOL_SOCKET, N.SO_ERROR, [0]), (N.SOL_SOCKET, N.SO_TYPE, [1]),
    (N.SOL_SOCKET, N.SO_ACCEPTCONN, [1]), (N.SOL_SOCKET, N.SO_DEBUG, [1]),
    (N.SOL_SOCKET, N.SO_DONTROUTE, [1]), (N.SOL_SOCKET, 0x7777, [1]),
    (N.IPPROTO_TCP, N.TCP_NODELAY, [0, 1]), (N.IPPROTO_TCP, N.TCP_MAXSEG, [0, 536, 1 << 20]),
    (N.IPPROTO_IP, N.IP_TTL, [0, 64, 255, 256, -1]), (N.IPPROTO_IP, N.IP_TOS, [0, 0x10]),
    (N.IPPROTO_IPV6, N.IPV6_V6ONLY, [0, 1]), (N.IPPROTO_IPV6, N.IPV6_UNICAST_HOPS, [-1, 5, 256]),
    (N.SOL_LOCAL, N.LOCAL_CREDS, [0, 1]), (N.SOL_LOCAL, N.LOCAL_CONNWAIT, [1]),
    (N.SOL_LOCAL, N.LOCAL_PEEREID, [0]), (999, 1, [1]),
]
SYSCTLS = [(1, 1), (1, 2), (1, 3), (1, 6), (1, 8), (1, 17), (1, 18), (1, 19), (1, 20),
           (1, 38), (1, 44), (1, 66), (1, 67), (6, 1), (6, 4), (6, 7), (6, 10), (6, 11),
           (1, 9999), (9999,), (1,), (4, 2, 0, 1), (4, 2, 0, 3), (4, 2, 6, 8), (4, 2, 6, 9)]
UIDS = [0, 1000, 1001]
GIDS = [0, 100, 101]


class Gen:
    """The generator: a rough model of what each slot holds, to hit live objects often."""

    def __init__(self, seed: int, max_procs: int = 3) -> None:
        self.r = random.Random(f"ipc:{seed}")
        self.procs = [0]
        self.max_procs = max_procs
        self.ops: list[Op] = []
        self.model: dict[str, tuple] = {}    # slot -> (kind, domain, type)

    def slot(self) -> str:
        return self.r.choice(SLOTS)

    def fd(self, want: str | None = None) -> Any:
        r = self.r
        if r.random() < 0.06:
            return r.choice([-1, 63, 1 << 20, 0x7FFFFFFF])
        live = [s for s, m in self.model.items() if want is None or m[0] == want]
        if live and r.random() < 0.85:
            return r.choice(live)
        return self.slot()

    def sock(self, typ: int | None = None) -> Any:
        live = [s for s, m in self.model.items()
                if m[0] == "sock" and (typ is None or m[2] == typ)]
        if live and self.r.random() < 0.85:
            return self.r.choice(live)
        return self.fd()

    def addr(self, domain: int | None = None) -> tuple:
        r = self.r
        d = domain if domain in DOMAINS and r.random() < 0.9 else r.choice(DOMAINS)
        port = r.choice(["P0", "P1", "P2", "P3", "P0", "P1", 0])
        if d == N.AF_INET:
            host = r.choice(["127.0.0.1"] * 6 + ["0.0.0.0", "10.9.9.9", "255.255.255.255",
                                                 "127.0.0.2"])
            return ("in", host, port)
        if d == N.AF_INET6:
            host = r.choice(["::1"] * 6 + ["::", "::ffff:127.0.0.1", "fe80::1"])
            return ("in6", host, port)
        return ("un", r.choice(UN_PATHS))

    def data(self) -> int:
        return self.r.choice([0, 1, 5, 100, 3000, 70000])   # common.payload(n)

    def op(self) -> Op | None:
        r = self.r
        p = r.choice(self.procs)
        if len(self.procs) < self.max_procs and r.random() < 0.04:
            child = len(self.procs)
            self.procs.append(child)
            self.ops.append((p, "fork", (), (child,)))
            groups = tuple(sorted(r.sample([0, 100, 101], r.randrange(3))))
            return (child, "setcred", (groups, r.choice(GIDS), r.choice(UIDS), 0o022))
        kind = r.choices(
            ["pipe", "socketpair", "socket", "bind", "connect", "listen", "accept",
             "name", "send", "recv", "rw", "msg", "sockopt", "ioctl", "fcntl", "poll",
             "select", "kqueue", "kevent", "close", "dup", "shutdown", "sysctl", "fstat"],
            [4, 5, 7, 5, 6, 4, 5, 3, 8, 8, 5, 3, 5, 4, 4, 4, 3, 2, 4, 4, 2, 3, 2, 2])[0]
        if kind == "pipe":
            a, b = self.slot(), self.slot()
            while b == a:
                b = self.slot()
            self.model[a] = self.model[b] = ("pipe", 0, 0)
            if r.random() < 0.4:
                return (p, "pipe", (), (a, b))
            flags = r.choice([0, F.O_CLOEXEC, F.O_NONBLOCK, F.O_NOSIGPIPE,
                              F.O_CLOEXEC | F.O_NONBLOCK, F.O_APPEND, 0x80000000, -1])
            return (p, "pipe2", (flags,), (a, b))
        if kind == "socketpair":
            a, b = self.slot(), self.slot()
            while b == a:
                b = self.slot()
            d = r.choice([N.AF_LOCAL] * 8 + [N.AF_INET, 0, 99])
            t = r.choice([N.SOCK_STREAM, N.SOCK_STREAM, N.SOCK_DGRAM, N.SOCK_SEQPACKET, 0, 9])
            self.model[a] = self.model[b] = ("sock", d, t)
            return (p, "socketpair", (d, t | r.choice(TYPE_FLAGS), r.choice([0, 0, 0, 1, 6])),
                    (a, b))
        if kind == "socket":
            a = self.slot()
            d = r.choice(DOMAINS * 3 + [0, 99, 34])
            t = r.choice([N.SOCK_STREAM, N.SOCK_STREAM, N.SOCK_DGRAM, N.SOCK_DGRAM,
                          N.SOCK_SEQPACKET] + TYPES)
            proto = r.choice([0] * 6 + [N.IPPROTO_TCP, N.IPPROTO_UDP, 99, -1])
            self.model[a] = ("sock", d, t)
            return (p, "socket", (d, t | r.choice(TYPE_FLAGS), proto), (a,))
        if kind in ("bind", "connect"):
            s = self.sock()
            dom = self.model.get(s, ("", None, 0))[1] if isinstance(s, str) else None
            extra = (r.choice([1, 2, 8]),) if r.random() < 0.05 else ()   # (shorter only)
            return (p, kind, (s, self.addr(dom)) + extra)
        if kind == "listen":
            return (p, "listen", (self.sock(), r.choice([0, 1, 5, 128, -1, 1 << 20])))
        if kind == "accept":
            a = self.slot()
            s = self.sock(N.SOCK_STREAM)
            self.model[a] = self.model.get(s, ("sock", 0, N.SOCK_STREAM)) \
                if isinstance(s, str) else ("sock", 0, N.SOCK_STREAM)
            namelen = r.choice([128, 128, 128, 0, 2, 16, 200, -1])
            if r.random() < 0.4:
                return (p, "accept", (s, namelen, r.choice(
                    [0, N.SOCK_NONBLOCK, N.SOCK_CLOEXEC, N.SOCK_NOSIGPIPE, 0x1])), (a,))
            return (p, "accept", (s, namelen), (a,))
        if kind == "name":
            return (p, r.choice(["getsockname", "getpeername"]),
                    (self.sock(), r.choice([128, 128, 0, 1, 8, 16, 27, 28])))
        if kind == "send":
            s = self.sock()
            flags = r.choice([0, 0, 0, N.MSG_OOB, N.MSG_EOR, N.MSG_NOSIGNAL, N.MSG_DONTROUTE,
                              0x10000000])
            if r.random() < 0.3:
                dom = self.model.get(s, ("", None, 0))[1] if isinstance(s, str) else None
                return (p, "sendto", (s, self.data(), flags, self.addr(dom)))
            return (p, "sendto", (s, self.data(), flags))
        if kind == "recv":
            flags = r.choice([0, 0, 0, N.MSG_PEEK, N.MSG_OOB, N.MSG_TRUNC,
                              N.MSG_PEEK | N.MSG_TRUNC])   # (no MSG_WAITALL: see above)
            return (p, "recvfrom", (self.sock(), r.choice([0, 1, 4, 100, 4096, 80000]), flags,
                                    r.random() < 0.5))
        if kind == "rw":
            if r.random() < 0.5:
                return (p, "read", (self.fd(), r.choice([0, 1, 10, 4096, 80000])))
            return (p, "write", (self.fd(), self.data()))
        if kind == "msg":
            if r.random() < 0.5:
                return (p, "sendmsg_fds", (self.sock(N.SOCK_STREAM), b"m",
                                           tuple(self.fd() for _ in range(r.randrange(3)))))
            return (p, "recvmsg_fds", (self.sock(), r.choice([0, 1, 16]),
                                       r.choice([0, 16, 24, 64]), r.choice([0, N.MSG_PEEK])))
        if kind == "sockopt":
            level, name, values = r.choice(SOCKOPTS)
            if r.random() < 0.5:
                v: Any = r.choice(values)
                if name == N.SO_LINGER:
                    v = N.LINGER.pack(1, 0)
                return (p, "setsockopt", (self.sock(), level, name, v))
            return (p, "getsockopt", (self.sock(), level, name, r.choice([4, 4, 4, 0, 1, 8])))
        if kind == "ioctl":
            cmd = r.choice([I.FIONREAD, I.FIONREAD, I.FIONWRITE, I.FIONSPACE, I.FIONBIO,
                            I.FIOASYNC, I.FIOCLEX, I.FIONCLEX, I.FIOGETOWN])
            return (p, "ioctl", (self.fd(), cmd, r.choice([0, 1])))
        if kind == "fcntl":
            cmd = r.choice([F.F_GETFL, F.F_GETFL, F.F_SETFL, F.F_GETFD, F.F_SETFD,
                            F.F_GETNOSIGPIPE, F.F_SETNOSIGPIPE, F.F_GETOWN, F.F_DUPFD])
            arg = r.choice([0, 1, F.O_APPEND, F.O_ASYNC, F.O_NOSIGPIPE, 5])
            if cmd == F.F_DUPFD:
                return (p, "fcntl", (self.fd(), cmd, arg), (self.slot(),))
            return (p, "fcntl", (self.fd(), cmd, arg))
        if kind == "poll":
            fds = tuple((self.fd(), r.choice([P.POLLIN, P.POLLOUT, P.POLLIN | P.POLLOUT,
                                              P.POLLPRI | P.POLLRDNORM | P.POLLWRNORM, 0,
                                              0x7FFF]))
                        for _ in range(r.randrange(1, 5)))
            return (p, "poll", (fds,))
        if kind == "select":
            nd = r.choice([1, 8, 16, 64, 64, 64, 0, -1, 1 << 20, 100000, 65])
            sets = tuple(tuple(self.fd() for _ in range(r.randrange(3)))
                         if r.random() < 0.7 else None for _ in range(3))
            return (p, "select", (nd,) + sets)
        if kind == "kqueue":
            a = self.slot()
            self.model[a] = ("kq", 0, 0)
            if r.random() < 0.5:
                return (p, "kqueue", (), (a,))
            return (p, "kqueue", (r.choice([0, F.O_CLOEXEC, F.O_NONBLOCK, F.O_NOSIGPIPE,
                                            F.O_APPEND, F.O_RDWR]),), (a,))
        if kind == "kevent":
            changes = []
            for _ in range(r.randrange(0, 3)):
                filt = r.choice([E.EVFILT_READ, E.EVFILT_READ, E.EVFILT_WRITE, E.EVFILT_TIMER,
                                 E.EVFILT_SIGNAL, 8, 99, -1])
                flags = r.choice([E.EV_ADD, E.EV_ADD, E.EV_ADD | E.EV_CLEAR,
                                  E.EV_ADD | E.EV_ONESHOT, E.EV_DELETE, E.EV_ENABLE,
                                  E.EV_DISABLE, E.EV_ADD | E.EV_DISABLE, 0])
                if filt == E.EVFILT_TIMER:
                    ident: Any = r.randrange(4)
                    data = r.choice([600000, 10 ** 7])   # never fires within a sequence
                elif filt == E.EVFILT_SIGNAL:
                    ident, data = r.choice([1, 15, 30, 0, 64, 1000]), 0
                else:
                    ident, data = self.fd(), r.choice([0, 0, 1, 100])
                changes.append((ident, filt, flags, r.choice([0, 0, 1, 0xFFFFFFFF]), data))
            return (p, "kevent", (self.fd("kq"), tuple(changes), r.choice([0, 1, 4, 8])))
        if kind == "close":
            s = self.fd()
            if isinstance(s, str):
                self.model.pop(s, None)
            return (p, "close", (s,))
        if kind == "dup":
            a = self.slot()
            src = self.fd()
            self.model[a] = self.model.get(src, ("?", 0, 0)) if isinstance(src, str) \
                else ("?", 0, 0)
            if r.random() < 0.5:
                return (p, "dup", (src,), (a,))
            return (p, "dup2", (src, a), (a,))
        if kind == "shutdown":
            return (p, "shutdown", (self.sock(), r.choice([0, 1, 2, 2, 3, -1])))
        if kind == "sysctl":
            mib = r.choice(SYSCTLS)
            return (p, "sysctl", (mib, r.choice([None, 1024, 1024, 0, 1, 4, 8])))
        return (p, "fstat", (self.fd(),))


def generate(seed: int, calls: int = 200) -> list[Op]:
    g = Gen(seed)
    while len(g.ops) < calls:
        op = g.op()
        if op is not None:
            g.ops.append(op)
    return g.ops[:calls]
