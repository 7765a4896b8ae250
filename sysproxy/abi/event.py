"""NetBSD kqueue: EVFILT_*, EV_*, NOTE_* and struct kevent (40 bytes on amd64).

Facts from NetBSD's sys/sys/event.h. NetBSD filters are non-negative (unlike
FreeBSD's negative shorts). struct kevent: ident uintptr_t @0, filter u32 @8,
flags u32 @12, fflags u32 @16, (pad), data i64 @24, udata pointer @32.
"""
from __future__ import annotations

import struct

EVFILT_READ = 0
EVFILT_WRITE = 1
EVFILT_AIO = 2
EVFILT_VNODE = 3
EVFILT_PROC = 4
EVFILT_SIGNAL = 5
EVFILT_TIMER = 6
EVFILT_FS = 7
EVFILT_SYSCOUNT = 8  # the 7.99 era has filters 0..7
EVFILT_USER = 8  # added in later NetBSD

EV_ADD = 0x0001
EV_DELETE = 0x0002
EV_ENABLE = 0x0004
EV_DISABLE = 0x0008
EV_ONESHOT = 0x0010
EV_CLEAR = 0x0020
EV_RECEIPT = 0x0040  # later NetBSD
EV_DISPATCH = 0x0080  # later NetBSD
EV_SYSFLAGS = 0xF000
EV_FLAG1 = 0x2000
EV_ERROR = 0x4000
EV_EOF = 0x8000

NOTE_LOWAT = 0x0001
NOTE_DELETE = 0x0001
NOTE_WRITE = 0x0002
NOTE_EXTEND = 0x0004
NOTE_ATTRIB = 0x0008
NOTE_LINK = 0x0010
NOTE_RENAME = 0x0020
NOTE_REVOKE = 0x0040
NOTE_OPEN = 0x0080  # later NetBSD (10): vnode opened
NOTE_CLOSE = 0x0100  # file closed, it was not open for writing
NOTE_CLOSE_WRITE = 0x0200  # file closed, it was open for writing
NOTE_READ = 0x0400  # file was read
NOTE_EXIT = 0x80000000
NOTE_FORK = 0x40000000
NOTE_EXEC = 0x20000000
NOTE_PCTRLMASK = 0xF0000000
NOTE_PDATAMASK = 0x000FFFFF
NOTE_TRACK = 0x00000001
NOTE_TRACKERR = 0x00000002
NOTE_CHILD = 0x00000004
NOTE_SIGNAL = 0x08000000  # kernel-internal hint
NOTE_FFNOP = 0x00000000
NOTE_FFAND = 0x40000000
NOTE_FFOR = 0x80000000
NOTE_FFCOPY = 0xC0000000
NOTE_FFCTRLMASK = 0xC0000000
NOTE_FFLAGSMASK = 0x00FFFFFF
NOTE_TRIGGER = 0x01000000

KEVENT = struct.Struct("<QIII4xqQ")
KEVENT_SIZE = KEVENT.size  # 40

Kevent = tuple[int, int, int, int, int, int]  # ident, filter, flags, fflags, data, udata


def unpack_kevents(buf: bytes, n: int) -> list[Kevent]:
    return [KEVENT.unpack_from(buf, i * KEVENT_SIZE) for i in range(n)]


def pack_kevents(evs: list[Kevent]) -> bytes:
    return b"".join(KEVENT.pack(ident & 0xFFFFFFFFFFFFFFFF, filt, flags, fflags, data,
                                udata & 0xFFFFFFFFFFFFFFFF)
                    for ident, filt, flags, fflags, data, udata in evs)
