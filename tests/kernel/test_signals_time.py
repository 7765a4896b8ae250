"""Signals interrupting blocked calls, process groups, clocks, sleeps and itimers."""
from __future__ import annotations

import struct
import time

from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import signal as SIG
from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess


def _pipe(c: RawClient) -> tuple[int, int]:
    out = c.mem.out(8)
    c.ok("pipe2", out, 0)
    return struct.unpack("<ii", c.mem.get(out, 8))


def test_kill_interrupts_blocked_read(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    r, _ = _pipe(a)
    req = a.start("read", r, a.mem.out(4), 4)
    pid = a.call("getpid")[1]
    assert b.call("kill", pid, SIG.SIGUSR1) == (0, 0, 0)
    assert a.result(req) == (E.EINTR, 0, 0)
    assert a.raised == [SIG.SIGUSR1]


def test_ignored_signal_does_not_interrupt(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    r, w = _pipe(a)
    req = a.start("read", r, a.mem.out(4), 4)
    pid = a.call("getpid")[1]
    b.ok("kill", pid, SIG.SIGCHLD)
    time.sleep(0.05)
    a.ok("write", w, a.mem.buf(b"ok"), 2)
    assert a.result(req) == (0, 2, 0)


def test_nanosleep_interrupted_reports_remaining(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    rq, rm = a.mem.buf(T.pack_timespec(5, 0)), a.mem.out(16)
    req = a.start("__nanosleep50", rq, rm)
    time.sleep(0.05)
    b.ok("kill", a.call("getpid")[1], SIG.SIGALRM)
    assert a.result(req)[0] == E.EINTR
    sec, nsec = T.unpack_timespec(a.mem.get(rm, 16))
    assert 3 <= sec <= 5


def test_sleep_and_clocks(client: RawClient) -> None:
    ts = client.mem.out(16)
    client.ok("__clock_gettime50", T.CLOCK_MONOTONIC, ts)
    m0 = T.timespec_to_ns(*T.unpack_timespec(client.mem.get(ts, 16)))
    assert client.call("__nanosleep50", client.mem.buf(T.pack_timespec(0, 100_000_000)), 0) == (0, 0, 0)
    client.ok("__clock_gettime50", T.CLOCK_MONOTONIC, ts)
    m1 = T.timespec_to_ns(*T.unpack_timespec(client.mem.get(ts, 16)))
    assert m1 - m0 >= 99_000_000
    assert client.err("__clock_gettime50", 12345, ts) == E.EINVAL
    tv = client.mem.out(16)
    client.ok("__gettimeofday50", tv, 0)
    assert abs(T.unpack_timeval(client.mem.get(tv, 16))[0] - time.time()) < 5
    bad = client.mem.buf(T.pack_timespec(0, 2_000_000_000))
    assert client.err("__nanosleep50", bad, 0) == E.EINVAL
    assert client.call("clock_nanosleep", T.CLOCK_MONOTONIC, 0, bad, 0) == (0, E.EINVAL, 0)


def test_itimer_real_raises_sigalrm(client: RawClient) -> None:
    itv = client.mem.buf(T.pack_itimerval((0, 0), (0, 100_000)))
    assert client.ok("__setitimer50", T.ITIMER_REAL, itv, 0) == 0
    out = client.mem.out(32)
    client.ok("__getitimer50", T.ITIMER_REAL, out)
    _, (s, us) = T.unpack_itimerval(client.mem.get(out, 32))
    assert s == 0 and 0 < us <= 100_000
    client.call("__nanosleep50", client.mem.buf(T.pack_timespec(1, 0)), 0)  # interrupted
    assert client.raised == [SIG.SIGALRM]


def test_process_groups(server: ServerProcess) -> None:
    a = RawClient(server.url)
    pid = a.call("getpid")[1]
    assert a.ok("getpgrp") == pid and a.ok("getsid", 0) == pid
    assert a.err("setsid") == E.EPERM  # already a group leader
    cookie = a.prefork()
    b = RawClient(server.url, handshake=False)
    b.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    cpid = b.call("getpid")[1]
    assert b.ok("getpgid", 0) == pid
    assert b.ok("setpgid", 0, 0) == 0 and b.ok("getpgrp") == cpid
    assert b.ok("setpgid", 0, pid) == 0
    assert b.err("setpgid", 0, 4242) == E.EPERM
    assert b.err("getpgid", 4242) == E.ESRCH
    assert b.ok("setsid") == cpid and b.ok("getsid", 0) == cpid
    assert a.ok("kill", -cpid, SIG.SIGUSR2) == 0
    b.call("getpid")
    assert b.raised == [SIG.SIGUSR2]
