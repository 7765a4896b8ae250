"""Calls that name paths: under the prefix (or relative to a kernel directory)
they go to the kernel, translated; elsewhere they continue on the host.

Note the TOCTOU of continuing: the program (another thread) may change the
path's memory between our look and the host kernel's; this is a redirector,
not a sandbox.
"""
from __future__ import annotations

import struct

from sysproxy.abi import fcntl as nbf
from sysproxy.abi import stat as nbstat
from sysproxy.client import SYS, Out

from .. import linux
from ..call import CONTINUE, NB_AT_FDCWD, Call, Errno, handles, i32
from .fds import note_kind

AT = linux.AT_FDCWD
_O_DIRECTORY = 0o200000


def _p(path: bytes) -> bytes:
    return path + b"\0"


def _resolve(c: Call, dirfd: int, addr: int) -> tuple[int, bytes] | None:
    return c.resolve(dirfd, c.path(addr))


# ----- open ---------------------------------------------------------------------

def _open(c: Call, dirfd: int, addr: int, flags: int, mode: int) -> object:
    r = _resolve(c, dirfd, addr)
    if r is None:
        return CONTINUE
    if flags & linux.O_TMPFILE == linux.O_TMPFILE:
        raise Errno(95, "O_TMPFILE in the kernel is not supported (EOPNOTSUPP)")
    kdir, kp = r
    nbflags = linux.open_flags_to_netbsd(flags)
    kfd = c.k.syscall(SYS.openat, kdir, _p(kp), nbflags,
                      mode & 0o7777 if flags & 0o100 else 0)[0]
    return c.new_fd(kfd, bool(flags & linux.O_CLOEXEC), plain=bool(flags & _O_DIRECTORY))


@handles("open")
def sys_open(c: Call) -> object:
    return _open(c, AT, c.args[0], c.args[1] & 0xFFFFFFFF, c.args[2])


@handles("creat")
def sys_creat(c: Call) -> object:
    return _open(c, AT, c.args[0], 0o1 | 0o100 | 0o1000, c.args[1])


@handles("openat")
def sys_openat(c: Call) -> object:
    return _open(c, c.args[0], c.args[1], c.args[2] & 0xFFFFFFFF, c.args[3])


@handles("openat2")
def sys_openat2(c: Call) -> object:
    if _resolve(c, c.args[0], c.args[1]) is None:
        return CONTINUE
    raise Errno(38)    # libc falls back to openat


# ----- stat -----------------------------------------------------------------------

def _kstat(c: Call, dirfd: int, addr: int, flags: int) -> bytes | None:
    """NetBSD struct stat for (dirfd, path, Linux AT_ flags), or None: a host call."""
    if flags & linux.AT_EMPTY_PATH:
        p = c.path(addr) if addr else b""
        if not p:
            kfd = c.kfd(dirfd)
            if kfd is None:
                if i32(dirfd) == AT and c.proc.cwd_kernel:
                    kdir, kp = NB_AT_FDCWD, b"."
                else:
                    return None
            else:
                out = Out(nbstat.STAT_SIZE)
                c.k.syscall(SYS.fstat, kfd, out)
                note_kind(c, kfd, out.buf)
                return bytes(out.buf)
        else:
            r = c.resolve(dirfd, p)
            if r is None:
                return None
            kdir, kp = r
    else:
        r = _resolve(c, dirfd, addr)
        if r is None:
            return None
        kdir, kp = r
    out = Out(nbstat.STAT_SIZE)
    c.k.syscall(SYS.fstatat, kdir, _p(kp), out, linux.at_flags_to_netbsd(flags))
    return bytes(out.buf)


@handles("stat", "lstat")
def sys_stat(c: Call) -> object:
    flags = linux.AT_SYMLINK_NOFOLLOW if c.n.nr == linux.NR["lstat"] else 0
    raw = _kstat(c, AT, c.args[0], flags)
    if raw is None:
        return CONTINUE
    c.proc.mem.write(c.args[1], linux.stat_to_linux(raw))
    return 0


@handles("newfstatat")
def sys_newfstatat(c: Call) -> object:
    raw = _kstat(c, c.args[0], c.args[1], c.args[3])
    if raw is None:
        return CONTINUE
    c.proc.mem.write(c.args[2], linux.stat_to_linux(raw))
    return 0


@handles("statx")
def sys_statx(c: Call) -> object:
    raw = _kstat(c, c.args[0], c.args[1], c.args[2])
    if raw is None:
        return CONTINUE
    c.proc.mem.write(c.args[4], linux.stat_to_statx(raw))
    return 0


