"""NetBSD tests/kernel/kqueue/read/t_file.c: EVFILT_READ on a regular file that another
process appends to (a "tail -f").

The child (rumpclient_fork, as fork(2)) waits, then five times opens the file
O_WRONLY | O_APPEND, writes "foo\\n" and closes it, pausing between lines; the
parent opened the file O_RDONLY | O_CREAT, seeked to its end and registered
EVFILT_READ with EV_ADD | EV_ENABLE, then collects one event and reads per line.
The C child sleeps 1 s between lines; the port pauses DELAY seconds (the same
sequence, shorter), and its kevent waits at most WAIT seconds where the C test's
waits forever, so that a missing wakeup fails instead of hanging the suite.
"""
from __future__ import annotations

import time

from sysproxy.abi import event as EV
from sysproxy.abi import fcntl as F

from support.bg import bg
from support.nb import fork, kevent, open_, read, write
from support.rawclient import RawClient
from support.server import ServerProcess

FILENAME = "file"
NLINES = 5
DELAY = 0.4
WAIT = 30


def child(c: RawClient) -> None:
    time.sleep(DELAY)
    for _ in range(NLINES):
        err, fd = open_(c, FILENAME, F.O_WRONLY | F.O_APPEND, 0o644)
        assert err == 0, f"open(): {err}"
        assert write(c, fd, b"foo\n") == (0, 4)
        c.call("close", fd)
        time.sleep(DELAY)
    c.close()  # _exit(0)


def test_file(server: ServerProcess) -> None:
    """Ports ATF case file: checks EVFILT_READ on regular file."""
    c = RawClient(server.url, "t_file")
    assert c.err("chdir", c.mem.str("/tmp")) == 0
    kid = fork(c, server.url)
    done = bg(child, kid)

    err, fd = open_(c, FILENAME, F.O_RDONLY | F.O_CREAT, 0o644)
    assert err == 0
    assert c.call("lseek", fd, 0, 0, F.SEEK_END)[0] == 0
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(fd, EV.EVFILT_READ, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])

    num = 0
    got = b""
    while num < NLINES:
        err, evs = kevent(c, kq, [], 1, WAIT)
        assert err == 0
        assert len(evs) == 1, "kevent timed out: the append never woke the reader"
        num += len(evs)
        ident, filt, _flags, _fflags, data, _udata = evs[0]
        assert (ident, filt) == (fd, EV.EVFILT_READ)
        if data < 0:
            assert c.call("lseek", fd, 0, 0, F.SEEK_END)[0] == 0
        err, buf = read(c, fd, 128)
        assert err == 0
        got += buf

    done.result(WAIT)  # waitpid(pid, &status, 0)
    assert got == b"foo\n" * NLINES
    c.close()
