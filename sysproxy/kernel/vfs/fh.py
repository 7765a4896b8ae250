"""File handles: a vnode to an fhandle_t and back, as NetBSD's vfs_composefh_alloc,
vfs_copyinfh_alloc and vfs_fhtovp (sys/kern/vfs_syscalls.c) do it.

The file system supplies the fid (Mount.vptofh / Mount.fhtovp); this module adds
the mount's f_fsidx in front and finds the mount again from it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fhandle as FH
from ..errors import KernelError

if TYPE_CHECKING:
    from .vfs import VFS
    from .vnode import Vnode


def composefh(vp: "Vnode") -> bytes:
    """vfs_composefh_alloc: the whole handle of ``vp`` (FHANDLE_SIZE bytes)."""
    mp = vp.mount
    return FH.pack_fhandle(mp.fsidx, mp.vptofh(vp))


def check_size(fhsize: int) -> None:
    """vfs_copyinfh_alloc's first checks, before anything is copied in."""
    if fhsize > FH.FHANDLE_SIZE_MAX or fhsize < FH.FHANDLE_SIZE_MIN:
        raise KernelError(E.EINVAL)


def check_handle(fh: bytes, fhsize: int) -> bytes:
    """vfs_copyinfh_alloc once the ``fhsize`` bytes are in: the handle's own size
    (from fid_len) must be ``fhsize``, except that an NFSv2 32-byte buffer may hold
    a shorter handle; anything else is EINVAL ("userland told us wrong size")."""
    sz = FH.fhandle_size(fh)
    if sz == fhsize:
        return fh
    if fhsize == FH.NFSX_V2FH and sz < fhsize:
        return fh[:sz]
    raise KernelError(E.EINVAL)


def fhtovp(vfs: "VFS", fh: bytes) -> "Vnode":
    """vfs_fhtovp: ESTALE if no mount has the handle's fsid, then the file system's
    VFS_FHTOVP (EINVAL for a fid it cannot parse, ESTALE for a file that is gone)."""
    h = FH.unpack_fhandle(fh)
    for mp in vfs.mounts:
        if _fsid(mp.fsidx) == h.fsid:
            return mp.fhtovp(h.fid)
    raise KernelError(E.ESTALE)


def _fsid(fsidx: tuple[int, int]) -> tuple[int, int]:
    return tuple(v - (1 << 32) if v & 0x80000000 else v  # type: ignore[return-value]
                 for v in (x & 0xFFFFFFFF for x in fsidx))
