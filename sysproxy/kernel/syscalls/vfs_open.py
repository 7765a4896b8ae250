"""Opening and sizing files: open, openat, lseek, truncate, ftruncate, fsync and
friends, posix_fallocate, fdiscard, __getdents30.

open follows NetBSD's vn_open: O_CREAT makes a regular file with
``mode & ~umask`` (sticky bit dropped) owned by the caller and the directory's
group; O_EXCL and O_NOFOLLOW do not follow a final symlink (O_NOFOLLOW on a
symlink is EFTYPE); read access is checked, then write access (EISDIR for a
directory); sockets cannot be opened (EOPNOTSUPP).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import stat as S
from ..errors import KernelError
from ..file import FREAD, FWRITE
from ..vfs import locks, revoke
from ..vfs.access import VREAD, VWRITE, vaccess
from ..vfs.namei import CREATE, LOOKUP
from ..vfs.setattr import truncate as vtruncate
from ..vfs.vnfile import DeviceFile, VnodeFile
from ..vfs.vnode import APPEND, VBLK, VCHR, VDIR, VFIFO, VLNK, VREG, VSOCK
from .args import i32, i64
from .table import Args, syscall
from .vfs_util import check_atfd, lookup, path_in, vnode_file

if TYPE_CHECKING:
    from ..file import File
    from ..lwp import Lwp
    from ..vfs.vnode import Vnode

FDATASYNC, FFILESYNC, FDISKSYNC = 0x0010, 0x0020, 0x0040
OFF_MAX = (1 << 63) - 1
MAXBSIZE = 64 * 1024


async def do_open(l: "Lwp", dirfd: int, path: bytes, oflags: int, mode: int) -> int:
    check_atfd(l, dirfd)  # do_sys_openat: the descriptor before do_open's checks
    fmode = F.FFLAGS(oflags)
    if not fmode & (FREAD | FWRITE):
        raise KernelError(E.EINVAL)
    if oflags & (F.O_CREAT | F.O_DIRECTORY) == F.O_CREAT | F.O_DIRECTORY:
        raise KernelError(E.EINVAL)  # vn_open refuses the pair before any lookup
    p = l.proc
    cred = p.cred
    created = False
    if oflags & F.O_CREAT:
        follow = not oflags & (F.O_EXCL | F.O_NOFOLLOW)
        r = lookup(l, path, follow, CREATE, dirfd)
        vp = r.vp
        if vp is None:
            dvp = r.dvp
            assert dvp is not None
            # do_open's cmode; tmpfs keeps a set-group-ID bit whoever asks
            cmode = (mode & ~p.umask) & S.ALLPERMS & ~S.S_ISTXT
            vp = dvp.create(r.name, VREG, cmode, cred.euid, dvp.gid)
            created = True
        elif oflags & F.O_EXCL:
            raise KernelError(E.EEXIST)
    else:
        vp = lookup(l, path, not oflags & F.O_NOFOLLOW, LOOKUP, dirfd).vp
        assert vp is not None
    vt = vp.vtype
    if vt == VSOCK:
        raise KernelError(E.EOPNOTSUPP)
    if vt == VLNK:
        raise KernelError(E.EFTYPE)
    if not created:  # vn_openchk: O_DIRECTORY, EISDIR, then one VOP_ACCESS
        if oflags & F.O_DIRECTORY and vt != VDIR:
            raise KernelError(E.ENOTDIR)
        acc = VREAD if fmode & FREAD else 0
        if fmode & (FWRITE | F.O_TRUNC):
            if vt == VDIR:
                raise KernelError(E.EISDIR)
            acc |= VWRITE
        vaccess(vp, cred, acc)
        if oflags & F.O_TRUNC:
            vtruncate(vp, 0, always_touch=True)
    if vp.flags & APPEND and fmode & (FWRITE | F.O_APPEND) == FWRITE:
        raise KernelError(E.EPERM)  # tmpfs_open
    return await install_vnode_file(l, vp, fmode, oflags)


async def install_vnode_file(l: "Lwp", vp: "Vnode", fmode: int, oflags: int) -> int:
    """The end of an open that found and checked its vnode (open(2), fhopen(2)): the
    file for its type (device, FIFO, vnode), a descriptor (O_CLOEXEC), then
    O_EXLOCK/O_SHLOCK, as vn_open's callers and open_setfp do. Returns the fd."""
    vt = vp.vtype
    flag = fmode & F.FMASK
    f: File
    open_file = getattr(vp, "open_file", None)  # a node with its own file (fs/etfs.py)
    if open_file is not None:
        f = open_file(flag)
    elif vt == VCHR:
        f = DeviceFile(flag, vp)
    elif vt == VBLK:
        raise KernelError(E.ENXIO)
    elif vt == VFIFO:
        fifo_open = getattr(l.kernel, "fifo_open", None)
        if fifo_open is None:
            raise KernelError(E.EOPNOTSUPP)
        res = fifo_open(l, vp, flag)
        f = await res if hasattr(res, "__await__") else res
    else:
        f = VnodeFile(flag, vp)
    revoke.register(vp, f)
    fdt = l.proc.fd
    try:
        fd = fdt.alloc(f, bool(oflags & F.O_CLOEXEC))
    except KernelError:
        f.hold()
        f.release()
        raise
    if oflags & (F.O_EXLOCK | F.O_SHLOCK) and isinstance(f, VnodeFile):
        ltype = F.F_WRLCK if oflags & F.O_EXLOCK else F.F_RDLCK
        try:
            await locks.setlock(l, vp, f, ltype, 0, locks.INF, not oflags & F.O_NONBLOCK, True)
        except KernelError:
            fdt.close(fd)
            raise
        f.flocked = True
    return fd


