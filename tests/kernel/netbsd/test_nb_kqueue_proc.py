"""NetBSD tests/kernel/kqueue/t_proc1.c .. t_proc4.c: EVFILT_PROC.

What is ported: NOTE_EXIT for a forked process that goes away (t_proc1's
exit, t_proc2's watcher of a child), registering on a process that is gone
(ESRCH), and the knote removed after it reported the exit. NOTE_FORK,
NOTE_EXEC and NOTE_TRACK are not implemented here (the client forks and
execs outside the kernel); see docs/CONFORMANCE.md.
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import event as EV

from support.nb import fork, getpid, gone, kevent, wait_until
from support.rawclient import RawClient
from support.server import ServerProcess


def test_proc_exit(server: ServerProcess) -> None:
    c = RawClient(server.url, "t_proc1")
    kq = c.ok("kqueue")
    child = fork(c, server.url)
    cpid = getpid(child)
    assert kevent(c, kq, [(cpid, EV.EVFILT_PROC, EV.EV_ADD | EV.EV_ENABLE, EV.NOTE_EXIT, 0, 0)], 0) == (0, [])
    assert kevent(c, kq, [], 1, 0) == (0, [])
    child.close()  # the child exits
    err, evs = kevent(c, kq, [], 1, 5)
    assert err == 0 and len(evs) == 1
    ident, filt, flags, fflags, _data, _ud = evs[0]
    assert (ident, filt) == (cpid, EV.EVFILT_PROC) and fflags & EV.NOTE_EXIT and flags & EV.EV_EOF
    assert wait_until(lambda: gone(c, cpid))
    err, _ = kevent(c, kq, [(cpid, EV.EVFILT_PROC, EV.EV_ADD, EV.NOTE_EXIT, 0, 0)], 0)
    assert err == E.ESRCH
