"""Speed and memory of the empirical-score kernel, as a ratio against this machine's matmul rate.

Run:  python benchmarks/bench_empirical_score.py [--B 1024 --n 20000 --d 1024] [--json FILE]

- efficiency = (4 B n d / R) / T_step, with R the matrix-multiply rate measured in the same run,
  same dtype (the kernel does two B x chunk x d products per chunk: logits and the weighted mean);
  target >= 0.7, for float64 and float32;
- peak memory (tracemalloc: numpy's allocations) of one score call at n = 10^6, d = 64, B = 1024
  (target < 2 GB; the data themselves are 0.5 GB);
- the posterior-entropy f^e of one Fig. 3 point (d = 4096, n = 20000, 512 samples).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from bench_theory import best_of

from validation import empirical_score, excess_entropy_posterior, gaussian_mixture_data


def matmul_rate(dtype) -> float:
    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(dtype)
    return 2 * 2048**3 / best_of(lambda: a @ a, repeat=5)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--B", type=int, default=1024)
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--d", type=int, default=1024)
    p.add_argument("--json")
    args = p.parse_args()
    rng = np.random.default_rng(1)
    rows = {}
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        a = rng.standard_normal((args.n, args.d)).astype(dtype)
        x = rng.standard_normal((args.B, args.d)).astype(dtype)
        rate = matmul_rate(dtype)
        empirical_score(x, 2.0, a)
        sec = best_of(lambda a=a, x=x: empirical_score(x, 2.0, a), repeat=3)
        ideal = 4 * args.B * args.n * args.d / rate
        rows[f"{name}_matmul_gflops"] = rate / 1e9
        rows[f"{name}_score_step_seconds"] = sec
        rows[f"{name}_efficiency"] = ideal / sec
        print(f"{name}: matmul {rate / 1e9:.1f} GFLOP/s; score step B={args.B} n={args.n} "
              f"d={args.d}: {sec:.3f} s; ideal {ideal:.3f} s; efficiency {ideal / sec:.2f} "
              f"(target >= 0.7)")
    a = rng.standard_normal((1_000_000, 64))
    x = rng.standard_normal((1024, 64))
    tracemalloc.start()
    t0 = time.perf_counter()
    empirical_score(x, 1.0, a)
    sec = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows["peak_extra_memory_n1e6_d64_bytes"] = peak
    rows["score_n1e6_d64_seconds"] = sec
    print(f"n = 10^6, d = 64, B = 1024: peak memory beyond the data {peak / 2**20:.0f} MiB "
          f"(data {a.nbytes / 2**20:.0f} MiB; target total < 2 GB), {sec:.2f} s")
    ds, _ = gaussian_mixture_data(4096, 20000, rng=0)
    sec = best_of(lambda: excess_entropy_posterior(3.0, ds, 512, rng=1), repeat=1)
    rows["fig3_point_d4096_512_samples_seconds"] = sec
    print(f"one Fig. 3 point (d = 4096, n = 20000, 512 samples): {sec:.2f} s")
    if args.json:
        from theory.files import write_json

        write_json(args.json, rows)


if __name__ == "__main__":
    main()
