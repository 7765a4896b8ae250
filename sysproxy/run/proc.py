"""A supervised host process and its kernel process.

Each host process (thread group) is one kernel process: one client connection.
``fds`` maps the program's descriptor numbers that stand for kernel descriptors
(placeholders, or shell descriptors 0-9 redirected to kernel files) to the
kernel's numbers; every other descriptor is the host's.
"""
from __future__ import annotations

import os
import threading

from sysproxy.client import Kernel

from .memory import Memory


class Proc:
    def __init__(self, tgid: int, kernel: Kernel, fds: dict[int, int] | None = None,
                 cwd_kernel: bool = False, plain: set[int] | None = None) -> None:
        self.tgid = tgid
        self.kernel = kernel
        self.fds: dict[int, int] = dict(fds or {})
        self.cwd_kernel = cwd_kernel
        # Kernel descriptors known to be regular files or directories: calls on
        # them never block, so the receiving thread may serve them itself.
        self.plain: set[int] = set(plain or ())
        self.lock = threading.RLock()   # descriptor table changes (threads share it)
        self.mem = Memory(tgid)
        self.exec_pending = False
        self.pending_forks: list[tuple[Kernel, dict[int, int], bool, set[int]]] = []
        self.dead = False

    def alive(self) -> bool:
        try:
            with open(f"/proc/{self.tgid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            return state not in (b"Z", b"X")
        except OSError:
            return False

    def reopen_memory(self) -> None:
        """After exec the old /proc/PID/mem descriptor names the old address space."""
        self.mem.close()
        self.mem = Memory(self.tgid)

    def free_slot(self, base: int, count: int) -> int:
        for n in range(base, base + count):
            if n not in self.fds:
                return n
        raise OSError(24, "no free placeholder descriptor")

    def release(self) -> None:
        """The host process is gone: its kernel process exits (descriptors close)."""
        if self.dead:
            return
        self.dead = True
        self.mem.close()
        try:
            self.kernel.disconnect()
        except OSError:
            pass
        for k, _fds, _cwd, _plain in self.pending_forks:
            try:
                k.disconnect()
            except OSError:
                pass
        self.pending_forks.clear()


def status_ids(tid: int) -> tuple[int, int]:
    """(Tgid, PPid) of a host thread."""
    tgid = ppid = 0
    with open(f"/proc/{tid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"Tgid:"):
                tgid = int(line.split()[1])
            elif line.startswith(b"PPid:"):
                ppid = int(line.split()[1])
                break
    return tgid, ppid


def children(tgid: int) -> list[int]:
    """The host process's children (all its threads'), by pid."""
    out: list[int] = []
    try:
        for t in os.listdir(f"/proc/{tgid}/task"):
            try:
                with open(f"/proc/{tgid}/task/{t}/children", "rb") as f:
                    out.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return sorted(out)
