"""epoll (with ``--net``) over kernel descriptors: they cannot join a host epoll
instance (a placeholder is /dev/null), so their registrations are kept here, per
epoll descriptor, and epoll_wait polls them in the kernel beside the host
instance (duplicated into the supervisor with pidfd_getfd). Level-triggered:
EPOLLET is reported as level (a superset of edges); EPOLLONESHOT is kept."""
from __future__ import annotations

import ctypes
import os
import struct
import time

from sysproxy.client import SYS, InOut

from ..call import CONTINUE, Call, Errno, handles, i32
from .poll import _pidfd_getfd

_EV = struct.Struct("<IQ")      # struct epoll_event, packed on x86-64 (12 bytes)
_PFD = struct.Struct("<ihh")
EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD = 1, 2, 3
EPOLLONESHOT = 1 << 30
_BITS = 0x1F                    # IN PRI OUT ERR HUP: the same bits in NetBSD's poll
_libc = ctypes.CDLL(None, use_errno=True)


def _table(c: Call, epfd: int) -> dict[int, tuple[int, int]]:
    tables: dict[int, dict[int, tuple[int, int]]] = c.proc.__dict__.setdefault("epolls", {})
    return tables.setdefault(epfd, {})


@handles("epoll_ctl")
def sys_epoll_ctl(c: Call) -> object:
    epfd, op, fd = i32(c.args[0]), i32(c.args[1]), i32(c.args[2])
    if c.kfd(fd) is None:
        return CONTINUE
    t = _table(c, epfd)
    if op == EPOLL_CTL_DEL:
        if t.pop(fd, None) is None:
            raise Errno(2)
        return 0
    events, data = _EV.unpack(c.proc.mem.read(c.args[3], _EV.size))
    if op == EPOLL_CTL_ADD and fd in t:
        raise Errno(17)
    if op == EPOLL_CTL_MOD and fd not in t:
        raise Errno(2)
    if op not in (EPOLL_CTL_ADD, EPOLL_CTL_MOD):
        raise Errno(22)
    t[fd] = (events, data)
    return 0


def _host_wait(dupfd: int, maxev: int, ms: int) -> list[tuple[int, int]]:
    buf = ctypes.create_string_buffer(_EV.size * maxev)
    n = _libc.epoll_wait(dupfd, buf, maxev, ms)
    if n < 0:
        return []
    return [_EV.unpack_from(buf.raw, i * _EV.size) for i in range(n)]


def _wait(c: Call, epfd: int, out: int, maxev: int, timeout_ms: int) -> object:
    t = _table(c, epfd)
    live = [(fd, ev, data) for fd, (ev, data) in t.items()
            if c.kfd(fd) is not None and ev & _BITS]
    if not live:
        return CONTINUE
    if maxev <= 0:
        raise Errno(22)
    dupfd = _pidfd_getfd(c.proc.tgid, epfd)
    try:
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
        while True:
            kbuf = InOut(bytearray(b"".join(_PFD.pack(c.proc.fds[fd], ev & _BITS, 0)
                                             for fd, ev, _d in live)))
            n = c.k.syscall(SYS.poll, kbuf, len(live), 0)[0]
            ready: list[tuple[int, int]] = []
            if n:
                for j, (fd, ev, data) in enumerate(live):
                    rev = _PFD.unpack_from(kbuf.buf, j * _PFD.size)[2] & _BITS
                    if rev:
                        ready.append((rev, data))
                        if ev & EPOLLONESHOT:
                            t[fd] = (0, data)
            room = maxev - len(ready)
            if room > 0:
                ready += _host_wait(dupfd, room, 0 if ready else 10)
            if ready or (deadline is not None and time.monotonic() >= deadline):
                break
    finally:
        os.close(dupfd)
    ready = ready[:maxev]
    c.proc.mem.write(out, b"".join(_EV.pack(ev, data) for ev, data in ready))
    return len(ready)


@handles("epoll_wait", "epoll_pwait")
def sys_epoll_wait(c: Call) -> object:
    return _wait(c, i32(c.args[0]), c.args[1], i32(c.args[2]), i32(c.args[3]))


@handles("epoll_pwait2")
def sys_epoll_pwait2(c: Call) -> object:
    ms = -1
    if c.args[4]:
        s, ns = struct.unpack("<qq", c.proc.mem.read(c.args[4], 16))
        ms = s * 1000 + ns // 1_000_000
    return _wait(c, i32(c.args[0]), c.args[1], i32(c.args[2]), ms)
