"""The kernel: process table, system identity, and the entry point for calls.

One Kernel object is one rump kernel instance. The server creates processes
through it (GUEST, PREFORK/FORK, EXEC) and starts each incoming call as an LWP
via :meth:`Kernel.syscall`.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ..abi import errno as E
from . import syscalls as _families  # noqa: F401  (registers every handler)
from .cred import Cred
from .descriptor import FileTable
from .errors import KernelError, LwpExit
from .fairness import Tree, TreeLimits
from .lwp import DoneCallback, Lwp
from .proc import Proc
from .sched import Scheduler
from .syscalls.table import TABLE

if TYPE_CHECKING:
    from .file import File
    from .kqueue import Knote
    from .ksem import KsemTable
    from .socket.inet import PortTable
    from .vfs.vfs import VFS

log = logging.getLogger("sysproxy.kernel")

PID_MAX = 30000  # NetBSD's PID_MAX: pids wrap after this
MAXLWP = 1024    # in-flight calls per process; beyond it a call cannot get an LWP


class Kernel:
    # State the subsystems attach at boot (subsystems.attach), declared for the
    # type checker: no class values, the attributes exist once attach() ran.
    vfs: VFS                                  # fs.boot
    fifo_open: Callable[[Lwp, Any, int], Coroutine[Any, Any, File]]  # pipe
    nbigpipe: int                             # pipe
    inet_tables: dict[int, PortTable]         # socket.inet
    kq_proc_watch: dict[int, list[Knote]]     # kqueue
    ksem: KsemTable                           # ksem

    def __init__(self, hostname: str | None = None, ostype: str = "NetBSD",
                 osrelease: str = "7.99.34", machine: str = "amd64",
                 ncpu: int | None = None, memlimit: int | None = None,
                 limits: TreeLimits | None = None) -> None:
        self.sched = Scheduler()
        self.ostype = ostype
        self.osrelease = osrelease
        self.machine = machine
        self.ncpu = ncpu or os.cpu_count() or 1
        self.pagesize = 4096
        self.memlimit = memlimit
        # What each client process tree may hold (fairness.py); the server sets it.
        self.tree_limits = limits if limits is not None else TreeLimits()
        self.hostname = hostname if hostname is not None else \
            f"rump-{os.getpid():05d}.{socket.gethostname()}"
        self.domainname = ""
        self.boottime_ns = 0
        self.procs: dict[int, Proc] = {}
        self._lastpid = 1
        self.proc0 = Proc(self, 1, 0, "rump", Cred(), FileTable())
        self.procs[1] = self.proc0
        # Set by the host (the server): called with RB_* flags after a reboot call.
        self.on_reboot: Callable[[int], None] | None = None
        # Called with each process that goes away (subsystems drop what it held).
        self.exit_hooks: list[Callable[[Proc], None]] = []
        # Called with (process, signo) for each posted signal (e.g. to interrupt sleeps).
        self.signal_hooks: list[Callable[[Proc, int], None]] = []
        # Called with (parent, child) for each new process (subsystems copy what is inherited).
        self.fork_hooks: list[Callable[[Proc, Proc], None]] = []
        self._enosys_logged: set[int] = set()
        from . import subsystems
        subsystems.attach(self)

    # -- processes ---------------------------------------------------------
    def _allocpid(self) -> int:
        pid = self._lastpid
        for _ in range(PID_MAX):
            pid = pid + 1 if pid < PID_MAX else 2
            if pid not in self.procs:
                self._lastpid = pid
                return pid
        raise KernelError(E.EAGAIN)

    def _newproc(self, parent: Proc, comm: str, fd: FileTable, tree: Tree | None,
                 cred: Cred | None = None, claim: bool = False) -> Proc:
        """A new process in ``tree``; EAGAIN when the tree has no room for it or its
        descriptors (``claim``: it replaces a prefork of the tree, so one more is fine)."""
        if tree is not None:
            if claim:  # replaces the prefork, which holds as much: no check
                tree.procs += 1
                tree.fds += len(fd)
                fd.acct = tree
            else:
                try:
                    tree.take_proc()
                except KernelError:
                    fd.close_all()  # the copy's references go (a pipe must still see EOF)
                    raise
                try:
                    fd.charge_to(tree, E.EAGAIN)
                except KernelError:
                    tree.procs -= 1
                    fd.close_all()
                    raise
        try:
            pid = self._allocpid()
        except KernelError:
            fd.close_all()
            if tree is not None:
                tree.procs -= 1
            raise
        p = Proc(self, pid, 1, comm, cred if cred is not None else parent.cred.copy(), fd)
        p.tree = tree
        p.cwd, p.root, p.umask = parent.cwd, parent.root, parent.umask
        p.pgid, p.sid, p.login = parent.pgid, parent.sid, parent.login
        if parent is self.proc0:
            p.pgid = p.sid = p.pid
        self.procs[p.pid] = p
        for hook in self.fork_hooks:
            hook(parent, p)
        return p

    def spawn_guest(self, comm: str, cred: Cred | None = None) -> Proc:
        """A GUEST handshake: a new process under pid 1 with no descriptors, the root of
        a new client process tree; ``cred`` (default root) is who the client is."""
        tree = Tree(self.tree_limits)
        p = self._newproc(self.proc0, comm, FileTable(), tree, cred)
        tree.root_pid = p.pid
        from .cons import open_console
        try:
            open_console(p)  # rump_consdev_init: descriptors 0-2 are the console
        except KernelError:
            self.exit(p)
            raise
        return p

    def fork(self, parent: Proc, comm: str | None = None) -> Proc:
        """A copy of ``parent``: descriptor table copied, files shared (PREFORK, FORK);
        the child is in the parent's tree and keeps its credentials."""
        return self._newproc(parent, comm if comm is not None else parent.comm,
                             parent.fd.copy(), parent.tree)

    def claim(self, pending: Proc) -> Proc:
        """A FORK handshake: the child forked once more from the prefork, which is then
        released (as NetBSD does, so the child's pid is the next one). The prefork
        already counted against the tree, so its limit cannot refuse the child."""
        try:
            child = self._newproc(pending, pending.comm, pending.fd.copy(), pending.tree,
                                  claim=True)
        finally:
            self.exit(pending)
        return child

    def exit(self, p: Proc) -> None:
        """The process is going away: stop its LWPs, then release it when none is left."""
        if p.exiting or p.pid == 1:
            return
        p.exiting = True
        p.signal_sink = None
        for lwp in list(p.lwps):
            lwp.interrupt(LwpExit())
        p.when_idle(lambda: self._release(p))

    def _release(self, p: Proc) -> None:
        if p.released:
            return
        p.released = True
        p.fd.close_all()
        if p.tree is not None:
            p.tree.procs -= 1
        for hook in self.exit_hooks:
            hook(p)
        self.procs.pop(p.pid, None)
        for child in self.procs.values():
            if child.ppid == p.pid:
                child.ppid = 1

    def exec(self, p: Proc, comm: str, done: Callable[[], None]) -> None:
        """EXEC: stop the other LWPs, then rename and close close-on-exec descriptors."""
        for lwp in list(p.lwps):
            lwp.interrupt(LwpExit())

        def finish() -> None:
            if not p.exiting:
                p.comm = comm[:16]
                p.fd.close_on_exec()
            done()
        p.when_idle(finish)

    def psignal(self, p: Proc, signo: int) -> None:
        """Post a signal to a client process: it is raised in the client's host process."""
        if signo == 0:
            return
        sink = p.signal_sink
        if sink is not None:
            sink(signo)
        for hook in self.signal_hooks:
            hook(p, signo)

    # -- calls -------------------------------------------------------------
    def syscall(self, p: Proc, ctx: Any, sysnum: int, body: bytes, on_done: DoneCallback,
                tag: Any = None) -> Lwp | None:
        """Start system call ``sysnum`` as a new LWP of ``p``; ``on_done`` gets its result.

        Returns the LWP if it is still running (blocked), None once it has completed.
        """
        lwp = Lwp(p, ctx, p.nextlid)
        p.nextlid += 1
        lwp.sysnum = sysnum
        lwp.tag = tag
        entry = TABLE.get(sysnum)
        if entry is None:
            if sysnum not in self._enosys_logged:
                self._enosys_logged.add(sysnum)
                log.warning("unimplemented system call %d (answered ENOSYS; logged once)", sysnum)
            on_done(lwp, E.ENOSYS, 0, 0)
            return None
        handler, unpack, size = entry
        if len(body) < size:
            on_done(lwp, E.EINVAL, 0, 0)
            return None
        tree = p.tree
        if len(p.lwps) >= MAXLWP or (tree is not None and not tree.can_call()):
            on_done(lwp, E.EAGAIN, -1, 0)  # as when rump cannot create a thread: retval -1
            return None
        lwp.on_done = on_done
        p.lwps.add(lwp)
        if tree is not None:
            tree.calls += 1
        lwp._step(handler(lwp, unpack(body)), None, None)
        return None if lwp.done else lwp
