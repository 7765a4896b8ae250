"""etfs: host files seen by the kernel as a block device, character device or regular
file (rump_server's `-d`, NetBSD's rumpfs etfs and rumpblk).

The host side (opening, creating, sizing the host file) is the server's business:
the kernel is handed an open descriptor and the region (offset, size) within it,
and answers every call on the node with os.pread/os.pwrite on that descriptor.
Nothing is ever written outside the region, so the host file never grows.

What the calls answer is what NetBSD 7.99.34's rump_server answers (measured):

* blk: any offset and length, in 2048-byte blocks through the buffer cache (see
  blk_read, blk_write): a transfer stops at the end; a block starting past the end
  is EINVAL; a whole block at the end counts as written though nothing is.
* chr (rumpblk's raw device, physio): offsets and lengths must be multiples of
  512 (EINVAL); a write past the end is EINVAL, one exactly at the end writes 0.
* blk and chr: lseek(SEEK_END) counts from the region's size; the ioctls
  DIOCGDINFO (rumpblk's made-up label), DIOCGMEDIASIZE, DIOCCACHESYNC and
  DIOCGPARTINFO (an _IOW in 7.99.34: nothing comes back) succeed; others ENOTTY.
* reg: rumpfs's host-backed file: any ioctl but FIONREAD is EOPNOTSUPP.
  Here reads end at the region's end and a write is cut short there (EFBIG at or
  past it), where the reference reads and writes the host file beyond the region.
* blk: one open at a time per host file (EBUSY), as spec_open allows.
* unlink: ENOENT (rumpfs's lookup for a removal never finds a key); a reg drive's
  truncate succeeds and changes nothing.
* stat: mode 0755 of the type, root's, one link, st_size the region's size,
  st_blocks 1, st_blksize 512; blk and chr have st_rdev (197, n), n counting
  distinct host files from 0 (RUMPBLK_DEVMAJOR, rumpblk's minors).
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import ioctl as IO
from ...abi import stat as S
from .. import dev
from ..errors import KernelError
from ..vfs.vnfile import VnodeFile
from ..vfs.vnode import VBLK, VCHR, VDIR, VREG, VTYPE_IFMT, Vnode, now_ns
from .tmpfs import TmpfsDir, TmpfsMount

if TYPE_CHECKING:
    from ..file import File
    from ..kernel import Kernel
    from ..lwp import Lwp

RUMPBLK_DEVMAJOR = 197
SECTOR = 512
BLKDEV_IOSIZE = 2048  # the block size spec_read/spec_write use (rumpblk's pi_bsize)
MAXMINORS = 16  # RUMPBLK_SIZE
TYPES = {"blk": VBLK, "chr": VCHR, "reg": VREG}

DISKMAGIC = 0x82564557
DKTYPE_RUMPD = 21
MAXPARTITIONS = 16  # amd64
DISKLABEL_SIZE = 148 + 16 * MAXPARTITIONS
_DIOCGDINFO = IO._IOR("d", 101, DISKLABEL_SIZE)
_DIOCGPARTINFO = IO._IOW("d", 104, 32)
_DIOCCACHESYNC = IO._IOW("d", 118, 4)
_DIOCGMEDIASIZE = IO._IOR("d", 132, 8)

_STAT_PACK = S.STAT.pack
_NS = 1_000_000_000


@dataclass(frozen=True)
class Region:
    """What the server opened: ``fd`` holds the bytes [offset, offset+size) of ``hostpath``."""

    key: bytes
    hostpath: str
    fd: int
    offset: int
    size: int
    vtype: int = VBLK


def disklabel(size: int, part: int) -> bytes:
    """rumpblk's makedefaultlabel, including its quirks (d_secperunit is in bytes)."""
    lab = bytearray(DISKLABEL_SIZE)
    nsect = size >> 9
    struct.pack_into("<IHH16s16s", lab, 0, DISKMAGIC, DKTYPE_RUMPD, 0, b"rumpd", b"fictitious")
    struct.pack_into("<IIIIII", lab, 40, SECTOR, nsect, 1, 1, nsect, size & 0xFFFFFFFF)
    struct.pack_into("<HH", lab, 72, 11, 1)  # d_rpm, d_interleave
    struct.pack_into("<IHH", lab, 132, DISKMAGIC, 0, part + 1)
    struct.pack_into("<I", lab, 148 + 16 * part, nsect & 0xFFFFFFFF)  # p_size
    return bytes(lab)


