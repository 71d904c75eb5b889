"""The ``regimes`` command line: a thin layer over the Python API.

Each subcommand parses its arguments, calls one function of the package, and prints (text or
``--json``) or draws.  Bad input exits with status 2 and a one-line message naming the parameter
and its accepted range.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import __version__

__all__ = ["main", "build_parser"]


def _finite(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _add_gm_params(p: argparse.ArgumentParser, d: float = 1024, n: float | None = 20000) -> None:
    p.add_argument("--d", type=_finite, default=d, help=f"dimension, >= 1 (default {d:g})")
    if n is not None:
        p.add_argument("--n", type=_finite, default=n,
                       help=f"number of training points, >= 2 (default {n:g})")
    p.add_argument("--mu-tilde", type=_finite, default=1.0,
                   help="|m|^2 = d mu~^2, > 0 (default 1)")
    p.add_argument("--sigma", type=_finite, default=1.0,
                   help="cluster standard deviation, > 0 (default 1)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``regimes`` (exposed for the documentation and the tests)."""
    parser = argparse.ArgumentParser(
        prog="regimes",
        description="Statistical-physics theory of generative diffusion: speciation and collapse "
                    "times, phase diagrams (OU time convention, alpha = log(n)/d).")
    parser.add_argument("--version", action="version", version=f"regimes {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gm = sub.add_parser("gm", help="solve t_S, t*, t_C and alpha of a Gaussian mixture and plot "
                                   "phi(t) and f^e(t)/alpha",
                        description="Solve the three regimes of the symmetric Gaussian mixture "
                                    "1/2 N(+m, sigma^2 I) + 1/2 N(-m, sigma^2 I) with n training "
                                    "points (Biroli et al. 2024, eqs. 4, 6, 10).")
    _add_gm_params(gm)
    gm.add_argument("--json", action="store_true", help="print the results as JSON")
    gm.add_argument("--plot", metavar="FILE", default="regimes_gm.png",
                    help="figure of phi(t) and f^e(t)/alpha (default regimes_gm.png)")
    gm.add_argument("--no-plot", action="store_true", help="do not draw the figure")

    pd = sub.add_parser("phase-diagram", help="draw the regimes I/II/III over (t, alpha) or (d, n)",
                        description="Regimes of the Gaussian mixture: III if t < t_C, II if "
                                    "t_C <= t < t_S, I otherwise (Biroli et al. 2024, eqs. 4, 10).")
    pd.add_argument("--over", choices=("t-alpha", "d-n"), default="t-alpha",
                    help="grid axes (default t-alpha)")
    _add_gm_params(pd, n=None)
    pd.add_argument("--t", type=_finite, default=2.0,
                    help="OU time of the d-n diagram, >= 0 (default 2)")
    pd.add_argument("--t-max", type=_finite, default=6.0, help="largest t of the t-alpha grid")
    pd.add_argument("--alpha-min", type=_finite, default=1e-3)
    pd.add_argument("--alpha-max", type=_finite, default=1.0)
    pd.add_argument("--d-max", type=_finite, default=1e5, help="largest d of the d-n grid")
    pd.add_argument("--n-max", type=_finite, default=1e8, help="largest n of the d-n grid")
    pd.add_argument("--points", type=int, default=300, help="grid points per axis (default 300)")
    pd.add_argument("--plot", metavar="FILE", default="regimes_phase_diagram.png")
    pd.add_argument("--save", metavar="FILE.npz", help="also save the arrays (.npz)")

    rep = sub.add_parser("reproduce", help="redraw the paper's figures with Monte Carlo: fig2, fig3 "
                                           "(Gaussian mixture), fig4, fig5 (real digits)",
                         description="Redraw Fig. 2 (speciation, cloning with the population score) "
                                     "or Fig. 3 (collapse, excess entropy from samples) of Biroli et "
                                     "al. 2024 at the paper's sizes, or Figs. 4-5 (real-data "
                                     "speciation and collapse) on the digits that ship offline with "
                                     "the exact empirical score: PNG, CSV, JSON; checkpointed, "
                                     "resumes after an interruption.")
    rep.add_argument("figure", choices=("fig2", "fig3", "fig4", "fig5"),
                     help="fig2/fig3: Gaussian mixture; fig4/fig5: real digits shipped offline "
                          "(needs the [data] extra; the paper's datasets are not available offline)")
    rep.add_argument("--quick", action="store_true", help="smaller run (about a minute)")
    rep.add_argument("--out", metavar="DIR", help="output folder (default: the figure name)")
    rep.add_argument("--seed", type=int, default=None,
                     help="seed (default 232, the paper's, for fig2/fig3; 0 for fig4/fig5)")
    rep.add_argument("--full-dimensional", action="store_true",
                     help="fig2: integrate the d-dimensional SDE instead of its exact 1-D projection")

    cit = sub.add_parser("citation", help="papers and equations behind a function")
    cit.add_argument("name", nargs="?", help="function name, e.g. collapse_time")
    cit.add_argument("--bibtex", action="store_true")
    for module in _subcommand_modules():
        module.register(sub)
    return parser