@syscall("open")
async def sys_open(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    return await do_open(l, F.AT_FDCWD, path, i32(a[1]), i32(a[2]))


@syscall("openat")
async def sys_openat(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[1])
    return await do_open(l, i32(a[0]), path, i32(a[2]), i32(a[3]))


@syscall("lseek")
async def sys_lseek(l: "Lwp", a: Args) -> int:
    f = l.proc.fd.get(i32(a[0]))
    return f.seek(l, i64(a[2]), i32(a[3]))


@syscall("truncate")
async def sys_truncate(l: "Lwp", a: Args) -> int:
    """A negative length is EINVAL before the path is even copied in."""
    length = i64(a[2])
    if length < 0:
        raise KernelError(E.EINVAL)
    path = await path_in(l, a[0])
    vp = lookup(l, path).vp
    assert vp is not None
    if vp.vtype == VDIR:
        raise KernelError(E.EISDIR)
    vaccess(vp, l.proc.cred, VWRITE)
    vtruncate(vp, length)
    return 0


@syscall("ftruncate")
async def sys_ftruncate(l: "Lwp", a: Args) -> int:
    """A negative length is EINVAL before the descriptor is looked at."""
    length = i64(a[2])
    if length < 0:
        raise KernelError(E.EINVAL)
    f = l.proc.fd.get(i32(a[0]))
    if not isinstance(f, VnodeFile) or not f.flag & FWRITE:
        raise KernelError(E.EBADF if f.revoked and f.flag & FWRITE else E.EINVAL)
    vtruncate(f.vp, length)
    return 0


def _sync_file(l: "Lwp", fd: int) -> VnodeFile | revoke.DeadFile:
    """The file of an fsync call: fd_getvnode's checks; a revoked vnode passes
    (its VOP_FSYNC, dead_fsync, is a no-op that succeeds)."""
    f = l.proc.fd.get(fd)
    return f if isinstance(f, revoke.DeadFile) else vnode_file(l, fd)


@syscall("fsync")
async def sys_fsync(l: "Lwp", a: Args) -> int:
    f = _sync_file(l, i32(a[0]))
    if not f.revoked:
        f.vp.fsync()
    return 0


@syscall("fdatasync")
async def sys_fdatasync(l: "Lwp", a: Args) -> int:
    f = _sync_file(l, i32(a[0]))
    if not f.flag & FWRITE:
        raise KernelError(E.EBADF)
    if not f.revoked:  # dead_fsync is genfs_nullop
        f.vp.fsync()
    return 0


@syscall("fsync_range")
async def sys_fsync_range(l: "Lwp", a: Args) -> int:
    """sys_fsync_range: the descriptor, FWRITE (EBADF), exactly one of FDATASYNC and
    FFILESYNC (other bits are not looked at), then a range that wraps (EINVAL;
    a zero length means the whole file, whatever the start)."""
    f = _sync_file(l, i32(a[0]))
    if not f.flag & FWRITE:
        raise KernelError(E.EBADF)
    flags, start, length = i32(a[1]), i64(a[2]), i64(a[3])
    both = FDATASYNC | FFILESYNC
    if not flags & both or flags & both == both:
        raise KernelError(E.EINVAL)
    end = ((start + length + (1 << 63)) % (1 << 64)) - (1 << 63)  # C's wrapping off_t
    if length and end < start:
        raise KernelError(E.EINVAL)
    if not f.revoked:
        f.vp.fsync()
    return 0


def _range_file(l: "Lwp", fd: int, pos: int, length: int) -> VnodeFile:
    """sys_posix_fallocate's and sys_fdiscard's checks, in their order: the range
    (EINVAL), fd_getvnode (EBADF; EINVAL for pipes, sockets...), FWRITE (EBADF),
    a directory (EISDIR). What the file's VOP then says is the file system's:
    7.99.34's tmpfs has neither (EOPNOTSUPP)."""
    if pos < 0 or length < 0 or length > OFF_MAX - pos:
        raise KernelError(E.EINVAL)
    f = vnode_file(l, fd)
    if not f.flag & FWRITE:
        raise KernelError(E.EBADF)
    if f.vp.vtype == VDIR:
        raise KernelError(E.EISDIR)
    return f


@syscall("posix_fallocate")
async def sys_posix_fallocate(l: "Lwp", a: Args) -> int:
    """NOERR: the error number is the return value."""
    try:
        f = _range_file(l, i32(a[0]), i64(a[2]), i64(a[3]))
        f.vp.allocate(i64(a[2]), i64(a[3]))
        return 0
    except KernelError as e:
        return e.errno


@syscall("fdiscard")
async def sys_fdiscard(l: "Lwp", a: Args) -> int:
    f = _range_file(l, i32(a[0]), i64(a[2]), i64(a[3]))
    if f.vp.vtype not in (VREG, VDIR):
        raise KernelError(E.ENODEV)  # spec_fdiscard: mem's d_discard is nodiscard
    f.vp.discard(i64(a[2]), i64(a[3]))
    return 0


@syscall("__getdents30")
async def sys_getdents(l: "Lwp", a: Args) -> int:
    """vn_readdir: at most MAXBSIZE bytes (count is a u_int there); entries that
    do not fit wait for the next call (0 bytes when not even one fits)."""
    f = vnode_file(l, i32(a[0]))
    buf, count = a[1], min(MAXBSIZE, a[2] & 0xFFFFFFFF)
    if not f.flag & FREAD:
        raise KernelError(E.EBADF)
    vp = f.vp
    if vp.vtype != VDIR:
        raise KernelError(E.EINVAL)
    total = 0
    cookie = f.offset
    try:
        for nextc, ino, name, dtype in vp.readdir(cookie):
            rec = S.pack_dirent(ino, name, dtype)
            if total + len(rec) > count:
                break
            l.copyout(buf + total, rec)  # one COPYOUT per entry, as tmpfs does
            total += len(rec)
            cookie = nextc
    finally:
        f.offset = cookie
    return total
