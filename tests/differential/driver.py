"""Seeds on both servers: run, compare, shrink, report.

``Pair`` holds our server and the reference; ``run_seed`` runs one generated
sequence on both and returns its divergences; ``shrink`` reduces a sequence
to a minimal one with the same first divergence (delta debugging);
``format_case`` prints it as a pytest test.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import importlib
from types import ModuleType

from .compare import Divergence, compare, state_kept
from .known import KNOWN_OPEN
from .runner import Op, Result, ServerTrouble, run_sequence
from .servers import Server

FAMILY_NAMES = ("fs", "ipc")


def family_module(name: str) -> ModuleType:
    """The family's module (``generate`` and ``CALLS``)."""
    if name not in FAMILY_NAMES:
        raise ValueError(f"unknown family {name!r}")
    return importlib.import_module(f"{__package__}.{name}")


@dataclass
class SeedResult:
    family: str
    seed: int
    ops: list[Op]
    divergences: list[Divergence]           # those that count (see run_ops)
    trouble: ServerTrouble | None = None    # a server died or hung
    internal: list[str] = field(default_factory=list)  # exceptions our server logged

    @property
    def classes(self) -> list[str]:
        seen: list[str] = []
        for d in self.divergences:
            if d.cls not in seen:
                seen.append(d.cls)
        return seen

    @property
    def compared(self) -> int:
        """How many ops were compared: all, or up to the divergence after which the
        two kernels' states may differ (later results prove nothing)."""
        if self.divergences and not state_kept(self.divergences[-1]):
            return self.divergences[-1].at + 1
        if self.trouble is not None:
            return self.trouble.index
        return len(self.ops)

    @property
    def new(self) -> list[Divergence]:
        return [d for d in self.divergences if d.cls not in KNOWN_OPEN]


class Pair:
    """Our server and the reference, started once, restarted when one dies or hangs."""

    def __init__(self, tag: str = "diffh") -> None:
        self.ours = Server("ours", tag)
        try:
            self.ref = Server("ref", tag)
        except BaseException:
            self.ours.stop()
            raise
        self._n = 0

    def dirname(self) -> str:
        self._n += 1
        return f"dh{self._n}"

    def env(self) -> dict[str, int]:
        """A run's settings, the same on both servers: its own 8 ports (never reused
        soon, so TCP TIME_WAIT from earlier runs cannot collide)."""
        return {"port_base": 20000 + (self._n * 8) % 40000}

    def run_ops(self, family: str, ops: list[Op]) -> tuple[list[Divergence],
                                                           ServerTrouble | None]:
        divs, trouble, _internal = self.run_ops_full(family, ops)
        return divs, trouble

    def run_ops_full(self, family: str, ops: list[Op]
                     ) -> tuple[list[Divergence], ServerTrouble | None, list[str]]:
        """Both servers run ``ops``; the divergences that count: every one up to and
        including the first after which the two states may differ."""
        calls = family_module(family).CALLS
        name = self.dirname()
        env = self.env()
        mark = self.ours.log_size()
        try:
            ours = run_sequence(self.ours, name, ops, calls, env=env)
        except ServerTrouble as t:
            return [_trouble_div(ops, t)], t, []
        internal = self.ours.internal_errors(mark)
        try:
            ref = run_sequence(self.ref, name, ops, calls, env=env)
        except ServerTrouble as t:
            return [], t, internal
        out: list[Divergence] = []
        for d in compare(ops, ours, ref):
            out.append(d)
            if not state_kept(d):
                break
        return out, None, internal

    def close(self) -> None:
        self.ours.stop()
        self.ref.stop()


def _trouble_div(ops: list[Op], t: ServerTrouble) -> Divergence:
    """Our server dying or hanging is itself a divergence (the reference answers)."""
    return Divergence(t.index, ops[t.index], ("err", f"server {t.what}"), ("answered",))


def run_seed(pair: Pair, family: str, seed: int, calls: int) -> SeedResult:
    ops = family_module(family).generate(seed, calls)
    divs, trouble, internal = pair.run_ops_full(family, ops)
    return SeedResult(family, seed, ops, divs, trouble, internal)


