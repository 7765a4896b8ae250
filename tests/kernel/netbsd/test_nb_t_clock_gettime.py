"""NetBSD tests/lib/libc/sys/t_clock_gettime.c: CLOCK_REALTIME and the CPU-time clocks never go back.

clock_gettime_real: without kern.timecounter.hardware the C test checks the
"legacy time implementation" (check_timecounter) only; with it, it does so per
time counter after selecting each through sysctl. This kernel has one clock
(the host's), so the port runs check_timecounter once: consecutive readings of
CLOCK_REALTIME never decrease. The 5 s loops are scaled down tenfold. The
CPU-time clocks are the client's business (its host process burns the CPU):
the kernel's answer must still never go backwards, which is what is asserted;
waste_user_time() runs in the C process and has no kernel part.
"""
from __future__ import annotations

import time

from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess

TIMEOUT = 0.5  # the C test's 5 s


def _now(c: RawClient, clock: int, out: int) -> tuple[int, int]:
    assert c.ok("__clock_gettime50", clock, out) == 0
    return T.unpack_timespec(c.mem.get(out, 16))


def test_clock_gettime_real(module_server: ServerProcess) -> None:
    """clock_gettime_real: CLOCK_REALTIME is monotonic (check_timecounter) and has a resolution."""
    c = RawClient(module_server.url, "t_clock_gettime")
    out = c.mem.out(16)
    tsa = _now(c, T.CLOCK_REALTIME, out)
    end = time.monotonic() + TIMEOUT
    while time.monotonic() < end:
        tsb = _now(c, T.CLOCK_REALTIME, out)
        diff = (tsb[0] - tsa[0]) * 1_000_000_000 + tsb[1] - tsa[1]
        assert diff >= 0, f"BAD time TSA: {tsa}, TSB: {tsb}"
        tsa = tsb
    assert c.ok("__clock_getres50", T.CLOCK_REALTIME, out) == 0


def _check_monotonicity(c: RawClient, clock: int) -> None:
    out, mono = c.mem.out(16), c.mem.out(16)
    t0 = _now(c, clock, out)
    m0 = _now(c, T.CLOCK_MONOTONIC, mono)
    while True:
        t1 = _now(c, clock, out)
        assert t0 <= t1, f"clock {clock:#x} went backwards t0={t0} t1={t1}"
        t0 = t1
        m1 = _now(c, T.CLOCK_MONOTONIC, mono)
        if (m1[0] - m0[0]) * 1_000_000_000 + m1[1] - m0[1] >= TIMEOUT * 1e9:
            break


def test_clock_gettime_process_cputime_is_monotonic(module_server: ServerProcess) -> None:
    """clock_gettime_process_cputime_is_monotonic: CLOCK_PROCESS_CPUTIME_ID never goes back."""
    _check_monotonicity(RawClient(module_server.url, "t_clock_gettime"), T.CLOCK_PROCESS_CPUTIME_ID)


def test_clock_gettime_thread_cputime_is_monotonic(module_server: ServerProcess) -> None:
    """clock_gettime_thread_cputime_is_monotonic: CLOCK_THREAD_CPUTIME_ID never goes back.

    NetBSD expects this to fail (PR kern/57512); here it holds.
    """
    _check_monotonicity(RawClient(module_server.url, "t_clock_gettime"), T.CLOCK_THREAD_CPUTIME_ID)
