"""The trace's argument formats: symbolic flags, strings, errno names, the one line."""
from __future__ import annotations

from sysproxy.abi import argfmt
from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F


def test_open_flags_mode_and_path() -> None:
    flags = F.O_RDWR | F.O_CREAT | F.O_EXCL | F.O_CLOEXEC
    assert argfmt.format_args("open", [0x1000, flags, 0o600], {0: b"/tmp/a"}) == \
        '"/tmp/a", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600'
    assert argfmt.format_args("open", [0x1000, 0, 0]) == "0x1000, O_RDONLY, 0"


def test_at_fdcwd_fcntl_signals_and_padding() -> None:
    assert argfmt.format_args("openat", [(-100) & (2**64 - 1), 0, F.O_WRONLY, 0],
                              {1: "x"}) == 'AT_FDCWD, "x", O_WRONLY, 0'
    assert argfmt.format_args("fcntl", [3, F.F_GETFL, 0]) == "3, F_GETFL, NULL"
    assert argfmt.format_args("kill", [5, 15]) == "5, SIGTERM"
    assert argfmt.format_args("lseek", [3, 0, 10, 0]) == "3, 10, 0"  # the PAD slot is hidden


def test_results() -> None:
    assert argfmt.format_result(0, 3) == "3"
    assert argfmt.format_result(E.ENOENT, 0) == "-1 ENOENT"
    assert argfmt.format_result(-1, 0) == "? (interrupted)"


def test_line() -> None:
    rec = {"pid": 4, "lwp": 2, "comm": "cat", "name": "close", "args": [3], "strings": {},
           "error": E.EBADF, "rv": 0, "dur_us": 12.0, "interrupted": False, "inject": "close:error=EBADF"}
    assert argfmt.format_line(rec) == \
        "[pid 4.2 cat] close(3) = -1 EBADF (INJECTED close:error=EBADF) <0.000012>"
