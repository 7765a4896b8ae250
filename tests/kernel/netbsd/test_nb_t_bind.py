"""NetBSD tests/lib/libc/sys/t_bind.c bind_foreign_family: an AF_LOCAL socket refuses a
sockaddr of another family (AF_UNSPEC) with EAFNOSUPPORT (sobind's family check);
the same check holds for AF_INET sockets, before any length check."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.nb import bind, socket
from support.rawclient import RawClient


def test_bind_foreign_family(client: RawClient) -> None:
    _, sock = socket(client, S.AF_LOCAL, S.SOCK_STREAM)
    assert bind(client, sock, bytes(16)) == E.EAFNOSUPPORT
    _, s4 = socket(client, S.AF_INET, S.SOCK_DGRAM)
    assert bind(client, s4, bytes([0, S.AF_LOCAL]) + b"/tmp/x\0") == E.EAFNOSUPPORT
    _, s6 = socket(client, S.AF_INET6, S.SOCK_DGRAM)
    assert bind(client, s6, S.pack_sockaddr_in("127.0.0.1", 1)) == E.EAFNOSUPPORT
