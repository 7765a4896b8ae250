"""The rump console: descriptors 0, 1 and 2 of every GUEST process.

NetBSD's rump kernel gives each new client process (a GUEST, whose parent is
pid 1) one write-only console file dup'd onto 0, 1 and 2 (rump_consdev_init),
so a client's first open() or pipe() gets descriptor 3. Writes are accepted
and logged (never written to a host stream that could block the kernel's
one thread); reads return nothing.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .file import DTYPE_MISC, FWRITE, File

if TYPE_CHECKING:
    from .lwp import Lwp
    from .proc import Proc

log = logging.getLogger("sysproxy.console")


class ConsoleFile(File):
    dtype = DTYPE_MISC

    def __init__(self) -> None:
        super().__init__(FWRITE)

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        return b""

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        log.debug("console (pid %d): %r", lwp.proc.pid, data[:256])
        return len(data)


def open_console(p: "Proc") -> None:
    """Install the console on descriptors 0, 1 and 2 of ``p``."""
    p.fd.install_first(ConsoleFile(), 3)
