"""Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid (kern_prot.c/kern_proc.c rules)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..proc import Proc


def _find(l: "Lwp", pid: int) -> "Proc":
    if pid == 0:
        return l.proc
    p = l.kernel.procs.get(pid)
    if p is None or p.exiting:
        raise KernelError(E.ESRCH)
    return p


@syscall("getpgrp")
async def sys_getpgrp(l: "Lwp", a: Args) -> int:
    return l.proc.pgid


@syscall("getpgid")
async def sys_getpgid(l: "Lwp", a: Args) -> int:
    return _find(l, i32(a[0])).pgid


@syscall("getsid")
async def sys_getsid(l: "Lwp", a: Args) -> int:
    return _find(l, i32(a[0])).sid


@syscall("setsid")
async def sys_setsid(l: "Lwp", a: Args) -> int:
    """A new session and group led by the caller; EPERM if a group already has its id."""
    p = l.proc
    if any(q.pgid == p.pid for q in l.kernel.procs.values() if not q.exiting):
        raise KernelError(E.EPERM)
    p.sid = p.pgid = p.pid
    return p.pid


@syscall("setpgid")
async def sys_setpgid(l: "Lwp", a: Args) -> int:
    pid, pgid = i32(a[0]), i32(a[1])
    me = l.proc
    if pgid < 0:
        raise KernelError(E.EINVAL)
    target = _find(l, pid)
    if target is not me and target.ppid != me.pid:
        raise KernelError(E.ESRCH)
    if target is not me and target.sid != me.sid:
        raise KernelError(E.EPERM)
    if target.sid == target.pid:
        raise KernelError(E.EPERM)  # a session leader keeps its group
    if pgid == 0:
        pgid = target.pid
    if pgid != target.pid and not any(q.pgid == pgid and q.sid == me.sid and not q.exiting
                                      for q in l.kernel.procs.values()):
        raise KernelError(E.EPERM)
    target.pgid = pgid
    return 0
