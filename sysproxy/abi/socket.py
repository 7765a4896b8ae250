"""NetBSD socket ABI: families, types, options, flags, sockaddr/msghdr layouts.

Facts from NetBSD's sys/sys/socket.h, sys/sys/un.h, sys/netinet/in.h,
sys/netinet6/in6.h, sys/netinet/tcp.h and sys/sys/uio.h, for amd64 and the
7.99.34 (SCM_CREDS 0x10 and LOCAL_CREDS 0x0004 with struct sockcred's sc_pid;
SO_TIMESTAMP 0x2000).
Every sockaddr starts with a one-byte length, then a one-byte family.
"""
from __future__ import annotations

import socket as _host
import struct

# ---- families ----
AF_UNSPEC = 0
AF_LOCAL = 1
AF_UNIX = AF_LOCAL
AF_INET = 2
AF_IMPLINK = 3
AF_PUP = 4
AF_CHAOS = 5
AF_NS = 6
AF_ISO = 7
AF_OSI = AF_ISO
AF_ECMA = 8
AF_DATAKIT = 9
AF_CCITT = 10
AF_SNA = 11
AF_DECnet = 12
AF_DLI = 13
AF_LAT = 14
AF_HYLINK = 15
AF_APPLETALK = 16
AF_OROUTE = 17
AF_LINK = 18
AF_COIP = 20
AF_CNT = 21
AF_IPX = 23
AF_INET6 = 24
AF_ISDN = 26
AF_E164 = AF_ISDN
AF_NATM = 27
AF_ARP = 28
AF_BLUETOOTH = 31
AF_IEEE80211 = 32
AF_MPLS = 33
AF_ROUTE = 34
AF_MAX = 35
PF_UNSPEC, PF_LOCAL, PF_UNIX, PF_INET, PF_INET6 = AF_UNSPEC, AF_LOCAL, AF_UNIX, AF_INET, AF_INET6
PF_ROUTE, PF_LINK, PF_BLUETOOTH, PF_MPLS, PF_MAX = AF_ROUTE, AF_LINK, AF_BLUETOOTH, AF_MPLS, AF_MAX
PF_KEY = 29

# ---- types and type flags ----
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
SOCK_RDM = 4
SOCK_SEQPACKET = 5
SOCK_CONN_DGRAM = 6
SOCK_CLOEXEC = 0x10000000
SOCK_NONBLOCK = 0x20000000
SOCK_NOSIGPIPE = 0x40000000
SOCK_FLAGS_MASK = 0xF0000000

# ---- socket-level options ----
SOL_SOCKET = 0xFFFF
SO_DEBUG = 0x0001
SO_ACCEPTCONN = 0x0002
SO_REUSEADDR = 0x0004
SO_KEEPALIVE = 0x0008
SO_DONTROUTE = 0x0010
SO_BROADCAST = 0x0020
SO_USELOOPBACK = 0x0040
SO_LINGER = 0x0080
SO_OOBINLINE = 0x0100
SO_REUSEPORT = 0x0200
SO_OTIMESTAMP = 0x0400
SO_NOSIGPIPE = 0x0800
SO_ACCEPTFILTER = 0x1000
SO_TIMESTAMP = 0x2000
SO_SNDBUF = 0x1001
SO_RCVBUF = 0x1002
SO_SNDLOWAT = 0x1003
SO_RCVLOWAT = 0x1004
SO_OSNDTIMEO = 0x1005
SO_ORCVTIMEO = 0x1006
SO_ERROR = 0x1007
SO_TYPE = 0x1008
SO_OVERFLOWED = 0x1009
SO_NOHEADER = 0x100A
SO_SNDTIMEO = 0x100B
SO_RCVTIMEO = 0x100C
SOMAXCONN = 128

