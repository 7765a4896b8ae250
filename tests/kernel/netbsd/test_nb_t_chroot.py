"""NetBSD tests/lib/libc/sys/t_chroot.c: chroot(2) and fchroot(2).

Where the C test forks and checks the child's exit status, the port forks a
kernel process (rumpclient_fork) and makes the child's calls on it.
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.atf import BADADDR, NOBODY_UID, PATH_MAX, atf, getcwd, open_
from support.nb import fork
from support.server import ServerProcess


def _basic(server: ServerProcess, use_fd: bool) -> None:
    c = atf(server.url, "t_chroot")
    buf = getcwd(c) + "/dir"
    assert c.err("mkdir", c.mem.str(buf), 0o500) == 0
    assert c.err("chdir", c.mem.str(buf)) == 0
    if use_fd:
        err, fd = open_(c, buf, F.O_RDONLY)
        assert err == 0 and fd >= 0
    child = fork(c, server.url)
    if use_fd:
        assert child.err("fchroot", fd) == 0
        assert child.err("close", fd) == 0
    else:
        assert child.err("chroot", child.mem.str(buf)) == 0
        assert child.err("chroot", child.mem.str("/root")) == E.ENOENT
    err, cfd = open_(child, "file", F.O_RDONLY | F.O_CREAT, 0o600)
    assert err == 0
    assert child.err("close", cfd) == 0
    child.close()
    c.err("chdir", c.mem.str("/"))
    err, fd2 = open_(c, buf + "/file", F.O_RDONLY)
    assert err == 0, "chroot did not change the root directory"
    assert c.err("close", fd2) == 0
    assert c.err("unlink", c.mem.str(buf + "/file")) == 0


def test_chroot_basic(module_server: ServerProcess) -> None:
    """chroot_basic: the child chroots into ./dir (0500); /root is then ENOENT; a file it
    creates as "file" is <cwd>/dir/file from outside."""
    _basic(module_server, use_fd=False)


def test_chroot_err(module_server: ServerProcess) -> None:
    """chroot_err: ENAMETOOLONG (PATH_MAX + 1 bytes), EFAULT, ENOENT."""
    c = atf(module_server.url, "t_chroot")
    assert c.err("chroot", c.mem.buf(b"x" * (PATH_MAX + 1))) == E.ENAMETOOLONG
    assert c.err("chroot", BADADDR) == E.EFAULT
    assert c.err("chroot", c.mem.str("/a/b/c/d/e/f/g/h/i/j")) == E.ENOENT


def test_chroot_perm(module_server: ServerProcess) -> None:
    """chroot_perm (unprivileged): the forked child's chroot(cwd) is EPERM."""
    c = atf(module_server.url, "t_chroot", "unprivileged")
    buf = getcwd(c)
    child = fork(c, module_server.url)
    assert child.err("chroot", child.mem.str(buf)) == E.EPERM


def test_fchroot_basic(module_server: ServerProcess) -> None:
    """fchroot_basic: as chroot_basic, through a descriptor of ./dir."""
    _basic(module_server, use_fd=True)


def test_fchroot_err(module_server: ServerProcess) -> None:
    """fchroot_err: EBADF for -1, ENOTDIR for /etc/passwd."""
    c = atf(module_server.url, "t_chroot")
    err, fd = open_(c, "/etc/passwd", F.O_RDONLY)
    assert err == 0
    assert c.err("fchroot", -1) == E.EBADF
    assert c.err("fchroot", fd) == E.ENOTDIR
    assert c.err("close", fd) == 0


def test_fchroot_perm(module_server: ServerProcess) -> None:
    """fchroot_perm: a child that setuid(nobody) gets EPERM from fchroot(cwd's fd)."""
    c = atf(module_server.url, "t_chroot")
    err, fd = open_(c, getcwd(c), F.O_RDONLY)
    assert err == 0
    child = fork(c, module_server.url)
    child.err("setuid", NOBODY_UID)
    assert child.err("fchroot", fd) == E.EPERM
