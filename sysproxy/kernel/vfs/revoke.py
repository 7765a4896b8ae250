"""Revocation: revoke(2) and forced unmount kill the open files of a vnode.

NetBSD (vfs_vnode.c vrevoke/vgone/vclean) keeps the struct file and the
struct vnode but swaps the vnode's operations for deadfs's
(miscfs/deadfs/dead_vnops.c); the file system node is reclaimed and a later
lookup makes a fresh vnode for it. Here a Vnode is the file system node
itself, so the death is modelled on the open files instead: each File that
refers to the vnode gets deadfs's operations (its class becomes
:class:`DeadFile`) and lets go of the node (open count, locks, the FIFO
channel), while the node stays reachable by path for new opens. A process
cwd or root on the vnode becomes a :class:`DeadVnode`.

What deadfs answers, as DeadFile and DeadVnode give it:

* read: EIO, except 0 (end of file) for a tty (VV_ISTTY); write: EIO
* ioctl: EBADF (vn_ioctl still answers FIONBIO/FIOASYNC itself for a regular
  file or directory, and FIONREAD there asks getattr: EBADF)
* poll: every requested event (dead_poll: "let the user find out")
* getattr (fstat), setattr (fchmod, fchown, futimes...), readdir (getdents),
  access (fchdir), advlock (flock, fcntl locks): EBADF (dead_default_error)
* seek and fsync: no-ops that succeed (SEEK_END needs getattr: EBADF);
  close succeeds
* lookup: ENOENT, so every lookup relative to a dead cwd fails with ENOENT
"""
from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import ioctl as IO
from ...abi.event import NOTE_REVOKE
from ...abi.fcntl import SEEK_CUR, SEEK_END, SEEK_SET
from ..errors import KernelError
from ..file import DTYPE_VNODE, File
from . import locks
from .vnode import VDIR, VFIFO, VREG, Vnode

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..lwp import Lwp
    from .mount import Mount

OFF_MAX = (1 << 63) - 1

# The files opened on each vnode (open(2), fhopen(2)), whoever holds them now:
# descriptor tables, files in flight in SCM_RIGHTS messages, kqueues. Weak on
# both sides; a file whose last reference went (refs == 0) is skipped.
_files: "weakref.WeakKeyDictionary[Vnode, weakref.WeakSet[File]]" = weakref.WeakKeyDictionary()


def register(vp: Vnode, f: File) -> None:
    """Remember that ``f`` was opened on ``vp`` (install_vnode_file calls this)."""
    s = _files.get(vp)
    if s is None:
        s = _files[vp] = weakref.WeakSet()
    s.add(f)


def open_files(vp: Vnode) -> list[File]:
    s = _files.get(vp)
    if not s:
        return []
    return [f for f in s if f.refs > 0 and not f.revoked]


def _mount_files(mp: "Mount") -> Iterator[tuple[Vnode, File]]:
    for vp, s in list(_files.items()):
        if vp.mount is mp:
            for f in list(s):
                if f.refs > 0 and not f.revoked:
                    yield vp, f


# -- dead files -------------------------------------------------------------------
class DeadFile(File):
    """An open file whose vnode was revoked: deadfs's answers (class swapped in place,
    so every descriptor, dup and fork sharing the File sees it)."""

    dtype = DTYPE_VNODE
    revoked = True
    vp: Vnode
    tty: bool

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        if self.tty:
            return b""  # dead_read: end of file for a tty
        raise KernelError(E.EIO)

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        raise KernelError(E.EIO)

    def seek(self, lwp: "Lwp", offset: int, whence: int) -> int:
        if self.vp.vtype == VFIFO:
            raise KernelError(E.ESPIPE)  # vn_seek, before any vnode operation
        if whence == SEEK_SET:
            new = offset
        elif whence == SEEK_CUR:
            new = self.offset + offset
        elif whence == SEEK_END:
            raise KernelError(E.EBADF)  # VOP_GETATTR for the size
        else:
            raise KernelError(E.EINVAL)
        if new < 0 or new > OFF_MAX:
            raise KernelError(E.EINVAL)
        self.offset = new  # dead_seek is genfs_nullop
        return new

    def stat(self, lwp: "Lwp") -> bytes:
        raise KernelError(E.EBADF)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        if self.vp.vtype in (VREG, VDIR):
            if cmd == IO.FIOASYNC:
                return  # vn_ioctl answers it without the vnode
            if cmd == IO.FIONREAD:
                raise KernelError(E.EBADF)
            raise KernelError(E.ENOTTY)
        raise KernelError(E.EBADF)  # dead_ioctl

    def poll(self, events: int) -> int:
        return events  # dead_poll

    async def advlock(self, lwp: "Lwp", owner: Any, op: int, flock: Any, flags: int) -> Any:
        raise KernelError(E.EBADF)


