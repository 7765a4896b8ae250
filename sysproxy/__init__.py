"""sysproxy: the NetBSD rump kernel sysproxy in Python (server, kernel, client).

``sysproxy.connect(url=None)`` is the client's entry point (:mod:`sysproxy.client`;
the URL defaults to ``$RUMP_SERVER``). The client is imported on first use only, so
that ``python -m sysproxy serve`` never loads it (the server and kernel do not
depend on the client).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The client's public names, re-exported here lazily (PEP 562).
__all__ = ["Connection", "ConnectionLost", "In", "InOut", "Kernel", "KernelError",
           "KernelFileIO", "Out", "RETRY_DIE", "RETRY_FOREVER", "RETRY_NEVER", "RETRY_ONCE",
           "SYS", "ServerProtocolError", "connect"]
_CLIENT_NAMES = frozenset(__all__)

if TYPE_CHECKING:  # type checkers see the names with their types (py.typed, PEP 561)
    from .client import (
        RETRY_DIE,
        RETRY_FOREVER,
        RETRY_NEVER,
        RETRY_ONCE,
        SYS,
        Connection,
        ConnectionLost,
        In,
        InOut,
        Kernel,
        KernelError,
        KernelFileIO,
        Out,
        ServerProtocolError,
        connect,
    )


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from . import client
        return getattr(client, name)
    raise AttributeError(f"module 'sysproxy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _CLIENT_NAMES)
