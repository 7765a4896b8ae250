"""NetBSD struct statvfs (2256 bytes on amd64), MNT_*/ST_* flags, tmpfs_args.

Facts from NetBSD's sys/sys/statvfs.h, sys/sys/fstypes.h (MNT_*),
sys/sys/mount.h and sys/fs/tmpfs/tmpfs_args.h (7.99 era layout, without the
later f_mntfromlabel field).
"""
from __future__ import annotations

import struct
from typing import Any, NamedTuple

VFS_NAMELEN = 32
VFS_MNAMELEN = 1024
MNAMELEN = VFS_MNAMELEN
MFSNAMELEN = 16  # sys/mount.h: length of a fs type name in old APIs

MNT_RDONLY = 0x00000001
MNT_SYNCHRONOUS = 0x00000002
MNT_NOEXEC = 0x00000004
MNT_NOSUID = 0x00000008
MNT_NODEV = 0x00000010
MNT_UNION = 0x00000020
MNT_ASYNC = 0x00000040
MNT_EXRDONLY = 0x00000080
MNT_EXPORTED = 0x00000100
MNT_DEFEXPORTED = 0x00000200
MNT_EXPORTANON = 0x00000400
MNT_EXKERB = 0x00000800
MNT_LOCAL = 0x00001000
MNT_QUOTA = 0x00002000
MNT_ROOTFS = 0x00004000
MNT_NOCOREDUMP = 0x00008000
MNT_UPDATE = 0x00010000
MNT_RELATIME = 0x00020000
MNT_RELOAD = 0x00040000
MNT_FORCE = 0x00080000
MNT_IGNORE = 0x00100000
MNT_GETARGS = 0x00400000
MNT_DISCARD = 0x00800000
MNT_EXTATTR = 0x01000000
MNT_LOG = 0x02000000
MNT_NOATIME = 0x04000000
MNT_EXNORESPORT = 0x08000000
MNT_EXPUBLIC = 0x10000000
MNT_SYMPERM = 0x20000000
MNT_NODEVMTIME = 0x40000000
MNT_SOFTDEP = 0x80000000
MNT_OP_FLAGS = MNT_UPDATE | MNT_RELOAD | MNT_FORCE | MNT_GETARGS
MNT_VISFLAGMASK = (MNT_RDONLY | MNT_SYNCHRONOUS | MNT_NOEXEC | MNT_NOSUID | MNT_NODEV
                   | MNT_UNION | MNT_ASYNC | MNT_NOCOREDUMP | MNT_IGNORE | MNT_DISCARD
                   | MNT_NOATIME | MNT_SYMPERM | MNT_NODEVMTIME | MNT_SOFTDEP
                   | MNT_EXRDONLY | MNT_EXPORTED | MNT_DEFEXPORTED | MNT_EXPORTANON
                   | MNT_EXKERB | MNT_EXNORESPORT | MNT_EXPUBLIC | MNT_LOCAL | MNT_QUOTA
                   | MNT_ROOTFS | MNT_LOG | MNT_EXTATTR)

# getvfsstat/sync waitfor
MNT_WAIT = 1
MNT_NOWAIT = 2
MNT_LAZY = 3
ST_WAIT = MNT_WAIT
ST_NOWAIT = MNT_NOWAIT

ST_RDONLY = MNT_RDONLY
ST_SYNCHRONOUS = MNT_SYNCHRONOUS
ST_NOEXEC = MNT_NOEXEC
ST_NOSUID = MNT_NOSUID
ST_NODEV = MNT_NODEV
ST_UNION = MNT_UNION
ST_ASYNC = MNT_ASYNC
ST_NOCOREDUMP = MNT_NOCOREDUMP
ST_IGNORE = MNT_IGNORE
ST_NOATIME = MNT_NOATIME
ST_SYMPERM = MNT_SYMPERM
ST_NODEVMTIME = MNT_NODEVMTIME
ST_SOFTDEP = MNT_SOFTDEP
ST_LOG = MNT_LOG
ST_EXTATTR = MNT_EXTATTR
ST_EXRDONLY = MNT_EXRDONLY
ST_EXPORTED = MNT_EXPORTED
ST_DEFEXPORTED = MNT_DEFEXPORTED
ST_EXPORTANON = MNT_EXPORTANON
ST_EXKERB = MNT_EXKERB
ST_EXNORESPORT = MNT_EXNORESPORT
ST_EXPUBLIC = MNT_EXPUBLIC
ST_LOCAL = MNT_LOCAL
ST_QUOTA = MNT_QUOTA
ST_ROOTFS = MNT_ROOTFS

