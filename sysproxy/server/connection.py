"""One client connection: framing, handshakes, calls, and copies to its memory.

A Connection is also the CallContext of every call its client makes: kernel
code copies in and out of the client's memory through it. Copy requests
carry this connection's own request numbers; their answers are matched back
by reqno, so copies of several in-flight calls interleave freely.
"""
from __future__ import annotations

import logging
import socket
from collections import deque
from typing import TYPE_CHECKING

from .. import wire
from ..abi import errno as E
from ..kernel.errors import KernelError
from ..kernel.lwp import Suspension
from . import inline

if TYPE_CHECKING:
    from ..kernel.lwp import Lwp
    from ..kernel.proc import Proc
    from .listener import Server

log = logging.getLogger("sysproxy.server")

NEW, RUNNING, CLOSING, DYING = "NEW", "RUNNING", "CLOSING", "DYING"
# Small reads keep the common case cheap (a large recv buffer costs a page-mapped
# allocation per call); a frame known to be large is read in bigger pieces.
RECV_SIZE = 16 * 1024
RECV_MAX = 4 * 1024 * 1024
# Stop reading a client's requests while this much output waits for it.
OUTPUT_HIGH_WATER = 8 * 1024 * 1024
# The one receive buffer every connection reads into (the server is one thread,
# and a read's bytes are copied into frames before the next read).
_RECV_VIEW = memoryview(bytearray(RECV_SIZE))


class CopyWait(Suspension):
    """A call waiting for the client's answer to COPYIN, COPYINSTR or ANONMMAP."""

    __slots__ = ("conn", "typ", "length", "addr", "reqno", "lwp")

    def __init__(self, conn: "Connection", typ: int, length: int, addr: int) -> None:
        self.conn = conn
        self.typ = typ
        self.length = length
        self.addr = addr
        self.reqno = -1
        self.lwp: Lwp | None = None

    def arm(self, lwp: "Lwp") -> None:
        conn = self.conn
        if conn.state is DYING:
            raise KernelError(E.EFAULT)
        if self.addr == 0 and self.typ != wire.ANONMMAP and (
                self.length or self.typ == wire.COPYINSTR):
            raise KernelError(E.EFAULT)  # rumpcopy.c: a NULL address never reaches the client
        self.lwp = lwp
        self.reqno = reqno = conn.nextreq
        conn.nextreq = reqno + 1
        conn.waiters[reqno] = self
        if self.typ == wire.ANONMMAP:
            conn.send(wire.anonmmap_request(reqno, self.length))
        else:
            conn.send(wire.copy_request(reqno, self.typ, self.length, self.addr))

    def disarm(self, lwp: "Lwp") -> None:
        self.conn.waiters.pop(self.reqno, None)

    def complete(self, frame: wire.Frame) -> None:
        lwp = self.lwp
        assert lwp is not None
        if frame.cls != wire.RESP:
            lwp.fail(self, KernelError(E.EFAULT))
            return
        data = frame.body
        typ = self.typ
        if typ == wire.COPYIN:
            if len(data) != self.length:
                lwp.fail(self, KernelError(E.EFAULT))
            else:
                lwp.resume(self, data)
        elif typ == wire.COPYINSTR:
            nul = data.find(b"\0", 0, self.length)
            if nul >= 0:
                lwp.resume(self, data[:nul])
            elif len(data) >= self.length:
                lwp.fail(self, KernelError(E.ENAMETOOLONG))
            else:
                lwp.fail(self, KernelError(E.EFAULT))
        else:  # ANONMMAP
            addr = wire.parse_u64(data) if len(data) >= 8 else 0
            if addr == 0:
                lwp.fail(self, KernelError(E.ENOMEM))
            else:
                lwp.resume(self, addr)


