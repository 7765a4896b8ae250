"""sysctl reads a program makes, answered as NetBSD 7.99.34's rump kernel does."""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import errno as E

from support.rawclient import RawClient


def read(c: RawClient, mib: tuple[int, ...]) -> tuple[int, bytes]:
    name = c.mem.buf(struct.pack(f"<{len(mib)}i", *mib))
    old, oldlen = c.mem.out(1024), c.mem.buf(struct.pack("<Q", 1024))
    err = c.err("__sysctl", name, len(mib), old, oldlen, 0, 0)
    n = struct.unpack("<Q", c.mem.get(oldlen, 8))[0]
    return err, (c.mem.get(old, n) if not err else b"")


@pytest.mark.parametrize("mib", [(1, 6), (1, 8), (1, 17), (1, 18), (1, 19), (1, 20)])
def test_init_sysctl_nodes_are_absent(c: RawClient, mib: tuple[int, ...]) -> None:
    """kern.maxproc, argmax, posix1version, ngroups, job_control, saved_ids: not in rump."""
    assert read(c, mib)[0] == E.ENOENT


@pytest.mark.parametrize("mib", [(1,), (4,), (4, 2), (4, 2, 6)])
def test_reading_a_node_is_einval(c: RawClient, mib: tuple[int, ...]) -> None:
    assert read(c, mib)[0] == E.EINVAL


@pytest.mark.parametrize("mib,value", [
    ((6, 11), 7),                                      # hw.alignbytes
    ((4, 2, 0, 1), 1), ((4, 2, 0, 3), 64),             # net.inet.ip.forwarding, ttl
    ((4, 2, 6, 2), 32768), ((4, 2, 6, 3), 32768),      # net.inet.tcp.sendspace, recvspace
    ((4, 2, 6, 4), 536), ((4, 2, 6, 8), 4), ((4, 2, 6, 9), 0),
    ((4, 2, 17, 1), 1), ((4, 2, 17, 2), 9216), ((4, 2, 17, 3), 41600),
])
def test_int_values(c: RawClient, mib: tuple[int, ...], value: int) -> None:
    assert read(c, mib) == (0, struct.pack("<i", value))
