"""Sending signals: kill. A signal for a client process is raised in its host process."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp
    from ..proc import Proc

NSIG = 33  # NetBSD: signals 1..32


def can_signal(sender: "Proc", target: "Proc") -> bool:
    """NetBSD's rule: root, or a real/effective uid matching the target's real/saved uid."""
    c, t = sender.cred, target.cred
    return c.euid == 0 or c.uid in (t.uid, t.svuid) or c.euid in (t.uid, t.svuid)


@syscall("kill")
async def sys_kill(l: "Lwp", a: Args) -> int:
    pid, signo = i32(a[0]), i32(a[1])
    if not 0 <= signo < NSIG:
        raise KernelError(E.EINVAL)
    k = l.kernel
    me = l.proc
    if pid > 0:
        target = k.procs.get(pid)
        if target is None or target.exiting:
            raise KernelError(E.ESRCH)
        if not can_signal(me, target):
            raise KernelError(E.EPERM)
        k.psignal(target, signo)
        return 0
    if pid == 0:
        targets = [p for p in k.procs.values() if p.pgid == me.pgid and p.pid > 1]
    elif pid == -1:
        targets = [p for p in k.procs.values() if p.pid > 1 and p is not me]
    else:
        targets = [p for p in k.procs.values() if p.pgid == -pid and p.pid > 1]
    targets = [p for p in targets if not p.exiting]
    allowed = [p for p in targets if can_signal(me, p)]
    if not targets:
        raise KernelError(E.ESRCH)
    if not allowed:
        raise KernelError(E.EPERM)
    for p in allowed:
        k.psignal(p, signo)
    return 0
