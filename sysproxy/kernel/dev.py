"""Character devices (NetBSD's cdevsw): what a device node opens to.

Numbers are NetBSD/amd64's: mem is major 2 (null = minor 2, zero = minor 12),
rnd is major 46 (random = 0, urandom = 1). A file system makes device nodes;
opening one looks the driver up here.
"""
from __future__ import annotations

import os

from ..abi import errno as E
from .errors import KernelError

MEM_MAJOR, RND_MAJOR = 2, 46
MINOR_NULL, MINOR_ZERO = 2, 12


def makedev(major: int, minor: int) -> int:
    """NetBSD's dev_t encoding (sys/types.h makedev)."""
    return ((major << 8) & 0x000FFF00) | ((minor << 12) & 0xFFF00000) | (minor & 0x000000FF)


def major(dev: int) -> int:
    return (dev & 0x000FFF00) >> 8


def minor(dev: int) -> int:
    return ((dev & 0xFFF00000) >> 12) | (dev & 0x000000FF)


class CharDevice:
    """A driver: reads and writes with no offset semantics of its own."""

    def read(self, minor: int, n: int, offset: int) -> bytes:
        raise KernelError(E.ENODEV)

    def write(self, minor: int, data: bytes, offset: int) -> int:
        raise KernelError(E.ENODEV)


class MemDevice(CharDevice):
    def read(self, minor: int, n: int, offset: int) -> bytes:
        if minor == MINOR_NULL:
            return b""
        if minor == MINOR_ZERO:
            return bytes(n)
        raise KernelError(E.ENXIO)

    def write(self, minor: int, data: bytes, offset: int) -> int:
        if minor in (MINOR_NULL, MINOR_ZERO):
            return len(data)
        raise KernelError(E.ENXIO)


class RandomDevice(CharDevice):
    def read(self, minor: int, n: int, offset: int) -> bytes:
        return os.urandom(min(n, 1 << 20))

    def write(self, minor: int, data: bytes, offset: int) -> int:
        return len(data)  # entropy is accepted and ignored


CDEVSW: dict[int, CharDevice] = {MEM_MAJOR: MemDevice(), RND_MAJOR: RandomDevice()}

# The nodes a fresh root file system gets in /dev: name -> (major, minor, mode).
STANDARD_NODES = {
    "null": (MEM_MAJOR, MINOR_NULL, 0o666),
    "zero": (MEM_MAJOR, MINOR_ZERO, 0o666),
    "random": (RND_MAJOR, 0, 0o444),
    "urandom": (RND_MAJOR, 1, 0o644),
}


def cdev(dev: int) -> CharDevice:
    drv = CDEVSW.get(major(dev))
    if drv is None:
        raise KernelError(E.ENXIO)
    return drv
