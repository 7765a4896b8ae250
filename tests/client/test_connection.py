"""The connection layer against a scripted fake server: framing, copies, hostility."""
from __future__ import annotations

import errno
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest

from sysproxy import wire
from sysproxy.client import ConnectionLost, KernelError, ServerProtocolError, connect
from sysproxy.client.memory import BASE

from .fakeserver import CopyFailed, FakeServer


def test_handshake_and_getpid(fake):
    k = connect(fake.url, "unit-test")
    assert k.syscall(20) == (2, 1)
    assert k.getpid() == 2 and k.getppid() == 1
    conn = fake.conns[0]
    hs, call = conn.received[0], conn.received[1]
    # librumpclient's numbering: GUEST is reqno 1, the first syscall 2.
    # ...then the sysproxy extension offer after the name's NUL (PROTOCOL-EXTENSIONS.md).
    assert (hs.reqno, hs.cls, hs.type, hs.union, hs.body) == \
        (1, 0, 0, 0, b"unit-test\0" + wire.EXT_TAG)
    assert (call.reqno, call.type, call.union, call.body) == (2, wire.SYSCALL, 20, b"")
    k.disconnect()


def test_default_url_from_environment(fake, monkeypatch):
    monkeypatch.setenv("RUMP_SERVER", fake.url)
    monkeypatch.delenv("RUMP__PARSEDSERVER", raising=False)
    with connect() as k:
        assert k.getpid() == 2


def test_no_url_at_all(monkeypatch):
    monkeypatch.delenv("RUMP_SERVER", raising=False)
    monkeypatch.delenv("RUMP__PARSEDSERVER", raising=False)
    with pytest.raises(OSError):
        connect()


def test_int_slots_zero_extended(fake):
    seen = []
    fake.handler = lambda ctx, n, args: (seen.append(args), (0, 0, 0))[1]
    k = connect(fake.url)
    k.syscall(6, -1)
    k.syscall(199, 3, 0, (1 << 64) - 5, 2)
    assert fake.conns[0].received[1].body == bytes.fromhex("ffffffff00000000")
    assert seen[1] == [3, 0, (1 << 64) - 5, 2]
    k.disconnect()


def test_errno_mapping(fake):
    fake.handler = lambda ctx, n, args: (2, 0, 0) if n == 5 else (78, 0, 0)
    k = connect(fake.url)
    with pytest.raises(FileNotFoundError) as ei:
        k.open("/missing", os.O_RDONLY)
    e = ei.value
    assert isinstance(e, KernelError)
    assert e.errno == errno.ENOENT and e.netbsd_errno == 2 and e.filename == "/missing"
    with pytest.raises(KernelError) as ei:
        k.syscall(999)
    assert ei.value.netbsd_errno == 78 and ei.value.errno == errno.ENOSYS
    k.disconnect()


def test_copyin_copyinstr_copyout_within_buffers(fake):
    def handler(ctx, n, args):
        if n == 5:  # open(path): read the path as a string
            assert ctx.copyinstr(args[0], 1024) == b"/dev/null\0"
            return 0, 3, 0
        if n == 4:  # write(fd, buf, len)
            assert ctx.copyin(args[1], args[2]) == b"hello"
            return 0, args[2], 0
        if n == 3:  # read(fd, buf, len)
            ctx.copyout(args[1], b"abc")
            return 0, 3, 0
        return 78, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    assert k.open("/dev/null", os.O_RDWR) == 3
    assert k.write(3, b"hello") == 5
    assert k.read(3, 10) == b"abc"
    assert k.connection.memory.registered() == 0  # buffers gone after each call
    assert k.connection.ignored_requests == 0
    k.disconnect()


