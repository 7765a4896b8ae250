#!/usr/bin/env python3
"""Run the sysproxy benchmarks: ours side by side with NetBSD's real rump_server.

    python benchmarks/run.py [--quick] [--rounds N] [--json FILE]

When the reference tree is there (../shared/reference next to the repository, or
$SYSPROXY_REFERENCE) both servers run at once and every figure is measured on each
in alternating rounds, with the same two clients: `loadgen` (a raw-wire C client)
and `rumpclient_bench` (a C program linked against the reference librumpclient,
compiled here at benchmark time). Each figure is printed as ours / reference per
round, and PASS/MISS is decided on the median of those ratios. Without the
reference (or with --no-reference / --server-cmd) only our server (or the given
one) is measured, with loadgen, and absolute figures are printed.

Not a test: the test suite never runs this. Standard library only.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
BIN = HERE / "bin"
REPO = HERE.parent
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
BENCH_DIR = "/bench"  # a tmpfs mounted on both servers for the file figures
CLK_TCK = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------------------------------
# The targets: ours / reference, median of the alternating rounds (issue 10), and the
# few absolute ones. "lower": the ratio of times must be at most the bound; "higher":
# the ratio of rates must be at least the bound.
# ---------------------------------------------------------------------------------------
RATIO_TARGETS: dict[str, tuple[str, float]] = {
    "getpid": ("lower", 0.9),
    "pwrite4k": ("lower", 0.9),
    "pread4k": ("lower", 0.9),
    "openclose": ("lower", 0.9),
    "stat": ("lower", 0.9),
    "bulk_write": ("higher", 3.0),
    "bulk_read": ("higher", 1.0),
    "conc_1": ("higher", 1.0),
    "conc_4": ("higher", 1.0),
    "conc_16": ("higher", 1.0),
    "conc_64": ("higher", 1.0),
    "churn": ("higher", 1.0),
}
ABS_TARGETS: dict[str, float] = {  # ours alone, at most this
    "idle_cpu": 1.0,  # % of one core with the idle clients connected
    "idle_rss": 16.0,  # KiB of server RSS per idle client
    "startup_over_python": 50.0,  # ms over `python3 -c pass`
}
RTT = ("getpid", "pwrite4k", "pread4k", "openclose", "stat")
CONC = (1, 4, 16, 64)


class NotAvailable(Exception):
    """The figure cannot be measured against this server (reason in the message)."""


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# building and running the C programs
# ---------------------------------------------------------------------------------------


def build() -> None:
    """floor and loadgen into benchmarks/bin (rebuilt when a source is newer)."""
    cc = os.environ.get("CC", "cc")
    BIN.mkdir(exist_ok=True)
    for name in ("floor", "loadgen"):
        src, exe = HERE / f"{name}.c", BIN / name
        if exe.exists() and exe.stat().st_mtime >= src.stat().st_mtime:
            continue
        cmd = [cc, "-O2", "-Wall", "-o", str(exe), str(src)]
        log(f"build: {' '.join(cmd)}")
        subprocess.run(cmd, check=True)


def build_rumpclient_bench(ref: Path, outdir: Path) -> Path:
    """rumpclient_bench.c linked against the reference librumpclient, in a temp dir."""
    cc = os.environ.get("CC", "cc")
    lib = (ref / "lib").resolve()
    exe = outdir / "rumpclient_bench"
    cmd = [cc, "-O2", "-Wall", f"-I{ref / 'include'}", "-o", str(exe),
           str(HERE / "rumpclient_bench.c"), f"-L{lib}", f"-Wl,-rpath,{lib}", "-lrumpclient"]
    log(f"build: {' '.join(cmd)}")
    subprocess.run(cmd, check=True)
    return exe


def parse_kv(text: str) -> dict[str, str]:
    """The C programs print 'key value' lines."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, _, val = line.partition(" ")
        if key == "note" and "note" in out:
            out["note"] += "; " + val
        else:
            out[key] = val
    return out


