"""Advisory locks between client processes: fcntl byte ranges and flock."""
from __future__ import annotations

import struct
import threading
import time

from support.fsclient import FS, O_CREAT, O_RDWR
from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F


def _background(c: RawClient, *call: object) -> tuple[threading.Thread, list]:
    """Run a blocking call on its own thread (the client serves its copies there)."""
    out: list = []
    t = threading.Thread(target=lambda: out.append(c.call(*call)))  # type: ignore[arg-type]
    t.start()
    time.sleep(0.3)
    return t, out


def _flock(fs: FS, ltype: int, start: int = 0, length: int = 0) -> int:
    return fs.m.buf(F.pack_flock(start, length, 0, ltype, F.SEEK_SET))


def test_posix_locks_block_across_processes(server: ServerProcess) -> None:
    a, b = FS(RawClient(server.url)), FS(RawClient(server.url))
    fda = a.open("/tmp/l", O_CREAT | O_RDWR, 0o644)[1]
    fdb = b.open("/tmp/l", O_RDWR)[1]
    assert a.c.err("fcntl", fda, F.F_SETLK, _flock(a, F.F_WRLCK, 0, 10)) == 0
    assert b.c.err("fcntl", fdb, F.F_SETLK, _flock(b, F.F_RDLCK, 5, 1)) == E.EAGAIN
    assert b.c.err("fcntl", fdb, F.F_SETLK, _flock(b, F.F_WRLCK, 10, 5)) == 0
    q = _flock(b, F.F_WRLCK, 0, 0)
    assert b.c.err("fcntl", fdb, F.F_GETLK, q) == 0
    start, length, pid, ltype, whence = struct.unpack("<qqihh", b.m.get(q, 24))
    assert (start, length, ltype) == (0, 10, F.F_WRLCK) and pid == a.c.call("getpid")[1]
    t, out = _background(b.c, "fcntl", fdb, F.F_SETLKW, _flock(b, F.F_WRLCK, 0, 1))
    assert not out  # b is asleep on a's lock
    assert a.c.err("fcntl", fda, F.F_SETLKW, _flock(a, F.F_WRLCK, 10, 1)) == E.EDEADLK
    a.c.ok("close", fda)  # closing any descriptor drops the process's locks
    t.join(5)
    assert out and out[0][0] == 0


def test_flock_shared_and_exclusive(server: ServerProcess) -> None:
    a, b = FS(RawClient(server.url)), FS(RawClient(server.url))
    fda = a.open("/tmp/k", O_CREAT | O_RDWR, 0o644)[1]
    fdb = b.open("/tmp/k", O_RDWR)[1]
    assert a.c.err("flock", fda, F.LOCK_SH) == 0
    assert b.c.err("flock", fdb, F.LOCK_SH) == 0
    assert b.c.err("flock", fdb, F.LOCK_EX | F.LOCK_NB) == E.EAGAIN
    t, out = _background(b.c, "flock", fdb, F.LOCK_EX)
    assert not out
    assert a.c.err("flock", fda, F.LOCK_UN) == 0
    t.join(5)
    assert out and out[0][0] == 0
    assert a.c.err("flock", fda, F.LOCK_SH | F.LOCK_NB) == E.EAGAIN
    b.c.close()  # the process goes away: its open file and lock with it
    assert a.c.err("flock", fda, F.LOCK_EX) == 0
