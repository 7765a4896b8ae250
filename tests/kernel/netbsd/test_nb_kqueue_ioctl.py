"""NetBSD tests/kernel/kqueue/t_ioctl.c: KFILTER_BYFILTER and KFILTER_BYNAME.

The 2009 test expects filter 7 to be unknown; NetBSD has since registered
EVFILT_FS there (and EVFILT_USER at 8, which this kernel supports), so the
unknown number checked is 9 (EVFILT_EMPTY, a later filter this kernel lacks).
"""
from __future__ import annotations

import struct

from sysproxy.abi import errno as E
from sysproxy.kernel.kqueue import KFILTER_BYFILTER, KFILTER_BYNAME

from support.rawclient import RawClient

NAMES = ["EVFILT_READ", "EVFILT_WRITE", "EVFILT_AIO", "EVFILT_VNODE", "EVFILT_PROC",
         "EVFILT_SIGNAL", "EVFILT_TIMER"]
KM = struct.Struct("<QQI4x")


def test_kfilter_byfilter(client: RawClient) -> None:
    kq = client.ok("kqueue")
    buf = client.mem.out(32)
    for i, want in enumerate(NAMES):
        km = client.mem.buf(KM.pack(buf, 31, i))
        assert client.err("ioctl", kq, KFILTER_BYFILTER, km) == 0
        assert client.mem.get(buf, len(want) + 1) == want.encode() + b"\0"
    km = client.mem.buf(KM.pack(buf, 31, 9))
    assert client.err("ioctl", kq, KFILTER_BYFILTER, km) == E.ENOENT


def test_kfilter_byname(client: RawClient) -> None:
    kq = client.ok("kqueue")
    for i, name in enumerate(NAMES):
        km = client.mem.buf(KM.pack(client.mem.str(name), 0, 99))
        assert client.err("ioctl", kq, KFILTER_BYNAME, km) == 0
        assert KM.unpack(client.mem.get(km, KM.size))[2] == i
    km = client.mem.buf(KM.pack(client.mem.str("NOTREG_FILTER"), 0, 0))
    assert client.err("ioctl", kq, KFILTER_BYNAME, km) == E.ENOENT
