"""Changing attributes (VOP_SETATTR): mode, owner, flags, times, size.

The rules are NetBSD tmpfs's with genfs_can_chmod/chown/chflags and the
root override of kauth: EROFS on a read-only mount, EPERM on immutable or
append-only files, EPERM when a non-owner changes what only the owner (or
root) may, EFTYPE for a sticky bit on a non-directory by non-root.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import event as EV
from ...abi import stat as S
from ..errors import KernelError
from .access import VWRITE, vaccess
from .vnode import APPEND, IMMUTABLE, VBLK, VCHR, VDIR, VFIFO, VREG, now_ns

if TYPE_CHECKING:
    from ..cred import Cred
    from .vnode import Vnode


def _writable_meta(vp: "Vnode") -> None:
    if vp.mount.rdonly:
        raise KernelError(E.EROFS)
    if vp.flags & (IMMUTABLE | APPEND):
        raise KernelError(E.EPERM)


def chmod(vp: "Vnode", cred: "Cred", mode: int) -> None:
    _writable_meta(vp)
    if cred.euid != 0:
        if cred.euid != vp.uid:
            raise KernelError(E.EPERM)
        if vp.vtype != VDIR and mode & S.S_ISTXT:
            raise KernelError(E.EFTYPE)
        if mode & S.S_ISGID and not cred.in_group(vp.gid):
            raise KernelError(E.EPERM)
    vp.mode = mode & S.ALLPERMS
    vp.ctime = now_ns()
    vp.notify(EV.NOTE_ATTRIB)


def chown(vp: "Vnode", cred: "Cred", uid: int, gid: int, posix: bool) -> None:
    """change_owner then tmpfs_setattr: uid/gid -1 leave that id alone; the set-id
    bits are cleared (chown: for each id changed; __posix_chown: unless root) by a
    separate chmod after the owner changed (tmpfs_chown, then tmpfs_chmod with
    genfs_can_chmod's rules, against the new group)."""
    uchg, gchg = uid != -1, gid != -1
    newmode = vp.mode
    if posix:
        if cred.euid != 0:
            newmode &= ~(S.S_ISUID | S.S_ISGID)
    else:
        if uchg:
            newmode &= ~S.S_ISUID
        if gchg:
            newmode &= ~S.S_ISGID
    if uchg or gchg:
        nuid = uid if uchg else vp.uid
        ngid = gid if gchg else vp.gid
        _writable_meta(vp)
        if cred.euid != 0 and (cred.euid != vp.uid or nuid != vp.uid or
                               (ngid != vp.gid and not cred.in_group(ngid))):
            raise KernelError(E.EPERM)
        vp.uid, vp.gid = nuid, ngid
        vp.ctime = now_ns()
        vp.notify(EV.NOTE_ATTRIB)
    if newmode != vp.mode:
        chmod(vp, cred, newmode)


def chflags(vp: "Vnode", cred: "Cred", flags: int) -> None:
    """tmpfs_chflags with genfs_can_chflags: the owner (or root) may change the
    user flags; only root may change the system flags (SF_*), compared with the
    node's current ones (passing them back unchanged is allowed)."""
    if vp.mount.rdonly:
        raise KernelError(E.EROFS)
    flags &= 0xFFFFFFFF
    changing_sys = (flags & S.SF_SETTABLE) != (vp.flags & S.SF_SETTABLE)
    if cred.euid != 0 and (cred.euid != vp.uid or changing_sys):
        raise KernelError(E.EPERM)
    if changing_sys:
        vp.flags = flags
    else:
        vp.flags = (vp.flags & S.SF_SETTABLE) | (flags & S.UF_SETTABLE)
    vp.ctime = now_ns()
    vp.notify(EV.NOTE_ATTRIB)


def chtimes(vp: "Vnode", cred: "Cred", atime: int | None, mtime: int | None,
            null: bool, btime: int | None = None) -> None:
    """tmpfs_setattr's times: None is VNOVAL (leave that time; a time whose
    seconds are -1 is VNOVAL too). With no time to set nothing is checked at all.
    ``null``: times(NULL) or both UTIME_NOW, which the file's writers may do
    too; explicit times need the owner or root. tmpfs_chtimes leaves ctime."""
    if atime is None and mtime is None and btime is None:
        return
    _writable_meta(vp)
    if cred.euid != 0 and cred.euid != vp.uid:
        if not null:
            raise KernelError(E.EPERM)
        vaccess(vp, cred, VWRITE)
    if atime is not None:
        vp.atime = atime
    if mtime is not None:
        vp.mtime = mtime
    if btime is not None:
        vp.btime = btime
    vp.notify(EV.NOTE_ATTRIB)


def truncate(vp: "Vnode", size: int, always_touch: bool = False) -> None:
    """Set a regular file's size; other special files ignore it, as tmpfs_chsize."""
    t = vp.vtype
    if t == VDIR:
        raise KernelError(E.EISDIR)
    if t in (VCHR, VBLK, VFIFO):
        return
    if t != VREG:
        raise KernelError(E.EOPNOTSUPP)
    if vp.mount.rdonly:
        raise KernelError(E.EROFS)
    if vp.flags & (IMMUTABLE | APPEND):
        raise KernelError(E.EPERM)
    if size < 0:
        raise KernelError(E.EINVAL)
    if size != vp.size:
        vp.truncate(size)
        vp.mtime = vp.ctime = now_ns()
        vp.notify(EV.NOTE_ATTRIB)
    elif always_touch:
        vp.mtime = vp.ctime = now_ns()
