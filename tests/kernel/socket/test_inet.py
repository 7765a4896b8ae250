"""AF_INET inside the kernel: binding rules, ports freed on close/exit, loopback TCP and UDP."""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import (bind_in, connect_in, getopt, recv, send, setint, sockname, socket)


def test_socket_close_and_bad_domains(client: RawClient) -> None:
    fd = socket(client, S.AF_LOCAL, S.SOCK_STREAM)
    assert fd == 3
    assert client.ok("close", fd) == 0
    assert client.err("__socket30", 99, S.SOCK_STREAM, 0) == E.EAFNOSUPPORT
    assert client.err("__socket30", S.AF_INET, S.SOCK_STREAM, S.IPPROTO_UDP) == E.EPROTONOSUPPORT
    assert client.err("bind", 0, client.mem.buf(bytes(16)), 16) == E.ENOTSOCK


def test_bind_eaddrinuse_until_close(client: RawClient) -> None:
    a = socket(client, S.AF_INET, S.SOCK_STREAM)
    assert setint(client, a, S.SOL_SOCKET, S.SO_REUSEADDR, 1) == 0
    assert getopt(client, a, S.SOL_SOCKET, S.SO_REUSEADDR) == (0, struct.pack("<i", 1))
    assert bind_in(client, a, "127.0.0.1", 1234) == 0
    assert bind_in(client, a, "127.0.0.1", 1235) == E.EINVAL  # already bound
    b = socket(client, S.AF_INET, S.SOCK_STREAM)
    setint(client, b, S.SOL_SOCKET, S.SO_REUSEADDR, 1)
    assert bind_in(client, b, "127.0.0.1", 1234) == E.EADDRINUSE
    assert bind_in(client, b, "10.1.2.3", 1234) == E.EADDRNOTAVAIL
    client.ok("close", a)
    assert bind_in(client, b, "127.0.0.1", 1234) == 0


def test_wildcard_rules(client: RawClient) -> None:
    a = socket(client, S.AF_INET, S.SOCK_DGRAM)
    assert bind_in(client, a, "0.0.0.0", 5000) == 0
    b = socket(client, S.AF_INET, S.SOCK_DGRAM)
    assert bind_in(client, b, "127.0.0.1", 5000) == E.EADDRINUSE  # wildcard counts without options
    setint(client, b, S.SOL_SOCKET, S.SO_REUSEADDR, 1)
    assert bind_in(client, b, "127.0.0.1", 5000) == 0
    c = socket(client, S.AF_INET, S.SOCK_DGRAM)
    setint(client, c, S.SOL_SOCKET, S.SO_REUSEPORT, 1)
    assert bind_in(client, c, "127.0.0.1", 5000) == E.EADDRINUSE  # b lacks SO_REUSEPORT


def test_port_freed_when_process_exits(server: ServerProcess) -> None:
    for _ in range(3):
        c = RawClient(server.url)
        s = socket(c, S.AF_INET, S.SOCK_STREAM)
        assert bind_in(c, s, "0.0.0.0", 7777) == 0
        c.close()
        # the next client's bind succeeds once the kernel saw the disconnect
        probe = RawClient(server.url)
        ps = socket(probe, S.AF_INET, S.SOCK_STREAM)
        for _ in range(100):
            err = bind_in(probe, ps, "0.0.0.0", 7777)
            if err != E.EADDRINUSE:
                break
        assert err == 0
        probe.close()


def test_ephemeral_port_and_getsockname(client: RawClient) -> None:
    s = socket(client, S.AF_INET, S.SOCK_DGRAM)
    assert bind_in(client, s, "127.0.0.1", 0) == 0
    err, sa = sockname(client, s)
    assert err == 0 and len(sa) == 16 and sa[0] == 16 and sa[1] == S.AF_INET
    assert S.unpack_sockaddr(sa)[1] == ("127.0.0.1", 65534)


