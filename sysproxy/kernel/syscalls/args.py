"""Reading argument slots: an int is the low 4 bytes of its 8-byte slot.

The real client zero-extends ints, so -1 arrives as 0x00000000ffffffff:
never trust the upper half of an int slot.
"""
from __future__ import annotations


def i32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - 0x100000000 if v & 0x80000000 else v


def u32(v: int) -> int:
    return v & 0xFFFFFFFF


def i64(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


def size(v: int) -> int:
    """A size_t: values with the top bit set are absurd lengths (negative ssize_t)."""
    return v
