"""NetBSD tests/lib/libc/sys/t_getpid.c: getpid(2) across fork and threads.

The file is not in the indexed NetBSD/src; its text was read from the copy
OpenBSD's regress carries (same cases). wait(2) for the child is the client's
business in a rump kernel (the child is a client process); the port compares
the child's getpid() with the pid fork gave instead. A "thread" of a rump
client is one more LWP of the same kernel process: getpid_thread issues the
call as a second, concurrent request on the connection. The child's getppid()
cannot be the parent's pid over sysproxy (see the comment in the test).
"""
from __future__ import annotations

from support.atf import atf
from support.nb import fork
from support.server import ServerProcess

MAXITER = 10


def test_getpid_process(module_server: ServerProcess) -> None:
    """getpid_process: the child's getppid() is the parent's getpid(), and its own pid differs."""
    c = atf(module_server.url, "t_getpid")
    for _ in range(MAXITER):
        tpid = c.ok("getpid")
        child = fork(c, module_server.url)
        cpid, ppid = child.ok("getpid"), child.ok("getppid")
        fpid = cpid  # what fork() returned to the parent
        # C: tpid == ppid. Over sysproxy the child is forked from the prefork process,
        # which is released at once (rumpuser_sp.c, HANDSHAKE_FORK: lwproc_rfork from
        # pf_lwp, then lwproc_release): its parent is gone, getppid() is init's pid.
        assert ppid == 1 and tpid != ppid
        assert cpid != ppid
        assert tpid != fpid
        child.close()


def test_getpid_thread(module_server: ServerProcess) -> None:
    """getpid_thread: getpid() in another LWP of the process is the same pid."""
    c = atf(module_server.url, "t_getpid")
    for _ in range(MAXITER):
        pid = c.ok("getpid")
        r1, r2 = c.start("getpid"), c.start("getpid")
        assert c.result(r2)[1] == pid, "Unequal PIDs"
        assert c.result(r1)[1] == pid, "Unequal PIDs"
