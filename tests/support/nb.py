"""Helpers for the NetBSD-derived IPC tests (tests/kernel/netbsd/): a libc-ish layer over RawClient.

Each helper makes the NetBSD system call a C program's libc would make and
returns what the test compares (errno and values). ``fork()`` is
rumpclient_fork: PREFORK on the parent's connection, FORK on a new one.
"""
from __future__ import annotations

import struct
import time
from typing import Any, Callable

from sysproxy import wire
from sysproxy.abi import event as EV
from sysproxy.abi import fcntl as F
from sysproxy.abi import poll as P
from sysproxy.abi import socket as S
from sysproxy.abi import time as T

from .rawclient import RawClient

_I = struct.Struct("<i")
_U = struct.Struct("<I")


def fork(parent: RawClient, url: str) -> RawClient:
    """rumpclient_fork(): the child is a new kernel process sharing the parent's files."""
    cookie = parent.prefork()
    child = RawClient(url, handshake=False)
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    return child


def getpid(c: RawClient) -> int:
    return c.ok("getpid")


def pipe2(c: RawClient, flags: int = 0) -> tuple[int, int]:
    out = c.mem.out(8)
    c.ok("pipe2", out, flags)
    return struct.unpack("<ii", c.mem.get(out, 8))


def pipe(c: RawClient) -> tuple[int, int]:
    err, r, w = c.call("pipe")
    assert err == 0
    return r, w


def write(c: RawClient, fd: int, data: bytes) -> tuple[int, int]:
    err, rv, _ = c.call("write", fd, c.mem.buf(data), len(data))
    return err, rv


def read(c: RawClient, fd: int, n: int) -> tuple[int, bytes]:
    buf = c.mem.out(max(n, 1))
    err, rv, _ = c.call("read", fd, buf, n)
    return err, (c.mem.get(buf, rv) if not err else b"")


def getfd(c: RawClient, fd: int) -> int:
    return c.ok("fcntl", fd, F.F_GETFD, 0)


def getfl(c: RawClient, fd: int) -> int:
    return c.ok("fcntl", fd, F.F_GETFL, 0)


def open_(c: RawClient, path: str, flags: int, mode: int = 0) -> tuple[int, int]:
    err, fd, _ = c.call("open", c.mem.str(path), flags, mode)
    return err, fd


def pollfds(c: RawClient, fds: list[tuple[int, int]], timeout_ms: int,
            fill: int = 0) -> tuple[int, int, list[int]]:
    """poll(2): (errno, return value, revents); revents start as ``fill`` (the tests use -1)."""
    buf = c.mem.buf(P.pack_pollfds([(fd, ev, fill) for fd, ev in fds]))
    err, n, _ = c.call("poll", buf, len(fds), timeout_ms)
    got = P.unpack_pollfds(c.mem.get(buf, P.POLLFD_SIZE * len(fds)), len(fds))
    return err, n, [r for _, _, r in got]


def timespec(c: RawClient, secs: float | tuple[int, int] | None) -> int:
    if secs is None:
        return 0
    if isinstance(secs, tuple):
        return c.mem.buf(T.pack_timespec(*secs))
    return c.mem.buf(T.pack_timespec(int(secs), int(round((secs % 1) * 1e9))))


def kevent(c: RawClient, kq: int, changes: list[tuple[int, ...]], nevents: int,
           timeout: float | tuple[int, int] | None = None) -> tuple[int, list[tuple[int, ...]]]:
    ch = c.mem.buf(EV.pack_kevents(changes)) if changes else 0
    out = c.mem.out(max(1, nevents) * EV.KEVENT_SIZE)
    err, n, _ = c.call("__kevent50", kq, ch, len(changes), out, nevents, timespec(c, timeout))
    return err, (EV.unpack_kevents(c.mem.get(out, n * EV.KEVENT_SIZE), n) if not err else [])


def kevent_start(c: RawClient, kq: int, nevents: int, timeout: float | None = None) -> tuple[int, int]:
    """Start a blocking kevent (collect only): (reqno, out address)."""
    out = c.mem.out(max(1, nevents) * EV.KEVENT_SIZE)
    return c.start("__kevent50", kq, 0, 0, out, nevents, timespec(c, timeout)), out