class DiskUnit:
    """One rumpblk minor (one host file): its block device opens at most once at a
    time, as spec_open permits ("the buffer cache cannot remain self-consistent")."""

    __slots__ = ("minor", "blk_open")

    def __init__(self, minor: int) -> None:
        self.minor = minor
        self.blk_open = False


class EtfsNode(Vnode):
    """The node at the key; its data is the host region."""

    __slots__ = ("gen", "region", "unit")
    gen: int
    etfs_key = True  # unlink answers ENOENT, as rumpfs (syscalls/vfs_path.py)

    def __init__(self, mount: TmpfsMount, region: Region, ino: int, unit: DiskUnit) -> None:
        rdev = dev.makedev(RUMPBLK_DEVMAJOR, unit.minor) if region.vtype != VREG else S.NODEV
        super().__init__(mount, region.vtype, 0o755, 0, 0, ino, rdev)
        self.region = region
        self.unit = unit

    @property
    def size(self) -> int:
        return self.region.size

    def stat(self) -> bytes:
        a, m, c, b = self.atime, self.mtime, self.ctime, self.btime
        return _STAT_PACK(self.mount.dev, VTYPE_IFMT[self.vtype] | self.mode, self.ino,
                          self.nlink, self.uid, self.gid, self.rdev & 0xFFFFFFFFFFFFFFFF,
                          a // _NS, a % _NS, m // _NS, m % _NS, c // _NS, c % _NS,
                          b // _NS, b % _NS, self.region.size, 1, SECTOR, self.flags, 0)

    # -- I/O on the region (the callers checked alignment and the end) ------------
    def read(self, offset: int, n: int) -> bytes:
        r = self.region
        n = min(n, r.size - offset)
        if n <= 0 or offset < 0:
            return b""
        return os.pread(r.fd, n, r.offset + offset)

    def write(self, offset: int, data: bytes) -> int:
        r = self.region
        if self.vtype == VREG and offset >= r.size:
            raise KernelError(E.EFBIG)
        n = min(len(data), r.size - offset)
        if n <= 0:
            return 0
        view = memoryview(data)[:n]
        done = 0
        while done < n:
            done += os.pwrite(r.fd, view[done:], r.offset + offset + done)
        self.mtime = self.ctime = now_ns()
        return n

    def truncate(self, size: int) -> None:
        """A reg drive's size is the region's: truncate succeeds and changes nothing
        (as the reference's rumpfs answers)."""

    def fsync(self) -> None:
        os.fsync(self.region.fd)

    def open_file(self, flag: int) -> "File":
        if self.vtype == VBLK:
            if self.unit.blk_open:
                raise KernelError(E.EBUSY)
            self.unit.blk_open = True
        return EtfsFile(flag, self)


class EndBlock:
    """Whether the buffer cache holds the block that starts at the device's end (read
    or written once, it stays with b_resid = the whole block: later transfers that
    reach it move nothing). spec_close of the block device drops it."""

    __slots__ = ("cached",)

    def __init__(self) -> None:
        self.cached = False


def blk_read(vp: EtfsNode, off: int, n: int, end: EndBlock) -> tuple[bytes, int]:
    """spec_read on a block device: BLKDEV_IOSIZE blocks through the buffer cache.
    A block that starts past the end fails (EINVAL, rumpblk's bounds check); the one
    at the end reads nothing and ends the transfer. (bytes, errno or 0)."""
    if off < 0:
        return b"", E.EINVAL
    size = vp.region.size
    if off + n <= size:  # inside the device: every block is whole
        return vp.read(off, n), 0
    parts: list[bytes] = []
    while n > 0:
        on = off % BLKDEV_IOSIZE
        bn = off - on
        if bn > size:
            return b"".join(parts), E.EINVAL
        if bn == size:
            end.cached = True
        k = min(BLKDEV_IOSIZE - on, n, size - bn)
        if k <= 0:
            break
        parts.append(vp.read(off, k).ljust(k, b"\0"))
        off += k
        n -= k
    return b"".join(parts), 0


def blk_write(vp: EtfsNode, off: int, data: bytes, end: EndBlock) -> tuple[int, int]:
    """spec_write on a block device. A partial block is read first (bread: past the end
    EINVAL, at the end nothing, which ends the transfer); a whole block is taken without
    reading (getblk) and counted as written even at the end, where rumpblk writes
    nothing (the first time: see EndBlock); the next one past the end fails. Only the region is ever written.
    (bytes the call took, errno or 0)."""
    if off < 0:
        return 0, E.EINVAL
    size = vp.region.size
    if off + len(data) <= size:  # inside the device: one host write
        return vp.write(off, data), 0
    done = 0
    view = memoryview(data)
    while done < len(data):
        on = off % BLKDEV_IOSIZE
        bn = off - on
        k = min(BLKDEV_IOSIZE - on, len(data) - done)
        if bn > size:  # getblk's block was filled (uiomove) before its write failed
            return done + (k if k == BLKDEV_IOSIZE else 0), E.EINVAL
        if k < BLKDEV_IOSIZE or (bn == size and end.cached):
            k = min(k, size - bn)
        if bn == size:
            end.cached = True
        if k <= 0:
            break
        vp.write(off, bytes(view[done:done + k]))  # cut at the region's end
        off += k
        done += k
    return done, 0


class EtfsFile(VnodeFile):
    """An open etfs node: the device rules of its type (see the module's docstring)."""

    vp: EtfsNode

    def __init__(self, flag: int, vp: EtfsNode) -> None:
        super().__init__(flag, vp)
        self.end = EndBlock()

    def _check(self, off: int, n: int, writing: bool) -> None:
        if self.vp.vtype == VCHR:
            if off % SECTOR or n % SECTOR:
                raise KernelError(E.EINVAL)
            if writing and off > self.vp.region.size:
                raise KernelError(E.EINVAL)

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        off = self.offset if offset is None else offset
        if self.vp.vtype != VBLK:
            self._check(off, n, False)
            return await super().read(lwp, n, offset)
        got, err = blk_read(self.vp, off, n, self.end)
        if offset is None:
            self.offset = off + len(got)
        if err:
            raise KernelError(err)
        return got

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        off = self.offset if offset is None else offset
        if self.vp.vtype != VBLK:
            self._check(off, len(data), True)
            return await super().write(lwp, data, offset)
        done, err = blk_write(self.vp, off, data, self.end)
        if offset is None:  # vn_write moves the offset by what uiomove took, error or not
            self.offset = off + done
        if err:
            raise KernelError(err)
        return done

    def on_last_close(self) -> None:
        if self.vp.vtype == VBLK:
            self.vp.unit.blk_open = False
        super().on_last_close()

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        vp = self.vp
        if vp.vtype == VREG:
            if cmd == IO.FIONREAD:
                return await super().ioctl(lwp, cmd, data)
            raise KernelError(E.EOPNOTSUPP)
        if cmd == _DIOCGDINFO:
            data[:DISKLABEL_SIZE] = disklabel(vp.region.size, vp.unit.minor)
        elif cmd == _DIOCGMEDIASIZE:
            data[:8] = struct.pack("<q", vp.region.size)
        elif cmd in (_DIOCCACHESYNC, _DIOCGPARTINFO):
            pass  # synced along the write path; PARTINFO's answer never leaves (an _IOW)
        else:
            raise KernelError(E.ENOTTY)


def register(kernel: "Kernel", region: Region) -> EtfsNode:
    """Put the node at ``region.key`` in the root file system (etfsregister).

    EINVAL for a relative key, EEXIST for a taken one; missing parent directories
    are made (0755, root's), where rumpfs matches the whole key at its root.
    """
    key = region.key
    if not key.startswith(b"/"):
        raise KernelError(E.EINVAL)
    parts = [p for p in key.split(b"/") if p]
    if not parts:
        raise KernelError(E.EEXIST)
    root = kernel.vfs.root
    d = root
    for name in parts[:-1]:
        nxt = d.lookup(name)
        if nxt is None:
            nxt = d.create(name, VDIR, 0o755, 0, 0)
        elif nxt.vtype != VDIR:
            raise KernelError(E.ENOTDIR)
        d = nxt
    if d.lookup(parts[-1]) is not None:
        raise KernelError(E.EEXIST)
    if not isinstance(d, TmpfsDir):
        raise KernelError(E.EOPNOTSUPP)
    units: dict[str, DiskUnit] = kernel.__dict__.setdefault("etfs_units", {})
    unit = DiskUnit(0)
    if region.vtype != VREG:
        if region.hostpath not in units:
            if len(units) >= MAXMINORS:
                raise KernelError(E.EBUSY)
            units[region.hostpath] = DiskUnit(len(units))
        unit = units[region.hostpath]
    mp: TmpfsMount = d.mount  # type: ignore[assignment]
    vp = EtfsNode(mp, region, mp.alloc_ino(0), unit)
    mp.node_allocated(vp)  # type: ignore[arg-type]
    d._attach(parts[-1], vp)
    d.mtime = d.ctime = vp.ctime
    return vp
