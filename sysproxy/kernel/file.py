"""Open files (NetBSD's struct file): what a descriptor refers to.

A File is shared by every descriptor that dup() or fork made from the same
open(), so the offset and status flags live here, and the object is closed
when its last reference goes. Each kind of file (vnode, pipe, socket,
kqueue, device) subclasses it and overrides the operations it supports; the
defaults fail the way NetBSD fails for a file that lacks the operation.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from ..abi import errno as E
from ..abi.ioctl import FIONBIO
from .errors import KernelError

if TYPE_CHECKING:
    from .lwp import Lwp
    from .sleepq import WaitQueue

from ..abi.fcntl import FCNTLFLAGS, FREAD, FWRITE, O_APPEND, O_ASYNC, O_NONBLOCK  # noqa: F401  (re-exported)

# f_type values, as kern.file2 (fstat, sockstat) reports them: NetBSD's sys/file.h.
from ..abi.kinfo_file import DTYPE_KQUEUE, DTYPE_MISC, DTYPE_PIPE, DTYPE_SOCKET, DTYPE_VNODE  # noqa: F401


class File:
    dtype = DTYPE_MISC
    revoked = False  # vfs/revoke.py's DeadFile: revoke(2) or a forced unmount killed it

    def __init__(self, flag: int) -> None:
        self.flag = flag
        self.offset = 0
        self.refs = 0
        self.owner = 0  # F_SETOWN: pid or -pgid to signal on async I/O

    # -- reference counting ------------------------------------------------
    def hold(self) -> Self:
        self.refs += 1
        return self

    def release(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            self.on_last_close()

    def on_last_close(self) -> None:
        """Free what the open file holds; called once, when no descriptor refers to it."""

    def fd_closed(self, fdt: Any) -> None:
        """A descriptor of table ``fdt`` referring to this file was closed (POSIX locks go)."""

    # -- operations (override what the file supports) --------------------------
    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        """Read up to n bytes at ``offset`` (None: at the file offset, advancing it)."""
        raise KernelError(E.EOPNOTSUPP)

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        raise KernelError(E.EOPNOTSUPP)

    def seek(self, lwp: "Lwp", offset: int, whence: int) -> int:
        raise KernelError(E.ESPIPE)

    def stat(self, lwp: "Lwp") -> bytes:
        """A packed NetBSD ``struct stat``."""
        raise KernelError(E.EOPNOTSUPP)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        """Device/file control. ``data`` is the argument buffer: copied in before
        the call for IOC_IN commands, copied out after it for IOC_OUT ones."""
        raise KernelError(E.ENOTTY)

    async def ioctl_flag(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        """fo_ioctl(FIONBIO/FIOASYNC), after sys_ioctl already changed f_flag: vnodes,
        pipes and sockets accept both; a kqueue refuses (ENOTTY, the flag stays set)."""
        if cmd != FIONBIO:  # FIOASYNC goes to the file's own ioctl; FIONBIO is accepted
            await self.ioctl(lwp, cmd, data)

    async def setfl(self, lwp: "Lwp", flag: int) -> None:
        """fcntl F_SETFL: fo_fcntl, then FIONBIO/FIOASYNC for the bits that change
        (each may refuse the call), then the new flags."""
        await self.fcntl_check()
        changed = (flag ^ self.flag) & (O_NONBLOCK | O_ASYNC)
        if changed & O_NONBLOCK:
            await self.ioctl_flag(lwp, FIONBIO, bytearray(4))
        if changed & O_ASYNC and self.refuses_flag_ioctls:
            raise KernelError(E.ENOTTY)
        self.set_flags(flag)

    async def fcntl_check(self) -> None:
        """fo_fcntl(F_SETFL): most files accept it."""

    #: fo_ioctl refuses FIONBIO/FIOASYNC/FIOGETOWN/FIOSETOWN (kqueue, the rump console)
    refuses_flag_ioctls = False

    def set_flags(self, flag: int) -> None:
        """F_SETFL: status flags changed; subclasses react (e.g. nonblocking sockets)."""
        self.flag = (self.flag & ~FCNTLFLAGS) | (flag & FCNTLFLAGS)

    def poll(self, events: int) -> int:
        """The subset of ``events`` (POLL* bits) ready now."""
        return events & 0x0045  # POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM: always ready

    def wait_queues(self) -> tuple["WaitQueue", ...]:
        """Queues woken when this file's readiness may have changed."""
        return ()

    async def advlock(self, lwp: "Lwp", owner: Any, op: int, flock: Any, flags: int) -> Any:
        raise KernelError(E.EINVAL)

    @property
    def nonblocking(self) -> bool:
        return bool(self.flag & O_NONBLOCK)
