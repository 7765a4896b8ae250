"""rename, renameat, __posix_rename: every check is made before anything moves,
so a failed rename leaves the tree exactly as it was.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ..errors import KernelError
from ..vfs.access import VWRITE, check_sticky, vaccess
from ..vfs.namei import dotdot
from ..vfs.vnode import VDIR
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp


async def do_rename(l: "Lwp", fromfd: int, fromp: int, tofd: int, top: int) -> int:
    fpath = await path_in(l, fromp)
    tpath = await path_in(l, top)
    fr = lookup(l, fpath, False, True, fromfd)
    fvp, fdvp = fr.vp, fr.dvp
    if fvp is None:
        raise KernelError(E.ENOENT)
    if fdvp is None or fr.name in (b".", b".."):
        raise KernelError(E.EINVAL if fdvp is not None else E.EBUSY)
    tr = lookup(l, tpath, False, True, tofd)
    tvp, tdvp = tr.vp, tr.dvp
    if tdvp is None:
        raise KernelError(E.EBUSY)
    if tr.name in (b".", b".."):
        raise KernelError(E.EINVAL)
    if fdvp.mount is not tdvp.mount or (tvp is not None and tvp.mount is not fvp.mount):
        raise KernelError(E.EXDEV)
    if tr.slash and fvp.vtype != VDIR:
        raise KernelError(E.ENOTDIR)
    cred = l.proc.cred
    if fvp is tvp:
        vaccess(fdvp, cred, VWRITE)
        return 0
    if tvp is not None:
        if fvp.vtype == VDIR and tvp.vtype != VDIR:
            raise KernelError(E.ENOTDIR)
        if fvp.vtype != VDIR and tvp.vtype == VDIR:
            raise KernelError(E.EISDIR)
    mp = fvp.mount
    if fvp is mp.root or fvp.mountedhere is not None or (
            tvp is not None and (tvp is tvp.mount.root or tvp.mountedhere is not None)):
        raise KernelError(E.EBUSY)
    vaccess(fdvp, cred, VWRITE)
    if tdvp is not fdvp:
        vaccess(tdvp, cred, VWRITE)
        if fvp.vtype == VDIR:
            vaccess(fvp, cred, VWRITE)  # its ".." changes
    check_sticky(fdvp, fvp, cred)
    if tvp is not None:
        check_sticky(tdvp, tvp, cred)
    if fvp.vtype == VDIR:
        root = l.proc.root or l.kernel.vfs.root
        d = tdvp
        while True:
            if d is fvp:
                raise KernelError(E.EINVAL)
            up = dotdot(d, root)
            if up is d or up.mount is not mp:
                break
            d = up
    if tvp is not None and tvp.vtype == VDIR and not tvp.is_empty():
        raise KernelError(E.ENOTEMPTY)
    fdvp.rename(fr.name, fvp, tdvp, tr.name, tvp)
    return 0


@syscall("rename")
async def sys_rename(l: "Lwp", a: Args) -> int:
    return await do_rename(l, F.AT_FDCWD, a[0], F.AT_FDCWD, a[1])


@syscall("__posix_rename")
async def sys_posix_rename(l: "Lwp", a: Args) -> int:
    return await do_rename(l, F.AT_FDCWD, a[0], F.AT_FDCWD, a[1])


@syscall("renameat")
async def sys_renameat(l: "Lwp", a: Args) -> int:
    return await do_rename(l, i32(a[0]), a[1], i32(a[2]), a[3])
