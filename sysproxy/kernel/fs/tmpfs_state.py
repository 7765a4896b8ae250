"""The root tmpfs saved to a host file and restored at boot (``serve --state``).

The format (docs/STATE-FORMAT.md) is a header, a stream of length-prefixed
binary records (nodes, file data, directory entries, extended attributes) and
an end record with a SHA-256 of everything before it: binary because file data
goes in as it is (no base64 growth), records because a reader can check and
skip what it must, the digest because a damaged file must be refused, not half
restored.

Saving is atomic (a temporary file in the same directory, fsync, rename, fsync
of the directory), so a kill at any moment leaves the last complete state. A
save takes a consistent snapshot in the event loop (a walk of the tree and a
freeze of the file data's blocks, between system calls: a file copies a frozen
block before it changes it) and writes it in a worker thread, so a large tree
does not stop the server while it goes to disk.
"""
from __future__ import annotations

import hashlib
import logging
import mmap
import os
import struct
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import KernelError
from ..sleepq import Sleep
from ..vfs.vnode import VBLK, VCHR, VDIR, VFIFO, VLNK, VNOVAL_DEV, VREG, VSOCK, Vnode
from .tmpfs import COOKIE_FIRST, TmpfsDir, TmpfsLink, TmpfsMount, TmpfsNode, TmpfsReg, TmpfsSpecial
from .tmpfs_data import BLK, FileData

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..sched import Timer

log = logging.getLogger("sysproxy.state")

MAGIC = b"SPXSTATE"
VERSION = 1
HEADER = struct.Struct("<8sII")       # magic, version, reserved (0)
REC = struct.Struct("<BI")            # kind, payload length
NODE = struct.Struct("<QIBHIIIQqqqqQ")  # ino gen vtype mode uid gid flags rdev a m c b size
DATA = struct.Struct("<QQ")           # ino, offset; the bytes follow
ENTRY = struct.Struct("<QQ")          # directory ino, child ino; the name follows
END = struct.Struct("<Q32s")          # records before this one, SHA-256 of all bytes before it
K_NODE, K_DATA, K_ENTRY, K_XATTR, K_END = 1, 2, 3, 4, 5
VTYPES = (VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO)
END_SIZE = REC.size + END.size
_U64 = (1 << 64) - 1


class StateError(Exception):
    """The state file cannot be used: damaged, newer, or not a state file at all."""


# -- snapshot -------------------------------------------------------------------------
def _rec(kind: int, head: bytes, tail: bytes = b"") -> bytes:
    return REC.pack(kind, len(head) + len(tail)) + head + tail


Chunk = bytes | tuple[bytes, "bytearray | mmap.mmap", int]  # bytes, or head + n bytes of a buffer


class Snapshot:
    """The tree as records (without header and end), taken at one moment.

    Attributes and names are copied; file data is not: its blocks are frozen
    (tmpfs_data.FileData.frozen) and the file copies a block before changing
    it, so the snapshot costs a walk of the tree, not a copy of the data.
    :meth:`release` unfreezes them once the records are written."""

    def __init__(self, mount: TmpfsMount) -> None:
        self.records: list[Chunk] = []
        self.frozen: list[FileData] = []
        _walk_tree(mount, self)

    def release(self) -> None:
        for d in self.frozen:
            d.frozen = None
        self.frozen = []
        self.records = []


