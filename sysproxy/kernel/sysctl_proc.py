"""kern.proc2: the process table as struct kinfo_proc2 records, what ps(1) reads.

The name after kern.proc2 is {op, arg, elem_size, elem_count}, as NetBSD's
sysctl_doeproc reads it: each matching process costs ``elem_size`` bytes of
"needed" space; up to ``elem_count`` records that fit in the caller's buffer are
copied, each cut or zero-padded to ``elem_size`` (so older, shorter layouts
work). With no buffer the call is a size probe answering needed plus some slop;
with a buffer, *oldlenp becomes the bytes copied and ENOMEM says some did not fit.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import kinfo as K
from ..abi import sysctl as S
from .sysctl import CTLTYPE_NODE, Node

if TYPE_CHECKING:
    from .kernel import Kernel
    from .lwp import Lwp
    from .proc import Proc

PROCSLOP = 5  # a size probe over-estimates by this many records (KERN_PROCSLOP)
SIGCHLD_NB = 20


def attach(kern: Node, kernel: "Kernel") -> None:
    """Hang kern.proc2 under the kern node."""
    kern.add(S.KERN_PROC2, Node("proc2", CTLTYPE_NODE, func=sysctl_proc2))


def _matches(p: "Proc", op: int, arg: int) -> bool:
    """NetBSD's selectors; raises EINVAL for an unknown one."""
    c = p.cred
    if op == S.KERN_PROC_ALL:
        return True
    if op == S.KERN_PROC_PID:
        return p.pid == arg
    if op == S.KERN_PROC_PGRP:
        return p.pgid == arg
    if op == S.KERN_PROC_SESSION:
        return p.sid == arg
    if op == S.KERN_PROC_TTY:  # no process has a controlling terminal here
        return arg & 0xFFFFFFFF == K.NODEV
    if op == S.KERN_PROC_UID:
        return c.euid == arg & 0xFFFFFFFF
    if op == S.KERN_PROC_RUID:
        return c.uid == arg & 0xFFFFFFFF
    if op == S.KERN_PROC_GID:
        return c.egid == arg & 0xFFFFFFFF
    if op == S.KERN_PROC_RGID:
        return c.gid == arg & 0xFFFFFFFF
    raise ValueError(op)


def fill_kproc2(p: "Proc", cur: "Lwp") -> bytes:
    """One record, as fill_kproc2 fills it from what our Proc knows (zeros elsewhere)."""
    c = p.cred
    oncpu = cur in p.lwps
    if p.exiting:
        stat = realstat = K.SDYING
    else:
        realstat = K.SACTIVE
        # The primary LWP's state: ours is running this call; any other is parked.
        stat = K.LSONPROC if oncpu else K.LSSLEEP
    flag = K.L_INMEM | (K.P_SYSTEM | K.P_NOCLDWAIT if p.pid == 1 else 0)
    return K.pack_kinfo_proc2(
        p_eflag=K.EPROC_SLEADER if p.sid == p.pid else 0,
        p_exitsig=0 if p.pid == 1 else SIGCHLD_NB, p_flag=flag, p_realflag=flag,
        p_pid=p.pid, p_ppid=p.ppid, p_sid=p.sid, p__pgid=p.pgid, p_tpgid=K.NO_PGID,
        p_uid=c.euid, p_ruid=c.uid, p_gid=c.egid, p_rgid=c.gid,
        p_svuid=c.svuid, p_svgid=c.svgid,
        p_groups=c.groups[:K.KI_NGROUPS], p_ngroups=len(c.groups), p_tdev=K.NODEV,
        p_stat=stat, p_realstat=realstat, p_nice=K.NZERO,
        p_comm=p.comm.encode()[:K.KI_MAXCOMLEN - 1],
        p_login=p.login.encode()[:K.KI_MAXLOGNAME - 1],
        p_nlwps=len(p.lwps), p_nrlwps=1 if oncpu else 0, p_ename="netbsd")


async def sysctl_proc2(l: "Lwp", name: list[int], oldp: int, oldlen: int,
                       newp: int, newlen: int) -> tuple[int, int]:
    """The kern.proc2 helper: (the length to report, errno)."""
    if len(name) != 4:
        return oldlen, E.EINVAL
    op, arg, elem_size, elem_count = name
    if elem_size < 0:
        return oldlen, E.EINVAL
    buflen = oldlen if oldp else 0
    needed = 0
    out: list[bytes] = []  # one COPYOUT for all records, each padded to elem_size
    for pid in sorted(l.kernel.procs):
        p = l.kernel.procs[pid]
        try:
            if not _matches(p, op, arg):
                continue
        except ValueError:
            return oldlen, E.EINVAL
        if buflen >= elem_size and elem_count > 0:
            out.append(fill_kproc2(p, l)[:elem_size].ljust(elem_size, b"\0"))
            buflen -= elem_size
            elem_count -= 1
        needed += elem_size
        if op == S.KERN_PROC_PID:
            break
    data = b"".join(out)
    if data:
        l.copyout(oldp, data)
    copied = len(data)
    if oldp:
        return copied, (E.ENOMEM if needed > copied else 0)
    return needed + PROCSLOP * elem_size, 0
