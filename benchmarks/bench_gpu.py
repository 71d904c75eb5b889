"""GPU benchmark: the score step against the card's matmul rate, and the full-size Fig. 3 job.

Run on a CUDA machine (torch; CuPy optional; array-api-compat not needed), from the repository root:

    PYTHONPATH=$PWD python3 benchmarks/bench_gpu.py [--json FILE]

and here, on a CPU, with tiny sizes:  PYTHONPATH=$PWD python3 benchmarks/bench_gpu.py --smoke

It prints one line per measurement and, last, one JSON line with every figure:

1. ``score_f32_fraction_of_matmul``: the exact empirical score step (B = 4096, n = 100000,
   d = 1024, float32, TF32 off) as a fraction of the card's float32 matrix-multiply rate R measured
   in the same run: (4 B n d / R) / T (goal >= 0.5); the same in float64 (against the float64
   rate), with TF32 logits (against the float32 rate: may exceed 1), and through CuPy when it is
   installed.
2. ``fig3_seconds``: the full-size Fig. 3 job of ``regimes reproduce fig3`` (f^e(t)/alpha from the
   posterior-entropy estimator at d = 256, 1024, 4096, n = 20000, 20 times each; a pilot of 512
   samples per point, then enough samples for a standard error of 0.0023 alpha, at most 200,000;
   plus the 512-sample log-likelihood estimate), in float64 on the GPU (goal < 5 s), with the
   largest |z| of the values against the finite-d closed form.

The whole run stays under 4 minutes (sizes are cut if a stage runs late).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np


def _sync(dev):
    import torch

    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _timed(fun, dev, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        _sync(dev)
        t0 = time.perf_counter()
        fun()
        _sync(dev)
        best = min(best, time.perf_counter() - t0)
    return best


def matmul_rate(dev, dtype, size: int, repeat: int, tf32: bool = False) -> float:
    import torch

    g = torch.Generator(device=dev).manual_seed(0)
    a = torch.randn(size, size, generator=g, device=dev, dtype=dtype)
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        a @ a
        sec = _timed(lambda: a @ a, dev, repeat)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old
    return 2.0 * size**3 / sec


def score_step(dev, B: int, n: int, d: int, repeat: int, out: dict) -> None:
    import torch

    from validation import empirical_score

    g = torch.Generator(device=dev).manual_seed(1)
    mm = 8192 if dev.type == "cuda" else 256
    for name, dtype, tf32 in [("f32", torch.float32, False), ("f64", torch.float64, False),
                              ("tf32", torch.float32, True)]:
        if tf32 and dev.type != "cuda":
            continue
        a = torch.randn(n, d, generator=g, device=dev, dtype=dtype)
        x = torch.randn(B, d, generator=g, device=dev, dtype=dtype)
        rate = matmul_rate(dev, dtype, mm, repeat)
        empirical_score(x, 2.0, a, tf32=tf32)                       # warm-up
        sec = _timed(lambda a=a, x=x, tf32=tf32: empirical_score(x, 2.0, a, tf32=tf32), dev, repeat)
        frac = 4.0 * B * n * d / rate / sec
        out[f"matmul_{'f32' if name == 'tf32' else name}_tflops"] = rate / 1e12
        out[f"score_{name}_seconds"] = sec
        out[f"score_{name}_fraction_of_matmul"] = frac
        if tf32:
            out["matmul_tf32_tflops"] = matmul_rate(dev, dtype, mm, repeat, tf32=True) / 1e12
        print(f"score step {name} (B={B}, n={n}, d={d}): {sec * 1e3:.1f} ms; matmul "
              f"{rate / 1e12:.1f} TFLOP/s -> fraction {frac:.2f}", flush=True)
        del a, x
    try:
        import cupy

        if dev.type != "cuda" or cupy.cuda.runtime.getDeviceCount() < 1:
            return
        rs = cupy.random.RandomState(2)
        a = rs.standard_normal((n, d), dtype=cupy.float32)
        x = rs.standard_normal((B, d), dtype=cupy.float32)
        empirical_score(x, 2.0, a)
        t0 = time.perf_counter()
        for _ in range(repeat):
            empirical_score(x, 2.0, a)
        cupy.cuda.Stream.null.synchronize()
        sec = (time.perf_counter() - t0) / repeat
        frac = 4.0 * B * n * d / (out["matmul_f32_tflops"] * 1e12) / sec
        out["score_cupy_f32_seconds"] = sec
        out["score_cupy_f32_fraction_of_matmul"] = frac
        print(f"score step through CuPy, float32: {sec * 1e3:.1f} ms -> fraction {frac:.2f}", flush=True)
    except ImportError:
        out["cupy"] = "not installed"
    except Exception as exc:                                       # noqa: BLE001 - report, go on
        out["cupy_error"] = f"{type(exc).__name__}: {exc}"
        print(f"CuPy path failed: {out['cupy_error']}", flush=True)


def fig3(dev, dims, n: int, n_times: int, seed: int, deadline: float, out: dict) -> None:
    """The core loop of ``reproduce_fig3`` on the GPU (float64, same estimators and sample sizes)."""
    import torch

    from theory.gaussian_mixture import excess_entropy
    from validation import Dataset, excess_entropy_loglik, excess_entropy_posterior

    times = 8.0 * (1 - 0.049 * np.arange(20))[:n_times]
    target, pilot = 0.0023, 512
    z, samples, done = [], 0, 0
    _sync(dev)
    t0 = time.perf_counter()
    for d in dims:
        g = torch.Generator(device=dev).manual_seed(seed * 100003 + d)
        m = torch.randn(d, generator=g, device=dev, dtype=torch.float64)
        m *= math.sqrt(d) / torch.linalg.vector_norm(m)
        lab = torch.randint(0, 2, (n,), generator=g, device=dev)
        pts = torch.where(lab[:, None] == 1, m, -m) + torch.randn(n, d, generator=g, device=dev,
                                                                   dtype=torch.float64)
        ds = Dataset(pts, lab.cpu().numpy())
        alpha = math.log(n) / d
        for t in times:
            if time.perf_counter() > deadline:
                out["fig3_cut_short"] = True
                break
            rng = np.random.default_rng([seed, d, int(round(t * 1e6))])
            pil = excess_entropy_posterior(t, ds, pilot, rng=rng)
            std = pil.stderr * math.sqrt(pilot) / alpha
            n_total = int(min(200_000, max(pilot, math.ceil((std / target) ** 2))))
            value, se = pil.value, pil.stderr
            if n_total > pilot:
                more = excess_entropy_posterior(t, ds, n_total - pilot, rng=rng)
                w1, w2 = pilot, n_total - pilot
                value = (pil.value * w1 + more.value * w2) / n_total
                var = (pil.stderr**2 * w1 * (w1 - 1) + more.stderr**2 * w2 * (w2 - 1)
                       + w1 * w2 / n_total * (pil.value - more.value) ** 2)
                se = math.sqrt(var / (n_total - 1) / n_total)
            excess_entropy_loglik(t, ds, pilot, rng=rng)
            theory = excess_entropy(t, d, n, finite_d=True)
            if se > 0:
                z.append((value - theory) / se)
            samples += n_total + pilot
            done += 1
        del ds, pts
    _sync(dev)
    out["fig3_seconds"] = time.perf_counter() - t0
    out["fig3_points"] = done
    out["fig3_samples"] = samples
    out["fig3_max_abs_z_vs_finite_d_theory"] = float(np.max(np.abs(z))) if z else None
    print(f"Fig. 3 (d = {list(dims)}, n = {n}, {done} points, {samples} samples): "
          f"{out['fig3_seconds']:.2f} s (goal < 5 s); max |z| against the finite-d closed form "
          f"{out['fig3_max_abs_z_vs_finite_d_theory']}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes (a CPU check)")
    p.add_argument("--device", default=None, help="torch device (default: cuda if available)")
    p.add_argument("--no-array-api-compat", action="store_true",
                   help="use the package's internal namespace even if array-api-compat is installed")
    p.add_argument("--json")
    args = p.parse_args()
    start = time.perf_counter()
    if args.no_array_api_compat:
        sys.modules["array_api_compat"] = None
    import torch

    dev = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    out: dict = {"device": str(dev), "torch": torch.__version__,
                 "gpu": torch.cuda.get_device_name(dev) if dev.type == "cuda" else None}
    try:
        import array_api_compat
        out["array_api_compat"] = None if array_api_compat is None else array_api_compat.__version__
    except ImportError:
        out["array_api_compat"] = None
    if args.smoke:
        B, n, d, repeat = 64, 2000, 64, 2
        dims, n3, n_times = (16, 32), 500, 3
    else:
        B, n, d, repeat = 4096, 100_000, 1024, 5
        dims, n3, n_times = (256, 1024, 4096), 20000, 20
    out["score_sizes"] = {"B": B, "n": n, "d": d}
    score_step(dev, B, n, d, repeat, out)
    fig3(dev, dims, n3, n_times, seed=232, deadline=start + 200.0, out=out)
    out["total_seconds"] = time.perf_counter() - start
    line = json.dumps(out)
    print(line, flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            fh.write(line + "\n")


if __name__ == "__main__":
    main()
