"""Comparing two result lists: the first divergence, its class, the known open ones.

A divergence's *class* is what the fixers work from: the call (with the command
number for fcntl/ioctl/pathconf, whose results depend on it) and the pair of
outcomes: "unlink: EPERM here, EINVAL there", "fstat: values differ [size]".
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .runner import Op, Result

#: Calls whose class also names their command argument (position in args).
_CMD_ARG = {"fcntl": 1, "ioctl_int": 1, "pathconf": 1, "fpathconf": 1, "fcntl_lk": 1}


class Divergence(NamedTuple):
    at: int         # the op's position in the sequence
    op: Op
    ours: Result
    ref: Result

    @property
    def cls(self) -> str:
        return classify(self.op, self.ours, self.ref)


def _outcome(r: Result) -> str:
    return r[1] if r[0] == "err" else r[0]


def _fields(a: Any, b: Any) -> list[str]:
    """Names of differing (field, value) pairs, or positions of differing items."""
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        if all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in a):
            return [x[0] for x, y in zip(a, b, strict=True) if x != y]
        return [f"[{i}]" for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return ["value"]


def classify(op: Op, ours: Result, ref: Result) -> str:
    call = op[1]
    if call in _CMD_ARG and len(op[2]) > _CMD_ARG[call]:
        call = f"{call}(cmd={op[2][_CMD_ARG[call]]})"
    o, r = _outcome(ours), _outcome(ref)
    if o == r == "ok":
        return f"{call}: values differ {_fields(ours[1], ref[1])}"
    return f"{call}: {o} here, {r} there"


def compare(ops: list[Op], ours: list[Result], ref: list[Result]) -> list[Divergence]:
    """Every op whose normalised results differ, in order."""
    return [Divergence(i, ops[i], a, b) for i, (a, b) in enumerate(zip(ours, ref, strict=False)) if a != b]


def state_kept(d: Divergence) -> bool:
    """Whether the two kernels' states likely still agree after this divergence
    (both failed, or both succeeded with other values), so later ops still compare."""
    return _outcome(d.ours) == _outcome(d.ref) == "ok" or (d.ours[0] == d.ref[0] == "err")
