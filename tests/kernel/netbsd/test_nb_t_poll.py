"""NetBSD tests/lib/libc/sys/t_poll.c over real connections (times scaled down ~10x).

poll_3way (kern/17517): three forked processes poll one pipe; the first
times out, the other two must both wake on the write. poll/pollts basics
(revents of unpolled entries untouched), errors (EFAULT, EINVAL for a
negative timeout other than INFTIM), pollts with a signal mask, and the
FIFO cases: POLLIN/POLLOUT around PIPE_BUF of room, POLLHUP after the last
writer closes and cleared when a writer reopens.
"""
from __future__ import annotations

import time

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import limits as LIM
from sysproxy.abi import poll as P

from support.bg import bg
from support.nb import fork, monotonic, open_, pipe, pollfds, read, timespec, write
from support.rawclient import RawClient
from support.server import ServerProcess

BAD = 0x7FFF_FFFF_F000  # an address outside every client buffer


def test_poll_3way(server: ServerProcess) -> None:
    parent = RawClient(server.url, "t_poll")
    r, w = pipe(parent)
    kids = [fork(parent, server.url) for _ in range(3)]
    for k in kids:
        k.ok("close", w)
    ev = P.POLLIN | P.POLLHUP | P.POLLOUT
    t1 = bg(pollfds, kids[0], [(r, ev)], 200)             # child1: 2000 ms in NetBSD
    time.sleep(0.1)
    t2 = bg(pollfds, kids[1], [(r, ev)], P.INFTIM)         # child2
    assert t1.result(5) == (0, 0, [0])                      # child1 timed out and left
    t3 = bg(pollfds, kids[2], [(r, ev)], P.INFTIM)         # child3 comes after
    time.sleep(0.1)
    assert not t2.done() and not t3.done()
    assert write(parent, w, b"konec\n") == (0, 6)
    assert t2.result(5) == (0, 1, [P.POLLIN])
    assert t3.result(5) == (0, 1, [P.POLLIN])


def _basic(c: RawClient, call) -> None:
    r, w = pipe(c)
    # only the first entry is passed: the second keeps its -1
    assert call([(r, P.POLLIN)], 1) == (0, 0, [0])
    assert call([(w, P.POLLOUT)], 1) == (0, 1, [P.POLLOUT])
    assert call([(r, P.POLLIN), (w, P.POLLOUT)], 1) == (0, 1, [0, P.POLLOUT])
    assert write(c, w, b"\0") == (0, 1)
    assert call([(r, P.POLLIN), (w, P.POLLOUT)], 1) == (0, 2, [P.POLLIN, P.POLLOUT])
    assert c.ok("close", r) == 0 and c.ok("close", w) == 0


def test_poll_basic(client: RawClient) -> None:
    _basic(client, lambda fds, ms: pollfds(client, fds, ms, fill=-1))


def test_pollts_basic(client: RawClient) -> None:
    def call(fds, _ms):
        buf = client.mem.buf(P.pack_pollfds([(fd, ev, -1) for fd, ev in fds]))
        err, n, _ = client.call("__pollts50", buf, len(fds), timespec(client, 1), 0)
        got = P.unpack_pollfds(client.mem.get(buf, 8 * len(fds)), len(fds))
        return err, n, [x for _, _, x in got]
    _basic(client, call)


def test_poll_err(client: RawClient) -> None:
    assert client.err("poll", BAD, 1, -1) == E.EFAULT
    pfd = client.mem.buf(P.pack_pollfds([(0, P.POLLIN, 0)]))
    assert client.err("poll", pfd, 1, -2) == E.EINVAL


def test_pollts_err(client: RawClient) -> None:
    assert client.err("__pollts50", BAD, 1, timespec(client, 1), 0) == E.EFAULT
    pfd = client.mem.buf(P.pack_pollfds([(0, P.POLLIN, 0)]))
    assert client.err("__pollts50", pfd, 1, timespec(client, (-1, -1)), 0) == E.EINVAL


