"""The syscall observer: tracing, statistics and fault injection at syscall entry/exit.

``Kernel.observer`` is None until something is attached (a trace sink, a
statistics table, an injection rule); ``Kernel.syscall`` then costs one
attribute check. When set, each call's handler coroutine runs inside
:meth:`Observer.call`, which reads the call's string arguments (so a trace can
show paths and ``path=`` rules can match them), applies the first matching
injection rule (an error or retval means the handler never runs; a delay is a
kernel sleep of this LWP, never a block of the server), times the call, and
hands one record to each sink and to the statistics.
"""
from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..abi import argfmt
from ..abi.syscalls import SYSCALLS
from .errors import KernelError, LwpExit
from .inject import Rule
from .sleepq import Sleep

if TYPE_CHECKING:
    from .lwp import Lwp
    from .syscalls.table import Args, Handler

Record = dict[str, Any]
Sink = Callable[[Record], None]

_NAMES: dict[int, tuple[str, tuple[int, ...]]] = {}  # number -> (name, string slots)
SAMPLES = 4096  # latencies kept per (process, call) for the percentiles
MAXPATH = 1024


class Stats:
    """Per process and per call: count, errors, and the last SAMPLES latencies."""

    def __init__(self) -> None:
        self.since = time.time()
        self.procs: dict[int, dict[str, Any]] = {}

    def add(self, pid: int, comm: str, name: str, error: int, dur_ns: int) -> None:
        p = self.procs.get(pid)
        if p is None:
            p = self.procs[pid] = {"comm": comm, "calls": {}}
        p["comm"] = comm
        c = p["calls"].get(name)
        if c is None:
            c = p["calls"][name] = [0, 0, deque(maxlen=SAMPLES)]
        c[0] += 1
        if error:
            c[1] += 1
        c[2].append(dur_ns)

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready: {"since", "procs": {pid: {"comm", "calls": {name: {...}}}}}."""
        out: dict[str, Any] = {}
        for pid, p in self.procs.items():
            calls = {}
            for name, (n, errs, lat) in p["calls"].items():
                s = sorted(lat)
                calls[name] = {"count": n, "errors": errs,
                               "p50_us": _pct(s, 0.50), "p90_us": _pct(s, 0.90),
                               "p99_us": _pct(s, 0.99), "max_us": s[-1] / 1000 if s else 0.0}
            out[str(pid)] = {"comm": p["comm"], "calls": calls}
        return {"since": self.since, "procs": out}


def _pct(s: list[int], q: float) -> float:
    """Nearest rank: the smallest sample with at least q of them at or below it."""
    if not s:
        return 0.0
    return s[max(0, math.ceil(q * len(s)) - 1)] / 1000


class Observer:
    """What is attached to one kernel's syscall entry and exit."""

    def __init__(self, kernel: Any) -> None:
        self.kernel = kernel
        self.sinks: list[Sink] = []
        self.rules: list[Rule] = []
        self.stats: Stats | None = None
        self.seq = 0

    def update(self) -> None:
        """Attach to the kernel when there is something to do, detach when not."""
        self.kernel.observer = self if (self.sinks or self.rules or self.stats) else None

    def add_sink(self, sink: Sink) -> None:
        self.sinks.append(sink)
        self.update()

    def remove_sink(self, sink: Sink) -> None:
        if sink in self.sinks:
            self.sinks.remove(sink)
        self.update()

    def add_rule(self, rule: Rule) -> None:
        self.rules.append(rule)
        self.update()

    def clear_rules(self) -> None:
        self.rules.clear()
        self.update()

    def enable_stats(self) -> Stats:
        if self.stats is None:
            self.stats = Stats()
            self.update()
        return self.stats

    # -- the calls ---------------------------------------------------------
    def _match(self, lwp: Lwp, strings: dict[int, bytes]) -> Rule | None:
        proc = lwp.proc
        for r in self.rules:
            if lwp.sysnum not in r.names:
                continue
            if r.pid is not None and r.pid != proc.pid:
                continue
            if r.comm is not None and r.comm != proc.comm:
                continue
            if r.path is not None and not any(s.startswith(r.path) for s in strings.values()):
                continue
            key = (proc.pid, lwp.sysnum)
            n = r.counts.get(key, 0) + 1
            r.counts[key] = n
            if not r.matches_when(n):
                continue
            if r.prob < 1.0 and r.rng.random() >= r.prob:
                continue
            r.hits += 1
            return r
        return None

    async def call(self, lwp: Lwp, handler: Handler, args: Args) -> Any:
        """Run ``handler`` observed: strings, injection, timing, the record."""
        known = _NAMES.get(lwp.sysnum)
        if known is None:
            info = SYSCALLS.get(lwp.sysnum)
            nm = info.name if info else str(lwp.sysnum)
            known = _NAMES[lwp.sysnum] = (nm, argfmt.string_slots(nm))
        name, slots = known
        strings: dict[int, bytes] = {}
        if slots and (self.sinks or any(r.path is not None for r in self.rules)):
            for slot in slots:
                if slot < len(args) and args[slot]:
                    try:
                        strings[slot] = await lwp.copyinstr(args[slot], MAXPATH)
                    except KernelError:
                        pass  # shown as the address; the handler reports the error
        rule = self._match(lwp, strings) if self.rules else None
        wall = time.time()
        t0 = time.perf_counter_ns()
        error, rv = -1, 0
        try:
            if rule is not None:
                if rule.signal:
                    self.kernel.psignal(lwp.proc, rule.signal)
                if rule.delay_enter:
                    await Sleep(self.kernel.sched, (), timeout=rule.delay_enter, intr=False)
            try:
                if rule is not None and rule.error:
                    raise KernelError(rule.error)
                if rule is not None and rule.retval is not None:
                    result: Any = rule.retval
                else:
                    result = await handler(lwp, args)
                failed: KernelError | None = None
            except KernelError as e:
                failed, result = e, None
            if rule is not None and rule.delay_exit:
                await Sleep(self.kernel.sched, (), timeout=rule.delay_exit, intr=False)
            if failed is not None:
                error = failed.errno
                raise failed
            error = 0
            rv = result if type(result) is int else (result[0] if result else 0)
            return result
        except LwpExit:
            error = -1
            raise
        finally:
            self._emit(lwp, name, args, strings, error, rv, wall,
                       time.perf_counter_ns() - t0, rule)

    def _emit(self, lwp: Lwp, name: str, args: Args, strings: dict[int, bytes], error: int,
              rv: int, wall: float, dur_ns: int, rule: Rule | None) -> None:
        proc = lwp.proc
        if self.stats is not None:
            self.stats.add(proc.pid, proc.comm, name, error, dur_ns)
        if not self.sinks:
            return
        self.seq += 1
        rec: Record = {
            "seq": self.seq, "time": wall, "pid": proc.pid, "lwp": lwp.lid, "comm": proc.comm,
            "nr": lwp.sysnum, "name": name, "args": list(args),
            "strings": {str(k): v.decode("utf-8", "backslashreplace") for k, v in strings.items()}
            if strings else {},
            "error": error if error > 0 else 0, "errname": argfmt.errno_name(error),
            "interrupted": error < 0, "rv": rv, "dur_us": dur_ns / 1000,
            "inject": rule.spec if rule is not None else None,
        }
        for sink in list(self.sinks):
            sink(rec)


def format_record(rec: Record) -> str:
    return argfmt.format_line(rec)


def observed(kernel: Any) -> Observer:
    """The kernel's Observer, made on first use (it attaches itself only when needed)."""
    obs = kernel.observer_state
    if obs is None:
        obs = kernel.observer_state = Observer(kernel)
    return obs

