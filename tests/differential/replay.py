"""Replaying a shrunk case on one server (regression tests the tester prints).

``replay(url, family, ops)`` runs ``ops`` in a fresh tmpfs on the server at
``url`` (e.g. tests/conftest.py's ``server`` fixture) and returns the normalised
results, to compare with the NetBSD results the tester printed.
"""
from __future__ import annotations

import uuid

from .driver import family_module
from .runner import Op, Result, run_sequence


class _Fixed:
    """A server someone else runs: no restarts."""

    kind = "given"

    def __init__(self, url: str) -> None:
        self.url = url

    def alive(self) -> bool:
        return True

    def restart(self, why: str) -> None:
        raise RuntimeError(f"the server at {self.url} {why}")


def replay(url: str, family: str, ops: list[Op]) -> list[Result]:
    """The results of ``ops`` on the server at ``url``, skipped ops left out."""
    res = run_sequence(_Fixed(url), f"rp{uuid.uuid4().hex[:8]}", ops,  # type: ignore[arg-type]
                       family_module(family).CALLS, True)
    return [r for r in res if r != ("skip",)]
