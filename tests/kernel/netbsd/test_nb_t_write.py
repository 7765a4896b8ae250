"""NetBSD tests/lib/libc/sys/t_write.c: write(2), writev(2).

write_fault's buffer is an mmap(PROT_NONE) page; here it is an address the
client does not serve (the copy-in is refused), which is what an unreadable
page is to a rump kernel. read_fault is skipped: read(2) hands its data to the
client in a COPYOUT, which has no reply in RUMPSP, so the kernel cannot learn
that the destination is unwritable.
"""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import limits as L
from sysproxy.abi import signal as SIG

from support.atf import BADADDR, atf, open_
from support.nb import pipe
from support.server import ServerProcess

PATH = "write"
SIZE_MAX = 0xFFFFFFFFFFFFFFFF


def test_write_err(module_server: ServerProcess) -> None:
    """write_err: EBADF, EINVAL for SIZE_MAX bytes, EFAULT for (void *)-1; the file keeps "xyz"."""
    c = atf(module_server.url, "t_write")
    wbuf = c.mem.buf(b"xyz")
    assert c.err("write", -1, wbuf, 3) == E.EBADF
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT)
    assert err == 0
    assert c.call("write", fd, wbuf, 3)[:2] == (0, 3)
    assert c.err("write", fd, wbuf, SIZE_MAX) == E.EINVAL
    assert c.err("write", fd, BADADDR, 1) == E.EFAULT
    assert c.call("lseek", fd, 0, 0, F.SEEK_SET)[:2] == (0, 0)
    rbuf = c.mem.buf(b"abc")
    assert c.call("read", fd, rbuf, 3)[:2] == (0, 3)
    assert c.mem.get(rbuf, 3) == b"xyz"
    c.err("close", fd)
    c.err("unlink", c.mem.str(PATH))


def test_write_pipe(module_server: ServerProcess) -> None:
    """write_pipe: writing to a pipe without reader is EPIPE and raises SIGPIPE (a handler
    is installed, so the process lives: the signal reaches the client as RAISE)."""
    c = atf(module_server.url, "t_write")
    r, w = pipe(c)
    assert c.call("write", w, c.mem.buf(b"x"), 1)[0] == 0
    assert c.err("close", r) == 0
    assert c.err("write", w, c.mem.buf(b"x"), 1) == E.EPIPE, "expected EPIPE"
    assert c.err("close", w) == 0
    assert SIG.SIGPIPE in c.raised, "SIGPIPE was not raised"


def test_write_pos(module_server: ServerProcess) -> None:
    """write_pos: each write moves the offset (lseek SEEK_CUR) by one."""
    c = atf(module_server.url, "t_write")
    err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT)
    assert err == 0
    x = c.mem.buf(b"x")
    for i in range(123):
        assert c.call("write", fd, x, 1)[:2] == (0, 1)
        assert c.call("lseek", fd, 0, 0, F.SEEK_CUR)[:2] == (0, i + 1)
    assert c.err("close", fd) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0


def test_write_ret(module_server: ServerProcess) -> None:
    """write_ret: 99 writes of 123 bytes return 99 * 123 in all."""
    c = atf(module_server.url, "t_write")
    err, fd = open_(c, PATH, F.O_WRONLY | F.O_CREAT)
    assert err == 0
    buf = c.mem.buf(b"x" * 123)
    j = sum(c.call("write", fd, buf, 123)[1] for _ in range(99))
    assert j == 99 * 123, "inconsistent return values from write(2)"
    c.err("close", fd)
    c.err("unlink", c.mem.str(PATH))


def test_writev_iovmax(module_server: ServerProcess) -> None:
    """writev_iovmax: writev(2, NULL, IOV_MAX + 1) is EINVAL (and releases the descriptor)."""
    c = atf(module_server.url, "t_write")
    assert c.call("writev", 2, 0, L.IOV_MAX + 1)[0] == E.EINVAL
    assert c.call("write", 2, c.mem.buf(b"x"), 1)[:2] == (0, 1)  # fd 2 still usable


def test_write_fault(module_server: ServerProcess) -> None:
    """write_fault: writing 8192 bytes from unreadable memory to a pipe is EFAULT."""
    c = atf(module_server.url, "t_write")
    r, w = pipe(c)
    unmapped = 0x7F0000000000  # no buffer of the client's is there
    assert c.call("write", w, unmapped, 8192)[0] == E.EFAULT
    c.err("close", r)
    c.err("close", w)


def test_read_fault() -> None:
    """read_fault: read(2) from /dev/zero into mmap(PROT_NONE) memory is EFAULT."""
    pytest.skip("a COPYOUT has no reply in RUMPSP: the kernel cannot see an unwritable "
                "client page (and there is no client mmap here)")
