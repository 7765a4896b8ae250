"""Setting the kernel's clock: root only, validated, moves CLOCK_REALTIME, file times and
kern.boottime but never CLOCK_MONOTONIC or the host's clock."""
from __future__ import annotations

import time

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import stat as S
from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess

DAY = 86400


def realtime(c: RawClient, clock: int = T.CLOCK_REALTIME) -> float:
    ts = c.mem.out(16)
    c.ok("__clock_gettime50", clock, ts)
    return T.timespec_to_ns(*T.unpack_timespec(c.mem.get(ts, 16))) / 1e9


def offset_bounds(c: RawClient) -> tuple[float, float]:
    """The kernel clock's offset from the host's, bracketed by host readings taken
    around the call: under load a round trip can take longer than a slew moves."""
    t0 = time.time()
    k = realtime(c)
    t1 = time.time()
    return k - t1, k - t0


def tod(c: RawClient) -> float:
    tv = c.mem.out(16)
    c.ok("__gettimeofday50", tv, 0)
    sec, usec = T.unpack_timeval(c.mem.get(tv, 16))
    return sec + usec / 1e6


def test_clock_settime_moves_realtime_only(server: ServerProcess) -> None:
    c, other = RawClient(server.url), RawClient(server.url)
    mono0 = realtime(c, T.CLOCK_MONOTONIC)
    target = int(time.time()) + 10 * DAY
    assert c.ok("__clock_settime50", T.CLOCK_REALTIME, c.mem.buf(T.pack_timespec(target, 0))) == 0
    assert abs(realtime(c) - target) < 5
    assert abs(tod(other) - target) < 5  # one clock for every process
    assert abs(time.time() - target) > DAY  # the host's clock is untouched
    assert realtime(c, T.CLOCK_MONOTONIC) - mono0 < 5
    # new files are stamped with the kernel's time
    fd = c.ok("open", c.mem.str("/tmp/stamped"), F.O_CREAT | F.O_RDWR, 0o644)
    st = c.mem.out(S.STAT_SIZE)
    c.ok("__fstat50", fd, st)
    assert abs(S.unpack_stat(c.mem.get(st, S.STAT_SIZE)).mtime_ns / 1e9 - target) < 5


def test_settimeofday_and_validation(server: ServerProcess) -> None:
    c = RawClient(server.url)
    ts = c.mem.buf(T.pack_timespec(1_000_000_000, 0))
    assert c.err("__clock_settime50", T.CLOCK_MONOTONIC, ts) == E.EINVAL
    assert c.err("__clock_settime50", 77, ts) == E.EINVAL
    bad = c.mem.buf(T.pack_timespec(1_000_000_000, 1_000_000_000))
    assert c.err("__clock_settime50", T.CLOCK_REALTIME, bad) == E.EINVAL
    assert c.err("__settimeofday50", c.mem.buf(T.pack_timeval(5, 1_000_000)), 0) == E.EINVAL
    assert c.err("__settimeofday50", 0, 0) == 0  # nothing to set
    huge = c.mem.buf(T.pack_timespec((1 << 63) - 1, 0))
    assert c.err("__clock_settime50", T.CLOCK_REALTIME, huge) == E.EPERM
    target = 1_500_000_000
    assert c.ok("__settimeofday50", c.mem.buf(T.pack_timeval(target, 250_000)), 0) == 0
    assert abs(tod(c) - (target + 0.25)) < 5


def test_only_root_sets_the_clock(server: ServerProcess) -> None:
    c = RawClient(server.url)
    c.ok("setuid", 1000)
    ts = c.mem.buf(T.pack_timespec(1_000_000_000, 0))
    assert c.err("__clock_settime50", T.CLOCK_REALTIME, ts) == E.EPERM
    assert c.err("__settimeofday50", c.mem.buf(T.pack_timeval(1_000_000_000, 0)), 0) == E.EPERM
    assert c.err("__adjtime50", c.mem.buf(T.pack_timeval(1, 0)), 0) == E.EPERM
    assert c.err("__adjtime50", 0, c.mem.out(16)) == E.EPERM
    assert abs(realtime(c) - time.time()) < 5


def test_adjtime_slews(server: ServerProcess) -> None:
    c = RawClient(server.url)
    old = c.mem.out(16)
    assert c.ok("__adjtime50", 0, old) == 0
    assert T.unpack_timeval(c.mem.get(old, 16)) == (0, 0)
    lo0, hi0 = offset_bounds(c)
    assert c.ok("__adjtime50", c.mem.buf(T.pack_timeval(-3, 0)), 0) == 0
    time.sleep(0.2)
    assert c.ok("__adjtime50", 0, old) == 0
    sec, usec = T.unpack_timeval(c.mem.get(old, 16))
    left = sec + usec / 1e6
    assert -3 < left < -2.99  # 5 ms/s while more than a second is left
    assert 0 <= usec < 1_000_000
    lo1, hi1 = offset_bounds(c)
    # slewed lies in [lo1 - hi0, hi1 - lo0]: backwards, and by far less than the 3 s asked
    assert lo1 - hi0 < 0 and hi1 - lo0 > -0.05
    # a new adjustment replaces the old; what was slewed stays
    assert c.ok("__adjtime50", c.mem.buf(T.pack_timeval(0, 0)), old) == 0
    assert T.unpack_timeval(c.mem.get(old, 16))[0] == -3
    assert c.ok("__adjtime50", 0, old) == 0
    assert T.unpack_timeval(c.mem.get(old, 16)) == (0, 0)
