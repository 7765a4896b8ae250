"""Changing attributes: the chmod, chown, chflags and utimes families.

Times are copied in before the path is looked up, as NetBSD does (the
recorded files vector shows utimes' COPYIN ahead of its COPYINSTR).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import stat as S
from ...abi.time import TIMESPEC, TIMEVAL
from ..errors import KernelError
from ..vfs import setattr as SA
from ..vfs.vnode import now_ns
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in, vnode_file

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


def _nofollow(flag: int) -> bool:
    if flag & ~F.AT_SYMLINK_NOFOLLOW:
        raise KernelError(E.EINVAL)
    return not flag & F.AT_SYMLINK_NOFOLLOW


async def _path_vp(l: "Lwp", pathp: int, follow: bool = True, dirfd: int = F.AT_FDCWD) -> "Vnode":
    path = await path_in(l, pathp)
    return lookup_vp(l, path, follow, dirfd)


# -- chmod ------------------------------------------------------------------
@syscall("chmod")
async def sys_chmod(l: "Lwp", a: Args) -> int:
    SA.chmod(await _path_vp(l, a[0]), l.proc.cred, i32(a[1]))
    return 0


@syscall("lchmod")
async def sys_lchmod(l: "Lwp", a: Args) -> int:
    SA.chmod(await _path_vp(l, a[0], False), l.proc.cred, i32(a[1]))
    return 0


@syscall("fchmod")
async def sys_fchmod(l: "Lwp", a: Args) -> int:
    SA.chmod(vnode_file(l, i32(a[0])).vp, l.proc.cred, i32(a[1]))
    return 0


@syscall("fchmodat")
async def sys_fchmodat(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[1])
    vp = lookup_vp(l, path, _nofollow(i32(a[3])), i32(a[0]))
    SA.chmod(vp, l.proc.cred, i32(a[2]))
    return 0


# -- chown ------------------------------------------------------------------
def _chown(l: "Lwp", vp: "Vnode", uid: int, gid: int, posix: bool) -> int:
    SA.chown(vp, l.proc.cred, i32(uid), i32(gid), posix)
    return 0


@syscall("chown")
async def sys_chown(l: "Lwp", a: Args) -> int:
    return _chown(l, await _path_vp(l, a[0]), a[1], a[2], False)


@syscall("lchown")
async def sys_lchown(l: "Lwp", a: Args) -> int:
    return _chown(l, await _path_vp(l, a[0], False), a[1], a[2], False)


@syscall("fchown")
async def sys_fchown(l: "Lwp", a: Args) -> int:
    return _chown(l, vnode_file(l, i32(a[0])).vp, a[1], a[2], False)


@syscall("__posix_chown")
async def sys_posix_chown(l: "Lwp", a: Args) -> int:
    return _chown(l, await _path_vp(l, a[0]), a[1], a[2], True)


@syscall("__posix_lchown")
async def sys_posix_lchown(l: "Lwp", a: Args) -> int:
    return _chown(l, await _path_vp(l, a[0], False), a[1], a[2], True)


@syscall("__posix_fchown")
async def sys_posix_fchown(l: "Lwp", a: Args) -> int:
    return _chown(l, vnode_file(l, i32(a[0])).vp, a[1], a[2], True)


@syscall("fchownat")
async def sys_fchownat(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[1])
    vp = lookup_vp(l, path, _nofollow(i32(a[4])), i32(a[0]))
    return _chown(l, vp, a[2], a[3], True)


# -- chflags ----------------------------------------------------------------
@syscall("chflags")
async def sys_chflags(l: "Lwp", a: Args) -> int:
    SA.chflags(await _path_vp(l, a[0]), l.proc.cred, a[1])
    return 0


@syscall("lchflags")
async def sys_lchflags(l: "Lwp", a: Args) -> int:
    SA.chflags(await _path_vp(l, a[0], False), l.proc.cred, a[1])
    return 0


@syscall("fchflags")
async def sys_fchflags(l: "Lwp", a: Args) -> int:
    SA.chflags(vnode_file(l, i32(a[0])).vp, l.proc.cred, a[1])
    return 0


# -- times ------------------------------------------------------------------
Times = tuple[int | None, int | None, bool]


async def _timevals(l: "Lwp", tptr: int) -> Times:
    if not tptr:
        t = now_ns()
        return t, t, True
    b = await l.copyin(tptr, 2 * TIMEVAL.size)
    out = []
    for i in range(2):
        sec, usec = TIMEVAL.unpack_from(b, i * TIMEVAL.size)
        if not 0 <= usec < 1_000_000:
            raise KernelError(E.EINVAL)
        out.append(sec * 1_000_000_000 + usec * 1000)
    return out[0], out[1], False


async def _timespecs(l: "Lwp", tptr: int) -> Times | None:
    """(atime, mtime, null); None when both are UTIME_OMIT (nothing to do)."""
    if not tptr:
        t = now_ns()
        return t, t, True
    b = await l.copyin(tptr, 2 * TIMESPEC.size)
    now = now_ns()
    out: list[int | None] = []
    nows = omits = 0
    for i in range(2):
        sec, nsec = TIMESPEC.unpack_from(b, i * TIMESPEC.size)
        if nsec == S.UTIME_NOW:
            out.append(now)
            nows += 1
        elif nsec == S.UTIME_OMIT:
            out.append(None)
            omits += 1
        elif not 0 <= nsec < 1_000_000_000:
            raise KernelError(E.EINVAL)
        else:
            out.append(sec * 1_000_000_000 + nsec)
    if omits == 2:
        return None
    return out[0], out[1], nows == 2


def _settimes(l: "Lwp", vp: "Vnode", t: Times | None) -> int:
    if t is not None:
        SA.chtimes(vp, l.proc.cred, t[0], t[1], t[2])
    return 0


@syscall("__utimes50")
async def sys_utimes(l: "Lwp", a: Args) -> int:
    t = await _timevals(l, a[1])
    return _settimes(l, await _path_vp(l, a[0]), t)


@syscall("__lutimes50")
async def sys_lutimes(l: "Lwp", a: Args) -> int:
    t = await _timevals(l, a[1])
    return _settimes(l, await _path_vp(l, a[0], False), t)


@syscall("__futimes50")
async def sys_futimes(l: "Lwp", a: Args) -> int:
    t = await _timevals(l, a[1])
    return _settimes(l, vnode_file(l, i32(a[0])).vp, t)


@syscall("futimens")
async def sys_futimens(l: "Lwp", a: Args) -> int:
    t = await _timespecs(l, a[1])
    return _settimes(l, vnode_file(l, i32(a[0])).vp, t)


@syscall("utimensat")
async def sys_utimensat(l: "Lwp", a: Args) -> int:
    t = await _timespecs(l, a[2])
    path = await path_in(l, a[1])
    vp = lookup_vp(l, path, _nofollow(i32(a[3])), i32(a[0]))
    return _settimes(l, vp, t)
