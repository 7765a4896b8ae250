"""Looking at files: __stat50, __lstat50, __fstat50, fstatat, access, faccessat,
pathconf, fpathconf."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import limits as LIM
from ..errors import KernelError
from ..file import DTYPE_KQUEUE, DTYPE_PIPE, DTYPE_SOCKET
from ..vfs.access import vaccess
from ..vfs.vnfile import VnodeFile
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


@syscall("__stat50")
async def sys_stat(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    l.copyout(a[1], lookup_vp(l, path).stat())
    return 0


@syscall("__lstat50")
async def sys_lstat(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    l.copyout(a[1], lookup_vp(l, path, False).stat())
    return 0


@syscall("__fstat50")
async def sys_fstat(l: "Lwp", a: Args) -> int:
    f = l.proc.fd.get(i32(a[0]))
    l.copyout(a[1], f.stat(l))
    return 0


@syscall("fstatat")
async def sys_fstatat(l: "Lwp", a: Args) -> int:
    dirfd, flag = i32(a[0]), i32(a[3])
    path = await path_in(l, a[1])  # flag bits other than AT_SYMLINK_NOFOLLOW are ignored
    vp = lookup_vp(l, path, not flag & F.AT_SYMLINK_NOFOLLOW, dirfd)
    l.copyout(a[2], vp.stat())
    return 0


async def do_access(l: "Lwp", dirfd: int, pathp: int, mode: int, flags: int) -> int:
    if mode & ~(F.R_OK | F.W_OK | F.X_OK):  # before the path is copied in; flags unchecked
        raise KernelError(E.EINVAL)
    path = await path_in(l, pathp)
    cred = l.proc.cred
    if not flags & F.AT_EACCESS:
        cred = cred.copy()
        cred.euid, cred.egid = cred.uid, cred.gid
    vp = lookup_vp(l, path, not flags & F.AT_SYMLINK_NOFOLLOW, dirfd, cred)
    if mode:
        vaccess(vp, cred, mode)  # R_OK/W_OK/X_OK are VREAD/VWRITE/VEXEC
    return 0


@syscall("access")
async def sys_access(l: "Lwp", a: Args) -> int:
    return await do_access(l, F.AT_FDCWD, a[0], i32(a[1]), 0)


@syscall("faccessat")
async def sys_faccessat(l: "Lwp", a: Args) -> int:
    return await do_access(l, i32(a[0]), a[1], i32(a[2]), i32(a[3]))


# tmpfs_pathconf's answers (then genfs_pathconf's); anything else, _PC_SYMLINK_MAX
# included, is EINVAL. _PC_NAME_MAX is the mount's (TMPFS_MAXNAMLEN, 255).
PATHCONF = {
    LIM._PC_LINK_MAX: LIM.LINK_MAX,
    LIM._PC_PATH_MAX: LIM.PATH_MAX,
    LIM._PC_PIPE_BUF: LIM.PIPE_BUF,
    LIM._PC_CHOWN_RESTRICTED: 1,
    LIM._PC_NO_TRUNC: 1,
    LIM._PC_SYNC_IO: 1,
    LIM._PC_FILESIZEBITS: 64,
}


def _pathconf(name: int, vp: "Vnode") -> int:
    if name == LIM._PC_NAME_MAX:
        return vp.mount.namemax
    v = PATHCONF.get(name)
    if v is None:
        raise KernelError(E.EINVAL)
    return v


@syscall("pathconf")
async def sys_pathconf(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    return _pathconf(i32(a[1]), lookup_vp(l, path))


@syscall("fpathconf")
async def sys_fpathconf(l: "Lwp", a: Args) -> int:
    f = l.proc.fd.get(i32(a[0]))
    name = i32(a[1])
    if isinstance(f, VnodeFile):
        return _pathconf(name, f.vp)
    if f.dtype in (DTYPE_PIPE, DTYPE_SOCKET):
        if name == LIM._PC_PIPE_BUF:
            return LIM.PIPE_BUF
        raise KernelError(E.EINVAL)
    # sys_fpathconf: a kqueue is EINVAL, anything else (the console...) EOPNOTSUPP
    raise KernelError(E.EINVAL if f.dtype == DTYPE_KQUEUE else E.EOPNOTSUPP)
