"""NetBSD tests/kernel/kqueue/t_scan.c: two threads of one process scan the same kqueue
at once (PR kern/50094).

A pipe holds one byte and its read end is registered (EVFILT_READ, EV_ADD, level
triggered); each "thread" makes NKEVENT_CALLS kevent(kq, NULL, 0, &event, 1, &ts)
calls with a zero timeout and each must return 1. Here the two threads are two LWPs
of the client's process: both calls of a round are sent before either answer is
read, so the kernel has them in flight together.
"""
from __future__ import annotations

from sysproxy.abi import event as EV

from support.nb import kevent, pipe, timespec, write
from support.rawclient import RawClient

NKEVENT_CALLS = 10000


def test_scan1(client: RawClient) -> None:
    """Ports ATF case scan1: exercises multi-threaded kevent() calls (PR kern/50094)."""
    c = client
    p0, p1 = pipe(c)
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(p0, EV.EVFILT_READ, EV.EV_ADD, 0, 0, 0)], 0) == (0, [])
    assert write(c, p1, b"\0") == (0, 1)

    ts = timespec(c, (0, 0))
    outs = [c.mem.out(EV.KEVENT_SIZE), c.mem.out(EV.KEVENT_SIZE)]
    done = [0, 0]  # kevent_thread's i: calls that returned 1 before the first that did not
    failed = [False, False]
    for _ in range(NKEVENT_CALLS):
        reqs = [c.start("__kevent50", kq, 0, 0, outs[t], 1, ts) if not failed[t] else None
                for t in (0, 1)]
        for t in (0, 1):
            if reqs[t] is None:
                continue
            err, rv, _ = c.result(reqs[t])
            if err or rv != 1:
                failed[t] = True
                continue
            done[t] += 1
        if all(failed):
            break
    assert done[0] >= 0 and done[1] >= 0
    assert done == [NKEVENT_CALLS, NKEVENT_CALLS]
    ev = EV.unpack_kevents(c.mem.get(outs[0], EV.KEVENT_SIZE), 1)[0]
    assert ev[:2] == (p0, EV.EVFILT_READ) and ev[4] == 1