def test_tcp_between_two_clients(server: ServerProcess) -> None:
    srv, cli = RawClient(server.url), RawClient(server.url)
    ls = socket(srv, S.AF_INET, S.SOCK_STREAM)
    assert bind_in(srv, ls, "127.0.0.1", 8080) == 0
    assert srv.ok("listen", ls, 5) == 0
    acc = srv.start("accept", ls, 0, 0)
    cs = socket(cli, S.AF_INET, S.SOCK_STREAM)
    assert connect_in(cli, cs, "127.0.0.1", 8081) == E.ECONNREFUSED
    # the RST dropped that socket's pcb (tcp_drop): NetBSD answers EINVAL from then on
    assert connect_in(cli, cs, "127.0.0.1", 8080) == E.EINVAL
    cs = socket(cli, S.AF_INET, S.SOCK_STREAM)
    assert connect_in(cli, cs, "127.0.0.1", 8080) == 0
    assert connect_in(cli, cs, "127.0.0.1", 8080) == E.EISCONN
    err, afd, _ = srv.result(acc)
    assert err == 0
    assert send(cli, cs, b"hello") == (0, 5)
    assert recv(srv, afd, 100) == (0, b"hello")
    err, peer = sockname(srv, afd, "getpeername")
    assert S.unpack_sockaddr(peer)[1] == ("127.0.0.1", 65533)  # 65534 went with the dropped pcb
    req = cli.start("recvfrom", cs, cli.mem.out(10), 10, 0, 0, 0)
    assert send(srv, afd, b"world") == (0, 5)
    assert cli.result(req) == (0, 5, 0)
    srv.ok("close", afd)
    assert recv(cli, cs, 10) == (0, b"")  # EOF
    assert send(cli, cs, b"x") == (E.EPIPE, 0)
    assert 13 in cli.raised


def test_nonblocking_connect_einprogress(client: RawClient) -> None:
    ls = socket(client, S.AF_INET, S.SOCK_STREAM)
    bind_in(client, ls, "127.0.0.1", 9000)
    client.ok("listen", ls, 1)
    cs = socket(client, S.AF_INET, S.SOCK_STREAM | S.SOCK_NONBLOCK)
    assert connect_in(client, cs, "127.0.0.1", 9000) == E.EINPROGRESS
    assert getopt(client, cs, S.SOL_SOCKET, S.SO_ERROR) == (0, struct.pack("<i", 0))
    afd = client.ok("accept", ls, 0, 0)
    assert send(client, cs, b"x") == (0, 1)
    assert recv(client, afd, 1) == (0, b"x")


def test_udp_sendto_recvfrom(client: RawClient) -> None:
    a = socket(client, S.AF_INET, S.SOCK_DGRAM)
    b = socket(client, S.AF_INET, S.SOCK_DGRAM)
    bind_in(client, a, "127.0.0.1", 6000)
    sa = S.pack_sockaddr_in("127.0.0.1", 6000)
    err, rv, _ = client.call("sendto", b, client.mem.buf(b"dgram"), 5, 0, client.mem.buf(sa), 16)
    assert (err, rv) == (0, 5)
    buf, frm, ln = client.mem.out(2), client.mem.out(16), client.mem.buf(struct.pack("<I", 16))
    assert client.call("recvfrom", a, buf, 2, 0, frm, ln) == (0, 2, 0)  # truncated datagram
    assert client.mem.get(buf, 2) == b"dg"
    assert S.unpack_sockaddr(client.mem.get(frm, 16))[1] == ("127.0.0.1", 65534)
    assert recv(client, a, 10, S.MSG_DONTWAIT)[0] == E.EAGAIN


def test_nonblocking_connect_refused_later(client: RawClient) -> None:
    """A non-blocking connect to a port nobody listens on is EINPROGRESS (the SYN is only
    sent); the refusal arrives as SO_ERROR ECONNREFUSED (do_sys_connect, tcp_input's RST)."""
    from sysproxy.abi import fcntl as F
    from support.nb import pollfds, wait_until
    from sysproxy.abi import poll as P
    cs = socket(client, S.AF_INET, S.SOCK_STREAM)
    client.ok("fcntl", cs, F.F_SETFL, F.O_NONBLOCK)
    assert connect_in(client, cs, "127.0.0.1", 42) == E.EINPROGRESS
    assert wait_until(lambda: pollfds(client, [(cs, P.POLLOUT)], 0)[1] == 1)
    assert getopt(client, cs, S.SOL_SOCKET, S.SO_ERROR) == (0, struct.pack("<i", E.ECONNREFUSED))
    assert getopt(client, cs, S.SOL_SOCKET, S.SO_ERROR) == (0, struct.pack("<i", 0))
