"""select/poll limits and the rump console's answers, as NetBSD 7.99.34's."""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import ioctl as IO
from sysproxy.abi.stat import S_IFCHR, unpack_stat

from support.rawclient import RawClient


def _zero(c: RawClient) -> int:
    return c.mem.buf(struct.pack("<qq", 0, 0))


def test_select_nd_is_clipped_to_the_table(c: RawClient) -> None:
    """selcommon: nd beyond dt_nfiles (20, then 50, 100...) is cut there."""
    past = c.mem.buf(struct.pack("<I", 1 << 20) + bytes(60))
    assert c.call("__select50", 21, past, 0, 0, _zero(c)) == (0, 0, 0)
    assert c.call("__select50", 65536, past, 0, 0, _zero(c)) == (0, 0, 0)
    assert c.err("__select50", -1, past, 0, 0, _zero(c)) == E.EINVAL
    assert c.ok("dup2", 0, 20) == 20  # the table grows to 50
    bad = c.mem.buf(struct.pack("<II", 1 << 21, 0))
    assert c.err("__select50", 22, bad, 0, 0, _zero(c)) == E.EBADF
    assert c.ok("close", 20) == 0  # the table never shrinks
    far = c.mem.buf(struct.pack("<II", 0, 1 << (49 - 32)))
    assert c.err("__select50", 50, far, 0, 0, _zero(c)) == E.EBADF
    farther = c.mem.buf(struct.pack("<II", 0, 1 << (50 - 32)))  # fd 50, past the 50 slots
    assert c.call("__select50", 51, farther, 0, 0, _zero(c)) == (0, 0, 0)


def test_poll_nfds_limit_follows_the_table(c: RawClient) -> None:
    fds = c.mem.buf(b"\xff" * 8 * 1200)  # fd -1 entries: ignored
    assert c.call("poll", fds, 1020, 0)[:2] == (0, 0)
    assert c.err("poll", fds, 1021, 0) == E.EINVAL
    assert c.ok("dup2", 0, 20) == 20
    assert c.call("poll", fds, 1050, 0)[:2] == (0, 0)
    assert c.err("poll", fds, 1051, 0) == E.EINVAL


def test_console_descriptors(c: RawClient) -> None:
    """rumpcons: write-only to poll, a character device to fstat, ENOTTY to ioctls."""
    st = c.mem.out(256)
    assert c.err("__fstat50", 1, st) == 0
    s = unpack_stat(c.mem.get(st, 256))
    assert (s.mode, s.size, s.blksize, s.nlink, s.rdev) == (S_IFCHR | 0o600, 0, 0, 0, 0)
    pfd = c.mem.buf(struct.pack("<ihh", 0, 0x7FF, 0))
    assert c.call("poll", pfd, 1, 0)[:2] == (0, 1)
    assert struct.unpack("<ihh", c.mem.get(pfd, 8))[2] == 0x0004  # POLLOUT (= POLLWRNORM)
    rset = c.mem.buf(struct.pack("<I", 0b111))
    assert c.call("__select50", 3, rset, 0, 0, _zero(c)) == (0, 0, 0)
    one = c.mem.buf(struct.pack("<i", 1))
    assert c.err("ioctl", 2, IO.FIONBIO, one) == E.ENOTTY
    assert c.ok("fcntl", 2, F.F_GETFL, 0) == F.O_WRONLY | F.O_NONBLOCK
