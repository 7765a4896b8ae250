"""Pipes over real connections: blocking, nonblocking, atomicity, EPIPE/SIGPIPE, EOF, sharing."""
from __future__ import annotations

import struct

from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import ioctl as IO
from sysproxy.abi.fcntl import F_SETFL, O_NONBLOCK, O_NOSIGPIPE
from sysproxy.abi.limits import BIG_PIPE_SIZE, PIPE_BUF, PIPE_SIZE
from sysproxy.abi.signal import SIGPIPE
from sysproxy.abi.stat import S_IFIFO, unpack_stat

from support.bg import bg
from support.rawclient import RawClient
from support.server import ServerProcess


def _pipe2(c: RawClient, flags: int = 0) -> tuple[int, int]:
    out = c.mem.out(8)
    err, rv0, rv1 = c.call("pipe2", out, flags)
    assert err == 0 and rv0 == 0
    r, w = struct.unpack("<ii", c.mem.get(out, 8))
    assert rv1 == w
    return r, w


def _write(c: RawClient, fd: int, data: bytes) -> tuple[int, int]:
    err, rv, _ = c.call("write", fd, c.mem.buf(data), len(data))
    return err, rv


def _read(c: RawClient, fd: int, n: int) -> tuple[int, bytes]:
    buf = c.mem.out(max(n, 1))
    err, rv, _ = c.call("read", fd, buf, n)
    return err, (c.mem.get(buf, rv) if not err else b"")


def test_pipe_and_pipe2_retvals(client: RawClient) -> None:
    r, w = _pipe2(client)  # fd numbers: the lowest free ones, in order
    assert w == r + 1
    assert client.call("pipe") == (0, w + 1, w + 2)
    assert client.err("pipe2", client.mem.out(8), 0x1) == E.EINVAL  # O_WRONLY is not a pipe2 flag


def test_write_then_read_and_eof(client: RawClient) -> None:
    r, w = _pipe2(client)
    assert _write(client, w, b"ping") == (0, 4)
    assert _read(client, r, 64) == (0, b"ping")
    assert client.ok("close", w) == 0
    assert _read(client, r, 64) == (0, b"")
    assert client.err("write", r, client.mem.buf(b"x"), 1) == E.EBADF
    assert client.err("read", w, client.mem.out(1), 1) == E.EBADF


def test_nonblocking_read_and_full_pipe(client: RawClient) -> None:
    r, w = _pipe2(client, O_NONBLOCK)
    assert _read(client, r, 10)[0] == E.EAGAIN
    big = b"a" * (PIPE_SIZE - 100)
    assert _write(client, w, big) == (0, len(big))
    # 100 bytes of room left: a PIPE_BUF write is atomic, so it fails whole ...
    assert _write(client, w, b"b" * PIPE_BUF) == (E.EAGAIN, 0)
    # ... a larger one is partial.
    assert _write(client, w, b"c" * 1000) == (0, 100)
    assert _write(client, w, b"d") == (E.EAGAIN, 0)
    fionread = client.mem.out(4)
    assert client.ok("ioctl", r, IO.FIONREAD, fionread) == 0
    assert struct.unpack("<i", client.mem.get(fionread, 4))[0] == PIPE_SIZE


def test_big_write_grows_the_buffer(client: RawClient) -> None:
    r, w = _pipe2(client, O_NONBLOCK)
    data = bytes(range(256)) * 300  # > PIPE_SIZE into an empty pipe
    assert _write(client, w, data) == (0, BIG_PIPE_SIZE)
    err, got = _read(client, r, len(data))
    assert got == data[:BIG_PIPE_SIZE]


def test_epipe_raises_sigpipe(client: RawClient) -> None:
    r, w = _pipe2(client)
    client.ok("close", r)
    assert _write(client, w, b"x") == (E.EPIPE, 0)
    assert client.raised == [SIGPIPE]
    client.ok("fcntl", w, F_SETFL, O_NOSIGPIPE)
    assert _write(client, w, b"x") == (E.EPIPE, 0)
    assert client.raised == [SIGPIPE]


