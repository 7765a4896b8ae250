"""NetBSD tests/lib/libc/sys/t_getsid.c: getsid(2) for the caller, a bad pid and a child.

The file is not in the indexed NetBSD/src; its text (v1.1, 2011) was read from a
copy another project carries. The child is a rumpclient_fork child; its
getppid() is init's pid over sysproxy (the prefork process is released at once,
see test_nb_t_getpid), so getsid(getppid()) asks about pid 1, which is in the
ATF process's session only if that session is init's: the port asks about the
forking process instead, which is what the C child's getppid() names.
"""
from __future__ import annotations

from sysproxy.abi import errno as E

from support.atf import atf
from support.nb import fork
from support.server import ServerProcess


def test_getsid_current(module_server: ServerProcess) -> None:
    """getsid_current: getsid(0) succeeds and equals getsid(getpid())."""
    c = atf(module_server.url, "t_getsid")
    err, sid, _ = c.call("getsid", 0)
    assert err == 0 and sid != -1
    assert sid == c.ok("getsid", c.ok("getpid")), "getsid(0) did not match the calling process"


def test_getsid_err(module_server: ServerProcess) -> None:
    """getsid_err: getsid(-1) fails with ESRCH."""
    c = atf(module_server.url, "t_getsid")
    assert c.err("getsid", -1) == E.ESRCH


def test_getsid_process(module_server: ServerProcess) -> None:
    """getsid_process: a child is in its parent's session, and getsid(parent) is that session."""
    c = atf(module_server.url, "t_getsid")
    sid = c.ok("getsid", 0)
    ppid = c.ok("getpid")  # what the C child's getppid() would name
    child = fork(c, module_server.url)
    csid = child.ok("getsid", 0)
    assert sid == csid, "invalid session ID"
    assert child.ok("getsid", ppid) == csid, "invalid session ID"
    child.close()
