"""GPU against CPU: the Fig. 3 estimator f^e(t)/alpha on the same data, per time, with z-scores.

Runs the posterior-entropy estimator on one symmetric-mixture training set (d = 256, n = 20000)
held on the GPU (torch, float64) and on the CPU (numpy), and prints, per time, both estimates, their
difference in combined standard errors, and the distance of each from the finite-d closed form.

    PYTHONPATH=$PWD python3 benchmarks/gpu_vs_cpu.py [--d 256] [--samples 20000]
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np


def main() -> None:
    import torch

    from theory.gaussian_mixture import collapse_time, excess_entropy
    from validation import Dataset, excess_entropy_posterior

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--samples", type=int, default=20000)
    a = p.parse_args()
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(7)
    m = rng.standard_normal(a.d)
    m *= math.sqrt(a.d) / np.linalg.norm(m)
    lab = rng.integers(0, 2, a.n)
    pts = np.where(lab[:, None] == 1, m, -m) + rng.standard_normal((a.n, a.d))
    cpu = Dataset(pts, lab)
    gpu = Dataset(torch.as_tensor(pts, device=dev), lab)
    alpha = math.log(a.n) / a.d
    tc = float(collapse_time(a.d, a.n))
    rows = []
    for t in tc * np.array([0.6, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0]):
        c = excess_entropy_posterior(t, cpu, a.samples, rng=1)
        g = excess_entropy_posterior(t, gpu, a.samples, rng=2)
        th = float(excess_entropy(t, a.d, a.n, finite_d=True))
        se = math.hypot(c.stderr, g.stderr)
        rows.append({"t": round(float(t), 4), "t_over_tC": round(float(t / tc), 3),
                     "cpu": c.value / alpha, "gpu": g.value / alpha, "se": se / alpha,
                     "z_gpu_cpu": (g.value - c.value) / se if se > 0 else 0.0,
                     "theory_finite_d": th / alpha,
                     "z_cpu_theory": (c.value - th) / c.stderr if c.stderr > 0 else 0.0})
        r = rows[-1]
        print(f"t/t_C {r['t_over_tC']:5.2f}  cpu {r['cpu']:.5f}  gpu {r['gpu']:.5f}  "
              f"z(gpu-cpu) {r['z_gpu_cpu']:+.2f}  theory {r['theory_finite_d']:.5f}  "
              f"z(cpu-theory) {r['z_cpu_theory']:+.1f}", flush=True)
    print(json.dumps({"device": str(dev), "d": a.d, "n": a.n, "t_C": tc, "rows": rows}))


if __name__ == "__main__":
    main()
