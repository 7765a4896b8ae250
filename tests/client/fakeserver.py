"""A small scriptable RUMPSP server for the client's unit tests.

It speaks the protocol with :mod:`sysproxy.wire` and runs each SYSCALL on its own
thread, calling a handler the test supplies: ``handler(ctx, sysnum, args) ->
(error, rv0, rv1)``. ``ctx`` makes copy requests on that call's behalf, which is
how the tests play a careful server or a hostile one (addresses outside the
client's buffers, oversized lengths, garbage frames).
"""
from __future__ import annotations

import os
import socket
import struct
import threading
from typing import Callable

from sysproxy import wire


class CopyFailed(Exception):
    """The client answered a copy request with an ERROR frame."""


class CallCtx:
    """What a syscall handler may do: ask the client for copies, or misbehave."""

    def __init__(self, conn: "FakeConn", reqno: int) -> None:
        self.conn = conn
        self.reqno = reqno

    def _ask(self, frame_for: Callable[[int], bytes]) -> wire.Frame:
        return self.conn.ask(frame_for)

    def copyin(self, addr: int, length: int) -> bytes:
        f = self._ask(lambda r: wire.copy_request(r, wire.COPYIN, length, addr))
        if f.cls != wire.RESP:
            raise CopyFailed(f.union)
        return f.body

    def copyinstr(self, addr: int, length: int = 1024) -> bytes:
        f = self._ask(lambda r: wire.copy_request(r, wire.COPYINSTR, length, addr))
        if f.cls != wire.RESP:
            raise CopyFailed(f.union)
        return f.body

    def copyout(self, addr: int, data: bytes) -> None:
        self.conn.send_req(lambda r: wire.copyout_header(r, addr, len(data)) + data)

    def anonmmap(self, size: int) -> int:
        f = self._ask(lambda r: wire.anonmmap_request(r, size))
        return wire.parse_u64(f.body)

    def raise_signal(self, signo: int) -> None:
        self.conn.send(wire.raise_request(signo))

    def send(self, raw: bytes) -> None:
        self.conn.send(raw)


Handler = Callable[[CallCtx, int, list[int]], tuple[int, int, int]]


def default_handler(ctx: CallCtx, sysnum: int, args: list[int]) -> tuple[int, int, int]:
    """getpid (pid 2, ppid 1); everything else ENOSYS."""
    if sysnum == 20:
        return 0, 2, 1
    return 78, 0, 0


class FakeConn:
    def __init__(self, server: "FakeServer", sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.lock = threading.Lock()
        self.reqno = 0
        self.waiting: dict[int, list] = {}
        self.received: list[wire.Frame] = []   # every frame the client sent
        self.name: bytes | None = None

    def send(self, data: bytes) -> None:
        with self.lock:
            self.sock.sendall(data)

    def send_req(self, frame_for: Callable[[int], bytes]) -> int:
        with self.lock:
            r = self.reqno
            self.reqno += 1
            self.sock.sendall(frame_for(r))
        return r

    def ask(self, frame_for: Callable[[int], bytes]) -> wire.Frame:
        slot: list = [threading.Event(), None]
        with self.lock:
            r = self.reqno
            self.reqno += 1
            self.waiting[r] = slot
            self.sock.sendall(frame_for(r))
        if not slot[0].wait(10):
            raise TimeoutError("client did not answer")
        if slot[1] is None:
            raise CopyFailed("connection closed")
        return slot[1]

    def run(self) -> None:
        dec = wire.Decoder()
        try:
            self.sock.sendall(self.server.banner)
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                for f in dec.feed(data):
                    self.received.append(f)
                    self.dispatch(f)
        except (OSError, wire.ProtocolError):
            pass
        finally:
            for slot in list(self.waiting.values()):
                slot[0].set()
            self.sock.close()

    def dispatch(self, f: wire.Frame) -> None:
        if f.cls in (wire.RESP, wire.ERROR):
            slot = self.waiting.pop(f.reqno, None)
            if slot is not None:
                slot[1] = f
                slot[0].set()
            return
        if f.type == wire.HANDSHAKE:
            self.name = f.body
            if f.union == wire.HANDSHAKE_FORK and self.server.fork_error:
                self.send(wire.error_frame(f.reqno, self.server.fork_error))
                return
            if f.union == wire.HANDSHAKE_FORK and wire.parse_fork_body(f.body)[1]:
                self.sock.shutdown(socket.SHUT_RDWR)
                return
            self.send(wire.handshake_response(f.reqno, self.server.handshake_error))
        elif f.type == wire.PREFORK:
            self.send(wire.prefork_response(f.reqno, b"C" * 16))
        elif f.type == wire.SYSCALL:
            n = len(f.body) // 8
            args = list(struct.unpack(f"<{n}Q", f.body[:n * 8]))
            threading.Thread(target=self.call, args=(f, args), daemon=True).start()

    def call(self, f: wire.Frame, args: list[int]) -> None:
        ctx = CallCtx(self, f.reqno)
        try:
            err, rv0, rv1 = self.server.handler(ctx, f.union, args)
        except CopyFailed:
            err, rv0, rv1 = 14, 0, 0  # EFAULT
        except Exception as e:  # a broken test handler: report it, answer EIO
            self.server.errors.append(e)
            err, rv0, rv1 = 5, 0, 0
        if err is None:  # the handler answered (or deliberately did not) itself
            return
        try:
            self.send(wire.syscall_response(f.reqno, err, rv0, rv1))
        except OSError:
            pass


class FakeServer:
    """Listens on a unix socket in ``tmpdir``; ``url`` is what the client connects to."""

    def __init__(self, tmpdir: str, handler: Handler = default_handler,
                 banner: bytes | None = None) -> None:
        self.path = os.path.join(tmpdir, "fake.sock")
        self.url = "unix://" + self.path
        self.handler = handler
        self.banner = banner if banner is not None else wire.banner()
        self.handshake_error = 0
        self.fork_error = 0
        self.conns: list[FakeConn] = []
        self.errors: list[Exception] = []
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(self.path)
        self.lsock.listen(16)
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            c = FakeConn(self, s)
            self.conns.append(c)
            threading.Thread(target=c.run, daemon=True).start()

    def close(self) -> None:
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        for c in self.conns:
            try:
                c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