def run_c(cmd: list[str], timeout: float = 600, env: dict[str, str] | None = None
          ) -> dict[str, str]:
    """Run one C benchmark program; its 'key value' output, or NotAvailable."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise NotAvailable(f"timed out after {timeout:.0f} s") from None
    kv = parse_kv(p.stdout)
    if "na" in kv:
        raise NotAvailable(kv["na"])
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or [f"exit status {p.returncode}"])[-1]
        raise NotAvailable(f"error: {err}")
    return kv


def loadgen(url: str, *args: object, timeout: float = 600) -> dict[str, str]:
    return run_c([str(BIN / "loadgen"), url, *map(str, args)], timeout)


def run_floor(n: int, runs: int = 3) -> tuple[float, list[float]]:
    """The C ping-pong floor (us per round trip): median of ``runs`` runs, and the runs."""
    vals = []
    for _ in range(runs):
        p = subprocess.run([str(BIN / "floor"), str(n)], capture_output=True, text=True,
                           check=True)
        vals.append(float(parse_kv(p.stdout)["floor_us"]))
    return statistics.median(vals), vals


# ---------------------------------------------------------------------------------------
# the servers under test
# ---------------------------------------------------------------------------------------


class Server:
    def __init__(self, cmd: list[str], url: str, logdir: Path, name: str = "server"):
        self.cmd, self.url, self.logdir, self.name = cmd, url, logdir, name
        self.proc: subprocess.Popen[bytes] | None = None
        self.launches = 0
        self.logfile: Path | None = None

    def launch(self) -> float:
        """Start the server; return the time.monotonic() just before the launch."""
        self.launches += 1
        self.logfile = self.logdir / f"{self.name}{self.launches}.log"
        with open(self.logfile, "wb") as fh:
            t0 = time.monotonic()
            self.proc = subprocess.Popen(self.cmd, stdout=fh, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        return t0

    def log_tail(self, n: int = 15) -> str:
        try:
            assert self.logfile is not None
            lines = self.logfile.read_text(errors="replace").splitlines()
        except (OSError, AssertionError):
            return ""
        return "\n".join(lines[-n:])

    def _connectable(self) -> bool:
        if self.url.startswith("unix://"):
            fam, addr = socket.AF_UNIX, self.url[7:]
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                try:
                    s.settimeout(1)
                    s.connect(addr)
                    return True
                except OSError:
                    return False
        host, _, port = self.url[6:].rpartition(":")
        try:
            socket.create_connection((host, int(port.split("/")[0])), timeout=1).close()
            return True
        except OSError:
            return False

    def wait_ready(self, timeout: float = 60) -> None:
        """Until it says 'listening on', or (fallback) accepts a connection."""
        deadline = time.monotonic() + timeout
        polls = 0
        assert self.proc is not None and self.logfile is not None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with status {self.proc.returncode}:\n"
                                   + self.log_tail())
            if b"listening on" in self.logfile.read_bytes():
                return
            polls += 1
            if polls % 10 == 0 and self._connectable():
                return
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n" + self.log_tail())

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _proc_file(self, name: str) -> str:
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/{name}") as f:
            return f.read()

    def rss_kib(self) -> int:
        for line in self._proc_file("status").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise NotAvailable("no VmRSS in /proc/PID/status")

    def cpu_s(self) -> float:
        """User + system CPU time of the whole process (all threads), seconds."""
        fields = self._proc_file("stat").rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def halt(self) -> str:
        """reboot(0, NULL) through the loadgen; kill the server if it doesn't exit."""
        if not self.alive():
            return f"already exited ({self.proc.returncode if self.proc else 'never started'})"
        assert self.proc is not None
        how = "halted by reboot syscall"
        try:
            loadgen(self.url, "halt", timeout=15)
        except NotAvailable as e:
            how = f"reboot syscall failed ({e})"
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            how += "; did not exit, terminated"
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                how += ", killed"
                self.proc.kill()
                self.proc.wait()
        return how


