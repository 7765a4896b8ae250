"""Fairness: what one client process tree may hold, so that it cannot starve the others.

A *tree* is a GUEST process and everything forked from it (PREFORK/FORK, and
so daemon(3) children too); exec keeps the tree. Each tree counts its
processes (pending preforks included), descriptors (all its tables together),
in-flight calls (LWPs) and the tmpfs memory its writes allocated, and is
refused at the limit with the errno a NetBSD kernel gives when the matching
system resource runs out:

* processes: EAGAIN (fork(2) when the process table or RLIMIT_NPROC is full);
* descriptors: ENFILE (the tree's share of the file table is full; a process's
  own RLIMIT_NOFILE still answers EMFILE first);
* in-flight calls: EAGAIN with retval -1, what rump answers when it cannot
  create a thread (as the per-process limit does);
* tmpfs memory: ENOSPC, the whole write refused as the tmpfs size limit does.

A limit of 0 means no limit. pid 1 and the processes it starts itself belong
to no tree. Memory stays charged to the tree whose write allocated it until
the file data is freed, even after that tree's processes are gone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..abi import errno as E
from .errors import KernelError

if TYPE_CHECKING:
    from .proc import Proc

DEFAULT_PROCS = 1024
DEFAULT_FDS = 16384
DEFAULT_CALLS = 4096
DEFAULT_MEM = 1 << 30


@dataclass
class TreeLimits:
    """Per-tree limits (0: unlimited)."""

    procs: int = DEFAULT_PROCS
    fds: int = DEFAULT_FDS
    calls: int = DEFAULT_CALLS
    mem: int = DEFAULT_MEM


class Tree:
    """The resources one client process tree holds right now."""

    __slots__ = ("limits", "procs", "fds", "calls", "mem", "root_pid")

    def __init__(self, limits: TreeLimits, root_pid: int = 0) -> None:
        self.limits = limits
        self.root_pid = root_pid
        self.procs = 0
        self.fds = 0
        self.calls = 0
        self.mem = 0

    def __repr__(self) -> str:
        return (f"<Tree of pid {self.root_pid}: procs={self.procs} fds={self.fds} "
                f"calls={self.calls} mem={self.mem}>")

    def take_proc(self) -> None:
        lim = self.limits.procs
        if lim and self.procs >= lim:
            raise KernelError(E.EAGAIN)
        self.procs += 1

    def take_fds(self, n: int, errno: int = E.ENFILE) -> None:
        lim = self.limits.fds
        if lim and self.fds + n > lim:
            raise KernelError(errno)
        self.fds += n

    def can_call(self) -> bool:
        lim = self.limits.calls
        return not lim or self.calls < lim

    def take_mem(self, nbytes: int) -> None:
        lim = self.limits.mem
        if lim and self.mem + nbytes > lim:
            raise KernelError(E.ENOSPC)
        self.mem += nbytes


# The tree of the LWP whose code runs right now (set at each step of an LWP, as
# NetBSD's curlwp): tmpfs charges new memory to it. None outside system calls.
current: Tree | None = None


def running(p: Proc) -> None:
    """An LWP of ``p`` starts or resumes a step: its tree is the current one."""
    global current
    current = p.tree
