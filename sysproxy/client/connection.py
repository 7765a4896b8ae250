"""One connection to a sysproxy server: one process in the rump kernel.

No reader thread: a calling thread sends its request and then, if no other
thread is reading the socket, reads it itself until its own reply arrives
(leader/follower). Frames for other threads' calls are handed to them and they
are woken; the server's copy requests are served by whoever reads, from the
connection's :class:`AddressSpace`, since those requests do not say which call
they belong to. A single-threaded caller thus pays one send and one recv per
call and no thread switch.
"""
from __future__ import annotations

import os
import signal as _hsignal
import socket
import struct
import threading
from collections import deque
from typing import Callable, Iterable

from sysproxy import wire
from sysproxy.abi import signal as nbsignal
from sysproxy.url import Address

from .errors import connection_lost, kernel_error, protocol_error
from .memory import AddressSpace, In, Out

__all__ = ["Connection", "Slot"]

Slot = int | str | bytes | bytearray | memoryview | In | Out | None
_STRUCTS = [struct.Struct(f"<{n}Q") for n in range(9)]
_U32 = 0xFFFFFFFF
_U64 = (1 << 64) - 1
_RECVSIZE = 256 * 1024


class _Waiter:
    __slots__ = ("frame",)

    def __init__(self) -> None:
        self.frame: wire.Frame | None = None


