"""The Python client of a sysproxy (RUMPSP 0.4) server.

``connect(url=None)`` (default: ``$RUMP_SERVER``, as librumpclient) returns a
:class:`Kernel`: one process in the rump kernel with :mod:`os`-like methods,
``syscall(number, *args)`` for raw calls, ``fork``/``execve`` that keep the kernel
process, and ``open_file`` for real file objects.
"""
from __future__ import annotations

from .connection import Connection
from .errors import ConnectionLost, KernelError, ServerProtocolError, kernel_error
from .fileobj import KernelFileIO
from .memory import In, InOut, Out
from .os_api import Kernel
from .process import RETRY_DIE, RETRY_FOREVER, RETRY_NEVER, RETRY_ONCE
from .syscalls import SYS

__all__ = ["connect", "Kernel", "Connection", "KernelError", "ConnectionLost",
           "ServerProtocolError", "kernel_error", "KernelFileIO", "In", "Out", "InOut",
           "SYS", "RETRY_NEVER", "RETRY_FOREVER", "RETRY_ONCE", "RETRY_DIE"]


def connect(url: str | None = None, name: str | None = None, *,
            timeout: float | None = None, reconnect: int | str | None = None) -> Kernel:
    """Connect to a server (``url`` or $RUMP_SERVER) and become a new kernel process.

    In a program started by exec from a client (``RUMPCLIENT__EXECFD`` set) the
    inherited connection is taken over with an EXEC handshake, as librumpclient does.
    """
    k = Kernel(url, name, timeout)
    if reconnect is not None:
        k.set_reconnect(reconnect)
    return k
