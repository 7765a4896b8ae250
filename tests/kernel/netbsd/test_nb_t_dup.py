"""NetBSD tests/lib/libc/sys/t_dup.c: dup(2), dup2(2), dup3(2)."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import limits as L

from support.atf import atf, fstat, mkstemp, open_
from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess

PATH = "dup"
STDERR_FILENO = 2


def _check_mode(c: RawClient, how: str) -> None:
    """check_mode(): a duplicated descriptor has the mode of the original file."""
    for mode in (F.O_RDONLY, F.O_WRONLY, F.O_RDWR):
        for perm in (0o700, 0o400, 0o600, 0o444, 0o666):
            err1, fd1 = open_(c, PATH, mode | F.O_CREAT, perm)
            err2, fd2 = open_(c, "/etc/passwd", F.O_RDONLY)
            assert err1 == 0 and fd1 >= 0
            assert err2 == 0 and fd2 >= 0
            if how == "dup":
                err, fd, _ = c.call("dup", fd1)
            elif how == "dup2":
                err, fd, _ = c.call("dup2", fd1, fd2)
            else:
                err, fd, _ = c.call("dup3", fd1, fd2, F.O_CLOEXEC)
            assert err == 0 and fd >= 0
            e, st = fstat(c, fd)
            e1, st1 = fstat(c, fd1)
            assert e == 0 and e1 == 0
            assert st is not None and st1 is not None and st.mode == st1.mode, "invalid mode"
            c.err("close", fd)
            c.err("close", fd1)
            c.err("close", fd2)
            c.err("unlink", c.mem.str(PATH))


def _nofile(c: RawClient) -> int:
    out = c.mem.out(16)
    c.err("getrlimit", L.RLIMIT_NOFILE, out)
    return L.unpack_rlimit(c.mem.get(out, 16))[0]


def test_dup2_basic(module_server: ServerProcess) -> None:
    """dup2_basic: dup2(fd1, fd2) returns fd2; closing it twice fails the second time."""
    c = atf(module_server.url, "t_dup")
    _, fd1 = open_(c, "/etc/passwd", F.O_RDONLY)
    _, fd2 = open_(c, "/etc/passwd", F.O_RDONLY)
    assert fd1 >= 0 and fd2 >= 0
    err, fd, _ = c.call("dup2", fd1, fd2)
    assert err == 0 and fd >= 0
    assert fd == fd2, "invalid descriptor"
    c.err("close", fd)
    c.err("close", fd1)
    assert c.err("close", fd2) != 0


def test_dup2_err(module_server: ServerProcess) -> None:
    """dup2_err: EBADF for -1 on either side; dup2(fd, fd) succeeds (not EINVAL)."""
    c = atf(module_server.url, "t_dup")
    err, fd = open_(c, "/etc/passwd", F.O_RDONLY)
    assert err == 0
    assert c.err("dup2", -1, -1) == E.EBADF
    assert c.err("dup2", fd, -1) == E.EBADF
    assert c.err("dup2", -1, fd) == E.EBADF
    assert c.err("dup2", fd, fd) == 0
    c.err("close", fd)


def test_dup2_max(module_server: ServerProcess) -> None:
    """dup2_max: dup2(STDERR_FILENO, RLIMIT_NOFILE + 1) is EBADF."""
    c = atf(module_server.url, "t_dup")
    assert c.err("dup2", STDERR_FILENO, _nofile(c) + 1) == E.EBADF


def test_dup2_mode(module_server: ServerProcess) -> None:
    """dup2_mode: check_mode() with dup2."""
    _check_mode(atf(module_server.url, "t_dup"), "dup2")


def test_dup3_err(module_server: ServerProcess) -> None:
    """dup3_err (PR lib/45148): dup3(fd, fd, O_CLOEXEC) succeeds; EBADF for -1; EINVAL
    for a flag other than O_CLOEXEC/O_NONBLOCK."""
    c = atf(module_server.url, "t_dup")
    err, fd = open_(c, "/etc/passwd", F.O_RDONLY)
    assert err == 0
    assert c.err("dup3", fd, fd, F.O_CLOEXEC) == 0
    assert c.err("dup3", -1, -1, F.O_CLOEXEC) == E.EBADF
    assert c.err("dup3", fd, -1, F.O_CLOEXEC) == E.EBADF
    assert c.err("dup3", -1, fd, F.O_CLOEXEC) == E.EBADF
    assert c.err("dup3", fd, 1, F.O_NOFOLLOW) == E.EINVAL
    c.err("close", fd)


def test_dup3_max(module_server: ServerProcess) -> None:
    """dup3_max: dup3(STDERR_FILENO, RLIMIT_NOFILE + 1, O_CLOEXEC) is EBADF."""
    c = atf(module_server.url, "t_dup")
    assert c.err("dup3", STDERR_FILENO, _nofile(c) + 1, F.O_CLOEXEC) == E.EBADF


def test_dup3_mode(module_server: ServerProcess) -> None:
    """dup3_mode: check_mode() with dup3(O_CLOEXEC)."""
    _check_mode(atf(module_server.url, "t_dup"), "dup3")


def test_dup_err(module_server: ServerProcess) -> None:
    """dup_err: dup(-1) is EBADF."""
    c = atf(module_server.url, "t_dup")
    assert c.err("dup", -1) == E.EBADF


def test_dup_max(module_server: ServerProcess) -> None:
    """dup_max: a child that closefrom(0)s, sets RLIMIT_NOFILE to 10 and opens 10 files
    gets EMFILE from dup."""
    c = atf(module_server.url, "t_dup")
    child = fork(c, module_server.url)
    child.err("fcntl", 0, F.F_CLOSEM, 0)  # closefrom(0)
    n = 10
    assert child.err("setrlimit", L.RLIMIT_NOFILE, child.mem.buf(L.pack_rlimit(n, n))) == 0
    buf0, path = mkstemp(child, PATH)
    assert buf0 >= 0
    for _ in range(1, n):
        err, fd = open_(child, path, F.O_RDONLY)
        assert err == 0 and fd >= 0
    assert child.call("dup", buf0)[0] == E.EMFILE, "dup(2) dupped more than RLIMIT_NOFILE"
    child.close()
    c.err("unlink", c.mem.str(path))


def test_dup_mode(module_server: ServerProcess) -> None:
    """dup_mode: check_mode() with dup."""
    _check_mode(atf(module_server.url, "t_dup"), "dup")
