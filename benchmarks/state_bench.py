"""serve --state: how long a save holds the event loop (the snapshot) and how long
the write to disk takes in the worker, for a tree of SIZE MiB (default 64), and
how long the restore at start takes.  python3 benchmarks/state_bench.py [MIB] [FILES]
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from sysproxy.kernel.fs import tmpfs_state as ST  # noqa: E402
from sysproxy.kernel.kernel import Kernel  # noqa: E402
from sysproxy.kernel.vfs.vnode import VDIR, VREG  # noqa: E402


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    k = Kernel()
    m = k.vfs.mounts[0]
    d = m.root.create(b"data", VDIR, 0o755, 0, 0)
    per = mib * (1 << 20) // files
    blob = os.urandom(per)
    for i in range(files):
        d.create(f"f{i}".encode(), VREG, 0o644, 0, 0).write(0, blob)
    with tempfile.TemporaryDirectory(dir=os.environ.get("STATE_BENCH_DIR")) as tmp:
        path = os.path.join(tmp, "kernel.state")
        t0 = time.perf_counter()
        snap = ST.Snapshot(m)
        t1 = time.perf_counter()
        n = ST.write_atomic(path, snap.records)
        t2 = time.perf_counter()
        k2 = Kernel()
        ST.restore(k2.vfs.mounts[0], path)
        t3 = time.perf_counter()
        # Writes while a snapshot holds the data: the first touch of a block copies it.
        nodes = list(d.entries.values())
        t4 = time.perf_counter()
        for vp in nodes:
            vp.write(0, blob)
        t5 = time.perf_counter()
        snap.release()
        for vp in nodes:
            vp.write(0, blob)
        t6 = time.perf_counter()
    print(f"{mib} MiB in {files} files, state file {n / (1 << 20):.1f} MiB: "
          f"snapshot (loop blocked) {1000 * (t1 - t0):.1f} ms, write+fsync+rename "
          f"(worker) {1000 * (t2 - t1):.0f} ms, restore {1000 * (t3 - t2):.0f} ms; "
          f"rewriting it all: {1000 * (t5 - t4):.0f} ms during a save (copy on write), "
          f"{1000 * (t6 - t5):.0f} ms after")


if __name__ == "__main__":
    main()
