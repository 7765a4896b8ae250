"""NetBSD tests/lib/libc/sys/t_getitimer.c: getitimer(2)/setitimer(2) values, errors and firing.

SIGALRM is raised in the client (RAISE); the raw client records it, which
stands for the C handler setting ``fired``. The wait of setitimer_invalidtime
(sigtimedwait on a blocked SIGALRM, a client-side mask) becomes a wait for a
RAISE that must not come, long enough for any of the refused values (at most
1.000001 s) to have fired.
"""
from __future__ import annotations

import time

from sysproxy.abi import errno as E
from sysproxy.abi import signal as SIG
from sysproxy.abi import time as T

from support.atf import BADADDR
from support.rawclient import RawClient
from support.server import ServerProcess

INT_MAX = 2**31 - 1


def _itv(c: RawClient, interval: tuple[int, int], value: tuple[int, int]) -> int:
    return c.mem.buf(T.pack_itimerval(interval, value))


def _get(c: RawClient, which: int) -> tuple[tuple[int, int], tuple[int, int]]:
    out = c.mem.buf(bytes(32))
    assert c.ok("__getitimer50", which, out) == 0
    return T.unpack_itimerval(c.mem.get(out, 32))


def test_getitimer_empty(module_server: ServerProcess) -> None:
    """getitimer_empty: before any setitimer() every timer's value is zero."""
    c = RawClient(module_server.url, "t_getitimer")
    for which in (T.ITIMER_REAL, T.ITIMER_VIRTUAL, T.ITIMER_PROF):
        assert _get(c, which)[1] == (0, 0), "getitimer(2) modified the timer before it was armed"


def test_getitimer_err(module_server: ServerProcess) -> None:
    """getitimer_err: which -1 and INT_MAX are EINVAL (the EFAULT of a bad itimerval is not asserted)."""
    c = RawClient(module_server.url, "t_getitimer")
    it = c.mem.out(32)
    assert c.err("__getitimer50", -1, it) == E.EINVAL
    assert c.err("__getitimer50", INT_MAX, it) == E.EINVAL
    # getitimer(ITIMER_REAL, (void *)-1) == EFAULT: the itimerval is copied out, and a
    # COPYOUT has no reply in RUMPSP, so the kernel never learns the address is bad.


def test_setitimer_basic(module_server: ServerProcess) -> None:
    """setitimer_basic: a 100 us ITIMER_REAL fires (SIGALRM) within a second."""
    c = RawClient(module_server.url, "t_getitimer")
    assert c.ok("__setitimer50", T.ITIMER_REAL, _itv(c, (0, 0), (0, 100)), 0) == 0
    time.sleep(0.1)  # the C test's sleep(1), scaled down
    c.call("getpid")  # the RAISE arrives before any later reply
    assert SIG.SIGALRM in c.raised, "timer did not fire"


def test_setitimer_err(module_server: ServerProcess) -> None:
    """setitimer_err: which -1 and INT_MAX are EINVAL, an unreadable itimerval EFAULT."""
    c = RawClient(module_server.url, "t_getitimer")
    it, ot = c.mem.out(32), c.mem.out(32)
    assert c.err("__setitimer50", -1, it, ot) == E.EINVAL
    assert c.err("__setitimer50", INT_MAX, it, ot) == E.EINVAL
    assert c.err("__setitimer50", T.ITIMER_REAL, BADADDR, ot) == E.EFAULT


def test_setitimer_old(module_server: ServerProcess) -> None:
    """setitimer_old: the second setitimer() stores the first value (4 s and change) in ovalue."""
    c = RawClient(module_server.url, "t_getitimer")
    ot = c.mem.out(32)
    assert c.ok("__setitimer50", T.ITIMER_REAL, _itv(c, (0, 0), (4, 999999)), ot) == 0
    assert c.ok("__setitimer50", T.ITIMER_REAL, _itv(c, (0, 0), (2, 1)), ot) == 0
    assert T.unpack_itimerval(c.mem.get(ot, 32))[1][0] == 4, "setitimer(2) did not store old values"
    c.ok("__setitimer50", T.ITIMER_REAL, _itv(c, (0, 0), (0, 0)), 0)


def test_setitimer_invalidtime(module_server: ServerProcess) -> None:
    """setitimer_invalidtime: negative or out-of-range values are EINVAL and arm nothing."""
    c = RawClient(module_server.url, "t_getitimer")
    cases = [((0, 0), (-1, 0)), ((0, 0), (0, -1)), ((0, 0), (0, 1000001)),
             ((-1, 0), (1, 0)), ((0, -1), (1, 0)), ((0, 1000001), (1, 0))]
    for i, (interval, value) in enumerate(cases):
        assert c.err("__setitimer50", T.ITIMER_REAL, _itv(c, interval, value), 0) == E.EINVAL, f"case {i}"
    time.sleep(1.2)  # the C test waits up to 2 s for a SIGALRM that must not come
    c.call("getpid")
    assert SIG.SIGALRM not in c.raised
