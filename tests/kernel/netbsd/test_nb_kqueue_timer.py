"""NetBSD tests/kernel/kqueue/t_timer.c, periods scaled down 10x (100 ms for 1 s).

basic_timer: a periodic and a one-shot timer fire in order and on time; a
fired one-shot is gone (EV_DELETE: ENOENT); a deleted timer stays quiet.
count_expirations: data counts the expirations since the last report.
modify: EV_ADD on an existing timer re-arms it with the new period and
drops the expirations so far. (abstime and timer_units use NOTE_ABSTIME
and NOTE_*SECONDS, fflags a NetBSD of this kevent ABI does not have: not ported.)
"""
from __future__ import annotations

import time

from sysproxy.abi import errno as E
from sysproxy.abi import event as EV

from support.nb import kevent
from support.rawclient import RawClient

T1, T1_COUNT, T2 = 100, 5, 600  # ms (NetBSD: 1000, 5, 6000)
#: how late a timer may be reported on a loaded machine: a timer must never fire
#: early, which is checked exactly; lateness only bounds scheduling, not the kernel
LATE = 1.0


def add_timer(client: RawClient, kq: int, period_ms: int) -> tuple[float, float]:
    """EV_ADD a periodic timer 1; the host clock just before and just after the call
    brackets the moment the kernel armed it."""
    t0 = time.monotonic()
    assert kevent(client, kq, [(1, EV.EVFILT_TIMER, EV.EV_ADD, 0, period_ms, 0)], 0) == (0, [])
    return t0, time.monotonic()


def read_count(client: RawClient, kq: int, armed: tuple[float, float],
               period_ms: int) -> tuple[int, int, int]:
    """The timer's count (expirations since it was armed) and the bounds it must lie
    in, from the bracketed arming and reading times (one tick either way: the
    kernel's timer runs on its own clock)."""
    t2 = time.monotonic()
    err, evs = kevent(client, kq, [], 1, 0)
    t3 = time.monotonic()
    assert err == 0 and len(evs) == 1 and evs[0][0] == 1
    p = period_ms / 1000
    return evs[0][4], max(1, int((t2 - armed[1]) / p) - 1), int((t3 - armed[0]) / p) + 1


def test_basic_timer(client: RawClient) -> None:
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(1, EV.EVFILT_TIMER, EV.EV_ADD, 0, T1, 0),
                               (2, EV.EVFILT_TIMER, EV.EV_ADD | EV.EV_ONESHOT, 0, T2, 0)], 0) == (0, [])
    t0 = time.monotonic()
    n1 = n2 = 0
    while True:
        err, evs = kevent(client, kq, [], 1)
        assert err == 0 and len(evs) == 1 and evs[0][1] == EV.EVFILT_TIMER
        if evs[0][0] == 1:
            assert n1 < T1_COUNT
            n1 += 1
            if n1 == T1_COUNT:
                assert 0.09 * T1_COUNT <= time.monotonic() - t0 < 0.1 * T1_COUNT + LATE
                assert kevent(client, kq, [(1, EV.EVFILT_TIMER, EV.EV_DELETE, 0, 0, 0)], 0) == (0, [])
        else:
            assert evs[0][0] == 2 and n1 == T1_COUNT and n2 == 0
            n2 += 1
            assert T2 / 1000 - 0.01 <= time.monotonic() - t0 < T2 / 1000 + LATE
            assert kevent(client, kq, [(2, EV.EVFILT_TIMER, EV.EV_DELETE, 0, 0, 0)], 0)[0] == E.ENOENT
            break
    t0 = time.monotonic()
    assert kevent(client, kq, [], 1, T2 / 1000) == (0, [])
    assert time.monotonic() - t0 >= T2 / 1000 - 0.01


def test_count_expirations(client: RawClient) -> None:
    kq = client.ok("kqueue")
    armed = add_timer(client, kq, T1)
    time.sleep(T1 * T1_COUNT / 1000 + 0.05)
    n, lo, hi = read_count(client, kq, armed, T1)
    assert lo <= n <= hi and n >= T1_COUNT


def test_modify(client: RawClient) -> None:
    kq = client.ok("kqueue")
    armed = add_timer(client, kq, 50)
    time.sleep(0.5)
    n, lo, hi = read_count(client, kq, armed, 50)
    assert lo <= n <= hi
    armed = add_timer(client, kq, 400)
    if time.monotonic() - armed[0] < 0.4:  # re-armed: nothing until the new period ends
        assert kevent(client, kq, [], 1, 0) == (0, [])  # no longer activated
    time.sleep(0.5)
    n, lo, hi = read_count(client, kq, armed, 400)
    assert lo <= n <= hi
    add_timer(client, kq, 50)
    time.sleep(0.2)
    armed = add_timer(client, kq, 50)  # the same again
    time.sleep(0.2)
    n, lo, hi = read_count(client, kq, armed, 50)
    assert lo <= n <= hi  # counted from the second EV_ADD only
