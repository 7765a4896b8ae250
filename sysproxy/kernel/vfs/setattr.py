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
    """chown: uid/gid -1 leave that id alone; the set-id bits are cleared as NetBSD's
    change_owner does (chown: for each id changed; __posix_chown: unless root)."""
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
    if not uchg and not gchg:
        if newmode == vp.mode:
            return
    nuid = uid if uchg else vp.uid
    ngid = gid if gchg else vp.gid
    if uchg or gchg:
        _writable_meta(vp)
        if cred.euid != 0 and (cred.euid != vp.uid or nuid != vp.uid or
                               (ngid != vp.gid and not cred.in_group(ngid))):
            raise KernelError(E.EPERM)
    elif cred.euid != 0 and cred.euid != vp.uid:
        raise KernelError(E.EPERM)
    vp.uid, vp.gid = nuid, ngid
    vp.mode = newmode
    vp.ctime = now_ns()
    vp.notify(EV.NOTE_ATTRIB)


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
            null: bool) -> None:
    """Set times (None: leave). ``null``: times(NULL) or both UTIME_NOW, which the
    file's writers may do too; explicit times need the owner or root."""
    _writable_meta(vp)
    if cred.euid != 0 and cred.euid != vp.uid:
        if not null:
            raise KernelError(E.EPERM)
        vaccess(vp, cred, VWRITE)
    if atime is not None:
        vp.atime = atime
    if mtime is not None:
        vp.mtime = mtime
        if mtime < vp.btime:
            vp.btime = mtime
    vp.ctime = now_ns()
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
