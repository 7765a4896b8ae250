"""NetBSD tests/kernel/kqueue/read/t_fifo.c: EVFILT_READ on a FIFO opened O_RDWR."""
from __future__ import annotations

from sysproxy.abi import event as EV
from sysproxy.abi import fcntl as F

from support.nb import kevent, open_, read, write
from support.rawclient import RawClient


def test_fifo(client: RawClient) -> None:
    assert client.err("mkfifo", client.mem.str("/tmp/fifo"), 0o644) == 0
    err, fd = open_(client, "/tmp/fifo", F.O_RDWR, 0o644)
    assert err == 0
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(fd, EV.EVFILT_READ, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0)[0] == 0
    assert write(client, fd, b"foo") == (0, 3)
    err, evs = kevent(client, kq, [], 1)
    assert err == 0 and evs[0][1] == EV.EVFILT_READ and evs[0][4] == 3
    assert read(client, fd, evs[0][4]) == (0, b"foo")
    assert client.ok("close", fd) == 0
