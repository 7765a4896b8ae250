"""NetBSD tests/lib/libc/sys/t_getrusage.c: getrusage(2) errors, signal count, user time.

getrusage is not a rump system call (syscalls.master does not mark it RUMP, so
abi/syscalls.tsv has no number for it and a rump client's libc answers it from
its host process): none of the cases can be asked of this kernel. The
user-time cases would measure the client's host CPU time in any case, and
getrusage_sig counts signals caught by the client's handlers.
"""
from __future__ import annotations

import pytest

from sysproxy.abi.syscalls import BY_NAME

REASON = "getrusage is not served by a rump kernel (no RUMP entry in syscalls.master)"


def _skip() -> None:
    assert not any("rusage" in name for name in BY_NAME)
    pytest.skip(REASON)


def test_getrusage_err() -> None:
    """getrusage_err: who INT_MAX is EINVAL, a NULL rusage EFAULT."""
    _skip()


def test_getrusage_sig() -> None:
    """getrusage_sig: five raised and caught SIGUSR1 are counted in ru_nsignals."""
    _skip()


def test_getrusage_utime_back() -> None:
    """getrusage_utime_back: user time never goes backwards (NetBSD: expected failure, PR kern/30115)."""
    _skip()


def test_getrusage_utime_zero() -> None:
    """getrusage_utime_zero: user time is never zero after work (NetBSD: expected failure, PR kern/30115)."""
    _skip()
