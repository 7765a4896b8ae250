"""One connection to a sysproxy server: one process in the rump kernel.

Handshakes (GUEST, EXEC, FORK), PREFORK, and system calls: a call registers its
buffers in the connection's :class:`AddressSpace`, sends one request and waits
for its reply on the socket side (:mod:`.transport`: leader/follower reading,
spin-then-block, the server's copy requests served from those buffers).

Against a server that advertised the sysproxy extension in its handshake reply
(ours does; NetBSD's never does), a call's input buffers and strings travel
inside the request (SYSCALL_INLINE, docs/PROTOCOL-EXTENSIONS.md), so the
server needs no COPYIN round trip for them. Against any other server every
call is a plain SYSCALL.
"""
from __future__ import annotations

import os
import socket
import struct
from collections.abc import Callable, Iterable

from sysproxy import wire
from sysproxy.url import Address

from .errors import connection_lost, kernel_error, protocol_error
from .memory import AddressSpace, In, Out
from .transport import SPIN_US, Transport, Waiter, _get_ident, _new_frame

__all__ = ["Connection", "Slot", "SPIN_US"]

Slot = int | str | bytes | bytearray | memoryview | In | Out | None
_STRUCTS = [struct.Struct(f"<{n}Q") for n in range(9)]
_U32 = 0xFFFFFFFF
_RECVSIZE = 16 * 1024
_HEADER = wire.HEADER
_HDRSZ = wire.HDRSZ
_REQ, _RESP, _ERROR, _SYSCALL = wire.REQ, wire.RESP, wire.ERROR, wire.SYSCALL
_SYSCALL_INLINE = wire.SYSCALL_INLINE
_COPYOUT = wire.COPYOUT
_Frame = wire.Frame
_SYSRESP = struct.Struct("<i4xqq")
_INT = struct.Struct("<i")
# path_out_call's request: header, inline head (arglen 16, reserved), the path and
# out slots, the path's record head; or, plain, the header and both slots.
_PATHOUT_INLINE = struct.Struct("<QQHHIIIQQQQ")
_PATHOUT_PLAIN = struct.Struct("<QQHHIQQ")
_ZEROS = bytes(8)
# Whether connections offer the sysproxy extension unless told otherwise
# (SYSPROXY_EXTENSIONS=0 in the environment: always the plain protocol).
OFFER_EXTENSIONS = os.environ.get("SYSPROXY_EXTENSIONS", "1") != "0"
# Input bytes one call sends inline at most (the rest is fetched by COPYIN).
INLINE_MAX = 64 * 1024
# PREFORK cookie -> whether the parent's connection had the extension. A FORK
# handshake that presents the cookie reaches the very server instance that
# issued it, so the child's connection inherits the parent's answer (the
# 20-byte FORK body has no room to offer the extension).
_prefork_ext: dict[bytes, bool] = {}


