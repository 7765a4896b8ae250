"""The kernel's run queue and timers.

The kernel is single-threaded: every LWP is a coroutine stepped by the one
thread that also does the I/O. Wakeups are never run inside the code that
caused them (a pipe writer waking a reader must not run the reader in the
middle of its own call); they go onto this run queue, which the host loop
drains between I/O events. Timers live here too, so the kernel needs nothing
from the server but a loop that calls :meth:`run_ready` and honours
:meth:`next_deadline`.
"""
from __future__ import annotations

import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any


class Timer:
    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when: float, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._ready: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self.on_ready: Callable[[], None] | None = None  # lets a sleeping loop know

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        self._ready.append((fn, args))

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        t = Timer(self.clock() + max(0.0, delay), fn, args)
        heapq.heappush(self._timers, (t.when, next(self._seq), t))
        return t

    def next_deadline(self) -> float | None:
        """Seconds until something is due: 0 if work is ready, None if nothing at all."""
        if self._ready:
            return 0.0
        timers = self._timers
        while timers and timers[0][2].cancelled:
            heapq.heappop(timers)
        if not timers:
            return None
        return max(0.0, timers[0][0] - self.clock())

    def run_ready(self) -> None:
        """Fire due timers, then run everything queued (including what they queue)."""
        timers = self._timers
        if timers:
            now = self.clock()
            while timers and timers[0][0] <= now:
                t = heapq.heappop(timers)[2]
                if not t.cancelled:
                    t.cancelled = True
                    self._ready.append((t.fn, t.args))
        ready = self._ready
        while ready:
            fn, args = ready.popleft()
            fn(*args)
