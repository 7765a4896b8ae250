"""LWPs: one kernel thread record per in-flight system call.

A system call handler is an ``async def`` coroutine. It runs on the kernel's
single thread until it awaits a :class:`Suspension` (a copy from client memory,
a sleep on a wait queue); the LWP then parks, and whoever completes the
suspension resumes it. No OS thread is held while a call is blocked, so a
thousand blocked calls cost a thousand small objects, nothing more.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any

from ..abi import errno as E
from . import fairness as _fair
from .errors import KernelError, LwpExit

if TYPE_CHECKING:
    from .context import CallContext
    from .proc import Proc

log = logging.getLogger("sysproxy.kernel")


class Suspension:
    """Something an LWP waits for. ``arm`` parks the LWP; completion resumes it."""

    __slots__ = ()

    def arm(self, lwp: "Lwp") -> None:
        raise NotImplementedError

    def disarm(self, lwp: "Lwp") -> None:
        """Forget the LWP: it is being interrupted before this completed."""

    def __await__(self) -> Generator["Suspension", Any, Any]:
        return (yield self)


class Ready:
    """An awaitable whose value is already known (a copy served from data at hand)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, Any, Any]:
        return self.value
        yield  # pragma: no cover - makes this a generator


DoneCallback = Callable[["Lwp", int, int, int], None]


class Lwp:
    """A kernel thread running one system call of a process."""

    __slots__ = ("proc", "ctx", "lid", "coro", "waiting", "on_done", "sysnum", "done", "tag",
                 "sigpending")

    def __init__(self, proc: "Proc", ctx: "CallContext", lid: int = 0) -> None:
        self.proc = proc
        self.ctx = ctx
        self.lid = lid
        self.coro: Coroutine[Any, Any, Any] | None = None
        self.waiting: Suspension | None = None
        self.sigpending = False  # a signal came while not asleep: the next interruptible sleep is EINTR
        self.on_done: DoneCallback | None = None
        self.sysnum = 0
        self.done = False
        self.tag: Any = None  # the host's handle for the call (the server: its reqno)

    # -- copies to and from the calling client's memory --------------------
    def copyin(self, addr: int, length: int) -> Any:
        """Await the ``length`` bytes at client address ``addr`` (EFAULT if they can't be had)."""
        return self.ctx.copyin(self, addr, length)

    def copyinstr(self, addr: int, maxlen: int) -> Any:
        """Await a NUL-terminated string (returned without its NUL); ENAMETOOLONG if none within maxlen."""
        return self.ctx.copyinstr(self, addr, maxlen)

    def copyout(self, addr: int, data: bytes) -> None:
        """Write ``data`` to client memory; it reaches the client before the call's reply."""
        self.ctx.copyout(self, addr, data)

    def anonmmap(self, size: int) -> Any:
        """Await a fresh anonymous mapping of ``size`` bytes in the client: its address."""
        return self.ctx.anonmmap(self, size)

    @property
    def kernel(self) -> Any:
        return self.proc.kernel

    # -- running -----------------------------------------------------------
    def start(self, coro: Coroutine[Any, Any, Any], on_done: DoneCallback) -> None:
        self.on_done = on_done
        self.proc.lwps.add(self)
        tree = self.proc.tree
        if tree is not None:
            tree.calls += 1
        self._step(coro, None, None)

    def resume(self, susp: Suspension, value: Any = None) -> None:
        """Complete ``susp`` with ``value``; ignored if the LWP no longer waits on it."""
        if self.waiting is susp:
            self.waiting = None
            self._step(self.coro, value, None)

    def fail(self, susp: Suspension, exc: BaseException) -> None:
        """Complete ``susp`` by raising ``exc`` in the handler."""
        if self.waiting is susp:
            self.waiting = None
            self._step(self.coro, None, exc)

    def interrupt(self, exc: BaseException) -> None:
        """Abort whatever the LWP waits on, raising ``exc`` in it soon (never re-entrantly)."""
        susp = self.waiting
        if susp is None:
            return
        susp.disarm(self)
        self.proc.kernel.sched.call_soon(self.fail, susp, exc)

    def _step(self, coro: Any, value: Any, exc: BaseException | None) -> None:
        _fair.current = self.proc.tree  # curlwp's tree: tmpfs charges memory to it
        while True:
            try:
                if exc is None:
                    susp = coro.send(value)
                else:
                    susp = coro.throw(exc)
            except StopIteration as stop:
                self._finish(0, stop.value)
                return
            except KernelError as e:
                self._finish(e.errno, None)
                return
            except LwpExit:
                self._finish(-1, None)
                return
            except Exception:  # a kernel bug must cost one call, never the server
                log.exception("system call %d of pid %d failed", self.sysnum, self.proc.pid)
                self._finish(E.EIO, None)
                return
            try:
                self.coro = coro
                self.waiting = susp
                susp.arm(self)
                return
            except KernelError as e:  # the suspension failed at once (e.g. client gone)
                self.waiting = None
                value, exc = None, e

    def _finish(self, error: int, result: Any) -> None:
        self.done = True
        self.coro = None
        proc = self.proc
        proc.lwps.discard(self)
        tree = proc.tree
        if tree is not None:
            tree.calls -= 1
        if error or result is None:
            rv0 = rv1 = 0
        elif type(result) is int:
            rv0, rv1 = result, 0
        else:
            rv0, rv1 = result
        cb = self.on_done
        if cb is not None:
            cb(self, error, rv0, rv1)
        if not proc.lwps:
            proc.lwp_finished()

