"""``regimes phase-diagram``: the regimes I/II/III of the Gaussian mixture over (t, alpha) or (d, n).

The regions are bounded by the analytic curves (t_S, eq. 4; t_C, eq. 10), drawn as labelled lines;
``--point`` and ``--n`` mark the user's own point or dataset size, ``--json`` prints the boundaries.
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from theory.checks import check_scalar
from theory.citation import citation
from theory.files import json_ready
from theory.gaussian_mixture import collapse_time, speciation_time
from theory.phase_diagram import REGIME_NAMES, phase_diagram_d_n, phase_diagram_t_alpha

from ._arguments import add_gm_params, finite
from .figures import plot_phase_diagram

__all__ = ["register"]

_CURVE_POINTS = 400          # points of the analytic boundary curves (figure and --json)


def register(subparsers) -> None:
    """Add the ``phase-diagram`` subcommand."""
    pd = subparsers.add_parser(
        "phase-diagram", help="draw the regimes I/II/III over (t, alpha) or (d, n)",
        description="Regimes of the Gaussian mixture: III if t < t_C, II if t_C <= t < t_S, I "
                    "otherwise (Biroli et al. 2024, eqs. 4, 10).  The regions are bounded by the "
                    "analytic t_S and t_C curves, drawn as labelled lines.")
    pd.add_argument("--over", choices=("t-alpha", "d-n"), default="t-alpha",
                    help="grid axes (default t-alpha)")
    add_gm_params(pd, n=None)
    pd.add_argument("--t", type=finite, default=2.0,
                    help="OU time of the d-n diagram, >= 0 (default 2)")
    pd.add_argument("--t-max", type=finite, default=6.0, help="largest t of the t-alpha grid")
    pd.add_argument("--alpha-min", type=finite, default=1e-3,
                    help="smallest alpha = log(n)/d of the t-alpha grid, > 0 (default 0.001)")
    pd.add_argument("--alpha-max", type=finite, default=1.0,
                    help="largest alpha of the t-alpha grid (default 1)")
    pd.add_argument("--d-max", type=finite, default=1e5, help="largest d of the d-n grid")
    pd.add_argument("--n-max", type=finite, default=1e8, help="largest n of the d-n grid")
    pd.add_argument("--points", type=int, default=300, help="grid points per axis (default 300)")
    pd.add_argument("--point", type=finite, nargs=2, metavar=("X", "Y"),
                    help="mark your own point: T ALPHA on the t-alpha diagram, D N on the d-n one")
    pd.add_argument("--n", type=finite, default=None, metavar="N",
                    help="mark your dataset size: alpha = log(N)/d on the t-alpha diagram (a "
                         "horizontal line), the point (--d, N) on the d-n one")
    pd.add_argument("--plot", metavar="FILE", default="regimes_phase_diagram.png")
    pd.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    pd.add_argument("--json", action="store_true",
                    help="print the regime shares, the boundary curves and your point as JSON")
    pd.add_argument("--save", metavar="FILE.npz", help="also save the arrays (.npz)")
    pd.set_defaults(handler=_run)



def _share(regime: np.ndarray) -> dict:
    counts = {int(k): int(v) for k, v in zip(*np.unique(regime, return_counts=True), strict=True)}
    return {"I" * k: 100 * counts.get(k, 0) / regime.size for k in (1, 2, 3)}


def _user_point(args, d: float, mu: float, sig: float) -> dict | None:
    """The user's point (``--point`` or ``--n``), its regime and the two times there."""
    if args.point is None and args.n is None:
        return None
    if args.over == "t-alpha":
        n = None if args.n is None else check_scalar(args.n, "n", lower=2.0)
        if args.point is not None:
            t = check_scalar(args.point[0], "point t", lower=0.0)
            alpha = check_scalar(args.point[1], "point alpha", lower=0.0, lower_open=True)
        else:
            t, alpha = None, math.log(n) / d
        one = phase_diagram_t_alpha(np.array([0.0 if t is None else t]), np.array([alpha]), d, mu, sig)
        out = {"t": t, "alpha": alpha, "n": n, "t_S": float(one.t_speciation[0, 0]),
               "t_C": float(one.t_collapse[0, 0])}
    else:
        if args.point is not None:
            dd = check_scalar(args.point[0], "point d", lower=1.0)
            n = check_scalar(args.point[1], "point n", lower=2.0)
        else:
            dd, n = d, check_scalar(args.n, "n", lower=2.0)
        t = args.t
        one = phase_diagram_d_n(np.array([dd]), np.array([n]), t, mu, sig)
        out = {"t": t, "d": dd, "n": n, "alpha": math.log(n) / dd,
               "t_S": float(one.t_speciation[0, 0]), "t_C": float(one.t_collapse[0, 0])}
    out["regime"] = None if out["t"] is None else "I" * int(one.regime[0, 0])
    return out


