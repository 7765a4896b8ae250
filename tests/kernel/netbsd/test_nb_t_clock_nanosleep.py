"""NetBSD tests/lib/libc/sys/t_clock_nanosleep.c: the remaining time clock_nanosleep(2) stores."""
from __future__ import annotations

from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess


def test_clock_nanosleep_remain(module_server: ServerProcess) -> None:
    """clock_nanosleep_remain: a zero relative sleep stores a zero remainder; an absolute one leaves it alone."""
    c = RawClient(module_server.url, "t_clock_nanosleep")
    rqtp = c.mem.buf(T.pack_timespec(0, 0))
    rmtp = c.mem.buf(T.pack_timespec(-1, -1))
    err, rv, _ = c.call("clock_nanosleep", T.CLOCK_REALTIME, 0, rqtp, rmtp)
    assert (err, rv) == (0, 0)  # NOERR: the error number is the return value
    assert T.unpack_timespec(c.mem.get(rmtp, 16)) == (0, 0)

    assert c.ok("__clock_gettime50", T.CLOCK_REALTIME, rqtp) == 0
    rmtp = c.mem.buf(T.pack_timespec(-1, -1))
    err, rv, _ = c.call("clock_nanosleep", T.CLOCK_REALTIME, T.TIMER_ABSTIME, rqtp, rmtp)
    assert (err, rv) == (0, 0)
    assert T.unpack_timespec(c.mem.get(rmtp, 16)) == (-1, -1)
