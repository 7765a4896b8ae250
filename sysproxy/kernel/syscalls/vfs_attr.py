"""Changing attributes: the chmod, chown, chflags and utimes families.

Times are copied in before the path is looked up, as NetBSD does (the
recorded files vector shows utimes' COPYIN ahead of its COPYINSTR).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import fcntl as F
from ...abi import stat as S
from ...abi.time import TIMESPEC, TIMEVAL
from ..vfs import setattr as SA
from ..vfs.vnode import now_ns
from .args import i32
from .table import Args, syscall
from .vfs_util import check_atfd, lookup_vp, path_in, vnode_file

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode


def _nofollow(flag: int) -> bool:
    """Follow unless AT_SYMLINK_NOFOLLOW; NetBSD ignores the other bits."""
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
    check_atfd(l, i32(a[0]))  # fd_nameiat_simple_user: the descriptor before the path
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
    check_atfd(l, i32(a[0]))  # fd_nameiat_simple_user: the descriptor before the path
    path = await path_in(l, a[1])
    vp = lookup_vp(l, path, _nofollow(i32(a[4])), i32(a[0]))
    return _chown(l, vp, a[2], a[3], False)  # do_sys_chownat: NetBSD semantics


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
# (atime, mtime, null) as do_sys_utimensat builds its vattr: None is VNOVAL
# (UTIME_OMIT, or a time whose seconds are -1, which tmpfs takes for VNOVAL);
# no range check on the fractions (NetBSD stores what it is given).
Times = tuple[int | None, int | None, bool]
_NOW, _OMIT = S.UTIME_NOW, S.UTIME_OMIT


def _ts(sec: int, nsec: int) -> int | None:
    return None if sec == -1 else sec * 1_000_000_000 + nsec


async def _timevals(l: "Lwp", tptr: int) -> Times:
    """do_sys_utimes: microseconds of UTIME_NOW or UTIME_OMIT mean those."""
    if not tptr:
        t = now_ns()
        return t, t, True
    b = await l.copyin(tptr, 2 * TIMEVAL.size)
    pairs = []
    for i in range(2):
        sec, usec = TIMEVAL.unpack_from(b, i * TIMEVAL.size)
        pairs.append((sec, usec if usec in (_NOW, _OMIT) else usec * 1000))
    return _resolve(pairs)


async def _timespecs(l: "Lwp", tptr: int) -> Times:
    if not tptr:
        t = now_ns()
        return t, t, True
    b = await l.copyin(tptr, 2 * TIMESPEC.size)
    return _resolve([TIMESPEC.unpack_from(b, i * TIMESPEC.size) for i in range(2)])


def _resolve(pairs: list[tuple[int, int]]) -> Times:
    now = now_ns()
    (asec, ansec), (msec, mnsec) = pairs
    null = ansec == _NOW and mnsec == _NOW
    at = now if ansec == _NOW else None if ansec == _OMIT else _ts(asec, ansec)
    mt = now if mnsec == _NOW else None if mnsec == _OMIT else _ts(msec, mnsec)
    return at, mt, null


def _settimes(l: "Lwp", vp: "Vnode", t: Times) -> int:
    """A new mtime before the birth time moves the birth time too."""
    at, mt, null = t
    bt = mt if mt is not None and mt < vp.btime else None
    SA.chtimes(vp, l.proc.cred, at, mt, null, bt)
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
    vp = vnode_file(l, i32(a[0])).vp  # the descriptor before the times are copied in
    return _settimes(l, vp, await _timevals(l, a[1]))


@syscall("futimens")
async def sys_futimens(l: "Lwp", a: Args) -> int:
    vp = vnode_file(l, i32(a[0])).vp  # the descriptor before the times are copied in
    return _settimes(l, vp, await _timespecs(l, a[1]))


@syscall("utimensat")
async def sys_utimensat(l: "Lwp", a: Args) -> int:
    t = await _timespecs(l, a[2])
    check_atfd(l, i32(a[0]))  # fd_nameiat_simple_user: the descriptor before the path
    path = await path_in(l, a[1])
    follow = not i32(a[3]) & F.AT_SYMLINK_NOFOLLOW  # other flag bits are ignored
    return _settimes(l, lookup_vp(l, path, follow, i32(a[0])), t)
