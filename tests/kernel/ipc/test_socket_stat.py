"""fstat of sockets (soo_stat and AF_LOCAL's unp_stat), as NetBSD 7.99.34 answers."""
from __future__ import annotations

import pytest

from sysproxy.abi import socket as S
from sysproxy.abi.stat import S_IFSOCK, unpack_stat

from support.rawclient import RawClient
from support.sock import send, socket, socketpair


def _stat(c: RawClient, fd: int):  # type: ignore[no-untyped-def]
    st = c.mem.out(256)
    assert c.err("__fstat50", fd, st) == 0
    return unpack_stat(c.mem.get(st, 256))


@pytest.mark.parametrize("domain,type", [(S.AF_INET, S.SOCK_STREAM), (S.AF_INET, S.SOCK_DGRAM),
                                         (S.AF_INET6, S.SOCK_DGRAM)])
def test_inet_socket_stat_is_bare(c: RawClient, domain: int, type: int) -> None:
    assert c.err("setuid", 1000) == 0
    s = _stat(c, socket(c, domain, type))
    assert (s.mode, s.uid, s.size, s.blksize, s.dev, s.atime_ns) == (S_IFSOCK, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("type,blksize", [(S.SOCK_STREAM, 4096), (S.SOCK_DGRAM, 2560),
                                          (S.SOCK_SEQPACKET, 4096)])
def test_local_socket_stat(c: RawClient, type: int, blksize: int) -> None:
    assert c.err("setuid", 1000) == 0
    a, b = socketpair(c, type)
    assert send(c, a, b"abc") == (0, 3)
    for fd in (a, b):
        s = _stat(c, fd)
        assert (s.mode, s.uid, s.gid, s.size, s.blksize) == (S_IFSOCK, 0, 0, 0, blksize)
        assert s.dev == 0xFFFFFFFFFFFFFFFF and s.atime_ns == s.mtime_ns == s.ctime_ns > 0
        assert s.birthtime_ns == 0
