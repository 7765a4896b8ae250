"""Socket buffers: queued records of data, sender address and control messages.

A stream keeps appending to the last plain record; datagrams and seqpackets
keep one record per message (so a receive never mixes two messages). Control
data (SCM_RIGHTS files, SCM_CREDS) rides on the record it was sent with.
``cc`` is NetBSD's sb_cc: it counts every mbuf of the chain, so the sender's
address and the control mbufs count with the data (FIONREAD, kevent data,
SO_RCVLOWAT and the room left all see them).
"""
from __future__ import annotations

from collections import deque
from typing import Any


def control_size(control: list[tuple[int, int, Any]] | None) -> int:
    """m_len of the control mbufs in a socket buffer: SCM_RIGHTS holds file pointers
    (unp_internalize: CMSG_LEN(8 per descriptor)); other messages CMSG_SPACE(len)."""
    from ...abi import socket as S
    n = 0
    for _, ctype, obj in control or ():
        if ctype == S.SCM_RIGHTS:
            n += S.CMSG_LEN(8 * len(obj))
        else:
            n += S.CMSG_SPACE(len(obj))
    return n


class Record:
    __slots__ = ("data", "addr", "control", "extra")

    def __init__(self, data: bytes, addr: bytes | None = None,
                 control: list[tuple[int, int, Any]] | None = None) -> None:
        self.data = bytearray(data)
        self.addr = addr
        self.control = control or []
        self.extra = (len(addr) if addr else 0) + control_size(self.control)  # in sb_cc too


class SockBuf:
    __slots__ = ("records", "cc", "hiwat", "lowat")

    def __init__(self, hiwat: int, lowat: int = 1) -> None:
        self.records: deque[Record] = deque()
        self.cc = 0
        self.hiwat = hiwat
        self.lowat = lowat

    def space(self) -> int:
        return self.hiwat - self.cc

    def append_stream(self, data: bytes, control: list[tuple[int, int, Any]] | None = None) -> None:
        recs = self.records
        if not control and recs and not recs[-1].addr:
            recs[-1].data += data  # plain data follows whatever the last record carried
            self.cc += len(data)
            return
        if not data and not control:
            return  # sbcompress drops an empty mbuf: a zero-length write leaves nothing
        r = Record(data, None, control)
        recs.append(r)
        self.cc += len(data) + r.extra

    def append_record(self, data: bytes, addr: bytes | None = None,
                      control: list[tuple[int, int, Any]] | None = None) -> None:
        r = Record(data, addr, control)
        self.records.append(r)
        self.cc += len(data) + r.extra

    def drop_extra(self, r: Record) -> None:
        """The record's address and control were delivered: they leave sb_cc."""
        self.cc -= r.extra
        r.extra = 0

    def flush(self) -> list[Record]:
        """Drop everything (close, shutdown(SHUT_RD)): the records, for their rights."""
        recs = list(self.records)
        self.records.clear()
        self.cc = 0
        return recs
