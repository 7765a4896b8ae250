"""Calls with little to do on this kernel: __posix_fadvise50 (advice is only
validated: tmpfs has no page cache to steer), __quotactl and extattrctl (tmpfs
has neither quotas nor an extended-attribute backing store: EOPNOTSUPP once the
arguments check out, as VFS_QUOTACTL and vfs_stdextattrctl answer)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi.limits import EXTATTR_MAXNAMELEN
from ..errors import KernelError
from ..file import DTYPE_PIPE, DTYPE_SOCKET, DTYPE_VNODE
from .args import i32, i64
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp

INT64_MAX = (1 << 63) - 1
POSIX_FADV_NORMAL, POSIX_FADV_NOREUSE = 0, 5
QUOTACTL_ARGS_SIZE = 48      # struct quotactl_args on amd64 (qc_op + the largest union arm)
QUOTACTL_NOPS = 14           # QUOTACTL_STAT .. QUOTACTL_QUOTAOFF


def _fadvise(l: "Lwp", fd: int, offset: int, length: int, advice: int) -> int:
    """do_posix_fadvise: the error number, 0 for success."""
    room = ((INT64_MAX - offset + (1 << 63)) % (1 << 64)) - (1 << 63)  # C's wrapping int64
    if length < 0 or (length > 0 and room < length):
        return E.EINVAL
    f = l.proc.fd.lookup(fd)
    if f is None:
        return E.EBADF
    if f.dtype != DTYPE_VNODE:
        return E.ESPIPE if f.dtype in (DTYPE_PIPE, DTYPE_SOCKET) else E.EOPNOTSUPP
    if not POSIX_FADV_NORMAL <= advice <= POSIX_FADV_NOREUSE:
        return E.EINVAL
    return 0


@syscall("__posix_fadvise50")
async def sys_posix_fadvise(l: "Lwp", a: Args) -> int:
    """NOERR: the error number is the return value, as posix_fadvise(3) returns it."""
    return _fadvise(l, i32(a[0]), i64(a[2]), i64(a[3]), i32(a[4]))


@syscall("__quotactl")
async def sys_quotactl(l: "Lwp", a: Args) -> int:
    args = await l.copyin(a[1], QUOTACTL_ARGS_SIZE)
    lookup_vp(l, await path_in(l, a[0]))
    op = int.from_bytes(args[:4], "little")
    if op >= QUOTACTL_NOPS:
        raise KernelError(E.EINVAL)
    raise KernelError(E.EOPNOTSUPP)  # tmpfs_quotactl


@syscall("extattrctl")
async def sys_extattrctl(l: "Lwp", a: Args) -> int:
    if a[2]:
        lookup_vp(l, await path_in(l, a[2]))
    lookup_vp(l, await path_in(l, a[0]))
    if a[4]:
        await l.copyinstr(a[4], EXTATTR_MAXNAMELEN + 1)
    raise KernelError(E.EOPNOTSUPP)
