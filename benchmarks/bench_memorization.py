"""Benchmark of the per-subspace memorization measurement, as ratios to this machine's matmul.

Run:  python benchmarks/bench_memorization.py [--json FILE]

Measures, at the paper's size (sphere data, d = 30, blocks 2/5/23, n = 1000) and at a fixed-alpha
size (Gaussian, d = 80, n = e^8 = 2981):
- ``block_measurements`` for 64 test points at one time (exact Jacobian, block spectra, retention,
  participation ratio) -- the unit of every retention curve;
- the theory side: ``collapse_times`` and ``theory_spectrum`` on 200 times.
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_theory import best_of, matmul_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    from theory.manifold import collapse_times, theory_spectrum
    from theory.models import LinearManifold
    from validation.memorization import block_measurements, sample_test_points

    mm = matmul_rate()[0]
    rows = {"matmul_1024_seconds": mm}
    cases = {"paper_d30_n1000_sphere": ([1.0, 0.09, 1e-4], [2, 5, 23], 1000, True),
             "alpha0.1_d80_n2981_gaussian": ([1.0, 0.25, 0.01], [8, 16, 56], 2981, False)}
    for name, (variances, dims, n, on_sphere) in cases.items():
        man = LinearManifold(sum(dims), dims, variances, on_sphere=on_sphere, radius=1.0)
        data = man.sample(n, np.random.default_rng(1))
        for t_ve in (0.5, 0.01):
            t = 0.5 * np.log1p(t_ve)
            x = sample_test_points(data, t, 64, rng=2)
            sec = best_of(lambda x=x, t=t, data=data, man=man: block_measurements(x, t, data, man),
                          repeat=3)
            rows[f"{name}_tVE{t_ve}_64pts_seconds"] = sec
            rows[f"{name}_tVE{t_ve}_64pts_in_matmuls"] = sec / mm
    t = np.linspace(0.001, 1.0, 200)
    rows["theory_spectrum_200_times_seconds"] = best_of(
        lambda: theory_spectrum([1.0, 0.3, 1e-6], [2, 5, 23], 1000, t))
    rows["collapse_times_seconds"] = best_of(lambda: collapse_times([1.0, 0.3], [2, 5], 1000))
    width = max(map(len, rows))
    for key, val in rows.items():
        shown = f"{val * 1e3:.3f} ms" if key.endswith("seconds") else f"{val:.1f}"
        print(f"{key:<{width}}  {shown}")
    if args.json:
        from theory.files import write_json

        write_json(args.json, rows)


if __name__ == "__main__":
    main()
