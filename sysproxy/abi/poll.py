"""NetBSD poll(2): POLL* bits and struct pollfd {int fd; short events; short revents}.

Facts from NetBSD's sys/sys/poll.h (8 bytes per pollfd).
"""
from __future__ import annotations

import struct

POLLIN = 0x0001
POLLPRI = 0x0002
POLLOUT = 0x0004
POLLERR = 0x0008
POLLHUP = 0x0010
POLLNVAL = 0x0020
POLLRDNORM = 0x0040
POLLWRNORM = POLLOUT
POLLRDBAND = 0x0080
POLLWRBAND = 0x0100
INFTIM = -1

POLLFD = struct.Struct("<ihh")
POLLFD_SIZE = POLLFD.size  # 8


def _s16(v: int) -> int:
    return ((v + 0x8000) & 0xFFFF) - 0x8000


def unpack_pollfds(buf: bytes, n: int) -> list[tuple[int, int, int]]:
    """-> [(fd, events, revents)]; events/revents as unsigned 16-bit masks."""
    out = []
    for i in range(n):
        fd, ev, rev = POLLFD.unpack_from(buf, i * POLLFD_SIZE)
        out.append((fd, ev & 0xFFFF, rev & 0xFFFF))
    return out


def pack_pollfds(fds: list[tuple[int, int, int]]) -> bytes:
    return b"".join(POLLFD.pack(fd, _s16(ev), _s16(rev)) for fd, ev, rev in fds)
