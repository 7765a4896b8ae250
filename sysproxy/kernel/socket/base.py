"""The socket File: state, options, and the protocol-independent send/receive paths.

Protocols (local.py, inet.py) subclass :class:`Socket` and supply bind,
connect, listen and how a message reaches its destination (``deliver_to``).
Every socket owns one WaitQueue, ``sq``, woken on any change that a
sleeper may care about (data arrived, room freed, connection made or lost);
sleepers re-check their condition, as NetBSD's sbwait/soconnect waits do.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import ioctl as IO
from ...abi import poll as P
from ...abi import socket as S
from ...abi.fcntl import FNOSIGPIPE, FREAD, FWRITE, O_ASYNC, O_NONBLOCK
from ...abi.signal import SIGPIPE

# so_state bits (sys/socketvar.h), imported from here by the other socket modules
from ...abi.socket import (  # noqa: F401
    SS_ASYNC,
    SS_CANTRCVMORE,
    SS_CANTSENDMORE,
    SS_ISCONNECTED,
    SS_ISCONNECTING,
    SS_ISDISCONNECTED,
    SS_ISDISCONNECTING,
    SS_NBIO,
    SS_NOFDREF,
)
from ...abi.stat import S_IFSOCK, pack_stat
from ..errors import KernelError
from ..file import DTYPE_SOCKET, File
from ..sleepq import Sleep, WaitQueue
from .receive import ReceiveMixin
from .sockbuf import Record, SockBuf

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..lwp import Lwp

SO_RERROR = 0x4000  # NetBSD 9's "report receive buffer overflows"; a flag only here

BOOL_OPTIONS = (SO_RERROR, S.SO_DEBUG, S.SO_REUSEADDR, S.SO_REUSEPORT, S.SO_KEEPALIVE, S.SO_DONTROUTE,
                S.SO_BROADCAST, S.SO_USELOOPBACK, S.SO_OOBINLINE, S.SO_TIMESTAMP,
                S.SO_NOSIGPIPE, S.SO_OTIMESTAMP)


class Socket(ReceiveMixin, File):
    """A socket: NetBSD's struct socket plus the File around it."""

    dtype = DTYPE_SOCKET
    atomic = False          # one message per send/receive (dgram, seqpacket)
    connreq = True          # needs a connection to send (stream, seqpacket)
    sndspace = 8192
    rcvspace = 8192

    def __init__(self, kernel: "Kernel", domain: int, type: int, protocol: int,
                 uid: int = 0, gid: int = 0, pid: int = 0) -> None:
        super().__init__(FREAD | FWRITE)
        self.kernel = kernel
        self.domain, self.type, self.protocol = domain, type, protocol
        self.uid, self.gid, self.pid = uid, gid, pid
        self.options = 0
        self.state = 0
        self.error = 0
        self.linger = 0
        self.rcvtimeo: float | None = None
        self.sndtimeo: float | None = None
        self.rcv = SockBuf(self.rcvspace)
        self.snd = SockBuf(self.sndspace, 2048)
        self.sq = WaitQueue()
        self.knotes: list[Callable[[], None]] = []
        self.peer: Socket | None = None
        self.listening = False
        self.backlog = 0
        self.acceptq: deque[Socket] = deque()
        self.incomplete = 0
        self.head: Socket | None = None  # the listener that queues us
        self.closed = False

    # -- wakeups -------------------------------------------------------------
    def changed(self) -> None:
        self.sq.wakeup()
        for kn in list(self.knotes):
            kn()

    def wait_queues(self) -> tuple[WaitQueue, ...]:
        return (self.sq,)

    async def sleep(self, lwp: "Lwp", timeout: float | None = None) -> bool:
        return await Sleep(lwp.kernel.sched, (self.sq,), timeout)

    # -- protocol hooks ------------------------------------------------------
    async def bind(self, lwp: "Lwp", addr: bytes) -> None:
        raise KernelError(E.EOPNOTSUPP)

    async def connect(self, lwp: "Lwp", addr: bytes) -> None:
        raise KernelError(E.EOPNOTSUPP)

    def listen(self, lwp: "Lwp", backlog: int) -> None:
        raise KernelError(E.EOPNOTSUPP)

    def sockname(self) -> bytes:
        raise KernelError(E.EOPNOTSUPP)

    def peername(self) -> bytes:
        raise KernelError(E.ENOTCONN)

    def accept_name(self) -> bytes | None:
        """The peer's name accept() reports, even if the peer already went away."""
        try:
            return self.peername()
        except KernelError:
            return None

    def deliver_to(self, lwp: "Lwp", addr: bytes | None) -> "Socket | None":
        """Datagram destination: the receiving socket (None: drop silently)."""
        raise KernelError(E.EOPNOTSUPP)

    def detach(self) -> None:
        """Protocol cleanup on close: port tables, names."""

    def prepare_control(self, lwp: "Lwp", control: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
        if control:
            raise KernelError(E.EINVAL)
        return control

    def annotate(self, lwp: "Lwp", target: "Socket", control: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
        """Control the kernel adds for the receiver (AF_LOCAL: SCM_CREDS)."""
        return control

    def stream_room(self, peer: "Socket") -> int:
        return peer.rcv.space()

    # -- connection state ----------------------------------------------------
    def so_state(self) -> int:
        """so_state as NetBSD keeps it: SS_NBIO/SS_ASYNC follow the file's O_NONBLOCK/O_ASYNC
        (soo_ioctl FIONBIO/FIOASYNC), SS_NOFDREF marks a connection nobody accepted yet."""
        st = self.state
        if self.flag & O_NONBLOCK:
            st |= SS_NBIO
        if self.flag & O_ASYNC:
            st |= SS_ASYNC
        if self.head is not None and self in self.head.acceptq:
            st |= SS_NOFDREF
        return st

    @property
    def connected(self) -> bool:
        return bool(self.state & SS_ISCONNECTED)

    def set_connected(self, peer: "Socket | None") -> None:
        self.peer = peer
        self.state = (self.state & ~(SS_ISCONNECTING | SS_ISDISCONNECTING | SS_ISDISCONNECTED)) \
            | SS_ISCONNECTED
        self.changed()

    def set_disconnected(self) -> None:
        """The peer went away: no more sending or receiving beyond what is queued."""
        self.state = (self.state & ~(SS_ISCONNECTING | SS_ISCONNECTED)) \
            | SS_ISDISCONNECTED | SS_CANTSENDMORE | SS_CANTRCVMORE
        self.changed()

    def cantrcvmore(self) -> None:
        self.state |= SS_CANTRCVMORE
        self.changed()

    def cantsendmore(self) -> None:
        self.state |= SS_CANTSENDMORE
        self.changed()

    # -- sending -------------------------------------------------------------
    def _sigpipe(self, lwp: "Lwp", flags: int) -> KernelError:
        if not (self.flag & FNOSIGPIPE or flags & S.MSG_NOSIGNAL):  # SO_NOSIGPIPE does not count
            lwp.kernel.psignal(lwp.proc, SIGPIPE)
        return KernelError(E.EPIPE)

    async def send(self, lwp: "Lwp", data: bytes, addr: bytes | None,
                   control: list[tuple[int, int, Any]], flags: int) -> int:
        """sosend: the whole message, blocking for room unless nonblocking."""
        if flags & S.MSG_OOB and not (self.connreq and self.domain != S.AF_LOCAL):
            # pr_sendoob of AF_LOCAL and UDP: EOPNOTSUPP, once sosend's own checks pass
            self.send_checks(lwp, addr, flags)
            raise KernelError(E.EOPNOTSUPP)
        nbio = self.nonblocking or bool(flags & S.MSG_DONTWAIT)
        if control:  # sosend's state checks come before the protocol sees the control
            self.send_checks(lwp, addr, flags)
        if self.atomic and len(data) > self.snd.hiwat:
            raise KernelError(E.EMSGSIZE)
        control = self.prepare_control(lwp, control)
        if not self.connreq:
            return await self._send_dgram(lwp, data, addr, control, flags)
        done = 0
        try:
            while True:
                if self.state & SS_CANTSENDMORE:
                    raise self._sigpipe(lwp, flags)
                if self.error:
                    err, self.error = self.error, 0
                    raise KernelError(err)
                if not self.connected:
                    raise KernelError(E.ENOTCONN if addr is None or self.type != S.SOCK_SEQPACKET
                                      else E.EOPNOTSUPP)
                peer = self.peer
                assert peer is not None
                room = self.stream_room(peer)
                need = len(data) - done if self.atomic else 1
                if room >= need or (room > 0 and not self.atomic):
                    if done == 0:
                        control = self.annotate(lwp, peer, control)
                    if self.atomic:
                        peer.rcv.append_record(data, None, control)
                        done = len(data)
                    else:
                        k = min(room, len(data) - done)
                        peer.rcv.append_stream(data[done:done + k], control if done == 0 else None)
                        if done == 0:
                            control = []
                        done += k
                    peer.changed()
                    if done >= len(data):
                        return done
                    continue
                if nbio:
                    if done:
                        return done
                    raise KernelError(E.EAGAIN)
                if not await self.sleep(lwp, self.sndtimeo):
                    if done:
                        return done
                    raise KernelError(E.EAGAIN)
        except KernelError as e:
            if done and e.errno in (E.EINTR, E.EAGAIN):
                return done
            raise
        finally:
            if control and done == 0:
                discard_control(control)

    def send_checks(self, lwp: "Lwp", addr: bytes | None, flags: int) -> None:
        """The state checks at the top of sosend's loop."""
        if self.state & SS_CANTSENDMORE:
            raise self._sigpipe(lwp, flags)
        if self.error:
            err, self.error = self.error, 0
            raise KernelError(err)
        if not self.connected:
            if self.connreq:
                raise KernelError(E.ENOTCONN)
            if addr is None:
                raise KernelError(E.EDESTADDRREQ)

    async def _send_dgram(self, lwp: "Lwp", data: bytes, addr: bytes | None,
                          control: list[tuple[int, int, Any]], flags: int) -> int:
        if self.state & SS_CANTSENDMORE:
            discard_control(control)
            raise self._sigpipe(lwp, flags)
        try:
            target = self.deliver_to(lwp, addr)
        except KernelError:
            discard_control(control)
            raise
        if target is None:
            discard_control(control)
            return len(data)
        control = self.annotate(lwp, target, control)
        src = self.source_address()
        if target.rcv.space() < len(data) + (len(src) if src else 0) or \
                target.state & SS_CANTRCVMORE:
            discard_control(control)
            return self.dgram_overflow(len(data))
        target.rcv.append_record(data, src, control)
        target.changed()
        return len(data)

    def source_address(self) -> bytes | None:
        return None

    def dgram_overflow(self, n: int) -> int:
        raise KernelError(E.ENOBUFS)

    # -- File operations -----------------------------------------------------
    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        data, _, control, _ = await self.recv(lwp, n, 0)
        if control:
            discard_control(control)
        return data

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        return await self.send(lwp, data, None, [], 0)

    def readable(self) -> bool:
        """soreadable: sb_cc (addresses and control included) at the low-water mark,
        no more to receive, a connection to accept, or an error pending."""
        rcv = self.rcv
        return (rcv.cc >= rcv.lowat or bool(self.state & SS_CANTRCVMORE)
                or bool(self.acceptq) or bool(self.error))

    def writable_room(self) -> int:
        if not self.connreq:
            return self.snd.hiwat
        if not self.connected or self.peer is None:
            return self.snd.space()  # sbspace(&so->so_snd): nothing connects it to a peer
        return self.stream_room(self.peer)

    def writable(self) -> bool:
        """sowritable: room at the low-water mark on a connected (or connectionless)
        socket, or no more to send, or an error pending."""
        if self.state & SS_CANTSENDMORE or self.error:
            return True
        if self.connreq and not self.connected:
            return False
        return self.writable_room() >= self.snd.lowat

    def poll(self, events: int) -> int:
        """sodopoll: sockets never report POLLHUP; no out-of-band data here."""
        rev = 0
        if events & (P.POLLIN | P.POLLRDNORM) and self.readable():
            rev |= events & (P.POLLIN | P.POLLRDNORM)
        if events & (P.POLLOUT | P.POLLWRNORM) and self.writable():
            rev |= events & (P.POLLOUT | P.POLLWRNORM)
        return rev

    def stat(self, lwp: "Lwp") -> bytes:
        """soo_stat: all zero but st_mode S_IFSOCK (no permission bits, no owner);
        the protocol may add to it (pr_sense: AF_LOCAL does, TCP and UDP do not)."""
        return pack_stat(0, 0, S_IFSOCK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        if cmd in (IO.FIONBIO, IO.FIOASYNC):
            return
        if cmd == IO.FIONREAD:
            data[:4] = self.rcv.cc.to_bytes(4, "little")
        elif cmd == IO.FIONWRITE:
            data[:4] = (0).to_bytes(4, "little")
        elif cmd == IO.FIONSPACE:
            data[:4] = max(0, self.writable_room()).to_bytes(4, "little")
        elif cmd == IO.FIOSETOWN:
            self.owner = int.from_bytes(data[:4], "little", signed=True)
        elif cmd == IO.FIOGETOWN:
            data[:4] = (self.owner & 0xFFFFFFFF).to_bytes(4, "little")
        else:
            raise KernelError(E.EOPNOTSUPP)

    def shutdown(self, how: int) -> None:
        """soshutdown: any state, connected or not (no ENOTCONN in 7.99.34); the peer of a
        connection (not of a datagram socket) learns it can read no more."""
        if how not in (S.SHUT_RD, S.SHUT_WR, S.SHUT_RDWR):
            raise KernelError(E.EINVAL)
        if how in (S.SHUT_RD, S.SHUT_RDWR):
            for r in self.rcv.flush():
                discard_control(r.control)
            self.cantrcvmore()
        if how in (S.SHUT_WR, S.SHUT_RDWR):
            self.cantsendmore()
            if self.peer is not None and self.connreq:
                self.peer.cantrcvmore()
            self.shutdown_output()

    def shutdown_output(self) -> None:
        """pr_shutdown's protocol part (TCP: an unconnected socket is closed outright)."""

    def on_last_close(self) -> None:
        self.closed = True
        for s in list(self.acceptq):
            s.head = None
            s.release_unaccepted()
        self.acceptq.clear()
        peer = self.peer
        if peer is not None:
            self.peer = None
            if peer.peer is self and peer.connreq:
                peer.set_disconnected()
            elif peer.peer is self:
                peer.peer = None
                peer.changed()
        for r in self.rcv.flush():
            discard_control(r.control)
        self.state |= SS_CANTSENDMORE | SS_CANTRCVMORE
        self.detach()
        self.changed()

    def release_unaccepted(self) -> None:
        """A queued connection nobody accepted: closed with the listener."""
        self.release()


def discard_control(control: list[tuple[int, int, Any]]) -> None:
    """Drop in-flight control data: close passed files (their flight references)."""
    for _, ctype, obj in control:
        if ctype == S.SCM_RIGHTS and isinstance(obj, list):  # raw (bytes) rights hold nothing
            for f in obj:
                f.release()
    control.clear()


def record_rights(r: Record) -> list[File]:
    return [f for _, t, obj in r.control if t == S.SCM_RIGHTS for f in obj]
