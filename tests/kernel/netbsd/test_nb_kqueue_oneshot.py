"""NetBSD tests/kernel/kqueue/t_oneshot.c: udata comes back intact on an EV_ONESHOT timer."""
from __future__ import annotations

from sysproxy.abi import event as EV

from support.nb import kevent
from support.rawclient import RawClient

MY_UDATA = 0xBEEFCAFE


def test_oneshot_udata(client: RawClient) -> None:
    kq = client.ok("kqueue")
    assert kevent(client, kq, [(1, EV.EVFILT_TIMER, EV.EV_ADD | EV.EV_ONESHOT, 0, 1, MY_UDATA)], 0) == (0, [])
    err, evs = kevent(client, kq, [], 1)
    assert err == 0 and len(evs) == 1
    assert evs[0][0] == 1 and evs[0][4] == 1 and evs[0][5] == MY_UDATA
