"""kern.proc2 in the kernel: records, the size probe, count and size from the name."""
from __future__ import annotations

import errno

import pytest

from sysproxy.abi import kinfo as K
from sysproxy.client import Kernel, connect
from support.server import ServerProcess

OLD = 648  # NetBSD 7's sizeof(struct kinfo_proc2)


def _records(raw: bytes, esize: int) -> list[dict]:
    return [K.unpack_kinfo_proc2(raw[i:i + esize]) for i in range(0, len(raw), esize)]


def test_layout_matches_netbsd() -> None:
    assert K.OFFSETS["p_pid"] == 116 and K.OFFSETS["p_comm"] == 368
    assert K.OFFSETS["p_svgid"] + 4 == OLD and K.KINFO_PROC2_SIZE == 680


def test_probe_then_read_all(kernel: Kernel, srv: ServerProcess) -> None:
    other = connect(srv.url, "other")
    try:
        size = kernel.sysctl_size("kern.proc2.0.0.680.0")  # count 0: still a full probe
        assert size % 680 == 0 and size >= 3 * 680
        raw = kernel.sysctl(f"kern.proc2.0.0.680.{size // 680}", oldlen=size)
        recs = {r["p_pid"]: r for r in _records(raw, 680)}
        me, them = recs[kernel.getpid()], recs[other.getpid()]
        assert recs[1]["p_ppid"] == 0 and recs[1]["p_flag"] & K.P_SYSTEM
        assert me["p_comm"] == "check" and them["p_comm"] == "other"
        assert me["p_ppid"] == 1 and me["p_stat"] == K.LSONPROC and me["p_nlwps"] == 1
        assert them["p_stat"] == K.LSSLEEP and them["p_realstat"] == K.SACTIVE
        assert me["p_sid"] == me["p__pgid"] == me["p_pid"] and me["p_eflag"] & K.EPROC_SLEADER
        assert me["p_uid"] == me["p_ruid"] == 0 and me["p_ename"] == "netbsd"
    finally:
        other.disconnect()


def test_short_elements_and_pid_selector(kernel: Kernel) -> None:
    pid = kernel.getpid()
    raw = kernel.sysctl(f"kern.proc2.1.{pid}.{OLD}.1", oldlen=OLD)
    assert len(raw) == OLD and _records(raw, OLD)[0]["p_pid"] == pid
    assert kernel.sysctl(f"kern.proc2.1.99999.{OLD}.1", oldlen=OLD) == b""


def test_count_and_buffer_limits_give_enomem(kernel: Kernel) -> None:
    with pytest.raises(OSError) as ei:
        kernel.sysctl(f"kern.proc2.0.0.{OLD}.1", oldlen=10 * OLD)
    assert ei.value.errno == errno.ENOMEM
    with pytest.raises(OSError) as ei:
        kernel.sysctl(f"kern.proc2.0.0.{OLD}.10", oldlen=OLD + 5)
    assert ei.value.errno == errno.ENOMEM


@pytest.mark.parametrize("name", ["kern.proc2", "kern.proc2.0.0", "kern.proc2.0.0.648.1.1",
                                  "kern.proc2.42.0.648.1"])
def test_bad_names(kernel: Kernel, name: str) -> None:
    with pytest.raises(OSError) as ei:
        kernel.sysctl(name, oldlen=4096)
    assert ei.value.errno == errno.EINVAL
