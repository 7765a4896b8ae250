"""Open vnodes: the File a descriptor holds after open(2) of a file, directory or device."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import event as EV
from ...abi import ioctl as IO
from ...abi.fcntl import FWRITE, O_APPEND, O_ASYNC, O_NONBLOCK, SEEK_CUR, SEEK_END, SEEK_SET
from ...abi.limits import RLIMIT_FSIZE
from ...abi.signal import SIGXFSZ
from .. import dev
from ..errors import KernelError
from ..file import DTYPE_VNODE, File
from . import locks
from .vnode import VDIR, VREG, now_ns

if TYPE_CHECKING:
    from ..lwp import Lwp
    from .vnode import Vnode

OFF_MAX = (1 << 63) - 1


class VnodeFile(File):
    """A regular file or directory; the offset is the directory cookie for a directory."""

    dtype = DTYPE_VNODE

    def __init__(self, flag: int, vp: "Vnode") -> None:
        super().__init__(flag)
        self.vp = vp
        self.flocked = False
        vp.opencount += 1
        vp.mount.opencount += 1
        if vp.knotes:  # VOP_OPEN's post-op (vop_open_post): NOTE_OPEN
            vp.notify(EV.NOTE_OPEN)

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        vp = self.vp
        if vp.vtype == VDIR:
            raise KernelError(E.EISDIR)
        off = self.offset if offset is None else offset
        data = vp.read(off, n)
        vp.atime = now_ns()
        if offset is None:
            self.offset = off + len(data)
        if vp.knotes:  # VOP_READ's post-op (vop_read_post): NOTE_READ
            vp.notify(EV.NOTE_READ)
        return data

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        vp = self.vp
        if self.flag & O_APPEND:
            off = vp.size
        else:
            off = self.offset if offset is None else offset
        if not data:
            return 0
        if off + len(data) > OFF_MAX:
            raise KernelError(E.EFBIG)
        lim = lwp.proc.data.get("rlimit")  # (set only once a process changes a limit)
        if lim is not None and vp.vtype == VREG and off + len(data) > lim[RLIMIT_FSIZE][0]:
            # past RLIMIT_FSIZE: SIGXFSZ and EFBIG, nothing written (the file systems'
            # write checks in NetBSD: ufs_write, chfs_write, nfs_write)
            lwp.kernel.psignal(lwp.proc, SIGXFSZ)
            raise KernelError(E.EFBIG)
        n = vp.write(off, data)
        if offset is None:
            self.offset = off + n
        return n

    def seek_target(self, offset: int, whence: int) -> int:
        """The offset lseek asks for, before the file type's checks."""
        if whence == SEEK_SET:
            return offset
        if whence == SEEK_CUR:
            return self.offset + offset
        if whence == SEEK_END:
            return self.end_offset() + offset
        raise KernelError(E.EINVAL)

    def seek(self, lwp: "Lwp", offset: int, whence: int) -> int:
        new = self.seek_target(offset, whence)
        if new < 0 or new > OFF_MAX:
            raise KernelError(E.EINVAL)
        self.offset = new
        return new

    def end_offset(self) -> int:
        """Where SEEK_END counts from: the file's size."""
        return self.vp.size

    def stat(self, lwp: "Lwp") -> bytes:
        return self.vp.stat()

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        if cmd == IO.FIONREAD:
            vp = self.vp
            n = max(0, vp.size - self.offset) if vp.vtype == VREG else 0
            data[:4] = min(n, 0x7FFFFFFF).to_bytes(4, "little")
            return
        if cmd == IO.FIOASYNC:
            return
        raise KernelError(E.ENOTTY)

    def fd_closed(self, fdt: Any) -> None:
        if self.vp.locks is not None:
            locks.release_owner(self.vp, fdt)

    def on_last_close(self) -> None:
        vp = self.vp
        if self.flocked and vp.locks is not None:
            locks.release_owner(vp, self)
        vp.opencount -= 1
        vp.mount.opencount -= 1
        if vp.knotes:  # VOP_CLOSE's post-op (vop_close_post): by the file's FWRITE
            vp.notify(EV.NOTE_CLOSE_WRITE if self.flag & FWRITE else EV.NOTE_CLOSE)
        if vp.nlink <= 0 and vp.opencount <= 0:
            vp.inactive()


class DeviceFile(VnodeFile):
    """A character device node: reads and writes go to its driver (kernel/dev.py)."""

    def __init__(self, flag: int, vp: "Vnode") -> None:
        super().__init__(flag, vp)
        self.drv = dev.cdev(vp.rdev)
        self.minor = dev.minor(vp.rdev)
        # mm's null and zero take writes without looking at the data (rw.py skips the copy)
        self.discards_writes = (dev.major(vp.rdev) == dev.MEM_MAJOR
                                and self.minor in (dev.MINOR_NULL, dev.MINOR_ZERO))

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        off = self.offset if offset is None else offset
        data = self.drv.read(self.minor, n, off)
        if offset is None:
            self.offset = off + len(data)
        return data

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        off = self.offset if offset is None else offset
        n = self.drv.write(self.minor, data, off)
        if offset is None:
            self.offset = off + n
        return n

    def end_offset(self) -> int:
        """A device has no size: SEEK_END is relative to 0."""
        return 0

    def seek(self, lwp: "Lwp", offset: int, whence: int) -> int:
        """spec_seek is genfs_nullop: any offset goes, negative ones too (the sum
        wraps as C's off_t)."""
        new = self.seek_target(offset, whence)
        self.offset = ((new + (1 << 63)) % (1 << 64)) - (1 << 63)
        return self.offset

    def set_flags(self, flag: int) -> None:
        """F_SETFL hands a change of O_NONBLOCK (FIONBIO) or O_ASYNC (FIOASYNC) to
        the driver; mm (null, zero) has no such ioctl: ENODEV, flags unchanged."""
        if (flag ^ self.flag) & (O_NONBLOCK | O_ASYNC):
            raise KernelError(E.ENODEV)
        super().set_flags(flag)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        if cmd == IO.FIONREAD:
            data[:4] = bytes(4)
            return
        raise KernelError(E.ENOTTY)
