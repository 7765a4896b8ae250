"""The supervised program's memory, through /proc/PID/mem (one descriptor per process).

Why /proc/PID/mem: a supervisor that is the program's parent may read and write
it (ptrace access mode), a single pread/pwrite moves any amount, and it works
for every thread of the process.
"""
from __future__ import annotations

import os
import struct

PAGE = 4096
_IOV = struct.Struct("<QQ")


class Memory:
    def __init__(self, pid: int) -> None:
        self.fd = os.open(f"/proc/{pid}/mem", os.O_RDWR | os.O_CLOEXEC)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def read(self, addr: int, n: int) -> bytes:
        if n == 0:
            return b""
        data = os.pread(self.fd, n, addr)
        if len(data) != n:
            raise OSError(14, "short read of program memory")
        return data

    def write(self, addr: int, data: bytes | bytearray | memoryview) -> None:
        if not len(data):
            return
        if os.pwrite(self.fd, data, addr) != len(data):
            raise OSError(14, "short write of program memory")

    def cstring(self, addr: int, limit: int = 4096) -> bytes:
        """A NUL-terminated string, read a page at a time (the next page may not exist)."""
        if addr == 0:
            raise OSError(14, "NULL path")
        out = b""
        while len(out) < limit:
            n = PAGE - (addr % PAGE)
            try:
                chunk = os.pread(self.fd, n, addr)
            except OSError:
                raise OSError(14, "bad address") from None
            i = chunk.find(b"\0")
            if i >= 0:
                return out + chunk[:i]
            out += chunk
            addr += n
        raise OSError(36, "path too long")

    def iovecs(self, addr: int, count: int) -> list[tuple[int, int]]:
        raw = self.read(addr, count * 16)
        return [_IOV.unpack_from(raw, i * 16) for i in range(count)]

    def u32(self, addr: int) -> int:
        return struct.unpack("<I", self.read(addr, 4))[0]

    def put_i32(self, addr: int, v: int) -> None:
        self.write(addr, struct.pack("<i", v))
