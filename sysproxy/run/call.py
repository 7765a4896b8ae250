"""One stopped system call being served: its arguments, its process, and the
helpers every handler needs (paths under the prefix, new placeholder descriptors).

A handler returns an int (the call's result), ``CONTINUE`` (let the host kernel
run it, untouched), or ``ANSWERED`` (already answered, by ADDFD with SEND);
it raises :class:`Errno` (a host errno) or lets a KernelError through (its
``errno`` is already the host's number).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from sysproxy.abi import fcntl as nbfcntl

from . import linux
from .proc import Proc
from .seccomp import Notification

if TYPE_CHECKING:
    from .supervisor import Supervisor

CONTINUE = object()
ANSWERED = object()
NB_AT_FDCWD = nbfcntl.AT_FDCWD
_warned: set[str] = set()


class Errno(Exception):
    def __init__(self, errno: int, why: str | None = None) -> None:
        super().__init__(errno)
        self.errno = errno
        if why and why not in _warned:   # a one-time message, never a silent fall-back
            _warned.add(why)
            sys.stderr.write(f"sysproxy run: {why}\n")
            sys.stderr.flush()


def i32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


class Call:
    __slots__ = ("n", "proc", "sup", "args")

    def __init__(self, n: Notification, proc: Proc, sup: Supervisor) -> None:
        self.n, self.proc, self.sup, self.args = n, proc, sup, n.args

    @property
    def k(self):  # the kernel process
        return self.proc.kernel

    def kfd(self, fd: int) -> int | None:
        """The kernel descriptor behind the program's ``fd``, or None (a host one)."""
        return self.proc.fds.get(i32(fd))

    def path(self, addr: int) -> bytes:
        return self.proc.mem.cstring(addr)

    def under_prefix(self, p: bytes) -> bytes | None:
        """An absolute host path -> the kernel's path, or None if outside the prefix."""
        pre = self.sup.prefix
        if p == pre:
            return b"/"
        if p.startswith(pre) and p[len(pre):len(pre) + 1] == b"/":
            return p[len(pre):]
        return None

    def resolve(self, dirfd: int, p: bytes) -> tuple[int, bytes] | None:
        """(kernel dirfd, kernel path) for a path argument, or None: a host path.

        Absolute paths are the kernel's when under the prefix; relative ones when
        the directory (the cwd, or ``dirfd``) is the kernel's. A relative path from
        a host cwd is joined to it, so ``cd / && ls rump`` reaches the kernel too.
        """
        if p.startswith(b"/"):
            kp = self.under_prefix(p.rstrip(b"/") or b"/" if p.endswith(b"/") else p)
            return None if kp is None else (NB_AT_FDCWD, kp)
        dirfd = i32(dirfd)
        if dirfd == linux.AT_FDCWD:
            if self.proc.cwd_kernel:
                return NB_AT_FDCWD, p
            if not p:
                return None
            try:
                cwd = os.readlink(f"/proc/{self.proc.tgid}/cwd").encode()
            except OSError:
                return None
            kp = self.under_prefix(os.path.normpath(os.path.join(cwd, p)))
            return None if kp is None else (NB_AT_FDCWD, kp)
        kfd = self.proc.fds.get(dirfd)
        return None if kfd is None else (kfd, p)

    def new_fd(self, kfd: int, cloexec: bool, at: int | None = None,
               plain: bool = False) -> object:
        """Give the program a placeholder for kernel descriptor ``kfd`` and make its
        number the call's answer."""
        proc = self.proc
        with proc.lock:
            n = at if at is not None else proc.free_slot(self.sup.base, self.sup.count)
            old = proc.fds.get(n)
            proc.fds[n] = kfd
            if plain:
                proc.plain.add(kfd)
        try:
            self.sup.listener.addfd(self.n.id, self.sup.placeholder, n, cloexec, send=True)
        except OSError:
            with proc.lock:
                if proc.fds.get(n) == kfd:
                    del proc.fds[n]
            _kclose(self, kfd)
            raise
        if old is not None and old != kfd and old not in proc.fds.values():
            _kclose(self, old)
        return ANSWERED


def _kclose(c: Call, kfd: int) -> None:
    from sysproxy.client import SYS
    c.proc.plain.discard(kfd)
    try:
        c.k.syscall(SYS.close, kfd)
    except OSError:
        pass


Handler = Callable[[Call], "int | object"]
HANDLERS: dict[int, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for Linux system calls by name (the one translation table)."""
    def deco(fn: Handler) -> Handler:
        for name in names:
            HANDLERS[linux.NR[name]] = fn
        return fn
    return deco
