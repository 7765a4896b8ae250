"""AF_INET and AF_INET6 inside the kernel: loopback only, TCP-like and UDP-like.

Nothing leaves the kernel: 127.0.0.0/8 and ::1 (and the wildcard addresses)
are the only local addresses; a connection joins two kernel sockets. Port
binding follows NetBSD's in_pcbbind_port: with neither SO_REUSEADDR nor
SO_REUSEPORT, wildcard matches count; SO_REUSEPORT on both sides allows a
duplicate; connected sockets only clash with binders that count wildcards.
Ephemeral ports count down from 65535 within [49152, 65535] (the "bsd"
port algorithm). IPv6 sockets are v6-only, NetBSD's default. Buffer sizes:
TCP 32768/32768, UDP 9216 send, 41600 receive.
"""
from __future__ import annotations

import socket as _host
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import socket as S
from ..errors import KernelError
from .base import SS_CANTRCVMORE, SS_CANTSENDMORE, SS_ISCONNECTED, SS_ISCONNECTING, SS_ISDISCONNECTED, Socket

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..lwp import Lwp

ANONPORTMIN, ANONPORTMAX = 49152, 65535
LOWPORTMIN, LOWPORTMAX = 600, 1023  # net.inet.ip.lowportmin/lowportmax
IP_PORTRANGE, IPV6_PORTRANGE, IP_PORTRANGE_LOW = 19, 14, 2
IPPORT_RESERVED = 1024

Addr = tuple[int, str, int]  # family, host, port


class PortTable:
    """One protocol's bound sockets (TCP or UDP), shared by IPv4 and IPv6."""

    def __init__(self) -> None:
        self.socks: list[InetSocket] = []
        self.lastport = ANONPORTMAX
        self.lastlow = LOWPORTMAX

    def lookup(self, family: int, host: str, port: int, wild: bool,
               skip: "InetSocket | None" = None) -> "InetSocket | None":
        """in_pcblookup_port: the best match for (host, port), or None."""
        best, bestwild = None, 3
        for s in self.socks:
            if s is skip or s.laddr is None or s.family != family or s.laddr[2] != port:
                continue
            w = 1 if s.faddr is not None else 0
            shost = s.laddr[1]
            if _any(shost):
                if not _any(host):
                    w += 1
            elif _any(host):
                w += 1
            elif shost != host:
                continue
            if w and not wild:
                continue
            if w < bestwild:
                best, bestwild = s, w
                if w == 0:
                    break
        return best

    def anonport(self, family: int, host: str, low: bool = False) -> int:
        """in_pcbsetport: count down through [ANONPORTMIN, ANONPORTMAX], or through
        [LOWPORTMIN, LOWPORTMAX] for a socket with IP_PORTRANGE_LOW."""
        lo, hi = (LOWPORTMIN, LOWPORTMAX) if low else (ANONPORTMIN, ANONPORTMAX)
        last = self.lastlow if low else self.lastport
        port = last - 1
        for _ in range(hi - lo + 1):
            if port < lo or port > hi:
                port = hi
            if self.lookup(family, host, port, True) is None:
                if low:
                    self.lastlow = port
                else:
                    self.lastport = port
                return port
            port -= 1
        raise KernelError(E.EAGAIN)


def _any(host: str) -> bool:
    return host in ("0.0.0.0", "::")


def _local(family: int, host: str) -> bool:
    if _any(host):
        return True
    if family == S.AF_INET:
        return _host.inet_pton(_host.AF_INET, host)[0] == 127  # 127.0.0.0/8
    return host == "::1"


