"""The server's event loop: epoll over sockets, driving the kernel scheduler.

One thread does everything: it reads frames, runs system calls until they
block or finish, and writes replies. Short calls are answered inside the
read event that brought them, with no hand-off to another thread, which is
what keeps a round trip close to the bare socket cost.

After a burst of work the loop polls without sleeping for a little while
before it blocks (the busy-poll, ``SYSPROXY_SERVER_SPIN_US``): a client that
sends its next request (or the answer to a copy request) within that time
finds the server awake, and its write no longer has to wake a sleeping CPU,
which on virtual machines costs more than the Python work of the call. The
spin is adaptive and bounded, like the client's (client/transport.py): it
only follows events, each turn yields the CPU, and a spin that runs out makes
the next 1, 2, 4 ... up to 64 waits block at once (a single miss is
forgiven: the spin after a client left, waiting for whatever comes next,
often runs out, and the one after it usually succeeds), so an idle server
(however many clients are connected) sleeps in epoll and uses no CPU.
"""
from __future__ import annotations

import os
import select
import signal
import socket
import time
from typing import Protocol

from ..kernel.sched import Scheduler

_IN = select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR | select.EPOLLRDHUP
_OUT = select.EPOLLOUT


def _spin_us(text: str | None, default: float = 100.0) -> float:
    """SYSPROXY_SERVER_SPIN_US as microseconds; the default if unset or not a number >= 0."""
    if text is None:
        return default
    try:
        v = float(text)
    except ValueError:
        return default
    return v if v >= 0 else default


# Never on one CPU: there the spin would only keep the client from running.
SPIN_US = _spin_us(os.environ.get("SYSPROXY_SERVER_SPIN_US")) if (os.cpu_count() or 1) > 1 \
    else 0.0
SPIN_BACKOFF_MAX = 64  # waits that block at once at most, after spins that ran out
_yield = getattr(os, "sched_yield", lambda: None)


class SpinPolicy:
    """When the loop busy-polls: after a turn that handled events, for ``spin``
    seconds, unless recent spins ran out; from the second that ran out in a
    row, each makes the next 1, 2, 4 ... up to SPIN_BACKOFF_MAX waits block at
    once, and one that finds work restores the spin at once (a spinning
    mutex's adaptive wait)."""

    __slots__ = ("spin", "backoff", "skip", "hits", "misses", "missed_in_row")

    def __init__(self, spin: float) -> None:
        self.spin = spin  # seconds; 0 turns the busy-poll off
        self.backoff = 0  # the current length of the run of waits that block at once
        self.skip = 0     # waits left in that run
        self.hits = 0     # spins that found work (counters for tests and benchmarks)
        self.misses = 0   # spins that ran out
        self.missed_in_row = 0

    def budget(self) -> float:
        """Seconds to spin before this wait (after a busy turn); 0: block at once."""
        if self.skip:
            self.skip -= 1
            return 0.0
        return self.spin

    def hit(self) -> None:
        self.hits += 1
        self.backoff = 0
        self.missed_in_row = 0

    def miss(self) -> None:
        self.misses += 1
        self.missed_in_row += 1
        if self.missed_in_row > 1:  # one miss alone is forgiven (a client that left)
            self.backoff = min(self.backoff * 2 or 1, SPIN_BACKOFF_MAX)
            self.skip = self.backoff


class Handler(Protocol):
    def on_readable(self) -> None: ...
    def on_writable(self) -> None: ...


class Reactor:
    def __init__(self, sched: Scheduler) -> None:
        self.sched = sched
        self._ep = select.epoll()
        self._handlers: dict[int, Handler] = {}
        self._masks: dict[int, int] = {}
        self.running = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._ep.register(self._wake_r.fileno(), select.EPOLLIN)
        self._signal_handlers: dict[int, object] = {}
        self.spin = SpinPolicy(SPIN_US / 1e6)

    def register(self, fd: int, handler: Handler, read: bool = True, write: bool = False) -> None:
        mask = (_IN if read else 0) | (_OUT if write else 0)
        self._handlers[fd] = handler
        self._masks[fd] = mask
        self._ep.register(fd, mask)

    def modify(self, fd: int, read: bool, write: bool) -> None:
        mask = (_IN if read else 0) | (_OUT if write else 0)
        if self._masks.get(fd) != mask and fd in self._handlers:
            self._masks[fd] = mask
            self._ep.modify(fd, mask)

    def unregister(self, fd: int) -> None:
        if self._handlers.pop(fd, None) is not None:
            self._masks.pop(fd, None)
            try:
                self._ep.unregister(fd)
            except (OSError, ValueError):
                pass

    def on_signal(self, signo: int, fn: "object") -> None:
        """Run ``fn()`` in the loop (not in the signal handler) when ``signo`` arrives."""
        self._signal_handlers[signo] = fn
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        signal.signal(signo, lambda s, f: None)

    def _drain_wakeups(self) -> None:
        try:
            data = self._wake_r.recv(4096)
        except BlockingIOError:
            return
        for b in data:
            fn = self._signal_handlers.get(b)
            if fn is not None:
                fn()  # type: ignore[operator]

    def stop(self) -> None:
        self.running = False

    def run(self) -> None:
        self.running = True
        sched = self.sched
        handlers = self._handlers
        poll = self._ep.poll
        wake_fd = self._wake_r.fileno()
        perf = time.perf_counter
        policy = self.spin
        busy = False  # the last turn handled events: worth spinning for more
        while self.running:
            sched.run_ready()
            if not self.running:
                break
            timeout = sched.next_deadline()
            spin = policy.budget() if busy and timeout != 0.0 else 0.0
            if spin:
                # the busy-poll: bounded (never past a timer), yielding the CPU each turn
                end = perf() + (spin if timeout is None else min(spin, timeout))
                while True:
                    events = poll(0)
                    if events:
                        policy.hit()
                        break
                    if perf() >= end:
                        policy.miss()
                        timeout = sched.next_deadline()
                        events = poll(-1 if timeout is None else timeout)
                        break
                    _yield()
            else:
                events = poll(-1 if timeout is None else timeout)
            busy = bool(events)
            for fd, ev in events:
                if fd == wake_fd:
                    self._drain_wakeups()
                    continue
                h = handlers.get(fd)
                if h is None:
                    continue
                if ev & _IN:
                    h.on_readable()
                if ev & _OUT and fd in handlers:
                    h.on_writable()

    def close(self) -> None:
        self._ep.close()
        self._wake_r.close()
        self._wake_w.close()
