"""Connection life cycle over real sockets: handshakes, fork, exec, limits, bad input."""
from __future__ import annotations

import os
import signal
import socket
import struct
import threading
import time

import pytest

from support.rawclient import RawClient, SyscallError
from support.server import ServerProcess
from sysproxy import wire

ESRCH, EPERM, EINVAL, EFAULT = 3, 1, 22, 14


def test_tcp_transport(tcp_server: ServerProcess) -> None:
    with RawClient(tcp_server.url) as c:
        assert c.banner.startswith(b"RUMPSP-0.4-NetBSD-")
        assert c.call("getpid") == (0, 2, 1)


def test_banner_is_one_write_before_any_handshake(server: ServerProcess) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.connect(server.url[len("unix://"):])
    assert s.recv(95) == b"RUMPSP-0.4-NetBSD-7.99.34/amd64\n"
    s.close()


def test_prefork_and_fork_share_nothing_but_the_copy(server: ServerProcess) -> None:
    parent = RawClient(server.url, "parent")
    assert parent.ok("getpid") == 2
    cookie = parent.prefork()
    assert len(cookie) == 16
    child = RawClient(server.url, handshake=False)
    assert child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie)) == 0
    assert child.call("getpid") == (0, 4, 1)  # the prefork itself took pid 3
    # a cookie is good once
    again = RawClient(server.url, handshake=False)
    with pytest.raises(SyscallError) as e:
        again.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    assert e.value.errno == ESRCH


def test_prefork_outlives_parent_but_expires(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--prefork-ttl", "0.5")
    try:
        p = RawClient(srv.url)
        cookie_kept = p.prefork()
        cookie_late = p.prefork()
        p.close()  # daemon(): the parent goes away before the child connects
        time.sleep(0.1)
        c = RawClient(srv.url, handshake=False)
        assert c.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie_kept)) == 0
        time.sleep(1.0)
        late = RawClient(srv.url, handshake=False)
        with pytest.raises(SyscallError) as e:
            late.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie_late))
        assert e.value.errno == ESRCH
        with RawClient(srv.url) as probe:  # the expired prefork's pid is gone
            assert probe.err("kill", 4, 0) == ESRCH
    finally:
        srv.stop()


def test_fork_cancel_releases_and_shuts_down(client: RawClient, server: ServerProcess) -> None:
    cookie = client.prefork()
    c = RawClient(server.url, handshake=False)
    c.send(wire.handshake_request(1, wire.HANDSHAKE_FORK, wire.fork_body(cookie, cancel=True)))
    assert c.sock.recv(100) == b""  # no reply, just shutdown
    assert client.err("kill", 3, 0) == ESRCH


def test_exec_closes_cloexec_and_keeps_pid(client: RawClient) -> None:
    # the EXEC handshake on a running connection: reqno counting restarts at 0
    client.reqno = 0
    assert client.handshake(wire.HANDSHAKE_EXEC, b"newname\0") == 0
    assert client.call("getpid") == (0, 2, 1)


def test_second_exec_refused_while_one_runs(client: RawClient) -> None:
    # a call waiting on a copy is stopped by the exec (the old image cannot answer);
    # a second EXEC arriving before the first is answered is refused
    m = client.mem
    blocked = client.start("__sysctl", m.buf(struct.pack("<2i", 1, 1)), 2, 0, 0, 0, 0)
    client.send(wire.handshake_request(50, wire.HANDSHAKE_EXEC, b"a\0") +
                wire.handshake_request(51, wire.HANDSHAKE_EXEC, b"b\0"))
    frames = []
    while True:
        try:
            f = client.recv_frame()
        except EOFError:
            break
        frames.append(f)
    errors = [f for f in frames if f.cls == wire.ERROR]
    assert [(f.reqno, f.union) for f in errors] == [(51, wire.ERR_INEXEC)]
    assert blocked


def test_bad_input_that_crashes_c_server(server: ServerProcess) -> None:
    # 1. GUEST with an empty body
    c = RawClient(server.url, handshake=False)
    c.send(wire.handshake_request(1, wire.HANDSHAKE_GUEST, b""))
    f = c.recv_frame()
    assert (f.cls, f.union) == (wire.ERROR, wire.ERR_MALFORMED_REQUEST)
    # 2. SYSCALL open with no argument block
    c = RawClient(server.url)
    assert c.call("close") == (EINVAL, 0, 0)  # (open, in the C crash, once the VFS is in)
    assert c.call("__sysctl", 0) == (EINVAL, 0, 0)
    assert c.call("getpid")[0] == 0
    # 3. EXEC with an empty body
    c.send(wire.handshake_request(9, wire.HANDSHAKE_EXEC, b""))
    f = c.recv_frame()
    assert (f.cls, f.union) == (wire.ERROR, wire.ERR_MALFORMED_REQUEST)
    assert server.alive()
    with RawClient(server.url) as probe:
        assert probe.call("getpid")[0] == 0


def test_oversized_and_undersized_frames_drop_only_that_client(server: ServerProcess) -> None:
    for length in (8, 1 << 40):
        c = RawClient(server.url)
        c.send(struct.pack("<QQHHI", length, 5, 0, 1, 20))
        assert c.sock.recv(100) == b""
    assert server.alive()
    with RawClient(server.url) as probe:
        assert probe.call("getpid")[0] == 0


