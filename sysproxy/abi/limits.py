"""NetBSD limits and small constants: sizes, pathconf names, rlimits, wait(2)
options, extended-attribute namespaces.

Facts from NetBSD's sys/sys/syslimits.h, sys/sys/param.h, sys/sys/pipe.h,
sys/sys/unistd.h (_PC_*), sys/sys/resource.h, sys/sys/wait.h,
sys/sys/extattr.h and sys/sys/xattr.h.
"""
from __future__ import annotations

import struct

NAME_MAX = 511
PATH_MAX = 1024
MAXPATHLEN = PATH_MAX
MAXHOSTNAMELEN = 256
MAXLOGNAME = 16
LOGIN_NAME_MAX = 17
ARG_MAX = 256 * 1024
OPEN_MAX = 128
IOV_MAX = 1024
LINK_MAX = 32767
NGROUPS_MAX = 16
MAXCOMLEN = 16
PIPE_BUF = 512
PIPE_SIZE = 16384
BIG_PIPE_SIZE = 64 * 1024
PIPE_MINDIRECT = 8192

# pathconf(2) names
_PC_LINK_MAX = 1
_PC_MAX_CANON = 2
_PC_MAX_INPUT = 3
_PC_NAME_MAX = 4
_PC_PATH_MAX = 5
_PC_PIPE_BUF = 6
_PC_CHOWN_RESTRICTED = 7
_PC_NO_TRUNC = 8
_PC_VDISABLE = 9
_PC_SYNC_IO = 10
_PC_FILESIZEBITS = 11
_PC_SYMLINK_MAX = 12
_PC_2_SYMLINKS = 13

# getrlimit/setrlimit resources
RLIMIT_CPU = 0
RLIMIT_FSIZE = 1
RLIMIT_DATA = 2
RLIMIT_STACK = 3
RLIMIT_CORE = 4
RLIMIT_RSS = 5
RLIMIT_MEMLOCK = 6
RLIMIT_NPROC = 7
RLIMIT_NOFILE = 8
RLIMIT_SBSIZE = 9
RLIMIT_AS = 10
RLIMIT_VMEM = RLIMIT_AS
RLIMIT_NTHR = 11
RLIM_NLIMITS = 12
RLIM_INFINITY = 0x7FFFFFFFFFFFFFFF
RLIM_SAVED_MAX = RLIM_INFINITY
RLIM_SAVED_CUR = RLIM_INFINITY
RUSAGE_SELF = 0
RUSAGE_CHILDREN = -1
PRIO_PROCESS = 0
PRIO_PGRP = 1
PRIO_USER = 2

RLIMIT = struct.Struct("<QQ")  # rlim_cur, rlim_max


def pack_rlimit(cur: int, mx: int) -> bytes:
    return RLIMIT.pack(cur, mx)


def unpack_rlimit(b: bytes) -> tuple[int, int]:
    return RLIMIT.unpack_from(b)


# wait(2) options
WNOHANG = 0x00000001
WUNTRACED = 0x00000002
WSTOPPED = WUNTRACED
WALTSIG = 0x00000004
WALLSIG = 0x00000008
WCONTINUED = 0x00000010
WEXITED = 0x00000020
WTRAPPED = 0x00000040
WNOWAIT = 0x00010000
WNOZOMBIE = 0x00020000
WCOREFLAG = 0o200
WAIT_ANY = -1
WAIT_MYPGRP = 0


def W_EXITCODE(ret: int, sig: int) -> int:
    return (ret << 8) | sig


def W_STOPCODE(sig: int) -> int:
    return (sig << 8) | 0o177


# extended attributes
EXTATTR_NAMESPACE_EMPTY = 0
EXTATTR_NAMESPACE_USER = 1
EXTATTR_NAMESPACE_SYSTEM = 2
EXTATTR_MAXNAMELEN = 255  # KERNEL_NAME_MAX
XATTR_CREATE = 0x01
XATTR_REPLACE = 0x02
XATTR_NAME_MAX = 255
XATTR_SIZE_MAX = 65536
