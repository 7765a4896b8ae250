"""flock(2): whole-file locks owned by the open file (shared by dup and fork)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ..errors import KernelError
from ..vfs import locks
from ..vfs.vnfile import VnodeFile
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("flock")
async def sys_flock(l: "Lwp", a: Args) -> int:
    f = l.proc.fd.get(i32(a[0]))
    how = i32(a[1])
    if not isinstance(f, VnodeFile):
        raise KernelError(E.EBADF if f.revoked else E.EOPNOTSUPP)  # dead_advlock: EBADF
    if how & F.LOCK_UN:
        await locks.setlock(l, f.vp, f, F.F_UNLCK, 0, locks.INF, False, True)
        return 0
    if how & F.LOCK_EX:
        ltype = F.F_WRLCK
    elif how & F.LOCK_SH:
        ltype = F.F_RDLCK
    else:
        raise KernelError(E.EINVAL)
    f.flocked = True
    await locks.setlock(l, f.vp, f, ltype, 0, locks.INF, not how & F.LOCK_NB, True)
    return 0
