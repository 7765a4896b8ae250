"""socket/socketpair type and protocol errnos (socreate's lookup, NetBSD 7.99.34)."""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.rawclient import RawClient


@pytest.mark.parametrize("domain,type,proto,errno", [
    (S.AF_INET, S.SOCK_SEQPACKET, 0, E.EPROTOTYPE),
    (S.AF_INET6, S.SOCK_SEQPACKET, 0, E.EPROTOTYPE),
    (S.AF_INET, S.SOCK_RDM, 0, E.EPROTOTYPE),
    (S.AF_INET, 6, 0, E.EPROTOTYPE),
    (S.AF_INET, S.SOCK_SEQPACKET, S.IPPROTO_TCP, E.EPROTONOSUPPORT),
    (S.AF_INET, S.SOCK_STREAM, S.IPPROTO_UDP, E.EPROTONOSUPPORT),
    (S.AF_INET, 0, 0, E.EPROTONOSUPPORT),
    (S.AF_LOCAL, S.SOCK_RAW, 0, E.EPROTOTYPE),
    (S.AF_LOCAL, S.SOCK_RDM, 0, E.EPROTOTYPE),
    (S.AF_LOCAL, S.SOCK_STREAM, S.PF_LOCAL, E.EPROTONOSUPPORT),
    (S.AF_LOCAL, S.SOCK_DGRAM, 1, E.EPROTONOSUPPORT),
    (0, S.SOCK_STREAM, 0, E.EAFNOSUPPORT),
    (99, S.SOCK_STREAM, 0, E.EAFNOSUPPORT),
])
def test_socket_type_protocol_errnos(c: RawClient, domain: int, type: int, proto: int,
                                     errno: int) -> None:
    assert c.err("__socket30", domain, type, proto) == errno


@pytest.mark.parametrize("domain,type,errno", [
    (S.AF_LOCAL, S.SOCK_RAW, E.EPROTOTYPE),
    (S.AF_INET, S.SOCK_SEQPACKET, E.EPROTOTYPE),
    (S.AF_INET, S.SOCK_STREAM, E.EOPNOTSUPP),
    (S.AF_INET, S.SOCK_RAW, E.EOPNOTSUPP),
])
def test_socketpair_errnos(c: RawClient, domain: int, type: int, errno: int) -> None:
    assert c.err("socketpair", domain, type, 0, c.mem.out(8)) == errno
