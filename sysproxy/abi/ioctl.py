"""NetBSD ioctl number encoding and the generic file ioctls (FIO*).

Facts from NetBSD's sys/sys/ioccom.h and sys/sys/filio.h:
cmd = direction (3 bits) | parameter length (13 bits) << 16 | group << 8 | number.
"""
from __future__ import annotations

IOCPARM_MASK = 0x1FFF
IOCPARM_SHIFT = 16
IOCGROUP_SHIFT = 8
IOC_VOID = 0x20000000
IOC_OUT = 0x40000000
IOC_IN = 0x80000000
IOC_INOUT = IOC_IN | IOC_OUT
IOC_DIRMASK = 0xE0000000

SIZEOF_INT = 4


def _grp(g: str | int) -> int:
    return ord(g) if isinstance(g, str) else g


def _IOC(inout: int, group: str | int, num: int, length: int) -> int:
    return inout | ((length & IOCPARM_MASK) << IOCPARM_SHIFT) | (_grp(group) << IOCGROUP_SHIFT) | num


def _IO(g: str | int, n: int) -> int:
    return _IOC(IOC_VOID, g, n, 0)


def _IOR(g: str | int, n: int, size: int) -> int:
    return _IOC(IOC_OUT, g, n, size)


def _IOW(g: str | int, n: int, size: int) -> int:
    return _IOC(IOC_IN, g, n, size)


def _IOWR(g: str | int, n: int, size: int) -> int:
    return _IOC(IOC_INOUT, g, n, size)


def IOCPARM_LEN(cmd: int) -> int:
    return (cmd >> IOCPARM_SHIFT) & IOCPARM_MASK


def IOCGROUP(cmd: int) -> int:
    return (cmd >> IOCGROUP_SHIFT) & 0xFF


def IOCBASECMD(cmd: int) -> int:
    return cmd & ~(IOCPARM_MASK << IOCPARM_SHIFT)


FIOCLEX = _IO("f", 1)
FIONCLEX = _IO("f", 2)
FIONREAD = _IOR("f", 127, SIZEOF_INT)
FIONBIO = _IOW("f", 126, SIZEOF_INT)
FIOASYNC = _IOW("f", 125, SIZEOF_INT)
FIOSETOWN = _IOW("f", 124, SIZEOF_INT)
FIOGETOWN = _IOR("f", 123, SIZEOF_INT)
OFIOGETBMAP = _IOWR("f", 122, 4)
FIOGETBMAP = _IOWR("f", 122, 8)  # daddr_t is 64-bit
FIONWRITE = _IOR("f", 121, SIZEOF_INT)
FIONSPACE = _IOR("f", 120, SIZEOF_INT)
