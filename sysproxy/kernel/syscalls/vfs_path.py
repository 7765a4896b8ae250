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
from ..vfs.namei import CREATE, DELETE, LOOKUP
from ..vfs.vnode import APPEND, IMMUTABLE, VBLK, VCHR, VDIR, VFIFO, VLNK, VREG, now_ns
from .args import i32, u32
from .table import Args, syscall
from .vfs_util import check_atfd, lookup, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


def make_node(l: "Lwp", dirfd: int, path: bytes, vtype: int, mode: int,
              rdev: int = -1, target: bytes = b"") -> "Vnode":
    """Create a new name: namei CREATE (which checks the directory's write
    permission when the name is missing), then EEXIST if it exists."""
    r = lookup(l, path, False, CREATE, dirfd, createdir=vtype == VDIR)
    if r.vp is not None:
        raise KernelError(E.EEXIST)
    dvp = r.dvp
    assert dvp is not None
    cred = l.proc.cred
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
    """As 7.99.34's do_sys_mknodat: root only (EPERM, before the path is copied in);
    an existing name is EEXIST; then the type: devices (VOP_MKNOD: a device of
    NODEV is EINVAL, so is S_IFMT, VBAD), regular files (VOP_CREATE); everything
    else, FIFOs included (mkfifo(2) makes those), is EINVAL."""
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    path = await path_in(l, pathp)
    fmt = mode & S.S_IFMT
    r = lookup(l, path, False, CREATE, dirfd)
    if r.vp is not None:
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
    vp = lookup(l, path, False, LOOKUP, dirfd).vp
    assert vp is not None
    if vp.vtype != VLNK:
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
    """do_sys_linkat: the existing file is looked up before the new name is even
    copied in; then EEXIST, EPERM for a directory, EXDEV; tmpfs_link refuses
    EMLINK, then immutable or append-only files (EPERM)."""
    check_atfd(l, fd1)  # fd_nameiat_simple_user: the descriptor before the path
    path = await path_in(l, p1)
    vp = lookup(l, path, follow, LOOKUP, fd1).vp
    assert vp is not None
    newpath = await path_in(l, p2)
    r = lookup(l, newpath, False, CREATE, fd2)
    if r.vp is not None:
        raise KernelError(E.EEXIST)
    dvp = r.dvp
    assert dvp is not None
    if vp.vtype == VDIR:
        raise KernelError(E.EPERM)
    if dvp.mount is not vp.mount:
        raise KernelError(E.EXDEV)
    dvp.link(r.name, vp)
    return 0


@syscall("link")
async def sys_link(l: "Lwp", a: Args) -> int:
    return await do_link(l, F.AT_FDCWD, a[0], F.AT_FDCWD, a[1], True)


@syscall("linkat")
async def sys_linkat(l: "Lwp", a: Args) -> int:
    flags = i32(a[4])  # other bits are ignored (sys_linkat masks AT_SYMLINK_FOLLOW)
    return await do_link(l, i32(a[0]), a[1], i32(a[2]), a[3], bool(flags & F.AT_SYMLINK_FOLLOW))


def do_unlinkat(l: "Lwp", dirfd: int, path: bytes, rmdir: bool) -> int:
    """do_sys_unlinkat, for unlink, rmdir and unlinkat: namei DELETE (write
    permission, sticky directories), then a mount root is EBUSY, "." EINVAL, a
    directory EPERM for unlink; rmdir refuses non-directories (ENOTDIR), then
    tmpfs_rmdir a non-empty directory (ENOTEMPTY: "..", whose child is the
    caller's directory, always is) before append-only/immutable flags (EPERM);
    tmpfs_remove refuses those flags on the file or an append-only directory."""
    r = lookup(l, path, False, DELETE, dirfd)
    vp, dvp = r.vp, r.dvp
    if getattr(vp, "etfs_key", False):  # rumpfs's DELETE lookup never finds an etfs key
        raise KernelError(E.ENOENT)
    assert vp is not None and dvp is not None
    if vp is vp.mount.root or (vp.vtype == VDIR and vp.mountedhere is not None):
        raise KernelError(E.EBUSY)
    if dvp is vp:
        raise KernelError(E.EINVAL)
    if vp.vtype == VDIR:
        if not rmdir:
            raise KernelError(E.EPERM)
        if not vp.is_empty():
            raise KernelError(E.ENOTEMPTY)
        if dvp.flags & APPEND or vp.flags & (IMMUTABLE | APPEND):
            raise KernelError(E.EPERM)
    elif rmdir:
        raise KernelError(E.ENOTDIR)
    elif vp.flags & (IMMUTABLE | APPEND) or dvp.flags & APPEND:
        raise KernelError(E.EPERM)
    dvp.remove(r.name, vp)
    return 0


@syscall("unlink")
async def sys_unlink(l: "Lwp", a: Args) -> int:
    return do_unlinkat(l, F.AT_FDCWD, await path_in(l, a[0]), False)


@syscall("rmdir")
async def sys_rmdir(l: "Lwp", a: Args) -> int:
    return do_unlinkat(l, F.AT_FDCWD, await path_in(l, a[0]), True)


@syscall("unlinkat")
async def sys_unlinkat(l: "Lwp", a: Args) -> int:
    dirfd, flags = i32(a[0]), i32(a[2])
    path = await path_in(l, a[1])  # other flag bits are ignored, as sys_unlinkat does
    return do_unlinkat(l, dirfd, path, bool(flags & F.AT_REMOVEDIR))
