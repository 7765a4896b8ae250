"""NetBSD tests/net/net/t_unix.c: sockaddr_un lengths and accepted names.

A 253-byte path (sun_len 255) binds, connects and is reported back whole by
getsockname (length and sun_len 255); 254 bytes (sun_len 256) is EINVAL.
accept() names an unbound connector with sun_len 2, family AF_UNIX, an
all-zero path, even when the connector already closed (sockaddr_un_closed);
getpeereid (LOCAL_PEEREID) on the connector gives our euid and egid.
"""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.nb import bind, socket
from support.rawclient import RawClient

OF = 2  # offsetof(struct sockaddr_un, sun_path)
SUN_SIZE = 106


def _run(c: RawClient, closeit: bool, n: int) -> int:
    _, srvr = socket(c, S.AF_UNIX, S.SOCK_STREAM)
    path = b"a" * n
    sl = OF + n
    sun = bytes([sl & 0xFF, S.AF_UNIX]) + path
    err = bind(c, srvr, sun, sl)
    if err:
        assert err == E.EINVAL and sl >= 256
        c.ok("close", srvr)
        return -1
    assert c.err("listen", srvr, S.SOMAXCONN) == 0
    _, clnt = socket(c, S.AF_UNIX, S.SOCK_STREAM)
    assert c.err("connect", clnt, c.mem.buf(sun), sl) == 0
    val, ln = c.mem.out(12), c.mem.buf(struct.pack("<I", 12))
    assert c.err("getsockopt", clnt, S.SOL_LOCAL, S.LOCAL_PEEREID, val, ln) == 0
    assert S.unpack_unpcbid(c.mem.get(val, 12))[1:] == (c.ok("geteuid"), c.ok("getegid"))
    if closeit:
        c.ok("close", clnt)
    buf, ln = c.mem.buf(b"\x55" * SUN_SIZE), c.mem.buf(struct.pack("<I", SUN_SIZE))
    err, acpt, _ = c.call("accept", srvr, buf, ln)
    assert err == 0
    assert struct.unpack("<I", c.mem.get(ln, 4))[0] == 2
    got = c.mem.get(buf, SUN_SIZE)
    assert got[:2] == bytes([2, S.AF_UNIX])
    buf, ln = c.mem.out(sl + 1), c.mem.buf(struct.pack("<I", sl + 1))
    assert c.err("getsockname", srvr, buf, ln) == 0
    assert struct.unpack("<I", c.mem.get(ln, 4))[0] == sl
    got = c.mem.get(buf, sl + 1)
    assert got[0] == sl and got[1] == S.AF_UNIX and got[2:sl] == path
    c.ok("close", acpt)
    c.ok("close", srvr)
    if not closeit:
        c.ok("close", clnt)
    c.ok("unlink", c.mem.str(path))
    return 0


def test_sockaddr_un_len_exceed(client: RawClient) -> None:
    assert _run(client, False, 254) == -1


def test_sockaddr_un_len_max(client: RawClient) -> None:
    assert _run(client, False, 253) == 0


def test_sockaddr_un_closed(client: RawClient) -> None:
    assert _run(client, True, 100) == 0
