#!/usr/bin/env python3
"""`sysproxy run` beside the Python client doing the same work directly.

    python benchmarks/run_bench.py [--rounds R] [--files N] [--mib M] [--json FILE]

Issue #11's target: ``find`` over 10,000 kernel files and ``cat`` of a 64 MiB
kernel file under ``sysproxy run``, within 2x of the same work through the
Python client directly. Both sides are whole processes started the same way
(``python -m sysproxy run -- find /rump/...`` against ``python -c`` a script
that connects and walks or reads with the client, output to /dev/null), so
interpreter start-up is in both. Also given: the same with each side's
start-up (``run -- true``; a script that only connects) subtracted, i.e. the
cost of the work alone. Rounds are interleaved and the medians reported, as
the machine is shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FIND_CLIENT = """
import sys, sysproxy
k = sysproxy.connect(sys.argv[1])
out = sys.stdout
for root, dirs, files in k.walk(sys.argv[2]):
    out.write("/rump" + root + "\\n")
    for name in files:
        out.write("/rump" + root + "/" + name + "\\n")
"""
CAT_CLIENT = """
import os, sys, sysproxy
k = sysproxy.connect(sys.argv[1])
fd = k.open(sys.argv[2], os.O_RDONLY)
out = sys.stdout.buffer
while True:
    b = k.read(fd, 128 << 10)   # cat's buffer size
    if not b:
        break
    out.write(b)
"""
CONNECT_ONLY = "import sys, sysproxy; sysproxy.connect(sys.argv[1])"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    e["LC_ALL"] = "C"
    return e


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, env=env())
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="run-bench-")
    url = f"unix://{tmp}/s.sock"
    srv = subprocess.Popen([sys.executable, "-m", "sysproxy", "serve", url],
                           stdout=subprocess.PIPE, env=env())
    try:
        assert srv.stdout is not None
        srv.stdout.readline()
        from sysproxy.client import connect
        k = connect(url, "setup")
        per = 100
        k.mkdir("/tree")
        for d in range((a.files + per - 1) // per):
            k.mkdir(f"/tree/d{d:04}")
            for f in range(min(per, a.files - d * per)):
                k.close(k.open(f"/tree/d{d:04}/f{f:03}", os.O_CREAT | os.O_WRONLY, 0o644))
        with k.open_file("/big", "wb") as fo:
            block = os.urandom(1 << 20)
            for _ in range(a.mib):
                fo.write(block)
        k.disconnect()
        py = sys.executable
        run = [py, "-m", "sysproxy", "run", "--server", url, "--"]
        cases = {
            "find_run": run + ["find", "/rump/tree"],
            "find_client": [py, "-c", FIND_CLIENT, url, "/tree"],
            "cat_run": run + ["cat", "/rump/big"],
            "cat_client": [py, "-c", CAT_CLIENT, url, "/big"],
            "start_run": run + ["true"],
            "start_client": [py, "-c", CONNECT_ONLY, url],
        }
        times: dict[str, list[float]] = {n: [] for n in cases}
        for r in range(a.rounds):
            for name, argv in cases.items():
                times[name].append(timed(argv))
            print(f"[run_bench] round {r + 1}/{a.rounds}", file=sys.stderr)
        med = {n: statistics.median(v) for n, v in times.items()}
        res: dict[str, object] = {"median_s": med, "rounds": a.rounds,
                                  "files": a.files, "mib": a.mib}
        print(f"{'figure':<28}{'sysproxy run':>14}{'client':>12}{'ratio':>9}")
        for what, label in (("find", f"find, {a.files} files"),
                            ("cat", f"cat, {a.mib} MiB")):
            rr, cc = med[f"{what}_run"], med[f"{what}_client"]
            wr = rr - med["start_run"]
            wc = cc - med["start_client"]
            res[f"{what}_ratio"] = rr / cc
            res[f"{what}_work_ratio"] = wr / wc if wc > 0 else None
            print(f"{label + ' (whole)':<28}{rr:>13.3f}s{cc:>11.3f}s{rr / cc:>8.2f}x")
            print(f"{label + ' (work only)':<28}{wr:>13.3f}s{wc:>11.3f}s"
                  f"{(wr / wc if wc > 0 else float('nan')):>8.2f}x")
        print(f"{'start-up (true / connect)':<28}{med['start_run']:>13.3f}s"
              f"{med['start_client']:>11.3f}s")
        if a.json:
            Path(a.json).write_text(json.dumps(res, indent=2))
    finally:
        srv.terminate()
        srv.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
