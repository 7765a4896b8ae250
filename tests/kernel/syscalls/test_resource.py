"""getrlimit/setrlimit: rump's proc0 defaults, NOFILE bounding descriptors, inheritance."""
from __future__ import annotations

from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import limits as L

from support.rawclient import RawClient
from support.server import ServerProcess

INF = L.RLIM_INFINITY


def getrl(c: RawClient, which: int) -> tuple[int, int]:
    out = c.mem.out(16)
    c.ok("getrlimit", which, out)
    return L.unpack_rlimit(c.mem.get(out, 16))


def setrl(c: RawClient, which: int, cur: int, mx: int) -> int:
    return c.err("setrlimit", which, c.mem.buf(L.pack_rlimit(cur, mx)))


def forked(server: ServerProcess, parent: RawClient) -> RawClient:
    child = RawClient(server.url, handshake=False)
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(parent.prefork()))
    return child


def test_defaults_are_rump_proc0s(client: RawClient) -> None:
    assert getrl(client, L.RLIMIT_NOFILE) == (128, 3404)
    assert getrl(client, L.RLIMIT_CPU) == (INF, INF)
    assert getrl(client, L.RLIMIT_DATA) == (INF, INF)
    assert getrl(client, L.RLIMIT_STACK) == (4 << 20, 128 << 20)
    assert getrl(client, L.RLIMIT_NPROC) == (160, 30000)
    assert getrl(client, L.RLIMIT_NTHR) == (160, 2048)
    cur, mx = getrl(client, L.RLIMIT_MEMLOCK)
    assert cur == mx // 3
    assert client.err("getrlimit", L.RLIM_NLIMITS, client.mem.out(16)) == E.EINVAL
    assert client.err("getrlimit", -1, client.mem.out(16)) == E.EINVAL


def test_setrlimit_rules(client: RawClient) -> None:
    assert setrl(client, L.RLIMIT_CORE, 10, 5) == E.EINVAL
    assert setrl(client, L.RLIM_NLIMITS, 1, 1) == E.EINVAL
    assert setrl(client, L.RLIMIT_CORE, 1000, 2000) == 0
    assert getrl(client, L.RLIMIT_CORE) == (1000, 2000)
    assert setrl(client, L.RLIMIT_CORE, 1000, 3000) == 0  # root may raise the hard limit
    # clamped to the system maximum, not refused
    assert setrl(client, L.RLIMIT_NOFILE, 100000, 100000) == 0
    assert getrl(client, L.RLIMIT_NOFILE) == (3404, 3404)
    assert client.ok("setuid", 1000) == 0
    assert setrl(client, L.RLIMIT_CORE, 500, 1000) == 0   # lowering: fine
    assert setrl(client, L.RLIMIT_CORE, 500, 1001) == E.EPERM
    assert setrl(client, L.RLIMIT_CORE, 1000, 1000) == 0  # soft up to hard: fine
    assert setrl(client, L.RLIMIT_CORE, 1000, 1000) == 0  # unchanged: no check at all
    assert getrl(client, L.RLIMIT_CORE) == (1000, 1000)


def test_nofile_bounds_the_descriptor_table(client: RawClient) -> None:
    assert setrl(client, L.RLIMIT_NOFILE, 5, 3404) == 0
    assert client.ok("dup", 0) == 3
    assert client.ok("dup", 0) == 4
    assert client.err("dup", 0) == E.EMFILE
    assert client.err("dup2", 0, 5) == E.EBADF
    assert client.err("fcntl", 0, 0, 5) == E.EINVAL  # F_DUPFD at the limit
    assert client.ok("dup2", 0, 4) == 4
    # lowering below open descriptors keeps them open
    assert setrl(client, L.RLIMIT_NOFILE, 2, 3404) == 0
    assert client.ok("close", 4) == 0
    assert client.err("dup", 0) == E.EMFILE
    assert setrl(client, L.RLIMIT_NOFILE, 200, 3404) == 0
    fds = [client.ok("dup", 0) for _ in range(150)]
    assert fds == list(range(4, 154))


def test_default_nofile_gives_emfile_at_128(client: RawClient) -> None:
    fds = []
    while True:
        err, fd, _ = client.call("dup", 0)
        if err:
            assert err == E.EMFILE
            break
        fds.append(fd)
    assert max(fds) == 127


def test_limits_are_inherited_and_private(server: ServerProcess) -> None:
    parent = RawClient(server.url)
    assert setrl(parent, L.RLIMIT_NOFILE, 4, 50) == 0
    assert setrl(parent, L.RLIMIT_FSIZE, 1 << 20, 1 << 30) == 0
    child = forked(server, parent)
    assert getrl(child, L.RLIMIT_NOFILE) == (4, 50)
    assert getrl(child, L.RLIMIT_FSIZE) == (1 << 20, 1 << 30)
    assert child.ok("dup", 0) == 3
    assert child.err("dup", 0) == E.EMFILE
    assert setrl(child, L.RLIMIT_FSIZE, 1, 1) == 0
    assert getrl(parent, L.RLIMIT_FSIZE) == (1 << 20, 1 << 30)
    # a new guest starts from pid 1's limits, not another client's
    other = RawClient(server.url)
    assert getrl(other, L.RLIMIT_NOFILE) == (128, 3404)
