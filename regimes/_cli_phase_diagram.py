"""``regimes phase-diagram``: the regimes I/II/III of the Gaussian mixture over (t, alpha) or (d, n)."""

from __future__ import annotations

import argparse

import numpy as np

from theory.checks import check_scalar
from theory.phase_diagram import phase_diagram_d_n, phase_diagram_t_alpha

from ._arguments import add_gm_params, finite
from .figures import plot_phase_diagram

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``phase-diagram`` subcommand."""
    pd = subparsers.add_parser("phase-diagram", help="draw the regimes I/II/III over (t, alpha) or (d, n)",
                        description="Regimes of the Gaussian mixture: III if t < t_C, II if "
                                    "t_C <= t < t_S, I otherwise (Biroli et al. 2024, eqs. 4, 10).")
    pd.add_argument("--over", choices=("t-alpha", "d-n"), default="t-alpha",
                    help="grid axes (default t-alpha)")
    add_gm_params(pd, n=None)
    pd.add_argument("--t", type=finite, default=2.0,
                    help="OU time of the d-n diagram, >= 0 (default 2)")
    pd.add_argument("--t-max", type=finite, default=6.0, help="largest t of the t-alpha grid")
    pd.add_argument("--alpha-min", type=finite, default=1e-3)
    pd.add_argument("--alpha-max", type=finite, default=1.0)
    pd.add_argument("--d-max", type=finite, default=1e5, help="largest d of the d-n grid")
    pd.add_argument("--n-max", type=finite, default=1e8, help="largest n of the d-n grid")
    pd.add_argument("--points", type=int, default=300, help="grid points per axis (default 300)")
    pd.add_argument("--plot", metavar="FILE", default="regimes_phase_diagram.png")
    pd.add_argument("--save", metavar="FILE.npz", help="also save the arrays (.npz)")
    pd.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
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
