"""What the kernel needs from whoever carries a call: the CallContext.

The server implements this for each client connection; the kernel never
imports the server. Copies go to and come from the memory of the client that
made the call; signals go to a process's own connection (``Proc.signal_sink``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .lwp import Lwp


class CallContext(Protocol):
    def copyin(self, lwp: "Lwp", addr: int, length: int) -> Any:
        """An awaitable giving ``length`` bytes of client memory (KernelError EFAULT on failure)."""

    def copyinstr(self, lwp: "Lwp", addr: int, maxlen: int) -> Any:
        """An awaitable giving a string without its NUL (ENAMETOOLONG when no NUL within maxlen)."""

    def copyout(self, lwp: "Lwp", addr: int, data: bytes) -> None:
        """Queue ``data`` for client memory; it is written before the call's reply."""

    def anonmmap(self, lwp: "Lwp", size: int) -> Any:
        """An awaitable giving the address of new anonymous client memory (ENOMEM on 0)."""

