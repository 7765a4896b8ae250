"""send/recv edge answers and readiness, as NetBSD 7.99.34 gives them."""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.sock import bind_in, connect_in, recv, send, socket, socketpair

from .sock import fionread_settled, sendmsg

DONTWAIT = S.MSG_DONTWAIT


def _poll(c: RawClient, fd: int, events: int = 0x7FF) -> int:
    pfd = c.mem.buf(struct.pack("<ihh", fd, events, 0))
    c.call("poll", pfd, 1, 0)
    return int(struct.unpack("<ihh", c.mem.get(pfd, 8))[2])


def test_rights_with_a_bad_descriptor_is_ebadf(c: RawClient) -> None:
    a, b = socketpair(c, S.SOCK_STREAM)
    ctl = S.pack_cmsg(S.SOL_SOCKET, S.SCM_RIGHTS, struct.pack("<i", 77))
    assert sendmsg(c, a, b"m", ctl) == (E.EBADF, 0)
    u = socket(c, S.AF_LOCAL, S.SOCK_DGRAM)
    ok = S.pack_cmsg(S.SOL_SOCKET, S.SCM_RIGHTS, struct.pack("<i", a))
    assert sendmsg(c, u, b"m", ok) == (E.EDESTADDRREQ, 0)


def test_out_of_band(c: RawClient) -> None:
    """pr_sendoob/pr_recvoob: none for AF_LOCAL and UDP; TCP without urgent data EINVAL."""
    a, b = socketpair(c, S.SOCK_STREAM)
    assert send(c, a, b"x", S.MSG_OOB) == (E.EOPNOTSUPP, 0)
    assert recv(c, b, 4, S.MSG_OOB | DONTWAIT) == (E.EOPNOTSUPP, b"")
    u = socket(c, S.AF_INET, S.SOCK_DGRAM)
    assert send(c, u, b"x", S.MSG_OOB) == (E.EDESTADDRREQ, 0)  # sosend's checks first
    assert recv(c, u, 4, S.MSG_OOB | DONTWAIT) == (E.EOPNOTSUPP, b"")
    t = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert recv(c, t, 4, S.MSG_OOB | DONTWAIT) == (E.EINVAL, b"")


def test_local_datagrams_up_to_2560_bytes(c: RawClient) -> None:
    a, _ = socketpair(c, S.SOCK_DGRAM)
    assert send(c, a, b"z" * 2560) == (0, 2560)
    assert send(c, a, b"z" * 2561) == (E.EMSGSIZE, 0)


def test_pipe_poll_after_the_other_end_closed(c: RawClient) -> None:
    """pipe_poll: the end left sees its own EOF (POLLIN) and no peer (POLLOUT), and HUP."""
    everything = 0x01 | 0x04 | 0x10 | 0x40  # IN OUT HUP RDNORM
    for close_reader in (False, True):
        out = c.mem.out(8)
        assert c.err("pipe2", out, 0) == 0
        r, w = struct.unpack("<ii", c.mem.get(out, 8))
        assert _poll(c, r) == 0 and _poll(c, w) == 0x04  # open: only the write end writes
        assert c.ok("close", r if close_reader else w) == 0
        assert _poll(c, w if close_reader else r) == everything


def test_sockets_never_poll_hup(c: RawClient) -> None:
    a, b = socketpair(c, S.SOCK_STREAM)
    assert c.ok("close", b) == 0
    assert _poll(c, a) == 0x01 | 0x04 | 0x40  # readable (EOF), writable (CANTSENDMORE)


def test_recvmsg_flags_keep_the_callers(c: RawClient) -> None:
    u = socket(c, S.AF_INET, S.SOCK_DGRAM)
    assert bind_in(c, u, "127.0.0.1", 5501) == 0
    assert connect_in(c, u, "127.0.0.1", 5501) == 0
    assert send(c, u, b"abcd") == (0, 4)
    assert fionread_settled(c, u, 4 + 16) == 4 + 16  # delivered (a soft interrupt there)
    iov = c.mem.buf(S.IOVEC.pack(c.mem.out(2), 2))
    hdr = c.mem.buf(S.MSGHDR.pack(0, 0, iov, 1, 0, 0, 0))
    assert c.call("recvmsg", u, hdr, DONTWAIT)[:2] == (0, 2)
    flags = S.unpack_msghdr(c.mem.get(hdr, S.MSGHDR_SIZE))[6]
    assert flags == S.MSG_TRUNC | DONTWAIT
