"""Time: clock_gettime, clock_getres, gettimeofday, nanosleep, clock_nanosleep, setitimer, getitimer."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import time as T
from ..clock import NS, itimer, now_ns
from ..errors import KernelError
from ..sleepq import Sleep
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("__clock_gettime50")
async def sys_clock_gettime(l: "Lwp", a: Args) -> int:
    l.copyout(a[1], T.pack_timespec(*divmod(now_ns(i32(a[0])), NS)))
    return 0


@syscall("__clock_getres50")
async def sys_clock_getres(l: "Lwp", a: Args) -> int:
    now_ns(i32(a[0]))  # EINVAL for unknown clocks
    if a[1]:
        l.copyout(a[1], T.pack_timespec(0, 1))
    return 0


@syscall("__gettimeofday50")
async def sys_gettimeofday(l: "Lwp", a: Args) -> int:
    if a[0]:
        l.copyout(a[0], T.pack_timeval(*T.ns_to_timeval(now_ns(T.CLOCK_REALTIME))))
    if a[1]:
        l.copyout(a[1], bytes(8))  # struct timezone: all zero
    return 0


async def _sleep(l: "Lwp", clock: int, flags: int, rqtp: int, rmtp: int) -> int:
    sec, nsec = T.unpack_timespec(await l.copyin(rqtp, T.TIMESPEC_SIZE))
    if not 0 <= nsec < NS:
        raise KernelError(E.EINVAL)
    if sec < 0 and not flags & T.TIMER_ABSTIME:  # itimespecfix: a negative interval
        raise KernelError(E.EINVAL)
    want = sec * NS + nsec
    if flags & T.TIMER_ABSTIME:
        want -= now_ns(clock)
    else:
        now_ns(clock)
    if want <= 0:  # ts2timo's ETIMEDOUT: no sleep, a relative caller still gets 0 left
        if rmtp and not flags & T.TIMER_ABSTIME:
            l.copyout(rmtp, T.pack_timespec(0, 0))
        return 0
    sched = l.kernel.sched
    start = sched.clock()
    try:
        await Sleep(sched, (), want / NS)
    except KernelError as e:
        if e.errno == E.EINTR and rmtp and not flags & T.TIMER_ABSTIME:
            left = max(0, want - int((sched.clock() - start) * NS))
            l.copyout(rmtp, T.pack_timespec(*divmod(left, NS)))
        raise
    if rmtp and not flags & T.TIMER_ABSTIME:
        l.copyout(rmtp, T.pack_timespec(0, 0))
    return 0


@syscall("__nanosleep50")
async def sys_nanosleep(l: "Lwp", a: Args) -> int:
    return await _sleep(l, T.CLOCK_MONOTONIC, 0, a[0], a[1])


@syscall("clock_nanosleep")
async def sys_clock_nanosleep(l: "Lwp", a: Args) -> int:
    """NOERR: the error number is the return value."""
    try:
        return await _sleep(l, i32(a[0]), i32(a[1]), a[2], a[3])
    except KernelError as e:
        return e.errno


def _itv(interval: int, value: int) -> bytes:
    return T.pack_itimerval(T.ns_to_timeval(interval), T.ns_to_timeval(value))


@syscall("__setitimer50")
async def sys_setitimer(l: "Lwp", a: Args) -> int:
    which = i32(a[0])
    if not 0 <= which <= T.ITIMER_PROF:
        raise KernelError(E.EINVAL)
    t = itimer(l.proc, which)
    new = None
    if a[1]:
        (isec, iusec), (vsec, vusec) = T.unpack_itimerval(await l.copyin(a[1], 32))
        for s, u in ((isec, iusec), (vsec, vusec)):
            if s < 0 or not 0 <= u < 1_000_000:
                raise KernelError(E.EINVAL)
        new = (T.timeval_to_ns(isec, iusec), T.timeval_to_ns(vsec, vusec))
    if a[2]:
        l.copyout(a[2], _itv(*t.get()))
    if new is not None:
        t.set(*new)
    return 0


@syscall("__getitimer50")
async def sys_getitimer(l: "Lwp", a: Args) -> int:
    which = i32(a[0])
    if not 0 <= which <= T.ITIMER_PROF:
        raise KernelError(E.EINVAL)
    l.copyout(a[1], _itv(*itimer(l.proc, which).get()))
    return 0
