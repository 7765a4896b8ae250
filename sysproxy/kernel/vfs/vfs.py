"""The VFS: the mount table, kernel memory for file systems, and entry points
other subsystems use (AF_LOCAL sockets bind and connect through it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ..errors import KernelError
from .access import VWRITE, can_access
from .mount import Mount
from .namei import CREATE, namei
from .vnode import VDIR, VSOCK, Vnode

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..proc import Proc


class VFS:
    def __init__(self, kernel: "Kernel") -> None:
        self.kernel = kernel
        self.mounts: list[Mount] = []
        self.root: Vnode = None  # type: ignore[assignment]
        self.mntid = 0
        self.memlimit: int | None = kernel.memlimit
        self.mem_used = 0
        from ..fs.tmpfs import phys_mem
        self._phys = phys_mem()

    # -- memory shared by every tmpfs ----------------------------------------
    def charge(self, nbytes: int) -> None:
        if nbytes > 0 and self.memlimit is not None and self.mem_used + nbytes > self.memlimit:
            raise KernelError(E.ENOSPC)
        self.mem_used += nbytes

    def mem_available(self) -> int:
        cap = self.memlimit if self.memlimit is not None else self._phys
        return max(0, cap - self.mem_used)

    # -- mounts ----------------------------------------------------------------
    def next_mntid(self) -> int:
        """NetBSD's xxxfs_mntid: each mount takes the next minor for its fsid."""
        m = self.mntid
        self.mntid += 1
        return m

    def mount_root(self, mp: Mount) -> None:
        self.root = mp.root
        self.mounts.insert(0, mp)

    def mount(self, mp: Mount, covered: Vnode, onname: bytes) -> None:
        mp.covered = covered
        mp.mntonname = onname
        covered.mountedhere = mp
        self.mounts.append(mp)

    def unmount(self, mp: Mount) -> None:
        if mp.covered is not None:
            mp.covered.mountedhere = None
        self.mounts.remove(mp)
        mp.unmount()

    def busy(self, mp: Mount) -> bool:
        """Whether something still uses ``mp`` (open files, a cwd/root, a mount below)."""
        if mp.opencount > 0 or self.has_submounts(mp):
            return True
        for p in self.kernel.procs.values():
            for vp in (p.cwd, p.root):
                if vp is not None and vp.mount is mp and p.pid != 1:
                    return True
        return False

    def has_submounts(self, mp: Mount) -> bool:
        """Whether another file system is mounted on a directory of ``mp``."""
        return any(other is not mp and other.covered is not None and other.covered.mount is mp
                   for other in self.mounts)

    # -- helpers for other subsystems ------------------------------------------
    def _start(self, proc: "Proc") -> tuple[Vnode, Vnode]:
        root = proc.root or self.root
        return root, proc.cwd or root

    def bind_socket(self, proc: "Proc", path: bytes, sockobj: Any) -> Vnode:
        """Make the socket node ``path`` (AF_LOCAL bind): EADDRINUSE if the name exists."""
        root, cwd = self._start(proc)
        cred = proc.cred
        r = namei(root, cwd, path, cred, follow=False, op=CREATE)
        if r.vp is not None or r.dvp is None:
            raise KernelError(E.EADDRINUSE)
        if r.slash:
            raise KernelError(E.ENOENT)
        dvp = r.dvp
        err = can_access(dvp, cred, VWRITE)
        if err:
            raise KernelError(err)
        if dvp.mount.rdonly:
            raise KernelError(E.EROFS)
        vp = dvp.create(r.name, VSOCK, 0o777 & ~proc.umask, cred.euid, dvp.gid)
        vp.socket = sockobj
        return vp

    def lookup_socket(self, proc: "Proc", path: bytes) -> Any:
        """The socket bound at ``path`` (AF_LOCAL connect), as NetBSD's unp_connect checks."""
        root, cwd = self._start(proc)
        vp = namei(root, cwd, path, proc.cred).vp
        assert vp is not None
        if vp.vtype != VSOCK:
            raise KernelError(E.ENOTSOCK)
        err = can_access(vp, proc.cred, VWRITE)
        if err:
            raise KernelError(err)
        if vp.socket is None:
            raise KernelError(E.ECONNREFUSED)
        return vp.socket

    def is_dir(self, vp: Vnode) -> bool:
        return vp.vtype == VDIR
