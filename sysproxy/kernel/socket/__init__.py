"""Sockets: the File (base.py), AF_LOCAL (local.py), AF_INET/AF_INET6 loopback (inet.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import socket as S
from ..errors import KernelError
from .base import Socket
from .inet import InetSocket
from .local import LocalSocket

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..lwp import Lwp
    from ..proc import Proc


# (type, protocol) of each domain's protosw entries that sockets can be made of
# (uipc_proto.c, in_proto.c, in6_proto.c); SOCK_RAW protocol 0 is the raw wildcard.
PROTOSW: dict[int, tuple[tuple[int, int], ...]] = {
    S.AF_LOCAL: ((S.SOCK_STREAM, 0), (S.SOCK_DGRAM, 0), (S.SOCK_SEQPACKET, 0)),
    S.AF_INET: ((S.SOCK_DGRAM, S.IPPROTO_UDP), (S.SOCK_STREAM, S.IPPROTO_TCP),
                (S.SOCK_RAW, 0)),
    S.AF_INET6: ((S.SOCK_DGRAM, S.IPPROTO_UDP), (S.SOCK_STREAM, S.IPPROTO_TCP),
                 (S.SOCK_RAW, 0)),
    S.AF_OROUTE: ((S.SOCK_RAW, 0),),   # the compat routing socket
    S.AF_LINK: ((S.SOCK_DGRAM, 0),),   # link-layer ioctls only
    S.AF_ARP: (),                      # a domain with no sockets
    S.AF_ROUTE: ((S.SOCK_RAW, 0),),
}


def find_protocol(domain: int, type: int, protocol: int) -> int:
    """socreate's lookup: pffindproto (exact, else the SOCK_RAW wildcard) when a
    protocol is given, pffindtype (first entry of the type) when not; the errno
    of a miss says whether the domain, the type or the protocol was wrong."""
    table = PROTOSW.get(domain)
    if table is None:
        raise KernelError(E.EAFNOSUPPORT)
    for t, p in table:
        if t == type and (p == protocol or protocol == 0):
            return p
    if protocol and type == S.SOCK_RAW and (S.SOCK_RAW, 0) in table:
        return protocol
    if protocol == 0 and type != 0:
        raise KernelError(E.EPROTOTYPE)
    raise KernelError(E.EPROTONOSUPPORT)


def create(kernel: "Kernel", p: "Proc", domain: int, type: int, protocol: int) -> Socket:
    """socreate: kauth first (a raw socket outside the routing domains needs root),
    then the protocol for (domain, type, protocol) as NetBSD's pffindproto finds it."""
    c = p.cred
    if type == S.SOCK_RAW and domain not in (S.AF_ROUTE, S.AF_OROUTE) and not c.is_root:
        raise KernelError(E.EPERM)
    proto = find_protocol(domain, type, protocol)
    if domain == S.AF_LOCAL:
        return LocalSocket(kernel, type, c.euid, c.egid, p.pid)
    if domain in (S.AF_INET, S.AF_INET6) and type != S.SOCK_RAW:
        return InetSocket(kernel, domain, type, proto, c.euid, c.egid, p.pid)
    return InertSocket(kernel, domain, type, proto, c.euid, c.egid, p.pid)


class InertSocket(Socket):
    """Raw IP, routing and link-layer sockets: they exist (so descriptors stay as
    NetBSD numbers them) but carry nothing: no packets arrive, what is sent is
    dropped, names are not kept (docs/CONFORMANCE.md lists this as not modelled)."""

    atomic, connreq = True, False
    sndspace = rcvspace = 8192

    def deliver_to(self, lwp: "Lwp", addr: bytes | None) -> Socket | None:
        return None


def attach(kernel: "Kernel") -> None:
    from . import inet
    inet.attach(kernel)
