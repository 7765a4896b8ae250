"""NetBSD tests/lib/libc/sys/t_issetugid.c: issetugid(2) after a set-id call.

The file is not in the indexed NetBSD/src; its text ($NetBSD: t_issetugid.c,v 1.1$)
was read from another repository's copy.
"""
from __future__ import annotations

from support.atf import NOBODY_GID, NOBODY_UID, atf
from support.nb import fork
from support.server import ServerProcess


def _check(server: ServerProcess, fuid: str | None, fgid: str | None) -> None:
    c = atf(server.url, "t_issetugid")
    child = fork(c, server.url)
    if fuid is not None:
        assert child.err(fuid, NOBODY_UID) == 0
    if fgid is not None:
        assert child.err(fgid, NOBODY_GID) == 0
    assert child.ok("issetugid") == 1


def test_issetugid_egid(module_server: ServerProcess) -> None:
    """issetugid_egid: setegid(nobody's gid) in a child makes issetugid() 1."""
    _check(module_server, None, "setegid")


def test_issetugid_euid(module_server: ServerProcess) -> None:
    """issetugid_euid: seteuid(nobody)."""
    _check(module_server, "seteuid", None)


def test_issetugid_rgid(module_server: ServerProcess) -> None:
    """issetugid_rgid: setgid(nobody's gid)."""
    _check(module_server, None, "setgid")


def test_issetugid_ruid(module_server: ServerProcess) -> None:
    """issetugid_ruid: setuid(nobody)."""
    _check(module_server, "setuid", None)
