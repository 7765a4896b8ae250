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
from ..vfs.namei import Lookup, namei
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


def lookup(l: "Lwp", path: bytes, follow: bool = True, parent: bool = False,
           dirfd: int = AT_FDCWD, cred: "Cred | None" = None) -> Lookup:
    p = l.proc
    root = p.root or l.kernel.vfs.root
    if path[:1] == b"/" or dirfd == AT_FDCWD:
        start = p.cwd or root
    else:
        start = dir_vnode(l, dirfd)
    return namei(root, start, path, cred or p.cred, follow, parent)


def lookup_vp(l: "Lwp", path: bytes, follow: bool = True, dirfd: int = AT_FDCWD,
              cred: "Cred | None" = None) -> "Vnode":
    vp = lookup(l, path, follow, False, dirfd, cred).vp
    assert vp is not None
    return vp


def dir_vnode(l: "Lwp", fd: int) -> "Vnode":
    """The directory an *at() descriptor names (EBADF, ENOTDIR)."""
    f = l.proc.fd.get(fd)
    if not isinstance(f, VnodeFile):
        raise KernelError(E.ENOTDIR)
    if f.vp.vtype != VDIR:
        raise KernelError(E.ENOTDIR)
    return f.vp


def vnode_file(l: "Lwp", fd: int) -> VnodeFile:
    """An open vnode (EBADF if closed; EINVAL for sockets, pipes... as fd_getvnode)."""
    f = l.proc.fd.get(fd)
    if not isinstance(f, VnodeFile):
        raise KernelError(E.EINVAL)
    return f


def atfd(v: int) -> int:
    return i32(v)
