"""NetBSD tests/lib/libc/sys/t_listen.c: listen on a file is ENOTSOCK, on a connected
socket EINVAL (PR standards/46150); a closed descriptor is EBADF. listen_low_port:
an unbound listen with IP_PORTRANGE_LOW gets a port (root may have a low one)."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import socket as S

from support.nb import bind, connect, name, open_, setint, socket
from support.rawclient import RawClient

IP_PORTRANGE, IP_PORTRANGE_LOW = 19, 2


def test_listen_err(client: RawClient) -> None:
    sin = S.pack_sockaddr_in("127.0.0.1", 31522)
    _, fda = socket(client, S.AF_INET, S.SOCK_STREAM)
    _, fdb = socket(client, S.AF_INET, S.SOCK_STREAM)
    err, fdc = open_(client, "/tmp/listen", F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    assert client.err("listen", fdc, 1) == E.ENOTSOCK
    client.ok("close", fdc)
    assert bind(client, fda, sin) == 0
    assert client.err("listen", fda, 1) == 0
    assert connect(client, fdb, sin) == 0
    assert client.err("listen", fdb, 1) == E.EINVAL
    client.ok("close", fda)
    client.ok("close", fdb)
    assert connect(client, fdb, sin) == E.EBADF


def test_listen_low_port(client: RawClient) -> None:
    _, sd = socket(client, S.AF_INET, S.SOCK_STREAM)
    assert setint(client, sd, S.IPPROTO_IP, IP_PORTRANGE, IP_PORTRANGE_LOW) == 0
    assert client.err("listen", sd, 5) == 0
    err, sa, n = name(client, sd)
    assert err == 0 and n == 16
    assert client.ok("close", sd) == 0
