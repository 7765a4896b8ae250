#!/usr/bin/env python3
"""Bulk throughput on a `-d` drive next to the same on tmpfs, through the Python client.

    python benchmarks/etfs_bench.py [--mib 64] [--rounds 3] [--dir HOSTDIR] [--reference]

Starts `python -m sysproxy serve -d key=/dk,hostpath=HOSTDIR/etfs.img,size=MIB` and,
in interleaved rounds, writes MIB MiB in 64 KiB writes (+ fsync) and reads them back
(verified) on the drive (type blk, then reg) and on a tmpfs file (/tmp/bulk). Every
figure is the median of the rounds, MB/s (10^6 bytes); the ratio is drive / tmpfs
(issue 12 asks for within 2x). With --reference it also measures NetBSD's rump_server
with the same -d drive (found at ../shared/reference or $SYSPROXY_REFERENCE).
The host image lives in HOSTDIR (default: the system's temporary directory), so its
fsync is the host's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sysproxy import connect  # noqa: E402

CHUNK = 64 * 1024


def start(argv: list[str], sock: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not os.path.exists(sock):
        if p.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start: {argv}")
        time.sleep(0.02)
    return p


def bulk(url: str, path: str, nbytes: int, create: bool) -> tuple[float, float]:
    """(write MB/s, read MB/s) of one pass over ``path``."""
    blocks = [bytes([i % 251]) * CHUNK for i in range(16)]
    with connect(url, "etfs-bench") as k:
        fd = k.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o644)
        t0 = time.perf_counter()
        for i in range(nbytes // CHUNK):
            k.write(fd, blocks[i % 16])
        k.fsync(fd)
        tw = time.perf_counter() - t0
        k.lseek(fd, 0, 0)
        t0 = time.perf_counter()
        got = 0
        i = 0
        while got < nbytes:
            data = k.read(fd, CHUNK)
            if data != blocks[i % 16]:
                raise SystemExit(f"{path}: block {i} read back wrong")
            got += len(data)
            i += 1
        tr = time.perf_counter() - t0
        k.close(fd)
    return nbytes / tw / 1e6, nbytes / tr / 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=None, help="host directory for the images")
    ap.add_argument("--reference", action="store_true", help="also measure NetBSD's rump_server")
    args = ap.parse_args()
    nbytes = args.mib << 20
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="etfs-bench-") as d:
        servers: list[tuple[str, list[str], list[tuple[str, str, bool]]]] = []
        sock = f"{d}/ours.sock"
        servers.append(("ours", [sys.executable, "-m", "sysproxy", "serve",
                                 "-d", f"key=/dk,hostpath={d}/blk.img,size={nbytes}",
                                 "-d", f"key=/reg,hostpath={d}/reg.img,size={nbytes},type=reg",
                                 "unix://" + sock],
                        [("tmpfs", "/tmp/bulk", True), ("blk", "/dk", False),
                         ("reg", "/reg", False)]))
        if args.reference:
            ref = Path(os.environ.get("SYSPROXY_REFERENCE", REPO.parent / "shared" / "reference"))
            servers.append(("reference", [str(ref / "bin" / "rump_server"), "-s", "-lrumpvfs",
                                          "-lrumpfs_tmpfs", "-lrumpdev", "-d",
                                          f"key=/dk,hostpath={d}/rblk.img,size={nbytes}",
                                          "unix://" + f"{d}/ref.sock"],
                            [("blk", "/dk", False)]))
        procs = []
        try:
            for _name, argv, _targets in servers:
                procs.append(start(argv, argv[-1][len("unix://"):]))
            for _ in range(args.rounds):
                for (name, argv, targets) in servers:
                    for label, path, create in targets:
                        results.setdefault(f"{name} {label}", []).append(
                            bulk(argv[-1], path, nbytes, create))
        finally:
            for p in procs:
                p.terminate()
                p.wait()
    med = {k: (statistics.median(w for w, _ in v), statistics.median(r for _, r in v))
           for k, v in results.items()}
    base = med["ours tmpfs"]
    print(f"{args.mib} MiB in 64 KiB calls, median of {args.rounds} rounds (MB/s)")
    print(f"{'target':<16}{'write':>10}{'read':>10}{'write/tmpfs':>14}{'read/tmpfs':>12}")
    for k, (w, r) in med.items():
        print(f"{k:<16}{w:>10.1f}{r:>10.1f}{w / base[0]:>14.2f}{r / base[1]:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