def _kill(kernel: "Kernel", vp: Vnode, f: File) -> None:
    """Detach ``f`` from what it had open and give it deadfs's operations."""
    from ..pipe import PipeFile
    from .vnfile import DeviceFile, VnodeFile
    tty = False
    if isinstance(f, PipeFile):  # a FIFO opened by path: leave its channel as close does
        f.on_last_close()
    elif isinstance(f, VnodeFile):
        if isinstance(f, DeviceFile):
            tty = bool(getattr(f.drv, "is_tty", False))
            f.__dict__.pop("discards_writes", None)
        if vp.locks is not None:  # the flock(2) lock goes in on_last_close
            for p in kernel.procs.values():  # POSIX locks of the processes holding it
                fdt = p.fd
                if any(fdt.lookup(fd) is f for fd in fdt.fds()):
                    locks.release_owner(vp, fdt)
        f.on_last_close()
    f.__class__ = DeadFile
    f.vp = vp  # type: ignore[attr-defined]
    f.tty = tty  # type: ignore[attr-defined]


# -- dead vnodes (a cwd or root that was revoked) ------------------------------------
class _DeadMount:
    """NetBSD's dead_rootmount, as far as namei asks it."""

    root = None
    covered = None
    dev = 0
    opencount = 0
    rdonly = True


DEAD_MOUNT: Any = _DeadMount()


class DeadVnode(Vnode):
    """What a process's cwd or root becomes when its vnode is revoked: deadfs's lookup
    (ENOENT) and getattr (EBADF). The process can chdir/chroot away by absolute path."""

    __slots__ = ()
    dead = True

    def __init__(self, orig: Vnode) -> None:
        super().__init__(DEAD_MOUNT, orig.vtype, orig.mode, orig.uid, orig.gid, orig.ino)

    def lookup(self, name: bytes) -> Vnode | None:
        raise KernelError(E.ENOENT)

    def parent(self) -> Vnode:
        raise KernelError(E.ENOENT)

    def create(self, *args: Any, **kw: Any) -> Vnode:
        raise KernelError(E.ENOENT)

    def readdir(self, cookie: int) -> Any:
        raise KernelError(E.EBADF)

    def stat(self) -> bytes:
        raise KernelError(E.EBADF)


# -- revoking ----------------------------------------------------------------------
def _kill_dirs(kernel: "Kernel", pred: Any) -> int:
    """Replace every process cwd/root for which ``pred(vp)`` holds with a dead vnode."""
    n = 0
    dead: dict[int, DeadVnode] = {}
    for p in kernel.procs.values():
        for attr in ("cwd", "root"):
            vp = getattr(p, attr)
            if vp is not None and not vp.dead and pred(vp):
                d = dead.get(id(vp))
                if d is None:
                    d = dead[id(vp)] = DeadVnode(vp)
                setattr(p, attr, d)
                n += 1
    return n


def in_use(kernel: "Kernel", vp: Vnode) -> bool:
    """v_usecount > 1: open files, or a process cwd/root, still refer to ``vp``."""
    if open_files(vp):
        return True
    return any(p.cwd is vp or p.root is vp for p in kernel.procs.values())


def revoke_vnode(kernel: "Kernel", vp: Vnode) -> None:
    """VOP_REVOKE(vp, REVOKEALL): every open file of ``vp`` dies, as do cwd/root
    references to it (the root file system's root is never killed)."""
    for f in open_files(vp):
        _kill(kernel, vp, f)
    if vp is not kernel.vfs.root:
        _kill_dirs(kernel, lambda v: v is vp)
    vp.notify(NOTE_REVOKE)


def revoke_mount(kernel: "Kernel", mp: "Mount") -> None:
    """vflush(mp, NULL, FORCECLOSE): kill every open file and cwd/root on ``mp``."""
    seen: set[int] = set()
    for vp, f in list(_mount_files(mp)):
        _kill(kernel, vp, f)
        if id(vp) not in seen:
            seen.add(id(vp))
            vp.notify(NOTE_REVOKE)
    _kill_dirs(kernel, lambda v: v.mount is mp)


def dorevoke(kernel: "Kernel", vp: Vnode, cred: Any) -> None:
    """revoke(2) on a looked-up vnode: the owner or the superuser (EPERM otherwise);
    only a vnode in use is revoked (dorevoke's v_usecount > 1)."""
    if cred.euid != vp.uid and not cred.is_root:
        raise KernelError(E.EPERM)
    if in_use(kernel, vp):
        revoke_vnode(kernel, vp)


__all__ = ["DeadFile", "DeadVnode", "dorevoke", "in_use", "open_files", "register",
           "revoke_mount", "revoke_vnode"]
