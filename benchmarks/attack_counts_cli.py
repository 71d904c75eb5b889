"""Counts of the CLI / file / checkpoint attack set by category (issue 13): re-runnable, prints a table.

    PYTHONPATH=$PWD python3 benchmarks/attack_counts_cli.py [--limit N] [--verbose] [--only WORD]

Runs every case of ``tests/_cli_attack.py`` (the hand-written cases of the issue, the positional
arguments, a fuzz over every subcommand and option of the parser) through ``regimes.cli.main`` in a
scratch folder, plus the checkpoint attacks on :class:`regimes.runs.PointRun` and one SIGTERM run
in a subprocess, and prints how many land in each category (traceback, nonfinite, wrong,
integrity, unclear; pass; slow = not judged).  The address space is capped (16 GiB) so that a
request of tens of GiB fails at once instead of swapping.
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("MPLBACKEND", "Agg")

import _checkpoint_attack as ck  # noqa: E402
import _cli_attack as attack  # noqa: E402


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="run the first N CLI cases only")
    ap.add_argument("--only", default=None, help="cases whose label contains WORD")
    ap.add_argument("--verbose", action="store_true", help="print every case that does not pass")
    ap.add_argument("--no-sigterm", action="store_true")
    args = ap.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (16 * 2**30, hard))
    cases = attack.all_cases()
    if args.only:
        cases = [c for c in cases if args.only in c.label or args.only in c.note]
    cases = cases[:args.limit]
    counts: collections.Counter = collections.Counter()
    bad = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases):
            root = Path(tmp) / f"c{i}"
            root.mkdir()
            attack.setup_scratch(root)
            cat, detail = attack.run_case(case, root)
            counts[cat] += 1
            if cat != "pass":
                bad.append((cat, case.label, detail))
            shutil.rmtree(root, ignore_errors=True)
        for name, fun in ck.ATTACKS.items():
            root = Path(tmp) / f"ck_{name}"
            root.mkdir()
            cat, detail = fun(root)
            counts[cat] += 1
            if cat != "pass":
                bad.append((cat, f"checkpoint: {name}", detail))
        if not args.no_sigterm:
            root = Path(tmp) / "sigterm"
            root.mkdir()
            cat, detail = ck.sigterm_attack(root)
            counts[cat] += 1
            if cat != "pass":
                bad.append((cat, "SIGTERM during reproduce fig2 --quick", detail))
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    total = sum(counts.values())
    if args.verbose:
        for cat, label, detail in sorted(bad):
            print(f"[{cat}] {label}\n      {detail}")
    print(f"{total} attacks in {time.perf_counter() - t0:.0f} s")
    print(f"{'category':<12} {'count':>6}")
    for cat in (*attack.CATEGORIES, "slow", "pass"):
        print(f"{cat:<12} {counts.get(cat, 0):>6}")
    return dict(counts)


if __name__ == "__main__":
    main()
