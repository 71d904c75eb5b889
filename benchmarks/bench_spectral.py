"""Benchmark of theory.spectral, reported as a ratio against this machine's matmul rate.

Run:  python benchmarks/bench_spectral.py [--json FILE]

Measures
- the machine's float64 matrix-multiply time (1024 x 1024 @ 1024 x 1024), the unit of the ratios;
- the normalised Jacobian density on a 400 x 400 (mu, t) grid plus all bulk edges, for K = 4 groups
  (target < 2 s);
- the bulk edges alone (critical-point method) and the gap records, for K = 4.
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_theory import best_of, matmul_rate

FRACTIONS = [0.1, 0.15, 0.2, 0.1]
VARIANCES = [10.0, 1.0, 0.1, 0.01]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    from theory.spectral import bulk_edges, intermediate_gaps, jacobian_density

    mm_sec, gflops = matmul_rate()
    mu = np.linspace(0.0, 1.0, 401)[1:] - 1 / 800
    t = np.geomspace(1e-4, 3.0, 400)

    def grid():
        jacobian_density(mu[:, None], t[None, :], FRACTIONS, VARIANCES)
        bulk_edges(FRACTIONS, VARIANCES)

    grid()
    grid_sec = best_of(grid, repeat=5)
    edges_sec = best_of(lambda: bulk_edges(FRACTIONS, VARIANCES), repeat=20)
    gaps_sec = best_of(lambda: intermediate_gaps(FRACTIONS, VARIANCES, 0.1), repeat=20)
    dens = jacobian_density(mu[:, None], t[None, :], FRACTIONS, VARIANCES)
    rows = {
        "matmul_1024_seconds": mm_sec,
        "matmul_gflops": gflops,
        "jacobian_density_400x400_K4_plus_edges_seconds": grid_sec,
        "jacobian_density_400x400_K4_in_matmuls": grid_sec / mm_sec,
        "grid_points_inside_bulks_fraction": float(np.mean(dens > 0)),
        "bulk_edges_K4_seconds": edges_sec,
        "intermediate_gaps_K4_seconds": gaps_sec,
    }
    width = max(map(len, rows))
    for key, val in rows.items():
        shown = f"{val * 1e3:.3f} ms" if key.endswith("seconds") else f"{val:.3g}"
        print(f"{key:<{width}}  {shown}")
    limit = 2.0
    met = rows["jacobian_density_400x400_K4_plus_edges_seconds"] < limit
    print(f"target jacobian_density_400x400_K4_plus_edges < {limit:g} s: {'met' if met else 'MISSED'}")
    if args.json:
        from theory.files import write_json

        write_json(args.json, rows)


if __name__ == "__main__":
    main()
