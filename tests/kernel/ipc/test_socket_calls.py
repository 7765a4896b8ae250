"""Argument and state checks of bind/connect/sendto/setsockopt in NetBSD 7.99.34's order."""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.sock import bind_in, connect_in, getopt, recv, send, setint, socket

SIGPIPE = 13


def test_name_is_checked_before_the_descriptor(c: RawClient) -> None:
    """sys_bind/sys_connect run sockargs first: a short name beats a bad descriptor."""
    short = c.mem.buf(bytes([16, S.AF_INET]) + bytes(254))
    for call in ("bind", "connect"):
        assert c.err(call, 77, short, 2) == E.EINVAL
        assert c.err(call, 77, short, 256) == E.EINVAL
        assert c.err(call, 77, short, 3) == E.EBADF  # 3 bytes are enough for sockargs
    assert c.err("setsockopt", 77, S.SOL_SOCKET, S.SO_DEBUG, 0, 4) == E.EINVAL  # NULL value
    assert c.err("setsockopt", 77, S.SOL_SOCKET, S.SO_DEBUG, c.mem.buf(bytes(4)), 2049) == E.EINVAL


def test_family_zero_takes_the_length_byte(c: RawClient) -> None:
    """4.3BSD compat: sa_family 0 with sa_len < AF_MAX means family sa_len."""
    s = socket(c, S.AF_INET, S.SOCK_DGRAM)
    sa = bytearray(S.pack_sockaddr_in("127.0.0.1", 5401))
    sa[0], sa[1] = S.AF_INET, 0
    assert c.err("bind", s, c.mem.buf(bytes(sa)), len(sa)) == 0


def test_connect_checks_in_soconnect_order(c: RawClient) -> None:
    ls = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert bind_in(c, ls, "127.0.0.1", 5402) == 0
    assert c.err("listen", ls, 1) == 0
    un = bytes([16, S.AF_LOCAL]) + b"/nowhere".ljust(14, b"\0")
    assert c.err("connect", ls, c.mem.buf(un), len(un)) == E.EOPNOTSUPP  # listener first
    s = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert c.err("connect", s, c.mem.buf(un), len(un)) == E.EAFNOSUPPORT
    assert connect_in(c, s, "127.0.0.1", 5402) == 0
    assert c.err("connect", s, c.mem.buf(un), len(un)) == E.EISCONN  # before the family


def test_refused_tcp_socket_is_dropped(c: RawClient) -> None:
    """A connection refused by RST frees the pcb (tcp_drop): protocol requests are
    EINVAL, options ECONNRESET, a send EPIPE (sosend sees SS_CANTSENDMORE first)."""
    s = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert connect_in(c, s, "127.0.0.1", 5403) == E.ECONNREFUSED
    assert connect_in(c, s, "127.0.0.1", 5403) == E.EINVAL
    assert bind_in(c, s, "127.0.0.1", 0) == E.EINVAL
    assert c.err("listen", s, 1) == E.EINVAL
    assert c.err("getsockname", s, c.mem.out(32), c.mem.buf(struct.pack("<I", 32))) == E.EINVAL
    assert getopt(c, s, S.IPPROTO_TCP, S.TCP_NODELAY)[0] == E.ECONNRESET
    assert getopt(c, s, S.SOL_SOCKET, S.SO_TYPE) == (0, struct.pack("<i", S.SOCK_STREAM))
    assert send(c, s, b"x") == (E.EPIPE, 0)
    assert c.raised == [SIGPIPE]
    assert recv(c, s, 4, S.MSG_DONTWAIT) == (0, b"")


def test_refused_nonblocking_connect(c: RawClient) -> None:
    s = c.ok("__socket30", S.AF_INET, S.SOCK_STREAM | S.SOCK_NONBLOCK, 0)
    assert connect_in(c, s, "127.0.0.1", 5404) == E.EINPROGRESS
    pfd = c.mem.buf(struct.pack("<ihh", s, 0x4, 0))
    c.call("poll", pfd, 1, 1000)  # the RST comes back
    assert send(c, s, b"x", S.MSG_NOSIGNAL) == (E.EPIPE, 0)
    assert c.raised == []
    assert getopt(c, s, S.SOL_SOCKET, S.SO_ERROR) == (0, struct.pack("<i", E.ECONNREFUSED))
    assert connect_in(c, s, "127.0.0.1", 5404) == E.EINVAL


