"""The Linux/x86-64 side of the translation: system call numbers, flag values,
and the layouts of struct stat, struct statx and linux_dirent64.

Facts from Linux's arch/x86/entry/syscalls/syscall_64.tbl and uapi headers. The
NetBSD side is :mod:`sysproxy.abi`; the tables that pair them live here so a
reader finds every Linux number in one place.
"""
from __future__ import annotations

import os
import struct

from sysproxy.abi import fcntl as nbfcntl
from sysproxy.abi import stat as nbstat

# ---- system call numbers (x86-64) -------------------------------------------
NR = dict(
    read=0, write=1, open=2, close=3, stat=4, fstat=5, lstat=6, poll=7, lseek=8,
    mmap=9, ioctl=16, pread64=17, pwrite64=18, readv=19, writev=20, access=21,
    select=23, dup=32, dup2=33, sendfile=40, socket=41, connect=42, accept=43,
    sendto=44, recvfrom=45, sendmsg=46, recvmsg=47, shutdown=48, bind=49, listen=50,
    getsockname=51, getpeername=52, socketpair=53, setsockopt=54, getsockopt=55,
    clone=56, fork=57, vfork=58, execve=59, exit=60, fcntl=72, flock=73, fsync=74,
    fdatasync=75, truncate=76, ftruncate=77, getdents=78, getcwd=79, chdir=80,
    fchdir=81, rename=82, mkdir=83, rmdir=84, creat=85, link=86, unlink=87,
    symlink=88, readlink=89, chmod=90, fchmod=91, chown=92, fchown=93, lchown=94,
    utime=132, mknod=133, statfs=137, fstatfs=138, chroot=161, readahead=187,
    getxattr=191, lgetxattr=192, fgetxattr=193, listxattr=194, llistxattr=195,
    flistxattr=196, utimes=235, getdents64=217, fadvise64=221, exit_group=231,
    openat=257, mkdirat=258, mknodat=259, fchownat=260, futimesat=261,
    newfstatat=262, unlinkat=263, renameat=264, linkat=265, symlinkat=266,
    readlinkat=267, fchmodat=268, faccessat=269, splice=275, tee=276,
    sync_file_range=277, utimensat=280, fallocate=285, accept4=288, dup3=292,
    preadv=295, pwritev=296, name_to_handle_at=303, syncfs=306, setns=308,
    renameat2=316, ppoll=271, umask=95, epoll_wait=232, epoll_ctl=233,
    epoll_pwait=281, epoll_pwait2=441, execveat=322, copy_file_range=326, preadv2=327, pwritev2=328,
    statx=332, clone3=435, close_range=436, openat2=437, faccessat2=439,
    fchmodat2=452, inotify_add_watch=254, setxattr=188, lsetxattr=189,
    removexattr=197, lremovexattr=198, fsetxattr=190, fremovexattr=199,
)
NAME = {v: k for k, v in NR.items()}

# ---- flags -------------------------------------------------------------------
AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
AT_REMOVEDIR = 0x200
AT_EACCESS = 0x200
AT_SYMLINK_FOLLOW = 0x400
AT_NO_AUTOMOUNT = 0x800
AT_EMPTY_PATH = 0x1000
O_PATH = 0o10000000
O_TMPFILE = 0o20000000 | 0o200000
O_CLOEXEC = 0o2000000
O_LARGEFILE = 0o100000
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
F_DUPFD_CLOEXEC = 1030
CLONE_VM, CLONE_VFORK, CLONE_THREAD = 0x100, 0x4000, 0x10000
MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS = 1, 2, 0x20
PROT_WRITE = 2
TCGETS, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX = 0x5401, 0x541B, 0x5421, 0x5451, 0x5450
FICLONE = 0x40049409


def at_flags_to_netbsd(flags: int) -> int:
    """AT_SYMLINK_NOFOLLOW and AT_SYMLINK_FOLLOW (AT_EMPTY_PATH is handled by the caller)."""
    out = 0
    if flags & AT_SYMLINK_NOFOLLOW:
        out |= nbfcntl.AT_SYMLINK_NOFOLLOW
    if flags & AT_SYMLINK_FOLLOW:
        out |= nbfcntl.AT_SYMLINK_FOLLOW
    return out


