"""``regimes gm``: the three regimes of the symmetric Gaussian mixture (t_S, t*, t_C, alpha)."""

from __future__ import annotations

import argparse
import json

from ._arguments import add_gm_params
from .figures import plot_gaussian_mixture
from .gm_summary import solve_gaussian_mixture

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``gm`` subcommand."""
    gm = subparsers.add_parser("gm", help="solve t_S, t*, t_C and alpha of a Gaussian mixture and plot "
                                   "phi(t) and f^e(t)/alpha",
                        description="Solve the three regimes of the symmetric Gaussian mixture "
                                    "1/2 N(+m, sigma^2 I) + 1/2 N(-m, sigma^2 I) with n training "
                                    "points (Biroli et al. 2024, eqs. 4, 6, 10).")
    add_gm_params(gm)
    gm.add_argument("--json", action="store_true", help="print the results as JSON")
    gm.add_argument("--plot", metavar="FILE", default="regimes_gm.png",
                    help="figure of phi(t) and f^e(t)/alpha (default regimes_gm.png)")
    gm.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    gm.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    res = solve_gaussian_mixture(args.d, args.n, args.mu_tilde, args.sigma)
    figure = None
    if not args.no_plot:
        plot_gaussian_mixture(res, args.plot)
        figure = args.plot
    if args.json:
        out = res.to_dict()
        out["figure"] = figure
        print(json.dumps(out, indent=2))
        return 0
    v = res.t_speciation_conventions
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
