"""NetBSD tests/kernel/kqueue/write/t_pipe.c: EVFILT_WRITE on pipes.

pipe1: the reader is gone, so the write end fires at once with EV_EOF and
no room (data 0). pipe2: a forked reader; the writer's event fires and the
write reaches it. pipe3: closing both ends with a knote registered is fine.
pipe_wrong_end: EVFILT_WRITE on the read end never fires.
"""
from __future__ import annotations

from sysproxy.abi import event as EV

from support.bg import bg
from support.nb import fork, kevent, pipe, read, write
from support.rawclient import RawClient
from support.server import ServerProcess


def test_pipe1(client: RawClient) -> None:
    r, w = pipe(client)
    kq = client.ok("kqueue")
    client.ok("close", r)
    assert kevent(client, kq, [(w, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    err, evs = kevent(client, kq, [], 1, 1)  # NetBSD guards this with alarm(1)
    assert err == 0 and len(evs) == 1
    ident, filt, flags, _fflags, data, udata = evs[0]
    assert (ident, filt) == (w, EV.EVFILT_WRITE)
    assert flags & EV.EV_EOF and data == 0 and udata == 0


def test_pipe2(server: ServerProcess) -> None:
    c = RawClient(server.url, "t_pipe")
    r, w = pipe(c)
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(w, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0)[0] == 0
    child = fork(c, server.url)
    reader = bg(read, child, r, 128)
    err, evs = kevent(c, kq, [], 1)
    assert err == 0 and evs[0][:2] == (w, EV.EVFILT_WRITE) and evs[0][4] > 0
    assert write(c, w, b"foo") == (0, 3)
    assert c.ok("close", w) == 0
    assert reader.result(5) == (0, b"foo")


def test_pipe3(client: RawClient) -> None:
    r, w = pipe(client)
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(w, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0)[0] == 0
    assert client.ok("close", r) == 0
    assert client.ok("close", w) == 0
    assert kevent(client, kq, [], 1, 0) == (0, [])  # the knote went with the descriptor


def test_pipe_wrong_end(client: RawClient) -> None:
    r, w = pipe(client)
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(r, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    assert write(client, w, b"foo") == (0, 3)
    assert kevent(client, kq, [], 1, 0) == (0, [])
