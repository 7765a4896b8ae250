"""NetBSD tests/lib/libc/sys/t_pipe.c, over real connections.

pipe_restart (kern/14087): a writer blocked on a full pipe is cut short by
SIGALRM (the handler is installed, so the call returns what it moved);
writing the rest must deliver exactly every byte to the forked reader.
pipe2_cloexec: both ends carry FD_CLOEXEC.
"""
from __future__ import annotations

import time

from sysproxy.abi import fcntl as F
from sysproxy.abi import signal as SIG
from sysproxy.abi import time as T

from support.bg import bg
from support.nb import fork, getfd, pipe, pipe2, read, write
from support.rawclient import RawClient
from support.server import ServerProcess

TODO = 512 * 1024  # NetBSD writes 2 MiB; a quarter keeps the case quick


def test_pipe_restart(server: ServerProcess) -> None:
    parent = RawClient(server.url, "t_pipe")
    r, w = pipe(parent)
    child = fork(parent, server.url)
    assert child.ok("close", w) == 0
    assert parent.ok("close", r) == 0
    # alarm(): ITIMER_REAL posts SIGALRM to the writer while it sleeps on the full pipe
    parent.ok("__setitimer50", T.ITIMER_REAL, parent.mem.buf(T.pack_itimerval((0, 0), (0, 200_000))), 0)
    data = bytes(range(256)) * (TODO // 256)

    def writer() -> list[int]:
        sizes, done = [], 0
        while done < TODO:
            err, n = write(parent, w, data[done:])
            assert err == 0 and n > 0
            sizes.append(n)
            done += n
        return sizes

    fut = bg(writer)
    err, first = read(child, r, 128 * 1024)
    assert err == 0 and first
    deadline = time.monotonic() + 5
    while SIG.SIGALRM not in parent.raised and time.monotonic() < deadline:
        time.sleep(0.01)
    assert SIG.SIGALRM in parent.raised  # the alarm went off while the write slept
    got = bytearray(first)
    while len(got) < TODO:
        err, chunk = read(child, r, 1024 * 1024)
        assert err == 0 and chunk
        got += chunk
    sizes = fut.result(10)
    assert len(sizes) >= 2  # the first write was interrupted after a partial transfer
    assert bytes(got) == data
    parent.ok("close", w)
    assert read(child, r, 10) == (0, b"")


def test_pipe2_cloexec(client: RawClient) -> None:
    r, w = pipe2(client, F.O_CLOEXEC)
    assert getfd(client, r) & F.FD_CLOEXEC
    assert getfd(client, w) & F.FD_CLOEXEC
    assert client.ok("close", r) == 0 and client.ok("close", w) == 0
