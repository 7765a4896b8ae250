"""Extended attributes: the extattr_* family (namespace + name) and the
Linux-style *xattr family ("user."/"system." prefixes).

NetBSD 7.99.34's tmpfs has no extended attributes: every VOP_*EXTATTR is
EOPNOTSUPP (the *xattr calls say ENOTSUP, XATTR_ERRNO). What a caller sees
is therefore decided by vfs_xattr.c's own steps, in its order: the attribute
name is copied in first (at most 254 bytes: ENAMETOOLONG), then the file is
looked up (path or descriptor), then a buffer longer than INT_MAX is EINVAL
(set without flags; get and list with a buffer), then the file system's
EOPNOTSUPP. Namespaces and permissions are the file system's to check, so
tmpfs checks none.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import limits as LIM
from ..errors import KernelError
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in, vnode_file

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode

NAMEBUF = LIM.EXTATTR_MAXNAMELEN  # char attrname[EXTATTR_MAXNAMELEN]: the NUL included
INT_MAX = (1 << 31) - 1


async def _target(l: "Lwp", kind: str, v: int) -> "Vnode":
    if kind == "fd":
        return vnode_file(l, i32(v)).vp
    path = await path_in(l, v)
    return lookup_vp(l, path, kind == "file")


def _vop(vp: "Vnode") -> None:
    """The file system's extended attribute operation: tmpfs has none."""
    raise KernelError(E.EOPNOTSUPP)


def _nbytes_ok(data: int, nbytes: int) -> None:
    if data and nbytes > INT_MAX:
        raise KernelError(E.EINVAL)


def _xattr_errno(e: KernelError) -> KernelError:
    """XATTR_ERRNO: the Linux-style calls say ENOTSUP for EOPNOTSUPP."""
    return KernelError(E.ENOTSUP) if e.errno == E.EOPNOTSUPP else e


# -- extattr_* ------------------------------------------------------------------
def _register_extattr(kind: str) -> None:
    @syscall(f"extattr_set_{kind}")
    async def set_(l: "Lwp", a: Args) -> int:
        await l.copyinstr(a[2], NAMEBUF)
        vp = await _target(l, kind, a[0])
        if a[4] > INT_MAX:
            raise KernelError(E.EINVAL)
        _vop(vp)
        return 0

    @syscall(f"extattr_get_{kind}")
    async def get_(l: "Lwp", a: Args) -> int:
        await l.copyinstr(a[2], NAMEBUF)
        vp = await _target(l, kind, a[0])
        _nbytes_ok(a[3], a[4])
        _vop(vp)
        return 0

    @syscall(f"extattr_delete_{kind}")
    async def del_(l: "Lwp", a: Args) -> int:
        await l.copyinstr(a[2], NAMEBUF)
        _vop(await _target(l, kind, a[0]))  # VOP_DELETEEXTATTR, then VOP_SETEXTATTR
        return 0

    @syscall(f"extattr_list_{kind}")
    async def list_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        _nbytes_ok(a[2], a[3])
        _vop(vp)
        return 0


for _k in ("file", "fd", "link"):
    _register_extattr(_k)


# -- *xattr ------------------------------------------------------------------------
def _register_xattr(prefix: str, kind: str) -> None:
    @syscall(f"{prefix}setxattr")
    async def set_(l: "Lwp", a: Args) -> int:
        try:
            await l.copyinstr(a[1], NAMEBUF)
            vp = await _target(l, kind, a[0])
            if i32(a[4]) == 0 and a[3] > INT_MAX:
                raise KernelError(E.EINVAL)
            _vop(vp)  # with flags: VOP_GETEXTATTR first, as EOPNOTSUPP
        except KernelError as e:
            raise _xattr_errno(e) from None
        return 0

    @syscall(f"{prefix}getxattr")
    async def get_(l: "Lwp", a: Args) -> int:
        await l.copyinstr(a[1], NAMEBUF)
        try:
            vp = await _target(l, kind, a[0])
            _nbytes_ok(a[2], a[3])
            _vop(vp)
        except KernelError as e:
            raise _xattr_errno(e) from None
        return 0

    @syscall(f"{prefix}listxattr")
    async def list_(l: "Lwp", a: Args) -> int:
        try:
            vp = await _target(l, kind, a[0])
            _nbytes_ok(a[1], a[2])
            _vop(vp)
        except KernelError as e:
            raise _xattr_errno(e) from None
        return 0

    @syscall(f"{prefix}removexattr")
    async def del_(l: "Lwp", a: Args) -> int:
        await l.copyinstr(a[1], NAMEBUF)
        try:
            _vop(await _target(l, kind, a[0]))
        except KernelError as e:
            raise _xattr_errno(e) from None
        return 0


for _p, _k in (("", "file"), ("l", "link"), ("f", "fd")):
    _register_xattr(_p, _k)
