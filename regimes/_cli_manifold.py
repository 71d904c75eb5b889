"""``regimes manifold``: per-subspace memorization times on linear-manifold data, theory and Monte Carlo.

Parses, calls :func:`regimes.manifold_experiment.manifold_experiment`, prints (text or ``--json``) and
draws :func:`regimes.manifold_figures.plot_manifold_experiment`.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from theory.manifold import manifold_phase_diagram
from theory.progress import log_lines
from theory.timemap import ve_variance

from .figures import pyplot, save_figure
from .manifold_experiment import manifold_experiment
from .manifold_figures import plot_manifold_experiment


def register(subparsers) -> None:
    """Add the ``manifold`` subcommand."""
    p = subparsers.add_parser(
        "manifold", help="per-subspace memorization times on a linear manifold (theory + Monte Carlo)",
        description="Critical time of each subspace of linear-manifold data (REM reading of Achilli "
                    "et al. 2024), the window of geometric memorization, the global collapse time, "
                    "and the retention of each subspace measured with the exact empirical score.")
    p.add_argument("--stds", type=float, nargs="+", default=[1.0, 0.3],
                   help="standard deviation of each tangent subspace, > 0 (default 1 0.3)")
    p.add_argument("--dims", type=int, nargs="+", default=[2, 5],
                   help="dimension of each tangent subspace (default 2 5)")
    p.add_argument("--d", type=int, default=30, help="ambient dimension (default 30)")
    p.add_argument("--n", type=int, default=1000, help="training points, >= 2 (default 1000)")
    p.add_argument("--normal-std", type=float, default=0.01,
                   help="std of the d - sum(dims) normal coordinates (default 0.01)")
    p.add_argument("--gaussian", action="store_true",
                   help="Gaussian data (default: projected onto the unit sphere, as in the paper)")
    p.add_argument("--seed", type=int, default=2, help="seed (default 2, the paper's)")
    p.add_argument("--points", type=int, default=None, help="test points per time (default 64)")
    p.add_argument("--quick", action="store_true", help="fewer times and test points")
    p.add_argument("--plot", metavar="FILE", default=None, help="write the figure (PNG, PDF, ...)")
    p.add_argument("--no-plot", action="store_true",
                   help="do not draw the figures (overrides --plot and --phase-diagram)")
    p.add_argument("--json", action="store_true",
                   help="print the numbers as JSON (blocks numbered from 1, as in the text)")
    p.add_argument("--phase-diagram", metavar="FILE", default=None,
                   help="also draw the theory phase diagram over (t, log n): a region per number "
                        "of intact tangent dimensions, with the global collapse line")
    p.set_defaults(handler=_run)


def _phase_diagram(args: argparse.Namespace, stds: list, dims: list, tangent: list) -> str:
    """Draw :func:`theory.manifold.manifold_phase_diagram` to FILE.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727; docs/theory/losing-dimensions.md sec. 2.3.
    """
    log_n_max = max(3.0 * float(np.log(args.n)), 20.0)
    diag = manifold_phase_diagram(stds, dims, np.geomspace(1e-4, 1.0, 300),
                                  np.linspace(np.log(2.0), log_n_max, 300),
                                  normalized=not args.gaussian, tangent=tangent)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    diag.plot(ax)
    ax.axhline(np.log(args.n), color="w", ls=":", lw=0.8)
    ax.set_xscale("log")
    save_figure(fig, args.phase_diagram)
    plt.close(fig)
    return args.phase_diagram


def _number_blocks(out: dict, params: dict) -> dict:
    """Blocks numbered from 1 in the JSON, as in the text: the ``*_order`` lists hold block numbers,
    and ``blocks`` lists each block's numbers under its number."""
    theory, cmp = out["theory"], out["comparison"]
    theory["loss_order"] = [int(k) + 1 for k in theory["loss_order"]]
    for key in ("measured_order", "predicted_order"):
        cmp[key] = [int(k) + 1 for k in cmp[key]]
    out["blocks"] = [
        {"block": k + 1, "std": sd, "dims": dk, "tangent": bool(params["tangent"][k]),
         "t_C": theory["critical_times"][k], "measured_onset_time": cmp["onset_time"][k],
         "measured_half_time": cmp["half_time"][k], "extension_time": cmp["extension_time"][k]}
        for k, (sd, dk) in enumerate(zip(params["stds"], params["dims"], strict=True))]
    out["theory"]["global_time_nominal"] = out["theory"].pop("global_time")
    out["block_numbering"] = ("from 1: block 1 is the first --stds/--dims entry (a normal block of the "
                              "remaining dimensions comes last); the *_order lists hold block numbers; "
                              "per-block arrays are in block order")
    return out


