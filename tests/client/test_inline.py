"""The client's use of the sysproxy extension (docs/PROTOCOL-EXTENSIONS.md).

Against our server it is negotiated and a call's input buffers ride along with
the request; against a NetBSD-like server (no tag in the handshake reply) every
call stays a plain SYSCALL; a FORK child inherits its parent's answer.
"""
from __future__ import annotations

import os

import pytest

from sysproxy import wire
from sysproxy.client import In, Out, connect
from sysproxy.client import connection as clientconn
from sysproxy.client.connection import Connection
from sysproxy.url import parse

from .conftest import start_server, stop_server


@pytest.fixture
def our_url(sockdir):
    url = f"unix://{sockdir}/sp.sock"
    proc = start_server(url)
    yield url
    stop_server(proc)


def _count_requests(conn: Connection) -> list[int]:
    """Record the type of every server request the connection serves."""
    seen: list[int] = []
    orig = conn._serve

    def serve(f: wire.Frame) -> None:
        seen.append(f.type)
        orig(f)
    conn._serve = serve  # type: ignore[method-assign]
    fast = conn._copyouts_then_reply

    def copyouts_then_reply(data: bytes, reqno: int, w: object) -> bool:
        """The fast path serves COPYOUTs without _serve: count those it took."""
        ok = fast(data, reqno, w)
        if ok:
            seen.extend(f.type for f in wire.Decoder().feed(data) if f.cls == wire.REQ)
        return ok
    conn._copyouts_then_reply = copyouts_then_reply  # type: ignore[method-assign]
    return seen


def test_negotiated_with_our_server_and_no_copyin_round_trips(our_url):
    k = connect(our_url, "inline")
    conn = k.connection
    assert conn.inline
    seen = _count_requests(conn)
    st = k.stat("/dev/null")
    assert seen == [wire.COPYOUT]                     # the path came with the request
    conn.inline = False
    seen.clear()
    assert k.stat("/dev/null") == st
    assert seen == [wire.COPYINSTR, wire.COPYOUT]     # the plain protocol, same answer
    conn.inline = True
    seen.clear()
    assert k.sysctl_str("kern.ostype") == "NetBSD"    # two input buffers, an InOut among them
    assert wire.COPYIN not in seen
    k.disconnect()


def test_files_through_the_extension(our_url):
    k = connect(our_url, "inline-files")
    seen = _count_requests(k.connection)
    fd = k.open("/inline.dat", os.O_RDWR | os.O_CREAT, 0o644)
    assert k.write(fd, b"hello") == 5
    assert k.pread(fd, 5, 0) == b"hello"
    assert wire.COPYIN not in seen and wire.COPYINSTR not in seen
    big = os.urandom(100_000)                         # over inline_max: fetched by COPYIN
    seen.clear()
    assert k.pwrite(fd, big, 0) == len(big)
    assert seen.count(wire.COPYIN) == 1
    assert k.pread(fd, len(big), 0) == big
    k.close(fd)
    k.unlink("/inline.dat")
    k.disconnect()


def test_raw_buffers_of_every_kind_inline(our_url):
    k = connect(our_url, "inline-raw")
    fd = k.open("/raw.dat", os.O_RDWR | os.O_CREAT, 0o644)
    seen = _count_requests(k.connection)
    write = 4
    for data in (b"ab", bytearray(b"cd"), memoryview(b"ef"), In(b"gh"), In(bytearray(b"ij"))):
        n = len(data.data) if isinstance(data, In) else len(data)
        assert k.syscall(write, fd, data, n)[0] == 2
    assert seen == []
    # a memoryview of another format goes as its bytes
    assert k.syscall(write, fd, memoryview(b"klmn").cast("H"), 4)[0] == 4
    assert seen == []
    k.connection.inline = False
    assert k.syscall(write, fd, memoryview(b"opqr").cast("H"), 4)[0] == 4
    assert seen == [wire.COPYIN]
    assert k.pread(fd, 18, 0) == b"abcdefghijklmnopqr"
    k.close(fd)
    k.disconnect()


def test_offer_can_be_turned_off(our_url, monkeypatch):
    monkeypatch.setattr(clientconn, "OFFER_EXTENSIONS", False)
    k = connect(our_url, "plain")
    assert not k.connection.inline
    seen = _count_requests(k.connection)
    k.stat("/")
    assert seen == [wire.COPYINSTR, wire.COPYOUT]
    k.disconnect()


