"""A kqueue as a file: kqueue1 flags, read/write, ioctl, fstat (NetBSD 7.99.34)."""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import ioctl as IO
from sysproxy.abi.stat import S_IFIFO, unpack_stat

from support.rawclient import RawClient


@pytest.mark.parametrize("flags", [F.O_APPEND, F.O_RDWR, 0x10000, F.O_CREAT])
def test_kqueue1_ignores_unknown_flags(c: RawClient, flags: int) -> None:
    kq = c.ok("kqueue1", flags)
    assert c.ok("fcntl", kq, F.F_GETFL, 0) == F.O_RDWR
    assert c.ok("fcntl", kq, F.F_GETFD, 0) == 0


def test_kqueue_read_write_enxio_and_ioctls(c: RawClient) -> None:
    kq = c.ok("kqueue")
    buf = c.mem.out(16)
    for call in ("read", "write"):
        assert c.err(call, kq, buf, 16) == E.ENXIO
        assert c.err(call, kq, buf, 0) == E.ENXIO
    one = c.mem.buf(struct.pack("<i", 1))
    assert c.err("ioctl", kq, IO.FIONREAD, c.mem.out(4)) == E.ENOTTY
    # FIONBIO/FIOASYNC: sys_ioctl sets the flag, then kqueue_ioctl refuses
    assert c.err("ioctl", kq, IO.FIONBIO, one) == E.ENOTTY
    assert c.err("ioctl", kq, IO.FIOASYNC, one) == E.ENOTTY
    assert c.ok("fcntl", kq, F.F_GETFL, 0) == F.O_RDWR | F.O_NONBLOCK | F.O_ASYNC


def test_kqueue_fstat(c: RawClient) -> None:
    kq = c.ok("kqueue")
    st = c.mem.out(256)
    assert c.err("__fstat50", kq, st) == 0
    s = unpack_stat(c.mem.get(st, 256))
    assert (s.mode, s.size, s.blksize, s.nlink, s.uid) == (S_IFIFO, 0, 40, 0, 0)


def test_fcntl_setfl_and_owner_on_kqueue_and_console(c: RawClient) -> None:
    """F_SETFL goes through fo_fcntl (kqueue_fcntl: ENOTTY) and FIONBIO (the console:
    ENOTTY); F_GETOWN/F_SETOWN through FIOGETOWN/FIOSETOWN (both ENOTTY)."""
    kq = c.ok("kqueue")
    assert c.err("fcntl", kq, F.F_SETFL, 0) == E.ENOTTY
    assert c.err("fcntl", kq, F.F_GETOWN, 0) == E.ENOTTY
    assert c.err("fcntl", kq, F.F_SETOWN, 1) == E.ENOTTY
    assert c.err("fcntl", 1, F.F_SETFL, F.O_APPEND) == 0  # nothing for the console to refuse
    assert c.err("fcntl", 1, F.F_SETFL, F.O_NONBLOCK) == E.ENOTTY
    assert c.ok("fcntl", 1, F.F_GETFL, 0) == F.O_WRONLY | F.O_APPEND
    assert c.err("fcntl", 1, F.F_GETOWN, 0) == E.ENOTTY