# ---- msg flags ----
MSG_OOB = 0x0001
MSG_PEEK = 0x0002
MSG_DONTROUTE = 0x0004
MSG_EOR = 0x0008
MSG_TRUNC = 0x0010
MSG_CTRUNC = 0x0020
MSG_WAITALL = 0x0040
MSG_DONTWAIT = 0x0080
MSG_BCAST = 0x0100
MSG_MCAST = 0x0200
MSG_NOSIGNAL = 0x0400
MSG_CMSG_CLOEXEC = 0x0800
MSG_NBIO = 0x1000
MSG_WAITFORONE = 0x2000
MSG_NOTIFICATION = 0x4000
MSG_USERFLAGS = 0x0FFFFFF

# ---- control messages ----
SCM_RIGHTS = 0x01
SCM_OTIMESTAMP = 0x02
SCM_OCREDS = 0x04  # struct sockcred70, COMPAT_SOCKCRED70 only
SCM_CREDS = 0x10
SCM_TIMESTAMP = 0x08

SHUT_RD = 0
SHUT_WR = 1
SHUT_RDWR = 2

# ---- AF_LOCAL (sys/un.h); options are used at level 0 ----
SOL_LOCAL = 0
LOCAL_OCREDS = 0x0001  # the pre-7.99 struct sockcred70; only with COMPAT_SOCKCRED70
LOCAL_CREDS = 0x0004
LOCAL_CONNWAIT = 0x0002
LOCAL_PEEREID = 0x0003
SUN_PATH_MAX = 104  # sizeof(sun_path) in the userland struct sockaddr_un
SOCKADDR_UN_SIZE = 106

# ---- IP (sys/netinet/in.h, in6.h, tcp.h) ----
IPPROTO_IP = 0
IPPROTO_HOPOPTS = 0
IPPROTO_ICMP = 1
IPPROTO_IGMP = 2
IPPROTO_GGP = 3
IPPROTO_IPV4 = 4
IPPROTO_IPIP = 4
IPPROTO_TCP = 6
IPPROTO_EGP = 8
IPPROTO_PUP = 12
IPPROTO_UDP = 17
IPPROTO_IDP = 22
IPPROTO_TP = 29
IPPROTO_DCCP = 33
IPPROTO_IPV6 = 41
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_RSVP = 46
IPPROTO_GRE = 47
IPPROTO_ESP = 50
IPPROTO_AH = 51
IPPROTO_MOBILE = 55
IPPROTO_IPV6_ICMP = 58
IPPROTO_ICMPV6 = 58
IPPROTO_NONE = 59
IPPROTO_DSTOPTS = 60
IPPROTO_EON = 80
IPPROTO_ETHERIP = 97
IPPROTO_ENCAP = 98
IPPROTO_PIM = 103
IPPROTO_IPCOMP = 108
IPPROTO_VRRP = 112
IPPROTO_CARP = 112
IPPROTO_L2TP = 115
IPPROTO_SCTP = 132
IPPROTO_PFSYNC = 240
IPPROTO_RAW = 255
IPPROTO_MAX = 256

IP_OPTIONS = 1
IP_HDRINCL = 2
IP_TOS = 3
IP_TTL = 4
IPV6_UNICAST_HOPS = 4
IPV6_V6ONLY = 27
TCP_NODELAY = 0x01
TCP_MAXSEG = 0x02

INADDR_ANY = 0x00000000
INADDR_LOOPBACK = 0x7F000001
INADDR_BROADCAST = 0xFFFFFFFF
INADDR_NONE = 0xFFFFFFFF

# ---- sockaddr codecs ----
SOCKADDR_HDR = struct.Struct("<BB")
_SIN = struct.Struct("<BB2s4s8x")  # sin_len, sin_family, sin_port (BE), sin_addr, sin_zero
_SIN6 = struct.Struct("<BB2s4s16sI")  # ..., sin6_flowinfo (BE), sin6_addr, sin6_scope_id
SOCKADDR_IN_SIZE = _SIN.size  # 16
SOCKADDR_IN6_SIZE = _SIN6.size  # 28
SOCKADDR_STORAGE_SIZE = 128


