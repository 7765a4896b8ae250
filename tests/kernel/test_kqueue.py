"""kqueue/kevent: read/write on pipes and sockets, timers, user events, process exit, across clients."""
from __future__ import annotations

import struct
import time

from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import event as EV
from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import socketpair


def _kevent(c: RawClient, kq: int, changes: list, nevents: int, timeout: float | None = None):
    ch = c.mem.buf(EV.pack_kevents(changes)) if changes else 0
    out = c.mem.out(max(1, nevents) * EV.KEVENT_SIZE)
    ts = c.mem.buf(T.pack_timespec(int(timeout), int((timeout % 1) * 1e9))) if timeout is not None else 0
    err, n, _ = c.call("__kevent50", kq, ch, len(changes), out, nevents, ts)
    return err, EV.unpack_kevents(c.mem.get(out, n * EV.KEVENT_SIZE), n) if not err else []


def test_pipe_read_write_and_eof(client: RawClient) -> None:
    kq = client.ok("kqueue")
    out = client.mem.out(8)
    client.ok("pipe2", out, 0)
    r, w = struct.unpack("<ii", client.mem.get(out, 8))
    err, evs = _kevent(client, kq, [(r, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 7),
                                    (w, EV.EVFILT_WRITE, EV.EV_ADD, 0, 0, 8)], 4, 0)
    assert err == 0 and evs == [(w, EV.EVFILT_WRITE, EV.EV_ADD, 0, 16384, 8)]
    client.ok("write", w, client.mem.buf(b"12345"), 5)
    err, evs = _kevent(client, kq, [(w, EV.EVFILT_WRITE, EV.EV_DELETE, 0, 0, 0)], 4, 0)
    assert evs == [(r, EV.EVFILT_READ, EV.EV_ADD, 0, 5, 7)]
    client.ok("close", w)
    client.ok("read", r, client.mem.out(5), 5)
    err, evs = _kevent(client, kq, [], 4, 0)
    assert evs == [(r, EV.EVFILT_READ, EV.EV_ADD | EV.EV_EOF, 0, 0, 7)]
    err, evs = _kevent(client, kq, [(99, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 0)], 4, 0)
    assert evs[0][2] & EV.EV_ERROR and evs[0][4] == E.EBADF
    assert _kevent(client, kq, [(99, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 0)], 0)[0] == E.EBADF


def test_timer_and_user(client: RawClient) -> None:
    kq = client.ok("kqueue1", 0)
    t0 = time.monotonic()
    err, evs = _kevent(client, kq, [(1, EV.EVFILT_TIMER, EV.EV_ADD | EV.EV_ONESHOT, 0, 100, 0)], 2)
    assert err == 0 and evs[0][:2] == (1, EV.EVFILT_TIMER) and evs[0][4] == 1
    assert time.monotonic() - t0 >= 0.09
    _kevent(client, kq, [(5, EV.EVFILT_USER, EV.EV_ADD | EV.EV_CLEAR, 0, 0, 0)], 0)
    assert _kevent(client, kq, [], 2, 0) == (0, [])
    err, evs = _kevent(client, kq, [(5, EV.EVFILT_USER, 0, EV.NOTE_TRIGGER | EV.NOTE_FFCOPY | 3, 0, 0)], 2, 0)
    assert evs and evs[0][:2] == (5, EV.EVFILT_USER) and evs[0][3] == 3
    assert _kevent(client, kq, [], 2, 0) == (0, [])


def test_kevent_woken_by_other_client_and_proc_exit(server: ServerProcess) -> None:
    a = RawClient(server.url)
    s1, s2 = socketpair(a)
    cookie = a.prefork()
    b = RawClient(server.url, handshake=False)
    b.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    bpid = b.call("getpid")[1]
    kq = a.ok("kqueue")
    _kevent(a, kq, [(s2, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 0),
                    (bpid, EV.EVFILT_PROC, EV.EV_ADD, EV.NOTE_EXIT, 0, 0)], 0)
    out = a.mem.out(2 * EV.KEVENT_SIZE)
    req = a.start("__kevent50", kq, 0, 0, out, 2, 0)
    time.sleep(0.05)
    b.ok("write", s1, b.mem.buf(b"wake"), 4)
    assert a.result(req) == (0, 1, 0)
    assert EV.unpack_kevents(a.mem.get(out, EV.KEVENT_SIZE), 1)[0][:2] == (s2, EV.EVFILT_READ)
    a.ok("read", s2, a.mem.out(4), 4)
    b.close()
    err, evs = _kevent(a, kq, [], 2, 5)
    assert evs and evs[0][:2] == (bpid, EV.EVFILT_PROC) and evs[0][3] & EV.NOTE_EXIT


