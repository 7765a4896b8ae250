"""NetBSD tests/kernel/kqueue/read/t_pipe.c: EVFILT_READ on a pipe reports the bytes
buffered; on the write end it registers but never fires."""
from __future__ import annotations

from sysproxy.abi import event as EV

from support.nb import kevent, pipe, read, write
from support.rawclient import RawClient


def test_pipe(client: RawClient) -> None:
    r, w = pipe(client)
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(r, EV.EVFILT_READ, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    assert write(client, w, b"foo") == (0, 3)
    err, evs = kevent(client, kq, [], 1)
    assert err == 0 and len(evs) == 1
    ident, filt, flags, fflags, data, udata = evs[0]
    assert (ident, filt, fflags, data, udata) == (r, EV.EVFILT_READ, 0, 3, 0)
    assert not flags & (EV.EV_EOF | EV.EV_ERROR)
    assert read(client, r, evs[0][4]) == (0, b"foo")


def test_pipe_wrong_end(client: RawClient) -> None:
    r, w = pipe(client)
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(w, EV.EVFILT_READ, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    assert write(client, w, b"foo") == (0, 3)
    assert kevent(client, kq, [], 1, 0) == (0, [])