def test_client_limit_accepts_and_closes(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--max-clients", "2")
    try:
        a, b = RawClient(srv.url), RawClient(srv.url)
        s = socket.socket(socket.AF_UNIX)
        s.connect(srv.url[len("unix://"):])
        s.settimeout(5)
        assert s.recv(100) == b""  # closed at once, no banner
        a.close()
        time.sleep(0.2)
        with RawClient(srv.url) as c:  # a slot is free again
            assert c.call("getpid")[0] == 0
        b.close()
    finally:
        srv.stop()


def test_client_vanishing_mid_copy_releases_its_process(client: RawClient, server: ServerProcess) -> None:
    victim = RawClient(server.url, "victim")
    pid = victim.ok("getpid")
    m = victim.mem
    victim.start("__sysctl", m.buf(struct.pack("<2i", 1, 1)), 2, m.out(64), m.buf(struct.pack("<Q", 64)), 0, 0)
    f = victim.recv_frame()  # the server asks for oldlen: we vanish instead of answering
    assert (f.cls, f.type) == (wire.REQ, wire.COPYIN)
    victim.close()
    deadline = time.time() + 5
    while client.err("kill", pid, 0) != ESRCH and time.time() < deadline:
        time.sleep(0.02)
    assert client.err("kill", pid, 0) == ESRCH


def test_copy_answered_with_error_is_efault(client: RawClient) -> None:
    # an address outside our buffers: RawClient answers the COPYIN with an ERROR frame
    assert client.err("__sysctl", 0xdead0000, 2, 0, 0, 0, 0) == EFAULT
    assert client.call("getpid")[0] == 0


def test_kill_raises_in_the_other_client(client: RawClient, server: ServerProcess) -> None:
    other = RawClient(server.url, "other")
    pid = other.ok("getpid")
    assert client.err("kill", pid, 0) == 0  # signal 0 only checks
    assert client.err("kill", pid, 30) == 0  # SIGUSR1
    other.call("getpid")  # reading its stream collects the RAISE
    assert other.raised == [30]
    assert client.err("kill", 12345, 1) == ESRCH
    assert client.err("kill", pid, 99) == EINVAL


def test_anonmmap_via_mmap(client: RawClient) -> None:
    MAP_ANON, MAP_PRIVATE = 0x1000, 0x2
    addr = client.ok("mmap", 0, 8192, 3, MAP_ANON | MAP_PRIVATE, 0xFFFFFFFF, 0, 0)
    assert addr in client.mem.regions and len(client.mem.regions[addr]) == 8192
    assert any(f.type == wire.ANONMMAP for f in client.copies)


def test_many_concurrent_clients(server: ServerProcess) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with RawClient(server.url) as c:
                pid = c.ok("getpid")
                for _ in range(50):
                    assert c.call("getpid") == (0, pid, 1)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_interleaved_calls_on_one_connection(client: RawClient) -> None:
    # two sysctl calls in flight on one connection; answer their copies in reverse
    m = client.mem
    n1, n2 = m.buf(struct.pack("<2i", 1, 1)), m.buf(struct.pack("<2i", 6, 1))
    o1, o2 = m.out(64), m.out(64)
    l1, l2 = m.buf(struct.pack("<Q", 64)), m.buf(struct.pack("<Q", 64))
    r1 = client.start("__sysctl", n1, 2, o1, l1, 0, 0)
    r2 = client.start("__sysctl", n2, 2, o2, l2, 0, 0)
    assert client.result(r2)[0] == 0 and client.result(r1)[0] == 0
    assert m.get(o1, 7) == b"NetBSD\0" and m.get(o2, 6) == b"amd64\0"


def test_sigterm_halts_cleanly(server: ServerProcess) -> None:
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(5) == 0
    assert not os.path.exists(server.url[len("unix://"):])


def test_inflight_call_limit_per_process(client: RawClient, server: ServerProcess) -> None:
    """Beyond 1024 blocked calls a call cannot get an LWP: EAGAIN, retval -1 (as rump)."""
    rfd, wfd = client.call("pipe")[1:]
    cookie = client.prefork()
    buf = client.mem.out(16)
    reqs = [client.start("read", rfd, buf, 16) for _ in range(1024)]
    assert client.call("read", rfd, buf, 16) == (35, -1, 0)
    assert client.call("getpid")[0] == 35  # still full: nothing has returned
    # another process (forked before the reads) feeds every blocked reader
    child = RawClient(server.url, handshake=False)
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    assert child.ok("write", wfd, child.mem.buf(b"x" * 16 * 1024), 16 * 1024) == 16 * 1024
    assert all(client.result(r) == (0, 16, 0) for r in reqs)
    assert client.call("getpid")[0] == 0
    assert server.alive()


def test_max_frame_option_ends_only_the_offending_connection(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--max-frame", "1k")
    try:
        c = RawClient(srv.url)
        fd = c.ok("open", c.mem.str("/tmp/f"), 0x202, 0o644)  # O_CREAT|O_RDWR
        assert c.ok("write", fd, c.mem.buf(b"a" * 512), 512) == 512
        with pytest.raises((EOFError, ConnectionError)):
            c.call("write", fd, c.mem.buf(b"b" * 2048), 2048)  # the COPYIN answer is too long
        with RawClient(srv.url) as probe:
            assert probe.call("getpid")[0] == 0
    finally:
        srv.stop()


def test_tcp6_transport() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this host")
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
            port = s.getsockname()[1]
    except OSError:
        pytest.skip("no IPv6 loopback on this host")
    srv = ServerProcess(f"tcp6://[::1]:{port}")
    try:
        with RawClient(srv.url) as c:
            assert c.call("getpid") == (0, 2, 1)
    finally:
        srv.stop()
