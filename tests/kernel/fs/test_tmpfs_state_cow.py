"""A state snapshot is the tree at one moment, though its data is written out
later: every way a file can change while the worker writes (overwrite, extend,
truncate, unlink, small file growing into blocks) leaves the saved
copy as it was and the live file as it became.

In-process on a real kernel, not over a socket: what is tested is the order
snapshot -> change -> write, which over a socket would be a race to win.
"""
from __future__ import annotations

from pathlib import Path

from sysproxy.kernel.fs import tmpfs_state as ST
from sysproxy.kernel.fs.tmpfs import TmpfsReg
from sysproxy.kernel.fs.tmpfs_data import BLK
from sysproxy.kernel.kernel import Kernel
from sysproxy.kernel.vfs.vnode import VDIR, VREG


def _files(k: Kernel) -> dict[bytes, bytes]:
    d = k.vfs.mounts[0].root.lookup(b"d")
    assert d is not None
    out = {}
    for name, vp in d.entries.items():  # type: ignore[attr-defined]
        assert isinstance(vp, TmpfsReg)
        out[name] = vp.read(0, vp.size)
    return out


def test_changes_after_the_snapshot_are_not_in_it(tmp_path: Path) -> None:
    k = Kernel()
    m = k.vfs.mounts[0]
    d = m.root.create(b"d", VDIR, 0o755, 0, 0)
    big = bytes(range(256)) * (3 * BLK // 256 + 7)   # three blocks and a bit
    files = {b"over": big, b"trunc": big, b"gone": big,
             b"small": b"s" * 1000, b"grow": b"g" * 100, b"smalltrunc": b"t" * 5000}
    vps = {}
    for name, data in files.items():
        vp = d.create(name, VREG, 0o644, 0, 0)
        vp.write(0, data)
        vps[name] = vp
    snap = ST.Snapshot(m)
    vps[b"over"].write(10, b"X" * (2 * BLK))          # spans frozen blocks
    vps[b"trunc"].truncate(BLK + 5)                   # drops blocks, zeroes a tail
    d.remove(b"gone", vps[b"gone"])                   # frees the data
    vps[b"small"].write(0, b"Y" * 10)                 # in place in the bytearray
    vps[b"grow"].write(BLK * 2, b"Z")                 # small -> blocks
    vps[b"smalltrunc"].truncate(10)
    live = _files(k)
    path = str(tmp_path / "s")
    ST.write_atomic(path, snap.records)
    snap.release()
    k2 = Kernel()
    ST.restore(k2.vfs.mounts[0], path)
    assert _files(k2) == files                        # the moment of the snapshot
    assert _files(k) == live                          # and the live tree moved on
    assert live[b"over"][10:10 + 2 * BLK] == b"X" * 2 * BLK
    assert live[b"small"][:10] == b"Y" * 10 and len(live[b"trunc"]) == BLK + 5
    # Unfrozen now: changes go in place again, and a new snapshot sees them.
    vps[b"over"].write(0, b"W")
    snap2 = ST.Snapshot(m)
    ST.write_atomic(path, snap2.records)
    snap2.release()
    k3 = Kernel()
    ST.restore(k3.vfs.mounts[0], path)
    assert _files(k3) == _files(k)
