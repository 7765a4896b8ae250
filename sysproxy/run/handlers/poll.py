"""poll and ppoll (with ``--net``) over kernel descriptors, alone or mixed with
host ones. Only kernel ones: one kernel poll. Mixed: the host descriptors are
duplicated into the supervisor (pidfd_getfd) and both sides are polled in turn
with short waits until something is ready or the time is up."""
from __future__ import annotations

import ctypes
import os
import select
import struct
import time

from sysproxy.client import SYS, InOut

from ..call import CONTINUE, Call, handles, i32

_PFD = struct.Struct("<ihh")
# Linux POLLWRNORM 0x100 / POLLWRBAND 0x200 differ from NetBSD's (POLLOUT, 0x100)
_TO_NB = [(0x1, 0x1), (0x2, 0x2), (0x4, 0x4), (0x8, 0x8), (0x10, 0x10), (0x20, 0x20),
          (0x40, 0x40), (0x80, 0x80), (0x100, 0x4), (0x200, 0x100)]


def _to_nb(ev: int) -> int:
    return sum(nb for lx, nb in _TO_NB if ev & lx)


def _from_nb(ev: int, asked: int) -> int:
    out = 0
    for lx, nb in _TO_NB:
        if ev & nb and (lx & asked or lx in (0x8, 0x10, 0x20)):
            out |= lx
    return out


def _pidfd_getfd(pid: int, fd: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    pidfd = libc.syscall(434, pid, 0)       # pidfd_open
    if pidfd < 0:
        raise OSError(ctypes.get_errno(), "pidfd_open")
    try:
        r = libc.syscall(438, pidfd, fd, 0)  # pidfd_getfd
        if r < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
        return int(r)
    finally:
        os.close(pidfd)


def _poll(c: Call, addr: int, nfds: int, timeout_ms: int) -> object:
    raw = c.proc.mem.read(addr, nfds * _PFD.size) if nfds else b""
    ents = [_PFD.unpack_from(raw, i * _PFD.size) for i in range(nfds)]
    if not any(c.kfd(fd) is not None for fd, _e, _r in ents):
        return CONTINUE
    kents = [(i, c.kfd(fd), ev) for i, (fd, ev, _r) in enumerate(ents) if c.kfd(fd) is not None]
    hents = [(i, fd, ev) for i, (fd, ev, _r) in enumerate(ents)
             if c.kfd(fd) is None and fd >= 0]
    revents = [0] * nfds
    dups: dict[int, int] = {}
    try:
        for i, fd, _ev in hents:
            try:
                dups[i] = _pidfd_getfd(c.proc.tgid, fd)
            except OSError:
                revents[i] = 0x20   # POLLNVAL
        deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
        step = 0 if hents else timeout_ms
        while True:
            kbuf = InOut(bytearray(b"".join(_PFD.pack(kfd, _to_nb(ev), 0)
                                             for _i, kfd, ev in kents)))
            n = c.k.syscall(SYS.poll, kbuf, len(kents), step)[0]
            if n:
                for j, (i, _kfd, ev) in enumerate(kents):
                    revents[i] = _from_nb(_PFD.unpack_from(kbuf.buf, j * 6)[2], ev)
            if hents:
                p = select.poll()
                for i, _fd, ev in hents:
                    if i in dups:
                        p.register(dups[i], ev)
                back = {dups[i]: i for i in dups}
                for dfd, rev in p.poll(0 if n else 20):
                    revents[back[dfd]] = rev
            ready = sum(1 for r in revents if r)
            if ready or (deadline is not None and time.monotonic() >= deadline):
                break
            step = 20 if hents else (-1 if deadline is None else
                                     max(0, int((deadline - time.monotonic()) * 1000)))
    finally:
        for d in dups.values():
            os.close(d)
    out = b"".join(_PFD.pack(fd, ev, revents[i]) for i, (fd, ev, _r) in enumerate(ents))
    c.proc.mem.write(addr, out)
    return sum(1 for r in revents if r)


@handles("poll")
def sys_poll(c: Call) -> object:
    return _poll(c, c.args[0], c.args[1] & 0xFFFFFFFF, i32(c.args[2]))


@handles("ppoll")
def sys_ppoll(c: Call) -> object:
    ms = -1
    if c.args[2]:
        s, ns = struct.unpack("<qq", c.proc.mem.read(c.args[2], 16))
        ms = s * 1000 + ns // 1_000_000
    return _poll(c, c.args[0], c.args[1] & 0xFFFFFFFF, ms)
