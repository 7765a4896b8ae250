"""NetBSD tests/lib/libc/sys/t_select.c.

pselect_sigmask (PR lib/43625): a process blocked in pselect without a
timeout is cut short by SIGTERM (EINTR). pselect_timeout: a zero timeout
returns at once. select_badfd: every descriptor that fcntl calls EBADF is
EBADF for select too, within the descriptor table's size: NetBSD 7.99.34's
selcommon clips nd to dt_nfiles (20 for a new process), so past it select
looks at nothing (the reference server blocks there without a timeout; the
EBADF for every fd is NetBSD-current's later fix). (The signal masks
themselves live in the client.)
"""
from __future__ import annotations

import struct
import time

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import signal as SIG

from support.nb import fork, getpid, pipe, timespec
from support.rawclient import RawClient
from support.server import ServerProcess

FD_SETSIZE = 256


def _set(c: RawClient, *fds: int) -> int:
    words = [0] * (FD_SETSIZE // 32)
    for fd in fds:
        words[fd // 32] |= 1 << (fd % 32)
    return c.mem.buf(struct.pack(f"<{len(words)}I", *words))


def test_pselect_sigmask(server: ServerProcess) -> None:
    parent = RawClient(server.url, "t_select")
    r, _w = pipe(parent)  # never readable: the child sleeps
    child = fork(parent, server.url)
    cpid = getpid(child)
    req = child.start("__pselect50", r + 1, _set(child, r), 0, 0, 0, child.mem.buf(bytes(16)))
    time.sleep(0.1)
    assert parent.ok("kill", cpid, SIG.SIGTERM) == 0
    assert child.result(req)[0] == E.EINTR
    assert child.raised == [SIG.SIGTERM]


def test_pselect_timeout(client: RawClient) -> None:
    r, _w = pipe(client)
    t0 = time.monotonic()
    assert client.call("__pselect50", r + 1, _set(client, r), 0, 0, timespec(client, 0),
                       client.mem.buf(b"\xff" * 16)) == (0, 0, 0)
    assert time.monotonic() - t0 < 1


def test_select_badfd(client: RawClient) -> None:
    checked = 0
    zero = client.mem.buf(struct.pack("<qq", 0, 0))
    for fd in range(FD_SETSIZE):
        if client.err("fcntl", fd, F.F_GETFL, 0) != E.EBADF:
            continue
        if fd < 20:  # NDFILE: the table of a new process
            assert client.err("__select50", fd + 1, _set(client, fd), 0, 0, 0) == E.EBADF
        else:
            assert client.call("__select50", fd + 1, _set(client, fd), 0, 0, zero) == (0, 0, 0)
        checked += 1
    assert checked >= FD_SETSIZE - 3  # all but the console descriptors