def test_copyinstr_short_length_and_no_nul():
    from sysproxy.client.memory import AddressSpace
    m = AddressSpace()
    slot, addr = m.register(b"abcdef\0", True, False)
    assert m.copyinstr(addr, 3) == b"abc"          # no NUL within len: len bytes
    assert m.copyinstr(addr, 100) == b"abcdef\0"
    assert m.copyinstr(addr + 2, 100) == b"cdef\0"
    _, addr2 = m.register(b"xyz", True, False)
    assert m.copyinstr(addr2, 100) is None          # would run past the buffer
    assert m.copyin(addr, 8) is None and m.copyin(addr, 7) == b"abcdef\0"
    assert m.copyout(addr, b"x") is False           # read-only buffer
    m.unregister(slot)
    assert m.copyin(addr, 1) is None


@pytest.mark.parametrize("attack", ["outside", "oversized", "before", "readonly-out",
                                    "writeonly-in", "stale"])
def test_hostile_copies_refused(fake, attack):
    """Copies outside the call's buffers get an ERROR reply and touch nothing."""
    stale = []

    def handler(ctx, n, args):
        if n == 1:  # remember a buffer address for the 'stale' attack
            stale.append(args[0])
            return 0, 0, 0
        if n == 20:
            return 0, 2, 1
        buf_in, buf_out = args[0], args[1]
        try:
            if attack == "outside":
                ctx.copyin(buf_in + (1 << 30), 4)
            elif attack == "oversized":
                ctx.copyin(buf_in, 1 << 62)
            elif attack == "before":
                ctx.copyin(BASE - 16, 8)
            elif attack == "readonly-out":
                ctx.send(wire.copyout_header(77, buf_in, 2) + b"XX")
                time.sleep(0.2)
                return 0, 0, 0
            elif attack == "writeonly-in":
                ctx.copyin(buf_out, 4)
            elif attack == "stale":
                ctx.copyin(stale[0], 4)
        except CopyFailed:
            return 14, 0, 0  # EFAULT, as our server does
        return 0, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    k.syscall(1, b"old!")
    src = b"secret data"
    out = bytearray(8)
    from sysproxy.client import Out
    if attack == "readonly-out":
        k.syscall(2, src, Out(out))
        assert src == b"secret data"
    else:
        with pytest.raises(OSError) as ei:
            k.syscall(2, src, Out(out))
        assert ei.value.errno == errno.EFAULT
    assert out == bytearray(8)
    assert k.connection.ignored_requests == 1
    assert k.getpid() == 2  # the connection is still fine
    k.disconnect()


def test_copyout_length_mismatch_refused(fake):
    def handler(ctx, n, args):
        # claims 100 bytes but carries 4
        ctx.send(wire.header(24 + 16 + 4, 50, wire.REQ, wire.COPYOUT) +
                 struct.pack("<QQ", 100, args[0]) + b"abcd")
        time.sleep(0.1)
        return 0, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    from sysproxy.client import Out
    o = Out(200)
    k.syscall(3, o)
    assert o.buf == bytearray(200) and k.connection.ignored_requests == 1
    k.disconnect()


def test_garbage_frame_drops_connection(fake):
    fake.handler = lambda ctx, n, args: (ctx.send(b"\x05" + b"\0" * 23), (None, 0, 0))[1]
    k = connect(fake.url)
    with pytest.raises(ServerProtocolError):
        k.syscall(3)
    with pytest.raises(ConnectionLost):
        k.getpid()


def test_unknown_request_type_and_unmatched_reply(fake):
    def handler(ctx, n, args):
        ctx.send(wire.frame(9, wire.RESP, wire.SYSCALL, 0, b"\0" * 24))  # nobody waits on 9
        ctx.send(wire.frame(40, wire.REQ, 12, 0, b""))                   # no such type
        time.sleep(0.1)
        return 0, 7, 0
    fake.handler = handler
    k = connect(fake.url)
    assert k.syscall(20) == (7, 0)
    k.disconnect()


