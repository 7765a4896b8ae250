"""SYSCALL_INLINE: a call that brings its input buffers along (a sysproxy extension).

A client that saw our extension tag in its handshake reply may send a call's
input buffers and strings inside the request (docs/PROTOCOL-EXTENSIONS.md).
The call then runs with an :class:`InlineContext` in place of the connection
as its CallContext: a copyin or copyinstr that falls inside one of those
records is answered at once with a :class:`Ready` (no COPYIN round trip);
anything else goes to the connection, which asks the client as usual. The
kernel never knows the difference.

The records are the client's memory as it was when the call was sent. The
call's own copyouts are applied to them as well, so a call that writes a
buffer and reads it back sees what it wrote, exactly as over the plain
protocol.

Small copyouts are held back and written together with the call's reply (or
before the next copy request that needs the client), so a call like stat
costs the server one send and the client one wakeup.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import wire
from ..abi import errno as E
from ..kernel.errors import KernelError
from ..kernel.lwp import Ready

if TYPE_CHECKING:
    from ..kernel.lwp import Lwp
    from .connection import Connection


def syscall(conn: "Connection", f: wire.Frame) -> None:
    """Start the call of a SYSCALL_INLINE request; MALFORMED_REQUEST if its records are bad."""
    try:
        args, records = wire.parse_syscall_inline(f.body)
    except wire.ProtocolError:
        conn.send(wire.error_frame(f.reqno, wire.ERR_MALFORMED_REQUEST))
        return
    proc = conn.proc
    assert proc is not None  # only a RUNNING connection (handshake done) gets here
    if records:
        ctx = InlineContext(conn, records)
        conn.kernel.syscall(proc, ctx, f.union, args, ctx.reply, f.reqno)
    else:
        conn.kernel.syscall(proc, conn, f.union, args, conn._reply, f.reqno)


HOLD_MAX = 64 * 1024  # copyout bytes held back for the reply at most
# wire's frame layouts, bound here: every inline call writes both
_SYSRESP = wire._SYSRESP.pack
_COPYREQ = wire._COPYREQ.pack
_RESPLEN = wire.HDRSZ + 24
_COPYHDR = wire.HDRSZ + 16
_REQ, _RESP, _SYSCALL, _COPYOUT = wire.REQ, wire.RESP, wire.SYSCALL, wire.COPYOUT
_MASK64 = (1 << 64) - 1


class InlineContext:
    """The CallContext of one inline call: its records first, then the connection."""

    __slots__ = ("conn", "records", "held", "held_bytes")

    def __init__(self, conn: "Connection",
                 records: list[tuple[int, int, memoryview]]) -> None:
        self.conn = conn
        # (start, end, data): data is a view of the frame until a copyout patches it
        # (the tuple is then replaced by one holding a bytearray).
        self.records: list[tuple[int, int, memoryview | bytearray]] = list(records)
        self.held: list[bytes] = []   # COPYOUT frames not written yet
        self.held_bytes = 0

    def flush(self) -> None:
        """Write the held copyouts (before anything that must come after them)."""
        if self.held:
            held, self.held, self.held_bytes = self.held, [], 0
            self.conn.send(held[0] if len(held) == 1 else b"".join(held))

    def reply(self, lwp: "Lwp", error: int, rv0: int, rv1: int) -> None:
        """The call is done: its held copyouts and its reply in one write."""
        held = self.held
        if error < 0:  # no reply (the process is exiting or execing)
            self.flush()
            return
        resp = _SYSRESP(_RESPLEN, lwp.tag, _RESP, _SYSCALL, 0, error,
                        rv0 & _MASK64, rv1 & _MASK64)  # wire.syscall_response
        if held:
            held.append(resp)
            self.held, self.held_bytes = [], 0
            self.conn.send(b"".join(held))
        else:
            self.conn.send(resp)

    def copyin(self, lwp: "Lwp", addr: int, length: int) -> Any:
        if length >= 0:
            end = addr + length
            for start, rend, data in self.records:
                if start <= addr and end <= rend:
                    return Ready(bytes(data[addr - start:end - start]))
        self.flush()
        return self.conn.copyin(lwp, addr, length)

    def copyinstr(self, lwp: "Lwp", addr: int, maxlen: int) -> Any:
        for start, rend, data in self.records:
            if start <= addr < rend:
                off = addr - start
                avail = rend - addr
                window = bytes(data[off:off + min(maxlen, avail)]) if maxlen > 0 else b""
                nul = window.find(b"\0")
                if nul >= 0:
                    return Ready(window[:nul])
                if avail >= maxlen:  # the client would send maxlen bytes without a NUL
                    raise KernelError(E.ENAMETOOLONG)
                break  # the string goes on past the record: ask the client
        self.flush()
        return self.conn.copyinstr(lwp, addr, maxlen)

    def copyout(self, lwp: "Lwp", addr: int, data: bytes) -> None:
        end = addr + len(data)
        records = self.records
        for i, (start, rend, buf) in enumerate(records):
            if addr < rend and start < end:  # keep the snapshot what the client now holds
                lo, hi = max(addr, start), min(end, rend)
                if not isinstance(buf, bytearray):
                    buf = bytearray(buf)
                    records[i] = (start, rend, buf)
                buf[lo - start:hi - start] = data[lo - addr:hi - addr]
        conn = self.conn
        n = len(data)
        if n > 4096 or self.held_bytes + n > HOLD_MAX:
            self.flush()
            conn.copyout(lwp, addr, data)
            return
        reqno = conn.nextreq  # numbered now, as Connection.copyout does
        conn.nextreq = reqno + 1
        self.held.append(_COPYREQ(_COPYHDR + n, reqno, _REQ, _COPYOUT, 0, n, addr)
                         + data)  # wire.copyout_header(reqno, addr, n) + data
        self.held_bytes += n + 40

    def anonmmap(self, lwp: "Lwp", size: int) -> Any:
        self.flush()
        return self.conn.anonmmap(lwp, size)