def shrink(pair: Pair, family: str, ops: list[Op], target: str,
           budget: float = 60.0) -> list[Op]:
    """A minimal op list that still shows a divergence of class ``target`` (ddmin:
    cut after it, drop whole processes, then chunks of ops, halving the chunk
    size; stops improving after ``budget`` seconds)."""
    deadline = time.monotonic() + budget

    def hit(candidate: list[Op]) -> int | None:
        divs, _t = pair.run_ops(family, candidate)
        return next((d.at for d in divs if d.cls == target), None)

    def same(candidate: list[Op]) -> bool:
        return time.monotonic() < deadline and hit(candidate) is not None

    at = hit(ops)
    if at is None:
        return ops
    ops = ops[:at + 1]
    for proc in sorted({op[0] for op in ops} - {0}, reverse=True):
        # drop the process, or failing that run its calls in process 0 (no fork)
        cand = [op for op in ops if op[0] != proc and not (op[1] == "fork" and op[3][0] == proc)]
        if cand != ops and same(cand):
            ops = cand
            continue
        cand = [(0,) + tuple(op[1:]) if op[0] == proc else op for op in ops
                if not (op[1] == "fork" and op[3][0] == proc)]
        if cand != ops and same(cand):
            ops = cand
    n = 2
    while len(ops) >= 2 and time.monotonic() < deadline:
        chunk = -(-len(ops) // n)
        for i in range(0, len(ops), chunk):
            cand = ops[:i] + ops[i + chunk:]
            if cand and same(cand):
                ops = cand
                n = max(n - 1, 2)
                break
        else:
            if chunk == 1:
                break
            n = min(len(ops), n * 2)
    at = hit(ops)
    return ops if at is None else ops[:at + 1]


def expected_on(pair: Pair, server: Server, family: str, ops: list[Op],
                dirname: str) -> list[Result]:
    return run_sequence(server, dirname, ops, family_module(family).CALLS, True,
                        env=pair.env())


def format_case(family: str, seed: int, cls: str, ops: list[Op],
                expected: list[Result], ours: list[Result]) -> str:
    """A ready-to-paste pytest test: the ops and NetBSD's results for them."""
    keep = [i for i, r in enumerate(expected) if r != ("skip",)]
    name = "".join(c if c.isalnum() else "_" for c in cls.split(":")[0]).strip("_")
    lines = [f"# differential ({family} seed {seed}): {cls}",
             f"# ours: {ours[-1]!r}",
             "from differential.replay import replay  # noqa: E402",
             "",
             "OPS = ["]
    lines += [f"    {ops[i]!r}," for i in keep]
    lines += ["]", "EXPECTED = [  # NetBSD 7.99.34's rump_server"]
    lines += [f"    {expected[i]!r}," for i in keep]
    lines += ["]", "", "",
              f"def test_{family}_{name}_seed{seed}(server):",
              f"    assert replay(server.listening_url, {family!r}, OPS) == EXPECTED",
              "    # (`server`: tests/conftest.py's fixture, our sysproxy serve)"]
    return "\n".join(lines)


@dataclass
class Tally:
    """Counts over many seeds: per class, how many seeds showed it."""
    seeds: int = 0
    clean: int = 0
    ops: int = 0
    compared: int = 0
    per_class: Counter = field(default_factory=Counter)
    first_seed: dict[str, int] = field(default_factory=dict)
    troubles: list[str] = field(default_factory=list)
    internal: Counter = field(default_factory=Counter)   # our server's exceptions
    internal_seed: dict[str, int] = field(default_factory=dict)

    def add(self, res: SeedResult) -> None:
        self.seeds += 1
        self.ops += len(res.ops)
        self.compared += res.compared
        if not res.divergences and res.trouble is None:
            self.clean += 1
        for c in res.classes:
            self.per_class[c] += 1
            self.first_seed.setdefault(c, res.seed)
        if res.trouble is not None:
            self.troubles.append(f"{res.family} seed {res.seed}: {res.trouble}")
        for e in set(res.internal):
            self.internal[e] += 1
            self.internal_seed.setdefault(e, res.seed)

    def report(self, out: Callable[[str], None] = print) -> None:
        out(f"{self.seeds} seeds, {self.clean} without divergence, "
            f"{len(self.per_class)} classes; {self.compared} of {self.ops} calls compared "
            "(a seed stops comparing after a divergence that may leave the states apart)")
        for c, n in sorted(self.per_class.items(), key=lambda kv: (-kv[1], kv[0])):
            mark = "known" if c in KNOWN_OPEN else "NEW  "
            out(f"  {n:5d}  {mark}  {c}   (first: seed {self.first_seed[c]})")
        for t in self.troubles:
            out(f"  trouble: {t}")
        for e, n in self.internal.most_common():
            out(f"  our server's exception in {n} seeds (the call answered EIO): {e}"
                f"   (first: seed {self.internal_seed[e]})")