def pack_sockaddr_un(path: bytes) -> bytes:
    """sockaddr_un with sun_len = SUN_LEN (2 + strlen(path)); no NUL appended."""
    if len(path) > SUN_PATH_MAX:
        raise ValueError("AF_LOCAL path too long")
    return SOCKADDR_HDR.pack(2 + len(path), AF_LOCAL) + path


def pack_sockaddr_in(addr: str, port: int) -> bytes:
    return _SIN.pack(SOCKADDR_IN_SIZE, AF_INET, port.to_bytes(2, "big"),
                     _host.inet_pton(_host.AF_INET, addr))


def pack_sockaddr_in6(addr: str, port: int, flowinfo: int = 0, scope_id: int = 0) -> bytes:
    return _SIN6.pack(SOCKADDR_IN6_SIZE, AF_INET6, port.to_bytes(2, "big"),
                      flowinfo.to_bytes(4, "big"), _host.inet_pton(_host.AF_INET6, addr),
                      scope_id)


def unpack_sockaddr(b: bytes) -> tuple[int, object]:
    """-> (family, address). AF_LOCAL: path bytes; AF_INET: (host, port);
    AF_INET6: (host, port, flowinfo, scope_id); other families: raw sa_data bytes.
    sa_len 0 (or larger than the buffer) means "use the buffer's length"."""
    if len(b) < 2:
        raise ValueError("sockaddr too short")
    salen, family = b[0], b[1]
    if salen == 0 or salen > len(b):
        salen = len(b)
    if family == AF_LOCAL:
        path = bytes(b[2:salen])
        nul = path.find(b"\0")
        return family, path if nul < 0 else path[:nul]
    if family == AF_INET:
        if len(b) < 8:
            raise ValueError("sockaddr_in too short")
        return family, (_host.inet_ntop(_host.AF_INET, bytes(b[4:8])),
                        int.from_bytes(b[2:4], "big"))
    if family == AF_INET6:
        if len(b) < SOCKADDR_IN6_SIZE:
            raise ValueError("sockaddr_in6 too short")
        _, _, port, flow, addr, scope = _SIN6.unpack_from(b)
        return family, (_host.inet_ntop(_host.AF_INET6, addr), int.from_bytes(port, "big"),
                        int.from_bytes(flow, "big"), scope)
    return family, bytes(b[2:salen])


# ---- iovec, msghdr, mmsghdr, cmsghdr ----
IOVEC = struct.Struct("<QQ")  # iov_base, iov_len
IOVEC_SIZE = IOVEC.size  # 16
# msg_name, msg_namelen, msg_iov, msg_iovlen, msg_control, msg_controllen, msg_flags
MSGHDR = struct.Struct("<QI4xQi4xQIi")
MSGHDR_SIZE = MSGHDR.size  # 48
MMSGHDR = struct.Struct("<QI4xQi4xQIiI4x")  # msghdr + unsigned msg_len, padded
MMSGHDR_SIZE = MMSGHDR.size  # 56
CMSGHDR = struct.Struct("<Iii")  # cmsg_len, cmsg_level, cmsg_type
CMSGHDR_SIZE = CMSGHDR.size  # 12
ALIGNBYTES = 7  # amd64 __ALIGNBYTES (sizeof(long) - 1)


def unpack_iovecs(buf: bytes, count: int) -> list[tuple[int, int]]:
    return [IOVEC.unpack_from(buf, i * IOVEC_SIZE) for i in range(count)]


def pack_iovecs(iovs: list[tuple[int, int]]) -> bytes:
    return b"".join(IOVEC.pack(base, ln) for base, ln in iovs)


def unpack_msghdr(b: bytes, offset: int = 0) -> tuple[int, int, int, int, int, int, int]:
    """-> (name, namelen, iov, iovlen, control, controllen, flags)"""
    return MSGHDR.unpack_from(b, offset)


