"""NetBSD file handles (fhandle_t) and tmpfs's file identifier (struct tmpfs_fid).

Facts from NetBSD's sys/sys/fstypes.h and sys/fs/tmpfs/tmpfs.h:

    typedef struct { int32_t __fsid_val[2]; } fsid_t;
    struct fid { unsigned short fid_len; unsigned short fid_reserved; char fid_data[]; };
    struct fhandle { fsid_t fh_fsid; struct fid fh_fid; };

A handle is the mount's f_fsidx followed by the file system's fid, whose first
field (fid_len) counts the whole fid, header included. Handles shorter than
FHANDLE_SIZE_MIN (28, the historical fixed size) are zero-padded to it; none
may exceed FHANDLE_SIZE_MAX.

    typedef struct tmpfs_fid { uint16_t tf_len; uint16_t tf_pad;
                               uint32_t tf_gen; ino_t tf_id; } tmpfs_fid_t;

16 bytes on amd64, so a tmpfs handle is 8 + 16 = 24 bytes padded to 28.
"""
from __future__ import annotations

import struct
from typing import NamedTuple

FHANDLE_SIZE_COMPAT = 28
FHANDLE_SIZE_MAX = 1024
FHANDLE_SIZE_MIN = FHANDLE_SIZE_COMPAT
NFSX_V2FH = 32  # vfs_copyinfh_alloc accepts NFSv2's padded 32-byte handles

FSID = struct.Struct("<ii")  # fsid_t
FID_HEADER = struct.Struct("<HH")  # fid_len, fid_reserved
FH_FID_OFFSET = FSID.size  # offsetof(fhandle_t, fh_fid)

TMPFS_FID = struct.Struct("<HHIQ")  # tf_len, tf_pad, tf_gen, tf_id
TMPFS_FID_SIZE = TMPFS_FID.size
assert TMPFS_FID_SIZE == 16


def fhandle_size_from_fid_size(fidsize: int) -> int:
    """FHANDLE_SIZE_FROM_FILEID_SIZE."""
    return max(FHANDLE_SIZE_MIN, FH_FID_OFFSET + fidsize)


def fhandle_size(fh: bytes) -> int:
    """FHANDLE_SIZE: the size a handle says it has (from its fid_len)."""
    (fid_len,) = struct.unpack_from("<H", fh, FH_FID_OFFSET)
    return fhandle_size_from_fid_size(fid_len)


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - 0x100000000 if v & 0x80000000 else v


def pack_fhandle(fsid: tuple[int, int], fid: bytes) -> bytes:
    """fh_fsid then the fid (its own fid_len included), zero-padded to FHANDLE_SIZE_MIN."""
    b = FSID.pack(_s32(fsid[0]), _s32(fsid[1])) + fid
    return b.ljust(fhandle_size_from_fid_size(len(fid)), b"\0")


class Fhandle(NamedTuple):
    fsid: tuple[int, int]
    fid_len: int
    fid: bytes  # the whole fid, header included (what VFS_FHTOVP is given)


def unpack_fhandle(fh: bytes) -> Fhandle:
    """Split a handle; ``fid`` holds the bytes the handle has after fh_fsid."""
    v0, v1 = FSID.unpack_from(fh, 0)
    (fid_len,) = struct.unpack_from("<H", fh, FH_FID_OFFSET)
    return Fhandle((v0, v1), fid_len, bytes(fh[FH_FID_OFFSET:]))


class TmpfsFid(NamedTuple):
    len: int
    pad: int
    gen: int
    id: int


def pack_tmpfs_fid(gen: int, ino: int) -> bytes:
    return TMPFS_FID.pack(TMPFS_FID_SIZE, 0, gen & 0xFFFFFFFF, ino)


def unpack_tmpfs_fid(fid: bytes) -> TmpfsFid:
    return TmpfsFid(*TMPFS_FID.unpack_from(fid.ljust(TMPFS_FID_SIZE, b"\0")))
