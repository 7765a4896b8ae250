"""POSIX timers over a real connection: signals raised in the client, overruns, ids."""
from __future__ import annotations

import struct
import time

from sysproxy.abi import errno as E
from sysproxy.abi import signal as SIG
from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess

SIGEV_NONE, SIGEV_SIGNAL = 0, 1


def sigevent(notify: int, signo: int = 0, value: int = 0) -> bytes:
    return struct.pack("<iiQQQ", notify, signo, value, 0, 0)


def create(c: RawClient, clock: int, ev: bytes | None = None) -> int:
    out = c.mem.out(4)
    c.ok("timer_create", clock, c.mem.buf(ev) if ev is not None else 0, out)
    return struct.unpack("<i", c.mem.get(out, 4))[0]


def its(interval_ns: int, value_ns: int) -> bytes:
    return T.pack_itimerspec(T.ns_to_timespec(interval_ns), T.ns_to_timespec(value_ns))


def settime(c: RawClient, tid: int, interval_ns: int, value_ns: int, flags: int = 0) -> int:
    return c.err("__timer_settime50", tid, flags, c.mem.buf(its(interval_ns, value_ns)), 0)


def gettime(c: RawClient, tid: int) -> tuple[int, int]:
    out = c.mem.out(32)
    c.ok("__timer_gettime50", tid, out)
    (isec, insec), (vsec, vnsec) = T.unpack_itimerspec(c.mem.get(out, 32))
    return isec * T.NSEC_PER_SEC + insec, vsec * T.NSEC_PER_SEC + vnsec


def pause(c: RawClient, seconds: float) -> None:
    """Sleep in the kernel (a signal may cut it short), then drain what the server sent."""
    c.call("__nanosleep50", c.mem.buf(T.pack_timespec(*T.ns_to_timespec(int(seconds * 1e9)))), 0)


def test_one_shot_timer_raises_its_signal(client: RawClient) -> None:
    tid = create(client, T.CLOCK_MONOTONIC, sigevent(SIGEV_SIGNAL, SIG.SIGUSR1))
    assert tid == 3  # 0..2 belong to setitimer
    assert gettime(client, tid) == (0, 0)
    assert settime(client, tid, 0, 100_000_000) == 0
    interval, left = gettime(client, tid)
    assert interval == 0 and 0 < left <= 100_000_000
    pause(client, 2)
    assert client.raised == [SIG.SIGUSR1]
    assert gettime(client, tid) == (0, 0)
    assert client.ok("timer_getoverrun", tid) == 0


def test_default_event_and_ids(client: RawClient) -> None:
    ids = [create(client, T.CLOCK_REALTIME) for _ in range(29)]
    assert ids == list(range(3, 32))
    assert client.err("timer_create", T.CLOCK_REALTIME, 0, client.mem.out(4)) == E.EAGAIN
    assert client.ok("timer_delete", 10) == 0
    assert create(client, T.CLOCK_MONOTONIC) == 10
    assert client.err("timer_delete", 2) == E.EINVAL
    assert client.err("timer_delete", 40) == E.EINVAL
    # no sigevent: SIGALRM
    assert settime(client, 3, 0, 20_000_000) == 0
    pause(client, 2)
    assert client.raised == [SIG.SIGALRM]


def test_validation(client: RawClient) -> None:
    out = client.mem.out(4)
    assert client.err("timer_create", 7, 0, out) == E.EINVAL
    assert client.err("timer_create", T.CLOCK_REALTIME, client.mem.buf(sigevent(9)), out) == E.EINVAL
    assert client.err("timer_create", T.CLOCK_REALTIME,
                      client.mem.buf(sigevent(SIGEV_SIGNAL, 0)), out) == E.EINVAL
    assert client.err("timer_create", T.CLOCK_REALTIME,
                      client.mem.buf(sigevent(SIGEV_SIGNAL, 64)), out) == E.EINVAL
    tid = create(client, T.CLOCK_REALTIME, sigevent(SIGEV_NONE))
    bad = client.mem.buf(T.pack_itimerspec((0, 0), (0, 1_000_000_000)))
    assert client.err("__timer_settime50", tid, 0, bad, 0) == E.EINVAL
    neg = client.mem.buf(T.pack_itimerspec((-1, 0), (1, 0)))
    assert client.err("__timer_settime50", tid, 0, neg, 0) == E.EINVAL
    assert settime(client, 20, 0, 1) == E.EINVAL
    assert client.err("__timer_gettime50", 20, client.mem.out(32)) == E.EINVAL
    assert client.err("timer_getoverrun", 20) == E.EINVAL
    # a value below one tick (10 ms) is rounded up to the tick
    assert settime(client, tid, 0, 1) == 0
    assert 5_000_000 < gettime(client, tid)[1] <= 10_000_000


def test_periodic_timer_old_value_and_sigev_none(client: RawClient) -> None:
    tid = create(client, T.CLOCK_MONOTONIC, sigevent(SIGEV_NONE))
    assert settime(client, tid, 50_000_000, 50_000_000) == 0
    pause(client, 0.3)
    assert client.raised == []  # SIGEV_NONE: counts, never signals
    interval, left = gettime(client, tid)
    assert interval == 50_000_000 and 0 < left <= 50_000_000
    old = client.mem.out(32)
    client.ok("__timer_settime50", tid, 0, client.mem.buf(its(0, 0)), old)
    (isec, insec), _ = T.unpack_itimerspec(client.mem.get(old, 32))
    assert (isec, insec) == (0, 50_000_000)
    assert gettime(client, tid) == (0, 0)


def test_overruns_count_missed_periods(server: ServerProcess) -> None:
    c = RawClient(server.url)
    tid = create(c, T.CLOCK_MONOTONIC, sigevent(SIGEV_SIGNAL, SIG.SIGUSR2))
    # the kernel's loop is blocked by nothing; a period far shorter than our pause
    # still fires once per period, so overruns stay small but signals pile up
    assert settime(c, tid, 10_000_000, 10_000_000) == 0
    pause(c, 0.25)
    assert c.raised and set(c.raised) == {SIG.SIGUSR2}
    assert 0 <= c.ok("timer_getoverrun", tid) <= 32
    assert c.ok("timer_delete", tid) == 0


def test_absolute_realtime_timer(client: RawClient) -> None:
    tid = create(client, T.CLOCK_REALTIME, sigevent(SIGEV_SIGNAL, SIG.SIGUSR1))
    ts = client.mem.out(16)
    client.ok("__clock_gettime50", T.CLOCK_REALTIME, ts)
    now = T.timespec_to_ns(*T.unpack_timespec(client.mem.get(ts, 16)))
    assert settime(client, tid, 0, now + 100_000_000, T.TIMER_ABSTIME) == 0
    assert 0 < gettime(client, tid)[1] <= 100_000_000
    pause(client, 2)
    assert client.raised == [SIG.SIGUSR1]
    # an absolute time already past fires at once
    assert settime(client, tid, 0, now - 1_000_000_000, T.TIMER_ABSTIME) == 0
    pause(client, 1)
    assert client.raised == [SIG.SIGUSR1, SIG.SIGUSR1]


def test_timers_are_per_process_and_die_with_it(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    tid = create(a, T.CLOCK_MONOTONIC, sigevent(SIGEV_SIGNAL, SIG.SIGUSR1))
    assert b.err("__timer_gettime50", tid, b.mem.out(32)) == E.EINVAL
    assert settime(a, tid, 20_000_000, 20_000_000) == 0
    a.close()
    time.sleep(0.2)
    assert b.ok("getpid") > 0  # the server lives on without the dead process's timer
    assert b.raised == []
