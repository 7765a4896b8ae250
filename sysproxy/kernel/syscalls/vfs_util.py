"""Shared pieces of the file system calls (not a family: registers nothing).

Paths come in with one COPYINSTR of at most PATH_MAX bytes (ENAMETOOLONG
without a NUL); *at() calls start relative paths at a directory descriptor.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi.fcntl import AT_FDCWD
from ...abi.limits import PATH_MAX
from ..errors import KernelError
from ..vfs.namei import LOOKUP, Lookup, namei
from ..vfs.vnfile import VnodeFile
from ..vfs.vnode import VDIR
from .args import i32

if TYPE_CHECKING:
    from ..cred import Cred
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


def path_in(l: "Lwp", addr: int):  # -> awaitable bytes
    """Copy a path in: one COPYINSTR with maxlen PATH_MAX."""
    return l.copyinstr(addr, PATH_MAX)


def lookup(l: "Lwp", path: bytes, follow: bool = True, op: int = LOOKUP,
           dirfd: int = AT_FDCWD, cred: "Cred | None" = None,
           createdir: bool = False) -> Lookup:
    """namei from the cwd or, for *at() calls, from ``dirfd``: as NetBSD's
    fd_nameiat, the descriptor is checked (EBADF, EINVAL for a non-vnode) even
    when the path is absolute; it must be a directory only to start a relative
    path (ENOTDIR)."""
    p = l.proc
    root = p.root or l.kernel.vfs.root
    start = p.cwd or root
    if dirfd != AT_FDCWD:
        f = l.proc.fd.get(dirfd)
        if not path:  # namei_start: "" is ENOENT before the start directory is looked at
            if not f.revoked:
                vnode_file(l, dirfd)
            raise KernelError(E.ENOENT)
        if f.revoked and path[:1] != b"/":
            raise KernelError(E.ENOENT)  # namei from a dead vnode: dead_lookup
        atvp = f.vp if f.revoked else vnode_file(l, dirfd).vp  # type: ignore[attr-defined]
        if path[:1] != b"/":
            if atvp.vtype != VDIR:
                raise KernelError(E.ENOTDIR)
            start = atvp
    return namei(root, start, path, cred or p.cred, follow, op, createdir)


def check_atfd(l: "Lwp", dirfd: int) -> None:
    """fd_getvnode of an *at() call's descriptor, for the calls that look at it
    before anything else (fd_nameiat_simple_user: fchmodat, fchownat, utimensat,
    linkat's first path; openat right after copying the path in)."""
    if dirfd != AT_FDCWD and not l.proc.fd.get(dirfd).revoked:
        vnode_file(l, dirfd)


def lookup_vp(l: "Lwp", path: bytes, follow: bool = True, dirfd: int = AT_FDCWD,
              cred: "Cred | None" = None) -> "Vnode":
    vp = lookup(l, path, follow, LOOKUP, dirfd, cred).vp
    assert vp is not None
    return vp


def dir_vnode(l: "Lwp", fd: int) -> "Vnode":
    """The directory an *at() descriptor names (EBADF, EINVAL for a non-vnode, ENOTDIR)."""
    vp = vnode_file(l, fd).vp
    if vp.vtype != VDIR:
        raise KernelError(E.ENOTDIR)
    return vp


def vnode_file(l: "Lwp", fd: int) -> VnodeFile:
    """An open vnode (EBADF if closed; EINVAL for sockets, pipes... as fd_getvnode).
    A revoked one is EBADF: what deadfs answers getattr, setattr, access, readdir."""
    f = l.proc.fd.get(fd)
    if not isinstance(f, VnodeFile):
        raise KernelError(E.EBADF if f.revoked else E.EINVAL)
    return f


def atfd(v: int) -> int:
    return i32(v)
