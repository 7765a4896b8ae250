"""Vnodes: the kernel's handle on a file, and the operations a file system gives it.

A file system subclasses :class:`Vnode` and implements the operations it
supports (NetBSD's vnodeops, reduced to what this kernel needs); the defaults
fail as NetBSD fails for an operation a file type lacks. Attributes live on
the vnode itself (mode, owner, times...) so that stat and permission checks,
the hot paths, read plain slots instead of calling through an interface.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import stat as S
from ..clock import realtime_ns
from ..errors import KernelError

if TYPE_CHECKING:
    from .mount import Mount

# enum vtype
VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO = range(8)

VTYPE_IFMT = {VREG: S.S_IFREG, VDIR: S.S_IFDIR, VBLK: S.S_IFBLK, VCHR: S.S_IFCHR,
              VLNK: S.S_IFLNK, VSOCK: S.S_IFSOCK, VFIFO: S.S_IFIFO}
IFMT_VTYPE = {v: k for k, v in VTYPE_IFMT.items()}

VNOVAL_DEV = S.NODEV
IMMUTABLE = S.UF_IMMUTABLE | S.SF_IMMUTABLE
APPEND = S.UF_APPEND | S.SF_APPEND
_STAT_PACK = S.STAT.pack
_NS = 1_000_000_000

now_ns = realtime_ns  # file times follow the kernel's clock (settimeofday moves them)


class Vnode:
    """One file. ``mode`` holds only the permission bits (ALLPERMS); the type is ``vtype``."""

    __slots__ = ("vtype", "mode", "uid", "gid", "nlink", "ino", "flags", "rdev",
                 "atime", "mtime", "ctime", "btime", "mount", "mountedhere",
                 "knotes", "socket", "fifo", "locks", "opencount", "__weakref__")
    dead = False  # vfs/revoke.py's DeadVnode: a revoked cwd or root

    def __init__(self, mount: "Mount", vtype: int, mode: int, uid: int, gid: int,
                 ino: int, rdev: int = VNOVAL_DEV) -> None:
        t = now_ns()
        self.vtype = vtype
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.nlink = 1
        self.ino = ino
        self.flags = 0
        self.rdev = rdev
        self.atime = self.mtime = self.ctime = self.btime = t
        self.mount = mount
        self.mountedhere: Mount | None = None  # a file system mounted on this directory
        self.knotes: list[Callable[[int], None]] = []  # EVFILT_VNODE listeners
        self.socket: Any = None  # VSOCK: the bound socket (None once it closed)
        self.fifo: Any = None  # VFIFO: the pipe channel while the FIFO is open (kernel/pipe.py)
        self.locks: Any = None  # advisory lock state (vfs/locks.py), created on demand
        self.opencount = 0  # open files: an unlinked node keeps its data while > 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ino={self.ino} type={self.vtype}>"

    # -- kqueue -------------------------------------------------------------
    def notify(self, hint: int) -> None:
        """Tell EVFILT_VNODE listeners what happened (NOTE_* bits)."""
        if not self.knotes:
            return
        for kn in list(self.knotes):
            kn(hint)

    # -- times -------------------------------------------------------------
    def touch_modified(self) -> None:
        self.mtime = self.ctime = now_ns()

    def touch_changed(self) -> None:
        self.ctime = now_ns()

    # -- attributes --------------------------------------------------------
    @property
    def ifmt_mode(self) -> int:
        return VTYPE_IFMT[self.vtype] | self.mode

    @property
    def size(self) -> int:
        return 0

    def blocks_bytes(self) -> int:
        """Bytes of storage the file uses (st_blocks * 512)."""
        return (self.size + 4095) & ~4095

    def stat(self) -> bytes:
        """The packed struct stat (getattr + vn_stat)."""
        a, m, c, b = self.atime, self.mtime, self.ctime, self.btime
        return _STAT_PACK(self.mount.dev, VTYPE_IFMT[self.vtype] | self.mode, self.ino,
                          self.nlink, self.uid, self.gid, self.rdev & 0xFFFFFFFFFFFFFFFF,
                          a // _NS, a % _NS, m // _NS, m % _NS, c // _NS, c % _NS,
                          b // _NS, b % _NS, self.size, self.blocks_bytes() >> 9, 4096,
                          self.flags, 0)

    # -- the operations interface (VOP_*) -----------------------------------
    # Directories
    def lookup(self, name: bytes) -> "Vnode | None":
        """The entry ``name`` (never "." or ".."), or None."""
        raise KernelError(E.ENOTDIR)

    def parent(self) -> "Vnode":
        """The directory's ".." within its own file system."""
        raise KernelError(E.ENOTDIR)

    def create(self, name: bytes, vtype: int, mode: int, uid: int, gid: int,
               rdev: int = VNOVAL_DEV, target: bytes = b"") -> "Vnode":
        """Make a new node (file, directory, symlink, device, fifo, socket) as ``name``."""
        raise KernelError(E.ENOTDIR)

    def link(self, name: bytes, vp: "Vnode") -> None:
        raise KernelError(E.ENOTDIR)

    def remove(self, name: bytes, vp: "Vnode") -> None:
        """Drop the entry ``name`` (which names ``vp``); rmdir too."""
        raise KernelError(E.ENOTDIR)

    def rename(self, fname: bytes, fvp: "Vnode", tdvp: "Vnode", tname: bytes,
               tvp: "Vnode | None") -> None:
        """Move entry ``fname`` of this directory to ``tname`` in ``tdvp``, replacing ``tvp``."""
        raise KernelError(E.ENOTDIR)

    def readdir(self, cookie: int) -> Iterator[tuple[int, int, bytes, int]]:
        """(next cookie, fileno, name, DT_* type) from position ``cookie`` on."""
        raise KernelError(E.ENOTDIR)

    def is_empty(self) -> bool:
        raise KernelError(E.ENOTDIR)

    def name_in_parent(self) -> bytes | None:
        """A directory's own name in its parent (for getcwd)."""
        return None

    # Regular files
    def read(self, offset: int, n: int) -> bytes:
        raise KernelError(E.EISDIR if self.vtype == VDIR else E.EOPNOTSUPP)

    def write(self, offset: int, data: bytes) -> int:
        raise KernelError(E.EISDIR if self.vtype == VDIR else E.EOPNOTSUPP)

    def truncate(self, size: int) -> None:
        raise KernelError(E.EISDIR if self.vtype == VDIR else E.EINVAL)

    def allocate(self, offset: int, length: int) -> None:
        """posix_fallocate: make the range exist (ENOSPC if it can't)."""
        raise KernelError(E.EOPNOTSUPP)

    def discard(self, offset: int, length: int) -> None:
        """fdiscard: the range may read as zeros from now on."""
        raise KernelError(E.EOPNOTSUPP)

    def fsync(self) -> None:
        """Nothing to flush for memory file systems."""

    # Symlinks
    def readlink(self) -> bytes:
        raise KernelError(E.EINVAL)

    # Life cycle
    def inactive(self) -> None:
        """Called when the last name went away; free the data if nothing holds it."""
