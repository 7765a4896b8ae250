"""Extended attributes: the extattr_* family (namespace + name) and the
Linux-style *xattr family ("user."/"system." prefixes), stored on the vnode.

Permissions as NetBSD's extattr_check_cred: the system namespace is root's
only (EPERM); user attributes need read or write access to the file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import limits as LIM
from ..errors import KernelError
from ..vfs.access import VREAD, VWRITE, vaccess
from ..vfs.vnode import now_ns
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in, vnode_file

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode

USER, SYSTEM = LIM.EXTATTR_NAMESPACE_USER, LIM.EXTATTR_NAMESPACE_SYSTEM
NAMEMAX = LIM.EXTATTR_MAXNAMELEN + 1
PREFIXES = ((b"user.", USER), (b"system.", SYSTEM), (b"security.", SYSTEM), (b"trusted.", SYSTEM))


def _check(l: "Lwp", vp: "Vnode", ns: int, acc: int) -> None:
    if ns not in (USER, SYSTEM):
        raise KernelError(E.EINVAL)
    if ns == SYSTEM:
        if l.proc.cred.euid != 0:
            raise KernelError(E.EPERM)
        return
    vaccess(vp, l.proc.cred, acc)


def xset(l: "Lwp", vp: "Vnode", ns: int, name: bytes, value: bytes, flags: int = 0) -> None:
    _check(l, vp, ns, VWRITE)
    if not name:
        raise KernelError(E.EINVAL)
    attrs = vp.xattrs
    if attrs is None:
        attrs = vp.xattrs = {}
    key = (ns, name)
    if flags & LIM.XATTR_CREATE and key in attrs:
        raise KernelError(E.EEXIST)
    if flags & LIM.XATTR_REPLACE and key not in attrs:
        raise KernelError(E.ENOATTR)
    vp.mount.vfs.charge(len(value) - len(attrs.get(key, b"")))  # type: ignore[attr-defined]
    attrs[key] = value
    vp.ctime = now_ns()


def xget(l: "Lwp", vp: "Vnode", ns: int, name: bytes) -> bytes:
    _check(l, vp, ns, VREAD)
    v = (vp.xattrs or {}).get((ns, name))
    if v is None:
        raise KernelError(E.ENOATTR)
    return v


def xdel(l: "Lwp", vp: "Vnode", ns: int, name: bytes) -> None:
    _check(l, vp, ns, VWRITE)
    attrs = vp.xattrs or {}
    v = attrs.pop((ns, name), None)
    if v is None:
        raise KernelError(E.ENOATTR)
    vp.mount.vfs.charge(-len(v))  # type: ignore[attr-defined]
    vp.ctime = now_ns()


def xnames(vp: "Vnode", ns: int) -> list[bytes]:
    return [n for (s, n) in (vp.xattrs or {}) if s == ns]


# -- extattr_* ------------------------------------------------------------------
async def _target(l: "Lwp", kind: str, v: int) -> "Vnode":
    if kind == "fd":
        return vnode_file(l, i32(v)).vp
    path = await path_in(l, v)
    return lookup_vp(l, path, kind == "file")


def _out(l: "Lwp", data: int, nbytes: int, value: bytes) -> int:
    if not data:
        return len(value)
    chunk = value[:nbytes]
    if chunk:
        l.copyout(data, chunk)
    return len(chunk)


def _register_extattr(kind: str) -> None:
    @syscall(f"extattr_set_{kind}")
    async def set_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        name = await l.copyinstr(a[2], NAMEMAX)
        n = a[4]
        value = await l.copyin(a[3], n) if n else b""
        xset(l, vp, i32(a[1]), name, value)
        return n

    @syscall(f"extattr_get_{kind}")
    async def get_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        name = await l.copyinstr(a[2], NAMEMAX)
        return _out(l, a[3], a[4], xget(l, vp, i32(a[1]), name))

    @syscall(f"extattr_delete_{kind}")
    async def del_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        name = await l.copyinstr(a[2], NAMEMAX)
        xdel(l, vp, i32(a[1]), name)
        return 0

    @syscall(f"extattr_list_{kind}")
    async def list_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        ns = i32(a[1])
        _check(l, vp, ns, VREAD)
        blob = b"".join(bytes([len(n)]) + n for n in xnames(vp, ns))
        return _out(l, a[2], a[3], blob)


for _k in ("file", "fd", "link"):
    _register_extattr(_k)


# -- *xattr ------------------------------------------------------------------------
def split_name(full: bytes) -> tuple[int, bytes]:
    for prefix, ns in PREFIXES:
        if full.startswith(prefix):
            return ns, full[len(prefix):]
    return USER, full


def _register_xattr(prefix: str, kind: str) -> None:
    @syscall(f"{prefix}setxattr")
    async def set_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        ns, name = split_name(await l.copyinstr(a[1], NAMEMAX))
        n, flags = a[3], i32(a[4])
        if flags & ~(LIM.XATTR_CREATE | LIM.XATTR_REPLACE):
            raise KernelError(E.EINVAL)
        value = await l.copyin(a[2], n) if n else b""
        xset(l, vp, ns, name, value, flags)
        return 0

    @syscall(f"{prefix}getxattr")
    async def get_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        ns, name = split_name(await l.copyinstr(a[1], NAMEMAX))
        value = xget(l, vp, ns, name)
        if not a[2] or not a[3]:
            return len(value)
        if a[3] < len(value):
            raise KernelError(E.ERANGE)
        if value:
            l.copyout(a[2], value)
        return len(value)

    @syscall(f"{prefix}listxattr")
    async def list_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        vaccess(vp, l.proc.cred, VREAD)
        names = [b"user." + n + b"\0" for n in xnames(vp, USER)]
        if l.proc.cred.euid == 0:
            names += [b"system." + n + b"\0" for n in xnames(vp, SYSTEM)]
        blob = b"".join(names)
        if not a[1] or not a[2]:
            return len(blob)
        if a[2] < len(blob):
            raise KernelError(E.ERANGE)
        if blob:
            l.copyout(a[1], blob)
        return len(blob)

    @syscall(f"{prefix}removexattr")
    async def del_(l: "Lwp", a: Args) -> int:
        vp = await _target(l, kind, a[0])
        ns, name = split_name(await l.copyinstr(a[1], NAMEMAX))
        xdel(l, vp, ns, name)
        return 0


for _p, _k in (("", "file"), ("l", "link"), ("f", "fd")):
    _register_xattr(_p, _k)
