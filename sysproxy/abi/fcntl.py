"""NetBSD open(2)/fcntl(2) flags, F_* commands, AT_* and flock layout.

Facts from NetBSD's sys/sys/fcntl.h and sys/sys/unistd.h (access modes),
amd64 (LP64, little-endian).
"""
from __future__ import annotations

import struct
from typing import NamedTuple

# Open flags (O_*); the access mode is the low two bits.
O_RDONLY = 0x00000000
O_WRONLY = 0x00000001
O_RDWR = 0x00000002
O_ACCMODE = 0x00000003
O_NONBLOCK = 0x00000004
O_APPEND = 0x00000008
O_SHLOCK = 0x00000010
O_EXLOCK = 0x00000020
O_ASYNC = 0x00000040
O_SYNC = 0x00000080
O_FSYNC = O_SYNC
O_NOFOLLOW = 0x00000100
O_CREAT = 0x00000200
O_TRUNC = 0x00000400
O_EXCL = 0x00000800
O_NOCTTY = 0x00008000
O_DSYNC = 0x00010000
O_RSYNC = 0x00020000
O_ALT_IO = 0x00040000
O_DIRECT = 0x00080000
O_DIRECTORY = 0x00200000
O_CLOEXEC = 0x00400000
O_SEARCH = 0x00800000
O_NDELAY = O_NONBLOCK

# Kernel f_flag encoding: FREAD/FWRITE are separate bits, = O_* access mode + 1.
FREAD = 0x00000001
FWRITE = 0x00000002
FAPPEND = O_APPEND
FASYNC = O_ASYNC
FNONBLOCK = O_NONBLOCK
FNDELAY = O_NONBLOCK
FFSYNC = O_SYNC
FDSYNC = O_DSYNC
FRSYNC = O_RSYNC
FALTIO = O_ALT_IO
FDIRECT = O_DIRECT
FMARK = 0x00001000
FDEFER = 0x00002000
FHASLOCK = 0x00004000
FSCAN = 0x00100000
FSILENT = 0x40000000
FKIOCTL = 0x80000000

#: every bit open(2) accepts
O_MASK = (O_ACCMODE | O_NONBLOCK | O_APPEND | O_SHLOCK | O_EXLOCK | O_ASYNC | O_SYNC
          | O_CREAT | O_TRUNC | O_EXCL | O_DSYNC | O_RSYNC | O_NOCTTY | O_ALT_IO
          | O_NOFOLLOW | O_DIRECT | O_DIRECTORY | O_CLOEXEC)
#: f_flag bits fcntl(F_SETFL) may change
O_NOSIGPIPE = 0x01000000  # no SIGPIPE on a write to a pipe/socket without readers
FNOSIGPIPE = O_NOSIGPIPE
FCNTLFLAGS = FAPPEND | FASYNC | FFSYNC | FNONBLOCK | FDSYNC | FRSYNC | FALTIO | FDIRECT | FNOSIGPIPE
#: f_flag bits kept after open(2)
FMASK = FREAD | FWRITE | FCNTLFLAGS


def FFLAGS(oflags: int) -> int:
    """open() flags -> kernel f_flag (O_RDONLY..O_RDWR become FREAD/FWRITE bits)."""
    return oflags + 1


def OFLAGS(fflags: int) -> int:
    """kernel f_flag -> open() flags (inverse of FFLAGS)."""
    return fflags - 1


# fcntl commands
F_DUPFD = 0
F_GETFD = 1
F_SETFD = 2
F_GETFL = 3
F_SETFL = 4
F_GETOWN = 5
F_SETOWN = 6
F_GETLK = 7
F_SETLK = 8
F_SETLKW = 9
F_CLOSEM = 10
F_MAXFD = 11
F_DUPFD_CLOEXEC = 12
F_GETNOSIGPIPE = 13
F_SETNOSIGPIPE = 14

FD_CLOEXEC = 1

# record lock types (struct flock l_type)
F_RDLCK = 1
F_UNLCK = 2
F_WRLCK = 3
# kernel lock-operation flags
F_WAIT = 0x010
F_FLOCK = 0x020
F_POSIX = 0x040

# flock(2)
LOCK_SH = 0x01
LOCK_EX = 0x02
LOCK_NB = 0x04
LOCK_UN = 0x08

SEEK_SET = 0
SEEK_CUR = 1
SEEK_END = 2

POSIX_FADV_NORMAL = 0
POSIX_FADV_RANDOM = 1
POSIX_FADV_SEQUENTIAL = 2
POSIX_FADV_WILLNEED = 3
POSIX_FADV_DONTNEED = 4
POSIX_FADV_NOREUSE = 5

# *at() calls
AT_FDCWD = -100
AT_EACCESS = 0x100
AT_SYMLINK_NOFOLLOW = 0x200
AT_SYMLINK_FOLLOW = 0x400
AT_REMOVEDIR = 0x800

# access(2) modes (sys/unistd.h)
F_OK = 0
X_OK = 0x01
W_OK = 0x02
R_OK = 0x04


class Flock(NamedTuple):
    start: int
    len: int
    pid: int
    type: int
    whence: int


# struct flock { off_t l_start; off_t l_len; pid_t l_pid; short l_type; short l_whence; }
FLOCK = struct.Struct("<qqihh")
FLOCK_SIZE = FLOCK.size  # 24


def pack_flock(start: int, length: int, pid: int, ltype: int, whence: int) -> bytes:
    return FLOCK.pack(start, length, pid, ltype, whence)


def unpack_flock(b: bytes) -> Flock:
    return Flock(*FLOCK.unpack_from(b))
