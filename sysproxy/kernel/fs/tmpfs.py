"""tmpfs: the memory file system, as NetBSD's tmpfs behaves.

Directories keep their entries in insertion order (a rename within one
directory keeps the entry's place, as tmpfs does); each entry carries a
sequence number that serves as its readdir cookie, so entries added or
removed during a listing never shift the others. Regular file data lives in
tmpfs_data.FileData. Memory is charged to the mount's size limit and to the
kernel-wide memlimit before anything changes.
"""
from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import event as EV
from ...abi import fhandle as FH
from ...abi import stat as S
from ..errors import KernelError
from ..vfs.mount import Mount
from ..vfs.vnode import APPEND, IMMUTABLE, VBLK, VCHR, VDIR, VLNK, VNOVAL_DEV, VREG, VTYPE_IFMT, Vnode, now_ns
from .tmpfs_data import FileData

if TYPE_CHECKING:
    from ..vfs.vfs import VFS

DIRENT_SIZE = 48  # sizeof(struct tmpfs_dirent) on amd64 (7.99.34 layout): a directory grows by this
# readdir cookies (TMPFS_DIRSEQ_*): ".", "..", the end, then each entry's sequence
# number, given when the entry is attached and never reused within the directory
COOKIE_DOT, COOKIE_DOTDOT, COOKIE_EOF, COOKIE_FIRST = 0, 1, 2, 3
LINK_MAX = 32767


TMPFS_NODE_GEN_MASK = 0x7FFFFFFF  # tn_gen's low 31 bits; 0 marks a dead node


class TmpfsNode(Vnode):
    __slots__ = ("gen",)  # tn_gen: with the inode number, what a file handle names
    gen: int

    def inactive(self) -> None:
        if self.nlink <= 0 and self.opencount <= 0:
            self.mount.node_freed(self)  # type: ignore[attr-defined]


class TmpfsReg(TmpfsNode):
    __slots__ = ("data",)

    def __init__(self, mount: "TmpfsMount", mode: int, uid: int, gid: int, ino: int) -> None:
        super().__init__(mount, VREG, mode, uid, gid, ino)
        self.data = FileData(mount)

    @property
    def size(self) -> int:
        return self.data.size

    def read(self, offset: int, n: int) -> bytes:
        return self.data.read(offset, n)

    def write(self, offset: int, data: bytes) -> int:
        d = self.data
        old = d.size
        n = d.write(offset, data)
        self.mtime = self.ctime = now_ns()
        if self.knotes:
            self.notify(EV.NOTE_WRITE | (EV.NOTE_EXTEND if d.size > old else 0))
        return n

    def truncate(self, size: int) -> None:
        d = self.data
        old = d.size
        d.truncate(size)
        if self.knotes and size > old:
            self.notify(EV.NOTE_EXTEND)

    # allocate and discard: 7.99.34's tmpfs has neither (genfs_eopnotsupp, the default)

    def blocks_bytes(self) -> int:
        return (self.data.size + 4095) & ~4095


class TmpfsLink(TmpfsNode):
    __slots__ = ("target",)
    target: bytes

    @property
    def size(self) -> int:
        return len(self.target)

    def readlink(self) -> bytes:
        return self.target


class TmpfsSpecial(TmpfsNode):
    """Device nodes, FIFOs and sockets: attributes only."""

    __slots__ = ()


