"""The server's event loop: epoll over sockets, driving the kernel scheduler.

One thread does everything: it reads frames, runs system calls until they
block or finish, and writes replies. Short calls are answered inside the
read event that brought them, with no hand-off to another thread, which is
what keeps a round trip close to the bare socket cost.
"""
from __future__ import annotations

import select
import signal
import socket
from typing import Protocol

from ..kernel.sched import Scheduler

_IN = select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR | select.EPOLLRDHUP
_OUT = select.EPOLLOUT


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
        while self.running:
            sched.run_ready()
            if not self.running:
                break
            timeout = sched.next_deadline()
            for fd, ev in poll(-1 if timeout is None else timeout):
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
