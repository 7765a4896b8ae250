"""rename, renameat, __posix_rename: every check is made before anything moves,
so a failed rename leaves the tree exactly as it was.

The checks come in NetBSD 7.99.34's order: namei DELETE of the source and
RENAME of the target (vfs/namei.py: write permission, sticky directories, "."
and ".."), do_sys_renameat's (".", "..", EXDEV, directory over non-directory),
then genfs_sane_rename's with tmpfs's operations. rename(2) of one hard link
onto another removes the source name (genfs: not posixly correct); only
__posix_rename leaves both.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ..errors import KernelError
from ..vfs.access import VWRITE, vaccess
from ..vfs.namei import DELETE, RENAME, S_ISTXT
from ..vfs.vnode import APPEND, IMMUTABLE, VDIR
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup, path_in

if TYPE_CHECKING:
    from ..cred import Cred
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


async def do_rename(l: "Lwp", fromfd: int, fromp: int, tofd: int, top: int,
                    posix: bool = False) -> int:
    """do_sys_renameat, then tmpfs's rename through genfs_sane_rename."""
    fpath = await path_in(l, fromp)
    tpath = await path_in(l, top)
    cred = l.proc.cred
    fr = lookup(l, fpath, False, DELETE, fromfd)
    fvp, fdvp = fr.vp, fr.dvp
    assert fvp is not None and fdvp is not None
    if fr.name in (b".", b".."):
        raise KernelError(E.EINVAL)
    tr = lookup(l, tpath, False, RENAME, tofd, createdir=fvp.vtype == VDIR)
    tvp, tdvp = tr.vp, tr.dvp
    assert tdvp is not None
    if tr.name == b".":
        raise KernelError(E.EISDIR)
    if tr.name == b"..":
        raise KernelError(E.EINVAL)
    if fdvp.mount is not tdvp.mount:
        raise KernelError(E.EXDEV)
    if tvp is not None:
        if fvp.vtype == VDIR and tvp.vtype != VDIR:
            raise KernelError(E.ENOTDIR)
        if fvp.vtype != VDIR and tvp.vtype == VDIR:
            raise KernelError(E.EISDIR)
    if fvp is tdvp:
        raise KernelError(E.EINVAL)
    if fvp is tvp and (posix or (fdvp is tdvp and fr.name == tr.name)):
        return 0
    fvp, tvp = _rename_enter(l, fdvp, fr.name, tdvp, tr.name)
    if fvp is tvp:  # two links to one file: rename(2) drops the source name
        if fvp.vtype == VDIR:
            raise KernelError(E.EINVAL)
        if (fdvp.flags | fvp.flags) & (IMMUTABLE | APPEND):
            raise KernelError(E.EPERM)
        if cred.euid != 0:
            vaccess(fdvp, cred, VWRITE)
            _sticky(fdvp, fvp, cred)
        fdvp.remove(fr.name, fvp)
        return 0
    if tvp is not None:
        if fvp.vtype == VDIR and tvp.vtype == VDIR:
            if not tvp.is_empty():
                raise KernelError(E.ENOTEMPTY)
        elif fvp.vtype == VDIR:
            raise KernelError(E.ENOTDIR)
        elif tvp.vtype == VDIR:
            raise KernelError(E.EISDIR)
    # genfs_ufslike_rename_check_possible
    if (fdvp.flags | fvp.flags) & (IMMUTABLE | APPEND) or \
            tdvp.flags & (IMMUTABLE | (APPEND if tvp is not None else 0)) or \
            (tvp is not None and tvp.flags & (IMMUTABLE | APPEND)):
        raise KernelError(E.EPERM)
    if cred.euid != 0:  # genfs_ufslike_rename_check_permitted (root: kauth allows)
        vaccess(fdvp, cred, VWRITE)
        if fdvp is not tdvp:
            vaccess(tdvp, cred, VWRITE)
            if fvp.vtype == VDIR:
                vaccess(fvp, cred, VWRITE)  # its ".." changes
        _sticky(fdvp, fvp, cred)
        if tvp is not None:
            _sticky(tdvp, tvp, cred)
    fdvp.rename(fr.name, fvp, tdvp, tr.name, tvp)
    return 0


