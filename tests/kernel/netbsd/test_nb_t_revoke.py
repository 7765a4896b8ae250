"""NetBSD tests/lib/libc/sys/t_revoke.c: revoke(2).

revoke_perm's child expects EACCES, not EPERM: its revoke("revoke") is
relative to the ATF work directory, which is root's and mode 0700, so the
lookup fails before the ownership check. The port's work directory is the
same.
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import limits as L

from support.atf import BADADDR, NOBODY_UID, atf, open_
from support.nb import fork
from support.server import ServerProcess

PATH = "revoke"


def test_revoke_basic(module_server: ServerProcess) -> None:
    """revoke_basic: RLIMIT_NOFILE / 10 descriptors of one file all fail read after revoke."""
    c = atf(module_server.url, "t_revoke")
    out = c.mem.out(16)
    c.err("getrlimit", L.RLIMIT_NOFILE, out)
    n = L.unpack_rlimit(c.mem.get(out, 16))[0] // 10 or 10
    err, fd0 = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    fds = [fd0]
    for _ in range(1, n):
        err, fd = open_(c, PATH, F.O_RDWR)
        assert err == 0
        fds.append(fd)
    assert c.err("revoke", c.mem.str(PATH)) == 0
    tmp = c.mem.out(10)
    for fd in fds:
        assert c.call("read", fd, tmp, 10)[0] != 0
        c.err("close", fd)
    c.err("unlink", c.mem.str(PATH))


def test_revoke_err(module_server: ServerProcess) -> None:
    """revoke_err (unprivileged): EFAULT, ENAMETOOLONG (1025 bytes), EPERM on /etc/passwd,
    ENOENT."""
    c = atf(module_server.url, "t_revoke", "unprivileged")
    assert c.err("revoke", BADADDR) == E.EFAULT
    assert c.err("revoke", c.mem.buf(b"x" * 1025)) == E.ENAMETOOLONG
    assert c.err("revoke", c.mem.str("/etc/passwd")) == E.EPERM
    assert c.err("revoke", c.mem.str("/etc/xxx/yyy")) == E.ENOENT


def test_revoke_perm(module_server: ServerProcess) -> None:
    """revoke_perm (root): after the parent's revoke, a child that setuid(nobody) gets
    EACCES from revoke(path) and can still close the inherited descriptor."""
    c = atf(module_server.url, "t_revoke")
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    assert c.err("revoke", c.mem.str(PATH)) == 0
    child = fork(c, module_server.url)
    assert child.err("setuid", NOBODY_UID) == 0
    assert child.err("revoke", child.mem.str(PATH)) == E.EACCES
    assert child.err("close", fd) == 0
    child.close()
    c.err("close", fd)
    assert c.err("unlink", c.mem.str(PATH)) == 0
