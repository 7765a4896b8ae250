"""Socket helpers for kernel tests over a RawClient."""
from __future__ import annotations

import struct

from sysproxy.abi import socket as S

from .rawclient import RawClient


def socket(c: RawClient, domain: int, type: int, proto: int = 0) -> int:
    return c.ok("__socket30", domain, type, proto)


def setint(c: RawClient, fd: int, level: int, name: int, v: int) -> int:
    return c.err("setsockopt", fd, level, name, c.mem.buf(struct.pack("<i", v)), 4)


def getopt(c: RawClient, fd: int, level: int, name: int, size: int = 4) -> tuple[int, bytes]:
    val, ln = c.mem.out(size), c.mem.buf(struct.pack("<I", size))
    err = c.err("getsockopt", fd, level, name, val, ln)
    n = struct.unpack("<I", c.mem.get(ln, 4))[0]
    return err, c.mem.get(val, n) if not err else b""


def bind_in(c: RawClient, fd: int, host: str, port: int) -> int:
    sa = S.pack_sockaddr_in(host, port)
    return c.err("bind", fd, c.mem.buf(sa), len(sa))


def connect_in(c: RawClient, fd: int, host: str, port: int) -> int:
    sa = S.pack_sockaddr_in(host, port)
    return c.err("connect", fd, c.mem.buf(sa), len(sa))


def sockname(c: RawClient, fd: int, call: str = "getsockname") -> tuple[int, bytes]:
    buf, ln = c.mem.out(128), c.mem.buf(struct.pack("<I", 128))
    err = c.err(call, fd, buf, ln)
    n = struct.unpack("<I", c.mem.get(ln, 4))[0]
    return err, c.mem.get(buf, n) if not err else b""


def send(c: RawClient, fd: int, data: bytes, flags: int = 0) -> tuple[int, int]:
    err, rv, _ = c.call("sendto", fd, c.mem.buf(data), len(data), flags, 0, 0)
    return err, rv


def recv(c: RawClient, fd: int, n: int, flags: int = 0) -> tuple[int, bytes]:
    buf = c.mem.out(max(n, 1))
    err, rv, _ = c.call("recvfrom", fd, buf, n, flags, 0, 0)
    return err, c.mem.get(buf, rv) if not err else b""


def socketpair(c: RawClient, type: int = S.SOCK_STREAM) -> tuple[int, int]:
    out = c.mem.out(8)
    assert c.call("socketpair", S.AF_LOCAL, type, 0, out) == (0, 0, 0)
    a, b = struct.unpack("<ii", c.mem.get(out, 8))
    return a, b