def _sticky(dvp: "Vnode", vp: "Vnode", cred: "Cred") -> None:
    """genfs_ufslike_check_sticky: in a sticky directory, own it or the file."""
    if dvp.mode & S_ISTXT and cred.euid != dvp.uid and cred.euid != vp.uid:
        raise KernelError(E.EPERM)


def _rename_enter(l: "Lwp", fdvp: "Vnode", fname: bytes, tdvp: "Vnode",
                  tname: bytes) -> tuple["Vnode", "Vnode | None"]:
    """genfs_rename_enter with tmpfs's operations: look both names up again, in the
    order (and with the errnos) genfs_rename_lock uses for the directories'
    genealogy; a removed directory is ENOENT, a mount point EBUSY, a directory
    moved below itself EINVAL."""
    if fdvp is tdvp:
        _lock_dir(fdvp)
        fvp = _gro_lookup(fdvp, fname)
        if fvp is fdvp:
            raise KernelError(E.EINVAL)
        tvp = fdvp.lookup(tname)
        if tvp is fdvp:
            raise KernelError(E.EISDIR)
        _not_mounted_on(fvp, tvp)
        return fvp, tvp
    inter = _genealogy(fdvp, tdvp)
    if inter is None:  # fdvp is not an ancestor of tdvp: the target side first
        _lock_dir(tdvp)
        tvp = tdvp.lookup(tname)
        if tvp is tdvp:
            raise KernelError(E.EISDIR)
        if tvp is fdvp:
            raise KernelError(E.ENOTEMPTY)
        _lock_dir(fdvp)
        fvp = _gro_lookup(fdvp, fname)
        if fvp is fdvp:
            raise KernelError(E.EINVAL)
        if fvp is tdvp:
            raise KernelError(E.EIO)
        _not_mounted_on(tvp, fvp)
        return fvp, tvp
    _lock_dir(fdvp)
    fvp = _gro_lookup(fdvp, fname)
    if fvp is fdvp:
        raise KernelError(E.EISDIR)
    if fvp is tdvp:
        raise KernelError(E.EINVAL)
    _lock_dir(tdvp)
    tvp = tdvp.lookup(tname)
    if tvp is tdvp:
        raise KernelError(E.EINVAL)
    if tvp is fdvp:
        raise KernelError(E.EIO)
    _not_mounted_on(fvp, tvp)
    if fvp is inter:  # rename("a/b", "a/b/c/d")
        raise KernelError(E.EINVAL)
    return fvp, tvp


def _lock_dir(dvp: "Vnode") -> None:
    """tmpfs_gro_lock_directory: a removed directory is ENOENT."""
    if dvp.nlink == 0:
        raise KernelError(E.ENOENT)


def _gro_lookup(dvp: "Vnode", name: bytes) -> "Vnode":
    vp = dvp.lookup(name)
    if vp is None:
        raise KernelError(E.ENOENT)
    return vp


def _not_mounted_on(a: "Vnode | None", b: "Vnode | None") -> None:
    for vp in (a, b):
        if vp is not None and vp.vtype == VDIR and vp.mountedhere is not None:
            raise KernelError(E.EBUSY)


def _genealogy(fdvp: "Vnode", tdvp: "Vnode") -> "Vnode | None":
    """tmpfs_gro_genealogy: the child of ``fdvp`` on the way up from ``tdvp`` to
    its file system's root, or None when ``fdvp`` is not an ancestor of it."""
    _lock_dir(tdvp)
    vp = tdvp
    while True:
        up = vp.parent()
        if up is vp:
            return None
        if up is fdvp:
            return vp
        if up.nlink == 0:
            raise KernelError(E.ENOENT)
        vp = up


@syscall("rename")
async def sys_rename(l: "Lwp", a: Args) -> int:
    return await do_rename(l, F.AT_FDCWD, a[0], F.AT_FDCWD, a[1])


@syscall("__posix_rename")
async def sys_posix_rename(l: "Lwp", a: Args) -> int:
    return await do_rename(l, F.AT_FDCWD, a[0], F.AT_FDCWD, a[1], posix=True)


@syscall("renameat")
async def sys_renameat(l: "Lwp", a: Args) -> int:
    return await do_rename(l, i32(a[0]), a[1], i32(a[2]), a[3])
