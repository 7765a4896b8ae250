"""NetBSD tests/lib/libc/sys/t_link.c: link(2).

getpath() appends "link.link" to getcwd() without a slash, so the link is a
sibling of the work directory in /tmp; the port keeps that.
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.atf import BADADDR, atf, getcwd, open_, st
from support.rawclient import RawClient
from support.server import ServerProcess

PATH = "link"
MAXPATHLEN = 1024


def _getpath(c: RawClient) -> str:
    return getcwd(c) + PATH + ".link"


def test_link_count(module_server: ServerProcess) -> None:
    """link_count: link(2) adds one to st_nlink."""
    c = atf(module_server.url, "t_link")
    pathl = _getpath(c)
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    sa = st(c, PATH)
    assert c.err("link", c.mem.str(PATH), c.mem.str(pathl)) == 0
    sb = st(c, PATH)
    assert sa.nlink == sb.nlink - 1, "incorrect link(2) count"
    assert c.err("close", fd) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0
    assert c.err("unlink", c.mem.str(pathl)) == 0


def test_link_err(module_server: ServerProcess) -> None:
    """link_err: EEXIST, ENAMETOOLONG (MAXPATHLEN + 1 bytes), ENOENT, EFAULT."""
    c = atf(module_server.url, "t_link")
    buf = c.mem.buf(b"x" * (MAXPATHLEN + 1))
    pathl = _getpath(c)
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    s = c.mem.str
    assert c.err("link", s(PATH), s(pathl)) == 0
    assert c.err("link", s(PATH), s(pathl)) == E.EEXIST
    assert c.err("link", buf, s("xxx")) == E.ENAMETOOLONG
    assert c.err("link", s(PATH), s("/d/c/b/a")) == E.ENOENT
    assert c.err("link", s("/a/b/c/d"), s(PATH)) == E.ENOENT
    assert c.err("link", s("/a/b/c/d"), s("/d/c/b/a")) == E.ENOENT
    assert c.err("link", s(PATH), BADADDR) == E.EFAULT
    assert c.err("link", BADADDR, s("xxx")) == E.EFAULT
    assert c.err("close", fd) == 0
    assert c.err("unlink", s(PATH)) == 0
    assert c.err("unlink", s(pathl)) == 0


def test_link_perm(module_server: ServerProcess) -> None:
    """link_perm (unprivileged): linking /root is EACCES or EPERM, /root/.profile EACCES."""
    c = atf(module_server.url, "t_link", "unprivileged")
    s = c.mem.str
    assert c.err("link", s("/root"), s("/root.link")) in (E.EACCES, E.EPERM)
    assert c.err("link", s("/root/.profile"), s("/root/.profile.link")) == E.EACCES


def test_link_stat(module_server: ServerProcess) -> None:
    """link_stat: stat(path) and lstat(link) agree on uid, mode and inode."""
    c = atf(module_server.url, "t_link")
    pathl = _getpath(c)
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    assert c.err("link", c.mem.str(PATH), c.mem.str(pathl)) == 0
    sa = st(c, PATH)
    sb = st(c, pathl, "__lstat50")
    assert sa.uid == sb.uid, "unequal UIDs"
    assert sa.mode == sb.mode, "unequal modes"
    assert sa.ino == sb.ino, "unequal inodes"
    assert c.err("close", fd) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0
    assert c.err("unlink", c.mem.str(pathl)) == 0