class TmpfsDir(TmpfsNode):
    __slots__ = ("entries", "seqs", "nextseq", "dparent", "dname")

    def __init__(self, mount: "TmpfsMount", mode: int, uid: int, gid: int, ino: int,
                 parent: "TmpfsDir | None", name: bytes) -> None:
        super().__init__(mount, VDIR, mode, uid, gid, ino)
        self.entries: dict[bytes, Vnode] = {}
        self.seqs: dict[bytes, int] = {}
        self.nextseq = COOKIE_FIRST  # tn_next_seq
        self.dparent: TmpfsDir = parent if parent is not None else self
        self.dname = name
        self.nlink = 2

    @property
    def size(self) -> int:
        return len(self.entries) * DIRENT_SIZE

    def lookup(self, name: bytes) -> Vnode | None:
        return self.entries.get(name)

    def parent(self) -> Vnode:
        return self.dparent

    def is_empty(self) -> bool:
        return not self.entries

    def name_in_parent(self) -> bytes | None:
        return self.dname

    def _attach(self, name: bytes, vp: Vnode) -> None:
        self.entries[name] = vp
        self.seqs[name] = self.nextseq
        self.nextseq += 1

    def _detach(self, name: bytes) -> None:
        del self.entries[name]
        del self.seqs[name]

    def create(self, name: bytes, vtype: int, mode: int, uid: int, gid: int,
               rdev: int = VNOVAL_DEV, target: bytes = b"") -> Vnode:
        m: TmpfsMount = self.mount  # type: ignore[assignment]
        if self.nlink == 0:  # a removed directory takes no new names (tmpfs_construct_node)
            raise KernelError(E.ENOENT)
        if vtype == VDIR and self.nlink >= LINK_MAX:
            raise KernelError(E.EMLINK)
        ino = m.alloc_ino(len(target))
        vp: Vnode
        if vtype == VREG:
            vp = TmpfsReg(m, mode, uid, gid, ino)
        elif vtype == VDIR:
            vp = TmpfsDir(m, mode, uid, gid, ino, self, name)
            self.nlink += 1
        elif vtype == VLNK:
            vp = TmpfsLink(m, VLNK, mode, uid, gid, ino)
            vp.target = target
        else:
            vp = TmpfsSpecial(m, vtype, mode, uid, gid, ino,
                              rdev if vtype in (VCHR, VBLK) else VNOVAL_DEV)
        m.node_allocated(vp)
        self._attach(name, vp)
        self.mtime = self.ctime = vp.ctime
        if self.knotes:
            self.notify(EV.NOTE_WRITE | (EV.NOTE_LINK if vtype == VDIR else 0))
        return vp

    def link(self, name: bytes, vp: Vnode) -> None:
        if self.nlink == 0:
            raise KernelError(E.ENOENT)
        if vp.nlink >= LINK_MAX:
            raise KernelError(E.EMLINK)
        if vp.flags & (IMMUTABLE | APPEND):
            raise KernelError(E.EPERM)
        self._attach(name, vp)
        vp.nlink += 1
        t = now_ns()
        vp.ctime = self.mtime = self.ctime = t
        vp.notify(EV.NOTE_LINK)
        self.notify(EV.NOTE_WRITE)

    def remove(self, name: bytes, vp: Vnode) -> None:
        self._detach(name)
        t = now_ns()
        self.mtime = self.ctime = t
        if vp.vtype == VDIR:
            self.nlink -= 1
            vp.nlink = 0
            vp.dparent = vp  # type: ignore[attr-defined]  # ".." of a removed directory
            self.notify(EV.NOTE_WRITE | EV.NOTE_LINK)
        else:
            vp.nlink -= 1
            vp.ctime = t
            self.notify(EV.NOTE_WRITE)
        vp.notify(EV.NOTE_DELETE if vp.nlink <= 0 else EV.NOTE_LINK)
        vp.inactive()

    def rename(self, fname: bytes, fvp: Vnode, tdvp: Vnode, tname: bytes,
               tvp: Vnode | None) -> None:
        tdir: TmpfsDir = tdvp  # type: ignore[assignment]
        if tdir.nlink == 0:  # into a removed directory: nothing moves
            raise KernelError(E.ENOENT)
        t = now_ns()
        if tdir is self:
            # tmpfs_gro_rename renames the entry in place: its position and cookie stay;
            # a replaced entry is then detached
            if tvp is not None:
                tdir.remove(tname, tvp)
            self.entries = {(tname if k == fname else k): v for k, v in self.entries.items()}
            self.seqs = {(tname if k == fname else k): s for k, s in self.seqs.items()}
        else:
            # across directories the entry moves to the end of the target (a new
            # cookie) before the replaced entry goes
            self._detach(fname)
            if tvp is not None:
                tdir.remove(tname, tvp)
            tdir._attach(tname, fvp)
        if fvp.vtype == VDIR:
            fvp.dname = tname  # type: ignore[attr-defined]
            if tdir is not self:
                fvp.dparent = tdir  # type: ignore[attr-defined]
                self.nlink -= 1
                tdir.nlink += 1
        fvp.ctime = t
        self.mtime = self.ctime = t
        tdir.mtime = tdir.ctime = t
        fvp.notify(EV.NOTE_RENAME)
        # tmpfs_gro_rename: across directories the entry is detached from one and
        # attached to the other, and a directory's ".." moves its link with it
        # (tmpfs_dir_detach/attach post NOTE_WRITE | NOTE_LINK on each parent)
        ev = EV.NOTE_WRITE
        if tdir is not self and fvp.vtype == VDIR:
            ev |= EV.NOTE_LINK
        self.notify(ev)
        if tdir is not self:
            tdir.notify(ev)

    def readdir(self, cookie: int) -> Iterator[tuple[int, int, bytes, int]]:
        """tmpfs_dir_getdents: a cookie is the sequence number of the next entry;
        one that names no entry (it was removed, or never was) is EINVAL; a
        removed directory lists nothing, not even "." and ".."."""
        if self.nlink == 0:
            return
        self.atime = now_ns()
        entries = self.entries
        seqs = self.seqs
        if cookie == COOKIE_DOT:
            yield COOKIE_DOTDOT, self.ino, b".", S.DT_DIR
            cookie = COOKIE_DOTDOT
        if cookie == COOKIE_DOTDOT:
            first = next(iter(seqs.values()), COOKIE_EOF)
            yield first, self.dparent.ino, b"..", S.DT_DIR
            cookie = first
        if cookie == COOKIE_EOF:
            return
        names = list(seqs)
        seq_list = list(seqs.values())
        try:
            i = seq_list.index(cookie)
        except ValueError:
            raise KernelError(E.EINVAL) from None
        for j in range(i, len(names)):
            name = names[j]
            vp = entries[name]
            nextc = seq_list[j + 1] if j + 1 < len(names) else COOKIE_EOF
            yield nextc, vp.ino, name, VTYPE_IFMT[vp.vtype] >> 12


