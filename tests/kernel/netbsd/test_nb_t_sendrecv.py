"""NetBSD tests/lib/libc/sys/t_sendrecv.c: a forked sender floods an AF_UNIX datagram
pair with 1316-byte packets until send fails with ENOBUFS (the receiver's
buffer is full), a hundred times over; the receiver gets them in order.
SO_RERROR is accepted (sendrecv_rerror); AF_UNIX reports an overflow to the
sender only, so the receiver never sees ENOBUFS."""
from __future__ import annotations

import struct

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.nb import fork, setint
from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import recv, send, socketpair

SO_RERROR = 0x4000
COUNT = 100
PKT = 1316


@pytest.mark.parametrize("rerror", [0, 1], ids=["basic", "rerror"])
def test_sendrecv(server: ServerProcess, rerror: int) -> None:
    c = RawClient(server.url, "t_sendrecv")
    sd0, sd1 = socketpair(c, S.SOCK_DGRAM)
    for s in (sd0, sd1):
        assert setint(c, s, S.SOL_SOCKET, SO_RERROR, rerror) == 0
    child = fork(c, server.url)
    seq = expect = 0
    for _ in range(COUNT):
        while True:
            err, n = send(child, sd0, struct.pack("<Q", seq) + bytes(PKT - 8))
            if err:
                break
            assert n == PKT
            seq += 1
        assert err == E.ENOBUFS
        while True:
            err, data = recv(c, sd1, PKT, S.MSG_DONTWAIT)
            if err:
                assert err == E.EAGAIN
                break
            assert len(data) == PKT and struct.unpack_from("<Q", data)[0] == expect
            expect += 1
    assert expect == seq and seq >= COUNT
