"""NetBSD tests/lib/libc/sys/t_access.c: access(2) errors, in an ATF work directory."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.atf import BADADDR, PATH_MAX, atf, open_
from support.server import ServerProcess

PATH = "access"
MODE = [F.R_OK, F.W_OK, F.X_OK, F.F_OK]


def test_access_access(module_server: ServerProcess) -> None:
    """access_access (require.user unprivileged): EACCES after fchmod 0200, 0400, 0000."""
    c = atf(module_server.url, "t_access", "unprivileged")
    err, fd = open_(c, PATH, F.O_RDONLY | F.O_CREAT)
    assert err == 0
    for perm, mode in zip((0o200, 0o400, 0o000), MODE[:3], strict=True):
        assert c.err("fchmod", fd, perm) == 0
        assert c.err("access", c.mem.str(PATH), mode) == E.EACCES
    assert c.err("close", fd) == 0


def test_access_fault(module_server: ServerProcess) -> None:
    """access_fault: NULL and (char *)-1 are EFAULT for every mode."""
    c = atf(module_server.url, "t_access")
    for mode in MODE:
        assert c.err("access", 0, mode) == E.EFAULT
        assert c.err("access", BADADDR, mode) == E.EFAULT


def test_access_inval(module_server: ServerProcess) -> None:
    """access_inval: a mode of -1 is EINVAL."""
    c = atf(module_server.url, "t_access")
    assert c.err("access", c.mem.str("/usr"), -1) == E.EINVAL


def test_access_notdir(module_server: ServerProcess) -> None:
    """access_notdir: "/etc/passwd//" (a file with trailing slashes) is ENOTDIR."""
    c = atf(module_server.url, "t_access")
    for mode in MODE:
        assert c.err("access", c.mem.str("/etc/passwd//"), mode) == E.ENOTDIR


def test_access_notexist(module_server: ServerProcess) -> None:
    """access_notexist: the empty path is ENOENT."""
    c = atf(module_server.url, "t_access")
    for mode in MODE:
        assert c.err("access", c.mem.str(""), mode) == E.ENOENT


def test_access_toolong(module_server: ServerProcess) -> None:
    """access_toolong: PATH_MAX 'x' bytes with no NUL in them is ENAMETOOLONG."""
    c = atf(module_server.url, "t_access")
    buf = c.mem.buf(b"x" * PATH_MAX)  # malloc(PATH_MAX) filled, unterminated
    for mode in MODE:
        assert c.err("access", buf, mode) == E.ENAMETOOLONG
