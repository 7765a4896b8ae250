"""NetBSD tests/kernel/kqueue/write/t_fifo.c: EVFILT_WRITE on a FIFO needs PIPE_BUF of room."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import event as EV
from sysproxy.abi import fcntl as F
from sysproxy.abi import limits as LIM

from support.nb import kevent, open_, read, write
from support.rawclient import RawClient


def test_fifo(client: RawClient) -> None:
    c = client
    assert c.err("mkfifo", c.mem.str("/tmp/fifo"), 0o600) == 0
    err, rfd = open_(c, "/tmp/fifo", F.O_RDONLY | F.O_NONBLOCK)
    err2, wfd = open_(c, "/tmp/fifo", F.O_WRONLY | F.O_NONBLOCK)
    assert err == err2 == 0
    kq = c.ok("kqueue")
    err, pipe_buf, _ = c.call("fpathconf", wfd, LIM._PC_PIPE_BUF)
    assert err == 0 and pipe_buf > 1
    assert kevent(c, kq, [(wfd, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    err, evs = kevent(c, kq, [], 1, 0)
    assert len(evs) == 1 and evs[0][:2] == (wfd, EV.EVFILT_WRITE)
    while write(c, wfd, b"z" * pipe_buf)[0] == 0:
        pass
    assert write(c, wfd, b"z" * pipe_buf)[0] == E.EAGAIN
    assert kevent(c, kq, [], 1, 0) == (0, [])
    assert read(c, rfd, 1)[0] == 0
    assert kevent(c, kq, [], 1, 0) == (0, [])
    assert read(c, rfd, pipe_buf - 1)[0] == 0
    err, evs = kevent(c, kq, [], 1, 0)
    assert len(evs) == 1 and evs[0][:2] == (wfd, EV.EVFILT_WRITE)
