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
        if any(d.cls not in KNOWN_OPEN for d in res.divergences):
            # A new class must show again in a second run of the seed: loopback
            # traffic in NetBSD's kernel is processed by another thread, so under a
            # heavy load a timing difference could pass for a divergence once.
            again = {d.cls for d in run_seed(pair, family, seed, CALLS).divergences}
            res.divergences = [d for d in res.divergences
                               if d.cls in KNOWN_OPEN or d.cls in again]
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
    for e, n in tally.internal.items():   # they answer EIO: a divergence class too
        warnings.warn(f"{family}: our server's exception in {n} seeds: {e}", stacklevel=1)
    for t in tally.troubles:
        if "ref server" in t:   # a reference bug the generator failed to steer around
            warnings.warn(t, stacklevel=1)
    detail = []
    for c in new:
        seed, d = example[c]
        detail.append(f"NEW {c}\n   seed {seed} op {d.at}: {d.op!r}\n   ours {d.ours!r}\n"
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
    assert [d.at for d in divs] == [1, 2]
    assert divs[0].cls == "unlink: EPERM here, EINVAL there"
    assert divs[1].cls == "stat: values differ ['size']"
    assert state_kept(divs[0]) and state_kept(divs[1])
    assert not state_kept(Divergence(0, ops[0], ("ok", 0), ("err", "EEXIST")))
    assert classify((0, "fcntl", ("#1", 3, 0)), ("ok", 2), ("ok", 0x400002)) == \
        "fcntl(cmd=3): values differ ['value']"


def test_replay_runs_a_printed_case_on_ours(server) -> None:
    """The shape the tester prints: ops and NetBSD's results, replayed on our server."""
    from .replay import replay
    ops = [(0, "mkdir", ("d", 0o750)), (0, "fork", (), (1,)),
           (1, "setcred", ((100,), 100, 1000, 0o22)), (1, "mkdir", ("d/x", 0o777)),
           (0, "open", ("d", 0x200000, 0), ("#1",)), (0, "fstat", ("#1",)),
           (1, "close", ("#1",)), (0, "close", ("#1",)), (0, "close", ("#1",))]
    res = replay(server.listening_url, "fs", ops)
    assert res[:5] == [("ok", 0), ("ok",), ("ok", (0, 0, 0, 18)), ("err", "EACCES"), ("ok", 3)]
    assert dict(res[5][1])["mode"] == "0o40750" and dict(res[5][1])["nlink"] == 2
    assert res[6:] == [("err", "EBADF"), ("ok", 0), ("err", "EBADF")]  # (not shared: no fd yet)


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
    assert len(small) <= d.at + 1
    divs, _t = pair.run_ops("fs", small)
    assert d.cls in [x.cls for x in divs]


@needs_reference
def test_a_dead_reference_is_restarted(pair: Pair) -> None:
    """A reference that died is reported as trouble and restarted; the next seed runs."""
    assert pair.ref.proc is not None
    before = pair.ref.restarts
    pair.ref.proc.kill()
    pair.ref.proc.wait()
    res = run_seed(pair, "fs", 1, 30)
    assert res.trouble is not None and res.trouble.kind == "ref"
    assert pair.ref.restarts == before + 1 and pair.ref.alive()
    again = run_seed(pair, "fs", 1, 30)
    assert again.trouble is None


@needs_reference
def test_a_hung_reference_is_restarted(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reference that stops answering (here: stopped by SIGSTOP) times out, is
    reported as hung, killed and restarted, instead of hanging the run."""
    import signal

    from . import runner
    monkeypatch.setattr(runner, "CALL_TIMEOUT", 1.0)
    assert pair.ref.proc is not None
    pair.ref.proc.send_signal(signal.SIGSTOP)
    res = run_seed(pair, "fs", 2, 30)
    assert res.trouble is not None and res.trouble.kind == "ref"
    assert pair.ref.alive()
    assert run_seed(pair, "fs", 2, 30).trouble is None
