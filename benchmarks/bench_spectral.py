"""Benchmark of theory.spectral, reported as a ratio against this machine's matmul rate.

Run:  python benchmarks/bench_spectral.py [--json FILE]

Measures
- the machine's float64 matrix-multiply time (1024 x 1024 @ 1024 x 1024), the unit of the ratios;
- the normalised Jacobian density on a 400 x 400 (mu, t) grid plus all bulk edges, for K = 4 groups
  (target < 2 s);
- the bulk edges alone (critical-point method) and the gap records, for K = 4;
- many groups (the pole solver of theory._stieltjes_many): a uniform latent-variance law
  discretised into K = 1000 groups, bulk edges plus the density of B on a 400-point grid
  (target < 1 s); the same for a power law lambda_k = k^-1 with K = 1000 groups (many detached
  outliers), and for K = 1e4 (uniform law).
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

    from theory.spectral import (
        bulk_edges,
        density,
        intermediate_gaps,
        jacobian_density,
        power_law,
        uniform_law,
    )

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
    def many(law, K):
        f, v = law.groups(K)

        def run():
            edges = bulk_edges(f, v)
            density(np.linspace(edges[0], edges[-1], 400), f, v)
        return run

    uni, pw = uniform_law(0.5, 1.5, 0.4), power_law(1.0, 1000, 0.4)
    many(uni, 1000)()
    k1000_sec = best_of(many(uni, 1000), repeat=5)
    k1000_power_sec = best_of(many(pw, 1000), repeat=3)
    k10000_sec = best_of(many(uni, 10000), repeat=1)
    rows = {
        "matmul_1024_seconds": mm_sec,
        "matmul_gflops": gflops,
        "jacobian_density_400x400_K4_plus_edges_seconds": grid_sec,
        "jacobian_density_400x400_K4_in_matmuls": grid_sec / mm_sec,
        "grid_points_inside_bulks_fraction": float(np.mean(dens > 0)),
        "bulk_edges_K4_seconds": edges_sec,
        "intermediate_gaps_K4_seconds": gaps_sec,
        "edges_plus_density_400_K1000_uniform_seconds": k1000_sec,
        "edges_plus_density_400_K1000_uniform_in_matmuls": k1000_sec / mm_sec,
        "edges_plus_density_400_K1000_power_law_seconds": k1000_power_sec,
        "edges_plus_density_400_K1000_power_law_in_matmuls": k1000_power_sec / mm_sec,
        "edges_plus_density_400_K10000_uniform_seconds": k10000_sec,
        "edges_plus_density_400_K10000_uniform_in_matmuls": k10000_sec / mm_sec,
    }
    width = max(map(len, rows))
    for key, val in rows.items():
        shown = f"{val * 1e3:.3f} ms" if key.endswith("seconds") else f"{val:.3g}"
        print(f"{key:<{width}}  {shown}")
    for key, limit in (("jacobian_density_400x400_K4_plus_edges_seconds", 2.0),
                       ("edges_plus_density_400_K1000_uniform_seconds", 1.0),
                       ("edges_plus_density_400_K1000_power_law_seconds", 1.0)):
        print(f"target {key[:-8]} < {limit:g} s: {'met' if rows[key] < limit else 'MISSED'}")
    if args.json:
        from theory.files import write_json

        write_json(args.json, rows)


if __name__ == "__main__":
    main()
