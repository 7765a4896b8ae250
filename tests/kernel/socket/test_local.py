"""AF_LOCAL: socketpair streams/datagrams/seqpackets, SCM_RIGHTS between processes, credentials."""
from __future__ import annotations

import struct

from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import getopt, recv, send, setint, socketpair


def test_stream_pair_both_ways_and_shutdown(client: RawClient) -> None:
    a, b = socketpair(client)
    assert send(client, a, b"abc") == (0, 3)
    assert send(client, a, b"def") == (0, 3)
    assert recv(client, b, 4, S.MSG_PEEK) == (0, b"abcd")
    assert recv(client, b, 100) == (0, b"abcdef")
    assert send(client, b, b"back") == (0, 4)
    assert recv(client, a, 100) == (0, b"back")
    assert recv(client, a, 10, S.MSG_DONTWAIT)[0] == E.EAGAIN
    client.ok("shutdown", a, S.SHUT_WR)
    assert recv(client, b, 10) == (0, b"")
    assert send(client, a, b"x", S.MSG_NOSIGNAL) == (E.EPIPE, 0)
    assert client.raised == []
    assert getopt(client, a, S.SOL_SOCKET, S.SO_TYPE) == (0, struct.pack("<i", S.SOCK_STREAM))
    assert getopt(client, a, S.SOL_SOCKET, S.SO_RCVBUF) == (0, struct.pack("<i", 4096))


def test_stream_nonblocking_fill(client: RawClient) -> None:
    a, b = socketpair(client, S.SOCK_STREAM | S.SOCK_NONBLOCK)
    assert send(client, a, b"x" * 10000) == (0, 4096)
    assert send(client, a, b"y")[0] == E.EAGAIN
    assert recv(client, b, 10000) == (0, b"x" * 4096)


def test_dgram_and_seqpacket_keep_boundaries(client: RawClient) -> None:
    for t in (S.SOCK_DGRAM, S.SOCK_SEQPACKET):
        a, b = socketpair(client, t)
        send(client, a, b"one")
        send(client, a, b"two!")
        assert recv(client, b, 100) == (0, b"one")
        assert recv(client, b, 2) == (0, b"tw")  # rest of the message is dropped
        assert recv(client, b, 100, S.MSG_DONTWAIT)[0] == E.EAGAIN
    a, b = socketpair(client, S.SOCK_DGRAM)
    assert send(client, a, b"z" * 3000) == (E.EMSGSIZE, 0)


def _sendmsg(c: RawClient, s: int, data: bytes, control: bytes) -> tuple[int, int]:
    iov = c.mem.buf(S.pack_iovecs([(c.mem.buf(data), len(data))]))
    ctl = c.mem.buf(control) if control else 0
    hdr = c.mem.buf(S.pack_msghdr(0, 0, iov, 1, ctl, len(control), 0))
    err, rv, _ = c.call("sendmsg", s, hdr, 0)
    return err, rv


def _recvmsg(c: RawClient, s: int, n: int, ctlsize: int) -> tuple[int, bytes, list, int]:
    buf = c.mem.out(n)
    iov = c.mem.buf(S.pack_iovecs([(buf, n)]))
    ctl = c.mem.out(ctlsize) if ctlsize else 0
    hdr = c.mem.buf(S.pack_msghdr(0, 0, iov, 1, ctl, ctlsize, 0))
    err, rv, _ = c.call("recvmsg", s, hdr, 0)
    h = S.unpack_msghdr(c.mem.get(hdr, S.MSGHDR_SIZE))
    cm = S.unpack_cmsgs(c.mem.get(ctl, h[5])) if ctl and h[5] else []
    return err, c.mem.get(buf, rv) if not err else b"", cm, h[6]