class InetSocket(Socket):
    def __init__(self, kernel: "Kernel", family: int, type: int, protocol: int,
                 uid: int = 0, gid: int = 0, pid: int = 0) -> None:
        if type == S.SOCK_DGRAM:
            self.atomic, self.connreq = True, False
            self.sndspace, self.rcvspace = 9216, 41600
        else:
            self.sndspace = self.rcvspace = 32768
        super().__init__(kernel, family, type, protocol, uid, gid, pid)
        self.family = family
        self.laddr: Addr | None = None
        self.faddr: Addr | None = None
        self.anonport = False
        self.dropped = False  # tcp_close freed the pcb: the socket is an empty shell
        self.table: PortTable = kernel.inet_tables[S.SOCK_DGRAM if type == S.SOCK_DGRAM else S.SOCK_STREAM]

    # -- addresses -----------------------------------------------------------
    def _parse(self, addr: bytes) -> tuple[str, int]:
        size = S.SOCKADDR_IN_SIZE if self.family == S.AF_INET else S.SOCKADDR_IN6_SIZE
        if len(addr) != size and not (self.family == S.AF_INET6 and len(addr) >= size):
            raise KernelError(E.EINVAL)
        if addr[1] != self.family:
            raise KernelError(E.EAFNOSUPPORT)
        fam, val = S.unpack_sockaddr(addr)
        return val[0], val[1]  # type: ignore[index]

    def _pack(self, a: Addr | None) -> bytes:
        if a is None:
            a = (self.family, "0.0.0.0" if self.family == S.AF_INET else "::", 0)
        if a[0] == S.AF_INET:
            return S.pack_sockaddr_in(a[1], a[2])
        return S.pack_sockaddr_in6(a[1], a[2])

    def _pcb(self) -> None:
        """tcp_getpcb: every protocol request on a dropped connection is EINVAL."""
        if self.dropped:
            raise KernelError(E.EINVAL)

    def drop(self, err: int) -> None:
        """tcp_drop/tcp_close: so_error set, the port freed, soisdisconnected."""
        self.dropped = True
        self.faddr = None
        self.error = err
        self.state = (self.state & ~(SS_ISCONNECTING | SS_ISCONNECTED)) \
            | SS_ISDISCONNECTED | SS_CANTRCVMORE | SS_CANTSENDMORE
        self.detach()
        self.changed()

    def sockname(self) -> bytes:
        self._pcb()
        return self._pack(self.laddr)

    def peername(self) -> bytes:
        self._pcb()
        if self.faddr is None or (self.connreq and not self.connected):
            raise KernelError(E.ENOTCONN)
        return self._pack(self.faddr)

    def accept_name(self) -> bytes | None:
        return self._pack(self.faddr) if self.faddr is not None else None

    def source_address(self) -> bytes | None:
        a = self.laddr
        if a is not None and _any(a[1]):
            a = (a[0], "127.0.0.1" if a[0] == S.AF_INET else "::1", a[2])
        return self._pack(a)

    # -- binding -------------------------------------------------------------
    def _bind(self, lwp: "Lwp", host: str, port: int) -> None:
        if not _local(self.family, host):
            raise KernelError(E.EADDRNOTAVAIL)
        t = self.table
        if port == 0:
            opts = getattr(self, "ipopts", {})
            key = (S.IPPROTO_IP, IP_PORTRANGE) if self.family == S.AF_INET else \
                (S.IPPROTO_IPV6, IPV6_PORTRANGE)
            low = int.from_bytes(opts.get(key, b"\0\0\0\0"), "little") == IP_PORTRANGE_LOW
            if low and not lwp.proc.cred.is_root:
                raise KernelError(E.EACCES)
            port = t.anonport(self.family, host, low)
            self.anonport = True  # INP_ANONPORT: the kernel chose the port
        else:
            if port < IPPORT_RESERVED and not lwp.proc.cred.is_root:
                raise KernelError(E.EACCES)
            wild = not self.options & (S.SO_REUSEADDR | S.SO_REUSEPORT)
            other = t.lookup(self.family, host, port, wild)
            if other is not None and not (self.options & S.SO_REUSEPORT & other.options):
                raise KernelError(E.EADDRINUSE)
        self.laddr = (self.family, host, port)
        t.socks.append(self)

    async def bind(self, lwp: "Lwp", addr: bytes) -> None:
        self._pcb()
        host, port = self._parse(addr)
        if self.laddr is not None:
            raise KernelError(E.EINVAL)
        self._bind(lwp, host, port)

    def _autobind(self, lwp: "Lwp", peer_host: str) -> None:
        if self.laddr is None:
            self._bind(lwp, "0.0.0.0" if self.family == S.AF_INET else "::", 0)
        if _any(self.laddr[1]) and self.faddr is not None:  # type: ignore[index]
            self.laddr = (self.family, peer_host if _local(self.family, peer_host) else
                          ("127.0.0.1" if self.family == S.AF_INET else "::1"), self.laddr[2])  # type: ignore[index]

    def _find_listener(self, host: str, port: int) -> "InetSocket | None":
        best = None
        for s in self.table.socks:
            if s.listening and s.family == self.family and s.laddr is not None \
                    and s.laddr[2] == port and not s.closed:
                if s.laddr[1] == host:
                    return s
                if _any(s.laddr[1]):
                    best = s
        return best

    # -- connections ---------------------------------------------------------
    def listen(self, lwp: "Lwp", backlog: int) -> None:
        self._pcb()
        if not self.connreq:
            raise KernelError(E.EOPNOTSUPP)
        if self.connected or self.state & SS_ISCONNECTING:
            raise KernelError(E.EINVAL)
        if self.laddr is None:
            self._bind(lwp, "0.0.0.0" if self.family == S.AF_INET else "::", 0)
        self.listening = True
        self.options |= S.SO_ACCEPTCONN
        self.backlog = backlog

    async def connect(self, lwp: "Lwp", addr: bytes) -> None:
        self._pcb()
        host, port = self._parse(addr)
        if self.listening:
            raise KernelError(E.EOPNOTSUPP)
        if not self.connreq:
            if _any(host):
                host = "127.0.0.1" if self.family == S.AF_INET else "::1"
            self.faddr = (self.family, host, port)
            self._autobind(lwp, host)
            self.state |= SS_ISCONNECTED
            self.changed()
            return
        if self.connected:
            raise KernelError(E.EISCONN)
        if self.state & SS_ISCONNECTING:
            raise KernelError(E.EALREADY)
        if port == 0:
            raise KernelError(E.EADDRNOTAVAIL)
        if _any(host):
            host = "127.0.0.1" if self.family == S.AF_INET else "::1"
        if not _local(self.family, host):
            raise KernelError(E.ENETUNREACH)
        self.faddr = (self.family, host, port)
        self._autobind(lwp, host)
        target = self._find_listener(host, port)
        if target is None or len(target.acceptq) >= target.backlog * 3 // 2 + 1:
            if self.nonblocking:
                # The SYN is only sent now; the RST comes back through the loopback
                # input later (tcp_usrreq PRU_CONNECT, do_sys_connect): EINPROGRESS,
                # and so_error ECONNREFUSED once it is refused.
                self.state |= SS_ISCONNECTING
                self.kernel.sched.call_soon(self._refused)
                raise KernelError(E.EINPROGRESS)
            self.drop(0)  # do_sys_connect takes so_error itself
            raise KernelError(E.ECONNREFUSED)
        server = InetSocket(self.kernel, self.family, self.type, self.protocol,
                            target.uid, target.gid, target.pid)
        server.options = target.options & ~S.SO_ACCEPTCONN
        # syn_cache_get: the new connection takes the listener's TF_NODELAY (and TF_NOPUSH)
        key = (S.IPPROTO_TCP, S.TCP_NODELAY)
        opts = target.__dict__.get("ipopts", {})
        if key in opts:
            server.__dict__["ipopts"] = {key: opts[key]}
        server.laddr = (self.family, host, port)
        server.faddr = self.laddr
        server.head = target
        server.table.socks.append(server)
        if self.nonblocking:
            # The handshake completes on the next turn of the scheduler: EINPROGRESS now.
            self.state |= SS_ISCONNECTING
            self.kernel.sched.call_soon(self._establish, server, target)
            raise KernelError(E.EINPROGRESS)
        self._establish(server, target)

    def _refused(self) -> None:
        if not self.closed:
            self.drop(E.ECONNREFUSED)

    def _establish(self, server: "InetSocket", target: "InetSocket") -> None:
        if self.closed or target.closed:
            server.detach()
            if not self.closed:
                self.drop(E.ECONNREFUSED)
            return
        self.set_connected(server)
        server.set_connected(self)
        target.acceptq.append(server.hold())
        target.changed()

    def datagram_target(self, addr: bytes | None) -> "InetSocket | None":
        if addr is not None:
            if self.faddr is not None:
                raise KernelError(E.EISCONN)
            host, port = self._parse(addr)
            if _any(host):
                host = "127.0.0.1" if self.family == S.AF_INET else "::1"
        else:
            if self.faddr is None:
                raise KernelError(E.EDESTADDRREQ)
            _, host, port = self.faddr
        if not _local(self.family, host):
            return None  # nowhere to go: a real stack would route it away
        best = None
        for s in self.table.socks:
            if s.laddr is None or s.family != self.family or s.laddr[2] != port or s.closed:
                continue
            if s.laddr[1] != host and not _any(s.laddr[1]):
                continue
            if s.faddr is not None and self.laddr is not None and \
                    (s.faddr[2] != self.laddr[2]):
                continue
            if best is None or s.laddr[1] == host:
                best = s
        return best

    def deliver_to(self, lwp: "Lwp", addr: bytes | None) -> Socket | None:
        target = self.datagram_target(addr)
        if self.laddr is None:
            self._autobind(lwp, "127.0.0.1")
        return target

    def shutdown_output(self) -> None:
        """tcp_usrclosed: a TCP socket with no connection is closed at once (so it can
        read no more either); a connected one sends its FIN and still reads."""
        self._pcb()
        if self.connreq and not self.connected:
            self.state |= SS_CANTRCVMORE | SS_ISDISCONNECTED
            self.changed()

    def dgram_overflow(self, n: int) -> int:
        return n  # UDP drops what does not fit, silently

    def detach(self) -> None:
        try:
            self.table.socks.remove(self)
        except ValueError:
            pass


def attach(kernel: "Kernel") -> None:
    """Boot: empty TCP and UDP port tables."""
    kernel.inet_tables = {S.SOCK_STREAM: PortTable(), S.SOCK_DGRAM: PortTable()}
