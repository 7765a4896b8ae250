"""NetBSD tests/lib/libc/sys/t_getsockname.c getsockname_unix: an unbound AF_UNIX
socket's name is the family with an empty path; after bind it is the path."""
from __future__ import annotations

from sysproxy.abi import socket as S

from support.nb import bind, name, socket
from support.rawclient import RawClient


def test_getsockname_unix(client: RawClient) -> None:
    _, sd = socket(client, S.AF_UNIX, S.SOCK_STREAM)
    err, sun, n = name(client, sd, size=106)
    assert err == 0 and sun[1] == S.AF_UNIX and sun[2:].split(b"\0")[0] == b""
    path = b"/tmp/sock.unix"
    sa = bytes([0, S.AF_UNIX]) + path + bytes(106 - 2 - len(path))
    assert bind(client, sd, sa) == 0
    err, sun, n = name(client, sd, size=106)
    assert err == 0 and sun[1] == S.AF_UNIX and sun[2:].split(b"\0")[0] == path
    assert client.ok("close", sd) == 0
    assert client.ok("unlink", client.mem.str(path)) == 0
