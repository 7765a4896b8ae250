"""Where a process stands: chdir, fchdir, __getcwd, chroot, fchroot, umask."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import stat as S
from ...abi.limits import MAXPATHLEN
from ..errors import KernelError
from ..vfs.access import VEXEC, vaccess
from ..vfs.vnode import VDIR
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in, vnode_file

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


def _chdir_check(l: "Lwp", vp: "Vnode") -> "Vnode":
    if vp.vtype != VDIR:
        raise KernelError(E.ENOTDIR)
    vaccess(vp, l.proc.cred, VEXEC)
    return vp


@syscall("chdir")
async def sys_chdir(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    l.proc.cwd = _chdir_check(l, lookup_vp(l, path))
    return 0


@syscall("fchdir")
async def sys_fchdir(l: "Lwp", a: Args) -> int:
    l.proc.cwd = _chdir_check(l, vnode_file(l, i32(a[0])).vp)
    return 0


def ancestors(vp: "Vnode", stop: "Vnode") -> list[tuple["Vnode", bytes]]:
    """(directory, its name) from ``vp`` up to (not including) ``stop``, crossing mounts."""
    out = []
    seen = 0
    while vp is not stop and seen < 4096:
        seen += 1
        mp = vp.mount
        if vp is mp.root:
            if mp.covered is None:
                break
            vp = mp.covered
            continue
        name = vp.name_in_parent()
        if name is None or vp.nlink <= 0:
            raise KernelError(E.ENOENT)
        out.append((vp, name))
        vp = vp.parent()
    return out


def is_under(vp: "Vnode", top: "Vnode", root: "Vnode") -> bool:
    """Whether ``top`` is ``vp`` or one of its ancestors (vn_isunder)."""
    try:
        chain = ancestors(vp, root)
    except KernelError:
        return False
    return vp is top or any(d is top for d, _ in chain) or top is root


@syscall("__getcwd")
async def sys_getcwd(l: "Lwp", a: Args) -> int:
    buf, length = a[0], a[1]
    if length > MAXPATHLEN * 4:
        length = MAXPATHLEN * 4
    elif length < 2:
        raise KernelError(E.ERANGE)
    p = l.proc
    root = p.root or l.kernel.vfs.root
    parts = [name for _, name in ancestors(p.cwd or root, root)]
    path = b"/" + b"/".join(reversed(parts))
    if len(path) + 1 > length:
        raise KernelError(E.ERANGE)
    l.copyout(buf, path + b"\0")
    return len(path) + 1


def _chroot(l: "Lwp", vp: "Vnode") -> int:
    p = l.proc
    oldroot = p.root or l.kernel.vfs.root
    cwd = p.cwd or oldroot
    if not is_under(cwd, vp, oldroot):
        p.cwd = vp
    p.root = vp
    return 0


@syscall("chroot")
async def sys_chroot(l: "Lwp", a: Args) -> int:
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    path = await path_in(l, a[0])
    return _chroot(l, _chdir_check(l, lookup_vp(l, path)))


@syscall("fchroot")
async def sys_fchroot(l: "Lwp", a: Args) -> int:
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    return _chroot(l, _chdir_check(l, vnode_file(l, i32(a[0])).vp))


@syscall("umask")
async def sys_umask(l: "Lwp", a: Args) -> int:
    p = l.proc
    old = p.umask
    p.umask = i32(a[0]) & S.ALLPERMS
    return old
