"""The generated closed forms: regenerated from the derivations they must be byte-identical to the
committed module, numpy-only at run time, and equal to the derived expressions at 30 digits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mpmath as mp
import numpy as np
import sympy as sp

from derivations.generate import TARGET, generated_functions, generated_source, main

ROOT = Path(__file__).resolve().parents[1]


def test_generated_module_is_up_to_date():
    assert TARGET.read_text() == generated_source(), \
        "theory/_generated_closed_forms.py is stale: run python -m derivations.generate"
    assert main(["--check"]) == 0


def test_check_fails_on_any_difference(tmp_path):
    stale = tmp_path / "stale.py"
    stale.write_text(TARGET.read_text().replace("sigma**2", "sigma", 1))
    assert main(["--check", "--output", str(stale)]) == 1


def test_generated_module_needs_no_sympy():
    code = ("import sys; import theory._generated_closed_forms; "
            "print(sorted(m for m in ('sympy', 'scipy', 'mpmath') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True)
    assert out.stdout.strip() == "[]"


def test_generated_functions_equal_the_derivations():
    import theory._generated_closed_forms as gen

    rng = np.random.default_rng(3)
    ranges = {"alpha": (1e-3, 2.0), "sigma": (0.2, 3.0), "t": (1e-3, 8.0), "d": (2.0, 5000.0),
              "mu_tilde": (0.2, 2.0), "lam": (0.0, 5.0)}
    for fn in generated_functions():
        expr = fn.derive()
        syms = sorted(expr.free_symbols, key=lambda s: fn.args.index(s.name))
        ref = sp.lambdify(syms, expr, modules="mpmath")
        numeric = getattr(gen, fn.name)
        for _ in range(20):
            vals = [rng.uniform(*ranges[a]) for a in fn.args]
            with mp.workdps(30):
                exact = ref(*(mp.mpf(v) for v in vals))
            got = numeric(*(np.float64(v) for v in vals))
            assert abs(got - float(exact)) <= 1e-13 * max(abs(float(exact)), 1e-300), (fn.name, vals)
            # backend-neutral bodies take mpmath numbers too
            if "np." not in sp.srepr(expr) and fn.name in ("collapse_time_of_alpha",
                                                           "half_log_delta_over_gamma",
                                                           "signal_to_noise"):
                with mp.workdps(30):
                    mp_val = numeric(*(mp.mpf(v) for v in vals))
                    assert abs(mp_val - exact) < mp.mpf(10) ** -25 * (1 + abs(exact))