# ----- access, mkdir, unlink, rename, links ---------------------------------------------

def _one(c: Call, dirfd: int, addr: int, fn) -> object:
    r = _resolve(c, dirfd, addr)
    if r is None:
        return CONTINUE
    return fn(*r)


@handles("access")
def sys_access(c: Call) -> object:
    return _one(c, AT, c.args[0], lambda d, p: c.k.syscall(
        SYS.faccessat, d, _p(p), c.args[1] & 7, 0)[0])


@handles("faccessat", "faccessat2")
def sys_faccessat(c: Call) -> object:
    flags = c.args[3] if c.n.nr == linux.NR["faccessat2"] else 0
    nb = (nbf.AT_EACCESS if flags & linux.AT_EACCESS else 0) | \
        (nbf.AT_SYMLINK_NOFOLLOW if flags & linux.AT_SYMLINK_NOFOLLOW else 0)
    return _one(c, c.args[0], c.args[1], lambda d, p: c.k.syscall(
        SYS.faccessat, d, _p(p), c.args[2] & 7, nb)[0])


@handles("mkdir")
def sys_mkdir(c: Call) -> object:
    return _one(c, AT, c.args[0], lambda d, p: c.k.syscall(
        SYS.mkdirat, d, _p(p), c.args[1] & 0o7777)[0])


@handles("mkdirat")
def sys_mkdirat(c: Call) -> object:
    return _one(c, c.args[0], c.args[1], lambda d, p: c.k.syscall(
        SYS.mkdirat, d, _p(p), c.args[2] & 0o7777)[0])


@handles("mknod", "mknodat")
def sys_mknod(c: Call) -> object:
    at = c.n.nr == linux.NR["mknodat"]
    dirfd, addr, mode = (c.args[0], c.args[1], c.args[2]) if at else (AT, c.args[0], c.args[1])

    def mk(d: int, p: bytes) -> int:
        if mode & 0o170000 == 0o010000:
            return c.k.syscall(SYS.mkfifoat, d, _p(p), mode & 0o7777)[0]
        if mode & 0o170000 in (0, 0o100000):
            fd = c.k.syscall(SYS.openat, d, _p(p), nbf.O_CREAT | nbf.O_EXCL | nbf.O_WRONLY,
                             mode & 0o7777)[0]
            c.k.syscall(SYS.close, fd)
            return 0
        raise Errno(1, "device nodes in the kernel are not supported (EPERM)")
    return _one(c, dirfd, addr, mk)


@handles("rmdir")
def sys_rmdir(c: Call) -> object:
    return _one(c, AT, c.args[0], lambda d, p: c.k.syscall(
        SYS.unlinkat, d, _p(p), nbf.AT_REMOVEDIR)[0])


@handles("unlink")
def sys_unlink(c: Call) -> object:
    return _one(c, AT, c.args[0], lambda d, p: c.k.syscall(SYS.unlinkat, d, _p(p), 0)[0])


@handles("unlinkat")
def sys_unlinkat(c: Call) -> object:
    nb = nbf.AT_REMOVEDIR if c.args[2] & linux.AT_REMOVEDIR else 0
    return _one(c, c.args[0], c.args[1], lambda d, p: c.k.syscall(
        SYS.unlinkat, d, _p(p), nb)[0])


def _two(c: Call, d1: int, a1: int, d2: int, a2: int, fn) -> object:
    r1, r2 = _resolve(c, d1, a1), _resolve(c, d2, a2)
    if r1 is None and r2 is None:
        return CONTINUE
    if r1 is None or r2 is None:
        raise Errno(18)    # EXDEV: mv copies across
    return fn(r1, r2)


@handles("rename")
def sys_rename(c: Call) -> object:
    return _two(c, AT, c.args[0], AT, c.args[1], lambda a, b: c.k.syscall(
        SYS.renameat, a[0], _p(a[1]), b[0], _p(b[1]))[0])


@handles("renameat", "renameat2")
def sys_renameat(c: Call) -> object:
    flags = c.args[4] if c.n.nr == linux.NR["renameat2"] else 0

    def ren(a: tuple[int, bytes], b: tuple[int, bytes]) -> int:
        if flags & ~1:
            raise Errno(22)
        if flags & 1:    # RENAME_NOREPLACE: not atomic here
            try:
                c.k.syscall(SYS.fstatat, b[0], _p(b[1]), Out(nbstat.STAT_SIZE),
                            nbf.AT_SYMLINK_NOFOLLOW)
            except FileNotFoundError:
                pass
            else:
                raise Errno(17)
        return c.k.syscall(SYS.renameat, a[0], _p(a[1]), b[0], _p(b[1]))[0]
    return _two(c, c.args[0], c.args[1], c.args[2], c.args[3], ren)


