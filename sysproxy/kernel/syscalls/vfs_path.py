"""Names in directories: mkdir, rmdir, unlink, link, symlink, readlink, mknod,
mkfifo, and their *at forms. rename lives in vfs_rename.py.

Error precedence follows NetBSD: an existing name is EEXIST before the
directory's write permission is looked at (EACCES), and that before sticky
and file-flag checks (EPERM).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import stat as S
from ..errors import KernelError
from ..vfs.access import VWRITE, check_sticky, vaccess
from ..vfs.vnode import APPEND, IMMUTABLE, VBLK, VCHR, VDIR, VFIFO, VLNK, VREG, now_ns
from .args import i32, u32
from .table import Args, syscall
from .vfs_util import lookup, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


def make_node(l: "Lwp", dirfd: int, path: bytes, vtype: int, mode: int,
              rdev: int = -1, target: bytes = b"") -> "Vnode":
    """Create a new name (EEXIST if it exists) in a directory the caller may write."""
    r = lookup(l, path, False, True, dirfd)
    if r.vp is not None or r.dvp is None:
        raise KernelError(E.EEXIST)
    if r.slash and vtype != VDIR:
        raise KernelError(E.ENOENT)
    dvp = r.dvp
    cred = l.proc.cred
    vaccess(dvp, cred, VWRITE)
    return dvp.create(r.name, vtype, mode, cred.euid, dvp.gid,
                      rdev if rdev != -1 else 0xFFFFFFFFFFFFFFFF, target)


async def do_mkdir(l: "Lwp", dirfd: int, pathp: int, mode: int) -> int:
    path = await path_in(l, pathp)
    make_node(l, dirfd, path, VDIR, (mode & S.ACCESSPERMS) & ~l.proc.umask)
    return 0


@syscall("mkdir")
async def sys_mkdir(l: "Lwp", a: Args) -> int:
    return await do_mkdir(l, F.AT_FDCWD, a[0], i32(a[1]))


@syscall("mkdirat")
async def sys_mkdirat(l: "Lwp", a: Args) -> int:
    return await do_mkdir(l, i32(a[0]), a[1], i32(a[2]))


async def do_mkfifo(l: "Lwp", dirfd: int, path: bytes, mode: int) -> int:
    make_node(l, dirfd, path, VFIFO, (mode & S.ALLPERMS) & ~l.proc.umask)
    return 0


@syscall("mkfifo")
async def sys_mkfifo(l: "Lwp", a: Args) -> int:
    return await do_mkfifo(l, F.AT_FDCWD, await path_in(l, a[0]), i32(a[1]))


@syscall("mkfifoat")
async def sys_mkfifoat(l: "Lwp", a: Args) -> int:
    return await do_mkfifo(l, i32(a[0]), await path_in(l, a[1]), i32(a[2]))


async def do_mknod(l: "Lwp", dirfd: int, pathp: int, mode: int, rdev: int) -> int:
    """As NetBSD's do_sys_mknodat: a FIFO bit with no device is mkfifo (for anyone);
    everything else needs root, then an existing name is EEXIST, then the type:
    devices, and regular files (VOP_CREATE); FIFOs with a device, directories,
    sockets and no type at all are EINVAL, as is a device of NODEV."""
    path = await path_in(l, pathp)
    fmt = mode & S.S_IFMT
    if mode & S.S_IFIFO and rdev == 0:
        return await do_mkfifo(l, dirfd, path, mode)
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    r = lookup(l, path, False, True, dirfd)
    if r.vp is not None or r.dvp is None:
        raise KernelError(E.EEXIST)
    if fmt == S.S_IFCHR:
        vtype = VCHR
    elif fmt == S.S_IFBLK:
        vtype = VBLK
    elif fmt == S.S_IFREG:
        vtype, rdev = VREG, -1
    else:
        raise KernelError(E.EINVAL)
    if vtype != VREG and rdev == S.NODEV:
        raise KernelError(E.EINVAL)
    make_node(l, dirfd, path, vtype, (mode & S.ALLPERMS) & ~l.proc.umask, rdev)
    return 0


@syscall("__mknod50")
async def sys_mknod(l: "Lwp", a: Args) -> int:
    return await do_mknod(l, F.AT_FDCWD, a[0], u32(a[1]), a[2])


@syscall("mknodat")
async def sys_mknodat(l: "Lwp", a: Args) -> int:
    return await do_mknod(l, i32(a[0]), a[1], u32(a[2]), a[4])


async def do_symlink(l: "Lwp", targetp: int, dirfd: int, pathp: int) -> int:
    target = await path_in(l, targetp)
    path = await path_in(l, pathp)
    make_node(l, dirfd, path, VLNK, S.ACCESSPERMS & ~l.proc.umask, -1, target)
    return 0


@syscall("symlink")
async def sys_symlink(l: "Lwp", a: Args) -> int:
    return await do_symlink(l, a[0], F.AT_FDCWD, a[1])


@syscall("symlinkat")
async def sys_symlinkat(l: "Lwp", a: Args) -> int:
    return await do_symlink(l, a[0], i32(a[1]), a[2])


async def do_readlink(l: "Lwp", dirfd: int, pathp: int, buf: int, count: int) -> int:
    path = await path_in(l, pathp)
    vp = lookup(l, path, False, False, dirfd).vp
    assert vp is not None
    if vp.vtype != VLNK:
        raise KernelError(E.EINVAL)
    if count >> 63:
        raise KernelError(E.EINVAL)
    data = vp.readlink()[:count]
    vp.atime = now_ns()
    if data:
        l.copyout(buf, data)
    return len(data)


@syscall("readlink")
async def sys_readlink(l: "Lwp", a: Args) -> int:
    return await do_readlink(l, F.AT_FDCWD, a[0], a[1], a[2])


@syscall("readlinkat")
async def sys_readlinkat(l: "Lwp", a: Args) -> int:
    return await do_readlink(l, i32(a[0]), a[1], a[2], a[3])


async def do_link(l: "Lwp", fd1: int, p1: int, fd2: int, p2: int, follow: bool) -> int:
    path = await path_in(l, p1)
    newpath = await path_in(l, p2)
    vp = lookup(l, path, follow, False, fd1).vp
    assert vp is not None
    r = lookup(l, newpath, False, True, fd2)
    if r.vp is not None or r.dvp is None:
        raise KernelError(E.EEXIST)
    dvp = r.dvp
    if r.slash:
        raise KernelError(E.ENOENT)
    if vp.vtype == VDIR:
        raise KernelError(E.EPERM)
    if dvp.mount is not vp.mount:
        raise KernelError(E.EXDEV)
    vaccess(dvp, l.proc.cred, VWRITE)
    if vp.flags & (IMMUTABLE | APPEND):
        raise KernelError(E.EPERM)
    dvp.link(r.name, vp)
    return 0


@syscall("link")
async def sys_link(l: "Lwp", a: Args) -> int:
    return await do_link(l, F.AT_FDCWD, a[0], F.AT_FDCWD, a[1], True)


@syscall("linkat")
async def sys_linkat(l: "Lwp", a: Args) -> int:
    flags = i32(a[4])
    if flags & ~F.AT_SYMLINK_FOLLOW:
        raise KernelError(E.EINVAL)
    return await do_link(l, i32(a[0]), a[1], i32(a[2]), a[3], bool(flags & F.AT_SYMLINK_FOLLOW))


def do_unlink(l: "Lwp", dirfd: int, path: bytes) -> int:
    r = lookup(l, path, False, True, dirfd)
    vp, dvp = r.vp, r.dvp
    if getattr(vp, "etfs_key", False):  # rumpfs's DELETE lookup never finds an etfs key
        raise KernelError(E.ENOENT)
    if vp is None:
        raise KernelError(E.ENOENT)
    if dvp is None:
        raise KernelError(E.EBUSY)
    cred = l.proc.cred
    vaccess(dvp, cred, VWRITE)
    check_sticky(dvp, vp, cred)
    if vp is vp.mount.root:
        raise KernelError(E.EBUSY)
    if vp.vtype == VDIR:
        raise KernelError(E.EPERM)
    dvp.remove(r.name, vp)
    return 0


def do_rmdir(l: "Lwp", dirfd: int, path: bytes) -> int:
    r = lookup(l, path, False, True, dirfd)
    vp, dvp = r.vp, r.dvp
    if vp is None:
        raise KernelError(E.ENOENT)
    if dvp is None:
        raise KernelError(E.EBUSY)
    if vp.vtype != VDIR:
        raise KernelError(E.ENOTDIR)
    if r.name == b".":
        raise KernelError(E.EINVAL)
    if r.name == b"..":
        raise KernelError(E.ENOTEMPTY)
    if vp is vp.mount.root or vp is (l.proc.root or l.kernel.vfs.root):
        raise KernelError(E.EBUSY)
    cred = l.proc.cred
    vaccess(dvp, cred, VWRITE)
    if dvp.mode & S.S_ISTXT:
        check_sticky(dvp, vp, cred)
    if not vp.is_empty():
        raise KernelError(E.ENOTEMPTY)
    check_sticky(dvp, vp, cred)
    dvp.remove(r.name, vp)
    return 0


@syscall("unlink")
async def sys_unlink(l: "Lwp", a: Args) -> int:
    return do_unlink(l, F.AT_FDCWD, await path_in(l, a[0]))


@syscall("rmdir")
async def sys_rmdir(l: "Lwp", a: Args) -> int:
    return do_rmdir(l, F.AT_FDCWD, await path_in(l, a[0]))


@syscall("unlinkat")
async def sys_unlinkat(l: "Lwp", a: Args) -> int:
    dirfd, flags = i32(a[0]), i32(a[2])
    path = await path_in(l, a[1])
    if flags & ~F.AT_REMOVEDIR:
        raise KernelError(E.EINVAL)
    if flags & F.AT_REMOVEDIR:
        return do_rmdir(l, dirfd, path)
    return do_unlink(l, dirfd, path)
