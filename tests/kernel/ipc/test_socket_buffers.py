"""What a socket buffer counts and keeps, as NetBSD 7.99.34's sockbufs do.

sb_cc counts every mbuf: the sender's address of a datagram and the control
mbufs are in FIONREAD; empty writes on a stream leave nothing; an empty
seqpacket record is consumed unseen by the next receive.
"""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.sock import bind_in, recv, send, setint, socket, socketpair

from .sock import fionread, fionread_settled, sendmsg, sendto_in

DONTWAIT = S.MSG_DONTWAIT


def test_udp_fionread_counts_source_addresses(c: RawClient) -> None:
    r, s = socket(c, S.AF_INET, S.SOCK_DGRAM), socket(c, S.AF_INET, S.SOCK_DGRAM)
    assert bind_in(c, r, "127.0.0.1", 5301) == 0
    assert sendto_in(c, s, b"abc", "127.0.0.1", 5301) == (0, 3)
    assert fionread_settled(c, r, 3 + 16) == 3 + 16  # sockaddr_in
    assert sendto_in(c, s, b"", "127.0.0.1", 5301) == (0, 0)
    assert fionread_settled(c, r, 3 + 16 + 16) == 3 + 16 + 16
    assert recv(c, r, 2, DONTWAIT) == (0, b"ab")
    assert fionread(c, r) == 16
    assert recv(c, r, 10, DONTWAIT) == (0, b"")  # the empty datagram is received
    assert fionread(c, r) == 0


def test_udp6_fionread_counts_sockaddr_in6(c: RawClient) -> None:
    r = socket(c, S.AF_INET6, S.SOCK_DGRAM)
    sa = S.pack_sockaddr_in6("::1", 5302)
    assert c.err("bind", r, c.mem.buf(sa), len(sa)) == 0
    assert sendto_in(c, r, b"abcd", "::1", 5302) == (0, 4)
    assert fionread_settled(c, r, 4 + 28) == 4 + 28


def test_local_dgram_fionread_counts_noname(c: RawClient) -> None:
    a, b = socketpair(c, S.SOCK_DGRAM)
    assert send(c, a, b"xyz") == (0, 3)
    assert fionread(c, b) == 3 + 2  # sun_noname: sun_len 2
    assert send(c, a, b"") == (0, 0)
    assert fionread(c, b) == 3 + 2 + 2


@pytest.mark.parametrize("type,size", [(S.SOCK_STREAM, 26), (S.SOCK_SEQPACKET, 26),
                                       (S.SOCK_DGRAM, 28)])
def test_rights_count_as_file_pointers(c: RawClient, type: int, size: int) -> None:
    """unp_internalize turns each descriptor into a file pointer: CMSG_LEN(8n)."""
    a, b = socketpair(c, type)
    for n in (1, 2, 3):
        ctl = S.pack_cmsg(S.SOL_SOCKET, S.SCM_RIGHTS, struct.pack("<i", a) * n)
        assert sendmsg(c, a, b"xy", ctl) == (0, 2)
        assert fionread(c, b) == size + 8 * (n - 1)
        assert recv(c, b, 100, DONTWAIT) == (0, b"xy")
        assert fionread(c, b) == 0


@pytest.mark.parametrize("type,after_two", [(S.SOCK_STREAM, 52), (S.SOCK_SEQPACKET, 52),
                                            (S.SOCK_DGRAM, 104)])
def test_local_creds_option_and_size(c: RawClient, type: int, after_two: int) -> None:
    """LOCAL_CREDS is 0x0004 in 7.99.34 (0x0001, the old one, is ENOPROTOOPT); the
    credentials ride once on a connection, on every datagram: CMSG_SPACE(28) each."""
    a, b = socketpair(c, type)
    assert setint(c, b, S.SOL_LOCAL, 0x0001, 1) == E.ENOPROTOOPT
    assert setint(c, b, S.SOL_LOCAL, S.LOCAL_CREDS, 1) == 0
    assert send(c, a, b"xy") == (0, 2)
    first = fionread(c, b)
    assert first == (2 if type == S.SOCK_DGRAM else 0) + 2 + 48
    assert send(c, a, b"xy") == (0, 2)
    assert fionread(c, b) == after_two


def test_creds_message_layout(c: RawClient) -> None:
    a, b = socketpair(c, S.SOCK_DGRAM)
    assert setint(c, b, S.SOL_LOCAL, S.LOCAL_CREDS, 1) == 0
    assert send(c, a, b"q") == (0, 1)
    ctl, iov = c.mem.out(256), c.mem.out(16)
    hdr = c.mem.buf(S.MSGHDR.pack(0, 0, c.mem.buf(S.IOVEC.pack(iov, 16)), 1, ctl, 256, 0))
    assert c.call("recvmsg", b, hdr, 0)[:2] == (0, 1)
    ln, level, ctype = S.CMSGHDR.unpack_from(c.mem.get(ctl, 16))
    assert (ln, level, ctype) == (S.CMSG_LEN(28), S.SOL_SOCKET, 0x10)  # SCM_CREDS
    pid, uid, euid, gid, egid, ngroups = struct.unpack_from("<6i", c.mem.get(ctl + 16, 24))
    assert pid > 0 and (uid, euid) == (0, 0)


@pytest.mark.parametrize("type", [S.SOCK_STREAM, S.SOCK_SEQPACKET])
def test_empty_send_reads_as_nothing(c: RawClient, type: int) -> None:
    """A zero-length stream write queues nothing; an empty seqpacket record is taken
    and skipped by a receive that moved no byte (soreceive restarts)."""
    a, b = socketpair(c, type)
    assert send(c, a, b"") == (0, 0)
    assert fionread(c, b) == 0
    assert recv(c, b, 5, DONTWAIT) == (E.EAGAIN, b"")
    assert send(c, a, b"") == (0, 0)
    assert send(c, a, b"ab") == (0, 2)
    assert recv(c, b, 5, DONTWAIT) == (0, b"ab")
    assert recv(c, b, 5, DONTWAIT) == (E.EAGAIN, b"")
    assert c.err("shutdown", a, S.SHUT_WR) == 0
    assert recv(c, b, 5, DONTWAIT) == (0, b"")


def test_empty_tcp_send_is_not_eof(c: RawClient) -> None:
    ls = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert bind_in(c, ls, "127.0.0.1", 5303) == 0
    assert c.err("listen", ls, 1) == 0
    cs = socket(c, S.AF_INET, S.SOCK_STREAM)
    sa = S.pack_sockaddr_in("127.0.0.1", 5303)
    assert c.err("connect", cs, c.mem.buf(sa), len(sa)) == 0
    acc = c.ok("accept", ls, 0, 0)
    assert send(c, cs, b"") == (0, 0)
    assert recv(c, acc, 10, DONTWAIT) == (E.EAGAIN, b"")