class Connection:
    def __init__(self, server: "Server", sock: socket.socket, peer: str) -> None:
        self.server = server
        self.kernel = server.kernel
        self.sock = sock
        self.fd = sock.fileno()
        self.peer = peer
        self.decoder = wire.Decoder(server.max_frame)
        self.state = NEW
        self.proc: Proc | None = None
        self.nextreq = 0
        self.waiters: dict[int, CopyWait] = {}
        self.out: deque[bytes | memoryview] = deque()
        self.outlen = 0
        self.reading = True
        self.inexec = False
        # While a batch of requests is handled: the frames to write at its end.
        self.cork: list[bytes] | None = None

    def __repr__(self) -> str:
        pid = self.proc.pid if self.proc else None
        return f"<Connection fd={self.fd} {self.state} pid={pid}>"

    # -- output ------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Write a frame (or queue it: while a batch of requests is handled, and
        behind output the socket has not taken yet)."""
        if self.state is DYING:
            return
        cork = self.cork
        if cork is not None:
            cork.append(data)
        else:
            self._write(data)

    def send_parts(self, head: bytes, data: bytes) -> None:
        """Send two buffers as one frame without joining them (large COPYOUTs)."""
        if self.state is DYING:
            return
        cork = self.cork
        if cork is not None:
            cork.append(head)
            cork.append(data)
        else:
            self._write_many([head, data])

    def _uncork(self) -> None:
        """End of a batch: everything it produced (copyouts and replies) in one write."""
        parts, self.cork = self.cork, None
        if not parts or self.state is DYING:
            return
        if len(parts) == 1:
            self._write(parts[0])
        elif len(parts) <= 64 and sum(map(len, parts)) <= 65536:
            self._write(b"".join(parts))
        else:
            self._write_many(parts)

    def _write(self, data: bytes) -> None:
        if self.out:
            self.out.append(data)
            self.outlen += len(data)
            return
        try:
            n = self.sock.send(data)
        except BlockingIOError:
            n = 0
        except OSError:
            self.disconnect()
            return
        if n < len(data):
            self._queue(memoryview(data)[n:])

    def _write_many(self, parts: list[bytes]) -> None:
        """Scatter-gather write; what the socket does not take waits in order."""
        if self.out:
            for p in parts:
                self.out.append(p)
                self.outlen += len(p)
            return
        try:
            n = self.sock.sendmsg(parts[:512])
        except BlockingIOError:
            n = 0
        except OSError:
            self.disconnect()
            return
        for i, p in enumerate(parts):
            if n >= len(p):
                n -= len(p)
                continue
            self._queue(memoryview(p)[n:] if n else p)
            for rest in parts[i + 1:]:
                self._queue(rest)
            break

    def _queue(self, data: bytes | memoryview) -> None:
        self.out.append(data)
        self.outlen += len(data)
        self.server.reactor.modify(self.fd, self.outlen < OUTPUT_HIGH_WATER, True)
        self.reading = self.outlen < OUTPUT_HIGH_WATER

    def on_writable(self) -> None:
        out = self.out
        try:
            while out:
                chunk = out[0]
                n = self.sock.send(chunk)
                self.outlen -= n
                if n < len(chunk):
                    out[0] = memoryview(chunk)[n:]
                    break
                out.popleft()
        except BlockingIOError:
            pass
        except OSError:
            self.disconnect()
            return
        if not out:
            self.outlen = 0
            if self.state is CLOSING:
                self._shutdown_now()
                return
        self.reading = self.outlen < OUTPUT_HIGH_WATER
        self.server.reactor.modify(self.fd, self.reading, bool(out))

    def flush_blocking(self, timeout: float = 1.0) -> None:
        """Push out what is queued before the server exits (halt)."""
        if self.state is DYING or not self.out:
            return
        try:
            self.sock.settimeout(timeout)
            for chunk in self.out:
                self.sock.sendall(chunk)
        except OSError:
            pass
        self.out.clear()

    # -- input -------------------------------------------------------------
    def on_readable(self) -> None:
        """Read what has arrived and handle every complete frame in it.

        Requests arrive in one shared buffer (``recv_into``, no allocation per
        read); a frame larger than it is read on in the same event until it
        is complete or the socket is drained, not one epoll turn per piece.
        """
        if self.state is DYING:
            return
        dec = self.decoder
        sock = self.sock
        view = _RECV_VIEW
        frames: list[wire.Frame] = []
        try:
            while True:
                want = dec.wanted if dec._buf else 0  # (the Decoder is ours: peek)
                buf = view if want <= RECV_SIZE else \
                    memoryview(bytearray(min(want, RECV_MAX)))  # the rest of a large frame
                n = sock.recv_into(buf)
                if not n:
                    break
                frames += dec.feed(buf[:n])
                if n < len(buf) or not dec.wanted:
                    break  # drained, or no frame half read: back to the loop
        except (BlockingIOError, InterruptedError):
            if not frames:
                return
            n = -1
        except OSError:
            n = 0
        except wire.ProtocolError as e:
            log.warning("%s: protocol error, dropping connection: %s", self, e)
            self.disconnect()
            return
        if not n and not frames:
            self.disconnect()
            return
        self.cork = []
        try:
            for f in frames:
                if self.state is DYING or self.state is CLOSING:
                    break
                try:
                    self.handle(f)
                except Exception:  # a server bug: lose this client, never the server
                    log.exception("%s: internal error handling %s", self, f[:4])
                    self.disconnect()
                    return
        finally:
            self._uncork()

    def handle(self, f: wire.Frame) -> None:
        cls = f.cls
        if cls == wire.REQ:
            typ = f.type
            if typ == wire.SYSCALL and self.state is RUNNING:
                assert self.proc is not None  # RUNNING: the handshake made the process
                self.kernel.syscall(self.proc, self, f.union, f.body, self._reply, f.reqno)
            elif typ == wire.SYSCALL_INLINE and self.state is RUNNING:
                inline.syscall(self, f)  # our extension (server/inline.py)
            elif self.state is NEW:
                self._handshake_new(f)
            elif f.type == wire.SYSCALL:
                pass  # CLOSING: the connection is going down
            elif f.type == wire.PREFORK:
                self._prefork(f)
            elif f.type == wire.SYSCALL_INLINE:
                pass  # CLOSING, as SYSCALL
            elif f.type == wire.HANDSHAKE:
                self._handshake_running(f)
            else:
                self.send(wire.error_frame(f.reqno, wire.ERR_MALFORMED_REQUEST))
        elif cls == wire.RESP or cls == wire.ERROR:
            w = self.waiters.pop(f.reqno, None)
            if w is not None:
                w.complete(f)
        else:
            self.send(wire.error_frame(f.reqno, wire.ERR_MALFORMED_REQUEST))

    def _fail(self, reqno: int, code: int) -> None:
        """Answer with an ERROR frame, then shut the connection down."""
        self.send(wire.error_frame(reqno, code))
        self.shutdown()

    # -- handshakes --------------------------------------------------------
    def _handshake_new(self, f: wire.Frame) -> None:
        if f.type != wire.HANDSHAKE:
            self._fail(f.reqno, wire.ERR_AUTH)
            return
        kind = f.union
        if kind == wire.HANDSHAKE_GUEST:
            if not f.body:
                log.warning("%s: GUEST handshake without a program name", self)
                self._fail(f.reqno, wire.ERR_MALFORMED_REQUEST)
                return
            try:
                cred = self.server.creds.for_socket(self.sock)  # who the client is (--creds)
                proc = self.kernel.spawn_guest(_comm(f.body), cred)
            except (KernelError, OSError) as e:
                log.warning("%s: cannot create a process: errno %d", self, e.errno)
                self._fail(f.reqno, wire.ERR_TRYAGAIN)
                return
            self._attach(proc)
            self.send(wire.handshake_response(f.reqno, 0, wire.offers_extension(f.body)))
        elif kind == wire.HANDSHAKE_FORK:
            if len(f.body) != 20:
                self._fail(f.reqno, wire.ERR_MALFORMED_REQUEST)
                return
            cookie, cancel = wire.parse_fork_body(f.body)
            pending = self.server.preforks.take(cookie)
            if pending is None:
                self._fail(f.reqno, wire.ERR_INVALID_PREFORK)
                return
            if cancel:
                self.kernel.exit(pending)
                self.shutdown()
                return
            try:  # the child is forked once more from the prefork (Kernel.claim)
                child = self.kernel.claim(pending)
            except KernelError:
                self._fail(f.reqno, wire.ERR_RFORK_FAILED)
                return
            self._attach(child)
            self.send(wire.handshake_response(f.reqno, 0))
        else:
            self._fail(f.reqno, wire.ERR_AUTH)

    def _attach(self, proc: "Proc") -> None:
        self.proc = proc
        proc.signal_sink = self.send_raise
        self.state = RUNNING
        self.server.process_attached(self, proc)

    def _handshake_running(self, f: wire.Frame) -> None:
        if f.union != wire.HANDSHAKE_EXEC:
            self._fail(f.reqno, wire.ERR_MALFORMED_REQUEST)
            return
        if self.inexec:
            self._fail(f.reqno, wire.ERR_INEXEC)
            return
        if not f.body:
            log.warning("%s: EXEC handshake without a program name", self)
            self._fail(f.reqno, wire.ERR_MALFORMED_REQUEST)
            return
        self.inexec = True
        reqno = f.reqno
        comm = _comm(f.body)
        ext = wire.offers_extension(f.body)
        assert self.proc is not None

        def done() -> None:
            self.inexec = False
            self.send(wire.handshake_response(reqno, 0, ext))
        self.kernel.exec(self.proc, comm, done)

    def _prefork(self, f: wire.Frame) -> None:
        if self.inexec:
            self._fail(f.reqno, wire.ERR_INEXEC)
            return
        assert self.proc is not None
        if self.server.preforks.full:
            log.warning("%s: too many pending preforks", self)
            self.send(wire.error_frame(f.reqno, wire.ERR_TRYAGAIN))
            return
        try:
            child = self.kernel.fork(self.proc)
        except KernelError as e:  # EAGAIN: the tree's process limit (fork(2)'s errno)
            code = wire.ERR_TRYAGAIN if e.errno == E.EAGAIN else wire.ERR_RFORK_FAILED
            self.send(wire.error_frame(f.reqno, code))
            return
        cookie = self.server.preforks.add(child)
        self.send(wire.prefork_response(f.reqno, cookie))

    # -- system calls ------------------------------------------------------
    def _reply(self, lwp: "Lwp", error: int, rv0: int, rv1: int) -> None:
        if error >= 0:
            self.send(wire.syscall_response(lwp.tag, error, rv0, rv1))

    # CallContext: how kernel code reaches this client's memory.
    def copyin(self, lwp: "Lwp", addr: int, length: int) -> CopyWait:
        return CopyWait(self, wire.COPYIN, length, addr)

    def copyinstr(self, lwp: "Lwp", addr: int, maxlen: int) -> CopyWait:
        return CopyWait(self, wire.COPYINSTR, maxlen, addr)

    def anonmmap(self, lwp: "Lwp", size: int) -> CopyWait:
        return CopyWait(self, wire.ANONMMAP, size, 0)

    def copyout(self, lwp: "Lwp", addr: int, data: bytes) -> None:
        reqno = self.nextreq
        self.nextreq = reqno + 1
        head = wire.copyout_header(reqno, addr, len(data))
        if len(data) <= 4096:
            self.send(head + data)
        else:
            self.send_parts(head, data)

    def send_raise(self, signo: int) -> None:
        self.send(wire.raise_request(signo))

    # -- teardown ----------------------------------------------------------
    def shutdown(self) -> None:
        """Stop taking requests; close once what is queued has been written."""
        if self.state is DYING:
            return
        self._uncork()  # what was answered so far (an ERROR frame) goes out first
        self.state = CLOSING
        if not self.out:
            self._shutdown_now()

    def _shutdown_now(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.disconnect()

    def disconnect(self) -> None:
        """The client is gone: fail its waiting copies, end its process, free the slot."""
        if self.state is DYING:
            return
        self.state = DYING
        self.server.reactor.unregister(self.fd)
        try:
            self.sock.close()
        except OSError:
            pass
        self.out.clear()
        waiters, self.waiters = self.waiters, {}
        for w in waiters.values():
            if w.lwp is not None:
                w.lwp.interrupt(KernelError(E.EFAULT))
        if self.proc is not None:
            self.kernel.exit(self.proc)
        self.server.connection_closed(self)


def _comm(body: bytes) -> str:
    """A program name from a handshake body, never trusting its NUL."""
    return body.split(b"\0", 1)[0].decode("utf-8", "replace")
