"""Count the faults of the API/data attack set (tests/_attack_api_cases.py) by category.

Usage::

    PYTHONPATH=$PWD python3 benchmarks/attack_counts_api.py            # this checkout
    python3 benchmarks/attack_counts_api.py --root /path/to/older/checkout [--list]

``--root`` puts another checkout first on ``sys.path`` (the case table itself is always read
from this checkout), so the same inputs measure the code before and after the hardening.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CATEGORIES = ("traceback", "nonfinite", "accepted", "wrong", "integrity", "unclear")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=str(HERE), help="checkout whose theory/validation are attacked")
    ap.add_argument("--list", action="store_true", help="print every failing case")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(args.root).resolve()))
    spec = importlib.util.spec_from_file_location("_attack_api_cases",
                                                  HERE / "tests" / "_attack_api_cases.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["_attack_api_cases"] = mod
    spec.loader.exec_module(mod)
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        cases = mod.all_cases(Path(tmp))
        for case in cases:
            cat, detail = mod.outcome(case)
            counts[cat] += 1
            if args.list and cat != "pass":
                print(f"{cat:10s} {case.id}: {detail}")
    print(f"root: {args.root}   cases: {len(cases)}")
    print(f"{'category':12s} count")
    for cat in ("pass",) + CATEGORIES:
        print(f"{cat:12s} {counts[cat]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
