"""``python -m tests.differential``: run any number of seeds on both servers.

    python -m tests.differential --family fs --seeds 1000 --calls 200 [--seed-start N] [--shrink]

prints divergence counts grouped by class (call + the pair of outcomes; "known"
marks the KNOWN OPEN DIVERGENCES of known.py), and with --shrink one minimal,
ready-to-paste pytest case per class.
"""
from __future__ import annotations

import argparse
import sys
import time

from .compare import Divergence
from .driver import FAMILY_NAMES, Pair, Tally, expected_on, format_case, run_seed, shrink
from .known import KNOWN_OPEN, known_note
from .servers import reference_missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.differential",
                                 description="Differential testing against NetBSD's rump_server")
    ap.add_argument("--family", choices=FAMILY_NAMES + ("all",), default="all")
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--seed-start", type=int, default=0)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--shrink", action="store_true",
                    help="shrink one sequence per class and print it as a pytest case")
    ap.add_argument("--shrink-new-only", action="store_true",
                    help="with --shrink: only classes not in KNOWN_OPEN")
    ap.add_argument("--only", metavar="TEXT",
                    help="with --shrink: only classes containing TEXT (e.g. 'truncate:')")
    ap.add_argument("--seed", type=int, help="run this one seed and print every divergence")
    ap.add_argument("--emit-known", action="store_true",
                    help="print every observed class as a KNOWN_OPEN entry (known.py)")
    args = ap.parse_args(argv)
    why = reference_missing()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    families = FAMILY_NAMES if args.family == "all" else (args.family,)
    pair = Pair()
    status = 0
    try:
        for fam in families:
            if args.seed is not None:
                res = run_seed(pair, fam, args.seed, args.calls)
                for d in res.divergences:
                    print(f"op {d.at}: {d.op!r}\n   ours {d.ours!r}\n   ref  {d.ref!r}\n"
                          f"   class {d.cls}")
                if res.trouble:
                    print(f"trouble: {res.trouble}")
                continue
            tally = Tally()
            examples: dict[str, tuple[int, list, Divergence]] = {}
            t0 = time.monotonic()
            for seed in range(args.seed_start, args.seed_start + args.seeds):
                res = run_seed(pair, fam, seed, args.calls)
                tally.add(res)
                for d in res.divergences:
                    examples.setdefault(d.cls, (seed, res.ops, d))
            dt = time.monotonic() - t0
            print(f"== family {fam}: {args.seeds} seeds x {args.calls} calls "
                  f"in {dt:.1f} s (seeds {args.seed_start}..{args.seed_start + args.seeds - 1})")
            tally.report()
            if args.emit_known:
                for cls, (seed, _ops, d) in sorted(examples.items()):
                    print(f"    {cls!r}:")
                    print(f"        {known_note(fam, seed, d)!r},")
            if any(c not in KNOWN_OPEN for c in tally.per_class):
                status = 1
            if args.shrink:
                for cls, (seed, ops, _d) in sorted(examples.items()):
                    if args.shrink_new_only and cls in KNOWN_OPEN:
                        continue
                    if args.only and args.only not in cls:
                        continue
                    small = shrink(pair, fam, ops, cls)
                    name = pair.dirname()
                    exp = expected_on(pair, pair.ref, fam, small, name)
                    ours = expected_on(pair, pair.ours, fam, small, name)
                    print()
                    print(format_case(fam, seed, cls, small, exp, ours))
    finally:
        pair.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
