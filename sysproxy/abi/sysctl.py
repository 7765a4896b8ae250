"""NetBSD sysctl(3) MIB numbers, node types, flags and meta-identifiers.

Facts from NetBSD's sys/sys/sysctl.h (7.99 era numbering: KERN_BOOTTIME is 21,
KERN_SYSVIPC 82, KERN_MAXID 83; later releases renamed some as noted).
"""
from __future__ import annotations

import struct
from typing import NamedTuple

CTL_MAXNAME = 12
SYSCTL_NAMELEN = 32
CREATE_BASE = 1024
SYSCTL_DEFSIZE = 8

# node types
CTLTYPE_NODE = 1
CTLTYPE_INT = 2
CTLTYPE_STRING = 3
CTLTYPE_QUAD = 4
CTLTYPE_STRUCT = 5
CTLTYPE_BOOL = 6
CTLTYPE_LONG = CTLTYPE_QUAD  # LP64

# node flags
CTLFLAG_READONLY = 0x00000000
CTLFLAG_READWRITE = 0x00000070
CTLFLAG_ANYWRITE = 0x00000080
CTLFLAG_PRIVATE = 0x00000100
CTLFLAG_PERMANENT = 0x00000200
CTLFLAG_OWNDATA = 0x00000400
CTLFLAG_IMMEDIATE = 0x00000800
CTLFLAG_HEX = 0x00001000
CTLFLAG_ROOT = 0x00002000
CTLFLAG_ANYNUMBER = 0x00004000
CTLFLAG_HIDDEN = 0x00008000
CTLFLAG_ALIAS = 0x00010000
CTLFLAG_MMAP = 0x00020000
CTLFLAG_OWNDESC = 0x00040000
CTLFLAG_UNSIGNED = 0x00080000

SYSCTL_VERS_MASK = 0xFF000000
SYSCTL_VERS_0 = 0x00000000
SYSCTL_VERS_1 = 0x01000000
SYSCTL_VERSION = SYSCTL_VERS_1
SYSCTL_TYPEMASK = 0x0000000F
SYSCTL_FLAGMASK = 0x00FFFFF0
MAXDESCLEN = 1024  # kern_sysctl.c: the longest description sysctl_describe copies

# meta-identifiers (negative MIB components)
CTL_EOL = -1
CTL_QUERY = -2
CTL_CREATE = -3
CTL_CREATESYM = -4
CTL_DESTROY = -5
CTL_MMAP = -6
CTL_DESCRIBE = -7

# top level
CTL_UNSPEC = 0
CTL_KERN = 1
CTL_VM = 2
CTL_VFS = 3
CTL_NET = 4
CTL_DEBUG = 5
CTL_HW = 6
CTL_MACHDEP = 7
CTL_USER = 8
CTL_DDB = 9
CTL_PROC = 10
CTL_VENDOR = 11
CTL_EMUL = 12
CTL_SECURITY = 13
CTL_MAXID = 14

