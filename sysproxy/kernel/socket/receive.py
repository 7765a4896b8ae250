"""The receive path of sockets (NetBSD's soreceive): waiting for data and taking it.

Kept apart from base.py only for size; :class:`ReceiveMixin` is a part of
:class:`~.base.Socket` and uses its state (rcv, state, error, peer, sq).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import socket as S
from ..errors import KernelError

if TYPE_CHECKING:
    from ..lwp import Lwp

SS_ISCONNECTED = 0x002  # sys/socketvar.h, as base.py
SS_ISCONNECTING = 0x004
SS_CANTRCVMORE = 0x020


class ReceiveMixin:
    """soreceive for Socket; see base.py for the attributes it reads."""

    rcv: Any
    state: int
    error: int
    atomic: bool
    connreq: bool
    type: int
    peer: Any
    rcvtimeo: float | None
    nonblocking: bool
    domain: int

    async def sleep(self, lwp: "Lwp", timeout: float | None = None) -> bool:
        raise NotImplementedError

    def changed(self) -> None:
        raise NotImplementedError

    async def recv(self, lwp: "Lwp", n: int, flags: int) -> tuple[bytes, bytes | None, list[tuple[int, int, Any]], int]:
        """soreceive -> (data, sender address, control, msg_flags)."""
        if flags & S.MSG_OOB:
            # pr_recvoob before anything else: AF_LOCAL and UDP have none; TCP with no
            # urgent data pending (none is ever kept here) answers EINVAL
            raise KernelError(E.EINVAL if self.connreq and self.domain != S.AF_LOCAL
                              else E.EOPNOTSUPP)
        if flags & S.MSG_WAITALL and not flags & S.MSG_PEEK and not self.atomic and self.connreq:
            return await self._recv_waitall(lwp, n, flags)
        while True:
            await self._wait_data(lwp, n, flags)
            if not self.rcv.records:
                return b"", None, [], 0
            got = self._take(n, bool(flags & S.MSG_PEEK))
            # soreceive starts over when it moved nothing (orig_resid == uio_resid): a
            # zero-length seqpacket record is consumed unseen (a MSG_PEEK would spin
            # there for ever, NetBSD's bug; we return the empty record instead)
            if (got[0] or got[2] or n == 0 or flags & S.MSG_PEEK or self.type != S.SOCK_SEQPACKET
                    or self.state & SS_CANTRCVMORE):
                return got

    async def _recv_waitall(self, lwp: "Lwp", n: int, flags: int
                            ) -> tuple[bytes, bytes | None, list[tuple[int, int, Any]], int]:
        """MSG_WAITALL on a stream: keep taking until n bytes, EOF, an error or a signal."""
        parts: list[bytes] = []
        got = 0
        control: list[tuple[int, int, Any]] = []
        while got < n:
            try:
                await self._wait_data(lwp, n - got, flags)
            except KernelError:
                if got:
                    break
                raise
            if not self.rcv.records:
                break
            data, _, ctl, _ = self._take(n - got, False)
            if ctl and got:
                break
            control = control or ctl
            parts.append(data)
            got += len(data)
        return b"".join(parts), None, control, 0

    def _ready(self, n: int) -> bool:
        rcv = self.rcv
        if not rcv.records:
            return False
        if self.atomic or not self.connreq or rcv.records[0].control:
            return True
        return rcv.cc >= min(n, rcv.lowat) or any(r.control for r in list(rcv.records)[1:2])

    async def _wait_data(self, lwp: "Lwp", n: int, flags: int) -> None:
        """Sleep until a receive of n bytes can complete (or nothing more will come)."""
        nbio = self.nonblocking or bool(flags & S.MSG_DONTWAIT)
        rcv = self.rcv
        while not self._ready(n):
            if self.error:
                if rcv.records:
                    return
                err, self.error = self.error, 0
                raise KernelError(err)
            if self.state & SS_CANTRCVMORE or n == 0:
                return
            if self.connreq and not self.state & (SS_ISCONNECTED | SS_ISCONNECTING):
                if rcv.records:
                    return
                raise KernelError(E.ENOTCONN)
            if nbio:
                if rcv.records:
                    return
                raise KernelError(E.EAGAIN)
            if not await self.sleep(lwp, self.rcvtimeo):
                if rcv.records:
                    return
                raise KernelError(E.EAGAIN)

    def _take(self, n: int, peek: bool) -> tuple[bytes, bytes | None, list[tuple[int, int, Any]], int]:
        rcv = self.rcv
        rec = rcv.records[0]
        addr, control, mflags = rec.addr, rec.control, 0
        if self.atomic or not self.connreq:
            data = bytes(rec.data[:n])
            if len(rec.data) > n:
                mflags |= S.MSG_TRUNC
            if self.type == S.SOCK_SEQPACKET:
                mflags |= S.MSG_EOR
            if not peek:
                rcv.records.popleft()
                rcv.cc -= len(rec.data) + rec.extra
        else:
            parts = []
            got = 0
            for i, r in enumerate(rcv.records):
                if i and (r.control or got >= n):
                    break
                k = min(n - got, len(r.data))
                parts.append(bytes(r.data[:k]))
                got += k
            data = b"".join(parts)
            if not peek:
                left, first = got, True
                while rcv.records:
                    r = rcv.records[0]
                    if not first and (left == 0 or r.control):
                        break
                    if first:
                        r.control = []  # delivered with this receive
                        rcv.drop_extra(r)
                    if len(r.data) <= left or (first and not r.data):
                        left -= len(r.data)
                        rcv.records.popleft()
                    else:
                        del r.data[:left]
                        left = 0
                    first = False
                rcv.cc -= got
        if peek:
            control = [c for c in control if c[1] != S.SCM_RIGHTS]
        if not peek:
            if self.peer is not None:
                self.peer.changed()  # room for the sender
            self.changed()
        return data, addr, control, mflags

