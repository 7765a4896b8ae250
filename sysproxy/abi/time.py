"""NetBSD struct timespec/timeval/itimerval codecs and clock/timer ids.

Facts from NetBSD's sys/sys/timespec.h and sys/sys/time.h (64-bit time_t era),
amd64: timespec = {i64 tv_sec, i64 tv_nsec} (16 bytes); timeval =
{i64 tv_sec, i32 tv_usec (suseconds_t is int), 4 bytes pad} (16 bytes);
itimerval = {timeval it_interval, timeval it_value}; itimerspec likewise.
"""
from __future__ import annotations

import struct

CLOCK_REALTIME = 0
CLOCK_VIRTUAL = 1
CLOCK_PROF = 2
CLOCK_MONOTONIC = 3
CLOCK_THREAD_CPUTIME_ID = 0x20000000
CLOCK_PROCESS_CPUTIME_ID = 0x40000000

ITIMER_REAL = 0
ITIMER_VIRTUAL = 1
ITIMER_PROF = 2
ITIMER_MONOTONIC = 3  # later NetBSD; harmless to know

TIMER_RELTIME = 0x0
TIMER_ABSTIME = 0x1

# Special tv_nsec values for utimensat/futimens (sys/stat.h)
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2

NSEC_PER_SEC = 1_000_000_000

TIMESPEC = struct.Struct("<qq")
TIMEVAL = struct.Struct("<qi4x")
ITIMERVAL = struct.Struct("<qi4xqi4x")
ITIMERSPEC = struct.Struct("<qqqq")
TIMESPEC_SIZE = TIMESPEC.size  # 16
TIMEVAL_SIZE = TIMEVAL.size  # 16


def pack_timespec(sec: int, nsec: int) -> bytes:
    return TIMESPEC.pack(sec, nsec)


def unpack_timespec(b: bytes, offset: int = 0) -> tuple[int, int]:
    return TIMESPEC.unpack_from(b, offset)


def pack_timeval(sec: int, usec: int) -> bytes:
    return TIMEVAL.pack(sec, usec)


def unpack_timeval(b: bytes, offset: int = 0) -> tuple[int, int]:
    return TIMEVAL.unpack_from(b, offset)


def pack_itimerval(interval: tuple[int, int], value: tuple[int, int]) -> bytes:
    return ITIMERVAL.pack(interval[0], interval[1], value[0], value[1])


def unpack_itimerval(b: bytes, offset: int = 0) -> tuple[tuple[int, int], tuple[int, int]]:
    i_s, i_u, v_s, v_u = ITIMERVAL.unpack_from(b, offset)
    return (i_s, i_u), (v_s, v_u)


def pack_itimerspec(interval: tuple[int, int], value: tuple[int, int]) -> bytes:
    return ITIMERSPEC.pack(interval[0], interval[1], value[0], value[1])


def unpack_itimerspec(b: bytes, offset: int = 0) -> tuple[tuple[int, int], tuple[int, int]]:
    i_s, i_n, v_s, v_n = ITIMERSPEC.unpack_from(b, offset)
    return (i_s, i_n), (v_s, v_n)


def timespec_to_ns(sec: int, nsec: int) -> int:
    return sec * NSEC_PER_SEC + nsec


def ns_to_timespec(ns: int) -> tuple[int, int]:
    return divmod(ns, NSEC_PER_SEC)


def timeval_to_ns(sec: int, usec: int) -> int:
    return sec * NSEC_PER_SEC + usec * 1000


def ns_to_timeval(ns: int) -> tuple[int, int]:
    sec, rem = divmod(ns, NSEC_PER_SEC)
    return sec, rem // 1000
