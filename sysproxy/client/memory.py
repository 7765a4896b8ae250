"""The address space the server sees: fake addresses over call-owned buffers.

The server names client memory by address and asks for copies (COPYIN,
COPYINSTR, COPYOUT). A C client just dereferences whatever it is given; we
must not, or a buggy or hostile server could read or corrupt the Python
process. So the only addresses we ever hand out are *fake*: each buffer a call
passes gets its own slot in a high, non-canonical range (``BASE + slot <<
SHIFT``), the slot maps to a Python bytes/bytearray, and a copy request is
served only if it falls entirely inside one registered buffer with the right
permission. Anything else is refused (the connection answers ERROR).

Slots come from a counter that only grows, so an address from a finished call
never aliases a later call's buffer. ANONMMAP regions are registered for the
life of the connection and can be read back with :meth:`AddressSpace.read`.

The argument wrappers (:class:`In`, :class:`Out`, :class:`InOut`) say what the
server may do with a buffer; input buffers are kept in a list per call, which
is where inline input data can be attached to a SYSCALL later.
"""
from __future__ import annotations

import itertools
import threading
from typing import Any

__all__ = ["In", "Out", "InOut", "AddressSpace", "BASE", "SHIFT"]

BASE = 0x4000_0000_0000_0000   # non-canonical on amd64: never a real address
SHIFT = 36                     # 64 GiB of address space per buffer
_OFFMASK = (1 << SHIFT) - 1
_MAXSLOT = (1 << (63 - SHIFT)) - 1   # keep addresses below 2**63


class In:
    """A buffer the server may read (COPYIN/COPYINSTR), e.g. a path or write data."""

    __slots__ = ("data",)

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self.data = data


class Out:
    """A buffer the server may write (COPYOUT); ``buf`` holds the result."""

    __slots__ = ("buf",)
    readable = False

    def __init__(self, size_or_buf: int | bytearray | memoryview) -> None:
        self.buf = bytearray(size_or_buf) if isinstance(size_or_buf, int) else size_or_buf

    @property
    def value(self) -> bytes:
        return bytes(self.buf)


class InOut(Out):
    """A buffer the server may both read and write, e.g. a ``socklen_t *``."""

    __slots__ = ()
    readable = True

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        super().__init__(bytearray(data) if isinstance(data, bytes) else data)


# A registered buffer: (memory, size, readable, writable). A plain tuple, made
# on every call's path: cheaper than an object with an __init__.
_Region = tuple[Any, int, bool, bool]


class AddressSpace:
    """Registered buffers of one connection, looked up by fake address."""

    def __init__(self, max_anon: int = 256 * 1024 * 1024) -> None:
        self._regions: dict[int, _Region] = {}
        self._slots = itertools.count(1)
        self.max_anon = max_anon
        self.anon_bytes = 0
        self._anon_lock = threading.Lock()

    # -- registration (the calling thread) --

    def register(self, mem: bytes | bytearray | memoryview, readable: bool, writable: bool
                 ) -> tuple[int, int]:
        """Register ``mem``; returns (slot, address). ``unregister(slot)`` after the call.

        A memoryview of another format or shape is seen as its bytes.
        """
        if mem.__class__ is memoryview and (mem.format != "B" or mem.ndim != 1):
            if not mem.c_contiguous:
                raise TypeError("cannot pass a non-contiguous buffer")
            mem = mem.cast("B")
        slot = next(self._slots)
        if slot > _MAXSLOT:  # after ~134 million buffers: start over
            self._slots = itertools.count(2)
            slot = 1
        self._regions[slot] = (mem, len(mem), readable, writable)
        return slot, BASE + (slot << SHIFT)

    def unregister(self, slot: int) -> None:
        self._regions.pop(slot, None)

    def registered(self) -> int:
        """How many buffers are registered now (anonymous maps included)."""
        return len(self._regions)

    def _find(self, addr: int, length: int) -> tuple[_Region, int] | None:
        rel = addr - BASE
        if rel < 0 or length < 0:
            return None
        region = self._regions.get(rel >> SHIFT)
        if region is None:
            return None
        off = rel & _OFFMASK
        if off + length > region[1]:
            return None
        return region, off

    # -- serving the server's requests (whichever thread reads the socket) --

    def copyin(self, addr: int, length: int) -> bytes | None:
        """Exactly ``length`` bytes at ``addr``, or None if not inside one readable buffer."""
        if length == 0:
            return b""
        hit = self._find(addr, length)
        if hit is None or not hit[0][2]:
            return None
        region, off = hit
        return bytes(region[0][off:off + length])

    def copyinstr(self, addr: int, length: int) -> bytes | None:
        """min(length, strlen+1) bytes at ``addr``: the string and its NUL.

        If no NUL comes within ``length`` the server gets ``length`` bytes (and
        fails the call with ENAMETOOLONG); if the buffer ends first, None.
        """
        hit = self._find(addr, 0)
        if hit is None or not hit[0][2] or length <= 0:
            return None if length > 0 else b""
        region, off = hit
        avail = min(length, region[1] - off)
        chunk = bytes(region[0][off:off + avail])
        nul = chunk.find(b"\0")
        if nul >= 0:
            return chunk[:nul + 1]
        return chunk if avail == length else None

    def writable(self, addr: int, length: int) -> bool:
        """True if [addr, addr+length) lies in one writable buffer."""
        if length == 0:
            return True
        hit = self._find(addr, length)
        return hit is not None and hit[0][3]

    def copyout(self, addr: int, data: bytes | memoryview) -> bool:
        """Write ``data`` at ``addr`` if it fits in one writable buffer."""
        length = len(data)
        if length == 0:
            return True
        rel = addr - BASE  # _find, inlined: every COPYOUT comes here
        if rel < 0:
            return False
        region = self._regions.get(rel >> SHIFT)
        if region is None or not region[3]:
            return False
        off = rel & _OFFMASK
        if off + length > region[1]:
            return False
        region[0][off:off + length] = data
        return True

    def anonmmap(self, size: int) -> int:
        """Map ``size`` zeroed bytes for the server (0 = failure, within ``max_anon``)."""
        if size <= 0 or size > _OFFMASK:
            return 0
        with self._anon_lock:
            if self.anon_bytes + size > self.max_anon:
                return 0
            self.anon_bytes += size
        try:
            mem = bytearray(size)
        except MemoryError:
            with self._anon_lock:
                self.anon_bytes -= size
            return 0
        return self.register(mem, True, True)[1]

    # -- the program's own access (e.g. to anonymous maps) --

    def read(self, addr: int, length: int) -> bytes:
        """Read registered memory; ValueError if the range is not inside one buffer."""
        hit = self._find(addr, length)
        if hit is None:
            raise ValueError(f"address range {addr:#x}+{length} is not mapped")
        region, off = hit
        return bytes(region[0][off:off + length])

    def write(self, addr: int, data: bytes) -> None:
        """Write registered memory (for anonymous maps the server will read)."""
        hit = self._find(addr, len(data))
        if hit is None:
            raise ValueError(f"address range {addr:#x}+{len(data)} is not mapped")
        region, off = hit
        region[0][off:off + len(data)] = data
