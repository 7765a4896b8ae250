"""NetBSD tests/lib/libc/sys/t_socketpair.c: AF_UNIX SOCK_DGRAM pairs take descriptors 3
and 4 (after closefrom(3)), are connected (getpeername works) and carry exactly the
SOCK_CLOEXEC/SOCK_NONBLOCK flags asked for. (socketpair_clofork: SOCK_CLOFORK is
not in this kernel's ABI; not ported.)"""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import fcntl as F
from sysproxy.abi import socket as S

from support.nb import getfd, getfl, name, open_
from support.rawclient import RawClient


@pytest.mark.parametrize("flags", [0, S.SOCK_NONBLOCK, S.SOCK_CLOEXEC], ids=["basic", "nonblock", "cloexec"])
def test_socketpair(client: RawClient, flags: int) -> None:
    while open_(client, "/", F.O_RDONLY)[1] < 3:
        pass
    assert client.ok("fcntl", 3, F.F_CLOSEM, 0) == 0  # closefrom(3)
    out = client.mem.out(8)
    assert client.call("socketpair", S.AF_UNIX, S.SOCK_DGRAM | flags, 0, out) == (0, 0, 0)
    fds = struct.unpack("<ii", client.mem.get(out, 8))
    assert fds == (3, 4)
    # both checked before either closes, as the C test does: closing one end of a
    # datagram pair disconnects the other (unp_drop), getpeername is ENOTCONN after
    for fd in fds:
        assert name(client, fd, "getpeername")[0] == 0
        assert bool(getfd(client, fd) & F.FD_CLOEXEC) == bool(flags & S.SOCK_CLOEXEC)
        assert bool(getfl(client, fd) & F.O_NONBLOCK) == bool(flags & S.SOCK_NONBLOCK)
    for fd in fds:
        assert client.ok("close", fd) == 0