class Connection:
    """A connected, handshaken socket plus the address space the server may use."""

    def __init__(self, sock: socket.socket, address: Address | None = None,
                 max_anon: int = 256 * 1024 * 1024) -> None:
        self.sock = sock
        self.address = address
        self.memory = AddressSpace(max_anon)
        self.banner: wire.Banner | None = None
        self.on_raise: Callable[[int], None] | None = None
        self.ignored_requests = 0   # refused copy requests and garbage, for tests
        self._reqno = iter(range(1, 1 << 64)).__next__
        self._pending: dict[int, _Waiter] = {}
        self._cv = threading.Condition(threading.Lock())
        self._rlock = threading.Lock()   # held by the thread reading the socket
        self._followers = 0              # threads sleeping on _cv for a reply
        self._send_lock = threading.Lock()
        self._decoder = wire.Decoder()
        self._backlog: deque[wire.Frame] = deque()
        self._dead: BaseException | None = None

    # ----- setting up -------------------------------------------------------

    @classmethod
    def open(cls, address: Address, name: str, timeout: float | None = None,
             **kw) -> "Connection":
        """Connect, check the banner and do the GUEST handshake (reqno 1, as librumpclient)."""
        sock = address.make_socket()
        try:
            sock.settimeout(timeout)
            sock.connect(address.sockaddr)
            conn = cls(sock, address, **kw)
            conn.read_banner()
            sock.settimeout(None)
            conn.handshake(wire.HANDSHAKE_GUEST, wire.guest_body(name))
        except BaseException:
            sock.close()
            raise
        return conn

    @classmethod
    def adopt(cls, fd: int, name: str, address: Address | None = None, **kw) -> "Connection":
        """Take over a socket inherited across exec and send the EXEC handshake (reqno 0)."""
        sock = socket.socket(fileno=fd)
        sock.setblocking(True)
        conn = cls(sock, address, **kw)
        conn._reqno = iter(range(0, 1 << 64)).__next__
        conn.handshake(wire.HANDSHAKE_EXEC, wire.guest_body(name))
        return conn

    def read_banner(self) -> wire.Banner:
        """Read the one-line banner; nothing may follow it before our handshake."""
        data = b""
        while not data.endswith(b"\n"):
            chunk = self.sock.recv(wire.MAXBANNER - len(data))
            if not chunk:
                raise connection_lost("server closed the connection before its banner")
            data += chunk
            if b"\n" in data[:-1] or (len(data) >= wire.MAXBANNER and not data.endswith(b"\n")):
                raise protocol_error(f"bad banner {data!r}")
        try:
            b = wire.parse_banner(data)
        except wire.ProtocolError as e:
            raise protocol_error(str(e)) from None
        if (b.major, b.minor) != (wire.PROTOMAJOR, wire.PROTOMINOR):
            raise protocol_error(f"server speaks RUMPSP {b.major}.{b.minor}, "
                                 f"we speak {wire.PROTOMAJOR}.{wire.PROTOMINOR}")
        self.banner = b
        return b

    def handshake(self, kind: int, body: bytes) -> None:
        """Send a HANDSHAKE request and check its reply (int error 0)."""
        f = self.request(lambda r: wire.handshake_request(r, kind, body))
        if f.cls == wire.ERROR:
            self.close()
            raise kernel_error(wire.ERROR_ERRNO.get(f.union, 22))
        err = struct.unpack_from("<i", f.body)[0] if len(f.body) >= 4 else 22
        if err:
            raise kernel_error(err)

    # ----- requests ---------------------------------------------------------

    def request(self, build: Callable[[int], bytes], wait: bool = True) -> wire.Frame:
        """Send the frame ``build(reqno)`` and wait for the RESP or ERROR with that reqno."""
        reqno = self._reqno()
        w = _Waiter()
        self._pending[reqno] = w
        try:
            self._send(build(reqno))
            return self._wait(w) if wait else None  # type: ignore[return-value]
        finally:
            self._pending.pop(reqno, None)

    def syscall(self, sysnum: int, args: Iterable[Slot] = ()) -> tuple[int, int]:
        """Make a system call; (retval0, retval1), or KernelError with the errno.

        Integer slots are C ``int``s when negative (sent as 32-bit two's
        complement, upper half zero, as librumpclient does) and are sent as-is
        when non-negative (mask 64-bit values yourself). ``str`` is a
        NUL-terminated path, ``bytes`` a read-only buffer, ``bytearray`` a
        buffer the server may read and write, ``None`` the NULL pointer.
        """
        slots: list[int] = []
        regs: list[int] = []
        mem = self.memory
        try:
            for a in args:
                if a.__class__ is int:
                    slots.append(a if a >= 0 else a & _U32)
                elif a is None:
                    slots.append(0)
                else:
                    slot, addr = self._register(mem, a)
                    regs.append(slot)
                    slots.append(addr)
            n = len(slots)
            body = (_STRUCTS[n] if n < 9 else struct.Struct(f"<{n}Q")).pack(*slots)
            reqno = self._reqno()
            w = _Waiter()
            self._pending[reqno] = w
            try:
                self._send(wire.syscall_request(reqno, sysnum, body))
                f = w.frame or self._wait(w)
            finally:
                del self._pending[reqno]
        finally:
            for slot in regs:
                mem.unregister(slot)
        if f.cls != wire.RESP:
            raise kernel_error(wire.ERROR_ERRNO.get(f.union, 22))
        try:
            err, rv0, rv1 = wire.parse_syscall_response(f.body)
        except wire.ProtocolError as e:
            raise protocol_error(str(e)) from None
        if err:
            raise kernel_error(err)
        return rv0, rv1

    @staticmethod
    def _register(mem: AddressSpace, a: Slot) -> tuple[int, int]:
        if isinstance(a, Out):
            return mem.register(a.buf, a.readable, True)
        if isinstance(a, In):
            return mem.register(a.data, True, False)
        if isinstance(a, str):
            return mem.register(os.fsencode(a) + b"\0", True, False)
        if isinstance(a, (bytes, memoryview)):
            return mem.register(a, True, False)
        if isinstance(a, bytearray):
            return mem.register(a, True, True)
        if isinstance(a, int):  # an int subclass, e.g. a bool or an IntEnum
            raise TypeError("pass plain ints")
        raise TypeError(f"cannot pass {type(a).__name__} as a syscall argument")

    def prefork(self) -> bytes:
        """PREFORK: the 16-byte cookie a forked child presents in its FORK handshake."""
        f = self.request(wire.prefork_request)
        if f.cls != wire.RESP or len(f.body) < wire.AUTHLEN:
            raise kernel_error(wire.ERROR_ERRNO.get(f.union, 22) if f.cls == wire.ERROR else 22)
        return f.body[:wire.AUTHLEN]

    # ----- the socket -------------------------------------------------------

    def _send(self, data: bytes) -> None:
        if self._dead is not None:
            raise connection_lost(f"connection lost: {self._dead}")
        try:
            with self._send_lock:
                self.sock.sendall(data)
        except OSError as e:
            self._kill(e)
            raise connection_lost(f"connection lost: {e}") from None

    def _wait(self, w: _Waiter) -> wire.Frame:
        """Become the reader if nobody is, else sleep until our reply or the role is free."""
        rlock = self._rlock
        cv = self._cv
        while True:
            if rlock.acquire(False):
                try:
                    if self._dead is not None and w.frame is None:
                        raise connection_lost(f"connection lost: {self._dead}")
                    while w.frame is None:
                        self._pump(w)
                finally:
                    rlock.release()
                    if self._followers:
                        with cv:
                            cv.notify_all()
                return w.frame
            with cv:
                self._followers += 1
                try:
                    while w.frame is None and rlock.locked() and self._dead is None:
                        cv.wait()
                finally:
                    self._followers -= 1
            if w.frame is not None:
                return w.frame

    def _pump(self, me: _Waiter) -> None:
        """Read once from the socket and dispatch what arrived (the reader's job)."""
        backlog = self._backlog
        if not backlog:
            try:
                data = self.sock.recv(_RECVSIZE)
            except OSError as e:
                self._kill(e)
                raise connection_lost(f"connection lost: {e}") from None
            if not data:
                self._kill(EOFError("server closed the connection"))
                raise connection_lost("server closed the connection")
            try:
                backlog.extend(self._decoder.feed(data))
            except wire.ProtocolError as e:
                self._kill(e)
                raise protocol_error(f"server broke the protocol: {e}") from None
        woke = False
        while backlog:
            f = backlog.popleft()
            if f.cls == wire.REQ:
                self._serve(f)
            elif f.cls == wire.RESP or f.cls == wire.ERROR:
                w = self._pending.get(f.reqno)
                if w is not None and w.frame is None:
                    w.frame = f
                    woke = woke or w is not me
            else:
                self.ignored_requests += 1
        if woke and self._followers:
            with self._cv:
                self._cv.notify_all()

    def _serve(self, f: wire.Frame) -> None:
        """Answer one server request from the address space; refuse what lies outside it."""
        typ = f.type
        if typ == wire.COPYIN or typ == wire.COPYINSTR:
            if len(f.body) != 16:
                return self._refuse(f)
            length, addr = wire.parse_copy_request(f.body)
            data = (self.memory.copyin(addr, length) if typ == wire.COPYIN
                    else self.memory.copyinstr(addr, length))
            if data is None:
                return self._refuse(f)
            self._send(wire.copy_response(f.reqno, data))
        elif typ == wire.COPYOUT or typ == wire.COPYOUTSTR:
            if len(f.body) < 16:
                return self._refuse(f)
            length, addr = wire.parse_copy_request(f.body)
            if length != len(f.body) - 16 or not self.memory.copyout(
                    addr, memoryview(f.body)[16:]):
                return self._refuse(f)
        elif typ == wire.ANONMMAP:
            size = wire.parse_u64(f.body) if len(f.body) >= 8 else 0
            addr = self.memory.anonmmap(size)
            if addr == 0:
                self.ignored_requests += 1
            self._send(wire.anonmmap_response(f.reqno, addr))
        elif typ == wire.RAISE:
            self._raise(f.union)
        else:
            self._refuse(f, wire.ERR_MALFORMED_REQUEST)

    def _refuse(self, f: wire.Frame, code: int = wire.ERR_MALFORMED_REQUEST) -> None:
        self.ignored_requests += 1
        self._send(wire.error_frame(f.reqno, code))

    def _raise(self, nbsigno: int) -> None:
        """RAISE: the program's handler, else the matching host signal to this process."""
        if self.on_raise is not None:
            self.on_raise(nbsigno)
            return
        host = nbsignal.to_host(nbsigno)
        if host is None:
            self.ignored_requests += 1
            return
        os.kill(os.getpid(), _hsignal.Signals(host))

    def _kill(self, why: BaseException) -> None:
        """Mark the connection dead and wake every waiter."""
        with self._cv:
            if self._dead is None:
                self._dead = why
            self._cv.notify_all()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    @property
    def alive(self) -> bool:
        return self._dead is None

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        """Drop the connection: the kernel process exits (its descriptors close)."""
        self._kill(connection_lost("closed by the client"))
        self.sock.close()

    def detach(self) -> None:
        """Close our descriptor without shutting the connection down.

        A forked child does this with the parent's connection: shutdown() would
        end the parent's kernel process too.
        """
        self._dead = connection_lost("detached (forked child)")
        self.sock.close()
