"""``regimes spectrum``: Jacobian spectra, spectral gaps and geometric phases of linear-manifold data."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from theory.checks import check_scalar
from theory.models import LinearManifold
from theory.spectral import as_groups, bulks, intermediate_gaps, manifold_gap, phase_boundaries
from theory.timemap import ve_variance
from validation.spectral import empirical_jacobian_spectra, sample_b_eigenvalues

from .spectral_figures import plot_spectrum

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``spectrum`` subcommand to the ``regimes`` parser."""
    p = subparsers.add_parser(
        "spectrum", help="Jacobian spectrum, bulk edges, spectral gaps and geometric phases of a "
                         "linear manifold",
        description="Linear Gaussian manifold x0 = F z (F: d x m, N(0, 1/d) entries; latent variance "
                    "v_k on a fraction f_k of the dimensions), OU time: density of the normalised "
                    "Jacobian mu = s/(s + lambda) against time, critical-point edges, intermediate "
                    "and manifold gaps, phases (Ventura et al. 2025, arXiv:2410.05898).")
    p.add_argument("--fractions", type=float, nargs="+", default=[0.2, 0.2],
                   help="f_k = m_k/d, > 0, sum < 1 (default 0.2 0.2)")
    p.add_argument("--variances", type=float, nargs="+", default=[1.0, 0.01],
                   help="latent variances v_k > 0 (default 1 0.01)")
    p.add_argument("--t-min", type=float, default=1e-4, help="smallest OU time (default 1e-4)")
    p.add_argument("--t-max", type=float, default=3.0, help="largest OU time (default 3)")
    p.add_argument("--points", type=int, default=200, help="times on the grid (default 200)")
    p.add_argument("--threshold", type=float, default=0.1,
                   help="gap visibility threshold Delta in (0, 0.5) (default 0.1)")
    p.add_argument("--plot", metavar="FILE", help="draw the figure to FILE (PNG, PDF, ...)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    p.add_argument("--monte-carlo", action="store_true",
                   help="also sample B at dimension d (and the empirical score at n points)")
    p.add_argument("--d", type=int, default=1000, help="Monte Carlo dimension (default 1000)")
    p.add_argument("--n", type=int, default=None,
                   help="Monte Carlo: also the empirical score of n points (d x d Jacobians; "
                        "uses min(d, 60) dimensions)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    p.add_argument("--quick", action="store_true", help="smaller grids and Monte Carlo")
    p.set_defaults(handler=_run)


def _clean(obj):
    """NaN -> None, numpy -> Python, for strict JSON."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    return obj


def _monte_carlo(args, fractions, variances, t) -> dict:
    d = int(check_scalar(args.d, "d", lower=10, upper=20000, integer=True))
    lam = sample_b_eigenvalues(d, fractions, variances, rng=args.seed)[0]
    s = ve_variance(t)[:, None]
    out = {"d": d, "t": t, "mu": s / (s + lam[None, :])}
    m = lam[lam > 0]
    out["eigenvalues_range"] = [float(m.min()), float(m.max())]
    if args.n is not None:
        n = int(check_scalar(args.n, "n", lower=2, upper=10**6, integer=True))
        d_emp = min(d, 60)
        man = LinearManifold.from_fractions(d_emp, fractions, variances, rng=args.seed)
        te = np.geomspace(t.min(), t.max(), 12 if args.quick else 30)
        spec = empirical_jacobian_spectra(man, n, te, n_points=2 if args.quick else 4,
                                          rng=args.seed + 1)
        out.update(empirical_t=te, empirical_mu=spec.mean(axis=1), n=n, empirical_d=d_emp)
    return out


def _run(args: argparse.Namespace) -> int:
    grp = as_groups(args.fractions, args.variances)
    t_min = check_scalar(args.t_min, "t-min", lower=0.0, lower_open=True)
    t_max = check_scalar(args.t_max, "t-max", lower=t_min, lower_open=True)
    points = int(check_scalar(args.points, "points", lower=2, upper=2000, integer=True))
    if args.quick:
        points = min(points, 60)
        args.d = min(args.d, 300)
    thr = check_scalar(args.threshold, "threshold", lower=0.0, upper=0.5, lower_open=True,
                       upper_open=True)
    t = np.geomspace(t_min, t_max, points)
    blist = bulks(args.fractions, args.variances)
    gaps = intermediate_gaps(args.fractions, args.variances, thr)
    mg = manifold_gap(args.fractions, args.variances, thr)
    pb = phase_boundaries(args.fractions, args.variances, thr)
    mc = _monte_carlo(args, args.fractions, args.variances, t) if args.monte_carlo else None
    figure = None
    if args.plot:
        plot_spectrum(args.fractions, args.variances, t, mu_points=120 if args.quick else 300,
                      threshold=thr, monte_carlo=mc, path=args.plot)
        figure = args.plot
    result = {
        "groups": {"fractions": grp.fractions, "variances": grp.variances},
        "bulks": [b._asdict() for b in blist],
        "edges": [e for b in blist for e in (b.lower, b.upper)],
        "manifold_gap": mg._asdict(),
        "intermediate_gaps": [g._asdict() for g in gaps],
        "phase_boundaries": pb._asdict(),
        "figure": figure,
    }
    if mc is not None:
        result["monte_carlo"] = {"d": mc["d"], "seed": args.seed,
                                 "nonzero_eigenvalue_range": mc["eigenvalues_range"]}
        if "n" in mc:
            result["monte_carlo"].update(n=mc["n"], empirical_d=mc["empirical_d"])
    if args.json:
        print(json.dumps(_clean(result), indent=2))
        return 0
    lines = ["linear manifold: groups (f, v) = "
             + ", ".join(f"({f:g}, {v:g})" for f, v in zip(grp.fractions, grp.variances, strict=True))
             + f"; spike weight 1 - sum f = {1 - grp.fractions.sum():g}"]
    for b in blist:
        lines.append(f"  bulk [{b.lower:.6g}, {b.upper:.6g}]  mass {b.mass:g}  groups {list(b.groups)}")
    lines.append(f"  manifold gap: edge {mg.edge:.6g}; > {thr:g} below s = {mg.s_open:.6g} "
                 f"(t = {mg.t_open:.5g}); > {1 - thr:g} below s = {mg.s_consolidated:.6g}")
    for g in gaps:
        if not g.detached:
            lines.append(f"  gap v={g.variances[0]:g} | v={g.variances[1]:g}: bulks merged")
            continue
        lines.append(f"  gap v={g.variances[0]:g} | v={g.variances[1]:g}: peak {g.height:.4f} at "
                     f"s_max = {g.s_max:.6g} (t_max = {g.t_max:.5g}, VE tau = {g.tau_ve_max:.4f}); "
                     f"open {g.s_open:.5g} -> close {g.s_close:.5g} (s)")
    lines.append(f"  phases (Delta = {thr:g}): I -> II at t = {pb.t_coverage:.5g} (s = "
                 f"{pb.s_coverage:.5g}, VE tau = {pb.tau_ve_coverage:.4f}); II -> III at t = "
                 f"{pb.t_consolidation:.5g} (s = {pb.s_consolidation:.5g}, VE tau = "
                 f"{pb.tau_ve_consolidation:.4f})")
    if mc is not None:
        lines.append(f"  Monte Carlo: d = {mc['d']}, nonzero eigenvalues of B in "
                     f"[{mc['eigenvalues_range'][0]:.5g}, {mc['eigenvalues_range'][1]:.5g}]")
    if figure:
        lines.append(f"  figure: {figure}")
    print("\n".join(lines))
    return 0