class Connection(Transport):
    """A connected, handshaken socket plus the address space the server may use."""

    def __init__(self, sock: socket.socket, address: Address | None = None,
                 max_anon: int = 256 * 1024 * 1024) -> None:
        super().__init__(sock, AddressSpace(max_anon))
        self.address = address
        self.banner: wire.Banner | None = None
        self.inline = False         # the server takes SYSCALL_INLINE (handshake said so)
        self.inline_max = INLINE_MAX
        self._reqno = iter(range(1, 1 << 64)).__next__

    # ----- setting up -------------------------------------------------------

    @classmethod
    def open(cls, address: Address, name: str, timeout: float | None = None,
             extensions: bool | None = None, **kw) -> "Connection":
        """Connect, check the banner and do the GUEST handshake (reqno 1, as librumpclient).

        ``extensions`` offers the sysproxy extension (NetBSD's server ignores the
        offer); None means OFFER_EXTENSIONS.
        """
        if extensions is None:
            extensions = OFFER_EXTENSIONS
        sock = address.make_socket()
        try:
            sock.settimeout(timeout)
            sock.connect(address.sockaddr)
            conn = cls(sock, address, **kw)
            conn.read_banner()
            sock.settimeout(None)
            conn.handshake(wire.HANDSHAKE_GUEST, wire.guest_body(name, extensions))
        except BaseException:
            sock.close()
            raise
        return conn

    @classmethod
    def adopt(cls, fd: int, name: str, address: Address | None = None,
              extensions: bool | None = None, **kw) -> "Connection":
        """Take over a socket inherited across exec and send the EXEC handshake (reqno 0)."""
        if extensions is None:
            extensions = OFFER_EXTENSIONS
        sock = socket.socket(fileno=fd)
        sock.setblocking(True)
        conn = cls(sock, address, **kw)
        conn._reqno = iter(range(0, 1 << 64)).__next__
        conn.handshake(wire.HANDSHAKE_EXEC, wire.guest_body(name, extensions))
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
        """Send a HANDSHAKE request and check its reply (int error 0).

        A GUEST or EXEC body that offers the extension turns it on if the reply
        carries the tag; a FORK child takes its parent's answer (see _prefork_ext).
        """
        f = self.request(lambda r: wire.handshake_request(r, kind, body))
        if f.cls == wire.ERROR:
            self.close()
            raise kernel_error(wire.ERROR_ERRNO.get(f.union, 22))
        err = _INT.unpack_from(f.body)[0] if len(f.body) >= 4 else 22
        if err:
            raise kernel_error(err)
        if kind == wire.HANDSHAKE_FORK:
            self.inline = _prefork_ext.get(body[:wire.AUTHLEN], False)
        else:
            self.inline = wire.offers_extension(body) and wire.accepts_extension(f.body)

    # ----- requests ---------------------------------------------------------

    def request(self, build: Callable[[int], bytes], wait: bool = True) -> wire.Frame:
        """Send the frame ``build(reqno)`` and wait for the RESP or ERROR with that reqno."""
        reqno = self._reqno()
        w = Waiter()
        w.frame = None
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

        If the server takes the extension, the readable buffers (up to
        ``inline_max`` bytes in all) go inside the request.
        """
        if not args:
            return self._call(sysnum, b"", None)
        slots: list[int] = []
        regs: list[int] = []
        records: list[tuple[int, bytes | bytearray | memoryview]] | None = None
        mem = self.memory
        try:
            for a in args:
                if a.__class__ is int:
                    slots.append(a if a >= 0 else a & _U32)
                elif a is None:
                    slots.append(0)
                else:
                    slot, addr, data = self._register(mem, a)
                    regs.append(slot)
                    slots.append(addr)
                    if data is not None and self.inline and data:
                        if records is None:
                            records = []
                        records.append((addr, data))
            n = len(slots)
            body = (_STRUCTS[n] if n < 9 else struct.Struct(f"<{n}Q")).pack(*slots)
            return self._call(sysnum, body, records)
        finally:
            for slot in regs:
                mem.unregister(slot)

    def path_out_call(self, sysnum: int, path: bytes, out: bytearray) -> int:
        """``f(const char *path, T *out)``, the commonest shape of a file system call
        (stat, lstat), on a shorter path than :meth:`syscall`: ``path`` (NUL
        included) goes inline when the server takes it. Returns retval[0]."""
        mem = self.memory
        pslot, paddr = mem.register(path, True, False)
        oslot, oaddr = mem.register(out, False, True)
        try:
            reqno = self._reqno()
            n = len(path)
            if self.inline and n <= self.inline_max:
                # header, inline head, both slots and the record head in one pack
                pad = -n & 7
                frame = _PATHOUT_INLINE.pack(
                    _HDRSZ + 40 + n + pad, reqno, _REQ, _SYSCALL_INLINE, sysnum,
                    16, 0, paddr, oaddr, paddr, n) + path + _ZEROS[:pad]
            else:
                frame = _PATHOUT_PLAIN.pack(_HDRSZ + 16, reqno, _REQ, _SYSCALL, sysnum,
                                            paddr, oaddr)
            return self._exchange(reqno, frame, sysnum)[0]
        finally:
            mem.unregister(pslot)
            mem.unregister(oslot)

    def _call(self, sysnum: int, body: bytes,
              records: list[tuple[int, bytes | bytearray | memoryview]] | None
              ) -> tuple[int, int]:
        """Send one call (inline records if any) and decode its SYSCALL reply."""
        reqno = self._reqno()
        if records:
            frame = wire.syscall_inline_request(reqno, sysnum, body,
                                                self._fit(records))
        elif body:
            frame = _HEADER.pack(_HDRSZ + len(body), reqno, _REQ, _SYSCALL, sysnum) + body
        else:
            frame = _HEADER.pack(_HDRSZ, reqno, _REQ, _SYSCALL, sysnum)
        return self._exchange(reqno, frame, sysnum)

    def _exchange(self, reqno: int, frame: bytes, sysnum: int) -> tuple[int, int]:
        """Send a SYSCALL (or SYSCALL_INLINE) frame, serve the server's copy requests
        until its reply comes, and decode the reply: (retval0, retval1) or KernelError."""
        w = Waiter()
        w.frame = None
        pending = self._pending
        pending[reqno] = w
        try:
            # _send and _wait's leader path, inlined: this is every call's path.
            if self._dead is not None:
                raise connection_lost(f"connection lost: {self._dead}")
            lock = self._send_lock
            lock.acquire()
            try:
                self.sock.sendall(frame)
            except OSError as e:
                self._kill(e)
                raise connection_lost(f"connection lost: {e}") from None
            finally:
                lock.release()
            rlock = self._rlock
            # A call made while this thread already reads (a finalizer run by the
            # garbage collector inside the reader's code: a file object closing
            # itself) reads for itself too: waiting for the reader would wait forever.
            nested = self._reader == _get_ident()
            if nested or rlock.acquire(False):  # nobody else reads: read our own reply
                if not nested:
                    self._reader = _get_ident()
                try:
                    # (Another thread, reading until a moment ago, may have taken our
                    # reply already: then there is nothing to read.)
                    if w.frame is None and not self._backlog and not self._decoder._buf:
                        # Most often exactly our reply arrives, alone (_pump's fast path).
                        try:
                            data = self._read(_RECVSIZE, sysnum) if self.spin else \
                                self.sock.recv(_RECVSIZE)
                        except OSError as e:
                            self._kill(e)
                            raise connection_lost(f"connection lost: {e}") from None
                        hdr = _HEADER.unpack_from(data) if len(data) >= _HDRSZ else None
                        if hdr is not None and hdr[1] == reqno and hdr[0] == len(data) \
                                and (hdr[2] == _RESP or hdr[2] == _ERROR):
                            w.frame = _new_frame(_Frame, (reqno, hdr[2], hdr[3], hdr[4],
                                                          data[_HDRSZ:]))
                        elif hdr is None or hdr[2] != _REQ or hdr[3] != _COPYOUT \
                                or not self._copyouts_then_reply(data, reqno, w):
                            self._dispatch(data, w)
                    while w.frame is None:
                        self._pump(w, sysnum)
                finally:
                    if not nested:
                        self._reader = None
                        rlock.release()
                        if self._followers:
                            with self._cv:
                                self._cv.notify_all()
                f = w.frame
            else:
                f = w.frame or self._wait(w)
        finally:
            del pending[reqno]
        if f.cls != _RESP:
            raise kernel_error(wire.ERROR_ERRNO.get(f.union, 22))
        body = f.body
        if len(body) < 24:
            raise protocol_error("short SYSCALL response")
        err, rv0, rv1 = _SYSRESP.unpack_from(body)
        if err:
            raise kernel_error(err)
        return rv0, rv1

    def _fit(self, records: list[tuple[int, bytes | bytearray | memoryview]]
             ) -> list[tuple[int, bytes | bytearray | memoryview]]:
        """The records that fit ``inline_max`` (in argument order); the rest go by COPYIN."""
        budget = self.inline_max
        if len(records) == 1 and len(records[0][1]) <= budget:
            return records
        out: list[tuple[int, bytes | bytearray | memoryview]] = []
        for rec in records:
            n = len(rec[1])
            if n <= budget and len(out) < wire.INLINE_MAX_RECORDS:
                budget -= n
                out.append(rec)
        return out

    @staticmethod
    def _register(mem: AddressSpace, a: Slot
                  ) -> tuple[int, int, bytes | bytearray | memoryview | None]:
        """Register a buffer argument: (slot, address, what the server may read, or None)."""
        if isinstance(a, Out):
            slot, addr = mem.register(a.buf, a.readable, True)
            return slot, addr, _flat(a.buf) if a.readable else None
        if isinstance(a, In):
            slot, addr = mem.register(a.data, True, False)
            return slot, addr, _flat(a.data)
        if isinstance(a, str):
            data = os.fsencode(a) + b"\0"
            slot, addr = mem.register(data, True, False)
            return slot, addr, data
        if isinstance(a, (bytes, memoryview)):
            slot, addr = mem.register(a, True, False)
            return slot, addr, _flat(a)
        if isinstance(a, bytearray):
            slot, addr = mem.register(a, True, True)
            return slot, addr, a
        if isinstance(a, int):  # an int subclass, e.g. a bool or an IntEnum
            raise TypeError("pass plain ints")
        raise TypeError(f"cannot pass {type(a).__name__} as a syscall argument")

    def prefork(self) -> bytes:
        """PREFORK: the 16-byte cookie a forked child presents in its FORK handshake."""
        f = self.request(wire.prefork_request)
        if f.cls != wire.RESP or len(f.body) < wire.AUTHLEN:
            raise kernel_error(wire.ERROR_ERRNO.get(f.union, 22) if f.cls == wire.ERROR else 22)
        cookie = f.body[:wire.AUTHLEN]
        if self.inline:
            if len(_prefork_ext) >= 64:  # forgotten cookies (a child that never connected)
                del _prefork_ext[next(iter(_prefork_ext))]
            _prefork_ext[cookie] = True
        return cookie

    # ----- the socket -------------------------------------------------------

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


def _flat(data: bytes | bytearray | memoryview) -> bytes | bytearray | memoryview | None:
    """The bytes of ``data`` for an inline record (a view, no copy); None if not contiguous."""
    if data.__class__ is memoryview and (data.format != "B" or data.ndim != 1):
        return data.cast("B") if data.c_contiguous else None
    return data
