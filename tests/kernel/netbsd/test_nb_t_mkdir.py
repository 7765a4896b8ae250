"""NetBSD tests/lib/libc/sys/t_mkdir.c: trailing slashes name a directory."""
from __future__ import annotations

from support.atf import atf
from support.server import ServerProcess


def test_mkdir_trail(module_server: ServerProcess) -> None:
    """mkdir_trail: mkdir, rename to and from "foo/", rmdir, with "dir1/" and "dir2//"."""
    c = atf(module_server.url, "t_mkdir")
    s = c.mem.str
    for t in ("dir1/", "dir2//"):
        c.err("rmdir", s(t))
        assert c.err("mkdir", s(t), 0o777) == 0
        assert c.err("rename", s(t), s("foo")) == 0
        assert c.err("rename", s("foo/"), s(t)) == 0
        assert c.err("rmdir", s(t)) == 0
