"""NetBSD tests/lib/libc/sys/t_setrlimit.c: getrlimit(2)/setrlimit(2) values, errors and enforcement.

The C children are forked kernel processes (rumpclient_fork); what a child's
_exit status reported is asserted directly on its calls. Skipped, with the
reason in each: the limits whose effect is on the client's host process
(memory locking, stack growth, LWP creation, RLIMIT_FSIZE's SIGXFSZ caught by
a handler) and fork under RLIMIT_NPROC (a rump kernel's rfork does not count
processes against it).
"""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import limits as L
from sysproxy.abi import signal as SIG

from support.atf import atf
from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess

INT_MAX = 2**31 - 1
UINT64_MAX = 2**64 - 1
RLIMITS = [L.RLIMIT_AS, L.RLIMIT_CORE, L.RLIMIT_CPU, L.RLIMIT_DATA, L.RLIMIT_FSIZE,
           L.RLIMIT_MEMLOCK, L.RLIMIT_NOFILE, L.RLIMIT_NPROC, L.RLIMIT_RSS,
           L.RLIMIT_SBSIZE, L.RLIMIT_STACK]


def getrlimit(c: RawClient, which: int) -> tuple[int, tuple[int, int]]:
    out = c.mem.buf(bytes(L.RLIMIT.size))
    err = c.err("getrlimit", which, out)
    return err, L.unpack_rlimit(c.mem.get(out, L.RLIMIT.size))


def setrlimit(c: RawClient, which: int, cur: int, mx: int) -> int:
    return c.err("setrlimit", which, c.mem.buf(L.pack_rlimit(cur, mx)))


def test_setrlimit_basic(module_server: ServerProcess) -> None:
    """setrlimit_basic: every finite soft limit below its hard limit can be lowered by one."""
    c = atf(module_server.url, "t_setrlimit")
    saved: dict[int, int] = {}
    failed = 0
    for which in RLIMITS:
        err, (cur, mx) = getrlimit(c, which)
        if err or cur in (L.RLIM_INFINITY, 0) or cur == mx:
            continue
        saved[which] = cur
        if setrlimit(c, which, cur - 1, mx) != 0:
            failed = which
            break
    for which, cur in saved.items():
        err, (_, mx) = getrlimit(c, which)
        if not err:
            setrlimit(c, which, cur, mx)
    assert failed == 0, f"failed to set limit ({failed})"


def test_setrlimit_current(module_server: ServerProcess) -> None:
    """setrlimit_current: setting each limit to what getrlimit returned succeeds."""
    c = atf(module_server.url, "t_setrlimit")
    for which in RLIMITS:
        err, (cur, mx) = getrlimit(c, which)
        assert err == 0
        assert setrlimit(c, which, cur, mx) == 0, which


def test_setrlimit_err(module_server: ServerProcess) -> None:
    """setrlimit_err: getrlimit(INT_MAX) is EINVAL (the NULL-destination EFAULTs are not asserted)."""
    c = atf(module_server.url, "t_setrlimit")
    # getrlimit(which, NULL) == EFAULT: the rlimit is copied out, and a COPYOUT has no
    # reply in RUMPSP, so the kernel never learns the address is bad.
    assert getrlimit(c, INT_MAX)[0] == E.EINVAL


def test_setrlimit_fsize(module_server: ServerProcess) -> None:
    """setrlimit_fsize: with RLIMIT_FSIZE 2 in a forked child, the third one-byte write
    raises SIGXFSZ (the C child's handler exits with success there; here the signal
    reaches the raw client as a RAISE) and, as the file systems answer, fails with EFBIG."""
    parent = atf(module_server.url, "t_setrlimit")
    err, fd, _ = parent.call("open", parent.mem.str("t_setrlimit_fsize"),
                             F.O_RDWR | F.O_CREAT, 0o700)
    assert err == 0
    child = fork(parent, module_server.url)
    assert setrlimit(child, L.RLIMIT_FSIZE, 2, 2) == 0
    x = child.mem.buf(b"X")
    assert child.call("write", fd, x, 1)[:2] == (0, 1)
    assert child.call("write", fd, x, 1)[:2] == (0, 1)
    assert not child.raised
    assert child.call("write", fd, x, 1)[0] == E.EFBIG, "RLIMIT_FSIZE not enforced"
    assert child.raised == [SIG.SIGXFSZ]
    assert parent.call("write", fd, x, 1)[:2] == (0, 1)  # the parent's limit is its own


