"""Fault injection specs (strace syntax): what parses, what is refused, which calls `when` picks."""
from __future__ import annotations

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import signal as S
from sysproxy.abi.syscalls import BY_NAME
from sysproxy.kernel.inject import SpecError, parse


def test_full_spec() -> None:
    r = parse("write,read:error=ENOSPC:when=2..6+2:pid=7:comm=cat:path=/tmp:prob=0.5:seed=3")
    assert r.names == {BY_NAME["write"], BY_NAME["read"]}
    assert (r.error, r.pid, r.comm, r.path, r.prob, r.seed) == (E.ENOSPC, 7, "cat", b"/tmp", 0.5, 3)
    assert [n for n in range(1, 10) if r.matches_when(n)] == [2, 4, 6]


@pytest.mark.parametrize("when,picked", [
    ("3", [3]), ("3..", [3, 4, 5, 6, 7, 8]), ("3+", [3, 4, 5, 6, 7, 8]), ("1+3", [1, 4, 7]),
    ("2..4", [2, 3, 4]),
])
def test_when(when: str, picked: list[int]) -> None:
    r = parse(f"getpid:retval=1:when={when}")
    assert [n for n in range(1, 9) if r.matches_when(n)] == picked


def test_actions() -> None:
    assert parse("getpid:retval=0x10").retval == 16
    assert parse("kill:signal=USR1").signal == S.SIGUSR1
    assert parse("all:delay_enter=1000").delay_enter == pytest.approx(0.001)
    assert BY_NAME["getpid"] not in parse("!getpid:delay_exit=5").names


@pytest.mark.parametrize("spec", [
    "write", "write:when=3", "nosuchcall:error=EIO", "write:error=EWHAT",
    "write:error=EIO:retval=1", "write:error=EIO:when=0", "write:error=EIO:prob=2",
    "write:error=EIO:bogus=1", "write:signal=SIGNOPE", "write:error=EIO:when=5..2",
])
def test_refused(spec: str) -> None:
    with pytest.raises(SpecError):
        parse(spec)
