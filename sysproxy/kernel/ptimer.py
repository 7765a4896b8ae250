"""POSIX per-process timers (timer_create and friends), as kern_time.c keeps them.

Ids TIMER_MIN..TIMER_MAX-1 (the lower ones are setitimer's). A CLOCK_REALTIME
or CLOCK_MONOTONIC timer keeps its expiry as an absolute time on its clock
and a scheduler timer that posts ``sigev_signo`` (a RAISE to the client) when
it comes; a periodic timer re-arms at the next multiple of its interval and
counts the periods it missed as overruns. CLOCK_VIRTUAL and CLOCK_PROF timers
keep their values but never run (a client's CPU time is not ours to count).
Timers are not inherited by children and die with the process.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import signal as SIG
from ..abi import time as T
from .clock import NS, now_ns
from .errors import KernelError

if TYPE_CHECKING:
    from .kernel import Kernel
    from .proc import Proc
    from .sched import Timer

TIMER_MIN = 3          # [0..2] are setitimer's (NetBSD 7's sys/timevar.h)
TIMER_MAX = 32
DELAYTIMER_MAX = 32    # timer_getoverrun never reports more
TICK_NS = 10_000_000   # hz = 100: itimespecfix rounds a shorter value up to a tick

SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_SA = 0, 1, 2, 3

_DEFAULT_SIGNAL = {T.CLOCK_REALTIME: SIG.SIGALRM, T.CLOCK_MONOTONIC: SIG.SIGALRM,
                   T.CLOCK_VIRTUAL: SIG.SIGVTALRM, T.CLOCK_PROF: SIG.SIGPROF}


def itimespecfix(sec: int, nsec: int) -> int:
    """Validate a timespec of an itimerspec (EINVAL), -> ns rounded up to a tick."""
    if sec < 0 or not 0 <= nsec < NS:
        raise KernelError(E.EINVAL)
    if sec == 0 and 0 < nsec < TICK_NS:
        nsec = TICK_NS
    return sec * NS + nsec


class PTimer:
    __slots__ = ("proc", "clock", "notify", "signo", "interval", "deadline", "timer",
                 "overruns", "stored")

    def __init__(self, proc: "Proc", clock: int, notify: int, signo: int) -> None:
        self.proc = proc
        self.clock = clock
        self.notify = notify
        self.signo = signo
        self.interval = 0
        self.deadline = 0      # absolute ns on the timer's clock, 0 = disarmed
        self.timer: Timer | None = None
        self.overruns = 0
        self.stored = 0        # value of a virtual/prof timer (never runs)

    @property
    def runs(self) -> bool:
        return self.clock in (T.CLOCK_REALTIME, T.CLOCK_MONOTONIC)

    def get(self) -> tuple[int, int]:
        """-> (interval ns, time left ns); a due timer reports 1 ns, as NetBSD."""
        if not self.runs:
            return self.interval, self.stored
        if not self.deadline:
            return self.interval, 0
        return self.interval, max(1, self.deadline - now_ns(self.clock))

    def set(self, interval: int, value: int, absolute: bool) -> None:
        self.cancel()
        self.interval = interval
        self.overruns = 0
        if not self.runs:
            self.stored = value
            return
        if value:
            self.deadline = value if absolute else now_ns(self.clock) + value
            self._schedule()

    def _schedule(self) -> None:
        delay = max(0, self.deadline - now_ns(self.clock))
        self.timer = self.proc.kernel.sched.call_later(delay / NS, self._fire)

    def _fire(self) -> None:
        self.timer = None
        p = self.proc
        if p.exiting or not self.deadline:
            return
        now = now_ns(self.clock)
        if now < self.deadline:  # the realtime clock was set back: not yet
            self._schedule()
            return
        if self.interval:
            missed = (now - self.deadline) // self.interval
            self.overruns = min(missed, DELAYTIMER_MAX)
            self.deadline += (missed + 1) * self.interval
            self._schedule()
        else:
            self.overruns = 0
            self.deadline = 0
        if self.notify == SIGEV_SIGNAL:
            p.kernel.psignal(p, self.signo)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.deadline = 0


def _timers(p: "Proc") -> dict[int, PTimer]:
    return p.data.setdefault("ptimers", {})


def create(p: "Proc", clock: int, notify: int | None, signo: int) -> int:
    """timer_create1: a new timer's id (EINVAL bad clock/event, EAGAIN none free)."""
    if clock not in _DEFAULT_SIGNAL:
        raise KernelError(E.EINVAL)
    if notify is None:
        notify, signo = SIGEV_SIGNAL, _DEFAULT_SIGNAL[clock]
    elif not SIGEV_NONE <= notify <= SIGEV_SA or (
            notify == SIGEV_SIGNAL and not 0 < signo < SIG.NSIG):
        raise KernelError(E.EINVAL)
    timers = _timers(p)
    for tid in range(TIMER_MIN, TIMER_MAX):
        if tid not in timers:
            timers[tid] = PTimer(p, clock, notify, signo)
            return tid
    raise KernelError(E.EAGAIN)


def lookup(p: "Proc", tid: int) -> PTimer:
    t = p.data.get("ptimers", {}).get(tid)
    if t is None:
        raise KernelError(E.EINVAL)
    return t


def delete(p: "Proc", tid: int) -> None:
    lookup(p, tid).cancel()
    del p.data["ptimers"][tid]


def _exit_hook(p: "Proc") -> None:
    for t in p.data.pop("ptimers", {}).values():
        t.cancel()


def attach(kernel: "Kernel") -> None:
    kernel.exit_hooks.append(_exit_hook)
