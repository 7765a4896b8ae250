"""NetBSD tests/lib/libc/sys/t_gettimeofday.c: gettimeofday(2) errors and monotonicity.

The file is not in the indexed NetBSD/src; its text (NetBSD v1.1) was read from
the copy OpenBSD's regress carries. gettimeofday_err passes (void *)-1 as the
timeval, a *destination*: the time goes out in a COPYOUT, which has no reply
in RUMPSP, so the kernel never learns the page is bad (docs/CONFORMANCE.md);
the case is skipped.
"""
from __future__ import annotations

import pytest

from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess


def test_gettimeofday_err() -> None:
    """gettimeofday_err: gettimeofday((void *)-1, NULL) fails with EFAULT."""
    pytest.skip("the timeval is copied out; a COPYOUT has no reply, so a bad "
                "destination is never reported as EFAULT over RUMPSP")


def test_gettimeofday_mono(module_server: ServerProcess) -> None:
    """gettimeofday_mono: two consecutive gettimeofday() never go backwards (100 times)."""
    c = RawClient(module_server.url, "t_gettimeofday")
    tv1, tv2 = c.mem.out(T.TIMEVAL_SIZE), c.mem.out(T.TIMEVAL_SIZE)
    for _ in range(100):
        assert c.ok("__gettimeofday50", tv1, 0) == 0
        assert c.ok("__gettimeofday50", tv2, 0) == 0
        a = T.unpack_timeval(c.mem.get(tv1, T.TIMEVAL_SIZE))
        b = T.unpack_timeval(c.mem.get(tv2, T.TIMEVAL_SIZE))
        assert not b < a, "time went backwards"
