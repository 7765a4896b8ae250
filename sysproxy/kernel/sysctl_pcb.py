"""net.local.{stream,seqpacket,dgram}.pcblist, net.inet.{tcp,udp}.pcblist and
net.inet6.{tcp6,udp6}.pcblist: the sockets as struct kinfo_pcb records (sockstat(1)).

NetBSD makes each pcblist with CTL_CREATE, so its number is a dynamic one
(CREATE_BASE and up, handed out here in creation order); sockstat and netstat
find them by name (sysctlnametomib, i.e. CTL_QUERY). The rules followed:

* sysctl_unpcblist (sys/kern/uipc_domain.c) and sysctl_inpcblist
  (sys/netinet/in_pcb.c): the name after pcblist is {op, arg, elem_size,
  elem_count}, another length EINVAL; with a buffer elem_size must be
  sizeof(struct kinfo_pcb) (EINVAL otherwise), without one it is taken to be
  that and elem_count INT_MAX; records are copied while they fit and
  elem_count allows; *oldlenp becomes what all of them need, plus PCB_SLOP
  records for a size probe (sys___sysctl then says ENOMEM if that is more than
  the buffer). op and arg are not looked at (PCB_ALL, "XXX all pids").
* PF_LOCAL (sysctl_dounpcb): every open socket file of that family and type,
  once; ki_pcbaddr the unpcb, ki_sockaddr the socket (kern.file2's ki_fdata),
  ki_pflags unp_flags, ki_src the bound name with its NUL (or an empty
  sockaddr_un), ki_dst the peer's when connected, ki_conn the peer's unpcb,
  ki_vnode the bound vnode, ki_refs/ki_nextref the datagram sockets connected
  to this one.
* PF_INET/PF_INET6 (sysctl_inpcblist): every pcb of the protocol's table in
  that family, with or without a file (an unaccepted connection has none);
  ki_ppcbaddr the tcpcb, ki_prstate INP_ATTACHED/BOUND/CONNECTED, ki_tstate
  the TCP state, ki_src the local address, ki_dst the foreign one once
  connected. A size probe counts records without filling them.

Approximations, where our sockets keep less than NetBSD's: ki_sndq is 0 (data
goes straight to the peer's receive buffer), ki_tflags 0, ki_inode 0 (unp_ino
is only set by fstat there and our st_ino is 0), a TCP peer that closed shows
CLOSE_WAIT and one that is fully shut CLOSED.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import kinfo_file as K
from ..abi import socket as SO
from ..abi import sysctl as S
from . import kaddr as A
from .sysctl import CTLTYPE_NODE, CTLTYPE_STRUCT, Node

if TYPE_CHECKING:
    from .kernel import Kernel
    from .lwp import Lwp
    from .socket.base import Socket
    from .socket.inet import InetSocket
    from .socket.local import LocalSocket

INT_MAX = 0x7FFFFFFF
SUN_PATH_OFF = 2  # offsetof(struct sockaddr_un, sun_path)

LOCAL_TYPES = ((SO.SOCK_STREAM, "stream"), (SO.SOCK_SEQPACKET, "seqpacket"),
               (SO.SOCK_DGRAM, "dgram"))
# raw and raw6 (IPPROTO_RAW, raw_ip.c and raw_ip6.c) are always empty here (the kernel
# has no raw sockets), but sockstat(1) asks for them and exits if they are missing.
INET_PROTOS = ((SO.AF_INET, "inet", ((SO.IPPROTO_TCP, "tcp"), (SO.IPPROTO_UDP, "udp"),
                                     (SO.IPPROTO_RAW, "raw"))),
               (SO.AF_INET6, "inet6", ((SO.IPPROTO_TCP, "tcp6"), (SO.IPPROTO_UDP, "udp6"),
                                       (SO.IPPROTO_RAW, "raw6"))))


def attach(net: Node, kernel: "Kernel") -> None:
    """net.local.*, net.inet.*, net.inet6.* nodes and their pcblists (in NetBSD's creation order)."""
    create = iter(range(S.CREATE_BASE, S.CREATE_BASE + 64))
    local = _node(net, SO.AF_LOCAL, "local")
    for stype, name in LOCAL_TYPES:
        _node(local, stype, name)
    for stype, _ in LOCAL_TYPES:
        local.children[stype].add(next(create), Node(
            "pcblist", CTLTYPE_STRUCT, func=functools.partial(sysctl_unpcblist, stype)))
    for family, fname, protos in INET_PROTOS:
        fam = _node(net, family, fname)
        for proto, pname in protos:
            _node(fam, proto, pname).add(next(create), Node(
                "pcblist", CTLTYPE_STRUCT,
                func=functools.partial(sysctl_inpcblist, family, proto)))


def _node(parent: Node, num: int, name: str) -> Node:
    child = parent.children.get(num)
    if child is None:
        child = parent.add(num, Node(name, CTLTYPE_NODE))
    return child


# -- what the lists walk --------------------------------------------------------
def _socket_files(kernel: "Kernel") -> Iterator["Socket"]:
    """Every open socket file once (NetBSD walks filehead)."""
    from .socket.base import Socket
    seen: set[int] = set()
    for pid in sorted(kernel.procs):
        fdt = kernel.procs[pid].fd
        for fd in fdt.fds():
            f = fdt.lookup(fd)
            if isinstance(f, Socket) and id(f) not in seen:
                seen.add(id(f))
                yield f


def _inet_pcbs(kernel: "Kernel", family: int, proto: int) -> list["InetSocket"]:
    """The protocol's pcb table in one family: bound pcbs, then unbound ones with a file."""
    from .socket.inet import InetSocket
    stype = {SO.IPPROTO_TCP: SO.SOCK_STREAM, SO.IPPROTO_UDP: SO.SOCK_DGRAM}.get(proto)
    tables = getattr(kernel, "inet_tables", None) or {}
    out = [s for s in tables.get(stype, _Empty).socks if s.family == family and not s.closed]
    have = {id(s) for s in out}
    for s in _socket_files(kernel):
        if isinstance(s, InetSocket) and s.family == family and s.protocol == proto \
                and id(s) not in have:
            out.append(s)
    return out


class _Empty:
    socks: list["InetSocket"] = []


# -- records ---------------------------------------------------------------------
def _sun(addr: bytes | None) -> bytes:
    """What sysctl_dounpcb copies: the name with its NUL, or an empty sockaddr_un."""
    if addr is None:
        return bytes([SUN_PATH_OFF, SO.AF_LOCAL])
    return (addr[:addr[0]] + b"\0")[:K.SOCKADDR_PAD]


def unp_flags(s: "LocalSocket") -> int:
    fl = 0
    if s.wantcred:
        fl |= K.UNP_WANTCRED
    if s.connwait:
        fl |= K.UNP_CONNWAIT
    if s.listening:
        fl |= K.UNP_EIDSBIND
    elif s.connid is not None:
        fl |= K.UNP_EIDSVALID
    return fl


def fill_unpcb(s: "LocalSocket", refs: dict[int, list["LocalSocket"]]) -> bytes:
    """One record; ``refs`` maps a datagram socket to those connected to it (unp_refs)."""
    peer = s.peer
    conn = peer if peer is not None and not peer.closed else None
    mine = refs.get(id(s), [])
    nextref = 0
    if conn is not None:
        sib = refs.get(id(conn), [])
        if s in sib and sib.index(s) + 1 < len(sib):
            nextref = A.kaddr(sib[sib.index(s) + 1], A.PCB)
    return K.pack_kinfo_pcb(
        ki_pcbaddr=A.kaddr(s, A.PCB), ki_sockaddr=A.kaddr(s, A.SOCKET),
        ki_family=SO.AF_LOCAL, ki_type=s.type, ki_protocol=s.protocol,
        ki_pflags=unp_flags(s), ki_sostate=s.so_state(),
        ki_rcvq=s.rcv.cc, ki_sndq=0,
        ki_src=_sun(s.addr), ki_dst=_sun(conn.addr) if conn is not None else b"",
        ki_vnode=A.kaddr(s.vnode), ki_conn=A.kaddr(conn, A.PCB) if conn is not None else 0,
        ki_refs=A.kaddr(mine[0], A.PCB) if mine else 0, ki_nextref=nextref)


def _tcp_state(s: "InetSocket") -> int:
    from .socket.base import SS_CANTRCVMORE, SS_CANTSENDMORE, SS_ISCONNECTING
    if s.listening:
        return K.TCPS_LISTEN
    if s.state & SS_ISCONNECTING:
        return K.TCPS_SYN_SENT
    if s.connected:
        if s.state & SS_CANTSENDMORE:
            return K.TCPS_FIN_WAIT_2
        return K.TCPS_CLOSE_WAIT if s.state & SS_CANTRCVMORE else K.TCPS_ESTABLISHED
    if s.faddr is not None and s.peer is None and s.state & SS_CANTRCVMORE \
            and not s.state & SS_CANTSENDMORE:
        return K.TCPS_CLOSE_WAIT
    return K.TCPS_CLOSED


def fill_inpcb(s: "InetSocket", family: int, proto: int) -> bytes:
    if s.faddr is not None:
        prstate = K.INP_CONNECTED
    elif s.laddr is not None:
        prstate = K.INP_BOUND
    else:
        prstate = K.INP_ATTACHED
    if family == SO.AF_INET:
        pflags = K.INP_ANONPORT if s.anonport else 0
        host = s.laddr[1] if s.laddr is not None else "0.0.0.0"
        src = SO.pack_sockaddr_in(host, s.laddr[2] if s.laddr is not None else 0)
        dst = SO.pack_sockaddr_in(s.faddr[1], s.faddr[2]) if s.faddr is not None else b""
    else:
        pflags = K.IN6P_IPV6_V6ONLY | (K.IN6P_ANONPORT if s.anonport else 0)
        host = s.laddr[1] if s.laddr is not None else "::"
        src = SO.pack_sockaddr_in6(host, s.laddr[2] if s.laddr is not None else 0)
        dst = SO.pack_sockaddr_in6(s.faddr[1], s.faddr[2]) if s.faddr is not None else b""
    tcp = proto == SO.IPPROTO_TCP
    return K.pack_kinfo_pcb(
        ki_pcbaddr=A.kaddr(s, A.PCB), ki_ppcbaddr=A.kaddr(s, A.PPCB) if tcp else 0,
        ki_sockaddr=A.kaddr(s, A.SOCKET),
        ki_family=family, ki_type=s.type, ki_protocol=proto, ki_pflags=pflags,
        ki_sostate=s.so_state(), ki_prstate=prstate, ki_tstate=_tcp_state(s) if tcp else 0,
        ki_rcvq=s.rcv.cc, ki_sndq=0, ki_src=src, ki_dst=dst)


# -- the helpers ------------------------------------------------------------------
def _sizes(name: list[int], oldp: int) -> tuple[int, int] | None:
    """(elem_size, elem_count) as both list helpers read them; None: EINVAL."""
    if len(name) != 4:
        return None
    if not oldp:
        return K.KINFO_PCB_SIZE, INT_MAX
    if name[2] != K.KINFO_PCB_SIZE:
        return None
    return name[2], name[3]


def _finish(l: "Lwp", recs: list[bytes], total: int, oldp: int,
            oldlen: int) -> tuple[int, int]:
    if recs:
        l.copyout(oldp, b"".join(recs))
    needed = total * K.KINFO_PCB_SIZE
    if not oldp:
        return needed + K.PCB_SLOP * K.KINFO_PCB_SIZE, 0
    return needed, (E.ENOMEM if oldlen < needed else 0)


async def sysctl_unpcblist(stype: int, l: "Lwp", name: list[int], oldp: int, oldlen: int,
                           newp: int, newlen: int) -> tuple[int, int]:
    sizes = _sizes(name, oldp)
    if sizes is None:
        return oldlen, E.EINVAL
    elem_size, elem_count = sizes
    from .socket.local import LocalSocket
    socks = [s for s in _socket_files(l.kernel)
             if isinstance(s, LocalSocket) and s.type == stype]
    refs: dict[int, list[LocalSocket]] = {}
    if stype == SO.SOCK_DGRAM:  # unp_refs: newest first (LIST_INSERT_HEAD in unp_connect2)
        for r in reversed(socks):
            if r.peer is not None and not r.peer.closed:
                refs.setdefault(id(r.peer), []).append(r)
    buflen = oldlen if oldp else 0
    recs: list[bytes] = []
    for s in socks:
        if buflen >= elem_size and elem_count > 0:
            recs.append(fill_unpcb(s, refs))
            buflen -= elem_size
        if elem_count > 0 and elem_count != INT_MAX:
            elem_count -= 1
    return _finish(l, recs, len(socks), oldp, oldlen)


async def sysctl_inpcblist(family: int, proto: int, l: "Lwp", name: list[int], oldp: int,
                           oldlen: int, newp: int, newlen: int) -> tuple[int, int]:
    sizes = _sizes(name, oldp)
    if sizes is None:
        return oldlen, E.EINVAL
    elem_size, elem_count = sizes
    pcbs = _inet_pcbs(l.kernel, family, proto)
    buflen = oldlen if oldp else 0
    recs: list[bytes] = []
    for s in pcbs:
        if buflen >= elem_size and elem_count > 0:
            recs.append(fill_inpcb(s, family, proto))
            buflen -= elem_size
        if elem_count > 0 and elem_count != INT_MAX:
            elem_count -= 1
    return _finish(l, recs, len(pcbs), oldp, oldlen)
