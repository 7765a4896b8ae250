"""The os-like API: a :class:`Kernel` is one kernel process with os's functions.

``k = sysproxy.client.connect(url)``, then ``k.open``, ``k.read``, ``k.stat``,
``k.listdir``, ``k.walk`` ... with the signatures of :mod:`os`, and
``k.open_file(path, mode)`` for a real Python file object.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .fileobj import open_file
from .os_dirs import DirOps
from .os_files import FileOps
from .os_misc import MiscOps
from .process import Client

if TYPE_CHECKING:
    from .path import KPath

__all__ = ["Kernel"]


class Kernel(FileOps, DirOps, MiscOps, Client):
    """A connected kernel process, with :mod:`os`-like methods."""

    def open_file(self, file, mode: str = "r", buffering: int = -1,
                  encoding: str | None = None, errors: str | None = None,
                  newline: str | None = None, closefd: bool = True):
        """Like the builtin open(): buffered binary or text file objects."""
        return open_file(self, file, mode, buffering, encoding, errors, newline, closefd)

    def path(self, *parts) -> "KPath":
        """A pathlib-style path on this kernel's file system."""
        from .path import KPath
        return KPath(self, *parts)

    def __repr__(self) -> str:
        state = "connected" if self._conn.alive else "disconnected"
        return f"<sysproxy Kernel {self.url} {self.name!r} {state}>"
