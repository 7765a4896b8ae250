"""NetBSD tests/lib/libc/sys/t_truncate.c: truncate(2), ftruncate(2)."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F

from support.atf import BADADDR, atf, fstat, open_
from support.server import ServerProcess

PATH = "truncate"
SIZES = (8, 16, 512, 1024, 2048, 4094, 3000, 30)


def test_ftruncate_basic(module_server: ServerProcess) -> None:
    """ftruncate_basic: st_size follows each ftruncate, up and down."""
    c = atf(module_server.url, "t_truncate")
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    for size in SIZES:
        assert c.err("ftruncate", fd, 0, size) == 0
        e, sb = fstat(c, fd)
        assert e == 0 and sb is not None
        assert sb.size == size, "ftruncate(2) did not truncate"
    c.err("close", fd)
    c.err("unlink", c.mem.str(PATH))


def test_ftruncate_err(module_server: ServerProcess) -> None:
    """ftruncate_err (unprivileged): EBADF for -1, EINVAL for a descriptor not open for writing."""
    c = atf(module_server.url, "t_truncate", "unprivileged")
    err, fd = open_(c, "/etc/passwd", F.O_RDONLY, 0o400)
    assert err == 0
    assert c.err("ftruncate", -1, 0, 999) == E.EBADF
    assert c.err("ftruncate", fd, 0, 999) == E.EINVAL
    c.err("close", fd)


def test_truncate_basic(module_server: ServerProcess) -> None:
    """truncate_basic: st_size of an open file follows truncate(path)."""
    c = atf(module_server.url, "t_truncate")
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o600)
    assert err == 0
    for size in SIZES:
        assert c.err("truncate", c.mem.str(PATH), 0, size) == 0
        e, sb = fstat(c, fd)
        assert e == 0 and sb is not None
        assert sb.size == size, "truncate(2) did not truncate"
    c.err("close", fd)
    c.err("unlink", c.mem.str(PATH))


def test_truncate_err(module_server: ServerProcess) -> None:
    """truncate_err (unprivileged): EFAULT, EISDIR (/etc), ENOENT, EACCES on a file root
    made with touch(1) (mode 0644, root:wheel) as the Makefile's setup-t_truncate does."""
    c = atf(module_server.url, "t_truncate", "unprivileged")
    root = c.parent  # type: ignore[attr-defined]  # the root process, same work directory
    err, rfd = open_(root, "truncate_test.root_owned", F.O_WRONLY | F.O_CREAT, 0o644)
    assert err == 0
    root.ok("close", rfd)
    assert c.err("truncate", BADADDR, 0, 999) == E.EFAULT
    assert c.err("truncate", c.mem.str("/etc"), 0, 999) == E.EISDIR
    assert c.err("truncate", c.mem.str("/a/b/c/d/e/f/g"), 0, 999) == E.ENOENT
    assert c.err("truncate", c.mem.str("truncate_test.root_owned"), 0, 999) == E.EACCES
