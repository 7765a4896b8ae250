"""kevent's answers as NetBSD 7.99.34 gives them: error entries, receipts, order."""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.abi import event as EV
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.sock import send, socketpair

Kev = tuple[int, int, int, int, int, int]


def kevent(c: RawClient, kq: int, changes: list[Kev], nevents: int = 8) -> tuple[int, list[Kev]]:
    ch = EV.pack_kevents(changes)
    out = c.mem.out(EV.KEVENT_SIZE * max(nevents, 1))
    ts = c.mem.buf(struct.pack("<qq", 0, 0))
    err, n, _ = c.call("__kevent50", kq, c.mem.buf(ch) if ch else 0, len(changes), out, nevents, ts)
    return err, (EV.unpack_kevents(c.mem.get(out, EV.KEVENT_SIZE * n), n) if not err else [])


def _pipe(c: RawClient) -> tuple[int, int]:
    out = c.mem.out(8)
    assert c.err("pipe2", out, 0) == 0
    return struct.unpack("<ii", c.mem.get(out, 8))


def test_error_entries_carry_only_ev_error(c: RawClient) -> None:
    r, w = _pipe(c)
    kq = c.ok("kqueue")
    err, evs = kevent(c, kq, [
        (99, EV.EVFILT_READ, EV.EV_ADD | EV.EV_CLEAR, 5, 0, 8),
        (r, 77, EV.EV_ADD, 0, 0, 9),
        (r, EV.EVFILT_WRITE, EV.EV_DELETE, 0, 0, 10),
        (w, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ONESHOT, 0, 0, 11),  # fine, and active
        (r, EV.EVFILT_READ, EV.EV_ADD | EV.EV_RECEIPT, 3, 0, 12),
    ])
    assert err == 0
    # with errors the call returns them alone, nothing scanned; a new knote zeroed fflags
    assert evs == [(99, EV.EVFILT_READ, EV.EV_ERROR, 5, E.EBADF, 8),
                   (r, 77, EV.EV_ERROR, 0, E.EINVAL, 9),
                   (r, EV.EVFILT_WRITE, EV.EV_ERROR, 0, E.ENOENT, 10),
                   (r, EV.EVFILT_READ, EV.EV_ERROR, 0, 0, 12)]


def test_receipt_without_room_ends_the_changes(c: RawClient) -> None:
    r, w = _pipe(c)
    kq = c.ok("kqueue")
    err, evs = kevent(c, kq, [(r, EV.EVFILT_READ, EV.EV_ADD | EV.EV_RECEIPT, 0, 0, 1),
                              (w, EV.EVFILT_WRITE, EV.EV_ADD, 0, 0, 2)], nevents=0)
    assert (err, evs) == (0, [])
    err, evs = kevent(c, kq, [])
    assert evs == []  # the write knote was never added


def test_events_come_in_activation_order_and_readd_keeps_flags(c: RawClient) -> None:
    r, w = _pipe(c)
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(r, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 1),
                          (w, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ONESHOT, 0, 0, 2)], 0) == (0, [])
    assert kevent(c, kq, [(w, EV.EVFILT_WRITE, EV.EV_ADD, 0, 0, 3)], 0) == (0, [])  # flags stay
    assert c.ok("write", w, c.mem.buf(b"abc"), 3) == 3
    err, evs = kevent(c, kq, [])
    assert evs == [(w, EV.EVFILT_WRITE, EV.EV_ADD | EV.EV_ONESHOT, 0, 16384 - 3, 3),
                   (r, EV.EVFILT_READ, EV.EV_ADD, 0, 3, 1)]
    err, evs = kevent(c, kq, [])
    assert evs == [(r, EV.EVFILT_READ, EV.EV_ADD, 0, 3, 1)]


def test_socket_write_filter_after_peer_close(c: RawClient) -> None:
    """filt_sowrite: data is sbspace(so_snd), the whole buffer once nobody is connected."""
    a, b = socketpair(c, S.SOCK_STREAM)
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(a, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 1),
                          (a, EV.EVFILT_WRITE, EV.EV_ADD, 0, 0, 2)], 0) == (0, [])
    assert send(c, b, b"hello") == (0, 5)
    assert kevent(c, kq, [])[1] == [(a, EV.EVFILT_WRITE, EV.EV_ADD, 0, 4096, 2),
                                    (a, EV.EVFILT_READ, EV.EV_ADD, 0, 5, 1)]
    assert c.ok("close", b) == 0
    eof = EV.EV_ADD | EV.EV_EOF
    assert kevent(c, kq, [])[1] == [(a, EV.EVFILT_WRITE, eof, 0, 4096, 2),
                                    (a, EV.EVFILT_READ, eof, 0, 5, 1)]