def _subcommand_modules() -> list:
    """The modules ``theory/_cli_*.py``: each adds one subcommand through ``register(subparsers)``
    and names its handler with ``set_defaults(handler=...)`` (a handler returns the exit status)."""
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("_cli_"))
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


def _cmd_gm(args: argparse.Namespace) -> int:
    from .regimes import solve_gaussian_mixture

    res = solve_gaussian_mixture(args.d, args.n, args.mu_tilde, args.sigma)
    figure = None
    if not args.no_plot:
        from .figures import plot_gaussian_mixture

        plot_gaussian_mixture(res, args.plot)
        figure = args.plot
    if args.json:
        out = res.to_dict()
        out["figure"] = figure
        print(json.dumps(out, indent=2))
        return 0
    v = res.t_speciation_variants
    lines = [
        f"Gaussian mixture: d = {res.d:g}, n = {res.n:g}, mu~ = {res.mu_tilde:g}, "
        f"sigma = {res.sigma:g}   (OU time)",
        f"  alpha = log(n)/d                 {res.alpha:.6g}",
        f"  t_S = 1/2 log(d mu~^2)   (paper)  {res.t_speciation:.6f}",
        f"  t_S = 1/2 log Lambda              {v['lambda']:.6f}",
        f"  t_S = 1/2 log(Lambda + 1)         {v['lambda_plus_one']:.6f}",
        f"  t*  = 1/2 log(2 d mu~^2)          {res.t_star:.6f}",
        f"  t_C  (eq. 10)                     {res.t_collapse:.6f}",
        f"  phi(t_S)                          {res.phi_at_t_speciation:.6f}",
    ]
    if res.has_regime_two:
        lines.append(f"  regime II (speciated, not collapsed): {res.t_collapse:.4f} < t < "
                     f"{res.t_speciation:.4f}")
    else:
        lines.append("  no regime II: t_C >= t_S, the trajectories collapse before speciation")
    if figure:
        lines.append(f"  figure: {figure}")
    print("\n".join(lines))
    return 0


