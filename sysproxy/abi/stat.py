"""NetBSD struct stat (as __stat50), S_IF* mode bits, file flags, and dirents.

Facts from NetBSD's sys/sys/stat.h and sys/sys/dirent.h, amd64 (LP64,
little-endian). struct stat is 152 bytes:
st_dev u64 @0, st_mode u32 @8, (pad), st_ino u64 @16, st_nlink u32 @24,
st_uid u32 @28, st_gid u32 @32, (pad), st_rdev u64 @40, st_atim @48, st_mtim @64,
st_ctim @80, st_birthtim @96 (each i64 sec + i64 nsec), st_size i64 @112,
st_blocks i64 @120, st_blksize u32 @128, st_flags u32 @132, st_gen u32 @136,
st_spare[2] @140, padded to 152.
"""
from __future__ import annotations

import struct
from typing import NamedTuple

S_IFMT = 0o170000
S_IFIFO = 0o010000
S_IFCHR = 0o020000
S_IFDIR = 0o040000
S_IFBLK = 0o060000
S_IFREG = 0o100000
S_IFLNK = 0o120000
S_IFSOCK = 0o140000
S_IFWHT = 0o160000
S_ARCH1 = 0o200000
S_ARCH2 = 0o400000

S_ISUID = 0o4000
S_ISGID = 0o2000
S_ISTXT = 0o1000
S_ISVTX = 0o1000
S_IRWXU = 0o700
S_IRUSR = 0o400
S_IWUSR = 0o200
S_IXUSR = 0o100
S_IRWXG = 0o070
S_IRGRP = 0o040
S_IWGRP = 0o020
S_IXGRP = 0o010
S_IRWXO = 0o007
S_IROTH = 0o004
S_IWOTH = 0o002
S_IXOTH = 0o001
ACCESSPERMS = 0o777
ALLPERMS = 0o7777
DEFFILEMODE = 0o666
S_BLKSIZE = 512

# st_flags: owner-settable (UF_*) and superuser-settable (SF_*) file flags
UF_SETTABLE = 0x0000FFFF
UF_NODUMP = 0x00000001
UF_IMMUTABLE = 0x00000002
UF_APPEND = 0x00000004
UF_OPAQUE = 0x00000008
SF_SETTABLE = 0xFFFF0000
SF_ARCHIVED = 0x00010000
SF_IMMUTABLE = 0x00020000
SF_APPEND = 0x00040000
SF_SNAPSHOT = 0x00200000
SF_LOG = 0x00400000
SF_SNAPINVAL = 0x00800000

# utimensat/futimens special nanosecond values
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2

# NODEV / VNOVAL-style "no device" as tmpfs reports it in st_rdev
NODEV = 0xFFFFFFFFFFFFFFFF


def S_ISDIR(m: int) -> bool: return (m & S_IFMT) == S_IFDIR
def S_ISCHR(m: int) -> bool: return (m & S_IFMT) == S_IFCHR
def S_ISBLK(m: int) -> bool: return (m & S_IFMT) == S_IFBLK
def S_ISREG(m: int) -> bool: return (m & S_IFMT) == S_IFREG
def S_ISFIFO(m: int) -> bool: return (m & S_IFMT) == S_IFIFO
def S_ISLNK(m: int) -> bool: return (m & S_IFMT) == S_IFLNK
def S_ISSOCK(m: int) -> bool: return (m & S_IFMT) == S_IFSOCK
def S_ISWHT(m: int) -> bool: return (m & S_IFMT) == S_IFWHT


class Stat(NamedTuple):
    dev: int
    ino: int
    mode: int
    nlink: int
    uid: int
    gid: int
    rdev: int
    atime_ns: int
    mtime_ns: int
    ctime_ns: int
    birthtime_ns: int
    size: int
    blocks: int
    blksize: int
    flags: int
    gen: int


# dev, mode, pad, ino, nlink, uid, gid, pad, rdev, 4 x (sec, nsec), size, blocks,
# blksize, flags, gen, spare[2], tail pad
STAT = struct.Struct("<QI4xQIII4xQqqqqqqqqqqIII4x8x")
STAT_SIZE = STAT.size
assert STAT_SIZE == 152
_NS = 1_000_000_000