# CTL_KERN
KERN_OSTYPE = 1
KERN_OSRELEASE = 2
KERN_OSREV = 3
KERN_VERSION = 4
KERN_MAXVNODES = 5
KERN_MAXPROC = 6
KERN_MAXFILES = 7
KERN_ARGMAX = 8
KERN_SECURELVL = 9
KERN_HOSTNAME = 10
KERN_HOSTID = 11
KERN_CLOCKRATE = 12
KERN_VNODE = 13
KERN_PROC = 14
KERN_FILE = 15
KERN_PROF = 16
KERN_POSIX1 = 17
KERN_NGROUPS = 18
KERN_JOB_CONTROL = 19
KERN_SAVED_IDS = 20
KERN_BOOTTIME = 21  # KERN_OBOOTTIME in later releases
KERN_DOMAINNAME = 22
KERN_MAXPARTITIONS = 23
KERN_RAWPARTITION = 24
KERN_NTPTIME = 25
KERN_TIMEX = 26
KERN_AUTONICETIME = 27
KERN_AUTONICEVAL = 28
KERN_RTC_OFFSET = 29
KERN_ROOT_DEVICE = 30
KERN_MSGBUFSIZE = 31
KERN_FSYNC = 32
KERN_SYSVMSG = 33
KERN_SYSVSEM = 34
KERN_SYSVSHM = 35
KERN_OLDSHORTCORENAME = 36
KERN_SYNCHRONIZED_IO = 37
KERN_IOV_MAX = 38
KERN_MBUF = 39
KERN_MAPPED_FILES = 40
KERN_MEMLOCK = 41
KERN_MEMLOCK_RANGE = 42
KERN_MEMORY_PROTECTION = 43
KERN_LOGIN_NAME_MAX = 44
KERN_DEFCORENAME = 45
KERN_LOGSIGEXIT = 46
KERN_PROC2 = 47
KERN_PROC_ARGS = 48
KERN_FSCALE = 49
KERN_CCPU = 50
KERN_CP_TIME = 51
KERN_SYSVIPC_INFO = 52
KERN_MSGBUF = 53
KERN_CONSDEV = 54
KERN_MAXPTYS = 55
KERN_PIPE = 56
KERN_MAXPHYS = 57
KERN_SBMAX = 58
KERN_TKSTAT = 59
KERN_MONOTONIC_CLOCK = 60
KERN_URND = 61
KERN_LABELSECTOR = 62
KERN_LABELOFFSET = 63
KERN_LWP = 64
KERN_FORKFSLEEP = 65
KERN_POSIX_THREADS = 66
KERN_POSIX_SEMAPHORES = 67
KERN_POSIX_BARRIERS = 68
KERN_POSIX_TIMERS = 69
KERN_POSIX_SPIN_LOCKS = 70
KERN_POSIX_READER_WRITER_LOCKS = 71
KERN_DUMP_ON_PANIC = 72
KERN_SOMAXKVA = 73
KERN_ROOT_PARTITION = 74
KERN_DRIVERS = 75
KERN_BUF = 76
KERN_FILE2 = 77
KERN_VERIEXEC = 78
KERN_CP_ID = 79
KERN_HARDCLOCK_TICKS = 80
KERN_ARND = 81
KERN_SYSVIPC = 82
KERN_MAXID = 83

# KERN_PROC / KERN_PROC2 / KERN_LWP selectors
KERN_PROC_ALL = 0
KERN_PROC_PID = 1
KERN_PROC_PGRP = 2
KERN_PROC_SESSION = 3
KERN_PROC_TTY = 4
KERN_PROC_UID = 5
KERN_PROC_RUID = 6
KERN_PROC_GID = 7
KERN_PROC_RGID = 8
KERN_PROC_ARGV = 1
KERN_PROC_NARGV = 2
KERN_PROC_ENV = 3
KERN_PROC_NENV = 4
KERN_PROC_PATHNAME = 5

# CTL_HW
HW_MACHINE = 1
HW_MODEL = 2
HW_NCPU = 3
HW_BYTEORDER = 4
HW_PHYSMEM = 5
HW_USERMEM = 6
HW_PAGESIZE = 7
HW_DISKNAMES = 8
HW_IOSTATS = 9
HW_MACHINE_ARCH = 10
HW_ALIGNBYTES = 11
HW_CNMAGIC = 12
HW_PHYSMEM64 = 13
HW_USERMEM64 = 14
HW_IOSTATNAMES = 15
HW_NCPUONLINE = 16
HW_MAXID = 17

# CTL_USER (a few)
USER_CS_PATH = 1
USER_BC_BASE_MAX = 2
USER_POSIX2_VERSION = 10
USER_STREAM_MAX = 20
USER_TZNAME_MAX = 21
USER_ATEXIT_MAX = 22

#: names of the top-level nodes, as sysctl(8) prints them
CTL_NAMES: dict[int, str] = {
    CTL_KERN: "kern", CTL_VM: "vm", CTL_VFS: "vfs", CTL_NET: "net", CTL_DEBUG: "debug",
    CTL_HW: "hw", CTL_MACHDEP: "machdep", CTL_USER: "user", CTL_DDB: "ddb",
    CTL_PROC: "proc", CTL_VENDOR: "vendor", CTL_EMUL: "emul", CTL_SECURITY: "security",
}


def SYSCTL_TYPE(flags: int) -> int:
    return flags & SYSCTL_TYPEMASK


def SYSCTL_FLAGS(flags: int) -> int:
    return flags & SYSCTL_FLAGMASK


def SYSCTL_VERS(flags: int) -> int:
    return flags & SYSCTL_VERS_MASK


# ----- struct sysctlnode (96 bytes on amd64: every pointer and size_t in a u64 slot) ---

