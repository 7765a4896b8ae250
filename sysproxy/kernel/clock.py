"""Clocks and interval timers: CLOCK_REALTIME/MONOTONIC and ITIMER_REAL.

ITIMER_REAL is a scheduler timer per process that posts SIGALRM (a RAISE to
the client) and re-arms itself with the interval. ITIMER_VIRTUAL and
ITIMER_PROF keep their values but never fire: a client's CPU time is not
the kernel's to count.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import time as T
from ..abi.signal import SIGALRM, SIGPROF, SIGVTALRM
from .errors import KernelError

if TYPE_CHECKING:
    from .kernel import Kernel
    from .proc import Proc
    from .sched import Timer

NS = 1_000_000_000

# The kernel's CLOCK_REALTIME is the host's clock plus what clock_settime,
# settimeofday and adjtime added (the host's own clock is never touched).
# Module state: one kernel per host process (the server).
_offset_ns = 0
_adj_us = 0           # adjtime: the correction being slewed in, microseconds
_adj_start = 0.0      # time.monotonic() when it began
ADJ_FAST_US = 5000    # ntp_update_second: 5 ms/s while more than a second is left,
ADJ_SLOW_US = 500     # then 500 us/s


def _adj_left(elapsed: float) -> int:
    """Microseconds of the adjtime correction not yet applied, ``elapsed`` s after it began."""
    left = abs(_adj_us)
    if left > 1_000_000:
        fast = (left - 1_000_000) / ADJ_FAST_US
        if elapsed <= fast:
            return int(left - ADJ_FAST_US * elapsed) * (1 if _adj_us > 0 else -1)
        left, elapsed = 1_000_000, elapsed - fast
    left = max(0, int(left - ADJ_SLOW_US * elapsed))
    return left if _adj_us > 0 else -left


def realtime_ns() -> int:
    """CLOCK_REALTIME as the kernel keeps it: file times, gettimeofday, timers."""
    if _adj_us:
        applied = _adj_us - _adj_left(time.monotonic() - _adj_start)
        return time.time_ns() + _offset_ns + applied * 1000
    return time.time_ns() + _offset_ns


def set_realtime(kernel: "Kernel", ns: int) -> None:
    """settime1: step the clock to ``ns``; kern.boottime moves with it."""
    global _offset_ns
    delta = ns - realtime_ns()
    _offset_ns += delta
    kernel.boottime_ns += delta


def adjtime(delta_us: int | None) -> int:
    """adjtime1: start slewing by ``delta_us`` (None: no change); -> what was still left."""
    global _offset_ns, _adj_us, _adj_start
    now = time.monotonic()
    left = _adj_left(now - _adj_start) if _adj_us else 0
    if delta_us is not None:
        _offset_ns += (_adj_us - left) * 1000  # what was slewed so far stays
        _adj_us, _adj_start = delta_us, now
    return left


def now_ns(clock: int) -> int:
    if clock == T.CLOCK_REALTIME:
        return realtime_ns()
    if clock == T.CLOCK_MONOTONIC:
        return time.monotonic_ns()
    if clock in (T.CLOCK_PROCESS_CPUTIME_ID, T.CLOCK_THREAD_CPUTIME_ID, T.CLOCK_VIRTUAL,
                 T.CLOCK_PROF):
        return 0
    raise KernelError(E.EINVAL)


class ITimer:
    """One process's interval timer: value (ns, 0 = off) and interval (ns)."""

    __slots__ = ("proc", "which", "interval", "expires", "timer", "stored")

    def __init__(self, proc: "Proc", which: int) -> None:
        self.proc = proc
        self.which = which
        self.interval = 0
        self.expires = 0.0          # scheduler clock time, 0 = disarmed
        self.timer: Timer | None = None
        self.stored = 0             # value of a timer that never runs

    def get(self) -> tuple[int, int]:
        """-> (interval ns, remaining ns)."""
        if self.which != T.ITIMER_REAL:
            return self.interval, self.stored
        if not self.expires:
            return self.interval, 0
        left = self.expires - self.proc.kernel.sched.clock()
        return self.interval, max(1000, int(left * NS))

    def set(self, interval: int, value: int) -> None:
        self.cancel()
        self.interval = interval if value else 0
        if self.which != T.ITIMER_REAL:
            self.stored = value
            return
        if value:
            self._arm(value)

    def _arm(self, ns: int) -> None:
        sched = self.proc.kernel.sched
        self.expires = sched.clock() + ns / NS
        self.timer = sched.call_later(ns / NS, self._fire)

    def _fire(self) -> None:
        self.timer = None
        self.expires = 0.0
        p = self.proc
        if p.exiting:
            return
        if self.interval:
            self._arm(self.interval)
        sig = {T.ITIMER_REAL: SIGALRM, T.ITIMER_VIRTUAL: SIGVTALRM}.get(self.which, SIGPROF)
        p.kernel.psignal(p, sig)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.expires = 0.0


def itimer(p: "Proc", which: int) -> ITimer:
    timers: dict[int, ITimer] = p.data.setdefault("itimers", {})
    t = timers.get(which)
    if t is None:
        t = timers[which] = ITimer(p, which)
    return t


def _exit_hook(p: "Proc") -> None:
    for t in p.data.get("itimers", {}).values():
        t.cancel()


def attach(kernel: "Kernel") -> None:
    kernel.exit_hooks.append(_exit_hook)
