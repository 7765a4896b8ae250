"""POSIX semaphores over real connections: ids are descriptors, names shared between
client processes, blocking waits woken by posts from another process, EINTR, timeouts."""
from __future__ import annotations

import struct
import time

from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import signal as SIG
from sysproxy.abi import stat as S
from sysproxy.abi import time as T

from support.rawclient import RawClient
from support.server import ServerProcess

VALUE_MAX = 0xFFFFFFFF


def init(c: RawClient, value: int) -> int:
    out = c.mem.out(8)
    c.ok("_ksem_init", value, out)
    return struct.unpack("<q", c.mem.get(out, 8))[0]


def sem_open(c: RawClient, name: str, oflag: int = 0, mode: int = 0o600,
             value: int = 0) -> tuple[int, int]:
    out = c.mem.out(8)
    err = c.err("_ksem_open", c.mem.str(name), oflag, mode, value, out)
    return err, struct.unpack("<q", c.mem.get(out, 8))[0]


def getvalue(c: RawClient, sid: int) -> int:
    out = c.mem.out(4)
    c.ok("_ksem_getvalue", sid, out)
    return struct.unpack("<I", c.mem.get(out, 4))[0]


def test_unnamed_semaphore(client: RawClient) -> None:
    sid = init(client, 2)
    assert sid == 3  # the next descriptor after the console
    assert getvalue(client, sid) == 2
    assert client.ok("_ksem_trywait", sid) == 0
    assert client.ok("_ksem_wait", sid) == 0
    assert client.err("_ksem_trywait", sid) == E.EAGAIN
    assert client.ok("_ksem_post", sid) == 0
    assert getvalue(client, sid) == 1
    # a descriptor of another kind is no semaphore
    assert client.err("_ksem_post", 0) == E.EINVAL
    assert client.err("_ksem_post", 99) == E.EINVAL
    st = client.mem.out(S.STAT_SIZE)
    client.ok("__fstat50", sid, st)
    s = S.unpack_stat(client.mem.get(st, S.STAT_SIZE))
    assert S.S_ISREG(s.mode) and s.size == 1
    assert client.ok("_ksem_destroy", sid) == 0
    assert client.err("_ksem_getvalue", sid, client.mem.out(4)) == E.EINVAL
    assert client.err("fcntl", sid, F.F_GETFD, 0) == E.EBADF


def test_overflow(client: RawClient) -> None:
    sid = init(client, VALUE_MAX)
    assert client.err("_ksem_post", sid) == E.EOVERFLOW
    assert getvalue(client, sid) == VALUE_MAX


def test_named_shared_between_processes(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    assert sem_open(a, "/nosuch")[0] == E.ENOENT
    err, sa = sem_open(a, "/s1", F.O_CREAT | F.O_EXCL, 0o600, 0)
    assert err == 0
    assert sem_open(b, "/s1", F.O_CREAT | F.O_EXCL)[0] == E.EEXIST
    err, sb = sem_open(b, "/s1", F.O_CREAT, 0o600, 5)  # exists: value ignored
    assert err == 0
    assert getvalue(b, sb) == 0
    req = a.start("_ksem_wait", sa)  # blocks
    time.sleep(0.1)
    assert b.ok("_ksem_post", sb) == 0
    assert a.result(req) == (0, 0, 0)
    assert getvalue(b, sb) == 0
    # named semaphores cannot be destroyed, only closed
    assert b.err("_ksem_destroy", sb) == E.EINVAL
    # unlink: the name goes, open semaphores live on
    assert a.ok("_ksem_unlink", a.mem.str("/s1")) == 0
    assert a.err("_ksem_unlink", a.mem.str("/s1")) == E.ENOENT
    assert sem_open(a, "/s1")[0] == E.ENOENT
    assert a.ok("_ksem_post", sa) == 0
    assert getvalue(b, sb) == 1
    assert b.ok("_ksem_close", sb) == 0
    assert b.err("_ksem_close", sb) == E.EBADF


def test_names_and_permissions(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    assert sem_open(a, "noslash", F.O_CREAT)[0] == E.EINVAL
    assert sem_open(a, "/", F.O_CREAT)[0] == E.EINVAL
    assert sem_open(a, "/a/b", F.O_CREAT)[0] == E.EINVAL
    assert sem_open(a, "/" + "x" * 14, F.O_CREAT)[0] == E.ENAMETOOLONG
    assert sem_open(a, "/" + "x" * 13, F.O_CREAT)[0] == 0
    assert sem_open(a, "/priv", F.O_CREAT, 0o600)[0] == 0
    assert b.ok("setuid", 1000) == 0
    assert sem_open(b, "/priv")[0] == E.EACCES
    assert b.err("_ksem_unlink", b.mem.str("/priv")) == E.EACCES
    assert sem_open(a, "/pub", F.O_CREAT, 0o666)[0] == 0
    assert sem_open(b, "/pub")[0] == 0


def test_wait_is_interruptible(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    sid = init(a, 0)
    req = a.start("_ksem_wait", sid)
    time.sleep(0.1)
    # a waiter makes destroy fail
    assert a.err("_ksem_destroy", sid) == E.EBUSY
    b.ok("kill", a.ok("getpid"), SIG.SIGUSR1)
    assert a.result(req)[0] == E.EINTR
    assert a.raised == [SIG.SIGUSR1]
    assert a.ok("_ksem_destroy", sid) == 0


def test_timedwait(client: RawClient) -> None:
    sid = init(client, 0)
    ts = client.mem.out(16)
    client.ok("__clock_gettime50", T.CLOCK_REALTIME, ts)
    now = T.timespec_to_ns(*T.unpack_timespec(client.mem.get(ts, 16)))
    t0 = time.monotonic()
    deadline = client.mem.buf(T.pack_timespec(*T.ns_to_timespec(now + 200_000_000)))
    assert client.err("_ksem_timedwait", sid, deadline) == E.ETIMEDOUT
    assert 0.15 < time.monotonic() - t0 < 2
    past = client.mem.buf(T.pack_timespec(1, 0))
    assert client.err("_ksem_timedwait", sid, past) == E.ETIMEDOUT
    bad = client.mem.buf(T.pack_timespec(1, 1_000_000_000))
    assert client.err("_ksem_timedwait", sid, bad) == E.EINVAL
    assert client.ok("_ksem_post", sid) == 0
    assert client.ok("_ksem_timedwait", sid, past) == 0  # available: no timeout check


def test_fork_inherits_semaphore(server: ServerProcess) -> None:
    parent = RawClient(server.url)
    sid = init(parent, 0)
    child = RawClient(server.url, handshake=False)
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(parent.prefork()))
    req = parent.start("_ksem_wait", sid)
    time.sleep(0.1)
    assert child.ok("_ksem_post", sid) == 0
    assert parent.result(req) == (0, 0, 0)


def test_exit_of_waiter_leaves_semaphore_usable(server: ServerProcess) -> None:
    a, b = RawClient(server.url), RawClient(server.url)
    assert sem_open(a, "/x", F.O_CREAT, 0o666)[0] == 0
    _, sb = sem_open(b, "/x")
    a.start("_ksem_wait", 3)
    time.sleep(0.1)
    a.close()
    time.sleep(0.2)
    assert b.ok("_ksem_post", sb) == 0
    assert getvalue(b, sb) == 1