def test_evfilt_vnode_on_files_and_directories(client: RawClient) -> None:
    """EVFILT_VNODE on open files and directories (filt_genfsvnode): a hint that shares a
    bit with those asked for is recorded whole, hints accumulate until read, EV_CLEAR
    clears them on reading and without it the event stays active; NOTE_REVOKE ends in
    EV_EOF."""
    from sysproxy.abi import fcntl as F
    from support.nb import open_
    c = client
    assert c.ok("mkdir", c.mem.str("/kqv"), 0o755) == 0
    err, fd = open_(c, "/kqv/f", F.O_RDWR | F.O_CREAT, 0o644)
    assert err == 0
    err, dfd = open_(c, "/kqv", F.O_RDONLY)
    assert err == 0
    kq = c.ok("kqueue")
    clear = EV.EV_ADD | EV.EV_CLEAR
    fnotes = EV.NOTE_WRITE | EV.NOTE_EXTEND | EV.NOTE_ATTRIB | EV.NOTE_LINK \
        | EV.NOTE_RENAME | EV.NOTE_DELETE | EV.NOTE_REVOKE
    err, evs = _kevent(c, kq, [(fd, EV.EVFILT_VNODE, clear, fnotes, 0, 1),
                               (dfd, EV.EVFILT_VNODE, EV.EV_ADD, EV.NOTE_WRITE, 0, 2)], 4, 0)
    assert (err, evs) == (0, [])
    c.ok("write", fd, c.mem.buf(b"abc"), 3)
    c.ok("fchmod", fd, 0o600)
    err, evs = _kevent(c, kq, [], 4, 0)
    assert evs == [(fd, EV.EVFILT_VNODE, clear, EV.NOTE_WRITE | EV.NOTE_EXTEND | EV.NOTE_ATTRIB,
                    0, 1)]
    assert _kevent(c, kq, [], 4, 0)[1] == []            # EV_CLEAR: reported once
    c.ok("link", c.mem.str("/kqv/f"), c.mem.str("/kqv/g"))
    c.ok("rename", c.mem.str("/kqv/f"), c.mem.str("/kqv/h"))
    c.ok("unlink", c.mem.str("/kqv/g"))
    c.ok("unlink", c.mem.str("/kqv/h"))
    err, evs = _kevent(c, kq, [], 4, 0)
    by_ident = {e[0]: e for e in evs}
    assert by_ident[fd][3] == EV.NOTE_LINK | EV.NOTE_RENAME | EV.NOTE_DELETE
    # the directory asked for NOTE_WRITE only, without EV_CLEAR: it stays active
    assert by_ident[dfd] == (dfd, EV.EVFILT_VNODE, EV.EV_ADD, EV.NOTE_WRITE, 0, 2)
    assert _kevent(c, kq, [], 4, 0)[1] == [by_ident[dfd]]
    # a revoked file ends its watch with EV_EOF
    err, fd2 = open_(c, "/kqv/r", F.O_RDWR | F.O_CREAT, 0o644)
    _kevent(c, kq, [(dfd, EV.EVFILT_VNODE, EV.EV_DELETE, 0, 0, 0),
                    (fd2, EV.EVFILT_VNODE, clear, EV.NOTE_REVOKE, 0, 3)], 0)
    assert c.ok("revoke", c.mem.str("/kqv/r")) == 0
    err, evs = _kevent(c, kq, [], 4, 0)
    assert [(e[0], e[2] & EV.EV_EOF, e[3]) for e in evs] == [(fd2, EV.EV_EOF, EV.NOTE_REVOKE)]
    # a pipe is no vnode
    r, _w = struct.unpack("<ii", (c.ok("pipe2", out := c.mem.out(8), 0), c.mem.get(out, 8))[1])
    assert _kevent(c, kq, [(r, EV.EVFILT_VNODE, EV.EV_ADD, EV.NOTE_WRITE, 0, 0)], 0)[0] \
        == E.EINVAL


def test_evfilt_read_on_a_file_is_what_is_left_to_read(client: RawClient) -> None:
    """filt_genfsread: data = size - offset and active only when that is not 0, so an
    EV_CLEAR watch (tail -f) fires again each time the file grows."""
    from sysproxy.abi import fcntl as F
    from support.nb import open_
    c = client
    err, w = open_(c, "/kqr", F.O_WRONLY | F.O_CREAT, 0o644)
    err, r = open_(c, "/kqr", F.O_RDONLY)
    kq = c.ok("kqueue")
    flags = EV.EV_ADD | EV.EV_CLEAR
    assert _kevent(c, kq, [(r, EV.EVFILT_READ, flags, 0, 0, 5)], 4, 0) == (0, [])  # empty
    c.ok("write", w, c.mem.buf(b"hello"), 5)
    assert _kevent(c, kq, [], 4, 0)[1] == [(r, EV.EVFILT_READ, flags, 0, 5, 5)]
    assert _kevent(c, kq, [], 4, 0)[1] == []          # EV_CLEAR: nothing new
    c.ok("read", r, c.mem.out(2), 2)
    c.ok("write", w, c.mem.buf(b"!!"), 2)             # grew: fires again with what is left
    assert _kevent(c, kq, [], 4, 0)[1] == [(r, EV.EVFILT_READ, flags, 0, 5, 5)]
    c.ok("read", r, c.mem.out(5), 5)                  # all read: not active
    assert _kevent(c, kq, [(r, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 5)], 4, 0) == (0, [])


def test_kevent_on_a_file_is_woken_by_another_process_writing(server: ServerProcess) -> None:
    """tail -f: a kevent blocked on EVFILT_READ of a file returns when another process
    appends to it (the vnode's write wakes the kqueue)."""
    from sysproxy.abi import fcntl as F
    from support.bg import bg
    from support.nb import open_
    a, b = RawClient(server.url, "tail"), RawClient(server.url, "writer")
    try:
        err, r = open_(a, "/grow", F.O_RDONLY | F.O_CREAT, 0o644)
        kq = a.ok("kqueue")
        flags = EV.EV_ADD | EV.EV_CLEAR
        assert _kevent(a, kq, [(r, EV.EVFILT_READ, flags, 0, 0, 0)], 1, 0) == (0, [])
        t0 = time.monotonic()
        waiting = bg(_kevent, a, kq, [], 1, 10.0)
        time.sleep(0.2)
        assert not waiting.done()
        err, w = open_(b, "/grow", F.O_WRONLY | F.O_APPEND)
        b.ok("write", w, b.mem.buf(b"line\n"), 5)
        err, evs = waiting.result(5)
        assert evs == [(r, EV.EVFILT_READ, flags, 0, 5, 0)] and time.monotonic() - t0 < 5
    finally:
        a.close()
        b.close()
