"""Permission checks from the caller's credentials, as NetBSD's genfs/kauth decide.

The owner class is chosen first (owner, else group member, else other) and
only that class's bits count; root may do anything except execute a file
that has no execute bit at all. Writes to immutable files fail with EPERM,
to read-only mounts with EROFS, before the mode bits are looked at.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ..errors import KernelError
from .vnode import APPEND, IMMUTABLE, VDIR, VLNK, VREG

if TYPE_CHECKING:
    from ..cred import Cred
    from .vnode import Vnode

VEXEC, VWRITE, VREAD = 0o1, 0o2, 0o4


def can_access(vp: "Vnode", cred: "Cred", acc: int) -> int:
    """0 if ``cred`` may ``acc`` (VREAD|VWRITE|VEXEC) ``vp`` by its mode, else EACCES."""
    mode = vp.mode
    if cred.euid == 0:
        if acc & VEXEC and vp.vtype != VDIR and not mode & 0o111:
            return E.EACCES
        return 0
    if cred.euid == vp.uid:
        bits = mode >> 6
    elif cred.egid == vp.gid or vp.gid in cred.groups:
        bits = mode >> 3
    else:
        bits = mode
    return E.EACCES if acc & ~bits & 7 else 0


def vaccess(vp: "Vnode", cred: "Cred", acc: int) -> None:
    """VOP_ACCESS: raise EROFS, EPERM (immutable) or EACCES."""
    if acc & VWRITE:
        if vp.mount.rdonly and vp.vtype in (VREG, VDIR, VLNK):
            raise KernelError(E.EROFS)
        if vp.flags & IMMUTABLE:
            raise KernelError(E.EPERM)
    err = can_access(vp, cred, acc)
    if err:
        raise KernelError(err)


def search(dvp: "Vnode", cred: "Cred") -> None:
    """Searching a directory during lookup (the hot path: root passes at once)."""
    if cred.euid == 0:
        return
    err = can_access(dvp, cred, VEXEC)
    if err:
        raise KernelError(err)


def check_sticky(dvp: "Vnode", vp: "Vnode", cred: "Cred") -> None:
    """Deleting or renaming ``vp`` out of ``dvp``: sticky directories and append/immutable flags."""
    if vp.flags & (IMMUTABLE | APPEND) or dvp.flags & APPEND:
        raise KernelError(E.EPERM)
    if dvp.mode & 0o1000 and cred.euid != 0 and cred.euid != dvp.uid and cred.euid != vp.uid:
        raise KernelError(E.EPERM)


def is_owner_or_root(vp: "Vnode", cred: "Cred") -> bool:
    return cred.euid == 0 or cred.euid == vp.uid
