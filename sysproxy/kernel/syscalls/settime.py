"""Setting the clock: __clock_settime50, __settimeofday50, __adjtime50 (kern_time.c).

Only root may (KAUTH_SYSTEM_TIME: EPERM). The kernel's CLOCK_REALTIME moves
(an offset over the host's clock, clock.py); the host's clock never does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import time as T
from .. import clock
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

TIME_MAX_SEC = (1 << 63) - 1 - 365 * 24 * 60 * 60  # settime1: a year short of wrapping
US = 1_000_000
INT64_MAX = (1 << 63) - 1


def _settime(l: "Lwp", sec: int, nsec: int) -> None:
    """settime1: EPERM past the wrap cutoff or without root, else step the clock."""
    if sec > TIME_MAX_SEC or not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    clock.set_realtime(l.kernel, sec * clock.NS + nsec)


@syscall("__clock_settime50")
async def sys_clock_settime(l: "Lwp", a: Args) -> int:
    sec, nsec = T.unpack_timespec(await l.copyin(a[1], T.TIMESPEC_SIZE))
    if not 0 <= nsec < clock.NS:
        raise KernelError(E.EINVAL)
    if i32(a[0]) != T.CLOCK_REALTIME:  # CLOCK_MONOTONIC is read-only, others unknown
        raise KernelError(E.EINVAL)
    _settime(l, sec, nsec)
    return 0


@syscall("__settimeofday50")
async def sys_settimeofday(l: "Lwp", a: Args) -> int:
    # a time zone (a[1]) is obsolete: NetBSD only logs a warning
    if not a[0]:
        return 0
    sec, usec = T.unpack_timeval(await l.copyin(a[0], T.TIMEVAL_SIZE))
    if not 0 <= usec < US:
        raise KernelError(E.EINVAL)
    _settime(l, sec, usec * 1000)
    return 0


@syscall("__adjtime50")
async def sys_adjtime(l: "Lwp", a: Args) -> int:
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    delta = None
    if a[0]:
        sec, usec = T.unpack_timeval(await l.copyin(a[0], T.TIMEVAL_SIZE))
        # adjtime1 clamps nonsense instead of failing
        if sec > INT64_MAX // US - 1:
            delta = INT64_MAX
        elif sec < -(INT64_MAX // US) + 1:
            delta = -INT64_MAX - 1
        else:
            delta = sec * US + max(-999_999, min(999_999, usec))
    left = clock.adjtime(delta)
    if a[1]:
        sec, usec = divmod(left, US)  # tv_usec normalised to 0..999999
        l.copyout(a[1], T.pack_timeval(sec, usec))
    return 0
