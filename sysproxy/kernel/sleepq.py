"""Wait queues: where LWPs sleep until kernel state changes.

An object that can make waiters runnable (a pipe, a socket, a lock) owns a
WaitQueue and calls ``wakeup()`` when its state changes; waiters re-check
their condition when resumed. One :class:`Sleep` may wait on several queues
at once, which is what poll, select and kevent need.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..abi import errno as E
from .errors import KernelError
from .lwp import Suspension

if TYPE_CHECKING:
    from .lwp import Lwp
    from .sched import Scheduler, Timer


class WaitQueue:
    __slots__ = ("_sleepers",)

    def __init__(self) -> None:
        self._sleepers: list[Sleep] = []

    def __len__(self) -> int:
        return len(self._sleepers)

    def wakeup(self) -> None:
        """Make every sleeper runnable (each re-checks its condition)."""
        sleepers = self._sleepers
        if sleepers:
            self._sleepers = []
            for s in sleepers:
                s.wake(True)

    def wakeup_one(self) -> None:
        if self._sleepers:
            self._sleepers.pop(0).wake(True)

    def _remove(self, s: "Sleep") -> None:
        try:
            self._sleepers.remove(s)
        except ValueError:
            pass


class Sleep(Suspension):
    """Await it: True when woken, False when the timeout passed.

    ``intr`` sleeps are the ones a signal cuts short with EINTR.
    """

    __slots__ = ("sched", "queues", "timeout", "intr", "lwp", "timer")

    def __init__(self, sched: "Scheduler", queues: Iterable[WaitQueue],
                 timeout: float | None = None, intr: bool = True) -> None:
        self.sched = sched
        self.queues = tuple(queues)
        self.timeout = timeout
        self.intr = intr
        self.lwp: Lwp | None = None
        self.timer: Timer | None = None

    def arm(self, lwp: "Lwp") -> None:
        self.lwp = lwp
        if lwp.proc.exiting:
            raise KernelError(E.EINTR)
        if self.intr and lwp.sigpending:  # sleepq_block: a pending signal fails the sleep at once
            lwp.sigpending = False
            self.lwp = None
            raise KernelError(E.EINTR)
        for q in self.queues:
            q._sleepers.append(self)
        if self.timeout is not None:
            self.timer = self.sched.call_later(self.timeout, self.wake, False)

    def disarm(self, lwp: "Lwp") -> None:
        self._detach()

    def _detach(self) -> None:
        for q in self.queues:
            q._remove(self)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.lwp = None

    def wake(self, woken: bool) -> None:
        lwp = self.lwp
        if lwp is None:
            return
        self._detach()
        self.sched.call_soon(lwp.resume, self, woken)