class TmpfsMount(Mount):
    """One tmpfs: its nodes, its size limit and its share of the kernel's memory."""

    fstype = b"tmpfs"

    def __init__(self, vfs: "VFS", mntid: int, flags: int = 0, size_max: int = 0,
                 nodes_max: int = 0, root_uid: int = 0, root_gid: int = 0,
                 root_mode: int = 0o755) -> None:
        super().__init__(mntid, flags)
        self.vfs = vfs
        self.size_max = (size_max + 4095) & ~4095 if size_max > 0 else 0
        self.used = 0
        self.nodes = 0
        self.nodes_max = nodes_max if nodes_max > 0 else 0
        self.nextino = 2
        # Live nodes by inode number (tm_nodes, searched by tmpfs_fhtovp), freed
        # numbers to reuse (last freed first, as a node's pool slot and so its
        # tn_id come back) and the generation each freed number last had.
        self.inodes: dict[int, TmpfsNode] = {}
        self.freeinos: list[int] = []
        self.deadgen: dict[int, int] = {}
        self.root = TmpfsDir(self, root_mode & S.ALLPERMS, root_uid, root_gid,
                             self.alloc_ino(0), None, b"")
        self.node_allocated(self.root)

    # -- memory ---------------------------------------------------------------
    def charge(self, nbytes: int) -> None:
        """Account ``nbytes`` more of file data (negative: freed); ENOSPC if over a limit."""
        if nbytes > 0:
            if self.size_max and self.used + nbytes > self.size_max:
                raise KernelError(E.ENOSPC)
            self.vfs.charge(nbytes)
        else:
            self.vfs.charge(nbytes)
        self.used += nbytes

    def limit(self) -> int:
        """The bytes this file system may hold in all."""
        cap = self.vfs.mem_available() + self.used
        return min(cap, self.size_max) if self.size_max else cap

    def alloc_ino(self, extra: int) -> int:
        if self.nodes_max and self.nodes >= self.nodes_max:
            raise KernelError(E.ENOSPC)
        self.nodes += 1
        if self.freeinos:
            return self.freeinos.pop()
        ino = self.nextino
        self.nextino += 1
        return ino

    def node_allocated(self, vp: TmpfsNode) -> None:
        """tmpfs_init_vnode's tn_gen: random, nonzero, 31 bits (never the old one of a
        reused inode number, so a stale handle can never come back to life)."""
        old = self.deadgen.pop(vp.ino, 0)
        gen = 0
        while gen == 0 or gen == old:
            gen = random.getrandbits(31) & TMPFS_NODE_GEN_MASK
        vp.gen = gen
        self.inodes[vp.ino] = vp

    def node_freed(self, vp: Vnode) -> None:
        if self.inodes.get(vp.ino) is vp:  # tmpfs_inactive: generation 0 marks it dead
            del self.inodes[vp.ino]
            self.deadgen[vp.ino] = vp.gen
            vp.gen = 0
            self.freeinos.append(vp.ino)
        self.nodes -= 1
        if isinstance(vp, TmpfsReg):
            vp.data.free()

    def usage(self) -> tuple[int, int, int, int]:
        total = self.limit() // 4096
        used = (self.used + 4095) // 4096
        files = self.nodes_max or max(self.nodes + total, self.nodes)
        return total, max(0, total - used), files, max(0, files - self.nodes)

    # -- file handles (tmpfs_vptofh, tmpfs_fhtovp) --------------------------------
    def vptofh(self, vp: Vnode) -> bytes:
        return FH.pack_tmpfs_fid(vp.gen, vp.ino)  # type: ignore[attr-defined]

    def fhtovp(self, fid: bytes) -> Vnode:
        tf = FH.unpack_tmpfs_fid(fid)
        if tf.len != FH.TMPFS_FID_SIZE:
            raise KernelError(E.EINVAL)
        vp = self.inodes.get(tf.id)
        if vp is None or vp.gen != tf.gen or (vp.nlink <= 0 and vp.opencount <= 0):
            raise KernelError(E.ESTALE)
        return vp

    def unmount(self) -> None:
        self._free_tree(self.root)  # type: ignore[arg-type]
        self.inodes.clear()

    def _free_tree(self, d: TmpfsDir) -> None:
        for vp in d.entries.values():
            if isinstance(vp, TmpfsDir):
                self._free_tree(vp)
            elif isinstance(vp, TmpfsReg) and vp.opencount <= 0:
                vp.data.free()
        d.entries.clear()


def phys_mem() -> int:
    """The host's memory: what an unlimited tmpfs may hold, as NetBSD's tmpfs_mem_info."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 1 << 32
