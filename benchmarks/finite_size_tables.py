"""Tables: the exact finite-size theory against Monte Carlo with the exact empirical score.

Run:  PYTHONPATH=. python benchmarks/finite_size_tables.py [--quick] [--only NAME ...] [--json FILE]

Tables (``docs/theory/finite-size.md`` quotes them):

- ``mixture``: symmetric Gaussian mixture (mu~ = sigma = 1), d = 256, n = 5000: f^e/alpha and phi_C
  across the collapse, both starts, with the paper's sharp curves beside them;
- ``spread``: Gaussian data with the spread spectrum lambda_k = 10/k, d = 200, n = 3000, both starts;
- ``window``: the collapse window (phi_C = 0.9, 0.5, 0.1) of the mixture at fixed alpha = log(5000)/256
  for d = 256 .. 16384, against eq. 10;
- ``retention``: two Gaussian blocks (d/6 directions of variance 1, 5d/6 of variance 0.04) at fixed
  alpha = log(100)/60: the time where each block's retention crosses 1/2, d = 60 .. 3840, both starts,
  with the large-d limit and the per-subspace thresholds of the package;
- ``retention_mc``: retention against ``validation.block_measurements`` at d = 60, 90, 120.

Monte Carlo protocol: S independent training sets drawn from the model; for each, B query points from
the stated law (generated: x = e^{-t} a^nu + sqrt(Delta_t) xi with nu uniform; population: a fresh
population point); the estimate is the mean over the S per-set means and its standard error the spread
of the S per-set means / sqrt(S) (so it includes the training-set fluctuations that the theory
averages over).  Theory: the outer average over x has its own standard error; z combines both.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def _mc_posterior(model, n, t, start, sets, per, seed):
    """Per-set means of H/d and sum w^2 (generated or population query points)."""
    from validation import posterior_curves, posterior_summary

    rng = np.random.default_rng(seed)
    fe, pc = [], []
    for _ in range(sets):
        data = model.sample(int(n), rng)
        if start == "generated":
            r = posterior_curves(t, data, per, rng)
            fe.append(r["fe"].value)
            pc.append(r["phi_c"].value)
        else:
            x = model.noised(t).sample(per, rng)
            st = posterior_summary(x, t, data, want_mean=False)
            fe.append(st.entropy.mean() / model.d)
            pc.append(st.participation.mean())
    fe, pc = np.array(fe), np.array(pc)
    s = np.sqrt(sets)
    return (fe.mean(), fe.std(ddof=1) / s), (pc.mean(), pc.std(ddof=1) / s)


def _z(a, sa, b, sb):
    return (a - b) / np.hypot(sa, sb)


def table_transition(name, model, n, ts, sharp, quick, seed=0):
    from theory.collapse import finite_size_statistics

    d = model.d
    alpha = np.log(n) / d
    rows = []
    for start in ("generated", "population"):
        t0 = time.perf_counter()
        th = finite_size_statistics(ts, model, n, start, n_x=24 if quick else 128, rng=seed)
        th_sec = time.perf_counter() - t0
        print(f"\n[{name}] d = {d}, n = {n}, start = {start}  (theory {th_sec:.0f} s)")
        print("   t   | f^e/alpha theory     MC                 z    | phi_C theory        MC"
              "                  z    | sharp f^e/alpha")
        for i, t in enumerate(ts):
            (fm, fs), (pm, ps) = _mc_posterior(model, n, t, start, 4 if quick else 8,
                                               256 if quick else 1024, seed + 1 + i)
            fe, fse = th["fe"].value[i], th["fe"].stderr[i]
            pc, pse = th["phi_c"].value[i], th["phi_c"].stderr[i]
            zf, zp = _z(fe, fse, fm, fs), _z(pc, pse, pm, ps)
            sh = sharp(t) / alpha
            print(f" {t:5.3f} | {fe / alpha:.4f} ± {fse / alpha:.4f}  {fm / alpha:.4f} ± {fs / alpha:.4f}"
                  f"  {zf:+5.2f} | {pc:.4f} ± {pse:.4f}  {pm:.4f} ± {ps:.4f}  {zp:+5.2f} | {sh:.4f}")
            rows.append({"start": start, "t": t, "fe_over_alpha": fe / alpha, "fe_se": fse / alpha,
                         "mc_fe_over_alpha": fm / alpha, "mc_fe_se": fs / alpha, "z_fe": zf,
                         "phi_c": pc, "phi_c_se": pse, "mc_phi_c": pm, "mc_phi_c_se": ps, "z_phi_c": zp,
                         "sharp_fe_over_alpha": sh})
        zs = [max(abs(r["z_fe"]), abs(r["z_phi_c"])) for r in rows if r["start"] == start]
        print(f"  max |z| = {max(zs):.2f}")
    return rows


def table_mixture(quick):
    from theory.gaussian_mixture import collapse_time, excess_entropy
    from theory.models import GaussianMixture

    d, n = 256, 5000
    model = GaussianMixture.symmetric(d)
    ts = [1.0, 1.3, 1.6, 2.0, 2.5] if quick else [0.9, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 2.0,
                                                  2.3, 2.7, 3.5]
    print(f"\nsymmetric mixture: t_C (eq. 10) = {collapse_time(d, n):.4f}")
    return table_transition("mixture", model, n, ts,
                            lambda t: excess_entropy(t, d, n, finite_d=True), quick)


def table_spread(quick):
    from theory.collapse import collapse_time_from_spectrum, excess_entropy_from_spectrum
    from theory.models import Gaussian

    d, n = 200, 3000
    lam = 10.0 / np.arange(1, d + 1)
    model = Gaussian(lam)
    ts = [0.3, 0.5, 0.7, 1.0] if quick else [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0]
    print(f"\nspread spectrum lambda_k = 10/k: sharp t_C = {collapse_time_from_spectrum(lam, n):.4f}")
    return table_transition("spread", model, n, ts,
                            lambda t: excess_entropy_from_spectrum(t, lam, n), quick)


def table_window(quick):
    from theory.collapse import collapse_window
    from theory.gaussian_mixture import collapse_time
    from theory.models import GaussianMixture

    alpha = np.log(5000) / 256
    ds = [256, 1024, 4096] if quick else [256, 1024, 4096, 16384]
    print(f"\n[window] symmetric mixture, alpha = {alpha:.5f} fixed; phi_C = 0.9, 0.5, 0.1 crossings")
    print("    d   |  t(0.9)            t(0.5)            t(0.1)           | width  | t_C eq.10")
    rows = []
    for start in ("generated", "population"):
        print(f"  start = {start}")
        for d in ds:
            n = float(np.exp(alpha * d))
            t0 = time.perf_counter()
            w = collapse_window(GaussianMixture.symmetric(d), n, (0.9, 0.5, 0.1), start,
                                n_x=12 if quick else 32, rng=1)
            tc = float(collapse_time(d, n))
            cells = "  ".join(f"{v:.4f} ± {s:.4f}" for v, s in zip(w.value, w.stderr, strict=True))
            print(f" {d:6d} | {cells} | {w.value[2] - w.value[0]:.4f} | {tc:.4f}"
                  f"   ({time.perf_counter() - t0:.0f} s)")
            rows.append({"start": start, "d": d, "t": w.value.tolist(), "se": w.stderr.tolist(),
                         "t_C": tc})
    return rows


def _half_time(ts, y):
    """The time where a curve increasing in t crosses 1/2 (linear interpolation)."""
    above = np.flatnonzero(y > 0.5)
    if above.size == 0 or above[0] == 0:
        return float("nan")
    j = above[0]
    return float(np.interp(0.5, y[j - 1:j + 1], ts[j - 1:j + 1]))


def table_retention(quick):
    from theory.collapse import collapse_time_from_spectrum
    from theory.manifold import (
        collapse_times,
        retention,
        retention_limit,
        subspace_collapse_times,
    )
    from theory.models import LinearManifold

    alpha = np.log(100) / 60
    ds = [60, 240, 960] if quick else [60, 120, 240, 480, 960, 1920, 3840]
    ts = np.geomspace(0.01, 1.5, 20 if quick else 40)
    fine = np.geomspace(0.01, 1.5, 400)
    print(f"\n[retention] blocks (d/6, var 1) + (5d/6, var 0.04), alpha = {alpha:.5f} fixed;"
          " t where R_k = 1/2")
    rows = []
    for start in ("generated", "population"):
        print(f"  start = {start}")
        print("    d   |  t_1/2 block 1   t_1/2 block 2 |  R_1, R_2 at t_C  | global t_C")
        for d in ds:
            n = float(np.exp(alpha * d))
            man = LinearManifold(d, [d // 6, 5 * d // 6], [1.0, 0.04])
            t0 = time.perf_counter()
            r = retention(ts, man, n, start, n_x=8 if quick else 24, rng=0)
            tc = float(collapse_time_from_spectrum(man.covariance_spectrum(), n))
            half = [_half_time(ts, r.value[:, k]) for k in range(2)]
            at_tc = [float(np.interp(tc, ts, r.value[:, k])) for k in range(2)]
            print(f" {d:6d} |  {half[0]:.4f}          {half[1]:.4f}        |  {at_tc[0]:.3f}, "
                  f"{at_tc[1]:.3f}     | {tc:.4f}   ({time.perf_counter() - t0:.0f} s)")
            rows.append({"start": start, "d": d, "t_half": half, "R_at_tC": at_tc, "t_C": tc})
        lim = retention_limit(fine, LinearManifold(60, [10, 50], [1.0, 0.04]), 100, start)
        print(f"   inf  |  {_half_time(fine, lim[:, 0]):.4f}          {_half_time(fine, lim[:, 1]):.4f}"
              "        |  (large-d limit, retention_limit)")
    n60 = 100.0
    per_dir = collapse_times([1.0, 0.2], [10, 50], n60, normalized=False)
    ext = subspace_collapse_times([1 / 6, 5 / 6], [1.0, 0.04], alpha)
    print(f"  package thresholds at d = 60, n = 100: per-direction (Gaussian) {np.round(per_dir, 4)}, "
          f"subspace extension {np.round(ext, 4)}")
    return rows


def table_retention_mc(quick):
    from theory.manifold import retention
    from theory.models import LinearManifold
    from validation import block_measurements, sample_test_points

    alpha = np.log(100) / 60
    cases = [(60, [0.2, 0.3, 0.4, 0.6])] if quick else [(60, [0.15, 0.25, 0.3, 0.35, 0.4, 0.5, 0.7]),
                                                         (90, [0.25, 0.3, 0.35, 0.4, 0.5]),
                                                         (120, [0.28, 0.32, 0.35, 0.38, 0.45])]
    rows = []
    for d, ts in cases:
        n = int(round(np.exp(alpha * d)))
        man = LinearManifold(d, [d // 6, 5 * d // 6], [1.0, 0.04])
        vman = man
        for start in ("generated", "population"):
            th = retention(ts, man, n, start, n_x=12 if quick else 48, rng=3)
            print(f"\n[retention_mc] d = {d}, n = {n}, start = {start}")
            print("   t   | R_1 theory        MC                z     | R_2 theory        MC"
                  "                z")
            for i, t in enumerate(ts):
                rng = np.random.default_rng(100 + i)
                per_set = []
                for _ in range(4 if quick else 8):
                    data = man.sample(n, rng)
                    x = sample_test_points(data, t, 32 if quick else 96, rng,
                                           vman if start == "population" else None)
                    per_set.append(block_measurements(x, t, data, vman)["retention"].mean(0))
                per_set = np.array(per_set)
                mc, se = per_set.mean(0), per_set.std(0, ddof=1) / np.sqrt(len(per_set))
                z = _z(th.value[i], th.stderr[i], mc, se)
                print(f" {t:5.3f} | {th.value[i, 0]:.4f} ± {th.stderr[i, 0]:.4f}  {mc[0]:.4f} ± {se[0]:.4f}"
                      f"  {z[0]:+5.2f} | {th.value[i, 1]:.4f} ± {th.stderr[i, 1]:.4f}  {mc[1]:.4f} ± "
                      f"{se[1]:.4f}  {z[1]:+5.2f}")
                rows.append({"d": d, "n": n, "start": start, "t": t, "theory": th.value[i].tolist(),
                             "theory_se": th.stderr[i].tolist(), "mc": mc.tolist(), "mc_se": se.tolist(),
                             "z": z.tolist()})
    print(f"  max |z| = {max(max(abs(v) for v in r['z']) for r in rows):.2f}")
    return rows


TABLES = {"mixture": table_mixture, "spread": table_spread, "window": table_window,
          "retention": table_retention, "retention_mc": table_retention_mc}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points and samples")
    parser.add_argument("--only", nargs="*", choices=sorted(TABLES), help="tables to print")
    parser.add_argument("--json", help="also write the numbers to this JSON file")
    args = parser.parse_args()
    out = {}
    for name in args.only or TABLES:
        out[name] = TABLES[name](args.quick)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1, default=float)


if __name__ == "__main__":
    main()
