"""NetBSD tests/lib/libc/sys/t_fsync.c: fsync(2)."""
from __future__ import annotations

from sysproxy.abi import errno as E

from support.atf import atf, mkstemp
from support.nb import pipe
from support.server import ServerProcess


def test_fsync_err(module_server: ServerProcess) -> None:
    """fsync_err: EBADF for negative descriptors; EINVAL for both ends of a pipe (PR kern/30)."""
    c = atf(module_server.url, "t_fsync")
    for i in range(1, 1024, 128):
        assert c.err("fsync", -i) == E.EBADF
    r, w = pipe(c)
    assert c.err("fsync", r) == E.EINVAL
    assert c.err("fsync", w) == E.EINVAL
    assert c.err("close", r) == 0
    assert c.err("close", w) == 0


def test_fsync_sync(module_server: ServerProcess) -> None:
    """fsync_sync: write one byte, fsync, unlink, close, ten times."""
    c = atf(module_server.url, "t_fsync")
    for i in range(10):
        fd, path = mkstemp(c, f"t_fsync-{i}")
        assert fd != -1
        assert c.call("write", fd, c.mem.buf(b"0"), 1)[:2] == (0, 1)
        assert c.err("fsync", fd) == 0
        assert c.err("unlink", c.mem.str(path)) == 0
        assert c.err("close", fd) == 0