def test_server_gone_mid_call(fake):
    def handler(ctx, n, args):
        ctx.conn.sock.shutdown(socket.SHUT_RDWR)
        return None, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    with pytest.raises(ConnectionLost) as ei:
        k.syscall(20)
    assert ei.value.errno == errno.ENOTCONN


@pytest.mark.parametrize("banner", [b"RUMPSP-0.5-NetBSD-7.99.34/amd64\n", b"HELLO\n",
                                    b"RUMPSP-0.4-NetBSD-7.99.34/amd64"])
def test_bad_banner(sockdir, banner):
    srv = FakeServer(sockdir, banner=banner)
    if not banner.endswith(b"\n"):
        def close_soon():
            time.sleep(0.2)
            srv.close()
        threading.Thread(target=close_soon, daemon=True).start()
    try:
        with pytest.raises(OSError):
            connect(srv.url, timeout=5)
    finally:
        srv.close()


def test_handshake_refused(fake):
    fake.handshake_error = 1
    with pytest.raises(PermissionError):
        connect(fake.url)


def test_anonmmap_memory_readable_later(fake):
    def handler(ctx, n, args):
        if n == 100:
            addr = ctx.anonmmap(4096)
            ctx.copyout(addr + 10, b"kernel wrote this")
            return 0, addr, 0
        if n == 101:
            return 0, 0, 0 if ctx.anonmmap(1 << 40) == 0 else 1
        return 0, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    addr, _ = k.syscall(100)
    assert k.memory.read(addr + 10, 17) == b"kernel wrote this"
    assert k.syscall(101) == (0, 0)  # a huge map is refused with address 0
    with pytest.raises(ValueError):
        k.memory.read(addr + 4090, 10)
    k.disconnect()


def test_threads_interleaved_copies(fake):
    """Many threads, each call copying in and out; replies come back out of order."""
    def handler(ctx, n, args):
        data = ctx.copyin(args[0], args[2])
        time.sleep(0.001 * (data[0] % 5))
        ctx.copyout(args[1], data[::-1])
        return 0, len(data), 0
    fake.handler = handler
    k = connect(fake.url)
    from sysproxy.client import Out
    errors = []

    def worker(i):
        try:
            for j in range(30):
                msg = f"thread {i} call {j}".encode()
                out = Out(len(msg))
                assert k.syscall(4, msg, out, len(msg))[0] == len(msg)
                assert out.value == msg[::-1]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert k.connection.ignored_requests == 0
    assert k.memory.registered() == 0
    k.disconnect()


def test_raise_goes_to_handler(fake):
    def handler(ctx, n, args):
        ctx.raise_signal(30)
        return 0, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    got = []
    k.on_raise = got.append
    k.syscall(20)
    assert got == [30]
    k.disconnect()


def test_raise_delivers_host_signal(fake):
    def handler(ctx, n, args):
        ctx.raise_signal(30)  # NetBSD SIGUSR1
        return 0, 0, 0
    fake.handler = handler
    got = []
    old = signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
    try:
        k = connect(fake.url)
        k.syscall(20)
        for _ in range(100):
            if got:
                break
            time.sleep(0.01)
        assert got == [signal.SIGUSR1]
        k.disconnect()
    finally:
        signal.signal(signal.SIGUSR1, old)


def test_reconnect_policy(fake):
    k = connect(fake.url, reconnect="once")
    assert k.getpid() == 2
    fake.conns[0].sock.shutdown(socket.SHUT_RDWR)
    time.sleep(0.1)
    seen = []
    k.on_reconnect = lambda kk: seen.append(kk.generation)
    assert k.getpid() == 2
    assert seen == [1] and len(fake.conns) == 2
    k.disconnect()


def test_reconnect_never_by_default(fake):
    k = connect(fake.url)
    fake.conns[0].sock.shutdown(socket.SHUT_RDWR)
    time.sleep(0.1)
    with pytest.raises(ConnectionLost):
        k.getpid()


