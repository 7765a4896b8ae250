"""NetBSD tests/lib/libc/sys/t_mknod.c: mknod(2) (__mknod50: dev_t is 64 bits)."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import stat as S

from support.atf import BADADDR, PATH_MAX, atf, open_, st
from support.server import ServerProcess

PATH = "node"


def test_mknod_err(module_server: ServerProcess) -> None:
    """mknod_err (PR kern/45111): dev -1 is EINVAL; ENAMETOOLONG; EFAULT; ENOENT."""
    c = atf(module_server.url, "t_mknod")
    s = c.mem.str
    assert c.err("__mknod50", s(PATH), S.S_IFCHR, -1) == E.EINVAL
    assert c.err("__mknod50", c.mem.buf(b"x" * (PATH_MAX + 1)), S.S_IFCHR, 0) == E.ENAMETOOLONG
    assert c.err("__mknod50", BADADDR, S.S_IFCHR, 0) == E.EFAULT
    assert c.err("__mknod50", s("/a/b/c/d/e/f/g"), S.S_IFCHR, 0) == E.ENOENT


def test_mknod_exist(module_server: ServerProcess) -> None:
    """mknod_exist: EEXIST on /etc/passwd and on a node made twice."""
    c = atf(module_server.url, "t_mknod")
    s = c.mem.str
    err, fd = open_(c, "/etc/passwd", F.O_RDONLY)
    assert err == 0
    c.err("close", fd)
    assert c.err("__mknod50", s("/etc/passwd"), S.S_IFCHR, 0) == E.EEXIST
    assert c.err("__mknod50", s(PATH), S.S_IFCHR, 0) == 0
    assert c.err("__mknod50", s(PATH), S.S_IFCHR, 0) == E.EEXIST
    assert c.err("unlink", s(PATH)) == 0


def test_mknod_perm(module_server: ServerProcess) -> None:
    """mknod_perm (unprivileged): EPERM for S_IFCHR and S_IFBLK."""
    c = atf(module_server.url, "t_mknod", "unprivileged")
    s = c.mem.str
    assert c.err("__mknod50", s(PATH), S.S_IFCHR, 0) == E.EPERM
    assert c.err("__mknod50", s(PATH), S.S_IFBLK, 0) == E.EPERM


def test_mknod_stat(module_server: ServerProcess) -> None:
    """mknod_stat: the node made has the type asked for (character, block, regular)."""
    c = atf(module_server.url, "t_mknod")
    s = c.mem.str
    for kind, check in ((S.S_IFCHR, S.S_ISCHR), (S.S_IFBLK, S.S_ISBLK), (S.S_IFREG, S.S_ISREG)):
        assert c.err("__mknod50", s(PATH), kind, 0) == 0
        assert check(st(c, PATH).mode), f"invalid mode from mknod(2) ({kind:o})"
        assert c.err("unlink", s(PATH)) == 0
