"""Socket buffers: queued records of data, sender address and control messages.

A stream keeps appending to the last plain record; datagrams and seqpackets
keep one record per message (so a receive never mixes two messages). Control
data (SCM_RIGHTS files, SCM_CREDS) rides on the record it was sent with.
"""
from __future__ import annotations

from collections import deque
from typing import Any


class Record:
    __slots__ = ("data", "addr", "control")

    def __init__(self, data: bytes, addr: bytes | None = None,
                 control: list[tuple[int, int, Any]] | None = None) -> None:
        self.data = bytearray(data)
        self.addr = addr
        self.control = control or []


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
        recs.append(Record(data, None, control))
        self.cc += len(data)

    def append_record(self, data: bytes, addr: bytes | None = None,
                      control: list[tuple[int, int, Any]] | None = None) -> None:
        self.records.append(Record(data, addr, control))
        self.cc += len(data)

    def flush(self) -> list[Record]:
        """Drop everything (close, shutdown(SHUT_RD)): the records, for their rights."""
        recs = list(self.records)
        self.records.clear()
        self.cc = 0
        return recs
