"""shutdown, listen and accept on sockets in every state, as NetBSD 7.99.34 answers."""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.sock import bind_in, recv, send, socket, socketpair

DONTWAIT = S.MSG_DONTWAIT
SIGPIPE = 13


@pytest.mark.parametrize("domain", [S.AF_LOCAL, S.AF_INET, S.AF_INET6])
def test_shutdown_of_unconnected_stream(c: RawClient, domain: int) -> None:
    """soshutdown has no ENOTCONN; SHUT_WR makes sends EPIPE (and SIGPIPE); TCP with
    no connection is closed outright, so it reads EOF; AF_LOCAL stays ENOTCONN."""
    s = socket(c, domain, S.SOCK_STREAM)
    assert c.err("shutdown", s, S.SHUT_WR) == 0
    assert send(c, s, b"x", DONTWAIT) == (E.EPIPE, 0)
    assert c.raised == [SIGPIPE]
    assert recv(c, s, 4, DONTWAIT) == ((E.ENOTCONN, b"") if domain == S.AF_LOCAL else (0, b""))
    t = socket(c, domain, S.SOCK_STREAM)
    assert c.err("shutdown", t, S.SHUT_RD) == 0
    assert recv(c, t, 4, DONTWAIT) == (0, b"")
    assert send(c, t, b"x", DONTWAIT) == (E.ENOTCONN, 0)
    assert c.err("shutdown", t, 3) == E.EINVAL


def test_local_dgram_send_unconnected_is_edestaddrreq(c: RawClient) -> None:
    s = socket(c, S.AF_LOCAL, S.SOCK_DGRAM)
    assert send(c, s, b"x", DONTWAIT) == (E.EDESTADDRREQ, 0)
    assert c.err("shutdown", s, S.SHUT_WR) == 0
    assert send(c, s, b"x", DONTWAIT) == (E.EPIPE, 0)


def test_dgram_shutdown_does_not_reach_the_peer(c: RawClient) -> None:
    a, b = socketpair(c, S.SOCK_DGRAM)
    assert c.err("shutdown", a, S.SHUT_WR) == 0
    assert recv(c, b, 5, DONTWAIT) == (E.EAGAIN, b"")  # not EOF


def test_listen_and_accept_errnos(c: RawClient) -> None:
    d = socket(c, S.AF_LOCAL, S.SOCK_DGRAM)
    assert c.err("listen", d, 1) == E.EINVAL  # unp_listen: not bound
    assert c.err("accept", d, 0, 0) == E.EOPNOTSUPP  # no PR_LISTEN, checked first
    u = socket(c, S.AF_INET, S.SOCK_DGRAM)
    assert c.err("listen", u, 1) == E.EOPNOTSUPP
    assert c.err("accept", u, 0, 0) == E.EOPNOTSUPP
    t = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert c.err("accept", t, 0, 0) == E.EINVAL
    a, b = socketpair(c, S.SOCK_STREAM)
    assert c.err("listen", a, 1) == E.EINVAL  # solisten: connected


def test_accept_on_listener_shut_for_reading(c: RawClient) -> None:
    ls = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert bind_in(c, ls, "127.0.0.1", 5310) == 0
    assert c.err("listen", ls, -5) == 0
    assert c.ok("fcntl", ls, F.F_SETFL, F.O_NONBLOCK) == 0
    assert c.err("accept", ls, 0, 0) == E.EAGAIN
    assert c.err("shutdown", ls, S.SHUT_RD) == 0
    assert c.err("accept", ls, 0, 0) == E.EAGAIN  # EWOULDBLOCK comes first
    assert c.ok("fcntl", ls, F.F_SETFL, 0) == 0
    assert c.err("accept", ls, 0, 0) == E.ECONNABORTED


def test_dgram_peer_close_is_econnreset(c: RawClient) -> None:
    """unp_detach drops the datagram sockets connected to the closing one: so_error
    ECONNRESET (once), then they are unconnected (EDESTADDRREQ)."""
    a, b = socketpair(c, S.SOCK_DGRAM)
    assert c.ok("close", b) == 0
    assert send(c, a, b"x", DONTWAIT) == (E.ECONNRESET, 0)
    assert send(c, a, b"x", DONTWAIT) == (E.EDESTADDRREQ, 0)
    a2, b2 = socketpair(c, S.SOCK_DGRAM)
    assert c.ok("close", b2) == 0
    assert recv(c, a2, 4, DONTWAIT) == (E.ECONNRESET, b"")


def test_local_connwait_is_write_only(c: RawClient) -> None:
    import struct
    s = socket(c, S.AF_LOCAL, S.SOCK_STREAM)
    assert c.err("setsockopt", s, S.SOL_LOCAL, S.LOCAL_CONNWAIT,
                 c.mem.buf(struct.pack("<i", 1)), 4) == 0
    val, ln = c.mem.out(4), c.mem.buf(struct.pack("<I", 4))
    assert c.err("getsockopt", s, S.SOL_LOCAL, S.LOCAL_CONNWAIT, val, ln) == E.ENOPROTOOPT
