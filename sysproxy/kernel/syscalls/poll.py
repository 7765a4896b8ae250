"""Waiting for descriptors: poll, __pollts50, __select50, __pselect50 (NetBSD's sys_select.c).

A scan asks each File for its ready events; if none is ready the LWP sleeps on
every file's wait queues at once (no polling loop) until one changes, the
timeout passes, or a signal interrupts it; then it scans again.
"""
from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import poll as P
from ...abi.time import TIMESPEC, TIMEVAL
from ..errors import KernelError
from ..sleepq import Sleep, WaitQueue
from .args import i32, u32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..file import File
    from ..lwp import Lwp

NFDBITS = 32
SELIN = P.POLLRDNORM | P.POLLHUP | P.POLLERR
SELOUT = P.POLLWRNORM | P.POLLHUP | P.POLLERR
SELEX = P.POLLRDBAND


async def wait_any(l: "Lwp", queues: Iterable[WaitQueue], deadline: float | None) -> bool:
    """Sleep until a queue is woken (True) or the deadline passes (False)."""
    sched = l.kernel.sched
    timeout = None if deadline is None else deadline - sched.clock()
    if timeout is not None and timeout <= 0:
        return False
    return await Sleep(sched, list(dict.fromkeys(queues)), timeout)


def _deadline_ts(l: "Lwp", raw: bytes | None) -> float | None:
    if raw is None:
        return None
    sec, nsec = TIMESPEC.unpack(raw)
    if sec < 0 or not 0 <= nsec < 1_000_000_000:
        raise KernelError(E.EINVAL)
    return l.kernel.sched.clock() + sec + nsec / 1e9


async def do_poll(l: "Lwp", fdsp: int, nfds: int, deadline: float | None) -> int:
    fdt = l.proc.fd
    if nfds > l.proc.fd.nfiles + 1000:  # pollcommon: 1000 beyond the table's size
        raise KernelError(E.EINVAL)
    raw = await l.copyin(fdsp, nfds * P.POLLFD_SIZE) if nfds else b""
    fds = P.unpack_pollfds(raw, nfds)
    while True:
        out: list[tuple[int, int, int]] = []
        queues: list[WaitQueue] = []
        n = 0
        for fd, ev, _ in fds:
            if fd < 0:
                out.append((fd, ev, 0))
                continue
            f = fdt.lookup(fd)
            if f is None:
                rev = P.POLLNVAL
            else:
                rev = f.poll(ev | P.POLLERR | P.POLLHUP)
                if not rev:
                    queues.extend(f.wait_queues())
            if rev:
                n += 1
            out.append((fd, ev, rev))
        if n or not await wait_any(l, queues, deadline):
            break
    if nfds:
        l.copyout(fdsp, P.pack_pollfds(out))
    return n


@syscall("poll")
async def sys_poll(l: "Lwp", a: Args) -> int:
    ms = i32(a[2])
    if ms < P.INFTIM:
        raise KernelError(E.EINVAL)  # a negative timespec for inittimeleft (t_poll poll_err)
    deadline = None if ms == P.INFTIM else l.kernel.sched.clock() + ms / 1000
    return await do_poll(l, a[0], u32(a[1]), deadline)


@syscall("__pollts50")
async def sys_pollts(l: "Lwp", a: Args) -> int:
    raw = await l.copyin(a[2], 16) if a[2] else None
    if a[3]:
        await l.copyin(a[3], 16)  # the signal mask: signals are the client's business
    return await do_poll(l, a[0], u32(a[1]), _deadline_ts(l, raw))


def _bits(raw: bytes, nd: int) -> list[int]:
    words = struct.unpack(f"<{len(raw) // 4}I", raw)
    return [fd for fd in range(nd) if words[fd // NFDBITS] >> (fd % NFDBITS) & 1]


def _pack_bits(fds: Iterable[int], nwords: int) -> bytes:
    words = [0] * nwords
    for fd in fds:
        words[fd // NFDBITS] |= 1 << (fd % NFDBITS)
    return struct.pack(f"<{nwords}I", *words)


async def do_select(l: "Lwp", nd: int, ptrs: tuple[int, int, int], deadline: float | None) -> int:
    if nd < 0:
        raise KernelError(E.EINVAL)
    fdt = l.proc.fd
    nd = min(nd, fdt.nfiles)  # selcommon clips nd to the table's size (dt_nfiles)
    nwords = (nd + NFDBITS - 1) // NFDBITS
    sets: list[list[int]] = []
    for p in ptrs:
        sets.append(_bits(await l.copyin(p, nwords * 4), nd) if p and nwords else [])
    masks = (SELIN, SELOUT, SELEX)
    while True:
        ready: list[list[int]] = [[], [], []]
        queues: list[WaitQueue] = []
        for which, fds in enumerate(sets):
            for fd in fds:
                f: "File | None" = fdt.lookup(fd)
                if f is None:
                    raise KernelError(E.EBADF)
                if f.poll(masks[which]):
                    ready[which].append(fd)
                else:
                    queues.extend(f.wait_queues())
        n = sum(len(r) for r in ready)
        if n or not await wait_any(l, queues, deadline):
            break
    for which, p in enumerate(ptrs):
        if p and nwords:
            l.copyout(p, _pack_bits(ready[which], nwords))
    return n


@syscall("__select50")
async def sys_select(l: "Lwp", a: Args) -> int:
    deadline = None
    if a[4]:
        sec, usec = TIMEVAL.unpack(await l.copyin(a[4], 16))
        if sec < 0 or not 0 <= usec < 1_000_000:
            raise KernelError(E.EINVAL)
        deadline = l.kernel.sched.clock() + sec + usec / 1e6
    return await do_select(l, i32(a[0]), (a[1], a[2], a[3]), deadline)


@syscall("__pselect50")
async def sys_pselect(l: "Lwp", a: Args) -> int:
    raw = await l.copyin(a[4], 16) if a[4] else None
    if a[5]:
        await l.copyin(a[5], 16)
    return await do_select(l, i32(a[0]), (a[1], a[2], a[3]), _deadline_ts(l, raw))
