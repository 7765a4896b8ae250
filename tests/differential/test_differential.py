"""The differential tester in CI: a fixed budget of seeds per family on both servers.

Skipped, with the reason, where NetBSD's reference rump_server is absent. A
divergence of a class not in known.py's KNOWN_OPEN fails the test, with every
new class, an example and the command that shows it; known ones only warn.
Any number of seeds: ``python -m tests.differential --help``.
"""
from __future__ import annotations

import os
import warnings
from typing import Iterator

import pytest

from .compare import Divergence, classify, compare, state_kept
from .driver import FAMILY_NAMES, Pair, Tally, family_module, run_seed, shrink
from .known import KNOWN_OPEN
from .servers import reference_missing

#: Seeds per family in CI (calls per seed: CALLS). FS: ~0.2 s a seed here.
BUDGET = {"fs": int(os.environ.get("SYSPROXY_DIFF_FS_SEEDS", "40")),
          "ipc": int(os.environ.get("SYSPROXY_DIFF_IPC_SEEDS", "40"))}
CALLS = 200

needs_reference = pytest.mark.skipif(reference_missing() is not None,
                                     reason=reference_missing() or "")


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    p = Pair()
    yield p
    p.close()


@needs_reference
@pytest.mark.parametrize("family", [f for f in FAMILY_NAMES if f in BUDGET])
def test_seeds_match_netbsd(pair: Pair, family: str) -> None:
    try:
        family_module(family)
    except ImportError:
        pytest.skip(f"family {family} not written yet")
    tally = Tally()
    example: dict[str, tuple[int, Divergence]] = {}
    for seed in range(BUDGET[family]):
        res = run_seed(pair, family, seed, CALLS)
        tally.add(res)
        for d in res.divergences:
            example.setdefault(d.cls, (seed, d))
    lines: list[str] = []
    tally.report(lines.append)
    known = [c for c in tally.per_class if c in KNOWN_OPEN]
    new = [c for c in tally.per_class if c not in KNOWN_OPEN]
    if known:
        warnings.warn(f"{family}: {len(known)} known open divergence classes "
                      f"in {sum(tally.per_class[c] for c in known)} seed-hits "
                      "(tests/differential/known.py)", stacklevel=1)
    for t in tally.troubles:
        if "ref server" in t:   # a reference bug the generator failed to steer around
            warnings.warn(t, stacklevel=1)
    detail = []
    for c in new:
        seed, d = example[c]
        detail.append(f"NEW {c}\n   seed {seed} op {d.index}: {d.op!r}\n   ours {d.ours!r}\n"
                      f"   ref  {d.ref!r}\n   see: python -m tests.differential "
                      f"--family {family} --seed {seed}")
    assert not new, "\n".join(lines + detail)


# ---- the harness itself (no reference needed) --------------------------------------

def test_generation_is_reproducible() -> None:
    for fam in FAMILY_NAMES:
        try:
            mod = family_module(fam)
        except ImportError:
            continue
        assert mod.generate(7, 150) == mod.generate(7, 150)
        assert mod.generate(7, 150) != mod.generate(8, 150)
        assert len(mod.generate(3, 120)) == 120


def test_compare_finds_and_classifies_divergences() -> None:
    ops = [(0, "mkdir", ("d", 0o755)), (0, "unlink", (".",)), (0, "stat", ("d",))]
    ours = [("ok", 0), ("err", "EPERM"), ("ok", (("mode", "0o40755"), ("size", 40)))]
    ref = [("ok", 0), ("err", "EINVAL"), ("ok", (("mode", "0o40755"), ("size", 48)))]
    divs = compare(ops, ours, ref)
    assert [d.index for d in divs] == [1, 2]
    assert divs[0].cls == "unlink: EPERM here, EINVAL there"
    assert divs[1].cls == "stat: values differ ['size']"
    assert state_kept(divs[0]) and state_kept(divs[1])
    assert not state_kept(Divergence(0, ops[0], ("ok", 0), ("err", "EEXIST")))
    assert classify((0, "fcntl", ("#1", 3, 0)), ("ok", 2), ("ok", 0x400002)) == \
        "fcntl(cmd=3): values differ ['value']"


@needs_reference
def test_shrink_keeps_the_divergence(pair: Pair) -> None:
    """Shrinking a seed's sequence keeps a divergence of the same class in fewer ops."""
    for seed in range(20):
        res = run_seed(pair, "fs", seed, 60)
        if res.divergences and res.trouble is None:
            break
    else:
        pytest.skip("no divergence in fs seeds 0-19 (60 calls) left to shrink")
    d = res.divergences[0]
    small = shrink(pair, "fs", res.ops, d.cls, budget=20.0)
    assert len(small) <= d.index + 1
    divs, _t = pair.run_ops("fs", small)
    assert d.cls in [x.cls for x in divs]