def _global_collapse(res: dict) -> dict:
    """The two global collapse times, named apart, with their time convention (JSON)."""
    g = res["global_times"]
    return {"time": "OU time t (VE variance s = e^{2t} - 1 beside it)",
            "data_covariance": g["data"], "data_covariance_ve_variance": float(ve_variance(g["data"])),
            "nominal_variances": g["nominal"],
            "nominal_variances_ve_variance": float(ve_variance(g["nominal"])),
            "meaning": "Biroli et al. eq. 5 (Gaussian criterion) with the covariance of the sampled "
                       "data (data_covariance: the effective variances on the sphere; = "
                       "comparison.global_time_data) or with the nominal variances stds^2 "
                       "(nominal_variances, as the per-block t_C use them; = "
                       "theory.global_time_nominal); equal for Gaussian data"}


def _global_text(res: dict) -> list[str]:
    """The text lines of the two global collapse times (one line when they coincide)."""
    g = res["global_times"]
    data, nominal = g["data"], g["nominal"]
    sd, sn = float(ve_variance(data)), float(ve_variance(nominal))
    if res["params"]["normalized"]:
        return [f"  global collapse time (Biroli et al. eq. 5), OU t (VE variance): data covariance "
                f"{data:.5f} ({sd:.5f}); nominal variances std^2 {nominal:.5f} ({sn:.5f})",
                "    (sphere data have the effective variances, not std^2; the block t_C above use "
                "std^2)"]
    return [f"  global collapse time (Biroli et al. eq. 5), OU t (VE variance): {data:.5f} ({sd:.5f}) "
            f"(Gaussian data: data covariance = nominal variances std^2)"]


def _run(args: argparse.Namespace) -> int:
    if args.no_plot:
        args.plot = args.phase_diagram = None
    if len(args.stds) != len(args.dims):
        raise ValueError(f"--stds and --dims must have the same length, one dimension per standard "
                         f"deviation (got {len(args.stds)} stds and {len(args.dims)} dims)")
    with log_lines():          # off a terminal, long runs log their progress on stderr
        res = manifold_experiment(args.stds, args.dims, args.d, args.n, normal_std=args.normal_std,
                                  normalized=not args.gaussian, rng=args.seed, quick=args.quick,
                                  n_points=args.points)
    figure = None
    if args.plot:
        plot_manifold_experiment(res, args.plot)
        figure = args.plot
    summ, cmp, curves = res["summary"], res["comparison"], res["curves"]
    p = res["params"]
    diagram = _phase_diagram(args, p["stds"], p["dims"], p["tangent"]) if args.phase_diagram else None
    if args.json:
        out = _number_blocks({"params": res["params"], "theory": summ.to_dict(),
                              "monte_carlo": curves.to_dict(), "comparison": cmp.to_dict(),
                              "global_collapse": _global_collapse(res),
                              "seconds": res["seconds"], "figure": figure, "phase_diagram": diagram},
                             p)
        print(json.dumps(out, indent=2, default=float))
        return 0
    ve = ve_variance(summ.critical_times)
    lines = [f"linear manifold: d = {p['d']}, n = {p['n']}, "
             f"{'sphere' if p['normalized'] else 'Gaussian'} data   (OU time; VE variance)"]
    for k, (sd, dk) in enumerate(zip(p["stds"], p["dims"], strict=True)):
        tag = "" if p["tangent"][k] else "  (normal block)"
        lines.append(f"  block {k + 1}: std {sd:g}, {dk} dims: t_C = {summ.critical_times[k]:.5f} "
                     f"({ve[k]:.5f}); measured onset (R < 0.9) {cmp.onset_time[k]:.5f}, "
                     f"half (R < 0.5) {cmp.half_time[k]:.5f}{tag}")
    lines.append(f"  loss order (first lost first): {[int(k) + 1 for k in summ.loss_order]}; "
                 f"measured: {[int(k) + 1 for k in cmp.measured_order if p['tangent'][k]]}")
    if summ.window:
        lines.append(f"  geometric memorization window: {summ.window[0]:.5f} < t < "
                     f"{summ.window[1]:.5f} (width {summ.window_width:.5f})")
    lines += _global_text(res)
    lines.append(f"  {curves.n_points} test points per time, {res['seconds']:.1f} s"
                 + (f"; figure: {figure}" if figure else "")
                 + (f"; phase diagram: {diagram}" if diagram else ""))
    print("\n".join(lines))
    return 0
