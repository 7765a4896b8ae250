"""kqueue, kqueue1 and __kevent50 (NetBSD's kern_event.c shapes).

Changes are applied in order; a failing change is reported as an EV_ERROR
event (data = errno) when there is room in the event list, else the call
fails with it. Then ready events are collected, sleeping on the watched
objects' queues until one is ready or the timeout passes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import event as EV
from ...abi import fcntl as F
from ..errors import KernelError
from ..kqueue import KqueueFile
from .args import i32
from .poll import _deadline_ts, wait_any
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

KQ_NEVENTS = 8  # changes copied in per batch, as NetBSD does


def _kqueue(l: "Lwp", flags: int) -> int:
    """kqueue1 checks no flags: it keeps O_NONBLOCK/O_NOSIGPIPE, honours O_CLOEXEC,
    and silently ignores every other bit (7.99.34's kern_event.c)."""
    kq = KqueueFile(l.kernel, l.proc)
    kq.flag |= flags & (F.O_NONBLOCK | F.O_NOSIGPIPE)
    return l.proc.fd.alloc(kq, bool(flags & F.O_CLOEXEC))


@syscall("kqueue")
async def sys_kqueue(l: "Lwp", a: Args) -> int:
    return _kqueue(l, 0)


@syscall("kqueue1")
async def sys_kqueue1(l: "Lwp", a: Args) -> int:
    return _kqueue(l, i32(a[0]))


@syscall("__kevent50")
async def sys_kevent(l: "Lwp", a: Args) -> int:
    fd, changes, nchanges, events, nevents, tsp = i32(a[0]), a[1], a[2], a[3], a[4], a[5]
    kq = l.proc.fd.get(fd)
    if not isinstance(kq, KqueueFile):
        raise KernelError(E.EBADF)
    if nchanges > 1 << 20 or nevents > 1 << 20:
        raise KernelError(E.EINVAL)
    deadline = _deadline_ts(l, await l.copyin(tsp, 16) if tsp else None)
    nout = 0
    for base in range(0, nchanges, KQ_NEVENTS):
        k = min(KQ_NEVENTS, nchanges - base)
        for ev in EV.unpack_kevents(await l.copyin(changes + base * EV.KEVENT_SIZE,
                                                   k * EV.KEVENT_SIZE), k):
            err, new = 0, False
            try:
                new = kq.apply(ev)
            except KernelError as e:
                err = e.errno
            if err or ev[2] & EV.EV_RECEIPT:
                if nout >= nevents:  # no room: the error is the call's, or a receipt ends it
                    if err:
                        raise KernelError(err)
                    return 0
                # the entry's flags are EV_ERROR alone; a new knote took (zeroed) fflags
                rec = (ev[0], ev[1], EV.EV_ERROR, 0 if new else ev[3], err, ev[5])
                l.copyout(events + nout * EV.KEVENT_SIZE, EV.pack_kevents([rec]))
                nout += 1
    if nout:
        return nout
    if nevents == 0:
        return 0
    while True:
        got = kq.collect(nevents)
        if got:
            l.copyout(events, EV.pack_kevents(got))
            return len(got)
        if not await wait_any(l, kq.queues(), deadline):
            return 0