# sysctl_flags, sysctl_num, sysctl_name[32], sysctl_ver, __rsvd, the 16-byte union
# sysctl_un, then _sysctl_size, _sysctl_func, _sysctl_parent, _sysctl_desc.
SYSCTLNODE = struct.Struct("<Ii32sII16sQQQQ")
SYSCTLNODE_SIZE = SYSCTLNODE.size
assert SYSCTLNODE_SIZE == 96
# sysctl_un as scu_child {suc_csize, suc_clen, suc_child}; scu_idata/scu_alias are its
# first int32, scu_qdata its first u64, scu_bdata its first byte.
_UN_CHILD = struct.Struct("<IIQ")
SYSCTLNODE_UN_OFFSET = 48
SYSCTLNODE_DESC_OFFSET = 88


class SysctlNode(NamedTuple):
    flags: int
    num: int
    name: str
    ver: int
    un: bytes       # the raw 16-byte union: read it through the properties
    size: int
    func: int
    parent: int
    desc: int

    @property
    def type(self) -> int:
        return SYSCTL_TYPE(self.flags)

    @property
    def csize(self) -> int:
        return _UN_CHILD.unpack(self.un)[0]

    @property
    def clen(self) -> int:
        return _UN_CHILD.unpack(self.un)[1]

    @property
    def idata(self) -> int:
        return struct.unpack_from("<i", self.un)[0]

    @property
    def qdata(self) -> int:
        return struct.unpack_from("<Q", self.un)[0]


def pack_sysctlnode(flags: int, num: int, name: str | bytes = b"", ver: int = 0, *,
                    csize: int = 0, clen: int = 0, child: int = 0,
                    idata: int | None = None, qdata: int | None = None,
                    size: int = 0, func: int = 0, parent: int = 0, desc: int = 0) -> bytes:
    """A struct sysctlnode; the union holds the child counts unless idata/qdata is given."""
    if isinstance(name, str):
        name = name.encode()
    if idata is not None:
        un = struct.pack("<i12x", idata)
    elif qdata is not None:
        un = struct.pack("<Q8x", qdata & 0xFFFFFFFFFFFFFFFF)
    else:
        un = _UN_CHILD.pack(csize, clen, child)
    return SYSCTLNODE.pack(flags, num, name[:SYSCTL_NAMELEN - 1], ver, 0, un,
                           size, func, parent, desc)


def unpack_sysctlnode(raw: bytes, offset: int = 0) -> SysctlNode:
    flags, num, name, ver, _rsvd, un, size, func, parent, desc = \
        SYSCTLNODE.unpack_from(raw, offset)
    return SysctlNode(flags, num, name.split(b"\0", 1)[0].decode("utf-8", "replace"),
                      ver, un, size, func, parent, desc)


def unpack_sysctlnodes(raw: bytes) -> list[SysctlNode]:
    """The array a CTL_QUERY copies out (a trailing partial record is ignored)."""
    return [unpack_sysctlnode(raw, i)
            for i in range(0, len(raw) - SYSCTLNODE_SIZE + 1, SYSCTLNODE_SIZE)]


# ----- struct sysctldesc: {int32 descr_num; uint32 descr_ver, descr_len; char descr_str[]} -

SYSCTLDESC_HEAD = struct.Struct("<iII")  # offsetof(struct sysctldesc, descr_str) == 12
SYSCTLDESC_SIZEOF = 16                   # sizeof(struct sysctldesc), descr_str[1] padded


def desc_roundup(n: int) -> int:
    """__sysc_desc_roundup: descr_len rounded up to a multiple of sizeof(int32_t)."""
    return (((n - 1) | 3) + 1)


def pack_sysctldesc(num: int, ver: int, text: bytes) -> bytes:
    """One description record: descr_len counts the NUL; the string is zero-padded."""
    n = len(text) + 1
    return SYSCTLDESC_HEAD.pack(num, ver, n) + text + bytes(desc_roundup(n) - len(text))


def unpack_sysctldescs(raw: bytes) -> list[tuple[int, int, bytes]]:
    """(num, ver, text) for each record a CTL_DESCRIBE copied out (NEXT_DESCR walk)."""
    out = []
    off = 0
    while off + SYSCTLDESC_HEAD.size <= len(raw):
        num, ver, n = SYSCTLDESC_HEAD.unpack_from(raw, off)
        start = off + SYSCTLDESC_HEAD.size
        if n == 0 or start + n > len(raw):
            break
        out.append((num, ver, raw[start:start + n].split(b"\0", 1)[0]))
        off = start + desc_roundup(n)
    return out
