"""NetBSD tests/lib/libc/sys/t_getlogin.c: getlogin_r(3), getlogin(2) and setlogin(2).

The file is not in the indexed NetBSD/src; its text (v1.1, 2011) was read from
a copy another project carries. getlogin() and getlogin_r() are libc over the
__getlogin system call: libc asks for the name into a MAXLOGNAME buffer and
getlogin_r answers ERANGE itself when the caller's buffer cannot hold it
(the kernel copies at most namelen bytes and never fails for size). The
forked C children are forked kernel processes (rumpclient_fork).
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi.limits import MAXLOGNAME

from support.atf import BADADDR, atf
from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess


def getlogin(c: RawClient) -> bytes:
    """libc getlogin(): __getlogin(buf, MAXLOGNAME), the name up to its NUL."""
    buf = c.mem.out(MAXLOGNAME)
    assert c.ok("__getlogin", buf, MAXLOGNAME) == 0
    return c.mem.get(buf, MAXLOGNAME).split(b"\0", 1)[0]


def getlogin_r(c: RawClient, namelen: int) -> tuple[int, bytes]:
    """libc getlogin_r(): ERANGE if the name and its NUL do not fit in namelen."""
    name = getlogin(c)
    if len(name) + 1 > namelen:
        return E.ERANGE, b""
    return 0, name


def test_getlogin_r_err(module_server: ServerProcess) -> None:
    """getlogin_r_err: a zero-length buffer is ERANGE."""
    c = atf(module_server.url, "t_getlogin")
    assert getlogin_r(c, 0)[0] == E.ERANGE


def test_getlogin_same(module_server: ServerProcess) -> None:
    """getlogin_same: getlogin() and getlogin_r() give the same name."""
    c = atf(module_server.url, "t_getlogin")
    name = getlogin(c)
    err, buf = getlogin_r(c, MAXLOGNAME)
    assert err == 0
    assert name == buf, "getlogin(2) and getlogin_r(2) differ"


def test_setlogin_basic(module_server: ServerProcess) -> None:
    """setlogin_basic: root's child in a new session sets "foobar" and getlogin() says so."""
    parent = atf(module_server.url, "t_getlogin")
    child = fork(parent, module_server.url)
    child.call("setsid")
    assert child.ok("__setlogin", child.mem.str("foobar")) == 0
    assert getlogin(child) == b"foobar", "setlogin(2) failed to set login name"


def test_setlogin_err(module_server: ServerProcess) -> None:
    """setlogin_err: a name of MAXLOGNAME + 1 bytes is EINVAL, (void *)-1 EFAULT; the name stays."""
    parent = atf(module_server.url, "t_getlogin")
    child = fork(parent, module_server.url)
    child.call("setsid")
    assert child.err("__setlogin", child.mem.buf(b"x" * (MAXLOGNAME + 1))) == E.EINVAL
    assert child.err("__setlogin", BADADDR) == E.EFAULT
    assert getlogin(child) != b"foobar", "setlogin(2) failed, but login name was set"


def test_setlogin_perm(module_server: ServerProcess) -> None:
    """setlogin_perm: an unprivileged process may not set its login name (EPERM)."""
    parent = atf(module_server.url, "t_getlogin", user="unprivileged")
    child = fork(parent, module_server.url)
    child.call("setsid")
    assert child.err("__setlogin", child.mem.str("foobar")) == E.EPERM
    assert getlogin(child) != b"foobar", "login name was set as an unprivileged user"
