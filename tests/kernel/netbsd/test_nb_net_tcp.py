"""NetBSD tests/net/net/t_tcp.c: accept(2) vs accept4(2) (paccept) and O_NONBLOCK.

A nonblocking connect is EINPROGRESS, and once accepted a second connect
says EISCONN. accept() keeps the listener's O_NONBLOCK (F_GETFL is exactly
O_RDWR|O_NONBLOCK), paccept() takes only the flags it is given; fcntl can
clear O_NONBLOCK. A blocking read is then cut short by the alarm (EINTR), a
nonblocking one is EWOULDBLOCK. getpeereid is refused on TCP sockets.
(The 4->6 cases need IPV6_V6ONLY=0 and v4-mapped addresses, which this
kernel does not implement: not ported.)
"""
from __future__ import annotations

import time

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import signal as SIG
from sysproxy.abi import socket as S
from sysproxy.abi import time as T

from support.nb import bind, connect, getfl, name, socket
from support.rawclient import RawClient

CASES = {  # name: (useaccept, accept4_block, fcntlblock)
    "accept_preserve_nonblock": (True, False, False),
    "accept4_reset_nonblock": (False, True, False),
    "fcntl_reset_nonblock": (False, False, True),
    "accept4_nonblock": (False, False, False),
}


@pytest.mark.parametrize("family", [S.AF_INET, S.AF_INET6], ids=["44", "66"])
@pytest.mark.parametrize("case", list(CASES))
def test_accept(client: RawClient, family: int, case: str) -> None:
    c = client
    useaccept, accept4_block, fcntlblock = CASES[case]
    _, srvr = socket(c, family, S.SOCK_STREAM | S.SOCK_NONBLOCK)
    sa = S.pack_sockaddr_in("127.0.0.1", 0) if family == S.AF_INET else S.pack_sockaddr_in6("::1", 0)
    assert bind(c, srvr, sa) == 0
    err, bs, n = name(c, srvr)
    assert err == 0
    bs = bs[:n]
    assert c.err("listen", srvr, S.SOMAXCONN) == 0
    _, clnt = socket(c, family, S.SOCK_STREAM | S.SOCK_NONBLOCK)
    assert connect(c, clnt, bs) == E.EINPROGRESS
    time.sleep(0.05)
    if useaccept:
        err, acpt, _ = c.call("accept", srvr, 0, 0)
    else:
        err, acpt, _ = c.call("paccept", srvr, 0, 0, 0, 0 if accept4_block else S.SOCK_NONBLOCK)
    assert err == 0
    assert connect(c, clnt, bs) in (0, E.EISCONN)
    val, ln = c.mem.out(12), c.mem.buf(b"\x0c\0\0\0")
    assert c.err("getsockopt", clnt, S.SOL_LOCAL, S.LOCAL_PEEREID, val, ln) != 0
    assert c.err("getsockopt", acpt, S.SOL_LOCAL, S.LOCAL_PEEREID, val, ln) != 0
    blocking = useaccept or accept4_block or fcntlblock
    if fcntlblock or useaccept:
        fl = getfl(c, acpt)
        assert fl == F.O_RDWR | F.O_NONBLOCK
        assert c.ok("fcntl", acpt, F.F_SETFL, fl & ~F.O_NONBLOCK) == 0
        assert not getfl(c, acpt) & F.O_NONBLOCK
    else:
        assert bool(getfl(c, acpt) & F.O_NONBLOCK) == (not accept4_block)
    c.ok("__setitimer50", T.ITIMER_REAL, c.mem.buf(T.pack_itimerval((0, 0), (0, 100_000))), 0)
    err, n, _ = c.call("read", acpt, c.mem.out(10), 10)
    if blocking:
        assert err == E.EINTR and SIG.SIGALRM in c.raised
    else:
        assert err == E.EAGAIN