# unmount(2) flag is MNT_FORCE; fs type names used by mount(2)
MOUNT_TMPFS = "tmpfs"


class Statvfs(NamedTuple):
    f_flag: int
    f_bsize: int
    f_frsize: int
    f_iosize: int
    f_blocks: int
    f_bfree: int
    f_bavail: int
    f_bresvd: int
    f_files: int
    f_ffree: int
    f_favail: int
    f_fresvd: int
    f_syncreads: int
    f_syncwrites: int
    f_asyncreads: int
    f_asyncwrites: int
    f_fsidx: tuple[int, int]
    f_fsid: int
    f_namemax: int
    f_owner: int
    f_fstypename: bytes
    f_mntonname: bytes
    f_mntfromname: bytes


# 4 x ulong, 8 x u64 counts, 4 x u64 io counters, fsid_t (2 x i32), f_fsid, f_namemax
# (ulong), f_owner u32, f_spare[4] u32, three name arrays, tail pad to 8.
STATVFS = struct.Struct("<4Q8Q4Q2iQQI16x32s1024s1024s4x")
STATVFS_SIZE = STATVFS.size
assert STATVFS_SIZE == 2256
_DEFAULTS: dict[str, Any] = {f: 0 for f in Statvfs._fields}
_DEFAULTS.update(f_fsidx=(0, 0), f_fstypename=b"", f_mntonname=b"", f_mntfromname=b"")


def pack_statvfs(**fields: Any) -> bytes:
    """A struct statvfs; missing fields are 0/empty; names are bytes or str."""
    bad = set(fields) - set(Statvfs._fields)
    if bad:
        raise TypeError(f"unknown statvfs fields: {sorted(bad)}")
    v = dict(_DEFAULTS, **fields)
    names = []
    for f, size in (("f_fstypename", VFS_NAMELEN), ("f_mntonname", VFS_MNAMELEN),
                    ("f_mntfromname", VFS_MNAMELEN)):
        s = v[f]
        if isinstance(s, str):
            s = s.encode()
        names.append(bytes(s)[:size - 1])  # always NUL-terminated
    fsidx = v["f_fsidx"]
    return STATVFS.pack(v["f_flag"], v["f_bsize"], v["f_frsize"], v["f_iosize"],
                        v["f_blocks"], v["f_bfree"], v["f_bavail"], v["f_bresvd"],
                        v["f_files"], v["f_ffree"], v["f_favail"], v["f_fresvd"],
                        v["f_syncreads"], v["f_syncwrites"], v["f_asyncreads"],
                        v["f_asyncwrites"], fsidx[0], fsidx[1], v["f_fsid"],
                        v["f_namemax"], v["f_owner"], *names)


def _cstr(b: bytes) -> bytes:
    i = b.find(b"\0")
    return b if i < 0 else b[:i]


def unpack_statvfs(b: bytes | bytearray, offset: int = 0) -> Statvfs:
    t = STATVFS.unpack_from(b, offset)
    return Statvfs._make((*t[:16], (t[16], t[17]), t[18], t[19], t[20],
                          _cstr(t[21]), _cstr(t[22]), _cstr(t[23])))


# ---- tmpfs_args ----
TMPFS_ARGS_VERSION = 1
# ta_version int, (pad), ta_nodes_max ino_t, ta_size_max off_t,
# ta_root_uid, ta_root_gid, ta_root_mode, (pad)
TMPFS_ARGS = struct.Struct("<i4xQqIII4x")
TMPFS_ARGS_SIZE = TMPFS_ARGS.size
assert TMPFS_ARGS_SIZE == 40


class TmpfsArgs(NamedTuple):
    version: int
    nodes_max: int
    size_max: int
    root_uid: int
    root_gid: int
    root_mode: int


def unpack_tmpfs_args(b: bytes) -> TmpfsArgs:
    return TmpfsArgs(*TMPFS_ARGS.unpack_from(b))


def pack_tmpfs_args(version: int = TMPFS_ARGS_VERSION, nodes_max: int = 0,
                    size_max: int = 0, root_uid: int = 0, root_gid: int = 0,
                    root_mode: int = 0o1777) -> bytes:
    return TMPFS_ARGS.pack(version, nodes_max, size_max, root_uid, root_gid, root_mode)