def test_so_nosigpipe_is_the_files_flag(c: RawClient) -> None:
    s = socket(c, S.AF_LOCAL, S.SOCK_STREAM)
    assert setint(c, s, S.SOL_SOCKET, S.SO_NOSIGPIPE, 1) == 0
    assert c.ok("fcntl", s, F.F_GETNOSIGPIPE, 0) == 1
    assert c.ok("fcntl", s, F.F_SETNOSIGPIPE, 0) == 0
    assert getopt(c, s, S.SOL_SOCKET, S.SO_NOSIGPIPE) == (0, struct.pack("<i", 0))


@pytest.mark.parametrize("domain,type,errno", [
    (S.AF_ROUTE, S.SOCK_RAW, 0), (S.AF_OROUTE, S.SOCK_RAW, 0), (S.AF_LINK, S.SOCK_DGRAM, 0),
    (S.AF_INET, S.SOCK_RAW, 0), (S.AF_INET6, S.SOCK_RAW, 0),
    (S.AF_ROUTE, S.SOCK_DGRAM, E.EPROTOTYPE), (S.AF_LINK, S.SOCK_STREAM, E.EPROTOTYPE),
    (S.AF_ARP, S.SOCK_DGRAM, E.EPROTOTYPE), (S.AF_ARP, S.SOCK_RAW, E.EPROTOTYPE),
])
def test_other_domains(c: RawClient, domain: int, type: int, errno: int) -> None:
    assert c.err("__socket30", domain, type, 0) == errno


def test_raw_sockets_need_root(c: RawClient) -> None:
    assert c.err("setuid", 1000) == 0
    assert c.err("__socket30", S.AF_INET, S.SOCK_RAW, 0) == E.EPERM
    assert c.err("__socket30", S.AF_LOCAL, S.SOCK_RAW, 0) == E.EPERM  # before the lookup
    assert c.err("__socket30", S.AF_ROUTE, S.SOCK_RAW, 0) == 0


def test_unknown_type_flags_are_ignored_and_paccept_checks_none(c: RawClient) -> None:
    """fsocreate takes SOCK_FLAGS_MASK off the type without checking the other bits;
    paccept does not check its flags (the fd comes first: EBADF, ENOTSOCK)."""
    s = c.ok("__socket30", S.AF_LOCAL, S.SOCK_STREAM | 0x80000000, 0)
    assert c.ok("fcntl", s, F.F_GETFL, 0) == F.O_RDWR
    assert c.err("paccept", 77, 0, 0, 0, 1) == E.EBADF
    out = c.mem.out(8)
    assert c.err("pipe2", out, 0) == 0
    assert c.err("paccept", struct.unpack("<i", c.mem.get(out, 4))[0], 0, 0, 0, 1) == E.ENOTSOCK
    assert c.err("paccept", s, 0, 0, 0, 1) == E.EINVAL  # not listening


def test_tcp_nodelay_reads_back_tf_nodelay_and_is_inherited(c: RawClient) -> None:
    ls = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert setint(c, ls, S.IPPROTO_TCP, S.TCP_NODELAY, 1) == 0
    assert getopt(c, ls, S.IPPROTO_TCP, S.TCP_NODELAY) == (0, struct.pack("<i", 4))
    assert bind_in(c, ls, "127.0.0.1", 5405) == 0
    assert c.err("listen", ls, 1) == 0
    cs = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert connect_in(c, cs, "127.0.0.1", 5405) == 0
    acc = c.ok("accept", ls, 0, 0)
    assert getopt(c, acc, S.IPPROTO_TCP, S.TCP_NODELAY) == (0, struct.pack("<i", 4))
    assert getopt(c, cs, S.IPPROTO_TCP, S.TCP_NODELAY) == (0, struct.pack("<i", 0))
    assert setint(c, acc, S.IPPROTO_TCP, S.TCP_NODELAY, 0) == 0
    assert getopt(c, acc, S.IPPROTO_TCP, S.TCP_NODELAY) == (0, struct.pack("<i", 0))
