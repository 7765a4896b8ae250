"""File handles: __getfh30, __fhopen40, __fhstat50, __fhstatvfs140.

As NetBSD's sys/kern/vfs_syscalls.c: every call first asks
kauth_authorize_system(KAUTH_SYSTEM_FILEHANDLE), which secmodel_suser grants to
an effective uid of 0 only (EPERM otherwise), before anything is copied in.

getfh follows the path (symlinks too), composes the handle, then copies in the
caller's ``*fh_size``, always writes the handle's real size back to it and
copies the handle out only if the buffer was big enough (E2BIG otherwise).

The other calls copy the handle in as vfs_copyinfh_alloc does (EINVAL for a size
outside [FHANDLE_SIZE_MIN, FHANDLE_SIZE_MAX] or one the handle's fid_len
disagrees with), find the mount by fsid (ESTALE if none) and let the file
system resolve the fid (tmpfs: EINVAL for a wrong fid length, ESTALE for a
file that is gone or whose inode number now has another generation).
fhopen is vn_open without the lookup: O_CREAT is EINVAL, then vn_openchk
(ENOTDIR for O_DIRECTORY, EISDIR for a directory opened to write, VOP_ACCESS),
O_TRUNC, tmpfs_open's append-only check.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ..errors import KernelError
from ..file import FREAD, FWRITE
from ..vfs import fh as FH
from ..vfs.access import VREAD, VWRITE, vaccess
from ..vfs.setattr import truncate as vtruncate
from ..vfs.vnode import APPEND, VDIR, VLNK, VREG, VSOCK
from .args import i32
from .table import Args, syscall
from .vfs_open import install_vnode_file
from .vfs_util import lookup_vp, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode

_SIZE_T = struct.Struct("<Q")


def _authorize(l: "Lwp") -> None:
    """kauth_authorize_system(KAUTH_SYSTEM_FILEHANDLE): root only."""
    if l.proc.cred.euid != 0:
        raise KernelError(E.EPERM)


async def _fh_vnode(l: "Lwp", ufhp: int, fhsize: int) -> "Vnode":
    """vfs_copyinfh_alloc then vfs_fhtovp."""
    FH.check_size(fhsize)
    fh = FH.check_handle(bytes(await l.copyin(ufhp, fhsize)), fhsize)
    return FH.fhtovp(l.kernel.vfs, fh)


@syscall("__getfh30")
async def sys_getfh(l: "Lwp", a: Args) -> int:
    _authorize(l)
    path = await path_in(l, a[0])
    fh = FH.composefh(lookup_vp(l, path))  # FOLLOW
    (usz,) = _SIZE_T.unpack(bytes(await l.copyin(a[2], _SIZE_T.size)))
    l.copyout(a[2], _SIZE_T.pack(len(fh)))
    if usz < len(fh):
        raise KernelError(E.E2BIG)
    l.copyout(a[1], fh)
    return 0


def _has_free_fd(l: "Lwp") -> bool:
    fdt = l.proc.fd
    return sum(1 for fd in fdt.fds() if fd < fdt.maxfiles) < fdt.maxfiles


@syscall("__fhopen40")
async def sys_fhopen(l: "Lwp", a: Args) -> int:
    _authorize(l)
    oflags = i32(a[2]) & ~F.O_SEARCH
    fmode = F.FFLAGS(oflags)
    if not fmode & (FREAD | FWRITE):
        raise KernelError(E.EINVAL)
    if fmode & F.O_CREAT:
        raise KernelError(E.EINVAL)
    if not _has_free_fd(l):  # fd_allocfile comes before the handle is looked at
        raise KernelError(E.EMFILE)
    vp = await _fh_vnode(l, a[0], a[1])
    vt = vp.vtype
    if vt == VSOCK:
        raise KernelError(E.EOPNOTSUPP)
    # vn_openchk
    if oflags & F.O_DIRECTORY and vt != VDIR:
        raise KernelError(E.ENOTDIR)
    acc = VREAD if fmode & FREAD else 0
    if fmode & (FWRITE | F.O_TRUNC):
        acc |= VWRITE
        if vt == VDIR:
            raise KernelError(E.EISDIR)
    cred = l.proc.cred
    vaccess(vp, cred, acc)
    if oflags & F.O_TRUNC:  # VOP_SETATTR(va_size = 0): tmpfs_chsize by type
        if vt == VREG:
            vtruncate(vp, 0, always_touch=True)
        elif vt == VLNK:
            raise KernelError(E.EOPNOTSUPP)
    # VOP_OPEN: tmpfs_open refuses writes that are not appends to append-only files
    if vp.flags & APPEND and fmode & (FWRITE | F.O_APPEND) == FWRITE:
        raise KernelError(E.EPERM)
    return await install_vnode_file(l, vp, fmode, oflags)  # open_setfp


@syscall("__fhstat50")
async def sys_fhstat(l: "Lwp", a: Args) -> int:
    _authorize(l)
    vp = await _fh_vnode(l, a[0], a[1])
    l.copyout(a[2], vp.stat())
    return 0


@syscall("__fhstatvfs140")
async def sys_fhstatvfs1(l: "Lwp", a: Args) -> int:
    _authorize(l)
    vp = await _fh_vnode(l, a[0], a[1])
    l.copyout(a[2], vp.mount.statvfs())  # dostatvfs, as statvfs1 answers it
    return 0