def test_pipe2_nosigpipe(client: RawClient) -> None:
    r, w = _pipe2(client, O_NOSIGPIPE)
    client.ok("close", r)
    assert _write(client, w, b"x") == (E.EPIPE, 0)
    assert client.raised == []


def test_blocking_read_woken_by_other_process(server: ServerProcess) -> None:
    """fork_pipecomm: the child blocks in read until the parent writes."""
    parent = RawClient(server.url, "h_forkcli")
    err, r, w = parent.call("pipe")
    assert err == 0 and w == r + 1
    cookie = parent.prefork()
    child = RawClient(server.url, handshake=False)
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    buf = child.mem.out(22)
    req = child.start("read", r, buf, 22)
    assert parent.call("getpid")[0] == 0  # the server is not stalled by the blocked read
    assert _write(parent, w, b"i am your fatherrrrrrr") == (0, 22)
    assert child.result(req) == (0, 22, 0)
    assert child.mem.get(buf, 22) == b"i am your fatherrrrrrr"
    child.close()
    parent.close()


def test_blocked_writer_woken_by_reader(server: ServerProcess) -> None:
    a = RawClient(server.url)
    r, w = _pipe2(a)
    cookie = a.prefork()
    b = RawClient(server.url, handshake=False)
    b.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    data = b"z" * (BIG_PIPE_SIZE * 3 + 5000)
    fut = bg(a.call, "write", w, a.mem.buf(data), len(data))  # more than the buffer holds
    total = b""
    while len(total) < len(data):
        err, chunk = _read(b, r, 4096)
        assert err == 0 and chunk
        total += chunk
    assert fut.result(10) == (0, len(data), 0)
    assert total == data
    a.close()
    b.close()


def test_writer_gets_epipe_when_reader_exits(server: ServerProcess) -> None:
    a = RawClient(server.url)
    r, w = _pipe2(a, 0)
    cookie = a.prefork()
    b = RawClient(server.url, handshake=False)
    b.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    a.ok("close", r)
    big = b"q" * (BIG_PIPE_SIZE * 2)
    fut = bg(a.call, "write", w, a.mem.buf(big), len(big))
    assert b.call("getpid")[0] == 0
    b.close()  # the last reader goes away with its process
    err, rv, _ = fut.result(10)
    assert err == E.EPIPE
    assert SIGPIPE in a.raised
    a.close()


def test_poll_like_fstat(client: RawClient) -> None:
    r, w = _pipe2(client)
    _write(client, w, b"hello")
    st = client.mem.out(152)
    err = client.err("__fstat50", r, st)
    if err == E.ENOSYS:  # fstat belongs to the VFS family; skip until it lands
        return
    s = unpack_stat(client.mem.get(st, 152))
    assert s.mode == S_IFIFO | 0o600 and s.size == 5 and s.blksize == PIPE_SIZE and s.blocks == 1
    client.ok("__fstat50", w, st)
    s = unpack_stat(client.mem.get(st, 152))
    assert s.size == 0 and s.blksize == PIPE_SIZE


def test_fifo_open_blocks_until_writer(server: ServerProcess) -> None:
    from sysproxy.abi.fcntl import O_RDONLY, O_WRONLY
    a, b = RawClient(server.url), RawClient(server.url)
    assert a.err("mkfifo", a.mem.str("/tmp/ff"), 0o666) == 0
    assert a.err("open", a.mem.str("/tmp/ff"), O_WRONLY | O_NONBLOCK, 0) == E.ENXIO
    fut = bg(a.call, "open", a.mem.str("/tmp/ff"), O_RDONLY, 0)  # waits for a writer
    wfd = b.ok("open", b.mem.str("/tmp/ff"), O_WRONLY, 0)
    err, rfd, _ = fut.result(10)
    assert err == 0
    assert _write(b, wfd, b"fifo!") == (0, 5)
    assert _read(a, rfd, 10) == (0, b"fifo!")
    b.ok("close", wfd)
    assert _read(a, rfd, 10) == (0, b"")