def _walk_tree(mount: TmpfsMount, snap: Snapshot) -> None:
    """Depth first, each directory's entries in their order; a node's record comes
    before the first entry that names it (hard links: once)."""
    out = snap.records
    seen: set[int] = set()

    def node(vp: Vnode) -> None:
        seen.add(vp.ino)
        size = vp.size if vp.vtype in (VREG, VLNK) else 0
        head = NODE.pack(vp.ino, getattr(vp, "gen", 0), vp.vtype, vp.mode, vp.uid, vp.gid,
                         vp.flags, vp.rdev & _U64, vp.atime, vp.mtime, vp.ctime, vp.btime, size)
        out.append(_rec(K_NODE, head, vp.target if isinstance(vp, TmpfsLink) else b""))
        if isinstance(vp, TmpfsReg):
            d = vp.data
            if d.small is not None:
                n = min(len(d.small), d.size)
                if n:
                    out.append((REC.pack(K_DATA, DATA.size + n) + DATA.pack(vp.ino, 0),
                                d.small, n))
                    d.frozen = {-1}
                    snap.frozen.append(d)
            else:
                for i in sorted(d.blocks):
                    n = min(BLK, d.size - i * BLK)
                    if n > 0:
                        out.append((REC.pack(K_DATA, DATA.size + n) +
                                    DATA.pack(vp.ino, i * BLK), d.blocks[i], n))
                if d.blocks:
                    d.frozen = set(d.blocks)
                    snap.frozen.append(d)

    def walk(d: TmpfsDir) -> None:
        for name, vp in list(d.entries.items()):
            if not isinstance(vp, TmpfsNode):
                continue  # a `serve -d` drive (fs/etfs.py): its data is the host file's
            if vp.ino not in seen:
                node(vp)
            out.append(_rec(K_ENTRY, ENTRY.pack(d.ino, vp.ino), name))
            if isinstance(vp, TmpfsDir):
                walk(vp)

    root = _root(mount)
    node(root)
    walk(root)


def _root(m: TmpfsMount) -> TmpfsDir:
    root = m.root
    assert isinstance(root, TmpfsDir)
    return root