def test_scm_rights_between_processes(server: ServerProcess) -> None:
    a = RawClient(server.url)
    sa, sb = socketpair(a)
    cookie = a.prefork()
    b = RawClient(server.url, handshake=False)
    b.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    out = a.mem.out(8)
    a.ok("pipe2", out, 0)
    r, w = struct.unpack("<ii", a.mem.get(out, 8))
    assert _sendmsg(a, sa, b"fd", S.pack_cmsg(S.SOL_SOCKET, S.SCM_RIGHTS, struct.pack("<i", r))) == (0, 2)
    a.ok("close", r)  # in flight: the pipe's read end stays open
    err, data, cm, flags = _recvmsg(b, sb, 16, S.CMSG_SPACE(4))
    assert (err, data, flags) == (0, b"fd", 0)
    assert len(cm) == 1 and cm[0][:2] == (S.SOL_SOCKET, S.SCM_RIGHTS)
    newfd = struct.unpack("<i", cm[0][2])[0]
    a.ok("write", w, a.mem.buf(b"via fd"), 6)
    buf = b.mem.out(10)
    assert b.call("read", newfd, buf, 10) == (0, 6, 0) and b.mem.get(buf, 6) == b"via fd"
    b.close()
    a.close()


def test_creds_and_peereid(client: RawClient) -> None:
    a, b = socketpair(client)
    err, eid = getopt(client, a, S.SOL_LOCAL, S.LOCAL_PEEREID, 12)
    assert err == 0 and S.unpack_unpcbid(eid) == (client.call("getpid")[1], 0, 0)
    assert setint(client, b, S.SOL_LOCAL, S.LOCAL_CREDS, 1) == 0
    send(client, a, b"c")
    err, data, cm, _ = _recvmsg(client, b, 8, 64)
    assert data == b"c" and cm[0][:2] == (S.SOL_SOCKET, S.SCM_CREDS)
    assert S.unpack_sockcred(cm[0][2])[:4] == (0, 0, 0, 0)


def _sun(path: bytes) -> bytes:
    return S.pack_sockaddr_un(path)


def test_bind_connect_accept_by_path(server: ServerProcess) -> None:
    srv, cli = RawClient(server.url), RawClient(server.url)
    ls = srv.ok("__socket30", S.AF_LOCAL, S.SOCK_STREAM, 0)
    sa = _sun(b"/tmp/sock1")
    assert srv.err("bind", ls, srv.mem.buf(sa), len(sa)) == 0
    st = srv.mem.out(152)
    if srv.err("__stat50", srv.mem.str("/tmp/sock1"), st) == 0:
        from sysproxy.abi.stat import S_IFMT, S_IFSOCK, unpack_stat
        assert unpack_stat(srv.mem.get(st, 152)).mode & S_IFMT == S_IFSOCK
    other = srv.ok("__socket30", S.AF_LOCAL, S.SOCK_STREAM, 0)
    assert srv.err("bind", other, srv.mem.buf(sa), len(sa)) == E.EADDRINUSE
    cs = cli.ok("__socket30", S.AF_LOCAL, S.SOCK_STREAM, 0)
    assert cli.err("connect", cs, cli.mem.buf(sa), len(sa)) == E.ECONNREFUSED  # not listening
    srv.ok("listen", ls, 4)
    assert cli.err("connect", cs, cli.mem.buf(sa), len(sa)) == 0
    afd = srv.ok("accept", ls, 0, 0)
    assert send(cli, cs, b"over a path") == (0, 11)
    assert recv(srv, afd, 64) == (0, b"over a path")
    srv.ok("close", ls)
    cs2 = cli.ok("__socket30", S.AF_LOCAL, S.SOCK_STREAM, 0)
    assert cli.err("connect", cs2, cli.mem.buf(sa), len(sa)) == E.ECONNREFUSED  # name left, socket gone
    srv.ok("unlink", srv.mem.str("/tmp/sock1"))
    assert cli.err("connect", cs2, cli.mem.buf(sa), len(sa)) == E.ENOENT
    assert srv.err("bind", other, srv.mem.buf(sa), len(sa)) == 0


def test_dgram_by_path(client: RawClient) -> None:
    a = client.ok("__socket30", S.AF_LOCAL, S.SOCK_DGRAM, 0)
    b = client.ok("__socket30", S.AF_LOCAL, S.SOCK_DGRAM, 0)
    sa = _sun(b"/tmp/dg")
    client.ok("bind", a, client.mem.buf(sa), len(sa))
    err, rv, _ = client.call("sendto", b, client.mem.buf(b"dg"), 2, 0, client.mem.buf(sa), len(sa))
    assert (err, rv) == (0, 2)
    assert recv(client, a, 10) == (0, b"dg")
