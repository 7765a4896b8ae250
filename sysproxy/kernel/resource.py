"""Resource limits (struct plimit): per process, inherited by every child.

The defaults are those a rump kernel's proc0 gets (proc0_init in kern_proc.c
and rump's own uvm_init_limits in rumpkern/vm.c), and every client process
inherits them from pid 1 as NetBSD children inherit from their parent.
RLIMIT_NOFILE bounds the descriptor table (FileTable.maxfiles), as fd_alloc
and dup2 bound it by rlim_cur; RLIMIT_FSIZE is checked by writes to regular files
(vfs/vnfile.py: SIGXFSZ and EFBIG). The others are kept and reported only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import limits as L
from .descriptor import DEFAULT_MAXFILES
from .errors import KernelError

if TYPE_CHECKING:
    from .kernel import Kernel
    from .proc import Proc

INF = L.RLIM_INFINITY
MAXFILES = DEFAULT_MAXFILES  # kern.maxfiles
MAXPROC = 30000              # kern.maxproc as our sysctl reports it
MAXUPRC = 160                # CHILD_MAX
MAXLWP = 2048                # maxlwp
NOFILE = L.OPEN_MAX          # NOFILE: the soft descriptor limit
DFLSSIZ = 4 << 20            # amd64 vmparam.h
MAXSSIZ = 128 << 20
MAXDSIZ = 8 << 30            # maxdmap
VM_MAXUSER_ADDRESS = 0x7F7FFFFFF000
RUMP_FREE_BYTES = 1 << 32    # rump's uvmexp.free without a memory limit: 1M pages


def defaults(kernel: "Kernel") -> list[list[int]]:
    """proc0's limits: [rlim_cur, rlim_max] per resource."""
    lim = [[INF, INF] for _ in range(L.RLIM_NLIMITS)]
    lim[L.RLIMIT_NOFILE] = [min(MAXFILES, NOFILE), MAXFILES]
    lim[L.RLIMIT_NPROC] = [min(MAXPROC, MAXUPRC), MAXPROC]
    mem = min(VM_MAXUSER_ADDRESS, kernel.memlimit or RUMP_FREE_BYTES)
    lim[L.RLIMIT_MEMLOCK] = [mem // 3, mem]
    lim[L.RLIMIT_NTHR] = [min(MAXLWP, MAXUPRC), MAXLWP]
    lim[L.RLIMIT_STACK] = [DFLSSIZ, MAXSSIZ]  # rump's uvm_init_limits: the rest unlimited
    return lim


def limits(p: "Proc") -> list[list[int]]:
    lim = p.data.get("rlimit")
    if lim is None:
        lim = p.data["rlimit"] = defaults(p.kernel)
        apply_nofile(p)
    return lim


def apply_nofile(p: "Proc") -> None:
    """The descriptor table follows rlim_cur of RLIMIT_NOFILE (never above maxfiles)."""
    p.fd.maxfiles = min(limits(p)[L.RLIMIT_NOFILE][0], MAXFILES)


# dosetrlimit clamps these to a system-wide maximum instead of failing.
_CLAMP = {L.RLIMIT_DATA: MAXDSIZ, L.RLIMIT_STACK: MAXSSIZ, L.RLIMIT_NOFILE: MAXFILES,
          L.RLIMIT_NPROC: MAXPROC, L.RLIMIT_NTHR: MAXLWP}


def setrlimit(p: "Proc", which: int, cur: int, mx: int) -> None:
    """dosetrlimit: EINVAL for soft > hard, EPERM for raising the hard limit without root."""
    if not 0 <= which < L.RLIM_NLIMITS:
        raise KernelError(E.EINVAL)
    if cur > mx:
        raise KernelError(E.EINVAL)
    lim = limits(p)
    old = lim[which]
    if [cur, mx] == old:
        return
    if mx > old[1] and not p.cred.is_root:  # the KAUTH_PROCESS_RLIMIT listener
        raise KernelError(E.EPERM)
    top = _CLAMP.get(which)
    if top is not None:
        cur, mx = min(cur, top), min(mx, top)
    lim[which] = [cur, mx]
    if which == L.RLIMIT_NOFILE:
        apply_nofile(p)


def _fork_hook(parent: "Proc", child: "Proc") -> None:
    child.data["rlimit"] = [list(x) for x in limits(parent)]
    apply_nofile(child)


def attach(kernel: "Kernel") -> None:
    limits(kernel.proc0)
    kernel.fork_hooks.append(_fork_hook)
