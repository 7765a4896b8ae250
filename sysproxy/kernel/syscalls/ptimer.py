"""POSIX timers: timer_create, timer_delete, timer_getoverrun, timer_settime, timer_gettime."""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import time as T
from .. import ptimer
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

# struct sigevent on amd64: int sigev_notify, int sigev_signo, union sigval sigev_value,
# void (*sigev_notify_function)(union sigval), void *sigev_notify_attributes
SIGEVENT = struct.Struct("<iiQQQ")
TIMER_T = struct.Struct("<i")  # timer_t is an int


@syscall("timer_create")
async def sys_timer_create(l: "Lwp", a: Args) -> int:
    notify, signo = None, 0
    if a[1]:
        notify, signo, _, _, _ = SIGEVENT.unpack(await l.copyin(a[1], SIGEVENT.size))
    tid = ptimer.create(l.proc, i32(a[0]), notify, signo)
    l.copyout(a[2], TIMER_T.pack(tid))
    return 0


@syscall("timer_delete")
async def sys_timer_delete(l: "Lwp", a: Args) -> int:
    ptimer.delete(l.proc, i32(a[0]))
    return 0


@syscall("timer_getoverrun")
async def sys_timer_getoverrun(l: "Lwp", a: Args) -> int:
    return ptimer.lookup(l.proc, i32(a[0])).overruns


def _its(interval: int, value: int) -> bytes:
    return T.pack_itimerspec(T.ns_to_timespec(interval), T.ns_to_timespec(value))


@syscall("__timer_settime50")
async def sys_timer_settime(l: "Lwp", a: Args) -> int:
    (isec, insec), (vsec, vnsec) = T.unpack_itimerspec(await l.copyin(a[2], T.ITIMERSPEC.size))
    value = ptimer.itimespecfix(vsec, vnsec)
    interval = ptimer.itimespecfix(isec, insec)
    t = ptimer.lookup(l.proc, i32(a[0]))
    old = t.get()
    t.set(interval, value, bool(i32(a[1]) & T.TIMER_ABSTIME))
    if a[3]:
        l.copyout(a[3], _its(*old))
    return 0


@syscall("__timer_gettime50")
async def sys_timer_gettime(l: "Lwp", a: Args) -> int:
    l.copyout(a[1], _its(*ptimer.lookup(l.proc, i32(a[0])).get()))
    return 0