def test_reconnect_gives_up_after_timeout(fake):
    k = connect(fake.url, reconnect=1)
    fake.close()
    os.unlink(fake.path)
    t = time.monotonic()
    with pytest.raises(ConnectionLost):
        k.getpid()
    assert 0.9 < time.monotonic() - t < 10


def test_bad_reconnect_policy(fake):
    k = connect(fake.url)
    with pytest.raises(ValueError):
        k.set_reconnect("sometimes")
    k.disconnect()


def test_fork_handshake_in_child(fake):
    k = connect(fake.url, "forker")
    pid = k.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if k.getpid() == 2 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    parent, child = fake.conns[0], fake.conns[1]
    assert parent.received[1].type == wire.PREFORK
    fork_hs = child.received[0]
    assert (fork_hs.reqno, fork_hs.type, fork_hs.union) == (1, wire.HANDSHAKE, wire.HANDSHAKE_FORK)
    assert fork_hs.body == b"C" * 16 + b"\0\0\0\0"
    assert k.getpid() == 2  # the parent's connection is untouched
    k.disconnect()


def test_fork_failure_cancels_prefork(fake, monkeypatch):
    k = connect(fake.url)

    def failing_fork():
        raise OSError(errno.EAGAIN, "no more processes")
    monkeypatch.setattr(os, "fork", failing_fork)
    with pytest.raises(OSError):
        k.fork()
    monkeypatch.undo()
    for _ in range(100):
        if len(fake.conns) == 2 and fake.conns[1].received:
            break
        time.sleep(0.01)
    cancel = fake.conns[1].received[0]
    assert cancel.union == wire.HANDSHAKE_FORK and cancel.body.endswith(b"\x01\0\0\0")
    assert k.getpid() == 2
    k.disconnect()


def test_plain_os_fork_does_not_share_the_connection(fake):
    k = connect(fake.url)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            k.getpid()
        except ConnectionLost:
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert k.getpid() == 2
    k.disconnect()


def test_exec_environment(fake, monkeypatch):
    k = connect(fake.url)
    env = k.exec_environ({"A": "1"})
    fd = k.connection.fileno()
    assert env["RUMPCLIENT__EXECFD"] == f"{fd},-1" and env["A"] == "1"
    assert env["RUMP__PARSEDSERVER"] == fake.url
    assert os.get_inheritable(fd)
    # What the exec'd program does: adopt the fd, EXEC handshake with reqno 0.
    dup = os.dup(fd)
    monkeypatch.setenv("RUMPCLIENT__EXECFD", f"{dup},-1")
    monkeypatch.setenv("RUMP__PARSEDSERVER", fake.url)
    k2 = connect(name="after-exec")
    assert "RUMPCLIENT__EXECFD" not in os.environ
    hs = fake.conns[0].received[-1]
    assert (hs.reqno, hs.union, hs.body) == \
        (0, wire.HANDSHAKE_EXEC, b"after-exec\0" + wire.EXT_TAG)
    assert len(fake.conns) == 1
    k2.disconnect()


def test_spin_then_block_backs_off_and_recovers(fake):
    """A reply slower than the spin budget makes the next reads *for that system call*
    block at once (1, then 2... of them; 64 at most); each spin that gets its reply in
    time halves that again. Other calls keep spinning. Every answer is right either way."""
    delay = [0.0]

    def handler(ctx, n, args):
        if n == 20:
            return 0, 2, 1
        time.sleep(delay[0])
        return 0, args[0], 0
    fake.handler = handler
    k = connect(fake.url)
    conn = k.connection
    conn.spin = 0.3           # generous: a quick reply on a loaded machine must still count as quick
    slow = conn._spin_slow

    def call(v: int, is_slow: bool) -> None:
        delay[0] = 0.6 if is_slow else 0.0
        assert k.syscall(4, v)[0] == v

    call(1, is_slow=True)     # the spin ran out: the next read for call 4 blocks at once
    assert slow == {4: [1, 1]}
    call(2, is_slow=False)    # that read blocked at once
    assert slow == {4: [0, 1]}
    call(3, is_slow=True)     # ran out again: twice as many
    assert slow == {4: [2, 2]}
    assert k.getpid() == 2    # another call spins as before and leaves no state
    assert slow == {4: [2, 2]}
    call(4, is_slow=False)
    call(5, is_slow=False)
    assert slow == {4: [0, 2]}
    call(6, is_slow=False)    # this spin got its reply: half the backoff
    assert slow == {4: [0, 1]}
    call(7, is_slow=False)    # and again: call 4 is quick again
    assert slow == {}
    slow[4] = [0, 64]         # the backoff stops at 64 blocked reads
    call(8, is_slow=True)
    assert slow == {4: [64, 64]}
    k.disconnect()


