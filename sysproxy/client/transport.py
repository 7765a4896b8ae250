"""The socket side of a client connection: who reads, how, and what it serves.

There is no reader thread. A calling thread that finds nobody reading becomes the
reader (leader/follower): it reads until its own reply arrives, hands other
threads' replies to them (waking them on a condition variable) and serves the
server's copy requests from the connection's :class:`AddressSpace`, since those
requests do not say which call they belong to. A single-threaded caller thus pays
one send and one recv per call and no thread switch.

The reader first polls the socket for a while before it blocks (:meth:`_read`):
on these VMs a blocked reader costs a wakeup on both sides that is dearer than a
short call.

:class:`Transport` is the base of :class:`~sysproxy.client.connection.Connection`,
which adds handshakes and calls on top of it.
"""
from __future__ import annotations

import os
import signal as _hsignal
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable

from sysproxy import wire
from sysproxy.abi import signal as nbsignal

from .errors import connection_lost, protocol_error
from .memory import AddressSpace

__all__ = ["Transport", "Waiter", "SPIN_US"]

# A small recv keeps a call cheap (a 256 KiB recv buffer costs a fresh mmap per
# call); a frame known to be larger is read in bigger pieces.
_RECVSIZE = 16 * 1024
_RECVMAX = 4 * 1024 * 1024
_HEADER = wire.HEADER
_HDRSZ = wire.HDRSZ
_REQ, _RESP, _ERROR, _SYSCALL = wire.REQ, wire.RESP, wire.ERROR, wire.SYSCALL
_COPYOUT = wire.COPYOUT
_Frame = wire.Frame
_new_frame = tuple.__new__  # a Frame without NamedTuple's Python-level __new__
_COPYDESC = struct.Struct("<QQ")  # a copy request's len, addr
# One COPYOUT then the reply (stat's answer): the COPYOUT's len, class, type and
# copy descriptor; then the reply's len, reqno and class.
_COPYOUT_HEAD = struct.Struct("<Q8xHH4xQQ")
_RESP_HEAD = struct.Struct("<QQH")
_ONE_COPYOUT_MIN = _HDRSZ + 16 + 1 + _HDRSZ + 24
_get_ident = threading.get_ident
# Spin-then-block: how long (microseconds) the reading thread polls the socket
# without sleeping before it blocks for a reply (SYSPROXY_SPIN_US; 0: always
# block). Never on a single CPU: there the spinning would only delay the server
# it waits for.
def _spin_us(text: str | None, default: float = 100.0) -> float:
    """SYSPROXY_SPIN_US as microseconds; the default if unset or not a number >= 0."""
    try:
        value = float(text) if text is not None else default
    except ValueError:
        return default
    return value if value >= 0 and value == value else default  # (NaN: default)


SPIN_US = _spin_us(os.environ.get("SYSPROXY_SPIN_US"))
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_SPIN_BACKOFF_MAX = 64  # reads that block at once at most, after spins that ran out
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)
_perf = time.perf_counter
_yield = getattr(os, "sched_yield", lambda: None)


class Waiter:
    """Where a call's reply lands. (No __init__: set ``frame = None`` when made.)"""

    __slots__ = ("frame",)
    frame: wire.Frame | None


