"""NetBSD tests/lib/libc/sys/t_kevent.c.

kevent_zerotimer (PR lib/45618): a 1 ms timer fires. kqueue_desc_passing
(PR 46463): a kqueue with a timer on it, passed over SCM_RIGHTS to a forked
process and closed by the sender, leaves both sides working.
kqueue_unsupported_fd: EVFILT_VNODE on a descriptor that is no vnode is
refused (NetBSD's case uses /dev/drvctl, EOPNOTSUPP; we take a pipe and a
socket, which NetBSD's pipe_kqfilter and soo_kqfilter refuse with EINVAL).
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import event as EV
from sysproxy.abi import socket as S

from support.nb import fork, kevent, pipe, recvmsg_rights, sendmsg_rights, socket
from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import socketpair


def test_kevent_zerotimer(client: RawClient) -> None:
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(1, EV.EVFILT_TIMER, EV.EV_ADD | EV.EV_ENABLE, 0, 1, 0)], 0) == (0, [])
    err, evs = kevent(client, kq, [], 1)
    assert err == 0 and len(evs) == 1 and evs[0][:2] == (1, EV.EVFILT_TIMER)


def test_kqueue_desc_passing(server: ServerProcess) -> None:
    parent = RawClient(server.url, "t_kevent")
    kq = parent.ok("kqueue")
    s0, s1 = socketpair(parent)
    child = fork(parent, server.url)
    child.ok("close", s0)
    parent.ok("close", s1)
    assert kevent(parent, kq, [(1, EV.EVFILT_TIMER, EV.EV_ADD | EV.EV_ENABLE, 0, 1, 0)], 0)[0] == 0
    assert sendmsg_rights(parent, s0, b"\0\0\0\0", [kq]) == (0, 4)
    assert parent.ok("close", kq) == 0
    err, data, fds, flags = recvmsg_rights(child, s1, 4, 1)
    assert (err, data, flags) == (0, b"\0\0\0\0", 0) and len(fds) == 1
    # the received queue still works in the child (the timer was registered by the sender)
    err, evs = kevent(child, fds[0], [], 1, 5)
    assert err == 0
    assert child.ok("close", fds[0]) == 0
    child.close()
    assert parent.ok("getpid") > 1


def test_kqueue_unsupported_fd(client: RawClient) -> None:
    kq = client.ok("kqueue")
    r, _w = pipe(client)
    _, so = socket(client, S.AF_INET, S.SOCK_STREAM)
    notes = EV.NOTE_DELETE | EV.NOTE_WRITE | EV.NOTE_EXTEND | EV.NOTE_ATTRIB | EV.NOTE_LINK \
        | EV.NOTE_RENAME | EV.NOTE_REVOKE
    for fd in (r, so):
        ch = [(fd, EV.EVFILT_VNODE, EV.EV_ADD | EV.EV_ENABLE | EV.EV_CLEAR, notes, 0, 0)]
        assert kevent(client, kq, ch, 0)[0] == E.EINVAL
