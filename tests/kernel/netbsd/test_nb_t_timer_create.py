"""NetBSD tests/lib/libc/sys/t_timer_create.c: POSIX timers that signal (SIGEV_SIGNAL) and bad times.

The timer's SIGALRM is raised in the client (RAISE) and recorded by the raw
client, standing for the C handler that sets ``expired`` (a RAISE carries the
signal number only, so the handler's si_value check has no counterpart).
Blocking SIGALRM with sigprocmask is the client's business and not ported.
Times are scaled down tenfold: EXPIRE 0.1 s, NOEXPIRE 0.5 s, the sleep 0.2 s,
the remaining-time slop 0.2 s (ticks here are 10 ms).

Where the C test marks an assertion as an expected failure of NetBSD's own
kernel, the port asserts what the PR asks for, which this kernel gives:
timer_settime's ovalue is the time remaining, not the absolute expiry
(PR kern/58917), and a negative time is EINVAL, not ETIMEDOUT (PR kern/58920).
"""
from __future__ import annotations

import struct
import time

from sysproxy.abi import errno as E
from sysproxy.abi import signal as SIG
from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess

SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD = 0, 1, 2
NS = 1_000_000_000
PAST, EXPIRE, NOEXPIRE = "past", "expire", "noexpire"
SCALE = 10


def _sigevent(c: RawClient, notify: int, signo: int) -> int:
    return c.mem.buf(struct.pack("<iiQQQ", notify, signo, 0, 0, 0))


def _now(c: RawClient, clock: int) -> int:
    out = c.mem.out(16)
    assert c.ok("__clock_gettime50", clock, out) == 0
    return T.timespec_to_ns(*T.unpack_timespec(c.mem.get(out, 16)))


def _its(c: RawClient, interval_ns: int, value_ns: int) -> int:
    return c.mem.buf(T.pack_itimerspec(divmod(interval_ns, NS), divmod(value_ns, NS)))