def _cmd_phase_diagram(args: argparse.Namespace) -> int:
    from ._checks import check_scalar
    from .figures import plot_phase_diagram
    from .phase_diagram import phase_diagram_d_n, phase_diagram_t_alpha

    pts = int(check_scalar(args.points, "points", lower=2, upper=5000, integer=True))
    if args.over == "t-alpha":
        t_max = check_scalar(args.t_max, "t-max", lower=0.0, lower_open=True)
        a_lo = check_scalar(args.alpha_min, "alpha-min", lower=0.0, lower_open=True)
        a_hi = check_scalar(args.alpha_max, "alpha-max", lower=a_lo, lower_open=True)
        diag = phase_diagram_t_alpha(np.linspace(0, t_max, pts), np.geomspace(a_lo, a_hi, pts),
                                     args.d, args.mu_tilde, args.sigma)
        plot_phase_diagram(diag, args.plot, log_y=True)
    else:
        d_max = check_scalar(args.d_max, "d-max", lower=2.0)
        n_max = check_scalar(args.n_max, "n-max", lower=3.0)
        diag = phase_diagram_d_n(np.geomspace(1, d_max, pts), np.geomspace(2, n_max, pts),
                                 args.t, args.mu_tilde, args.sigma)
        plot_phase_diagram(diag, args.plot, log_x=True, log_y=True)
    if args.save:
        diag.save(args.save)
    counts = {int(k): int(v) for k, v in zip(*np.unique(diag.regime, return_counts=True),
                                             strict=True)}
    share = ", ".join(f"regime {'I' * k}: {100 * counts.get(k, 0) / diag.regime.size:.1f}%"
                      for k in (1, 2, 3))
    print(f"phase diagram over {args.over} ({pts} x {pts}): {share}")
    print(f"  figure: {args.plot}" + (f"; arrays: {args.save}" if args.save else ""))
    return 0


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from validation.reproduce import reproduce_fig2, reproduce_fig3

    out = args.out or args.figure
    if args.figure in ("fig4", "fig5"):
        return _reproduce_real(args, out)
    seed = 232 if args.seed is None else args.seed
    if args.figure == "fig2":
        res = reproduce_fig2(out, quick=args.quick, seed=seed,
                             full_dimensional=args.full_dimensional)
        s = res.summary
        print(f"Fig. 2: {s['n_points']} cloning points; (MC - eq. 6)/s.e.: max |z| = "
              f"{s['max_abs_z']:.2f}, rms = {s['rms_z']:.2f}")
        for p in s["paper_points_d1024"]:
            print(f"  d = 1024, t = {p['t']}: ours {p['ours']:.4f}, paper {p['paper']:.4f}, "
                  f"eq. 6 {p['theory']:.4f}")
    else:
        res = reproduce_fig3(out, quick=args.quick, seed=seed)
        s = res.summary
        for d, v in s["collapse_time_from_entropy"].items():
            est = "none on the grid" if v["estimate"] is None else f"{v['estimate']:.3f}"
            print(f"  d = {d}: t_C from f^e = {est}; eq. 10: {v['closed_form']:.5f}")
        if "max_dev_finite_d" in s:
            print(f"  t >= 1.5 t_C: max |MC - finite-d curve| = {s['max_dev_finite_d']:.4f} alpha; "
                  f"max |MC - paper's curve| = {s['max_dev_paper_curve']:.4f} alpha")
        if "variance_ratio_loglik" in s:
            print(f"  log-likelihood estimator needs {s['variance_ratio_loglik']['median']:.0f}x "
                  "more samples than the posterior entropy (median)")
    print(f"  {res.seconds:.1f} s; files: {res.png}, {res.csv}, {res.json}")
    return 0


def _reproduce_real(args: argparse.Namespace, out: str) -> int:
    from validation.reproduce_real import reproduce_fig4, reproduce_fig5

    seed = 0 if args.seed is None else args.seed
    fun = reproduce_fig4 if args.figure == "fig4" else reproduce_fig5
    res = fun(out, quick=args.quick, seed=seed)
    for label, s in res.summary.items():
        if args.figure == "fig4":
            cross = s["phi_crossing_over_t_S"]
            print(f"  {label}: Lambda = {s['Lambda']:.4g}, t_S = {s['t_S_used']:.4f} "
                  f"({s['t_S_variant']}), phi crossing / t_S = "
                  + ("-" if cross is None else f"{cross:.3f}"))
        else:
            tc = s["t_C_entropy"]
            print(f"  {label}: t_C (entropy) = " + ("-" if tc is None else f"{tc:.4f}")
                  + f", t_C (spectrum) = {s['t_C_spectrum']:.4f}, mean t^_C = "
                  f"{s['mean_last_change_time']:.4f}")
    print(f"  {res.seconds:.1f} s; files: {res.png}, {res.csv}, {res.json}")
    return 0


def _cmd_citation(args: argparse.Namespace) -> int:
    from .citation import citation

    print(citation(args.name, bibtex=args.bibtex))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``regimes`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    for name in ("d", "n", "mu_tilde", "sigma", "t"):
        value = getattr(args, name, None)
        if isinstance(value, float) and not math.isfinite(value):
            parser.exit(2, f"regimes: error: {name} must be a finite number "
                           f"(got {value:g})\n")
    handlers = {"gm": _cmd_gm, "phase-diagram": _cmd_phase_diagram, "reproduce": _cmd_reproduce,
                "citation": _cmd_citation}
    handler = getattr(args, "handler", None) or handlers[args.command]
    try:
        return handler(args)
    except ValueError as exc:
        parser.exit(2, f"regimes: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, "regimes: interrupted\n")
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