def mount_bench_tmpfs(url: str) -> str:
    """A fresh tmpfs on /bench of the server (the reference's root is rumpfs, slow and
    limited): the file figures then compare the same file system. The directory to use."""
    sys.path.insert(0, str(REPO))
    import sysproxy

    k = sysproxy.connect(url, "bench-setup")
    try:
        try:
            k.mkdir(BENCH_DIR)
        except FileExistsError:
            pass
        k.mount_tmpfs(BENCH_DIR)
    finally:
        k.disconnect()
    return BENCH_DIR + "/"


# ---------------------------------------------------------------------------------------
# one measurement
# ---------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One figure on one server with one client in one round."""
    values: dict[str, float]  # figure name -> value (us per op, MB/s, calls/s, conns/s)
    cpu_us: dict[str, float]  # figure name -> server CPU per op (us)


@dataclass
class Client:
    name: str
    run: Callable[[Server, list[str]], dict[str, str]]  # (server, args) -> key/values


def make_clients(rcb: Path | None) -> list[Client]:
    clients = [Client("loadgen", lambda s, a: loadgen(s.url, *a))]
    if rcb is not None:
        def run_rcb(s: Server, args: list[str]) -> dict[str, str]:
            env = dict(os.environ, RUMP_SERVER=s.url)
            return run_c([str(rcb), *args], env=env)
        clients.append(Client("librumpclient", run_rcb))
    return clients


@dataclass
class Plan:
    n_rtt: int
    n_rtt_slow: int
    bulk_mib: int
    secs: float
    dirs: dict[str, str]  # server name -> directory for test files


def measure(key: str, srv: Server, cl: Client, plan: Plan) -> Sample:
    """Run one figure group (getpid, ..., bulk, conc_P, churn) once; server CPU around it."""
    d = plan.dirs[srv.name]
    if key in RTT:
        n = plan.n_rtt if key == "getpid" else plan.n_rtt_slow
        args = ["rtt", key, str(n)] if key == "getpid" else \
            ["rtt", key, f"{d}bench-{key}-{cl.name}", str(n)]
    elif key == "bulk":
        args = ["bulk", f"{d}bench-bulk-{cl.name}", str(plan.bulk_mib)]
    elif key.startswith("conc_"):
        args = ["conc", key[5:], str(plan.secs)]
    else:
        args = ["churn", str(plan.secs)]
    c0 = srv.cpu_s()
    kv = cl.run(srv, args)
    cpu = srv.cpu_s() - c0
    if key in RTT:
        us = float(kv["us_per_op"])
        # both clients run an untimed warm-up of up to 1,000 calls first
        return Sample({key: us}, {key: cpu * 1e6 / (n + min(n, 1000))})
    if key == "bulk":
        blocks = plan.bulk_mib * 16
        return Sample({"bulk_write": float(kv["write_mb_s"]),
                       "bulk_read": float(kv["read_mb_s"])},
                      {"bulk": cpu * 1e6 / (2 * blocks)})
    if key.startswith("conc_"):
        calls = int(kv["calls"])
        return Sample({key: float(kv["calls_per_s"])}, {key: cpu * 1e6 / max(calls, 1)})
    conns = int(kv["connections"])
    return Sample({key: float(kv["conns_per_s"])}, {key: cpu * 1e6 / max(conns, 1)})


# ---------------------------------------------------------------------------------------
# idle clients and startup (ours alone, absolute)
# ---------------------------------------------------------------------------------------


