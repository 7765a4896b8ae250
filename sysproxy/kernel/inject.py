"""Fault injection rules in strace's syntax, applied at the kernel's syscall entry.

``SET:error=ERRNO|retval=N|signal=SIG|delay_enter=US|delay_exit=US:when=FIRST[..LAST][+STEP]``
plus our filters ``pid=N``, ``comm=NAME``, ``path=PREFIX`` and ``prob=P`` (with
``seed=N``). SET is a comma list of call names (``!`` in front negates, ``all``
is every call). ``when`` counts the calls that pass the filters, per rule, per
process and per call name (strace counts per tracee and call): ``when=3`` is
the third only, ``3..`` or ``3+`` the third and later, ``2..6+2`` the 2nd, 4th
and 6th. The probability draws from one random stream per rule, seeded, so a run
repeats exactly when its calls arrive in the same order.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..abi import errno as E
from ..abi import signal as S
from ..abi.syscalls import BY_NAME, SYSCALLS


class SpecError(ValueError):
    pass


@dataclass
class Rule:
    spec: str
    names: frozenset[int]               # call numbers the rule covers
    error: int = 0
    retval: int | None = None
    signal: int = 0
    delay_enter: float = 0.0            # seconds
    delay_exit: float = 0.0
    first: int = 1
    last: int | None = None             # None: no end
    step: int = 1
    pid: int | None = None
    comm: str | None = None
    path: bytes | None = None
    prob: float = 1.0
    seed: int = 0
    counts: dict[tuple[int, int], int] = field(default_factory=dict)
    hits: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def matches_when(self, n: int) -> bool:
        if n < self.first or (self.last is not None and n > self.last):
            return False
        return (n - self.first) % self.step == 0

    def describe(self) -> dict[str, object]:
        return {"spec": self.spec, "hits": self.hits}


def _names(text: str) -> frozenset[int]:
    neg = text.startswith("!")
    body = text[1:] if neg else text
    nums: set[int] = set()
    for nm in body.split(","):
        nm = nm.strip()
        if nm == "all":
            nums.update(SYSCALLS)
        elif nm in BY_NAME:
            nums.add(BY_NAME[nm])
        elif nm.isdigit():
            nums.add(int(nm))
        else:
            raise SpecError(f"unknown system call {nm!r}")
    return frozenset(set(SYSCALLS) - nums) if neg else frozenset(nums)


def _when(rule: Rule, text: str) -> None:
    step = None
    if "+" in text:
        text, _, st = text.partition("+")
        step = int(st) if st else 1
    if ".." in text:
        a, _, b = text.partition("..")
        rule.first, rule.last = int(a), (int(b) if b else None)
    else:
        rule.first = int(text)
        rule.last = rule.first if step is None else None
    rule.step = step or 1
    if rule.first < 1 or rule.step < 1 or (rule.last is not None and rule.last < rule.first):
        raise SpecError(f"bad when={text}")


def parse(spec: str) -> Rule:
    """A Rule from ``SET:key=value:...``; SpecError says what is wrong."""
    parts = spec.split(":")
    if len(parts) < 2:
        raise SpecError(f"{spec!r}: want SET:error=ERRNO|retval=N|signal=SIG|delay_enter=US"
                        "|delay_exit=US[:when=...][:pid=N][:comm=NAME][:path=PREFIX]"
                        "[:prob=P][:seed=N]")
    rule = Rule(spec, _names(parts[0]))
    action = False
    try:
        for kv in parts[1:]:
            key, sep, val = kv.partition("=")
            if not sep:
                raise SpecError(f"{kv!r}: want KEY=VALUE")
            if key == "error":
                code = E._BY_NAME.get(val) if not val.isdigit() else int(val)
                if not code:
                    raise SpecError(f"unknown errno {val!r}")
                rule.error, action = code, True
            elif key == "retval":
                rule.retval, action = int(val, 0), True
            elif key == "signal":
                sig = S._BY_NAME.get(val if val.startswith("SIG") else "SIG" + val) \
                    if not val.isdigit() else int(val)
                if not sig:
                    raise SpecError(f"unknown signal {val!r}")
                rule.signal, action = sig, True
            elif key == "delay_enter":
                rule.delay_enter, action = int(val) / 1e6, True
            elif key == "delay_exit":
                rule.delay_exit, action = int(val) / 1e6, True
            elif key == "when":
                _when(rule, val)
            elif key == "pid":
                rule.pid = int(val)
            elif key == "comm":
                rule.comm = val
            elif key == "path":
                rule.path = val.encode()
            elif key == "prob":
                rule.prob = float(val)
                if not 0.0 <= rule.prob <= 1.0:
                    raise SpecError("prob must be within 0..1")
            elif key == "seed":
                rule.seed = int(val)
                rule.rng = random.Random(rule.seed)
            else:
                raise SpecError(f"unknown key {key!r}")
    except ValueError as e:
        if isinstance(e, SpecError):
            raise
        raise SpecError(f"{spec!r}: {e}") from None
    if not action:
        raise SpecError(f"{spec!r}: no action (error=, retval=, signal=, delay_enter=, delay_exit=)")
    if rule.error and rule.retval is not None:
        raise SpecError(f"{spec!r}: error= and retval= together")
    return rule
