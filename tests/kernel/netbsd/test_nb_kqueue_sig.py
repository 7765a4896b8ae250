"""NetBSD tests/kernel/kqueue/t_sig.c: EVFILT_SIGNAL counts the SIGUSR1s a forked
process sends (the receiver ignores them; the count still grows).

Deviations: NetBSD's rump kernel has no EVFILT_SIGNAL (sig_filtops attach is
eopnotsupp) and this kernel cannot see the client's SIG_IGN, so a kevent
asleep when the signal comes would end with EINTR; the port collects with
zero timeouts between the signals instead of sleeping through them.
"""
from __future__ import annotations

import time

from sysproxy.abi import event as EV
from sysproxy.abi import signal as SIG

from support.nb import fork, getpid, kevent
from support.rawclient import RawClient
from support.server import ServerProcess

NSIGNALS = 5


def test_sig(server: ServerProcess) -> None:
    c = RawClient(server.url, "t_sig")
    pid = getpid(c)
    child = fork(c, server.url)
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(SIG.SIGUSR1, EV.EVFILT_SIGNAL, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    total = events = 0
    for _ in range(NSIGNALS):
        assert child.ok("kill", pid, SIG.SIGUSR1) == 0
        time.sleep(0.02)
        err, evs = kevent(c, kq, [], 1, 0)
        assert err == 0 and len(evs) == 1
        ident, filt, flags, _ff, data, _ud = evs[0]
        assert (ident, filt) == (SIG.SIGUSR1, EV.EVFILT_SIGNAL) and data == 1
        total += data
        events += 1
    assert total == NSIGNALS == events
    assert kevent(c, kq, [], 1, 0) == (0, [])
    c.call("getpid")
    assert c.raised.count(SIG.SIGUSR1) == NSIGNALS
