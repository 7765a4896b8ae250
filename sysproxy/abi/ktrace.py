"""NetBSD ktrace(2) records: operations, facilities, struct ktr_header and the payloads.

Facts from NetBSD 7.99.34's sys/sys/ktrace.h, amd64 (LP64, little-endian).
struct ktr_header, version 2 (what the kernel writes by default), 56 bytes:
ktr_len i32 @0 (payload bytes after the header), ktr_type i16 @4, ktr_version
i16 @6, ktr_pid i32 @8, ktr_comm[17] @12 (MAXCOMLEN chars, NUL), (pad),
ktr_ts @32 (i64 sec, i64 nsec), ktr_lid i32 @48, (pad) to 56.
The version is the one the tracer put in ktrace(2)'s ops (KTRFACv0/1/2; 0 when
it gave none, as a bare ktrace(fname, KTROP_SET, facs, pid) does). On LP64 all
three headers are 56 bytes: v0 has int32 tv_sec (padded), long tv_usec @40 and
a NULL pointer @48; v1 int32 tv_sec, long tv_nsec @40 and the lid @48.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import NamedTuple

KTROP_SET = 0
KTROP_CLEAR = 1
KTROP_CLEARFILE = 2
KTROP_MASK = 0x3
KTRFLAG_DESCEND = 4

KTR_SYSCALL = 1
KTR_SYSRET = 2
KTR_NAMEI = 3
KTR_GENIO = 4
KTR_PSIG = 5
KTR_CSW = 6
KTR_EMUL = 7
KTR_USER = 8
KTR_EXEC_ARG = 10
KTR_EXEC_ENV = 11
KTR_SAUPCALL = 13
KTR_MIB = 14
KTR_EXEC_FD = 15

KTRFAC_MASK = 0x00FFFFFF
KTRFAC_SYSCALL = 1 << KTR_SYSCALL
KTRFAC_SYSRET = 1 << KTR_SYSRET
KTRFAC_NAMEI = 1 << KTR_NAMEI
KTRFAC_GENIO = 1 << KTR_GENIO
KTRFAC_PSIG = 1 << KTR_PSIG
KTRFAC_CSW = 1 << KTR_CSW
KTRFAC_EMUL = 1 << KTR_EMUL
KTRFAC_USER = 1 << KTR_USER
KTRFAC_EXEC_ARG = 1 << KTR_EXEC_ARG
KTRFAC_EXEC_ENV = 1 << KTR_EXEC_ENV
KTRFAC_MIB = 1 << KTR_MIB
KTRFAC_EXEC_FD = 1 << KTR_EXEC_FD
KTRFAC_PERSISTENT = 0x80000000
KTRFAC_INHERIT = 0x40000000
KTRFAC_TRC_EMUL = 0x10000000
KTRFAC_VER_MASK = 0x0F000000
KTRFAC_VER_SHIFT = 24
KTRFACv0 = 0 << KTRFAC_VER_SHIFT
KTRFACv1 = 1 << KTRFAC_VER_SHIFT
KTRFACv2 = 2 << KTRFAC_VER_SHIFT

KTR_USER_MAXIDLEN = 20
KTR_USER_MAXLEN = 2048
MAXCOMLEN = 16
PAGE_SIZE = 4096  # GENIO records carry at most a page, header of the payload included

UIO_READ = 0
UIO_WRITE = 1

TYPE_NAMES = {KTR_SYSCALL: "CALL", KTR_SYSRET: "RET", KTR_NAMEI: "NAMI", KTR_GENIO: "GIO",
              KTR_PSIG: "PSIG", KTR_CSW: "CSW", KTR_EMUL: "EMUL", KTR_USER: "USER",
              KTR_EXEC_ARG: "ARG", KTR_EXEC_ENV: "ENV", KTR_SAUPCALL: "SAUPCALL",
              KTR_MIB: "MIB", KTR_EXEC_FD: "FD"}

HEADER_V2 = struct.Struct("<ihhi17s3xqqi4x")   # 56 bytes
HEADER_V1 = struct.Struct("<ihhi17s3xi4xqi4x")  # int32 sec (padded), long nsec, lid
HEADER_V0 = struct.Struct("<ihhi17s3xi4xqq")    # int32 sec (padded), long usec, NULL pointer
SYSCALL = struct.Struct("<ii")                 # ktr_code, ktr_argsize; then register_t args
SYSRET = struct.Struct("<hhiqq")               # code, eosys, error, retval, retval_1
GENIO = struct.Struct("<ii")                   # fd, enum uio_rw; then the data
PSIG = struct.Struct("<i4xQ16si4x")            # signo, sig_t action, sigset_t mask, code
CSW = struct.Struct("<ii")                     # out, user
USER_ID = struct.Struct(f"<{KTR_USER_MAXIDLEN}s")
EXECFD = struct.Struct("<iI")


def header(length: int, ktype: int, pid: int, comm: bytes, sec: int, nsec: int,
           lid: int, version: int = 2) -> bytes:
    """Pack a struct ktr_header of ``version`` (2 unless the tracer asked for an older one)."""
    c = comm[:MAXCOMLEN]
    if version == 2:
        return HEADER_V2.pack(length, ktype, 2, pid, c, sec, nsec, lid)
    if version == 1:
        sec32 = (sec + (1 << 31)) % (1 << 32) - (1 << 31)
        return HEADER_V1.pack(length, ktype, 1, pid, c, sec32, nsec, lid)
    return HEADER_V0.pack(length, ktype, 0, pid, c, sec, nsec // 1000, 0)


class Record(NamedTuple):
    """One decoded ktrace record: the header fields and the raw payload."""

    type: int
    version: int
    pid: int
    comm: str
    sec: int
    nsec: int
    lid: int
    payload: bytes


def records(data: bytes) -> Iterator[Record]:
    """Split a ktrace file into records; ValueError on a truncated or unknown-version one."""
    off = 0
    n = len(data)
    while off < n:
        if n - off < 8:
            raise ValueError(f"truncated ktrace header at offset {off}")
        length, ktype, version = struct.unpack_from("<ihh", data, off)
        if version == 2:
            hs = HEADER_V2
            _, _, _, pid, comm, sec, nsec, lid = hs.unpack_from(data, off) if n - off >= hs.size \
                else _short(off)
        elif version in (0, 1):
            hs = HEADER_V1 if version == 1 else HEADER_V0
            _, _, _, pid, comm, sec, frac, lid = hs.unpack_from(data, off) if n - off >= hs.size \
                else _short(off)
            nsec = frac if version == 1 else frac * 1000
            if version == 0:
                lid = 0
        else:
            raise ValueError(f"unknown ktrace record version {version} at offset {off}")
        start = off + hs.size
        if length < 0 or start + length > n:
            raise ValueError(f"truncated ktrace record at offset {off}")
        name = comm.split(b"\0", 1)[0].decode("latin-1")
        yield Record(ktype, version, pid, name, sec, nsec, lid, data[start:start + length])
        off = start + length


def _short(off: int) -> tuple[int, int, int, int, bytes, int, int, int]:
    raise ValueError(f"truncated ktrace header at offset {off}")
