"""NetBSD tests/lib/libc/sys/t_getgroups.c: getgroups(2).

The file is not in the indexed NetBSD/src; its text was read from the copy
OpenBSD's regress carries (same cases). getgroups_err's getgroups(10,
(gid_t *)-1) -> EFAULT is not asserted: the groups reach the client in a
COPYOUT, which has no reply in RUMPSP, so the kernel cannot see a bad buffer.
"""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E

from support.atf import NGROUPS_MAX, atf
from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess


def _groups(c: RawClient) -> list[int]:
    buf = c.mem.out(4 * NGROUPS_MAX)
    n = c.ok("getgroups", NGROUPS_MAX, buf)
    return list(struct.unpack(f"<{n}I", c.mem.get(buf, 4 * n)))


def test_getgroups_err(module_server: ServerProcess) -> None:
    """getgroups_err: a negative size is EINVAL (the EFAULT half: see the module docstring)."""
    c = atf(module_server.url, "t_getgroups")
    assert c.err("getgroups", -1, c.mem.out(4 * NGROUPS_MAX)) == E.EINVAL


def test_getgroups_getgid(module_server: ServerProcess) -> None:
    """getgroups_getgid: getgid() is among the groups."""
    c = atf(module_server.url, "t_getgroups")
    assert c.ok("getgid") in _groups(c), "getgid(2) not found from getgroups(2)"


def test_getgroups_setgid(module_server: ServerProcess) -> None:
    """getgroups_setgid (root): a forked child can setgid() to each group."""
    c = atf(module_server.url, "t_getgroups")
    groups = _groups(c)
    assert len(groups) >= 0
    for g in groups:
        child = fork(c, module_server.url)
        assert child.err("setgid", g) == 0, "getgroups(2) is inconsistent"
        child.close()


def test_getgroups_zero(module_server: ServerProcess) -> None:
    """getgroups_zero: getgroups(0, buf) returns the count and leaves the buffer alone."""
    c = atf(module_server.url, "t_getgroups")
    val = struct.pack("<I", 123456789) * NGROUPS_MAX
    buf = c.mem.buf(val)
    assert c.ok("getgroups", 0, buf) >= 0
    assert c.mem.get(buf, len(val)) == val, "getgroups(2) modified the buffer"
