"""NetBSD tests/lib/libc/sys/t_connect.c connect_low_port: root's socket with
IP_PORTRANGE_LOW connects from a reserved port (<= IPPORT_RESERVEDMAX, 1023)."""
from __future__ import annotations

from sysproxy.abi import socket as S

from support.nb import bind, connect, name, setint, socket
from support.rawclient import RawClient

IP_PORTRANGE, IP_PORTRANGE_LOW = 19, 2


def test_connect_low_port(client: RawClient) -> None:
    _, slist = socket(client, S.AF_INET, S.SOCK_STREAM)
    _, sd = socket(client, S.AF_INET, S.SOCK_STREAM)
    sin = S.pack_sockaddr_in("127.0.0.1", 31522)
    assert bind(client, slist, sin) == 0
    assert client.err("listen", slist, 1) == 0
    assert setint(client, sd, S.IPPROTO_IP, IP_PORTRANGE, IP_PORTRANGE_LOW) == 0
    assert connect(client, sd, sin) == 0
    err, sa, n = name(client, sd)
    assert err == 0 and n == 16
    port = S.unpack_sockaddr(sa[:n])[1][1]
    assert port <= 1023
