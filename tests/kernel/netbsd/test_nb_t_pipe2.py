"""NetBSD tests/lib/libc/sys/t_pipe2.c: pipe2 takes the lowest descriptors (after
F_CLOSEM) and applies exactly the flags asked for; O_ASYNC is EINVAL."""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.nb import getfd, getfl, open_, pipe2
from support.rawclient import RawClient


@pytest.mark.parametrize("flags", [0, F.O_NONBLOCK, F.O_CLOEXEC], ids=["basic", "nonblock", "cloexec"])
def test_pipe2(client: RawClient, flags: int) -> None:
    while True:  # open "/" until descriptor 3 is taken, then close from 3 on
        err, fd = open_(client, "/", F.O_RDONLY)
        assert err == 0
        if fd >= 3:
            break
    assert client.ok("fcntl", 3, F.F_CLOSEM, 0) == 0
    r, w = pipe2(client, flags)
    assert (r, w) == (3, 4)
    for fd in (r, w):
        assert bool(getfd(client, fd) & F.FD_CLOEXEC) == bool(flags & F.O_CLOEXEC)
        assert bool(getfl(client, fd) & F.O_NONBLOCK) == bool(flags & F.O_NONBLOCK)
    assert client.ok("close", r) == 0 and client.ok("close", w) == 0


def test_pipe2_einval(client: RawClient) -> None:
    assert client.err("pipe2", client.mem.out(8), F.O_ASYNC) == E.EINVAL
