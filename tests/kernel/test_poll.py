"""poll and select over pipes and sockets, woken by other clients; the recorded pipes_poll values."""
from __future__ import annotations

import struct
import time

from sysproxy import wire
from sysproxy.abi import poll as P
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import socketpair


def _poll(c: RawClient, fds: list[tuple[int, int]], timeout: int) -> tuple[int, int, list[int]]:
    buf = c.mem.buf(P.pack_pollfds([(fd, ev, 0) for fd, ev in fds]))
    err, n, _ = c.call("poll", buf, len(fds), timeout)
    return err, n, [r for _, _, r in P.unpack_pollfds(c.mem.get(buf, 8 * len(fds)), len(fds))]


def test_pipes_poll_vector_values(client: RawClient) -> None:
    out = client.mem.out(8)
    client.ok("pipe2", out, 0)
    r, w = struct.unpack("<ii", client.mem.get(out, 8))
    client.ok("write", w, client.mem.buf(b"ping"), 4)
    assert _poll(client, [(r, P.POLLIN), (w, P.POLLOUT)], 1000) == (0, 2, [P.POLLIN, P.POLLOUT])
    client.ok("read", r, client.mem.out(64), 64)
    assert _poll(client, [(r, P.POLLIN)], 0) == (0, 0, [0])
    assert _poll(client, [(77, P.POLLIN)], 0) == (0, 1, [P.POLLNVAL])
    client.ok("close", w)
    assert _poll(client, [(r, P.POLLIN)], 1000) == (0, 1, [0x11])
    a, b = socketpair(client)
    client.ok("write", a, client.mem.buf(b"hi"), 2)
    assert _poll(client, [(b, P.POLLIN)], 1000) == (0, 1, [P.POLLIN])


def test_poll_times_out(client: RawClient) -> None:
    a, b = socketpair(client)
    t = time.monotonic()
    assert _poll(client, [(b, P.POLLIN)], 200) == (0, 0, [0])
    assert time.monotonic() - t >= 0.19


def test_poll_woken_by_other_client(server: ServerProcess) -> None:
    c1 = RawClient(server.url)
    a, b = socketpair(c1, S.SOCK_DGRAM)
    cookie = c1.prefork()
    c2 = RawClient(server.url, handshake=False)
    c2.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    buf = c1.mem.buf(P.pack_pollfds([(b, P.POLLIN, 0)]))
    req = c1.start("poll", buf, 1, -1)
    time.sleep(0.05)
    c2.ok("write", a, c2.mem.buf(b"x"), 1)
    assert c1.result(req) == (0, 1, 0)


def test_select_read_and_write_sets(client: RawClient) -> None:
    a, b = socketpair(client)
    rset = client.mem.buf(struct.pack("<I", 1 << b))
    wset = client.mem.buf(struct.pack("<I", 1 << a))
    tv = client.mem.buf(struct.pack("<qi4x", 0, 0))
    assert client.call("__select50", b + 1, rset, wset, 0, tv) == (0, 1, 0)
    assert struct.unpack("<I", client.mem.get(rset, 4))[0] == 0
    assert struct.unpack("<I", client.mem.get(wset, 4))[0] == 1 << a
    bad = client.mem.buf(struct.pack("<I", 1 << 19))
    assert client.err("__select50", 20, bad, 0, 0, tv) == 9  # EBADF
    # nd is clipped to the table's size (20 descriptors until it grows): fd 20 is not looked at
    past = client.mem.buf(struct.pack("<I", 1 << 20))
    assert client.err("__select50", 21, past, 0, 0, tv) == 0
