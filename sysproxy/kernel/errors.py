"""How kernel code fails: raise KernelError(errno) with a NetBSD errno value."""
from __future__ import annotations

from ..abi import errno as E


class KernelError(Exception):
    """A system call failure carrying a NetBSD errno."""

    __slots__ = ("errno",)

    def __init__(self, errno: int, msg: str | None = None) -> None:
        super().__init__(msg or E.errorcode.get(errno, str(errno)))
        self.errno = errno


class LwpExit(BaseException):
    """Thrown into an LWP whose process is exiting or exec'ing: unwind, no reply.

    A BaseException so that handlers catching KernelError never swallow it.
    """
