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
from ..abi import poll as P
from ..abi.ioctl import _IOR
from ..abi.stat import S_IFCHR, pack_stat
from .errors import KernelError
from .file import DTYPE_MISC, FWRITE, File

if TYPE_CHECKING:
    from .lwp import Lwp
    from .proc import Proc

log = logging.getLogger("sysproxy.console")
TIOCGETA = _IOR("t", 19, 44)  # struct termios: the one ioctl rumpcons_ioctl accepts


class ConsoleFile(File):
    """rumpcons_fileops: writable only (poll), a character device dated boottime to
    fstat, ENOTTY for every ioctl but TIOCGETA (FIONBIO too, after its flag is set)."""

    dtype = DTYPE_MISC

    def __init__(self, boottime_ns: int = 0) -> None:
        super().__init__(FWRITE)
        self.boottime_ns = boottime_ns

    def stat(self, lwp: "Lwp") -> bytes:
        t = self.boottime_ns
        return pack_stat(0, 0, S_IFCHR | 0o600, 0, 0, 0, 0, t, t, t, t, 0, 0, 0)

    def poll(self, events: int) -> int:
        return events & (P.POLLOUT | P.POLLWRNORM)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        if cmd != TIOCGETA:
            raise KernelError(E.ENOTTY)

    async def ioctl_flag(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        raise KernelError(E.ENOTTY)

    refuses_flag_ioctls = True

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        return b""

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        log.debug("console (pid %d): %r", lwp.proc.pid, data[:256])
        return len(data)


def open_console(p: "Proc") -> None:
    """Install the console on descriptors 0, 1 and 2 of ``p``."""
    f = ConsoleFile(p.kernel.boottime_ns)
    for fd in (0, 1, 2):
        p.fd.install(fd, f)
