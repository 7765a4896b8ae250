"""Mounting and file system figures: __mount50, unmount, statvfs1, fstatvfs1,
getvfsstat, sync.

__mount50 copies in the same order as NetBSD's (see the files vector): the
mount point path, the type name (at most 32 bytes), the arguments, then the
path again for f_mntonname (1023) and for the lookup of the new root (1024).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import statvfs as SV
from ...abi.limits import PATH_MAX
from ..errors import KernelError
from ..fs.tmpfs import TmpfsMount
from ..vfs.revoke import revoke_mount
from ..vfs.vnode import VDIR
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in, vnode_file

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("__mount50")
async def sys_mount(l: "Lwp", a: Args) -> int:
    typep, pathp, flags, datap, datalen = a[0], a[1], i32(a[2]), a[3], a[4]
    path = await path_in(l, pathp)
    vp = lookup_vp(l, path)
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    fstype = await l.copyinstr(typep, SV.VFS_NAMELEN)
    vfs = l.kernel.vfs
    if flags & (SV.MNT_GETARGS | SV.MNT_UPDATE):
        mp = vp.mount
        if vp is not mp.root or not isinstance(mp, TmpfsMount):
            raise KernelError(E.EINVAL)
        if flags & SV.MNT_GETARGS:
            if datalen < SV.TMPFS_ARGS_SIZE or not datap:
                raise KernelError(E.EINVAL)
            root = mp.root
            l.copyout(datap, SV.pack_tmpfs_args(1, mp.nodes_max, mp.size_max,
                                                root.uid, root.gid, root.mode))
            return 0
        mp.flags = (mp.flags & ~SV.MNT_RDONLY) | (flags & SV.MNT_RDONLY)
        return 0
    if fstype != b"tmpfs":
        raise KernelError(E.ENODEV)
    if not datap or datalen < SV.TMPFS_ARGS_SIZE:
        raise KernelError(E.EINVAL)
    args = SV.unpack_tmpfs_args(await l.copyin(datap, SV.TMPFS_ARGS_SIZE))
    if args.version != SV.TMPFS_ARGS_VERSION:
        raise KernelError(E.EINVAL)
    onname = await l.copyinstr(pathp, PATH_MAX - 1)
    await path_in(l, pathp)
    if vp.vtype != VDIR:
        raise KernelError(E.ENOTDIR)
    if vp.mountedhere is not None:
        raise KernelError(E.EBUSY)
    mp = TmpfsMount(vfs, vfs.next_mntid(), flags & SV.MNT_VISFLAGMASK & ~SV.MNT_ROOTFS,
                    size_max=max(0, args.size_max), nodes_max=args.nodes_max,
                    root_uid=args.root_uid, root_gid=args.root_gid, root_mode=args.root_mode)
    vfs.mount(mp, vp, onname)
    return 0


@syscall("unmount")
async def sys_unmount(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    flags = i32(a[1])
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    vp = lookup_vp(l, path)
    mp = vp.mount
    if vp is not mp.root:
        raise KernelError(E.EINVAL)
    vfs = l.kernel.vfs
    if mp.covered is None:
        raise KernelError(E.EBUSY)
    if vfs.busy(mp):
        # tmpfs_unmount's vflush: EBUSY while in use, unless MNT_FORCE (FORCECLOSE):
        # then every open file and cwd/root on the file system is revoked first.
        # A file system mounted below stays EBUSY even when forced.
        if not flags & SV.MNT_FORCE or vfs.has_submounts(mp):
            raise KernelError(E.EBUSY)
        revoke_mount(l.kernel, mp)
    vfs.unmount(mp)
    return 0


@syscall("statvfs1")
async def sys_statvfs1(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    l.copyout(a[1], lookup_vp(l, path).mount.statvfs())
    return 0


@syscall("fstatvfs1")
async def sys_fstatvfs1(l: "Lwp", a: Args) -> int:
    l.copyout(a[1], vnode_file(l, i32(a[0])).vp.mount.statvfs())
    return 0


@syscall("getvfsstat")
async def sys_getvfsstat(l: "Lwp", a: Args) -> int:
    buf, bufsize = a[0], a[1]
    mounts = l.kernel.vfs.mounts
    if not buf:
        return len(mounts)
    n = min(len(mounts), bufsize // SV.STATVFS_SIZE)
    for i in range(n):
        l.copyout(buf + i * SV.STATVFS_SIZE, mounts[i].statvfs())
    return n


@syscall("sync")
async def sys_sync(l: "Lwp", a: Args) -> int:
    for hook in list(l.kernel.sync_hooks):  # serve --state: written out before we return
        await hook()
    return 0