def measure_idle(srv: Server, n: int, secs: float) -> dict[str, float]:
    """Server RSS growth per idle connected client, and its CPU while they sit idle."""
    time.sleep(0.3)
    before = srv.rss_kib()
    p = subprocess.Popen([str(BIN / "loadgen"), srv.url, "idle", str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdin is not None and p.stderr is not None
    try:
        line = p.stdout.readline()  # "ready N", or "na ..." / EOF on failure
        if not line.startswith("ready"):
            p.wait(timeout=30)
            kv = parse_kv(line + p.stdout.read())
            err = p.stderr.read().strip().splitlines()
            raise NotAvailable(kv.get("na") or (err[-1] if err else "idle clients failed"))
        time.sleep(0.5)  # let the server finish its per-connection set-up
        during = srv.rss_kib()
        c0, t0 = srv.cpu_s(), time.monotonic()
        time.sleep(secs)
        cpu_pct = (srv.cpu_s() - c0) / (time.monotonic() - t0) * 100
    finally:
        p.stdin.close()
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return {"idle_rss": (during - before) / n, "idle_cpu": cpu_pct, "clients": n,
            "rss_before_kib": before, "rss_with_clients_kib": during}


def measure_startup(cmd_for: Callable[[str], list[str]], tmpdir: Path, runs: int
                    ) -> dict[str, Any]:
    """Launch to first answered getpid on fresh servers (median), and `python -c pass`."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "sysproxy")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for i in range(runs):
        url = f"unix://{tmpdir}/startup{i}.sock"
        srv = Server(cmd_for(url), url, tmpdir, f"startup{i}-")
        probe = subprocess.Popen([str(BIN / "loadgen"), url, "startup", "60"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.05)  # the prober is polling before the server is launched
        t0 = srv.launch()
        try:
            out, err = probe.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            probe.kill()
            out, err = probe.communicate()
        try:
            kv = parse_kv(out)
            if "na" in kv or "answered_at" not in kv:
                raise NotAvailable(kv.get("na") or (err.strip().splitlines() or ["no answer"])[-1])
            times.append((float(kv["answered_at"]) - t0) * 1e3)
            srv.wait_ready(timeout=30)
        finally:
            srv.halt()
    py = []
    for _ in range(max(runs, 3)):
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        py.append((time.monotonic() - t0) * 1e3)
    ms, pass_ms = statistics.median(times), statistics.median(py)
    return {"startup": ms, "python_pass": pass_ms, "startup_over_python": ms - pass_ms,
            "runs_ms": [round(t, 2) for t in times]}


# ---------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One figure with one client: every round's value on each server."""
    figure: str
    client: str
    values: dict[str, list[float]] = field(default_factory=dict)  # server -> per round
    cpu_us: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    ratios: list[float] = field(default_factory=list)  # ours / reference, per round
    status: str = ""

    def median(self, server: str) -> float | None:
        v = self.values.get(server)
        return statistics.median(v) if v else None

    def cpu(self, server: str) -> float | None:
        v = self.cpu_us.get(server)
        return statistics.median(v) if v else None

    def judge(self) -> None:
        t = RATIO_TARGETS.get(self.figure)
        if self.errors:
            self.status = "n/a"
        elif t is None or not self.ratios:
            self.status = ""
        else:
            r = statistics.median(self.ratios)
            self.status = "PASS" if (r <= t[1] if t[0] == "lower" else r >= t[1]) else "MISS"


UNITS = {"bulk_write": "MB/s", "bulk_read": "MB/s", "churn": "conn/s"}


def unit_of(fig: str) -> str:
    return UNITS.get(fig, "calls/s" if fig.startswith("conc_") else "us")


def fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.1f}"
    return f"{v:.2f}"


def print_table(rows: list[Row], servers: list[str], out: IO[str] = sys.stdout) -> None:
    side = len(servers) == 2
    head = ["figure", "client"] + [f"{s}" for s in servers]
    if side:
        head += ["ours/ref", "(rounds min-max)", "target", "result"]
    head += [f"CPU/op {s}" for s in servers]
    table = [head]
    for r in rows:
        line = [r.figure, r.client]
        for s in servers:
            line.append(f"n/a ({r.errors[s]})" if s in r.errors else
                        f"{fmt(r.median(s))} {unit_of(r.figure)}")
        if side:
            t = RATIO_TARGETS.get(r.figure)
            if r.ratios:
                line += [f"{statistics.median(r.ratios):.2f}",
                         f"{min(r.ratios):.2f}-{max(r.ratios):.2f}"]
            else:
                line += ["-", ""]
            line += [f"{'<=' if t[0] == 'lower' else '>='} {t[1]:g}" if t else "", r.status]
        for s in servers:
            c = r.cpu(s)
            line.append(f"{c:.1f} us" if c is not None else "-")
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)