def test_setrlimit_memlock() -> None:
    """setrlimit_memlock: mlock() fails once RLIMIT_MEMLOCK is zero."""
    pytest.skip("mlock locks the client's host memory: not a rump kernel's to refuse")


def _nofile_child(parent: RawClient, url: str, lim: int) -> RawClient:
    child = fork(parent, url)
    for fd in range(1024):
        child.call("close", fd)
    assert setrlimit(child, L.RLIMIT_NOFILE, lim, lim) == 0, "RLIMIT_NOFILE not enforced"
    return child


def test_setrlimit_nofile_1(module_server: ServerProcess) -> None:
    """setrlimit_nofile_1: with RLIMIT_NOFILE 0 and every descriptor closed, open() is EMFILE."""
    parent = atf(module_server.url, "t_setrlimit")
    child = _nofile_child(parent, module_server.url, 0)
    err, fd, _ = child.call("open", child.mem.str("/etc/passwd"), F.O_RDONLY, 0)
    assert err == E.EMFILE, "RLIMIT_NOFILE not enforced"


def test_setrlimit_nofile_2(module_server: ServerProcess) -> None:
    """setrlimit_nofile_2: with RLIMIT_NOFILE 12, twelve opens succeed and the thirteenth is EMFILE."""
    parent = atf(module_server.url, "t_setrlimit")
    child = _nofile_child(parent, module_server.url, 12)
    for _ in range(12):
        err, fd, _ = child.call("open", child.mem.str("/etc/passwd"), F.O_RDONLY, 0)
        assert err == 0, "RLIMIT_NOFILE not enforced"
    err, fd, _ = child.call("open", child.mem.str("/etc/passwd"), F.O_RDONLY, 0)
    assert err == E.EMFILE, "RLIMIT_NOFILE not enforced"


def test_setrlimit_nproc() -> None:
    """setrlimit_nproc: an unprivileged process with RLIMIT_NPROC 0 cannot fork."""
    pytest.skip("a rump kernel's fork (lwproc_rfork for rumpclient_fork) does not "
                "check RLIMIT_NPROC, and neither does this kernel's")


def test_setrlimit_perm(module_server: ServerProcess) -> None:
    """setrlimit_perm: an unprivileged process raising a finite hard limit gets EPERM."""
    c = atf(module_server.url, "t_setrlimit", user="unprivileged")
    for which in RLIMITS:
        err, (cur, mx) = getrlimit(c, which)
        assert err == 0
        if mx == UINT64_MAX:
            continue
        assert setrlimit(c, which, cur, mx + 1) == E.EPERM, which


def test_setrlimit_nthr() -> None:
    """setrlimit_nthr: with RLIMIT_NTHR 0, _lwp_create() is EAGAIN."""
    pytest.skip("_lwp_create is not a rump system call: the client's threads are its host's")


def test_setrlimit_stack(module_server: ServerProcess) -> None:
    """setrlimit_stack: RLIMIT_STACK set to 4192256 for both leaves soft <= hard."""
    c = atf(module_server.url, "t_setrlimit", user="unprivileged")
    assert setrlimit(c, L.RLIMIT_STACK, 4192256, 4192256) == 0
    err, (cur, mx) = getrlimit(c, L.RLIMIT_STACK)
    assert err == 0
    assert cur <= mx


def test_setrlimit_stack_growshrink() -> None:
    """setrlimit_stack_growshrink: the stack grows and shrinks with RLIMIT_STACK (SIGSEGV past it)."""
    pytest.skip("the stack is the client's host process's: alloca and SIGSEGV happen there")
