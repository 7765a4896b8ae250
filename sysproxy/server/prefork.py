"""Pending preforks: processes copied at PREFORK, waiting for a FORK handshake.

A prefork outlives the connection that made it (daemon(3) forks and exits
before the child connects), as in NetBSD. Unlike NetBSD, an unclaimed
prefork expires after ``ttl`` seconds, so a client cannot leak processes.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..wire import AUTHLEN

if TYPE_CHECKING:
    from ..kernel.kernel import Kernel
    from ..kernel.proc import Proc
    from ..kernel.sched import Timer

log = logging.getLogger("sysproxy.server")

DEFAULT_TTL = 60.0
MAX_PENDING = 4096  # pending preforks at once, all clients together


class PreforkTable:
    def __init__(self, kernel: "Kernel", ttl: float = DEFAULT_TTL) -> None:
        self.kernel = kernel
        self.ttl = ttl
        self._pending: dict[bytes, tuple["Proc", "Timer"]] = {}

    def __len__(self) -> int:
        return len(self._pending)

    @property
    def full(self) -> bool:
        return len(self._pending) >= MAX_PENDING

    def add(self, proc: "Proc") -> bytes:
        import secrets  # imported on first use: it pulls in hashlib, slow at startup
        cookie = secrets.token_bytes(AUTHLEN)
        timer = self.kernel.sched.call_later(self.ttl, self._expire, cookie)
        self._pending[cookie] = (proc, timer)
        return cookie

    def take(self, cookie: bytes) -> "Proc | None":
        """The process for ``cookie``, consumed; None if no such prefork."""
        from secrets import compare_digest
        for known in self._pending:
            if compare_digest(known, cookie):
                proc, timer = self._pending.pop(known)
                timer.cancel()
                return proc
        return None

    def _expire(self, cookie: bytes) -> None:
        entry = self._pending.pop(cookie, None)
        if entry is not None:
            log.info("prefork of pid %d expired unclaimed after %gs", entry[0].pid, self.ttl)
            self.kernel.exit(entry[0])

    def clear(self) -> None:
        for proc, timer in self._pending.values():
            timer.cancel()
            self.kernel.exit(proc)
        self._pending.clear()
