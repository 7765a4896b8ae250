"""File system helpers over RawClient: paths in, structs out, errno back."""
from __future__ import annotations

import struct

from support.rawclient import RawClient
from sysproxy.abi import fcntl as F
from sysproxy.abi.stat import Stat, unpack_stat, unpack_dirents

O_RDONLY, O_WRONLY, O_RDWR = F.O_RDONLY, F.O_WRONLY, F.O_RDWR
O_CREAT, O_EXCL, O_TRUNC, O_APPEND = F.O_CREAT, F.O_EXCL, F.O_TRUNC, F.O_APPEND
O_NOFOLLOW, O_DIRECTORY = F.O_NOFOLLOW, F.O_DIRECTORY


class FS:
    """Thin calls: each returns errno (0 ok) or (errno, value)."""

    def __init__(self, c: RawClient) -> None:
        self.c = c
        self.m = c.mem

    def s(self, path: str | bytes) -> int:
        return self.m.str(path)

    def open(self, path: str | bytes, flags: int = 0, mode: int = 0) -> tuple[int, int]:
        err, fd, _ = self.c.call("open", self.s(path), flags, mode)
        return err, fd

    def create(self, path: str | bytes, mode: int = 0o644) -> int:
        err, fd = self.open(path, O_CREAT | O_WRONLY, mode)
        if not err:
            self.c.ok("close", fd)
        return err

    def stat(self, path: str | bytes, call: str = "__stat50") -> tuple[int, Stat | None]:
        out = self.m.out(152)
        err = self.c.err(call, self.s(path), out)
        return err, (None if err else unpack_stat(self.m.get(out, 152)))

    def st(self, path: str | bytes) -> Stat:
        err, st = self.stat(path)
        assert err == 0 and st is not None, f"stat {path}: errno {err}"
        return st

    def lst(self, path: str | bytes) -> Stat:
        err, st = self.stat(path, "__lstat50")
        assert err == 0 and st is not None, f"lstat {path}: errno {err}"
        return st

    def fstat(self, fd: int) -> Stat:
        out = self.m.out(152)
        self.c.ok("__fstat50", fd, out)
        return unpack_stat(self.m.get(out, 152))

    def write(self, fd: int, data: bytes) -> tuple[int, int]:
        err, n, _ = self.c.call("write", fd, self.m.buf(data), len(data))
        return err, n

    def pread(self, fd: int, n: int, off: int) -> bytes:
        out = self.m.out(max(n, 1))
        got = self.c.ok("pread", fd, out, n, 0, off)
        return self.m.get(out, got)

    def read(self, fd: int, n: int) -> bytes:
        out = self.m.out(max(n, 1))
        got = self.c.ok("read", fd, out, n)
        return self.m.get(out, got)

    def getdents(self, fd: int, size: int = 4096) -> list[tuple[int, bytes, int]]:
        out = self.m.out(size)
        n = self.c.ok("__getdents30", fd, out, size)
        return unpack_dirents(self.m.get(out, n))

    def listdir(self, path: str) -> list[bytes]:
        fd = self.c.ok("open", self.s(path), O_DIRECTORY, 0)
        names: list[bytes] = []
        while True:
            ents = self.getdents(fd)
            if not ents:
                break
            names += [n for _, n, _ in ents]
        self.c.ok("close", fd)
        return names

    def readlink(self, path: str) -> tuple[int, bytes]:
        out = self.m.out(2048)
        err, n, _ = self.c.call("readlink", self.s(path), out, 2048)
        return err, (b"" if err else self.m.get(out, n))

    def call(self, name: str, *args: object) -> int:
        """errno of ``name``; str/bytes arguments become client strings."""
        conv = [self.s(a) if isinstance(a, (str, bytes)) else a for a in args]
        return self.c.err(name, *conv)  # type: ignore[arg-type]

    def become(self, uid: int, gid: int, groups: tuple[int, ...] = ()) -> None:
        """Drop to uid/gid (as the conformance suite's -u/-g): groups first, then ids."""
        gs = groups or (gid,)
        self.c.ok("setgroups", len(gs), self.m.buf(struct.pack(f"<{len(gs)}I", *gs)))
        self.c.ok("setgid", gid)
        self.c.ok("setuid", uid)


def fs_for(c: RawClient) -> FS:
    return FS(c)