def _point_text(p: dict) -> str:
    where = ", ".join(f"{k} = {p[k]:g}" for k in ("t", "d", "n", "alpha") if p.get(k) is not None)
    ts = "no speciation" if not math.isfinite(p["t_S"]) else f"t_S = {p['t_S']:.4g}"
    head = f"  your point: {where}; {ts}, t_C = {p['t_C']:.4g}"
    if p["regime"] is not None:
        return head + f": regime {REGIME_NAMES[len(p['regime'])]}"
    tc, tsv = p["t_C"], p["t_S"]
    if math.isfinite(tsv) and tc < tsv:
        return head + f": regime III for t < {tc:.4g}, II for {tc:.4g} <= t < {tsv:.4g}, I beyond"
    return head + f": regime III for t < {tc:.4g}, I beyond (no regime II)"


def _run(args: argparse.Namespace) -> int:
    pts = int(check_scalar(args.points, "points", lower=2, upper=5000, integer=True))
    d = check_scalar(args.d, "d", lower=1.0)
    mu = check_scalar(args.mu_tilde, "mu_tilde", lower=0.0, lower_open=True)
    sig = check_scalar(args.sigma, "sigma", lower=0.0, lower_open=True)
    if args.over == "t-alpha":
        t_max = check_scalar(args.t_max, "t-max", lower=0.0, lower_open=True)
        a_lo = check_scalar(args.alpha_min, "alpha-min", lower=0.0, lower_open=True)
        a_hi = check_scalar(args.alpha_max, "alpha-max", lower=a_lo, lower_open=True)
        diag = phase_diagram_t_alpha(np.linspace(0, t_max, pts), np.geomspace(a_lo, a_hi, pts),
                                     d, mu, sig)
    else:
        t = check_scalar(args.t, "t", lower=0.0)
        d_max = check_scalar(args.d_max, "d-max", lower=2.0)
        n_max = check_scalar(args.n_max, "n-max", lower=3.0)
        diag = phase_diagram_d_n(np.geomspace(1, d_max, pts), np.geomspace(2, n_max, pts), t, mu, sig)
    bounds = diag.boundaries(points=_CURVE_POINTS)          # the analytic curves, from theory
    point = _user_point(args, d, mu, sig)
    figure = None
    if not args.no_plot:
        plot_phase_diagram(diag, args.plot, log_x=args.over == "d-n", log_y=True, boundaries=bounds,
                           point=point)
        figure = args.plot
    if args.save:
        diag.save(args.save)
    share = _share(diag.regime)
    if args.json:
        bounds = {k: ({kk: vv for kk, vv in v.items() if kk != "log_n"} if isinstance(v, dict) else v)
                  for k, v in bounds.items()}
        out = {"over": args.over, "params": diag.params, "grid_points": pts,
               "axes": {"x": diag.x_name, "y": diag.y_name},
               "regime_share_percent": share, "boundaries": bounds, "point": point,
               "figure": figure, "arrays": args.save,
               "sources": {"t_S": citation(speciation_time), "t_C": citation(collapse_time)}}
        print(json.dumps(json_ready(out, finite_only=False), indent=2))
        return 0
    text = ", ".join(f"regime {k}: {v:.1f}%" for k, v in share.items())
    print(f"phase diagram over {args.over} ({pts} x {pts}): {text}")
    if args.over == "t-alpha":
        ts = bounds["t_S"]
        print("  boundaries: " + ("no speciation (d mu~^2 <= 1)" if ts is None else
                                  f"t_S = 1/2 log(d mu~^2) = {ts:.4g} (eq. 4)")
              + "; t_C(alpha) = 1/2 log(1 + sigma^2/(e^(2 alpha) - 1)) (eq. 10)")
    else:
        ds = bounds["t_S"]["d"]
        print(f"  boundaries at t = {args.t:g}: t_S(d) = t at d = {ds:.4g} (eq. 4); t_C(d, n) = t at "
              f"log n = d/2 log(1 + sigma^2/(e^(2t) - 1)) (eq. 10)" if ds is not None else
              f"  boundaries at t = {args.t:g}: t_S(d) < t for every d >= 1 (eq. 4); t_C(d, n) = t "
              f"at log n = d/2 log(1 + sigma^2/(e^(2t) - 1)) (eq. 10)")
    if point is not None:
        print(_point_text(point))
    files = [f for f in (figure, args.save) if f]
    if files:
        print("  files: " + ", ".join(files))
    return 0
