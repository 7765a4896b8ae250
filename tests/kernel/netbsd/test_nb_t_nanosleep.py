"""NetBSD tests/lib/libc/sys/t_nanosleep.c: nanosleep(2) sleeps, refuses bad times, is interrupted.

nanosleep_sig: the child is a forked kernel process; SIGINT from the parent's
kill() is raised in the child's client (RAISE, recorded by the raw client in
place of the C handler) and, as this kernel cuts an interruptible sleep short
for a signal whose default action acts (docs/CONFORMANCE.md), the sleep
answers EINTR with the unslept time in rmtp. Times are scaled down tenfold.
"""
from __future__ import annotations

import time

from sysproxy.abi import errno as E
from sysproxy.abi import signal as SIG
from sysproxy.abi import time as T

from support.atf import BADADDR
from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess


def _mono(c: RawClient) -> tuple[int, int]:
    ts = c.mem.out(16)
    assert c.ok("__clock_gettime50", T.CLOCK_MONOTONIC, ts) == 0
    return T.unpack_timespec(c.mem.get(ts, 16))


def test_nanosleep_basic(module_server: ServerProcess) -> None:
    """nanosleep_basic: sleeping i ns (i = 1..9) lets CLOCK_MONOTONIC advance."""
    c = RawClient(module_server.url, "t_nanosleep")
    for i in range(1, 10):
        ts1 = _mono(c)
        assert c.ok("__nanosleep50", c.mem.buf(T.pack_timespec(0, i)), 0) == 0
        ts2 = _mono(c)
        assert ts2 > ts1, f"inaccuracies in sleep time (resolution = {i} nsec)"


def test_nanosleep_err(module_server: ServerProcess) -> None:
    """nanosleep_err: tv_sec -1 is EINVAL, an unreadable timespec EFAULT."""
    c = RawClient(module_server.url, "t_nanosleep")
    assert c.err("__nanosleep50", c.mem.buf(T.pack_timespec(-1, 1000)), 0) == E.EINVAL
    assert c.err("__nanosleep50", BADADDR, 0) == E.EFAULT


def test_nanosleep_sig(module_server: ServerProcess) -> None:
    """nanosleep_sig: SIGINT interrupts a 10 s nanosleep: EINTR and a nonzero remainder."""
    parent = RawClient(module_server.url, "t_nanosleep")
    child = fork(parent, module_server.url)
    cpid = child.ok("getpid")
    tsr = child.mem.buf(T.pack_timespec(0, 0))
    r = child.start("__nanosleep50", child.mem.buf(T.pack_timespec(10, 0)), tsr)
    time.sleep(0.1)  # the C parent's sleep(1), scaled down
    start = time.monotonic()
    assert parent.ok("kill", cpid, SIG.SIGINT) == 0
    err, _, _ = child.result(r)
    assert time.monotonic() - start < 5, "signal did not interrupt nanosleep(2)"
    assert err == E.EINTR
    assert child.raised == [SIG.SIGINT]
    assert T.unpack_timespec(child.mem.get(tsr, 16)) != (0, 0)
    child.close()
