"""The layers stay clean: no inline time-map formula, no private import across packages, no import
cycle, no function-level import of the package's own modules (docs/architecture.md).  The counts
come from benchmarks/architecture_counts.py, which prints them."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_architecture_counts_are_zero():
    counts = runpy.run_path(str(ROOT / "benchmarks" / "architecture_counts.py"))["counts"](verbose=True)
    details = counts.pop("details")
    nonzero = {k: v for k, v in counts.items() if k != "inline_time_map_by_kind" and v}
    assert nonzero == {}, {k: details.get(k) for k in nonzero}


def test_import_loads_no_heavy_library():
    """``import theory`` loads numpy only; ``import validation`` and ``import regimes`` load no
    matplotlib (figures import it on first use)."""
    code = ("import sys, theory; a = [m for m in ('scipy', 'sympy', 'mpmath', 'matplotlib') "
            "if m in sys.modules]; import validation, regimes; "
            "b = [m for m in ('sympy', 'matplotlib') if m in sys.modules]; print(a, b)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert out.stdout.strip() == "[] []"