class Transport:
    """The socket, the reader role, the replies awaited, and the spin state."""

    def __init__(self, sock: socket.socket, memory: AddressSpace) -> None:
        self.sock = sock
        self.memory = memory
        self.on_raise: Callable[[int], None] | None = None
        self.ignored_requests = 0   # refused copy requests and garbage, for tests
        self._pending: dict[int, Waiter] = {}
        self._cv = threading.Condition(threading.Lock())
        self._rlock = threading.Lock()   # held by the thread reading the socket
        self._reader: int | None = None  # that thread's id
        self._followers = 0              # threads sleeping on _cv for a reply
        self._send_lock = threading.Lock()
        self._decoder = wire.Decoder()
        self._backlog: deque[wire.Frame] = deque()
        self._dead: BaseException | None = None
        # Spin-then-block (_read): the budget in seconds (0: off), and per system
        # call number (-1: reads outside a call's first one) whose spins ran out:
        # [reads left to block at once, current backoff].
        self.spin = SPIN_US / 1e6 if _CPUS > 1 and _DONTWAIT and SPIN_US > 0 else 0.0
        self._spin_slow: dict[int, list[int]] = {}

    def _send(self, data: bytes) -> None:
        if self._dead is not None:
            raise connection_lost(f"connection lost: {self._dead}")
        lock = self._send_lock
        lock.acquire()
        try:
            self.sock.sendall(data)
        except OSError as e:
            self._kill(e)
            raise connection_lost(f"connection lost: {e}") from None
        finally:
            lock.release()

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

    def _read(self, size: int, key: int = -1) -> bytes:
        """The reading thread's recv, spinning for up to ``self.spin`` seconds first.

        A thread blocked in recv costs more than the recv: the server's send must
        wake it (on these VMs a wakeup of an idle CPU costs about as much as the
        server's work for a stat), and its caches have gone cold by then. Most
        replies come within tens of microseconds, so polling for them first halves
        a call's time (benchmarks/README.md).

        It is adaptive, like a spinning mutex, and per system call (``key``, the
        call's number): a spin that runs out makes the next reads for that call
        block at once (1, 2, 4... up to 64 of them), and each spin that gets its
        reply halves that again. So a call that waits long (poll, a read of an
        empty pipe, anything to a distant server) soon costs almost no spinning
        while the quick ones around it keep theirs. Each turn of the spin yields
        the CPU: with more runnable processes than CPUs (many clients, or the
        server itself) the spinning takes nothing from them, and otherwise the
        yield returns at once and the CPU stays awake.
        """
        recv = self.sock.recv
        slow = self._spin_slow.get(key)
        if slow is not None and slow[0]:
            slow[0] -= 1
            return recv(size)
        end = _perf() + self.spin
        while True:
            try:
                data = recv(size, _DONTWAIT)
            except BlockingIOError:
                if _perf() < end:
                    _yield()  # let whatever else is runnable here go first
                    continue
                if slow is None:
                    slow = self._spin_slow[key] = [0, 0]
                slow[0] = slow[1] = min(slow[1] * 2 or 1, _SPIN_BACKOFF_MAX)
                return recv(size)
            if slow is not None:
                slow[1] //= 2
                if not slow[1]:
                    del self._spin_slow[key]
            return data

    def _copyouts_then_reply(self, data: bytes, reqno: int, w: Waiter) -> bool:
        """The second most common read: COPYOUTs, then our reply, exactly (stat, read).

        Handled here only if every frame is whole and every COPYOUT lands in a
        writable buffer; otherwise nothing is applied and the caller decodes as usual.
        """
        n = len(data)
        mem = self.memory
        # Most often one COPYOUT (a struct stat) and the reply: one unpack checks both.
        if n >= _ONE_COPYOUT_MIN:
            ln, cls, typ, length, addr = _COPYOUT_HEAD.unpack_from(data)
            if cls == _REQ and typ == _COPYOUT and ln == 40 + length and n == ln + 48:
                rln, rq, rcls = _RESP_HEAD.unpack_from(data, ln)
                if rln == 48 and rq == reqno and rcls == _RESP and mem.copyout(
                        addr, memoryview(data)[40:ln]):
                    w.frame = _new_frame(_Frame, (reqno, _RESP, _SYSCALL, 0, data[ln + _HDRSZ:]))
                    return True
        pos = 0
        outs = []
        unpack = _HEADER.unpack_from
        while True:
            if n - pos < _HDRSZ:
                return False
            ln, rq, cls, typ, _ = unpack(data, pos)
            if ln < _HDRSZ or pos + ln > n:
                return False
            if cls == _REQ and typ == _COPYOUT and ln >= _HDRSZ + 16:
                length, addr = _COPYDESC.unpack_from(data, pos + _HDRSZ)
                if length != ln - _HDRSZ - 16:
                    return False
                outs.append((addr, pos + _HDRSZ + 16, pos + ln))
                pos += ln
                continue
            if cls == _RESP and rq == reqno and pos + ln == n:
                break
            return False
        view = memoryview(data)
        if not all(mem.writable(addr, end - start) for addr, start, end in outs):
            return False
        for addr, start, end in outs:
            mem.copyout(addr, view[start:end])
        w.frame = _new_frame(_Frame, (reqno, cls, typ, 0, data[pos + _HDRSZ:]))
        return True

    def _wait(self, w: Waiter) -> wire.Frame:
        """Become the reader if nobody is, else sleep until our reply or the role is free."""
        rlock = self._rlock
        cv = self._cv
        while True:
            nested = self._reader == _get_ident()
            if nested or rlock.acquire(False):
                if not nested:
                    self._reader = _get_ident()
                try:
                    if self._dead is not None and w.frame is None:
                        raise connection_lost(f"connection lost: {self._dead}")
                    while w.frame is None:
                        self._pump(w)
                finally:
                    if not nested:
                        self._reader = None
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

    def _pump(self, me: Waiter, key: int = -1) -> None:
        """Read once from the socket and dispatch what arrived (the reader's job);
        ``key`` is the call the reader waits for (its spin state, see _read)."""
        if self._backlog:
            self._dispatch(None, me)
            return
        dec = self._decoder
        want = dec.wanted if dec._buf else 0  # (wire.Decoder is ours: peek at its buffer)
        try:
            size = _RECVSIZE if want <= _RECVSIZE else min(want, _RECVMAX)
            data = self._read(size, key) if self.spin else self.sock.recv(size)
        except OSError as e:
            self._kill(e)
            raise connection_lost(f"connection lost: {e}") from None
        self._dispatch(data, me)

    def _dispatch(self, data: bytes | None, me: Waiter) -> None:
        """Decode what was read (None: the backlog only); serve requests, hand out replies."""
        backlog = self._backlog
        if data is not None:
            if not data:
                self._kill(EOFError("server closed the connection"))
                raise connection_lost("server closed the connection")
            dec = self._decoder
            n = len(data)
            if n >= _HDRSZ and not dec._buf:
                hdr = _HEADER.unpack_from(data)
                reqno, cls = hdr[1], hdr[2]
                if hdr[0] == n and (cls == _RESP or cls == _ERROR):
                    # Exactly one reply arrived: skip the decoder.
                    w = self._pending.get(reqno)
                    if w is not None and w.frame is None:
                        w.frame = _new_frame(_Frame, (reqno, cls, hdr[3], hdr[4], data[_HDRSZ:]))
                        if w is not me and self._followers:
                            with self._cv:
                                self._cv.notify_all()
                    return
            try:
                backlog.extend(dec.feed(data))
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
