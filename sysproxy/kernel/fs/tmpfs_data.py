"""tmpfs regular file contents: sparse blocks that give memory back.

A small file (one block, under BLK bytes) keeps its bytes in one bytearray.
A larger file is a dict of BLK-sized anonymous mmaps: missing blocks are holes,
untouched pages inside a block cost nothing (the host zero-fills them lazily),
a write is one memcpy into place (no quadratic copying), and closing the
mappings on truncate or unlink returns the memory to the host at once, which
a malloc heap of large bytearrays would not reliably do.

Memory is charged to a pool (the mount and the kernel's memlimit) and to the
client process tree of the calling LWP (kernel/fairness.py) before anything
changes, so a write either fits entirely or fails with ENOSPC. What a tree was
charged goes back to it when the memory is freed, last charged first.
"""
from __future__ import annotations

import mmap
from typing import Protocol

from ...abi import errno as E
from .. import fairness as _fair
from ..errors import KernelError

BLK = 256 * 1024
PAGE = 4096
MAXFILESIZE = (1 << 63) - 1


def pages(n: int) -> int:
    return (n + PAGE - 1) & ~(PAGE - 1)


class Pool(Protocol):
    def charge(self, nbytes: int) -> None:
        """Take ``nbytes`` more (ENOSPC if over a limit); negative gives back."""


class FileData:
    """The bytes of one regular file."""

    __slots__ = ("size", "small", "blocks", "pool", "charged", "shares")

    def __init__(self, pool: Pool) -> None:
        self.size = 0
        self.small: bytearray | None = bytearray()  # the whole file while it is small
        self.blocks: dict[int, mmap.mmap] = {}
        self.pool = pool
        self.charged = 0
        self.shares: dict[_fair.Tree, int] | None = None  # what each tree was charged

    def _charge(self, nbytes: int) -> None:
        """Charge the pool and the current tree (ENOSPC from either: nothing taken),
        or, negative, give back to both."""
        if nbytes <= 0:
            if nbytes:
                self.pool.charge(nbytes)
                if self.shares:
                    self._credit(-nbytes)
            return
        tree = _fair.current
        if tree is not None:
            tree.take_mem(nbytes)
        try:
            self.pool.charge(nbytes)
        except KernelError:
            if tree is not None:
                tree.mem -= nbytes
            raise
        if tree is not None:
            shares = self.shares
            if shares is None:
                shares = self.shares = {}
            shares[tree] = shares.get(tree, 0) + nbytes

    def _credit(self, nbytes: int) -> None:
        shares = self.shares
        assert shares is not None
        for tree in reversed(list(shares)):
            take = min(nbytes, shares[tree])
            tree.mem -= take
            nbytes -= take
            if take == shares[tree]:
                del shares[tree]
            else:
                shares[tree] -= take
            if not nbytes:
                break

    # -- reading -------------------------------------------------------------
    def read(self, off: int, n: int) -> bytes:
        size = self.size
        if off >= size or n <= 0:
            return b""
        end = min(size, off + n)
        small = self.small
        if small is not None:
            data = bytes(small[off:end])
            if len(data) < end - off:  # a tail never written: zeros
                data += bytes(end - off - len(data))
            return data
        blocks = self.blocks
        first, last = off // BLK, (end - 1) // BLK
        if first == last:
            b = blocks.get(first)
            base = first * BLK
            return b[off - base:end - base] if b is not None else bytes(end - off)
        parts = []
        for i in range(first, last + 1):
            base = i * BLK
            lo, hi = max(off, base) - base, min(end, base + BLK) - base
            b = blocks.get(i)
            parts.append(b[lo:hi] if b is not None else bytes(hi - lo))
        return b"".join(parts)

    # -- writing -------------------------------------------------------------
    def write(self, off: int, data: bytes) -> int:
        n = len(data)
        if n == 0:
            return 0
        end = off + n
        if end > MAXFILESIZE or off < 0:
            raise KernelError(E.EFBIG)
        small = self.small
        if small is not None and end < BLK:
            grow = pages(end) - pages(len(small)) if end > len(small) else 0
            if grow > 0:
                self._charge(grow)
                self.charged += grow
            if end > len(small):
                if off > len(small):
                    small.extend(bytes(off - len(small)))
                small[off:] = data  # the new tail: the bytearray ends at ``end``
            else:
                small[off:end] = data
            if end > self.size:
                self.size = end
            return n
        self._ensure_blocks(off, end)
        blocks = self.blocks
        first, last = off // BLK, (end - 1) // BLK
        if first == last:
            base = first * BLK
            blocks[first][off - base:end - base] = data
        else:
            view = memoryview(data)
            pos = 0
            for i in range(first, last + 1):
                base = i * BLK
                lo, hi = max(off, base) - base, min(end, base + BLK) - base
                blocks[i][lo:hi] = view[pos:pos + hi - lo]
                pos += hi - lo
        if end > self.size:
            self.size = end
        return n

    def _ensure_blocks(self, off: int, end: int) -> None:
        """Charge and map every block [off, end) touches (all or nothing)."""
        first, last = off // BLK, (end - 1) // BLK
        missing = [i for i in range(first, last + 1) if i not in self.blocks]
        small = self.small
        if small is not None and len(small) and 0 not in missing:
            missing.append(0)
        need = (len(self.blocks) + len(missing)) * BLK - self.charged
        if need > 0:
            self._charge(need)
        self.charged += need
        for i in missing:
            self.blocks[i] = mmap.mmap(-1, BLK)
        if small is not None:
            if len(small):
                self.blocks[0][:len(small)] = small
            self.small = None

    # -- resizing ------------------------------------------------------------
    def truncate(self, size: int) -> None:
        """Shrink (freeing what lies beyond) or extend (a hole) to ``size``."""
        if size < 0:
            raise KernelError(E.EINVAL)
        if size > MAXFILESIZE:
            raise KernelError(E.EFBIG)
        if size < self.size:
            small = self.small
            if small is not None:
                if len(small) > size:
                    del small[size:]
                    freed = self.charged - pages(size)
                    if freed > 0:
                        self.charged -= freed
                        self._charge(-freed)
            else:
                keep = (size + BLK - 1) // BLK
                for i in [i for i in self.blocks if i >= keep]:
                    self.blocks.pop(i).close()
                    self.charged -= BLK
                    self._charge(-BLK)
                if size % BLK:
                    b = self.blocks.get(size // BLK)
                    if b is not None:  # zero the cut part so a later extension reads zeros
                        lo = size % BLK
                        b[lo:] = bytes(BLK - lo)
        self.size = size

    def free(self) -> None:
        """Give everything back (the file is gone)."""
        for b in self.blocks.values():
            b.close()
        self.blocks.clear()
        self.small = bytearray()
        if self.charged:
            self._charge(-self.charged)
            self.charged = 0
        self.size = 0
