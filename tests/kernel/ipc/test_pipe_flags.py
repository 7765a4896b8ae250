"""pipe2 flags as NetBSD 7.99.34 keeps them."""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import fcntl as F

from support.rawclient import RawClient


def _pipe2(c: RawClient, flags: int) -> tuple[int, int]:
    out = c.mem.out(8)
    assert c.err("pipe2", out, flags) == 0
    return struct.unpack("<ii", c.mem.get(out, 8))


@pytest.mark.parametrize("flags", [F.O_CLOEXEC, F.O_CLOEXEC | F.O_NONBLOCK])
def test_pipe2_cloexec_shows_in_getfl(c: RawClient, flags: int) -> None:
    """pipe1 stores every pipe2 flag in f_flag: F_GETFL reports O_CLOEXEC too."""
    r, w = _pipe2(c, flags)
    assert c.ok("fcntl", r, F.F_GETFL, 0) == F.O_RDONLY | flags
    assert c.ok("fcntl", w, F.F_GETFL, 0) == F.O_WRONLY | flags
    assert c.ok("fcntl", r, F.F_GETFD, 0) == F.FD_CLOEXEC
    assert c.ok("fcntl", w, F.F_SETFL, 0) == 0  # F_SETFL keeps the non-fcntl bits
    assert c.ok("fcntl", w, F.F_GETFL, 0) == F.O_WRONLY | F.O_CLOEXEC
