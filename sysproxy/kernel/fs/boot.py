"""Boot: mount a tmpfs as the root file system, with /dev and /tmp, as a rump
kernel with rumpfs/tmpfs and rumpdev gives its clients.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import dev
from ..vfs.vfs import VFS
from ..vfs.vnode import VCHR, VDIR
from .tmpfs import TmpfsMount

if TYPE_CHECKING:
    from ..kernel import Kernel


def attach(kernel: "Kernel") -> None:
    vfs = VFS(kernel)
    kernel.vfs = vfs
    mp = TmpfsMount(vfs, vfs.next_mntid(), root_mode=0o755)
    mp.flags |= 0x00004000  # MNT_ROOTFS
    mp.mntfromname = b"tmpfs"
    vfs.mount_root(mp)
    root = mp.root
    devdir = root.create(b"dev", VDIR, 0o755, 0, 0)
    for name, (major, minor, mode) in dev.STANDARD_NODES.items():
        devdir.create(name.encode(), VCHR, mode, 0, 0, dev.makedev(major, minor))
    root.create(b"tmp", VDIR, 0o1777, 0, 0)
    kernel.proc0.cwd = kernel.proc0.root = root
