"""fcntl F_GETLK/F_SETLK/F_SETLKW: POSIX byte-range locks (called from descriptor.py's fcntl).

The owner of a POSIX lock is the calling process, represented by its
descriptor table (never shared between processes here), so closing any of its
descriptors for the file drops them (File.fd_closed), as POSIX requires.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ..errors import KernelError
from ..file import FREAD, FWRITE
from ..vfs import locks
from ..vfs.vnfile import VnodeFile

if TYPE_CHECKING:
    from ..file import File
    from ..lwp import Lwp


def lock_range(f: VnodeFile, fl: F.Flock) -> tuple[int, int]:
    """[start, end] of a struct flock, relative to its l_whence (EINVAL if negative)."""
    if fl.whence == F.SEEK_SET:
        base = 0
    elif fl.whence == F.SEEK_CUR:
        base = 0  # do_fcntl_lock already added the file offset to l_start
    elif fl.whence == F.SEEK_END:
        base = f.vp.size
    else:
        raise KernelError(E.EINVAL)
    start = base + fl.start
    if fl.len == 0:
        end = locks.INF
    elif fl.len > 0:
        end = start + fl.len - 1
    else:
        end = start - 1
        start += fl.len
    if start < 0 or end < start - 1:
        raise KernelError(E.EINVAL)
    return start, min(end, locks.INF)


async def fcntl_lock(l: "Lwp", f: "File", cmd: int, arg: int) -> int:
    if not isinstance(f, VnodeFile):
        raise KernelError(E.EBADF if f.revoked else E.EINVAL)  # dead_advlock: EBADF
    fl = F.unpack_flock(await l.copyin(arg, F.FLOCK_SIZE))
    if fl.whence == F.SEEK_CUR:  # do_fcntl_lock: the answer keeps the absolute start
        fl = fl._replace(start=fl.start + f.offset)
    if cmd == F.F_GETLK and fl.type not in (F.F_RDLCK, F.F_WRLCK, F.F_UNLCK):
        raise KernelError(E.EINVAL)
    if cmd != F.F_GETLK:  # do_fcntl_lock: the type and the file's mode before the range
        if fl.type == F.F_RDLCK:
            if not f.flag & FREAD:
                raise KernelError(E.EBADF)
        elif fl.type == F.F_WRLCK:
            if not f.flag & FWRITE:
                raise KernelError(E.EBADF)
        elif fl.type != F.F_UNLCK:
            raise KernelError(E.EINVAL)
    start, end = lock_range(f, fl)  # lf_advlock
    owner = l.proc.fd
    vp = f.vp
    if cmd == F.F_GETLK:
        lk = locks.conflict(vp, owner, fl.type, start, end)
        if lk is None:
            out = F.pack_flock(fl.start, fl.len, fl.pid, F.F_UNLCK, fl.whence)
        else:
            ln = 0 if lk.end >= locks.INF else lk.end - lk.start + 1
            out = F.pack_flock(lk.start, ln, lk.pid, lk.type, F.SEEK_SET)
        l.copyout(arg, out)
        return 0
    await locks.setlock(l, vp, owner, fl.type, start, end, cmd == F.F_SETLKW, False)
    return 0