def test_netbsd_like_server_keeps_the_client_plain(fake):
    def handler(ctx, sysnum, args):
        if sysnum == 439:  # __stat50: the path by COPYINSTR, as NetBSD's server does
            assert ctx.copyinstr(args[0]) == b"/etc\0"
            ctx.copyout(args[1], bytes(152))
            return 0, 0, 0
        return 0, 2, 1
    fake.handler = handler
    k = connect(fake.url, "plain-client")
    assert not k.connection.inline
    k.stat("/etc")
    k.getpid()
    conn = fake.conns[0]
    assert conn.received[0].body == b"plain-client\0" + wire.EXT_TAG  # offered...
    calls = [f for f in conn.received if f.cls == wire.REQ and f.type != wire.HANDSHAKE]
    assert [f.type for f in calls] == [wire.SYSCALL, wire.SYSCALL]   # ...never used
    k.disconnect()


def test_a_reply_tag_without_an_offer_is_ignored(fake, monkeypatch):
    monkeypatch.setattr(clientconn, "OFFER_EXTENSIONS", False)
    orig = wire.handshake_response
    monkeypatch.setattr(wire, "handshake_response",
                        lambda reqno, error=0, ext=False: orig(reqno, error, True))
    k = connect(fake.url, "no-offer")
    assert not k.connection.inline
    k.disconnect()


def _fork_child(url: str, cookie: bytes) -> Connection:
    """What Client.fork does in the child, without forking the test process."""
    addr = parse(url, server=False)
    sock = addr.make_socket()
    sock.connect(addr.sockaddr)
    child = Connection(sock, addr)
    child.read_banner()
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    return child


def test_fork_child_inherits_the_extension(our_url):
    k = connect(our_url, "parent")
    cookie = k.connection.prefork()
    child = _fork_child(our_url, cookie)
    assert child.inline
    seen = _count_requests(child)
    buf = bytearray(152)
    child.syscall(439, ["/", Out(buf)])
    assert seen == [wire.COPYOUT]
    child.close()
    k.disconnect()


def test_fork_child_of_a_plain_connection_stays_plain(fake):
    k = connect(fake.url, "parent")
    cookie = k.connection.prefork()
    child = _fork_child(fake.url, cookie)
    assert not child.inline
    child.close()
    k.disconnect()


def test_a_call_from_a_finalizer_inside_the_reader_does_not_deadlock(our_url):
    """The garbage collector may run a file object's __del__ (a close call) in the middle
    of the reading thread's own reply handling; that nested call must go through."""
    import threading
    k = connect(our_url, "nested")
    mem = k.connection.memory
    orig = mem.copyout
    nested: list[int] = []

    def copyout(addr: int, data) -> bool:
        if not nested:
            nested.append(k.getpid())  # what a finalizer's syscall looks like from here
        return orig(addr, data)
    mem.copyout = copyout  # type: ignore[method-assign]
    done = threading.Event()
    t = threading.Thread(target=lambda: (k.stat("/dev/null"), done.set()), daemon=True)
    t.start()
    assert done.wait(10), "nested call deadlocked"
    assert nested and nested[0] > 1
    k.disconnect()


def test_reply_taken_by_the_previous_reader_is_not_waited_for(our_url):
    """Thread A reads the socket and takes B's reply, then finishes and lets the reader
    role go, all while B is still between its send and its turn to read: B must find
    its reply already there rather than block on the socket for one that never comes."""
    import threading
    import time
    k = connect(our_url, "handover")
    conn = k.connection
    r, w = k.pipe()
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(k.read(r, 100)))
    reader.start()
    time.sleep(0.2)  # the reader thread is now blocked in the socket for its read
    real = conn.sock

    class SlowAfterSend:
        def __getattr__(self, name):
            return getattr(real, name)

        def sendall(self, data):
            real.sendall(data)
            if threading.current_thread() is not reader:
                reader.join(5)  # A takes both replies and hands the reader role back

    conn.sock = SlowAfterSend()
    done = threading.Event()
    t = threading.Thread(target=lambda: (k.write(w, b"wake up"), done.set()), daemon=True)
    t.start()
    conn.sock = real if done.wait(10) else real
    assert done.is_set(), "the writer waited for a reply it already had"
    assert got == [b"wake up"]
    k.disconnect()
