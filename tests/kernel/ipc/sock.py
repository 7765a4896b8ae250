"""Small helpers for the ipc conformance tests (over support.sock)."""
from __future__ import annotations

import struct

from sysproxy.abi import ioctl as IO
from sysproxy.abi import socket as S

from support.rawclient import RawClient


def ioint(c: RawClient, fd: int, req: int) -> int:
    """An int-returning ioctl that must succeed (FIONREAD, FIONWRITE, FIONSPACE)."""
    o = c.mem.out(4)
    assert c.err("ioctl", fd, req, o) == 0
    return int(struct.unpack("<i", c.mem.get(o, 4))[0])


def fionread(c: RawClient, fd: int) -> int:
    return ioint(c, fd, IO.FIONREAD)


def sendmsg(c: RawClient, fd: int, data: bytes, ctl: bytes = b"", flags: int = 0) -> tuple[int, int]:
    iov = c.mem.buf(S.IOVEC.pack(c.mem.buf(data), len(data)))
    hdr = S.MSGHDR.pack(0, 0, iov, 1, c.mem.buf(ctl) if ctl else 0, len(ctl), 0)
    err, rv, _ = c.call("sendmsg", fd, c.mem.buf(hdr), flags)
    return err, rv


def sendto_in(c: RawClient, fd: int, data: bytes, host: str, port: int) -> tuple[int, int]:
    sa = S.pack_sockaddr_in(host, port) if ":" not in host else S.pack_sockaddr_in6(host, port)
    err, rv, _ = c.call("sendto", fd, c.mem.buf(data), len(data), 0, c.mem.buf(sa), len(sa))
    return err, rv


def fionread_settled(c: RawClient, fd: int, want: int, tries: int = 200) -> int:
    """FIONREAD once loopback delivery is done: the reference's IPv4/IPv6 input runs in
    a soft interrupt after sendto returns, so a datagram may land a moment later.
    Waits (poll with a 10 ms timeout, no file) until the count is ``want`` or stops."""
    n = fionread(c, fd)
    for _ in range(tries):
        if n == want:
            break
        c.call("poll", 0, 0, 10)
        n = fionread(c, fd)
    return n