def socket(c: RawClient, domain: int, type: int, proto: int = 0) -> tuple[int, int]:
    err, fd, _ = c.call("__socket30", domain, type, proto)
    return err, fd


def sockaddr(c: RawClient, sa: bytes) -> tuple[int, int]:
    return c.mem.buf(sa), len(sa)


def bind(c: RawClient, fd: int, sa: bytes, salen: int | None = None) -> int:
    return c.err("bind", fd, c.mem.buf(sa), len(sa) if salen is None else salen)


def connect(c: RawClient, fd: int, sa: bytes) -> int:
    return c.err("connect", fd, c.mem.buf(sa), len(sa))


def name(c: RawClient, fd: int, call: str = "getsockname", size: int = 128) -> tuple[int, bytes, int]:
    """getsockname/getpeername/accept-style name: (errno, bytes stored, length stored)."""
    buf, ln = c.mem.out(size), c.mem.buf(_U.pack(size))
    err = c.err(call, fd, buf, ln)
    n = _U.unpack(c.mem.get(ln, 4))[0]
    return err, c.mem.get(buf, size), n


def setint(c: RawClient, fd: int, level: int, opt: int, v: int) -> int:
    return c.err("setsockopt", fd, level, opt, c.mem.buf(_I.pack(v)), 4)


def getint(c: RawClient, fd: int, level: int, opt: int) -> tuple[int, int]:
    val, ln = c.mem.out(4), c.mem.buf(_U.pack(4))
    err = c.err("getsockopt", fd, level, opt, val, ln)
    return err, _I.unpack(c.mem.get(val, 4))[0]


def sendmsg_rights(c: RawClient, s: int, data: bytes, fds: list[int]) -> tuple[int, int]:
    iov = c.mem.buf(S.pack_iovecs([(c.mem.buf(data), len(data))]))
    ctl = S.pack_cmsg(S.SOL_SOCKET, S.SCM_RIGHTS, b"".join(_I.pack(f) for f in fds))
    hdr = c.mem.buf(S.pack_msghdr(0, 0, iov, 1, c.mem.buf(ctl), len(ctl), 0))
    err, rv, _ = c.call("sendmsg", s, hdr, 0)
    return err, rv


def recvmsg_rights(c: RawClient, s: int, n: int, nfds: int) -> tuple[int, bytes, list[int], int]:
    buf = c.mem.out(n)
    iov = c.mem.buf(S.pack_iovecs([(buf, n)]))
    room = S.CMSG_SPACE(4 * nfds)
    ctl = c.mem.out(room)
    hdr = c.mem.buf(S.pack_msghdr(0, 0, iov, 1, ctl, room, 0))
    err, rv, _ = c.call("recvmsg", s, hdr, 0)
    h = S.unpack_msghdr(c.mem.get(hdr, S.MSGHDR_SIZE))
    fds: list[int] = []
    for level, ctype, payload in (S.unpack_cmsgs(c.mem.get(ctl, h[5])) if h[5] else []):
        if (level, ctype) == (S.SOL_SOCKET, S.SCM_RIGHTS):
            fds += [_I.unpack_from(payload, i)[0] for i in range(0, len(payload), 4)]
    return err, (c.mem.get(buf, rv) if not err else b""), fds, h[6]


def monotonic(c: RawClient) -> float:
    ts = c.mem.out(16)
    c.ok("__clock_gettime50", T.CLOCK_MONOTONIC, ts)
    sec, nsec = T.unpack_timespec(c.mem.get(ts, 16))
    return sec + nsec / 1e9


def wait_until(pred: Callable[[], Any], timeout: float = 5.0, step: float = 0.01) -> Any:
    """Poll ``pred`` until it is true (the kernel handles a disconnect asynchronously)."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


def gone(probe: RawClient, pid: int) -> bool:
    """kill(pid, 0) answers ESRCH: the kernel released the process."""
    from sysproxy.abi import errno as E
    return probe.err("kill", pid, 0) == E.ESRCH
