"""The measured slow spots of the Monte Carlo engine, each reported as a ratio from one run.

Run:  python benchmarks/bench_scale.py [--quick] [--json FILE]

1. float32 against float64 where about a tenth of the float32 posterior weights would be subnormal
   (d = 1024, t = 0.4, n = 20000, B = 1024, x and a standard normal): ratio of times
   float32 / float64 for the score step and for the posterior statistics (entropy path), target
   <= 1; and float32 with the flush switched off, to show what the flush saves on this CPU.
2. The d-dimensional backward-SDE step (Fig. 2 protocol: population score of the symmetric mixture,
   d = 256, Euler steps from T = 10): time per state-step of a plain float32 torch loop (the peer,
   written below as the authors would, run with torch's default threads and with one thread, the
   faster counting) divided by ours, in float64 and in float32; target >= 1.
   Skipped when torch is missing.
3. The score step's efficiency (4 B n d / R) / T, R the matrix-multiply rate of this machine
   measured in the same run and dtype (B = 1024, n = 20000, d = 1024, t = 2); targets >= 0.8
   (float64) and >= 0.7 (float32).

The machine may be shared: every figure is the best of several repetitions, and the two sides of
each ratio are measured in alternation so that both see the same load.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from validation import GaussianMixtureScore, empirical_score, integrate_backward, posterior_summary
from validation.backend import Backend

try:
    import torch
except ImportError:
    torch = None


def alternate(funs: dict, repeat: int, cpu: dict | None = None) -> dict:
    """Best wall time of each function, the functions called in turn ``repeat`` times (and, into
    ``cpu`` if given, the best processor time of this process)."""
    best = dict.fromkeys(funs, math.inf)
    for _ in range(repeat):
        for name, fun in funs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fun()
            best[name] = min(best[name], time.perf_counter() - t0)
            if cpu is not None:
                cpu[name] = min(cpu.get(name, math.inf), time.process_time() - c0)
    return best


def matmul_fun(dtype, size: int = 2048):
    a = np.random.default_rng(0).standard_normal((size, size)).astype(dtype)
    return (lambda: a @ a), 2.0 * size**3


def bench_subnormal(B: int, n: int, d: int, t: float, repeat: int) -> dict:
    rng = np.random.default_rng(1)
    a64 = rng.standard_normal((n, d))
    x64 = rng.standard_normal((B, d))
    a32, x32 = a64.astype(np.float32), x64.astype(np.float32)
    # share of float32 weights that are subnormal (first 64 rows, one chunk of 4096 points)
    e, dl = math.exp(-t), -math.expm1(-2 * t)
    lg = (x32[:64] * np.float32(e / dl)) @ a32[:4096].T - np.float32(0.5 * e * e / dl) * \
        np.einsum("ij,ij->i", a32[:4096], a32[:4096])
    lg -= lg.max(axis=1, keepdims=True)
    w = np.exp(lg)
    frac = float(np.mean((w > 0) & (w < np.finfo(np.float32).tiny)))
    no_flush = Backend.flush_subnormal_

    def unflushed(fun):
        def run():
            Backend.flush_subnormal_ = lambda self, w: w
            try:
                fun()
            finally:
                Backend.flush_subnormal_ = no_flush
        return run

    funs = {
        "score_f64": lambda: empirical_score(x64, t, a64),
        "score_f32": lambda: empirical_score(x32, t, a32),
        "score_f32_no_flush": unflushed(lambda: empirical_score(x32, t, a32)),
        "stats_f64": lambda: posterior_summary(x64, t, a64, want_mean=False),
        "stats_f32": lambda: posterior_summary(x32, t, a32, want_mean=False),
        "stats_f32_no_flush": unflushed(lambda: posterior_summary(x32, t, a32, want_mean=False)),
    }
    best = alternate(funs, repeat)
    return {"subnormal_fraction_f32": frac, **{f"{k}_seconds": v for k, v in best.items()},
            "score_f32_over_f64": best["score_f32"] / best["score_f64"],
            "stats_f32_over_f64": best["stats_f32"] / best["stats_f64"],
            "score_f32_no_flush_over_flush": best["score_f32_no_flush"] / best["score_f32"],
            "stats_f32_no_flush_over_flush": best["stats_f32_no_flush"] / best["stats_f32"]}


def peer_torch_loop(B: int, d: int, steps: int, T: float, dtype, seed: int = 0):
    """The peer: a plain torch loop of the Fig. 2 protocol (population mixture score, Euler)."""
    gen = torch.Generator().manual_seed(seed)
    m = torch.ones(d, dtype=dtype)
    x = torch.randn(B, d, generator=gen, dtype=dtype)
    h = T / steps
    for k in range(steps):
        t = T - k * h
        e = math.exp(-t)
        gamma = 1.0 - math.exp(-2.0 * t) + e * e
        score = -x / gamma + (e / gamma) * torch.tanh((x @ m) * (e / gamma))[:, None] * m
        x = x + h * (x + 2.0 * score) + math.sqrt(2.0 * h) * torch.randn(x.shape, generator=gen,
                                                                        dtype=dtype)
    return x


def bench_sde(B: int, d: int, steps: int, repeat: int) -> dict:
    if torch is None:
        return {"sde_skipped": "torch is not installed"}
    T = 10.0
    score = GaussianMixtureScore(np.ones(d))
    x64 = np.random.default_rng(0).standard_normal((B, d))
    x32 = x64.astype(np.float32)
    def one_thread(fun):
        def run():
            old = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                fun()
            finally:
                torch.set_num_threads(old)
        return run

    funs = {
        "peer_torch_f32": lambda: peer_torch_loop(B, d, steps, T, torch.float32),
        "peer_torch_f32_1thread": one_thread(lambda: peer_torch_loop(B, d, steps, T, torch.float32)),
        "peer_torch_f64": lambda: peer_torch_loop(B, d, steps, T, torch.float64),
        "ours_f64": lambda: integrate_backward(score, x64, T, 0.0, steps, rng=1, progress=False),
        "ours_f32": lambda: integrate_backward(score, x32, T, 0.0, steps, rng=1, progress=False),
        "ours_torch_f32": one_thread(lambda: integrate_backward(score, torch.from_numpy(x32), T, 0.0,
                                                                steps, rng=1, progress=False)),
    }
    cpu: dict = {}
    best = alternate(funs, repeat, cpu)
    per = {k: v / (B * steps) * 1e9 for k, v in best.items()}
    per["peer_best_f32"] = min(per["peer_torch_f32"], per["peer_torch_f32_1thread"])
    pc = {k: v / (B * steps) * 1e9 for k, v in cpu.items()}      # processor time, one thread each
    return {**{f"sde_{k}_ns_per_state_step": v for k, v in per.items()},
            "sde_peer_f32_over_ours_f64": per["peer_best_f32"] / per["ours_f64"],
            "sde_peer_f32_over_ours_f32": per["peer_best_f32"] / per["ours_f32"],
            "sde_peer_f64_over_ours_f64": per["peer_torch_f64"] / per["ours_f64"],
            "sde_peer_f32_over_ours_torch_f32": per["peer_best_f32"] / per["ours_torch_f32"],
            "sde_cpu_time_peer_1thread_over_ours_f64": pc["peer_torch_f32_1thread"] / pc["ours_f64"],
            "sde_cpu_time_peer_1thread_over_ours_f32": pc["peer_torch_f32_1thread"] / pc["ours_f32"],
            "torch_threads": torch.get_num_threads()}


def bench_efficiency(B: int, n: int, d: int, repeat: int) -> dict:
    rng = np.random.default_rng(1)
    out = {}
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        a = rng.standard_normal((n, d)).astype(dtype)
        x = rng.standard_normal((B, d)).astype(dtype)
        mm, flops = matmul_fun(dtype)
        best = alternate({"matmul": mm, "score": lambda a=a, x=x: empirical_score(x, 2.0, a)}, repeat)
        rate = flops / best["matmul"]
        ideal = 4.0 * B * n * d / rate
        out[f"{name}_matmul_gflops"] = rate / 1e9
        out[f"{name}_score_step_seconds"] = best["score"]
        out[f"{name}_efficiency"] = ideal / best["score"]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes (a few seconds)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json")
    args = p.parse_args()
    if args.quick:
        sizes = {"sub": (256, 4096, 1024), "sde": (256, 256, 20), "eff": (256, 4096, 512)}
    else:
        sizes = {"sub": (1024, 20000, 1024), "sde": (2048, 256, 100), "eff": (1024, 20000, 1024)}
    rows = {"sizes": sizes}
    rows.update(bench_subnormal(*sizes["sub"], t=0.4, repeat=args.repeat))
    print(f"[1] subnormal float32 weights: {rows['subnormal_fraction_f32']:.1%} of the weights; "
          f"float32/float64 time: score {rows['score_f32_over_f64']:.2f}, statistics "
          f"{rows['stats_f32_over_f64']:.2f} (target <= 1); without the flush float32 is "
          f"{rows['score_f32_no_flush_over_flush']:.2f}x / {rows['stats_f32_no_flush_over_flush']:.2f}x "
          f"the flushed time", flush=True)
    rows.update(bench_sde(*sizes["sde"], repeat=args.repeat))
    if "sde_skipped" not in rows:
        print(f"[2] backward SDE, d = {sizes['sde'][1]}: ns per state-step: peer torch float32 "
              f"{rows['sde_peer_best_f32_ns_per_state_step']:.0f} (the faster of "
              f"{rows['torch_threads']} threads and 1 thread), ours float64 "
              f"{rows['sde_ours_f64_ns_per_state_step']:.0f}, ours float32 "
              f"{rows['sde_ours_f32_ns_per_state_step']:.0f}; peer/ours: float64 "
              f"{rows['sde_peer_f32_over_ours_f64']:.2f}, float32 {rows['sde_peer_f32_over_ours_f32']:.2f}"
              f" (target >= 1); ours through torch float32 (one thread) "
              f"{rows['sde_peer_f32_over_ours_torch_f32']:.2f}; processor-time ratios (one thread "
              f"each) {rows['sde_cpu_time_peer_1thread_over_ours_f64']:.2f} / "
              f"{rows['sde_cpu_time_peer_1thread_over_ours_f32']:.2f}", flush=True)
    rows.update(bench_efficiency(*sizes["eff"], repeat=args.repeat))
    print(f"[3] score step efficiency (fraction of the matmul rate): float64 "
          f"{rows['float64_efficiency']:.2f} (target >= 0.8), float32 {rows['float32_efficiency']:.2f} "
          f"(target >= 0.7); matmul {rows['float64_matmul_gflops']:.0f} / "
          f"{rows['float32_matmul_gflops']:.0f} GFLOP/s", flush=True)
    print(json.dumps(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