@handles("link")
def sys_link(c: Call) -> object:
    return _two(c, AT, c.args[0], AT, c.args[1], lambda a, b: c.k.syscall(
        SYS.linkat, a[0], _p(a[1]), b[0], _p(b[1]), 0)[0])


@handles("linkat")
def sys_linkat(c: Call) -> object:
    nb = nbf.AT_SYMLINK_FOLLOW if c.args[4] & linux.AT_SYMLINK_FOLLOW else 0
    return _two(c, c.args[0], c.args[1], c.args[2], c.args[3], lambda a, b: c.k.syscall(
        SYS.linkat, a[0], _p(a[1]), b[0], _p(b[1]), nb)[0])


@handles("symlink", "symlinkat")
def sys_symlink(c: Call) -> object:
    """The target is stored as given (like librumphijack): an absolute target names
    a path in the kernel's own tree, without the prefix."""
    at = c.n.nr == linux.NR["symlinkat"]
    dirfd, addr = (c.args[1], c.args[2]) if at else (AT, c.args[1])
    target = c.path(c.args[0])
    return _one(c, dirfd, addr, lambda d, p: c.k.syscall(
        SYS.symlinkat, _p(target), d, _p(p))[0])


@handles("readlink", "readlinkat")
def sys_readlink(c: Call) -> object:
    at = c.n.nr == linux.NR["readlinkat"]
    dirfd, addr, buf, size = ((c.args[0], c.args[1], c.args[2], c.args[3]) if at
                              else (AT, c.args[0], c.args[1], c.args[2]))
    size = min(size & 0xFFFFFFFF, 1 << 16)

    def rl(d: int, p: bytes) -> int:
        out = Out(max(size, 1))
        n = c.k.syscall(SYS.readlinkat, d, _p(p), out, size)[0]
        c.proc.mem.write(buf, out.buf[:n])
        return n
    return _one(c, dirfd, addr, rl)


# ----- attributes -------------------------------------------------------------------------

@handles("chmod")
def sys_chmod(c: Call) -> object:
    return _one(c, AT, c.args[0], lambda d, p: c.k.syscall(
        SYS.fchmodat, d, _p(p), c.args[1] & 0o7777, 0)[0])


@handles("fchmodat", "fchmodat2")
def sys_fchmodat(c: Call) -> object:
    flags = c.args[3] if c.n.nr == linux.NR["fchmodat2"] else 0
    return _one(c, c.args[0], c.args[1], lambda d, p: c.k.syscall(
        SYS.fchmodat, d, _p(p), c.args[2] & 0o7777, linux.at_flags_to_netbsd(flags))[0])


@handles("chown", "lchown")
def sys_chown(c: Call) -> object:
    nb = nbf.AT_SYMLINK_NOFOLLOW if c.n.nr == linux.NR["lchown"] else 0
    return _one(c, AT, c.args[0], lambda d, p: c.k.syscall(
        SYS.fchownat, d, _p(p), i32(c.args[1]), i32(c.args[2]), nb)[0])


@handles("fchownat")
def sys_fchownat(c: Call) -> object:
    if c.args[4] & linux.AT_EMPTY_PATH and not c.path(c.args[1]):
        kfd = c.kfd(c.args[0])
        if kfd is None:
            return CONTINUE
        return c.k.syscall(SYS.fchown, kfd, i32(c.args[2]), i32(c.args[3]))[0]
    return _one(c, c.args[0], c.args[1], lambda d, p: c.k.syscall(
        SYS.fchownat, d, _p(p), i32(c.args[2]), i32(c.args[3]),
        linux.at_flags_to_netbsd(c.args[4]))[0])


_TS2 = struct.Struct("<qqqq")


@handles("utimensat")
def sys_utimensat(c: Call) -> object:
    dirfd, addr, tptr, flags = c.args[0], c.args[1], c.args[2], c.args[3]
    times = c.proc.mem.read(tptr, 32) if tptr else None
    if addr == 0:    # futimens
        kfd = c.kfd(dirfd)
        if kfd is None:
            return CONTINUE
        return c.k.syscall(SYS.futimens, kfd, times)[0]
    return _one(c, dirfd, addr, lambda d, p: c.k.syscall(
        SYS.utimensat, d, _p(p), times, linux.at_flags_to_netbsd(flags))[0])


