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

from ..abi import errno as E
from ..abi import stat as S
from ..abi.fcntl import O_ASYNC, O_NONBLOCK
from .errors import KernelError
from .file import DTYPE_MISC, FWRITE, File

if TYPE_CHECKING:
    from .lwp import Lwp
    from .proc import Proc

log = logging.getLogger("sysproxy.console")
TIOCGETA = 0x402C7413  # _IOR('t', 19, struct termios): 44 bytes


class ConsoleFile(File):
    dtype = DTYPE_MISC

    def __init__(self) -> None:
        super().__init__(FWRITE)

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        return b""

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        log.debug("console (pid %d): %r", lwp.proc.pid, data[:256])
        return len(data)

    def stat(self, lwp: "Lwp") -> bytes:
        """rumpcons_stat: all zero but a character device's type, mode 0600, and the
        boot time as every time."""
        t = lwp.kernel.boottime_ns
        return S.pack_stat(0, 0, S.S_IFCHR | 0o600, 0, 0, 0, 0, t, t, t, t, 0, 0, 0)

    def poll(self, events: int) -> int:
        """rumpcons_poll: always writable, never readable."""
        return events & 0x0004  # POLLOUT (POLLWRNORM is the same bit)

    def set_flags(self, flag: int) -> None:
        """F_SETFL passes a change of O_NONBLOCK (FIONBIO) or O_ASYNC (FIOASYNC) to
        rumpcons_ioctl, which refuses both: ENOTTY, the flags unchanged."""
        if (flag ^ self.flag) & (O_NONBLOCK | O_ASYNC):
            raise KernelError(E.ENOTTY)
        super().set_flags(flag)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        """rumpcons_ioctl: TIOCGETA succeeds (the termios stays zero), all else ENOTTY."""
        if cmd != TIOCGETA:
            raise KernelError(E.ENOTTY)


def open_console(p: "Proc") -> None:
    """Install the console on descriptors 0, 1 and 2 of ``p``."""
    f = ConsoleFile()
    for fd in (0, 1, 2):
        p.fd.install(fd, f)
