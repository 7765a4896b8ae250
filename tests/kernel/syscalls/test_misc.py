"""posix_fadvise (error number as the return value), quotactl and extattrctl on tmpfs."""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.rawclient import RawClient


def fadvise(c: RawClient, fd: int, off: int, length: int, advice: int) -> tuple[int, int, int]:
    return c.call("__posix_fadvise50", fd, 0, off, length, advice)


def test_posix_fadvise(client: RawClient) -> None:
    fd = client.ok("open", client.mem.str("/tmp/adv"), F.O_CREAT | F.O_RDWR, 0o644)
    for advice in range(6):
        assert fadvise(client, fd, 0, 0, advice) == (0, 0, 0)
    assert fadvise(client, fd, 0, 0, 6) == (0, E.EINVAL, 0)
    assert fadvise(client, fd, 0, -1, 0) == (0, E.EINVAL, 0)
    assert fadvise(client, fd, 10, (1 << 63) - 5, 0) == (0, E.EINVAL, 0)
    assert fadvise(client, 99, 0, 0, 0) == (0, E.EBADF, 0)
    out = client.mem.out(8)
    client.ok("pipe2", out, 0)
    r, _ = struct.unpack("<ii", client.mem.get(out, 8))
    assert fadvise(client, r, 0, 0, 0) == (0, E.ESPIPE, 0)
    kq = client.ok("kqueue")
    assert fadvise(client, kq, 0, 0, 0) == (0, E.EOPNOTSUPP, 0)


def test_quotactl_and_extattrctl(client: RawClient) -> None:
    args = client.mem.buf(bytes(48))
    assert client.err("__quotactl", client.mem.str("/"), args) == E.EOPNOTSUPP
    assert client.err("__quotactl", client.mem.str("/nosuch"), args) == E.ENOENT
    bad_op = client.mem.buf(struct.pack("<I", 99) + bytes(44))
    assert client.err("__quotactl", client.mem.str("/"), bad_op) == E.EINVAL
    assert client.err("extattrctl", client.mem.str("/"), 1, 0, 1, 0) == E.EOPNOTSUPP
    assert client.err("extattrctl", client.mem.str("/nosuch"), 1, 0, 1, 0) == E.ENOENT
    assert client.err("extattrctl", client.mem.str("/"), 1, client.mem.str("/nosuch"),
                      1, 0) == E.ENOENT