def test_pollts_sigmask(client: RawClient) -> None:
    err, fd = open_(client, "/dev/null", F.O_RDONLY)
    assert err == 0
    pfd = client.mem.buf(P.pack_pollfds([(fd, P.POLLIN, 0)]))
    allsigs = client.mem.buf(b"\xff" * 16)  # every signal blocked during the call
    assert client.call("__pollts50", pfd, 1, timespec(client, 1), allsigs) == (0, 1, 0)
    assert client.ok("close", fd) == 0


def _fifo(c: RawClient, path: str = "/tmp/pollhup_fifo") -> str:
    assert c.err("mkfifo", c.mem.str(path), 0o600) == 0
    return path


def test_fifo_inout(client: RawClient) -> None:
    c = client
    path = _fifo(c)
    err, rfd = open_(c, path, F.O_RDONLY | F.O_NONBLOCK)
    assert err == 0
    err, wfd = open_(c, path, F.O_WRONLY | F.O_NONBLOCK)
    assert err == 0
    err, pipe_buf, _ = c.call("fpathconf", wfd, LIM._PC_PIPE_BUF)
    assert err == 0 and pipe_buf > 1
    fds = [(rfd, P.POLLIN | P.POLLRDNORM), (wfd, P.POLLOUT | P.POLLWRNORM)]
    IN, OUT = P.POLLIN | P.POLLRDNORM, P.POLLOUT | P.POLLWRNORM
    assert pollfds(c, fds, 0) == (0, 1, [0, OUT])
    assert write(c, wfd, b"x") == (0, 1)
    assert pollfds(c, fds, 0) == (0, 2, [IN, OUT])
    assert read(c, rfd, 1) == (0, b"x")
    while True:
        err, n = write(c, wfd, b"y" * pipe_buf)
        if err:
            break
    assert err == E.EAGAIN
    assert pollfds(c, fds, 0) == (0, 1, [IN, 0])
    assert read(c, rfd, 1)[0] == 0
    assert pollfds(c, fds, 0) == (0, 1, [IN, 0])  # one byte of room is not PIPE_BUF
    assert read(c, rfd, pipe_buf - 1)[0] == 0
    err, n, rev = pollfds(c, fds, 0)
    assert n >= 1 and rev[1] == OUT
    while read(c, rfd, pipe_buf)[0] == 0:
        pass
    assert pollfds(c, fds, 0) == (0, 1, [0, OUT])


def test_fifo_hup1(client: RawClient) -> None:
    c = client
    path = _fifo(c)
    err, rfd = open_(c, path, F.O_RDONLY | F.O_NONBLOCK)
    err2, wfd = open_(c, path, F.O_WRONLY)
    assert err == err2 == 0
    c.ok("close", wfd)
    err, n, rev = pollfds(c, [(rfd, P.POLLIN)], 0)
    assert n == 1 and rev[0] & P.POLLHUP
    err, wfd = open_(c, path, F.O_WRONLY)  # a writer is back: no more POLLHUP, no data
    assert err == 0
    assert pollfds(c, [(rfd, P.POLLIN)], 0) == (0, 0, [0])


def test_fifo_hup2(server: ServerProcess) -> None:
    c = RawClient(server.url)
    path = _fifo(c)
    err, rfd = open_(c, path, F.O_RDONLY | F.O_NONBLOCK)
    err2, wfd = open_(c, path, F.O_WRONLY)
    assert err == err2 == 0
    child = fork(c, server.url)
    child.ok("close", rfd)
    c.ok("close", wfd)
    t0 = monotonic(c)
    fut = bg(pollfds, c, [(rfd, P.POLLIN)], P.INFTIM)
    time.sleep(0.5)  # NetBSD's child sleeps 5 s
    assert not fut.done()
    child.ok("close", wfd)
    err, n, rev = fut.result(5)
    assert n == 1 and rev[0] & P.POLLHUP
    assert monotonic(c) - t0 >= 0.4
