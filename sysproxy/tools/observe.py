"""``sysproxy trace``, ``stats`` and ``inject``: clients of a server's control socket.

They do not attach as kernel processes (their own calls would show in what
they watch): they speak the line-delimited JSON of docs/CONTROL.md on the
control socket, ``<server socket>.ctl`` unless ``--control`` names another.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

from .. import url as urlmod
from ..abi import argfmt


class ControlClient:
    """One connection to a control socket: requests and the lines that come back."""

    def __init__(self, url: str, timeout: float | None = 10.0) -> None:
        addr = urlmod.parse(url)
        if addr.family != socket.AF_UNIX or not addr.path:
            raise ValueError(f"the control socket is a unix:// URL, not {url}")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(addr.path)
        except BaseException:
            self.sock.close()
            raise
        self.buf = b""

    def request(self, **req: Any) -> dict[str, Any]:
        """Send one request; its answer (events that arrive first are skipped)."""
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        for msg in self.messages():
            if "event" not in msg:
                return msg
        raise ConnectionError("the control socket closed")

    def messages(self) -> Iterator[dict[str, Any]]:
        while True:
            while b"\n" in self.buf:
                line, _, self.buf = self.buf.partition(b"\n")
                yield json.loads(line)
            data = self.sock.recv(1 << 16)
            if not data:
                return
            self.buf += data

    def close(self) -> None:
        self.sock.close()


def control_url(args: argparse.Namespace, default_url: str) -> str:
    if args.control:
        return str(args.control)
    server = args.server or os.environ.get("RUMP_SERVER") or default_url
    addr = urlmod.parse(server)
    if addr.family != socket.AF_UNIX or not addr.path:
        raise ValueError(f"{server} is not a unix socket: give --control URL")
    return f"unix://{addr.path}.ctl"


format_event = argfmt.format_line


def _names(text: str | None) -> list[str] | None:
    if not text:
        return None
    if text.startswith("trace="):
        text = text[len("trace="):]
    return [n for n in text.split(",") if n and n != "all"] or None


def cmd_trace(args: argparse.Namespace, default_url: str) -> int:
    c = ControlClient(control_url(args, default_url), timeout=None)
    try:
        ans = c.request(cmd="subscribe", pid=args.pid, names=_names(args.e))
        if not ans.get("ok"):
            print(f"sysproxy trace: {ans.get('error')}", file=sys.stderr)
            return 1
        if args.ready:  # tests and scripts: the subscription is in place
            print("# tracing", flush=True)
        n = 0
        for ev in c.messages():
            if ev.get("event") == "dropped":
                print(f"# {ev['count']} calls dropped (reader too slow)", flush=True)
                continue
            print(json.dumps(ev) if args.json else format_event(ev), flush=True)
            n += 1
            if args.count and n >= args.count:
                break
    except KeyboardInterrupt:
        return 130
    finally:
        c.close()
    return 0


def _stats_table(snap: dict[str, Any]) -> str:
    rows = [f"{'PID':>6} {'COMM':<16} {'CALL':<18} {'COUNT':>8} {'ERRORS':>7} "
            f"{'P50us':>9} {'P90us':>9} {'P99us':>9} {'MAXus':>9}"]
    for pid, p in sorted(snap["procs"].items(), key=lambda kv: int(kv[0])):
        for name, c in sorted(p["calls"].items(), key=lambda kv: -kv[1]["count"]):
            rows.append(f"{pid:>6} {p['comm'][:16]:<16} {name[:18]:<18} {c['count']:>8} "
                        f"{c['errors']:>7} {c['p50_us']:>9.1f} {c['p90_us']:>9.1f} "
                        f"{c['p99_us']:>9.1f} {c['max_us']:>9.1f}")
    return "\n".join(rows)


def cmd_stats(args: argparse.Namespace, default_url: str) -> int:
    c = ControlClient(control_url(args, default_url))
    try:
        while True:
            ans = c.request(cmd="stats")
            if not ans.get("ok"):
                print(f"sysproxy stats: {ans.get('error')}", file=sys.stderr)
                return 1
            snap = ans["stats"]
            if args.json:
                print(json.dumps(snap), flush=True)
            else:
                if args.watch:
                    sys.stdout.write("\x1b[H\x1b[2J")
                since = time.strftime("%H:%M:%S", time.localtime(snap["since"]))
                print(f"counting since {since}" + (" (just started: run `sysproxy serve "
                      "--stats` to count from boot)" if ans.get("started") else ""))
                print(_stats_table(snap), flush=True)
            if not args.watch:
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 130
    finally:
        c.close()


def cmd_inject(args: argparse.Namespace, default_url: str) -> int:
    c = ControlClient(control_url(args, default_url))
    try:
        if args.op == "add":
            if not args.spec:
                print("sysproxy inject add: no SPEC", file=sys.stderr)
                return 2
            ans: dict[str, Any] = {}
            for spec in args.spec:
                ans = c.request(cmd="inject", op="add", spec=spec)
                if not ans.get("ok"):
                    print(f"sysproxy inject: {ans.get('error')}", file=sys.stderr)
                    return 1
        else:
            ans = c.request(cmd="inject", op=args.op)
        for r in ans.get("rules", []):
            print(f"{r['spec']}  (fired {r['hits']} times)")
        return 0
    finally:
        c.close()


def _run(fn: Any, default_url: str, args: argparse.Namespace) -> int:
    try:
        return int(fn(args, default_url))
    except (OSError, ValueError) as e:
        print(f"sysproxy {args.command}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], default_url: str) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--server", metavar="URL",
                       help=f"the server (default: $RUMP_SERVER, else {default_url})")
        p.add_argument("--control", metavar="URL",
                       help="the control socket (default: the server's socket path + .ctl)")

    t = sub.add_parser("trace", help="stream every system call of a running server")
    common(t)
    t.add_argument("-p", "--pid", type=int, help="only this process")
    t.add_argument("-e", metavar="SET", help="only these calls: NAME[,NAME...] (trace=... too)")
    t.add_argument("--json", action="store_true", help="one JSON object per call")
    t.add_argument("-c", "--count", type=int, default=0, help="stop after N calls")
    t.add_argument("--ready", action="store_true", help=argparse.SUPPRESS)
    t.set_defaults(func=lambda a: _run(cmd_trace, default_url, a))
    s = sub.add_parser("stats", help="per process and per call counts, errors, latencies")
    common(s)
    s.add_argument("--watch", action="store_true", help="refresh like top")
    s.add_argument("--interval", type=float, default=1.0, help="--watch period, seconds")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=lambda a: _run(cmd_stats, default_url, a))
    i = sub.add_parser("inject", help="add, list or clear fault injection rules live")
    common(i)
    i.add_argument("op", choices=("add", "list", "clear"))
    i.add_argument("spec", nargs="*", help="SET:error=ERRNO|retval=N|...[:when=...]")
    i.set_defaults(func=lambda a: _run(cmd_inject, default_url, a))