@handles("utime", "utimes", "futimesat")
def sys_utimes(c: Call) -> object:
    at = c.n.nr == linux.NR["futimesat"]
    dirfd, addr, tptr = (c.args[0], c.args[1], c.args[2]) if at else (AT, c.args[0], c.args[1])

    def ut(d: int, p: bytes) -> int:
        times = None
        if tptr:
            if c.n.nr == linux.NR["utime"]:
                a, m = struct.unpack("<qq", c.proc.mem.read(tptr, 16))
                times = _TS2.pack(a, 0, m, 0)
            else:
                a_s, a_us, m_s, m_us = struct.unpack("<qqqq", c.proc.mem.read(tptr, 32))
                times = _TS2.pack(a_s, a_us * 1000, m_s, m_us * 1000)
        return c.k.syscall(SYS.utimensat, d, _p(p), times, 0)[0]
    return _one(c, dirfd, addr, ut)


@handles("truncate")
def sys_truncate(c: Call) -> object:
    def tr(d: int, p: bytes) -> int:
        fd = c.k.syscall(SYS.openat, d, _p(p), nbf.O_WRONLY, 0)[0]
        try:
            return c.k.syscall(SYS.ftruncate, fd, 0, c.args[1])[0]
        finally:
            c.k.syscall(SYS.close, fd)
    return _one(c, AT, c.args[0], tr)


@handles("getxattr", "lgetxattr", "setxattr", "lsetxattr", "listxattr", "llistxattr",
         "removexattr", "lremovexattr")
def sys_xattr(c: Call) -> object:
    def no(d: int, p: bytes) -> int:
        raise Errno(95)    # ENOTSUP: "no extended attributes" to ls and cp
    return _one(c, AT, c.args[0], no)


@handles("inotify_add_watch")
def sys_inotify(c: Call) -> object:
    def no(d: int, p: bytes) -> int:
        raise Errno(95, "inotify on kernel files is not supported (EOPNOTSUPP)")
    return _one(c, AT, c.args[1], no)


@handles("name_to_handle_at")
def sys_name_to_handle(c: Call) -> object:
    def no(d: int, p: bytes) -> int:
        raise Errno(95)
    return _one(c, c.args[0], c.args[1], no)


@handles("chroot")
def sys_chroot(c: Call) -> object:
    def no(d: int, p: bytes) -> int:
        raise Errno(1, "chroot into the kernel is not supported (EPERM)")
    return _one(c, AT, c.args[0], no)


# ----- statfs ---------------------------------------------------------------------------

_STATFS = struct.Struct("<qqQQQQQiiqqq32x")   # Linux struct statfs (x86-64), 120 bytes
_FSTYPES = {b"tmpfs": 0x01021994, b"rumpfs": 0x72756D70, b"ptyfs": 0x50545946}


def statfs_to_linux(raw: bytes) -> bytes:
    from sysproxy.abi.statvfs import unpack_statvfs
    v = unpack_statvfs(raw)
    ftype = _FSTYPES.get(v.f_fstypename.split(b"\0", 1)[0], 0x52554D50)
    flags = 0x20 | (1 if v.f_flag & 1 else 0)   # ST_VALID, ST_RDONLY
    fsid0, fsid1 = v.f_fsidx
    return _STATFS.pack(ftype, v.f_frsize or v.f_bsize, v.f_blocks, v.f_bfree, v.f_bavail,
                        v.f_files, v.f_ffree, fsid0 & 0x7FFFFFFF, fsid1 & 0x7FFFFFFF,
                        v.f_namemax, v.f_frsize or v.f_bsize, flags)


def _kstatvfs(c: Call, nbnum: int, target: int | bytes) -> bytes:
    from sysproxy.abi.statvfs import STATVFS_SIZE
    out = Out(STATVFS_SIZE)
    c.k.syscall(nbnum, target, out, 1)   # ST_WAIT
    return bytes(out.buf)


@handles("statfs")
def sys_statfs(c: Call) -> object:
    r = _resolve(c, AT, c.args[0])
    if r is None:
        return CONTINUE
    c.proc.mem.write(c.args[1], statfs_to_linux(_kstatvfs(c, SYS.statvfs1, _p(r[1]))))
    return 0


@handles("fstatfs")
def sys_fstatfs(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    c.proc.mem.write(c.args[1], statfs_to_linux(_kstatvfs(c, SYS.fstatvfs1, kfd)))
    return 0