def _timer_signal_create(url: str, cid: int, mode: str, flags: int) -> None:
    c = RawClient(url, "t_timer_create")
    tp = c.mem.out(4)
    assert c.ok("timer_create", cid, _sigevent(c, SIGEV_SIGNAL, SIG.SIGALRM), tp) == 0
    t = struct.unpack("<i", c.mem.get(tp, 4))[0]

    rel = {PAST: -NS, EXPIRE: NS, NOEXPIRE: 5 * NS}[mode] // SCALE
    if mode == PAST:
        assert flags & T.TIMER_ABSTIME
    t0 = _now(c, cid)
    value = t0 + rel if flags & T.TIMER_ABSTIME else rel
    assert c.ok("__timer_settime50", t, flags, _its(c, 0, value), 0) == 0
    otim = c.mem.out(T.ITIMERSPEC.size)
    assert c.ok("__timer_settime50", t, flags, _its(c, 0, value), otim) == 0
    (isec, insec), (vsec, vnsec) = T.unpack_itimerspec(c.mem.get(otim, T.ITIMERSPEC.size))

    # The time remaining is at most the relative time asked for (plus 2 s of slop,
    # scaled, for an absolute time): not the absolute expiry (PR kern/58917).
    bound = rel + (2 * NS // SCALE if flags & T.TIMER_ABSTIME else 0)
    assert vsec * NS + vnsec <= bound, f"time remaining {vsec}.{vnsec:09d}, expected at most {bound} ns"
    assert (isec, insec) == (0, 0), "interval differs from the one set"

    if mode == PAST:
        assert c.ok("clock_nanosleep", cid, 0, c.mem.buf(T.pack_timespec(0, 1)), 0) == 0
        assert SIG.SIGALRM in c.raised, "timer failed to fire immediately"
    else:
        assert SIG.SIGALRM not in c.raised, "timer fired too soon"
        time.sleep(2 / SCALE)
        c.call("getpid")  # the RAISE arrives before any later reply
        if mode == EXPIRE:
            assert SIG.SIGALRM in c.raised, "timer failed to fire immediately"
        else:
            assert SIG.SIGALRM not in c.raised, "timer fired too soon"
    assert c.ok("timer_delete", t) == 0


def test_timer_create_err(module_server: ServerProcess) -> None:
    """timer_create_err: sigev_signo -1 and sigev_notify SIGEV_THREAD + 100 are EINVAL."""
    c = RawClient(module_server.url, "t_timer_create")
    tp = c.mem.out(4)
    assert c.err("timer_create", T.CLOCK_REALTIME, _sigevent(c, SIGEV_SIGNAL, -1), tp) == E.EINVAL
    assert c.err("timer_create", T.CLOCK_REALTIME,
                 _sigevent(c, SIGEV_THREAD + 100, SIG.SIGUSR1), tp) == E.EINVAL


def test_timer_create_real(module_server: ServerProcess) -> None:
    """timer_create_real: CLOCK_REALTIME, relative, does not fire early."""
    _timer_signal_create(module_server.url, T.CLOCK_REALTIME, NOEXPIRE, 0)


def test_timer_create_real_abs(module_server: ServerProcess) -> None:
    """timer_create_real_abs: CLOCK_REALTIME, absolute, does not fire early."""
    _timer_signal_create(module_server.url, T.CLOCK_REALTIME, NOEXPIRE, T.TIMER_ABSTIME)


def test_timer_create_mono(module_server: ServerProcess) -> None:
    """timer_create_mono: CLOCK_MONOTONIC, relative, does not fire early."""
    _timer_signal_create(module_server.url, T.CLOCK_MONOTONIC, NOEXPIRE, 0)


def test_timer_create_mono_abs(module_server: ServerProcess) -> None:
    """timer_create_mono_abs: CLOCK_MONOTONIC, absolute, does not fire early."""
    _timer_signal_create(module_server.url, T.CLOCK_MONOTONIC, NOEXPIRE, T.TIMER_ABSTIME)


def test_timer_create_real_expire(module_server: ServerProcess) -> None:
    """timer_create_real_expire: CLOCK_REALTIME, relative, fires."""
    _timer_signal_create(module_server.url, T.CLOCK_REALTIME, EXPIRE, 0)


def test_timer_create_real_expire_abs(module_server: ServerProcess) -> None:
    """timer_create_real_expire_abs: CLOCK_REALTIME, absolute, fires."""
    _timer_signal_create(module_server.url, T.CLOCK_REALTIME, EXPIRE, T.TIMER_ABSTIME)


def test_timer_create_mono_expire(module_server: ServerProcess) -> None:
    """timer_create_mono_expire: CLOCK_MONOTONIC, relative, fires."""
    _timer_signal_create(module_server.url, T.CLOCK_MONOTONIC, EXPIRE, 0)


def test_timer_create_mono_expire_abs(module_server: ServerProcess) -> None:
    """timer_create_mono_expire_abs: CLOCK_MONOTONIC, absolute, fires."""
    _timer_signal_create(module_server.url, T.CLOCK_MONOTONIC, EXPIRE, T.TIMER_ABSTIME)


def test_timer_create_real_past_abs(module_server: ServerProcess) -> None:
    """timer_create_real_past_abs: CLOCK_REALTIME, an absolute time already past fires at once."""
    _timer_signal_create(module_server.url, T.CLOCK_REALTIME, PAST, T.TIMER_ABSTIME)


def test_timer_create_mono_past_abs(module_server: ServerProcess) -> None:
    """timer_create_mono_past_abs: CLOCK_MONOTONIC, an absolute time already past fires at once."""
    _timer_signal_create(module_server.url, T.CLOCK_MONOTONIC, PAST, T.TIMER_ABSTIME)


def test_timer_invalidtime(module_server: ServerProcess) -> None:
    """timer_invalidtime: timer_settime refuses negative and out-of-range times (EINVAL), arms nothing."""
    c = RawClient(module_server.url, "t_timer_create")
    now_sec = _now(c, T.CLOCK_MONOTONIC) // NS
    tp = c.mem.out(4)
    assert c.ok("timer_create", T.CLOCK_MONOTONIC, 0, tp) == 0
    t = struct.unpack("<i", c.mem.get(tp, 4))[0]
    cases = [((0, 0), (-1, 0)), ((0, 0), (0, -1)), ((0, 0), (0, 1000000001)),
             ((-1, 0), (1, 0)), ((0, -1), (1, 0)), ((0, 1000000001), (1, 0))]
    for i, (interval, value) in enumerate(cases):
        its = c.mem.buf(T.pack_itimerspec(interval, value))
        assert c.err("__timer_settime50", t, 0, its, 0) == E.EINVAL, f"case {i}"
        # the same with an absolute time near now
        absv = (value[0] + now_sec + 60, value[1])
        err = c.err("__timer_settime50", t, T.TIMER_ABSTIME, c.mem.buf(T.pack_itimerspec(interval, absv)), 0)
        if i == 0:
            # {-1, 0} moved 60 s ahead is a valid time a minute from now: the C check
            # here runs under PR kern/58920's expect_fail and does not hold on a correct kernel.
            assert err == 0, f"case {i} (absolute)"
        else:
            assert err == E.EINVAL, f"case {i} (absolute)"
    time.sleep(1.2)  # the C test waits up to 2 s for a SIGALRM that must not come (values of 1 s)
    c.call("getpid")
    assert SIG.SIGALRM not in c.raised
    assert c.ok("timer_delete", t) == 0