def pack_stat(dev: int, ino: int, mode: int, nlink: int, uid: int, gid: int, rdev: int,
              atime_ns: int, mtime_ns: int, ctime_ns: int, birthtime_ns: int,
              size: int, blocks: int, blksize: int, flags: int = 0, gen: int = 0) -> bytes:
    """A NetBSD struct stat; times are integer nanoseconds since the epoch."""
    a_s, a_n = divmod(atime_ns, _NS)
    m_s, m_n = divmod(mtime_ns, _NS)
    c_s, c_n = divmod(ctime_ns, _NS)
    b_s, b_n = divmod(birthtime_ns, _NS)
    return STAT.pack(dev & 0xFFFFFFFFFFFFFFFF, mode, ino, nlink, uid, gid,
                     rdev & 0xFFFFFFFFFFFFFFFF, a_s, a_n, m_s, m_n, c_s, c_n, b_s, b_n,
                     size, blocks, blksize, flags, gen)


def unpack_stat(b: bytes, offset: int = 0) -> Stat:
    (dev, mode, ino, nlink, uid, gid, rdev, a_s, a_n, m_s, m_n, c_s, c_n, b_s, b_n,
     size, blocks, blksize, flags, gen) = STAT.unpack_from(b, offset)
    return Stat(dev, ino, mode, nlink, uid, gid, rdev, a_s * _NS + a_n, m_s * _NS + m_n,
                c_s * _NS + c_n, b_s * _NS + b_n, size, blocks, blksize, flags, gen)


# ---- struct dirent (getdents records) ----
DT_UNKNOWN = 0
DT_FIFO = 1
DT_CHR = 2
DT_DIR = 4
DT_BLK = 6
DT_REG = 8
DT_LNK = 10
DT_SOCK = 12
DT_WHT = 14

MAXNAMLEN = 511
# d_fileno u64, d_reclen u16, d_namlen u16, d_type u8, then d_name
DIRENT_HDR = struct.Struct("<QHHB")
DIRENT_NAMEOFF = DIRENT_HDR.size  # 13
_DIRENT_ALIGN = 7  # sizeof(d_fileno) - 1


def IFTODT(mode: int) -> int:
    """st_mode -> DT_* type."""
    return (mode & S_IFMT) >> 12


def DTTOIF(dtype: int) -> int:
    """DT_* type -> S_IF* bits."""
    return dtype << 12


mode_to_dtype = IFTODT


def dirent_reclen(namlen: int) -> int:
    """Record length for a name of namlen bytes: header + name + NUL, 8-aligned."""
    return (DIRENT_NAMEOFF + namlen + 1 + _DIRENT_ALIGN) & ~_DIRENT_ALIGN


def pack_dirent(fileno: int, name: bytes, dtype: int) -> bytes:
    n = len(name)
    if n > MAXNAMLEN:
        raise ValueError("dirent name too long")
    reclen = dirent_reclen(n)
    rec = DIRENT_HDR.pack(fileno, reclen, n, dtype) + name
    return rec + b"\0" * (reclen - len(rec))


def unpack_dirents(buf: bytes) -> list[tuple[int, bytes, int]]:
    """Decode consecutive dirent records -> [(fileno, name, dtype)]."""
    out: list[tuple[int, bytes, int]] = []
    off, end = 0, len(buf)
    while off < end:
        if off + DIRENT_NAMEOFF > end:
            raise ValueError(f"truncated dirent record at offset {off}")
        fileno, reclen, namlen, dtype = DIRENT_HDR.unpack_from(buf, off)
        if reclen < DIRENT_NAMEOFF or off + reclen > end:
            raise ValueError(f"bad dirent record at offset {off}")
        name = bytes(buf[off + DIRENT_NAMEOFF: off + DIRENT_NAMEOFF + namlen])
        out.append((fileno, name, dtype))
        off += reclen
    return out
