"""What a forked process's descriptor table holds (fd_copy in NetBSD 7.99.34)."""
from __future__ import annotations

import struct

from support.nb import fork
from support.rawclient import RawClient


def test_kqueues_are_not_inherited(kernel_url: str) -> None:
    parent = RawClient(kernel_url)
    try:
        kq = parent.ok("kqueue")
        out = parent.mem.out(8)
        assert parent.err("pipe2", out, 0) == 0
        r, w = struct.unpack("<ii", parent.mem.get(out, 8))
        assert (kq, r, w) == (3, 4, 5)
        child = fork(parent, kernel_url)
        try:
            assert child.err("fcntl", kq, 1, 0) == 9  # EBADF: the kqueue stayed behind
            assert child.ok("fcntl", r, 1, 0) == 0 and child.ok("fcntl", w, 1, 0) == 0
            assert child.ok("dup", 0) == 3  # its slot is free
        finally:
            child.close()
    finally:
        parent.close()
