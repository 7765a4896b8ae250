"""NetBSD tests/net/net/t_udp.c: UDP send works unconnected (sendto twice), then
connected (connect + send, and a second connect to the same address + send), for
IPv4 and IPv6 localhost; the server socket gets every datagram."""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.nb import bind, connect, socket
from support.rawclient import RawClient
from support.sock import recv

MSG = b"sendto test\0"


@pytest.mark.parametrize("family", [S.AF_INET, S.AF_INET6], ids=["udp4", "udp6"])
def test_udp_send(client: RawClient, family: int) -> None:
    c = client
    sa = S.pack_sockaddr_in("127.0.0.1", 9999) if family == S.AF_INET else S.pack_sockaddr_in6("::1", 9999)
    _, srv = socket(c, family, S.SOCK_DGRAM, S.IPPROTO_UDP)
    assert bind(c, srv, sa) == 0
    _, s = socket(c, family, S.SOCK_DGRAM, S.IPPROTO_UDP)
    for _ in range(2):
        assert c.call("sendto", s, c.mem.buf(MSG), len(MSG), 0, c.mem.buf(sa), len(sa))[:2] == (0, len(MSG))
    for _ in range(2):
        assert connect(c, s, sa) == 0
        assert c.call("sendto", s, c.mem.buf(MSG), len(MSG), 0, 0, 0)[:2] == (0, len(MSG))
    for _ in range(4):
        assert recv(c, srv, 64) == (0, MSG)
    assert recv(c, srv, 64, S.MSG_DONTWAIT)[0] == E.EAGAIN
    assert c.ok("close", s) == 0
