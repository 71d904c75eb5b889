"""Benchmarks of the theory layer, reported as ratios against this machine's matmul rate.

Run:  python benchmarks/bench_theory.py [--json FILE]

Measures
- the machine's float64 matrix-multiply rate (1024 x 1024 @ 1024 x 1024), the unit of every ratio;
- phi(t) on 1,000 times (target < 20 ms), float64 and precision=30 mpmath for one point;
- t_C on a 1000 x 1000 (d, n) grid (target < 0.5 s);
- collapse_time_from_spectrum on a 4096-eigenvalue spectrum;
- the cost of ``import theory`` in a fresh interpreter (minus the bare interpreter start), and
  whether it pulled in scipy, sympy, mpmath or matplotlib;
- the first and the cached second call of a sympy derivation (if derivations/ is importable).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np


def best_of(fun, repeat: int = 7, number: int = 1) -> float:
    """Best wall time of ``number`` calls, over ``repeat`` repetitions (seconds per call)."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fun()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def matmul_rate() -> tuple[float, float]:
    a = np.random.default_rng(0).standard_normal((1024, 1024))
    sec = best_of(lambda: a @ a, repeat=5)
    return sec, 2 * 1024**3 / sec / 1e9


def import_cost() -> tuple[float, list[str]]:
    code = ("import time, sys; t0 = time.perf_counter(); import theory; "
            "t1 = time.perf_counter(); print(t1 - t0); "
            "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'scipy', 'sympy', 'mpmath', 'matplotlib'})))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split("\n") for _ in range(5)]
    return min(float(r[0]) for r in runs), [m for m in runs[0][1].split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    from theory.collapse import collapse_time_from_spectrum
    from theory.gaussian_mixture import collapse_time, phi

    mm_sec, gflops = matmul_rate()
    t = np.linspace(0.0, 10.0, 1000)
    phi(t, 1024)
    phi_sec = best_of(lambda: phi(t, 1024), repeat=20)
    phi_mp_sec = best_of(lambda: phi(3.5, 1024, precision=30), repeat=3)
    d = np.geomspace(1, 1e5, 1000)[None, :]
    n = np.geomspace(2, 1e9, 1000)[:, None]
    tc_sec = best_of(lambda: collapse_time(d, n), repeat=5)
    spec = np.random.default_rng(1).exponential(size=4096)
    spec_sec = best_of(lambda: collapse_time_from_spectrum(spec, 20000), repeat=5)
    imp_sec, heavy = import_cost()

    rows = {
        "matmul_1024_seconds": mm_sec,
        "matmul_gflops": gflops,
        "phi_1000_times_seconds": phi_sec,
        "phi_1000_times_in_matmuls": phi_sec / mm_sec,
        "phi_mpmath_30_digits_one_point_seconds": phi_mp_sec,
        "tc_grid_1000x1000_seconds": tc_sec,
        "tc_grid_in_matmuls": tc_sec / mm_sec,
        "tc_from_spectrum_4096_seconds": spec_sec,
        "import_theory_seconds": imp_sec,
        "import_theory_heavy_modules": heavy,
    }
    try:
        import derivations

        t0 = time.perf_counter()
        derivations.rem_collapse()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        derivations.rem_collapse()
        rows["derive_rem_first_call_seconds"] = first
        rows["derive_rem_cached_call_seconds"] = time.perf_counter() - t0
    except Exception as exc:  # derivations optional for this benchmark
        rows["derivations"] = f"not measured ({exc})"

    width = max(map(len, rows))
    print(f"{'machine matmul (1024^3, float64)':<{width}}  {mm_sec * 1e3:.2f} ms = "
          f"{gflops:.1f} GFLOP/s")
    for key, val in rows.items():
        if isinstance(val, float):
            shown = f"{val * 1e3:.3f} ms" if key.endswith("seconds") else f"{val:.2f}"
        else:
            shown = str(val)
        print(f"{key:<{width}}  {shown}")
    targets = [("phi_1000_times_seconds", 0.020), ("tc_grid_1000x1000_seconds", 0.5)]
    for key, limit in targets:
        print(f"target {key} < {limit * 1e3:g} ms: {'met' if rows[key] < limit else 'MISSED'}")
    if args.json:
        from theory.files import write_json

        write_json(args.json, rows)


if __name__ == "__main__":
    main()
