"""A small synchronous RUMPSP client for tests: raw syscalls with explicit memory.

Tests use it to drive a real server over a real socket at the protocol level,
seeing exactly the errno and retvals the server sends. Memory is simulated:
``mem.buf(data)`` / ``mem.str(text)`` / ``mem.out(n)`` hand out addresses of
buffers the client owns; the server's COPYIN/COPYOUT requests are served from
them, and a request outside every buffer gets an ERROR reply (EFAULT).
"""
from __future__ import annotations

import socket
import struct
from typing import Any

from sysproxy import url as urlmod
from sysproxy import wire
from sysproxy.abi.syscalls import BY_NAME


class Memory:
    """Client memory: buffers at fake addresses, well away from zero."""

    def __init__(self) -> None:
        self.regions: dict[int, bytearray] = {}
        self._next = 0x10000000

    def buf(self, data: bytes | int) -> int:
        b = bytearray(data) if isinstance(data, (bytes, bytearray)) else bytearray(data)
        addr = self._next
        self._next += (len(b) + 0xFFF) & ~0xFFF or 0x1000
        self._next += 0x1000  # a guard gap: off-by-one reads fault
        self.regions[addr] = b
        return addr

    def str(self, text: str | bytes) -> int:
        if isinstance(text, str):
            text = text.encode()
        return self.buf(text + b"\0")

    def out(self, n: int) -> int:
        return self.buf(n)

    def get(self, addr: int, n: int | None = None) -> bytes:
        for base, b in self.regions.items():
            if base <= addr <= base + len(b):
                off = addr - base
                return bytes(b[off:] if n is None else b[off:off + n])
        raise KeyError(hex(addr))

    def _locate(self, addr: int, n: int) -> tuple[bytearray, int] | None:
        for base, b in self.regions.items():
            if base <= addr and addr + n <= base + len(b):
                return b, addr - base
        return None

    def read(self, addr: int, n: int) -> bytes | None:
        loc = self._locate(addr, n)
        return None if loc is None else bytes(loc[0][loc[1]:loc[1] + n])

    def readstr(self, addr: int, n: int) -> bytes | None:
        for base, b in self.regions.items():
            if base <= addr < base + len(b):
                off = addr - base
                chunk = bytes(b[off:off + n])
                i = chunk.find(b"\0")
                return chunk if i < 0 else chunk[:i + 1]
        return None

    def write(self, addr: int, data: bytes) -> bool:
        loc = self._locate(addr, len(data))
        if loc is None:
            return False
        loc[0][loc[1]:loc[1] + len(data)] = data
        return True


class SyscallError(Exception):
    def __init__(self, errno: int, name: str) -> None:
        super().__init__(f"{name}: errno {errno}")
        self.errno = errno


class RawClient:
    def __init__(self, url: str, name: str = "rawclient", handshake: bool = True,
                 timeout: float | None = 10.0) -> None:
        addr = urlmod.parse(url)
        self.sock = socket.socket(addr.family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(addr.sockaddr)
        self.banner = self.sock.recv(96)
        self.decoder = wire.Decoder()
        self.pending: list[wire.Frame] = []
        self.answers: dict[int, wire.Frame] = {}
        self.reqno = 1
        self.mem = Memory()
        self.raised: list[int] = []
        self.copies: list[wire.Frame] = []  # server requests seen, for tests that count them
        if handshake:
            self.handshake(wire.HANDSHAKE_GUEST, wire.guest_body(name))

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def recv_frame(self) -> wire.Frame:
        while not self.pending:
            data = self.sock.recv(1 << 20)
            if not data:
                raise EOFError("server closed the connection")
            self.pending.extend(self.decoder.feed(data))
        return self.pending.pop(0)

    def next_reqno(self) -> int:
        r = self.reqno
        self.reqno += 1
        return r

    def handshake(self, kind: int, body: bytes = b"") -> int:
        r = self.next_reqno()
        self.send(wire.handshake_request(r, kind, body))
        f = self.wait_for(r)
        if f.cls == wire.ERROR:
            raise SyscallError(wire.ERROR_ERRNO.get(f.union, 22), "handshake")
        return struct.unpack("<i", f.body[:4])[0]

    def prefork(self) -> bytes:
        r = self.next_reqno()
        self.send(wire.prefork_request(r))
        f = self.wait_for(r)
        if f.cls == wire.ERROR:
            raise SyscallError(wire.ERROR_ERRNO.get(f.union, 22), "prefork")
        return f.body

    def serve(self, f: wire.Frame) -> None:
        """Answer one server request from our memory."""
        self.copies.append(f)
        if f.type in (wire.COPYIN, wire.COPYINSTR):
            n, addr = wire.parse_copy_request(f.body)
            data = self.mem.read(addr, n) if f.type == wire.COPYIN else self.mem.readstr(addr, n)
            if data is None:
                self.send(wire.error_frame(f.reqno, wire.ERR_MALFORMED_REQUEST))
            else:
                self.send(wire.copy_response(f.reqno, data))
        elif f.type in (wire.COPYOUT, wire.COPYOUTSTR):
            n, addr = wire.parse_copy_request(f.body)
            self.mem.write(addr, f.body[16:16 + n])
        elif f.type == wire.ANONMMAP:
            size = wire.parse_u64(f.body)
            self.send(wire.anonmmap_response(f.reqno, self.mem.buf(size)))
        elif f.type == wire.RAISE:
            self.raised.append(f.union)

    def wait_for(self, reqno: int) -> wire.Frame:
        """Serve the server's requests until the answer to ``reqno`` arrives."""
        if reqno in self.answers:
            return self.answers.pop(reqno)
        while True:
            f = self.recv_frame()
            if f.cls == wire.REQ:
                self.serve(f)
            elif f.reqno == reqno:
                return f
            else:
                self.answers[f.reqno] = f  # another call's answer: keep it

    def start(self, sysnum: int | str, *args: int) -> int:
        """Send a syscall request without waiting; returns its reqno."""
        num = BY_NAME[sysnum] if isinstance(sysnum, str) else sysnum
        r = self.next_reqno()
        body = b"".join(struct.pack("<Q", a & 0xFFFFFFFFFFFFFFFF) for a in args)
        self.send(wire.syscall_request(r, num, body))
        return r

    def result(self, reqno: int) -> tuple[int, int, int]:
        f = self.wait_for(reqno)
        if f.cls == wire.ERROR:
            raise SyscallError(wire.ERROR_ERRNO.get(f.union, 22), "protocol")
        return wire.parse_syscall_response(f.body)

    def call(self, sysnum: int | str, *args: int) -> tuple[int, int, int]:
        """(errno, retval0, retval1) of one call."""
        return self.result(self.start(sysnum, *args))

    def ok(self, sysnum: int | str, *args: int) -> int:
        """retval0 of a call that must succeed."""
        err, rv0, _ = self.call(sysnum, *args)
        if err:
            raise SyscallError(err, str(sysnum))
        return rv0

    def err(self, sysnum: int | str, *args: int) -> int:
        """The errno of a call (0 on success)."""
        return self.call(sysnum, *args)[0]
