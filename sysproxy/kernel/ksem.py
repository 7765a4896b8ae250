"""POSIX semaphores as NetBSD's uipc_sem.c (1.42) keeps them: each open semaphore is
a descriptor (DTYPE_SEM), and its number is the intptr_t id libc holds.

So a semaphore is shared the way files are: dup'd and inherited across fork,
released when the last descriptor goes. Named semaphores live in one
kernel-wide table (at most KSEM_MAX names) and are shared between client
processes; an unlinked one lives on until its last close.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import kinfo_file as K
from ..abi import stat as S
from ..abi.fcntl import FREAD, FWRITE
from .clock import NS, now_ns
from .errors import KernelError
from .file import File
from .sleepq import Sleep, WaitQueue

if TYPE_CHECKING:
    from .cred import Cred
    from .kernel import Kernel
    from .lwp import Lwp

SEM_MAX_NAMELEN = 14
SEM_VALUE_MAX = 0xFFFFFFFF  # ~0U
KSEM_MAX = 128              # ksem_max: named semaphores at once
DTYPE_SEM = K.DTYPE_SEM     # f_type (sys/file.h)


class Ksem:
    __slots__ = ("name", "mode", "uid", "gid", "value", "refs", "waiters", "unlinked", "wq")

    def __init__(self, name: bytes | None, mode: int, cred: "Cred", value: int) -> None:
        self.name = name
        self.mode = mode
        self.uid, self.gid = cred.euid, cred.egid
        self.value = value
        self.refs = 1
        self.waiters = 0
        self.unlinked = False
        self.wq = WaitQueue()

    def permitted(self, cred: "Cred") -> bool:
        """The KAUTH_SYSTEM_SEMAPHORE listener: a write bit for the caller, or root."""
        m = self.mode
        return (cred.euid == self.uid and bool(m & S.S_IWUSR)) or \
            (cred.egid == self.gid and bool(m & S.S_IWGRP)) or bool(m & S.S_IWOTH) or \
            cred.is_root

    def post(self) -> None:
        if self.value == SEM_VALUE_MAX:
            raise KernelError(E.EOVERFLOW)
        self.value += 1
        if self.waiters:
            self.wq.wakeup()

    async def wait(self, l: "Lwp", trywait: bool, abstime_ns: int | None) -> None:
        """do_ksem_wait: take one unit, sleeping (interruptibly) while the value is 0."""
        sched = l.kernel.sched
        while self.value == 0:
            if trywait:
                raise KernelError(E.EAGAIN)
            timeout = None
            if abstime_ns is not None:  # ts2timo: an absolute CLOCK_REALTIME time
                left = abstime_ns - now_ns(0)
                if left <= 0:
                    raise KernelError(E.ETIMEDOUT)
                timeout = left / NS
            self.waiters += 1
            try:
                woken = await Sleep(sched, (self.wq,), timeout)
            finally:
                self.waiters -= 1
            if not woken and self.value == 0:
                raise KernelError(E.ETIMEDOUT)
        self.value -= 1


class KsemFile(File):
    """An open semaphore: read gives its name, fstat its value as st_size."""

    dtype = DTYPE_SEM

    def __init__(self, table: "KsemTable", ks: Ksem) -> None:
        super().__init__(FREAD | FWRITE)
        self.table = table
        self.ksem = ks

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        name = self.ksem.name
        return name[:n] + b"\0"[:max(0, n - len(name))] if name else b""

    def stat(self, lwp: "Lwp") -> bytes:
        ks = self.ksem
        t = now_ns(0)
        mode = ks.mode | (S.S_IFLNK if ks.name else S.S_IFREG)
        return S.pack_stat(0, 0, mode, ks.refs, ks.uid, ks.gid, 0, t, t, t, t,
                           ks.value, 1 if ks.value else 0, 4096)

    def poll(self, events: int) -> int:
        return 0  # fnullop_poll

    def on_last_close(self) -> None:
        ks = self.ksem
        ks.refs -= 1
        if ks.refs == 0 and (ks.unlinked or ks.name is None):
            self.table.nsems_total -= 1


class KsemTable:
    """The kernel-wide list of named semaphores."""

    def __init__(self) -> None:
        self.named: dict[bytes, Ksem] = {}
        self.nsems_total = 0

    def create(self, name: bytes | None, mode: int, cred: "Cred", value: int) -> Ksem:
        if len(self.named) >= KSEM_MAX:
            raise KernelError(E.ENFILE)
        if name is not None:
            if len(name) > SEM_MAX_NAMELEN:
                raise KernelError(E.ENAMETOOLONG)
            if not name.startswith(b"/") or len(name) < 2 or b"/" in name[1:]:
                raise KernelError(E.EINVAL)
        self.nsems_total += 1
        return Ksem(name, mode, cred, value)

    def open(self, name: bytes, oflag_creat: bool, oflag_excl: bool, mode: int,
             cred: "Cred", value: int) -> Ksem:
        new = self.create(name, mode, cred, value) if oflag_creat else None
        ks = self.named.get(name)
        if ks is not None:
            if new is not None:
                self.nsems_total -= 1  # ksem_free(ksnew)
            if oflag_excl:
                raise KernelError(E.EEXIST)
            if not ks.permitted(cred):
                raise KernelError(E.EACCES)
            ks.refs += 1
            return ks
        if new is None:
            raise KernelError(E.ENOENT)
        self.named[name] = new
        return new

    def unlink(self, name: bytes, cred: "Cred") -> None:
        ks = self.named.get(name)
        if ks is None:
            raise KernelError(E.ENOENT)
        if not ks.permitted(cred):
            raise KernelError(E.EACCES)
        del self.named[name]
        if ks.refs:
            ks.unlinked = True
        else:
            self.nsems_total -= 1


def table(kernel: "Kernel") -> KsemTable:
    return kernel.ksem


def attach(kernel: "Kernel") -> None:
    kernel.ksem = KsemTable()
