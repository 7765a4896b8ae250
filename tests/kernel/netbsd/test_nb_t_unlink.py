"""NetBSD tests/lib/libc/sys/t_unlink.c: unlink(2)."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.atf import PATH_MAX, atf, open_
from support.server import ServerProcess

PATH = "unlink"


def test_unlink_basic(module_server: ServerProcess) -> None:
    """unlink_basic: create, close, unlink, then open is ENOENT, 512 times."""
    c = atf(module_server.url, "t_unlink")
    for _ in range(512):
        err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o666)
        assert err == 0 and fd != -1
        assert c.err("close", fd) == 0
        assert c.err("unlink", c.mem.str(PATH)) == 0
        assert open_(c, PATH, F.O_RDONLY)[0] == E.ENOENT


def test_unlink_err(module_server: ServerProcess) -> None:
    """unlink_err: "/" is EBUSY, PATH_MAX + 1 bytes ENAMETOOLONG, a missing path ENOENT."""
    c = atf(module_server.url, "t_unlink")
    assert c.err("unlink", c.mem.str("/")) == E.EBUSY
    assert c.err("unlink", c.mem.buf(b"x" * (PATH_MAX + 1))) == E.ENAMETOOLONG
    assert c.err("unlink", c.mem.str("/a/b/c/d/e/f/g/h/i/j/k/l/m")) == E.ENOENT


def test_unlink_fifo(module_server: ServerProcess) -> None:
    """unlink_fifo: an unlinked FIFO is gone (open ENOENT)."""
    c = atf(module_server.url, "t_unlink")
    assert c.err("mkfifo", c.mem.str(PATH), 0o666) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0
    assert open_(c, PATH, F.O_RDONLY)[0] == E.ENOENT


def test_unlink_perm(module_server: ServerProcess) -> None:
    """unlink_perm (unprivileged): unlink("/etc") is EACCES or EPERM, /root/.profile EACCES."""
    c = atf(module_server.url, "t_unlink", "unprivileged")
    assert c.err("unlink", c.mem.str("/etc")) in (E.EACCES, E.EPERM)
    assert c.err("unlink", c.mem.str("/root/.profile")) == E.EACCES
