"""Mounts: one file system instance, where it hangs in the tree, and what statvfs says."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import statvfs as SV
from ..dev import makedev
from ..errors import KernelError

if TYPE_CHECKING:
    from .vnode import Vnode


def makefstype(name: bytes) -> int:
    """NetBSD's hash of a file system type name: the major number of its fsid."""
    rv = 0
    for c in name:
        rv = ((rv << 2) ^ c) & 0xFFFFFFFF
    return rv


class Mount:
    """A mounted file system. Subclasses supply the root and the statvfs figures."""

    fstype = b"none"
    namemax = 255  # f_namemax and pathconf(_PC_NAME_MAX): KERNEL_NAME_MAX bounds every fs

    def __init__(self, mntid: int, flags: int) -> None:
        self.flags = flags | SV.MNT_LOCAL
        t = makefstype(self.fstype)
        self.dev = makedev(t & 0xFF, mntid)
        self.fsidx = (self.dev, t)
        self.root: Vnode = None  # type: ignore[assignment]  # set by the file system
        self.covered: Vnode | None = None  # the directory this is mounted on
        self.mntonname = b"/"
        self.mntfromname = self.fstype
        self.owner = 0
        self.opencount = 0  # open files on this file system (unmount: EBUSY)

    @property
    def rdonly(self) -> bool:
        return bool(self.flags & SV.MNT_RDONLY)

    def usage(self) -> tuple[int, int, int, int]:
        """(blocks, free blocks, files, free files) in f_frsize units."""
        return 0, 0, 0, 0

    def statvfs(self) -> bytes:
        blocks, bfree, files, ffree = self.usage()
        return SV.pack_statvfs(
            f_flag=self.flags & SV.MNT_VISFLAGMASK, f_bsize=4096, f_frsize=4096,
            f_iosize=4096, f_blocks=blocks, f_bfree=bfree, f_bavail=bfree,
            f_files=files, f_ffree=ffree, f_favail=ffree, f_fsidx=self.fsidx,
            f_fsid=self.dev, f_namemax=self.namemax, f_owner=self.owner,
            f_fstypename=self.fstype, f_mntonname=self.mntonname,
            f_mntfromname=self.mntfromname)

    def unmount(self) -> None:
        """Free the file system's contents."""

    # -- file handles (VFS_VPTOFH / VFS_FHTOVP; vfs/fh.py wraps them) ----------
    def vptofh(self, vp: "Vnode") -> bytes:
        """The file identifier (a struct fid, fid_len first) of ``vp``."""
        raise KernelError(E.EOPNOTSUPP)

    def fhtovp(self, fid: bytes) -> "Vnode":
        """The file a fid names: EINVAL if malformed, ESTALE if the file is gone."""
        raise KernelError(E.EOPNOTSUPP)
