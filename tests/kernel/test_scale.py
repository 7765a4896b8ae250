"""Scale: 1,000 clients blocked in read at once, woken by one writer, without a thread per call."""
from __future__ import annotations

import resource
import struct
import time

from sysproxy import wire

from support.rawclient import RawClient
from support.server import ServerProcess

N = 1000


def _threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def test_thousand_blocked_readers(server: ServerProcess) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < N + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, N + 500), hard))
    parent = RawClient(server.url, "scale")
    out = parent.mem.out(8)
    parent.ok("pipe2", out, 0)
    r, w = struct.unpack("<ii", parent.mem.get(out, 8))
    readers: list[tuple[RawClient, int, int]] = []
    t0 = time.monotonic()
    try:
        for _ in range(N):
            cookie = parent.prefork()
            c = RawClient(server.url, handshake=False, timeout=20)
            c.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
            buf = c.mem.out(1)
            readers.append((c, c.start("read", r, buf, 1), buf))
        parent.call("getpid")  # the server still answers promptly
        threads = _threads(server.proc.pid)
        assert 0 < threads < 8, threads  # no thread per blocked call
        parent.ok("write", w, parent.mem.buf(b"x" * N), N)  # one byte per reader
        for c, req, buf in readers:
            assert c.result(req) == (0, 1, 0)
            assert c.mem.get(buf, 1) == b"x"
    finally:
        for c, _, _ in readers:
            c.close()
        parent.close()
    assert time.monotonic() - t0 < 20