def pack_msghdr(name: int, namelen: int, iov: int, iovlen: int, control: int,
                controllen: int, flags: int) -> bytes:
    return MSGHDR.pack(name, namelen, iov, iovlen, control, controllen, flags)


def CMSG_ALIGN(n: int) -> int:
    return (n + ALIGNBYTES) & ~ALIGNBYTES


def CMSG_LEN(n: int) -> int:
    return CMSG_ALIGN(CMSGHDR_SIZE) + n


def CMSG_SPACE(n: int) -> int:
    return CMSG_ALIGN(CMSGHDR_SIZE) + CMSG_ALIGN(n)


CMSG_DATA_OFFSET = CMSG_ALIGN(CMSGHDR_SIZE)  # 16


def pack_cmsg(level: int, ctype: int, data: bytes) -> bytes:
    """One control message, padded to CMSG_SPACE(len(data))."""
    rec = CMSGHDR.pack(CMSG_LEN(len(data)), level, ctype)
    rec += b"\0" * (CMSG_DATA_OFFSET - CMSGHDR_SIZE) + data
    return rec + b"\0" * (CMSG_SPACE(len(data)) - len(rec))


def unpack_cmsgs(buf: bytes) -> list[tuple[int, int, bytes]]:
    """Walk a control buffer -> [(level, type, data)]."""
    out: list[tuple[int, int, bytes]] = []
    off = 0
    while off + CMSGHDR_SIZE <= len(buf):
        ln, level, ctype = CMSGHDR.unpack_from(buf, off)
        if ln < CMSGHDR_SIZE or off + ln > len(buf):
            break
        out.append((level, ctype, bytes(buf[off + CMSG_DATA_OFFSET: off + ln])))
        off += CMSG_ALIGN(ln)
    return out


# ---- linger, sockcred, unpcbid ----
LINGER = struct.Struct("<ii")  # l_onoff, l_linger
UNPCBID = struct.Struct("<iII")  # unp_pid, unp_euid, unp_egid (12 bytes)
SOCKCRED_HDR = struct.Struct("<iIIIIi")  # sc_pid, sc_uid, sc_euid, sc_gid, sc_egid, sc_ngroups


def SOCKCREDSIZE(ngroups: int) -> int:
    """sizeof(struct sockcred) with ngroups groups (the struct holds one)."""
    return SOCKCRED_HDR.size + 4 * max(ngroups, 1)


def pack_sockcred(uid: int, euid: int, gid: int, egid: int, groups: list[int], pid: int = 0) -> bytes:
    out = SOCKCRED_HDR.pack(pid, uid, euid, gid, egid, len(groups))
    out += struct.pack(f"<{len(groups)}I", *groups)
    return out + b"\0" * (SOCKCREDSIZE(len(groups)) - len(out))


def unpack_sockcred(b: bytes) -> tuple[int, int, int, int, list[int]]:
    _pid, uid, euid, gid, egid, n = SOCKCRED_HDR.unpack_from(b)
    groups = list(struct.unpack_from(f"<{n}I", b, SOCKCRED_HDR.size)) if n > 0 else []
    return uid, euid, gid, egid, groups


def pack_unpcbid(pid: int, euid: int, egid: int) -> bytes:
    return UNPCBID.pack(pid, euid, egid)


def unpack_unpcbid(b: bytes) -> tuple[int, int, int]:
    return UNPCBID.unpack_from(b)

# so_state (sys/socketvar.h)
SS_NOFDREF = 0x001
SS_ISCONNECTED = 0x002
SS_ISCONNECTING = 0x004
SS_ISDISCONNECTING = 0x008
SS_CANTSENDMORE = 0x010
SS_CANTRCVMORE = 0x020
SS_RCVATMARK = 0x040
SS_NBIO = 0x080
SS_ASYNC = 0x100
SS_ISDISCONNECTED = 0x800