_OPEN_PAIRS = [(getattr(os, n), getattr(nbfcntl, n)) for n in (
    "O_NONBLOCK", "O_APPEND", "O_NOFOLLOW", "O_CREAT", "O_TRUNC", "O_EXCL",
    "O_NOCTTY", "O_DSYNC", "O_DIRECT", "O_DIRECTORY", "O_CLOEXEC", "O_ASYNC")]
_O_SYNC_LINUX = 0o4010000   # __O_SYNC | O_DSYNC


def open_flags_to_netbsd(flags: int) -> int:
    """Linux open flags -> NetBSD's. O_PATH opens for reading (NetBSD 7 has no
    O_PATH); O_LARGEFILE and O_NOATIME mean nothing there."""
    out = flags & 3
    if flags & O_PATH:
        out = nbfcntl.O_RDONLY
    if flags & _O_SYNC_LINUX == _O_SYNC_LINUX:
        out |= nbfcntl.O_SYNC
    for host, nb in _OPEN_PAIRS:
        if flags & host:
            out |= nb
    return out


def open_flags_from_netbsd(flags: int) -> int:
    out = flags & 3
    for host, nb in _OPEN_PAIRS:
        if flags & nb:
            out |= host
    if flags & nbfcntl.O_SYNC:
        out |= _O_SYNC_LINUX
    return out | O_LARGEFILE


# ---- struct stat, statx, dirent64 -------------------------------------------
_LSTAT = struct.Struct("<QQQIIIIQqqqqqqqqq24x")   # 144 bytes
_STATX = struct.Struct("<IIQIIIHHQQQQqI4xqI4xqI4xqI4xIIII")  # first 0x90 bytes of 256
STATX_SIZE = 256
STATX_BASIC_STATS = 0x7FF
STATX_BTIME = 0x800


def _nb_major_minor(dev: int) -> tuple[int, int]:
    """NetBSD's major()/minor() of a dev_t (sys/types.h)."""
    dev &= 0xFFFFFFFF
    return (dev & 0x000FFF00) >> 8, ((dev & 0xFFF00000) >> 12) | (dev & 0xFF)


def _linux_dev(dev: int) -> int:
    ma, mi = _nb_major_minor(dev)
    return os.makedev(ma, mi)


def stat_to_linux(raw: bytes | bytearray) -> bytes:
    """A NetBSD struct stat as Linux's struct stat (x86-64)."""
    (dev, mode, ino, nlink, uid, gid, rdev, a_s, a_n, m_s, m_n, c_s, c_n, _b_s, _b_n,
     size, blocks, blksize, _flags, _gen) = nbstat.STAT.unpack_from(raw)
    return _LSTAT.pack(_linux_dev(dev), ino, nlink, mode, uid, gid, 0, _linux_dev(rdev),
                       size, blksize, blocks, a_s, a_n, m_s, m_n, c_s, c_n)


def stat_to_statx(raw: bytes | bytearray) -> bytes:
    (dev, mode, ino, nlink, uid, gid, rdev, a_s, a_n, m_s, m_n, c_s, c_n, b_s, b_n,
     size, blocks, blksize, _flags, _gen) = nbstat.STAT.unpack_from(raw)
    dma, dmi = _nb_major_minor(dev)
    rma, rmi = _nb_major_minor(rdev)
    head = _STATX.pack(STATX_BASIC_STATS | STATX_BTIME, blksize, 0, nlink, uid, gid,
                       mode, 0, ino, size, blocks, 0, a_s, a_n, b_s, b_n, c_s, c_n,
                       m_s, m_n, rma, rmi, dma, dmi)
    return head + bytes(STATX_SIZE - len(head))


_D64 = struct.Struct("<QqHB")   # d_ino, d_off, d_reclen, d_type; name follows at 19


def dirents_to_linux(raw: bytes, start_off: int) -> list[bytes]:
    """NetBSD getdents records -> linux_dirent64 records (one bytes per entry).
    DT_* values agree."""
    out = []
    off = start_off
    for ino, name, dtype in nbstat.unpack_dirents(raw):
        off += 1
        bname = name if isinstance(name, bytes) else os.fsencode(name)
        reclen = (19 + len(bname) + 1 + 7) & ~7
        rec = _D64.pack(ino, off, reclen, dtype) + bname
        out.append(rec + bytes(reclen - len(rec)))
    return out