# ---------------------------------------------------------------------------------------
# OPTIONAL EXTRA BENCHMARKS (ours alone): the Python client and rpyc, client_bench.py.
# A function gets a Context and records figures with ctx.record(name, value, unit,
# ratio, **details), or ctx.record(name, na=reason).
# ---------------------------------------------------------------------------------------


@dataclass
class Context:
    url: str
    quick: bool
    tmpdir: Path
    record: Callable[..., None]


def bench_pyclient_and_rpyc(ctx: Context) -> None:
    """The Python client and rpyc classic, in interleaved rounds (client_bench.py)."""
    import client_bench  # benchmarks/client_bench.py, next to this file
    client_bench.run_extra(ctx)


EXTRA_BENCHMARKS: list[Callable[[Context], None]] = [bench_pyclient_and_rpyc]


# ---------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------


def raise_fd_limit() -> None:
    """The server (our child) needs one descriptor per idle client."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def reference_dir(arg: str | None) -> Path | None:
    path = Path(arg or os.environ.get("SYSPROXY_REFERENCE") or DEFAULT_REFERENCE)
    return path if (path / "bin" / "rump_server").exists() else None


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="fewer calls, smaller files, shorter runs, 2 rounds (a rough look)")
    ap.add_argument("--rounds", type=int, help="alternating rounds (default 5, --quick 2)")
    ap.add_argument("--reference", metavar="DIR",
                    help="the reference tree (default $SYSPROXY_REFERENCE or "
                         "../shared/reference next to the repository)")
    ap.add_argument("--no-reference", action="store_true",
                    help="measure our server alone, absolute figures")
    ap.add_argument("--server-cmd",
                    help="measure this server alone instead of ours; {url} is replaced by "
                         "the URL")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--only", metavar="NAMES",
                    help="comma-separated subset: getpid,pwrite4k,pread4k,openclose,stat,"
                         "bulk,conc,churn,idle,startup,extra")
    ap.add_argument("--idle-clients", type=int, help="idle clients (default 1000)")
    args = ap.parse_args(argv)

    quick = args.quick
    only = set(args.only.split(",")) if args.only else None

    def want(name: str) -> bool:
        return only is None or name in only or name.split("_")[0] in only

    rounds = args.rounds or (2 if quick else 5)
    plan_n = dict(n_rtt=2_000 if quick else 10_000, n_rtt_slow=1_000 if quick else 3_000,
                  bulk_mib=8 if quick else 32, secs=0.5 if quick else 1.0)
    n_idle = args.idle_clients or 1000
    tmpdir = Path(tempfile.mkdtemp(prefix="sysproxy-bench-"))
    ref = None if (args.no_reference or args.server_cmd) else reference_dir(args.reference)

    build()
    raise_fd_limit()
    env_pp = os.environ.get("PYTHONPATH", "")
    if str(REPO) not in env_pp.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env_pp) if p)

    def ours_cmd(url: str) -> list[str]:
        if args.server_cmd:
            return [a.replace("{url}", url) for a in shlex.split(args.server_cmd)]
        return [sys.executable, "-m", "sysproxy", "serve", url]

    servers: list[Server] = [Server(ours_cmd(f"unix://{tmpdir}/ours.sock"),
                                    f"unix://{tmpdir}/ours.sock", tmpdir, "ours")]
    rcb = None
    if ref is not None:
        rurl = f"unix://{tmpdir}/ref.sock"
        servers.append(Server([str(ref / "bin" / "rump_server"), "-s", "-lrumpvfs",
                               "-lrumpfs_tmpfs", "-lrumpdev", rurl], rurl, tmpdir, "reference"))
        rcb = build_rumpclient_bench(ref, tmpdir)
    else:
        log("no reference tree: measuring one server alone (absolute figures, no ratios)")
    clients = make_clients(rcb)

    load_start = os.getloadavg()
    if load_start[0] > 0.5 * (os.cpu_count() or 1):
        log(f"warning: load average {load_start[0]:.1f} on {os.cpu_count()} CPUs: "
            "absolute figures will be noisy (the alternating ratios much less)")
    floor_runs: list[float] = []
    keys = [k for k in (*RTT, "bulk", *(f"conc_{p}" for p in CONC), "churn") if want(k)]
    rows: dict[tuple[str, str], Row] = {}
    for k in keys:
        for fig in (("bulk_write", "bulk_read") if k == "bulk" else (k,)):
            for cl in clients:
                rows[(fig, cl.name)] = Row(fig, cl.name)
    extra: dict[str, Any] = {}
    try:
        dirs = {}
        for s in servers:
            log(f"{s.name}: {shlex.join(s.cmd)}")
            s.start()
            try:
                dirs[s.name] = mount_bench_tmpfs(s.url)
            except Exception as e:  # e.g. a server without tmpfs: its root then
                log(f"{s.name}: no tmpfs on {BENCH_DIR} ({e}); using /")
                dirs[s.name] = "/"
        plan = Plan(dirs=dirs, **plan_n)  # type: ignore[arg-type]
        for rnd in range(rounds):
            floor_runs.append(run_floor(50_000 if quick else 100_000, 1)[0])
            log(f"round {rnd + 1}/{rounds} (floor {floor_runs[-1]:.1f} us)")
            order = servers if rnd % 2 == 0 else servers[::-1]
            for k in keys:
                for cl in clients:
                    got: dict[str, Sample] = {}
                    for s in order:
                        if not s.alive():
                            log(f"{s.name} died:\n{s.log_tail()}\nrestarting it")
                            s.start()
                            plan.dirs[s.name] = mount_bench_tmpfs(s.url)
                        try:
                            got[s.name] = measure(k, s, cl, plan)
                        except NotAvailable as e:
                            for fig in (("bulk_write", "bulk_read") if k == "bulk" else (k,)):
                                rows[(fig, cl.name)].errors[s.name] = str(e)
                            log(f"{k} {cl.name} {s.name}: n/a ({e})")
                    for s_name, smp in got.items():
                        for fig, v in smp.values.items():
                            row = rows[(fig, cl.name)]
                            row.values.setdefault(s_name, []).append(v)
                            row.cpu_us.setdefault(s_name, []).append(
                                smp.cpu_us.get(fig, smp.cpu_us.get(k, 0.0)))
                    if len(got) == 2:
                        o, r = got["ours"].values, got["reference"].values
                        for fig in o:
                            ratio = o[fig] / r[fig] if r[fig] else float("inf")
                            rows[(fig, cl.name)].ratios.append(ratio)
                    log(f"  {k:<9} {cl.name:<13} " + "  ".join(
                        f"{n}: " + ", ".join(fmt(v) for v in smp.values.values())
                        for n, smp in got.items()))
        if want("idle"):
            log(f"idle: {n_idle} clients on ours")
            try:
                extra["idle"] = measure_idle(servers[0], n_idle, 2.0 if quick else 5.0)
            except NotAvailable as e:
                extra["idle"] = {"na": str(e)}
            if len(servers) == 2:
                try:  # the C server stops at 255 clients: 200 for comparison
                    extra["idle_reference"] = measure_idle(servers[1], 200, 2.0)
                except NotAvailable as e:
                    extra["idle_reference"] = {"na": str(e)}
        if want("extra") and not args.server_cmd:
            recorded: dict[str, Any] = {}

            def record(name: str, value: float | None = None, unit: str = "",
                       ratio: float | None = None, na: str | None = None, **kw: Any) -> None:
                recorded[name] = {"value": value, "unit": unit, "ratio_to_floor": ratio,
                                  "na": na, **{k: v for k, v in kw.items() if k == "note"}}
            ctx = Context(servers[0].url, quick, tmpdir, record)
            for fn in EXTRA_BENCHMARKS:
                try:
                    fn(ctx)
                except Exception as e:
                    recorded[fn.__name__] = {"na": f"{type(e).__name__}: {e}"}
            extra["python_client"] = recorded
    finally:
        exits = {s.name: s.halt() for s in servers}
    if want("startup"):
        log("startup: fresh launches of ours")
        try:
            extra["startup"] = measure_startup(ours_cmd, tmpdir, 1 if quick else 3)
        except NotAvailable as e:
            extra["startup"] = {"na": str(e)}
    load_end = os.getloadavg()

    # report
    names = [s.name for s in servers]
    for row in rows.values():
        row.judge()
    print()
    print(f"sysproxy benchmarks{' (quick)' if quick else ''}: "
          + (f"ours vs NetBSD's rump_server, {rounds} alternating rounds, medians"
             if ref else f"{servers[0].cmd[0]} alone, {rounds} rounds, medians"))
    print_table(list(rows.values()), names)
    abs_results: dict[str, tuple[float, str]] = {}
    idle = extra.get("idle", {})
    if "idle_rss" in idle:
        abs_results["idle_cpu"] = (idle["idle_cpu"], "% of a core")
        abs_results["idle_rss"] = (idle["idle_rss"], "KiB/client")
    st = extra.get("startup", {})
    if "startup" in st:
        abs_results["startup_over_python"] = (st["startup_over_python"], "ms")
    n_pass = sum(r.status == "PASS" for r in rows.values())
    n_miss = sum(r.status == "MISS" for r in rows.values())
    for name, (v, unit) in abs_results.items():
        ok = v < ABS_TARGETS[name] if name == "idle_cpu" else v <= ABS_TARGETS[name]
        n_pass += ok
        n_miss += not ok
        print(f"{name:<20} {fmt(v)} {unit}  (target {'<' if name == 'idle_cpu' else '<='} "
              f"{ABS_TARGETS[name]:g})  {'PASS' if ok else 'MISS'}")
    if "idle_rss" in idle:
        print(f"  idle: {idle['clients']} clients; server RSS {idle['rss_before_kib']} -> "
              f"{idle['rss_with_clients_kib']} KiB")
    ir = extra.get("idle_reference", {})
    if "idle_rss" in ir:
        print(f"  reference with {ir['clients']} idle clients (it stops at 255): "
              f"{fmt(ir['idle_rss'])} KiB/client, {fmt(ir['idle_cpu'])} % of a core")
    if "startup" in st:
        print(f"  startup {fmt(st['startup'])} ms (python3 -c pass {fmt(st['python_pass'])} ms)")
    for name, rec in extra.get("python_client", {}).items():
        print(f"  {name}: " + (f"n/a ({rec['na']})" if rec.get("na") else
                                f"{fmt(rec['value'])} {rec['unit']}"
                                + (f", {rec['ratio_to_floor']:.2f} x floor"
                                   if rec.get("ratio_to_floor") else "")))
    if floor_runs:
        print("floor (C unix-socket ping-pong, one per round): "
              + ", ".join(f"{f:.1f}" for f in floor_runs) + " us")
    print("CPU/op: the server process's user+system time (all threads) over the figure, "
          "per call (conc: per call; churn: per connection; bulk: per 64 KiB op)")
    print(f"{n_pass} PASS, {n_miss} MISS; load average at start {load_start[0]:.2f}, "
          f"at end {load_end[0]:.2f} ({os.cpu_count()} CPUs)")

    if args.json:
        out = {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "host": platform.node(), "cpus": os.cpu_count(),
            "python": sys.version.split()[0], "rounds": rounds, "quick": quick,
            "servers": {s.name: s.cmd for s in servers}, "server_exit": exits,
            "loadavg_start": load_start, "loadavg_end": load_end, "floor_us": floor_runs,
            "rows": [{"figure": r.figure, "client": r.client, "values": r.values,
                      "server_cpu_us_per_op": r.cpu_us, "ratios": r.ratios,
                      "target": RATIO_TARGETS.get(r.figure), "status": r.status,
                      "errors": r.errors} for r in rows.values()],
            **extra,
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        log(f"wrote {args.json}")
    shutil.rmtree(tmpdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