def write_atomic(path: str, records: list[Chunk]) -> int:
    """Header, records, end record into a temporary file beside ``path``; fsync; rename
    over ``path``; fsync the directory. Returns the bytes written."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp")
    h = hashlib.sha256()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    total = 0
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20, closefd=True) as f:
            head = HEADER.pack(MAGIC, VERSION, 0)
            h.update(head)
            f.write(head)
            total += len(head)
            for chunk in records:
                if isinstance(chunk, bytes):
                    h.update(chunk)
                    f.write(chunk)
                    total += len(chunk)
                    continue
                head, buf, n = chunk
                h.update(head)
                f.write(head)
                with memoryview(buf) as mv, mv[:n] as part:  # released at once: the
                    h.update(part)                           # file may resize it later
                    f.write(part)
                total += len(head) + n
            end = REC.pack(K_END, END.size) + END.pack(len(records), h.digest())
            f.write(end)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return total + len(end)


# -- restore --------------------------------------------------------------------------
def read_records(path: str) -> Iterator[tuple[int, memoryview]]:
    """Check the whole file (magic, version, end record, digest), then yield its records."""
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except OSError as e:
        raise StateError(f"cannot read {path}: {e.strerror or e}") from None
    if len(buf) < HEADER.size or buf[:8] != MAGIC:
        raise StateError(f"{path} is not a sysproxy state file (bad magic)")
    _, version, _ = HEADER.unpack_from(buf)
    if version > VERSION:
        raise StateError(f"{path} has state format version {version}, newer than this "
                         f"sysproxy reads ({VERSION}): use a newer sysproxy")
    if version < 1:
        raise StateError(f"{path} is damaged (format version {version})")
    if len(buf) < HEADER.size + END_SIZE:
        raise StateError(f"{path} is damaged (truncated)")
    kind, length = REC.unpack_from(buf, len(buf) - END_SIZE)
    nrec, digest = END.unpack_from(buf, len(buf) - END.size)
    view = memoryview(buf)
    if kind != K_END or length != END.size or \
            hashlib.sha256(view[:len(buf) - END_SIZE]).digest() != digest:
        raise StateError(f"{path} is damaged (checksum mismatch or truncated)")
    pos, stop, count = HEADER.size, len(buf) - END_SIZE, 0
    while pos < stop:
        if pos + REC.size > stop:
            raise StateError(f"{path} is damaged (record header at {pos})")
        kind, length = REC.unpack_from(buf, pos)
        pos += REC.size
        if pos + length > stop:
            raise StateError(f"{path} is damaged (record at {pos} overruns the file)")
        yield kind, view[pos:pos + length]
        pos += length
        count += 1
    if count != nrec:
        raise StateError(f"{path} is damaged ({count} records, end record says {nrec})")


def _reset(m: TmpfsMount) -> None:
    """Empty the mount down to its root (the boot tree is replaced by the saved one)."""
    root = _root(m)
    m._free_tree(root)
    root.nextseq = COOKIE_FIRST
    root.seqs.clear()
    root.nlink = 2
    m.inodes = {root.ino: root}
    m.freeinos = []
    m.deadgen = {}
    m.nodes = 1


def restore(m: TmpfsMount, path: str) -> int:
    """Replace ``m``'s tree with the one saved in ``path``; returns the node count.
    StateError for a file that cannot be used (nothing is written to it)."""
    parsed = list(read_records(path))  # all checked before the tree is touched
    _reset(m)
    nodes: dict[int, Vnode] = {}
    sizes: dict[int, int] = {}
    root_ino = -1

    def bad(why: str) -> StateError:
        return StateError(f"{path} is damaged ({why})")

    try:
        for kind, p in parsed:
            if kind == K_NODE:
                if len(p) < NODE.size:
                    raise bad("short node record")
                (ino, gen, vtype, mode, uid, gid, flags, rdev,
                 a, mt, c, b, size) = NODE.unpack_from(p)
                if vtype not in VTYPES or ino in nodes or ino < 2:
                    raise bad(f"node {ino}")
                vp: TmpfsNode
                if root_ino < 0:
                    if vtype != VDIR:
                        raise bad("the root is not a directory")
                    root_ino, vp = ino, _root(m)
                    m.inodes.pop(vp.ino)
                    vp.ino = ino
                elif vtype == VREG:
                    vp = TmpfsReg(m, mode, uid, gid, ino)
                elif vtype == VDIR:
                    vp = TmpfsDir(m, mode, uid, gid, ino, None, b"")
                elif vtype == VLNK:
                    vp = TmpfsLink(m, VLNK, mode, uid, gid, ino)
                    vp.target = bytes(p[NODE.size:])
                else:
                    vp = TmpfsSpecial(m, vtype, mode, uid, gid, ino,
                                      rdev if vtype in (VCHR, VBLK) else VNOVAL_DEV)
                if rdev >= 1 << 63:
                    rdev -= 1 << 64
                vp.mode, vp.uid, vp.gid, vp.flags = mode, uid, gid, flags
                vp.rdev = rdev
                vp.atime, vp.mtime, vp.ctime, vp.btime = a, mt, c, b
                vp.gen = gen or 1
                vp.nlink = 2 if vtype == VDIR else 0
                nodes[ino] = vp
                sizes[ino] = size
                if vp is not m.root:
                    m.nodes += 1
                m.inodes[ino] = vp
            elif kind == K_DATA:
                ino, off = DATA.unpack_from(p)
                vp = nodes.get(ino)  # type: ignore[assignment]
                if not isinstance(vp, TmpfsReg):
                    raise bad(f"data for node {ino}")
                vp.data.write(off, bytes(p[DATA.size:]))
            elif kind == K_XATTR:
                # 7.99.34's tmpfs has no extended attributes: nothing to put it on.
                raise bad("an extended attribute (this kernel's tmpfs has none)")
            elif kind == K_ENTRY:
                dino, cino = ENTRY.unpack_from(p)
                name = bytes(p[ENTRY.size:])
                d, child = nodes.get(dino), nodes.get(cino)
                if not isinstance(d, TmpfsDir) or child is None or not name or \
                        b"/" in name or name in (b".", b"..") or name in d.entries:
                    raise bad(f"entry {name!r} in {dino}")
                if isinstance(child, TmpfsDir):
                    if child.nlink != 2 or child is m.root or child.dname:
                        raise bad(f"directory {cino} named twice")
                    child.dparent, child.dname = d, name
                    d.nlink += 1
                else:
                    child.nlink += 1
                d._attach(name, child)
            else:
                raise bad(f"unknown record kind {kind}")
    except KernelError as e:
        _reset(m)
        raise StateError(f"{path} does not fit in this kernel's memory "
                         f"(errno {e.errno}): raise --memlimit") from None
    except (StateError, struct.error) as e:
        _reset(m)
        raise (e if isinstance(e, StateError) else bad(str(e))) from None
    if root_ino < 0:
        raise bad("no root")
    for ino, fvp in nodes.items():
        if isinstance(fvp, TmpfsReg) and fvp.data.size != sizes[ino]:
            fvp.data.truncate(sizes[ino])  # a tail never written: a hole
    used = set(nodes)
    top = max(used)
    m.nextino = top + 1
    m.freeinos = [i for i in range(top, 1, -1) if i not in used]
    return len(nodes)


# -- the keeper ---------------------------------------------------------------------
class StateKeeper:
    """Saves the root tmpfs to ``path``: every ``interval`` seconds (0: never), on
    sync(2) (``await sync()``, which returns once the state is on disk) and at
    :meth:`close`. One write at a time, in a worker thread."""

    def __init__(self, kernel: "Kernel", path: str, interval: float = 0.0) -> None:
        self.kernel = kernel
        self.path = path
        self.interval = interval
        self.mount: TmpfsMount = kernel.vfs.mounts[0]  # type: ignore[assignment]
        self.worker: threading.Thread | None = None
        self.snap: Snapshot | None = None  # what the worker is writing
        self.error: BaseException | None = None
        self.saves = 0
        self.timer: Timer | None = None

    def start(self) -> int:
        """Restore from the file if there is one (StateError if it cannot be used),
        else write the fresh tree at once (so a path that cannot be written fails
        now, not at the first save). Then the periodic saves begin."""
        n = 0
        if os.path.exists(self.path):
            n = restore(self.mount, self.path)
            log.info("restored %d nodes from %s", n, self.path)
        else:
            try:
                write_atomic(self.path, Snapshot(self.mount).records)
            except OSError as e:
                raise StateError(f"cannot write {self.path}: {e.strerror or e}") from None
        self.kernel.sync_hooks.append(self.sync)
        self._arm()
        return n

    def _arm(self) -> None:
        if self.interval > 0:
            self.timer = self.kernel.sched.call_later(self.interval, self._tick)

    def _tick(self) -> None:
        if not self.busy:
            self.save_async()
        self._arm()

    @property
    def busy(self) -> bool:
        """A write is under way; once it is over, its snapshot's blocks are unfrozen."""
        if self.worker is not None and self.worker.is_alive():
            return True
        self.worker = None
        if self.snap is not None:
            self.snap.release()
            self.snap = None
        return False

    def _reap(self) -> None:
        if self.busy:
            self.kernel.sched.call_later(0.01, self._reap)

    def _write(self, snap: Snapshot) -> None:
        try:
            write_atomic(self.path, snap.records)
            self.saves += 1
            self.error = None
        except OSError as e:
            self.error = e
            log.error("saving state to %s failed: %s (the previous state is kept)",
                      self.path, e.strerror or e)

    def save_async(self) -> None:
        """Snapshot now (in the loop, consistent) and write it in a worker thread."""
        assert not self.busy
        self.snap = Snapshot(self.mount)
        self.worker = threading.Thread(target=self._write, args=(self.snap,),
                                       name="sysproxy-state", daemon=True)
        self.worker.start()
        self.kernel.sched.call_later(0.01, self._reap)

    async def sync(self) -> None:
        """sync(2): a fresh snapshot, on disk before the call returns; other calls run
        meanwhile (the caller sleeps while the worker writes)."""
        sched = self.kernel.sched
        while self.busy:
            await Sleep(sched, (), 0.002, intr=False)
        self.save_async()
        while self.busy:
            await Sleep(sched, (), 0.002, intr=False)

    def close(self) -> None:
        """The last save (halt): wait for a write under way, then write the final tree."""
        if self.timer is not None:
            self.timer.cancel()
        if self.worker is not None:
            self.worker.join()
        self.busy  # noqa: B018  (releases the last snapshot)
        snap = Snapshot(self.mount)
        self._write(snap)
        snap.release()
        if self.sync in self.kernel.sync_hooks:
            self.kernel.sync_hooks.remove(self.sync)
