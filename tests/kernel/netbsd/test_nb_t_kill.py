"""NetBSD tests/lib/libc/sys/t_kill.c: kill(2) over forked client processes.

The signal itself is raised in the target's client (RAISE); a process that
dies of it disconnects, which is how the kernel learns it is gone.
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import signal as SIG

from support.nb import fork, getpid, gone, wait_until
from support.rawclient import RawClient
from support.server import ServerProcess

INT_MAX, INT_MIN = 2**31 - 1, -2**31


def test_kill_basic(server: ServerProcess) -> None:
    parent = RawClient(server.url, "t_kill")
    for sig in (SIG.SIGHUP, SIG.SIGINT, SIG.SIGKILL, SIG.SIGTERM):
        child = fork(parent, server.url)
        cpid = getpid(child)
        assert parent.ok("kill", cpid, sig) == 0
        child.call("getpid")  # the RAISE arrives before any later reply
        assert child.raised == [sig]
        child.close()  # it dies of the signal
        assert wait_until(lambda cpid=cpid: gone(parent, cpid))


def test_kill_err(server: ServerProcess) -> None:
    parent = RawClient(server.url, "t_kill")
    child = fork(parent, server.url)
    assert child.err("kill", getpid(child), -1) == E.EINVAL
    assert child.err("kill", INT_MAX, SIG.SIGUSR1) == E.ESRCH


def test_kill_perm(server: ServerProcess) -> None:
    root = RawClient(server.url, "t_kill")
    pp = fork(root, server.url)
    cp = fork(pp, server.url)
    assert cp.ok("setuid", 2) == 0           # operator
    assert pp.ok("setuid", 32767) == 0       # nobody
    assert pp.err("kill", getpid(cp), SIG.SIGKILL) == E.EPERM
    assert cp.raised == []


def _group(server: ServerProcess) -> tuple[RawClient, list[RawClient]]:
    root = RawClient(server.url, "t_kill")
    pp = fork(root, server.url)
    assert pp.ok("setpgid", 0, 0) == 0
    kids = [fork(pp, server.url) for _ in range(3)]
    return pp, kids


def test_kill_pgrp_neg(server: ServerProcess) -> None:
    pp, kids = _group(server)
    assert pp.ok("kill", -pp.ok("getpgrp"), SIG.SIGKILL) == 0
    for c in [pp] + kids:
        c.call("getpid")
        assert c.raised == [SIG.SIGKILL]


def test_kill_pgrp_zero(server: ServerProcess) -> None:
    pp, kids = _group(server)
    outsider = RawClient(server.url)
    assert pp.ok("kill", 0, SIG.SIGKILL) == 0
    for c in [pp] + kids:
        c.call("getpid")
        assert c.raised == [SIG.SIGKILL]
    outsider.call("getpid")
    assert outsider.raised == []


def test_kill_int_min(client: RawClient) -> None:
    assert client.err("kill", INT_MIN, 0) == E.ESRCH
