"""Mutation testing of the symbolic layer and of the closed forms it feeds.

Run:  python tests/_mutation.py [--only ID ...] [--json FILE] [--timeout SECONDS] [--list]

Each mutant changes one derivation step, one line of the generated module or one hand-tuned numeric
form (a sign, a factor of 2, sigma^2 -> sigma, exp(-2t) -> exp(-t), ...).  For each mutant the
script copies the working tree to a temporary folder, applies the change, runs the tests that cover
the mutated file (``pytest -x``) and records whether they fail ("killed") or pass ("survived").
A mutant whose tests run past ``--timeout`` counts as a timeout, not as killed.  The kill rate is
killed / (killed + survived + timeout).  Not part of the default test run (a few minutes per
surviving mutant); the result of the last run is quoted in docs/theory/derivations.md sec. 6.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DERIVATION_TESTS = ("tests/test_derivations.py", "tests/test_derivations_models.py",
                    "tests/test_derivations_manifold.py", "tests/test_derivations_spectral.py",
                    "tests/test_generated.py", "tests/test_verify.py", "tests/test_cross_layer.py")
GENERATED_TESTS = ("tests/test_generated.py", "tests/test_cross_layer.py")
NUMERIC_TESTS = ("tests/test_cross_layer.py",)


@dataclass(frozen=True)
class Mutant:
    ident: str
    kind: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


M = Mutant
MUTANTS: tuple[Mutant, ...] = (
    # --- derivations -----------------------------------------------------------------------------
    M("sym-delta", "exp(-2t) -> exp(-t)", "derivations/_symbols.py",
      "DELTA_T = 1 - sp.exp(-2 * t)", "DELTA_T = 1 - sp.exp(-t)", DERIVATION_TESTS),
    M("sym-normal", "factor 2", "derivations/_symbols.py",
      "    return sp.exp(-(v - mean) ** 2 / (2 * var)) / sp.sqrt(2 * sp.pi * var)",
      "    return sp.exp(-(v - mean) ** 2 / var) / sp.sqrt(2 * sp.pi * var)", DERIVATION_TESTS),
    M("gm-mixture", "sign", "derivations/gaussian_mixture_score.py",
      "log_density = sp.log((sp.exp(log_plus) + sp.exp(log_minus)) / 2)",
      "log_density = sp.log((sp.exp(log_plus) - sp.exp(log_minus)) / 2)", DERIVATION_TESTS),
    M("rem-energy-sign", "sign", "derivations/rem.py",
      "energy = sp.factor(sp.together(-sp.diff(g, S.lam)))",
      "energy = sp.factor(sp.together(sp.diff(g, S.lam)))", DERIVATION_TESTS),
    M("rem-legendre-sign", "sign", "derivations/rem.py",
      "rate = -lambda_star * S.eps - g.subs(S.lam, lambda_star)",
      "rate = lambda_star * S.eps - g.subs(S.lam, lambda_star)", DERIVATION_TESTS),
    M("rem-boltzmann-2", "factor 2", "derivations/rem.py",
      "boltzmann = sp.exp(-lam_pos * (S.c - sp.sqrt(s2) * zeta) ** 2 / (2 * delta))",
      "boltzmann = sp.exp(-lam_pos * (S.c - sp.sqrt(s2) * zeta) ** 2 / delta)", DERIVATION_TESTS),
    M("spectrum-half", "sign", "derivations/_rem_spectrum.py",
      "h = sp.simplify((-sp.Rational(1, 2) - g1.subs(S.lam, 1)).subs(",
      "h = sp.simplify((sp.Rational(1, 2) - g1.subs(S.lam, 1)).subs(", DERIVATION_TESTS),
    M("landau-c2-sign", "sign", "derivations/_mixture.py",
      "            c = c - gamma", "            c = c + gamma", DERIVATION_TESTS),
    M("landau-drift-2", "factor 2", "derivations/_mixture.py",
      "    drift = sp.expand(4 * coeffs[1] - 1)", "    drift = sp.expand(2 * coeffs[1] - 1)",
      DERIVATION_TESTS),
    M("cloning-shift-2", "factor 2", "derivations/_mixture.py",
      "    shift = sp.log(w0 / w1) / 2", "    shift = sp.log(w0 / w1)", DERIVATION_TESTS),
    M("cumulant-binomial", "wrong coefficient", "derivations/_mixture.py",
      "math.comb(n - 1, m - 1)", "math.comb(n, m)", DERIVATION_TESTS),
    M("landau-m-2", "factor 2", "derivations/landau.py",
      "m_dir = sp.simplify(-2 * Delta * quadratic", "m_dir = sp.simplify(-Delta * quadratic",
      DERIVATION_TESTS),
    M("regime1-potential-2", "factor 2", "derivations/landau.py",
      "    potential = q**2 / 2 - 2 * mu**2 * sp.log(sp.cosh(q * sp.exp(-t) * sp.sqrt(d)))",
      "    potential = q**2 / 2 - mu**2 * sp.log(sp.cosh(q * sp.exp(-t) * sp.sqrt(d)))",
      DERIVATION_TESTS),
    M("cavity-sign", "sign", "derivations/linear_manifold.py",
      "    sm = qq / (1 + sig * qq)", "    sm = qq / (1 - sig * qq)", DERIVATION_TESTS),
    M("stieltjes-z-sign", "sign", "derivations/linear_manifold.py",
      "    z_of_g = -1 / g + sigma_sum", "    z_of_g = 1 / g + sigma_sum", DERIVATION_TESTS),
    M("manifold-norm-2", "factor 2", "derivations/manifold_rem.py",
      "    var_norm = gate * per_sigma4 * q4", "    var_norm = gate * q4", DERIVATION_TESTS),
    M("blocks-energy-2", "factor 2", "derivations/_manifold_blocks.py",
      "    energy = -y_i / sp.sqrt(t) + y_sq / (2 * t)", "    energy = -y_i / sp.sqrt(t) + y_sq / t",
      DERIVATION_TESTS),
    M("codegen-log-sign", "sign", "derivations/_codegen.py",
      "(sp.factor(sp.cancel(1 / arg - 1)), -1)]", "(sp.factor(sp.cancel(1 / arg - 1)), 1)]",
      DERIVATION_TESTS),
    # --- generated code --------------------------------------------------------------------------
    M("gen-tc-sigma", "sigma^2 -> sigma", "theory/_generated_closed_forms.py",
      "return _ou_from_ve(sigma**2/_ve(alpha))", "return _ou_from_ve(sigma/_ve(alpha))",
      GENERATED_TESTS),
    M("gen-fe-sign", "sign", "theory/_generated_closed_forms.py",
      "return -_ou_from_ve(sigma**2/_ve(t))", "return _ou_from_ve(sigma**2/_ve(t))", GENERATED_TESTS),
    M("gen-r-mu", "mu^2 -> mu", "theory/_generated_closed_forms.py",
      "return d*mu_tilde**2/(sigma**2 + _ve(t))", "return d*mu_tilde/(sigma**2 + _ve(t))",
      GENERATED_TESTS),
    M("gen-energy-2", "factor 2", "theory/_generated_closed_forms.py",
      "(_x0**2 + 2*_x0*_x2 + ", "(_x0**2 + _x0*_x2 + ", GENERATED_TESTS),
    M("gen-cgf-sign", "sign", "theory/_generated_closed_forms.py",
      "- _ou_from_ve(_x2/_x0)", "+ _ou_from_ve(_x2/_x0)", GENERATED_TESTS),
    M("gen-tstar-2", "factor 2", "theory/_generated_closed_forms.py",
      "np.log(2*d*mu_tilde**2)", "np.log(d*mu_tilde**2)", GENERATED_TESTS),
    # --- hand-tuned numeric forms (cross-checked) ---------------------------------------------------
    M("num-legendre-2", "factor 2", "theory/_gm_collapse.py",
      "a = np.sqrt(st2**2 + 8.0 * eps * dt * (dt + st2))",
      "a = np.sqrt(st2**2 + 4.0 * eps * dt * (dt + st2))", NUMERIC_TESTS),
    M("num-hessian-sigma", "sigma^2 -> sigma", "theory/_gm_speciation.py",
      '"exact_hessian": d_ * mu**2 + 1.0 - sig**2,', '"exact_hessian": d_ * mu**2 + 1.0 - sig,',
      NUMERIC_TESTS),
    M("num-manifold-2", "factor 2", "theory/_manifold_thresholds.py",
      "s = (var + np.sqrt(var**2 + 4.0 * L * _gate_q4(var, dm, normalized))) / (4.0 * L)",
      "s = (var + np.sqrt(var**2 + 2.0 * L * _gate_q4(var, dm, normalized))) / (4.0 * L)",
      NUMERIC_TESTS),
    M("num-edge-v", "v^2 -> v", "theory/_stieltjes.py",
      "term = f[k] * v[k] ** 2 * _product", "term = f[k] * v[k] * _product", NUMERIC_TESTS),
    M("num-gap-swap", "swapped roots", "theory/_spectral_gaps.py",
      "    s_open = edge * (1.0 - delta) / delta", "    s_open = edge * delta / (1.0 - delta)",
      NUMERIC_TESTS),
    M("num-alphabar", "exp(-2t) -> exp(-t)", "theory/timemap.py",
      "    return np.exp(-2.0 * t)", "    return np.exp(-t)", NUMERIC_TESTS),
    M("num-subspace-2", "factor 2", "theory/_manifold_global.py",
      "return _from_ve(psi * var / (2.0 * al[..., None]), time)",
      "return _from_ve(psi * var / al[..., None], time)", NUMERIC_TESTS),
    M("num-spectrum-2", "factor 2", "theory/_spectrum_collapse.py",
      "two_alpha_d = 2.0 * np.log(n_arr.reshape(-1))", "two_alpha_d = np.log(n_arr.reshape(-1))",
      NUMERIC_TESTS),
)


def _copy_tree(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", ".ruff_cache", "*.pyc",
                                    ".hypothesis")
    for item in ROOT.iterdir():
        if item.name in (".git", ".pytest_cache", ".ruff_cache", ".hypothesis"):
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, ignore=ignore)
        else:
            shutil.copy2(item, target)


def check_mutants() -> list[str]:
    """Problems with the mutant table: an ``old`` text that is not found exactly once."""
    bad = []
    for m in MUTANTS:
        count = (ROOT / m.path).read_text().count(m.old)
        if count != 1:
            bad.append(f"{m.ident}: {count} occurrences of {m.old!r} in {m.path}")
    return bad


def run(mutants, timeout: float) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation_") as tmp:
        work = Path(tmp)
        _copy_tree(work)
        env = {**os.environ, "PYTHONPATH": str(work), "PYTHONDONTWRITEBYTECODE": "1"}
        for m in mutants:
            path = work / m.path
            original = path.read_text()
            path.write_text(original.replace(m.old, m.new, 1))
            start = time.time()
            cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *m.tests]
            try:
                out = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True,
                                     timeout=timeout)
                status = "killed" if out.returncode != 0 else "survived"
                text = out.stdout + out.stderr
            except subprocess.TimeoutExpired:
                status, text = "timeout", ""
            finally:
                path.write_text(original)
            killer = next((line.split(" ", 1)[1].split(" - ")[0] for line in text.splitlines()
                           if line.startswith(("FAILED", "ERROR"))), "")
            res = {"id": m.ident, "kind": m.kind, "file": m.path, "status": status,
                   "killed_by": killer, "seconds": round(time.time() - start, 1)}
            results.append(res)
            print(f"{m.ident:22s} {m.kind:20s} {status:9s} {res['seconds']:7.1f}s  {killer}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--only", nargs="*", help="mutant ids to run (default all)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and check them")
    parser.add_argument("--tests", nargs="*", help="run these tests instead of each mutant's own")
    args = parser.parse_args(argv)
    bad = check_mutants()
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 2
    chosen = [m for m in MUTANTS if not args.only or m.ident in args.only]
    if args.tests:
        chosen = [Mutant(m.ident, m.kind, m.path, m.old, m.new, tuple(args.tests)) for m in chosen]
    if args.list:
        for m in chosen:
            print(f"{m.ident:22s} {m.kind:20s} {m.path}")
        return 0
    results = run(chosen, args.timeout)
    killed = sum(r["status"] == "killed" for r in results)
    rate = killed / len(results) if results else float("nan")
    print(f"\nkilled {killed} of {len(results)} mutants: kill rate {rate:.1%}")
    if args.json:
        args.json.write_text(json.dumps({"kill_rate": rate, "killed": killed, "total": len(results),
                                         "mutants": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
