"""NetBSD tests/lib/libc/sys/t_recvmmsg.c: a forked receiver takes 50 datagrams of 1316
bytes with recvmmsg (MSG_WAITALL, 1 s timeout), in order, each msg_len right;
the sender retries on ENOBUFS. Also t_sendmmsg.c's shape: sendmmsg in batches
of three, every datagram arriving numbered and whole."""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S
from sysproxy.abi import time as T

from support.bg import bg
from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import recv, send, socketpair

NPKTS, PKT = 50, 1316


def _mmsg(c: RawClient, n: int, datas: list[bytes] | None = None) -> tuple[int, list[int]]:
    hdrs, bufs = b"", []
    for i in range(n):
        buf = c.mem.buf(datas[i]) if datas else c.mem.out(PKT)
        bufs.append(buf)
        iov = c.mem.buf(S.pack_iovecs([(buf, PKT)]))
        hdrs += S.pack_msghdr(0, 0, iov, 1, 0, 0, 0) + bytes(S.MMSGHDR_SIZE - S.MSGHDR_SIZE)
    return c.mem.buf(hdrs), bufs


def test_recvmmsg_basic(server: ServerProcess) -> None:
    c = RawClient(server.url, "t_recvmmsg")
    fd0, fd1 = socketpair(c, S.SOCK_DGRAM)
    child = fork(c, server.url)

    def receiver() -> list[int]:
        got: list[int] = []
        n = NPKTS
        while n > 0:
            vec, bufs = _mmsg(child, min(NPKTS, n))
            ts = child.mem.buf(T.pack_timespec(1, 0))
            err, cnt, _ = child.call("recvmmsg", fd1, vec, min(NPKTS, n), S.MSG_WAITALL, ts)
            assert err == 0 and cnt > 0
            for i in range(cnt):
                ln = int.from_bytes(child.mem.get(vec + i * S.MMSGHDR_SIZE + S.MSGHDR_SIZE, 4), "little")
                assert ln == PKT
                got.append(child.mem.get(bufs[i], 1)[0])
            n -= cnt
        return got

    fut = bg(receiver)
    for i in range(NPKTS):
        while True:
            err, _ = send(c, fd0, bytes([i]) + bytes(PKT - 1))
            if err != E.ENOBUFS:
                break
        assert err == 0
    assert fut.result(10) == list(range(NPKTS))


def test_sendmmsg_basic(server: ServerProcess) -> None:
    c = RawClient(server.url, "t_sendmmsg")
    fd0, fd1 = socketpair(c, S.SOCK_DGRAM)
    child = fork(c, server.url)
    total = 65536 // PKT
    got: list[int] = []
    n = 0
    while n < total:
        k = min(3, total - n)
        vec, _ = _mmsg(child, k, [bytes([n + i]) + bytes(range(1, 256)) * 5 + bytes(PKT - 1276) for i in range(k)])
        err, cnt, _ = child.call("sendmmsg", fd1, vec, k, 0)
        if err == E.ENOBUFS:
            cnt = 0
        else:
            assert err == 0 and cnt > 0
        n += cnt
        while True:
            err, data = recv(c, fd0, PKT, S.MSG_DONTWAIT)
            if err:
                break
            assert len(data) == PKT
            got.append(data[0])
    assert got == list(range(total))
