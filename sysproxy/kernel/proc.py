"""Processes: pid, name, credentials, descriptors, and the LWPs running calls."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .cred import Cred
from .descriptor import FileTable

if TYPE_CHECKING:
    from .fairness import Tree
    from .kernel import Kernel
    from .lwp import Lwp

MAXCOMLEN = 16  # p_comm holds MAXCOMLEN chars + NUL


class Proc:
    """A kernel process. Clients' processes are children of pid 1."""

    def __init__(self, kernel: "Kernel", pid: int, ppid: int, comm: str,
                 cred: Cred, fd: FileTable) -> None:
        self.kernel = kernel
        self.pid = pid
        self.ppid = ppid
        self.comm = comm[:MAXCOMLEN]
        self.cred = cred
        self.fd = fd
        self.cwd: Any = None     # vnode, set by the VFS
        self.root: Any = None    # vnode: chroot
        self.umask = 0o022
        self.pgid = pid
        self.sid = pid
        self.login = ""
        self.lwps: set[Lwp] = set()
        self.exiting = False
        self.released = False
        self.nextlid = 1
        # Where a signal for this process goes: the server sends it as RAISE.
        self.signal_sink: Callable[[int], None] | None = None
        # Run once no LWP is left (exec waits for this; exit releases the process).
        self._idle_waiters: list[Callable[[], None]] = []
        self.data: dict[str, Any] = {}  # per-subsystem state (itimers, kqueues, ...)
        # The client process tree whose limits this process counts against (fairness.py);
        # None for pid 1 and what it starts itself.
        self.tree: Tree | None = None

    def __repr__(self) -> str:
        return f"<Proc {self.pid} {self.comm!r}>"

    def when_idle(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` once this process has no LWP left (now, if it has none)."""
        if not self.lwps:
            fn()
        else:
            self._idle_waiters.append(fn)

    def lwp_finished(self) -> None:
        """The last LWP ended: run what waited for the process to go idle."""
        if not self.lwps and self._idle_waiters:
            waiters, self._idle_waiters = self._idle_waiters, []
            for fn in waiters:
                fn()