def test_spin_budget_from_environment():
    """SYSPROXY_SPIN_US sets the budget; 0 turns spinning off."""
    code = ("from sysproxy.client import transport as t; "
            "print(t.SPIN_US, t._CPUS > 1)")
    for value, expect in (("0", "0.0"), ("250", "250.0"), ("lots", "100.0"), ("-5", "100.0"),
                          ("nan", "100.0")):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "SYSPROXY_SPIN_US": value}, check=True)
        assert out.stdout.split()[0] == expect


def test_spin_off_blocks_at_once(fake, monkeypatch):
    """With the budget 0 a connection never spins (the plain blocking recv)."""
    from sysproxy.client import transport
    monkeypatch.setattr(transport, "SPIN_US", 0.0)
    k = connect(fake.url)
    assert k.connection.spin == 0.0
    monkeypatch.setattr(k.connection, "_read", None)  # would fail if it were called
    assert k.getpid() == 2
    k.disconnect()


@pytest.mark.parametrize("shape", ["one-copyout", "two-copyouts", "readonly-target",
                                   "outside-target", "short-reply"])
def test_copyouts_and_reply_in_one_segment(fake, shape):
    """The reader's fast path for COPYOUT frames arriving together with the reply in
    one recv (what our server sends for stat): applied only inside writable buffers;
    anything else is refused as on the general path and the call still completes."""
    def handler(ctx, n, args):
        if n == 20:
            return 0, 2, 1
        src, dst = args[0], args[1]
        reply = wire.syscall_response(ctx.reqno, 0, 42, 0)
        if shape == "one-copyout":
            frames = wire.copyout_header(90, dst, 8) + b"ABCDEFGH" + reply
        elif shape == "two-copyouts":
            frames = (wire.copyout_header(90, dst, 4) + b"ABCD"
                      + wire.copyout_header(91, dst + 4, 4) + b"EFGH" + reply)
        elif shape == "readonly-target":
            frames = wire.copyout_header(90, src, 8) + b"ABCDEFGH" + reply
        elif shape == "outside-target":
            frames = wire.copyout_header(90, dst + 4, 8) + b"ABCDEFGH" + reply
        else:  # the reply frame cut short: not a reply the fast path may take
            frames = wire.copyout_header(90, dst, 8) + b"ABCDEFGH" + reply[:-4]
            ctx.send(frames)
            time.sleep(0.05)
            ctx.send(reply[-4:])
            return None, 0, 0
        ctx.send(frames)  # one send: one segment on a unix socket
        return None, 0, 0
    fake.handler = handler
    k = connect(fake.url)
    from sysproxy.client import Out
    src = b"readonly"
    out = Out(8)
    assert k.syscall(5, src, out)[0] == 42
    if shape in ("readonly-target", "outside-target"):
        assert out.buf == bytearray(8) and src == b"readonly"
        assert k.connection.ignored_requests == 1
    else:
        assert out.buf == bytearray(b"ABCDEFGH")
        assert k.connection.ignored_requests == 0
    assert k.getpid() == 2
    k.disconnect()
