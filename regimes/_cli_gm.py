"""``regimes gm``: the regimes of a Gaussian mixture (t_S, t*, t_C, alpha; the speciation cascade).

Without a mixture option the command solves the paper's symmetric mixture with its closed forms
(the output the README shows).  With ``--weights``, ``--classes``, ``--means``, ``--class-spectrum``
or ``--groups`` it builds a :class:`theory.models.GaussianMixture` and solves it with the
model-level solvers: every speciation time of the cascade, the model-level t_C, alpha and phi at
each speciation time (and for the super-classes of ``--groups``).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
from pathlib import Path

import numpy as np

from theory.checks import check_scalar
from theory.models import GaussianMixture

from ._arguments import add_gm_params, finite
from ._resources import check_memory
from .figures import plot_gaussian_mixture, plot_mixture
from .gm_summary import MixtureRegimes, solve_gaussian_mixture, solve_mixture

__all__ = ["register"]

_DEFAULTS = {"d": 1024.0, "mu_tilde": 1.0, "sigma": 1.0}
_WEIGHT_TOL = 1e-6
_MIXTURE_OPTIONS = ("weights", "classes", "means", "class_spectrum", "groups")


def register(subparsers) -> None:
    """Add the ``gm`` subcommand."""
    gm = subparsers.add_parser(
        "gm", help="solve t_S, t*, t_C and alpha of a Gaussian mixture and plot phi(t) and f^e(t)/alpha",
        description="Solve the three regimes of the symmetric Gaussian mixture "
                    "1/2 N(+m, sigma^2 I) + 1/2 N(-m, sigma^2 I) with n training points (Biroli et "
                    "al. 2024, eqs. 4, 6, 10).  With --weights, --classes, --means, --class-spectrum "
                    "or --groups: any K-class mixture sum_k w_k N(m_k, S), solved by the model-level "
                    "solvers (speciation cascade, t_C, exact phi; docs/theory/models.md).")
    add_gm_params(gm)
    mix = gm.add_argument_group(
        "K-class mixtures", "any of these solves sum_k w_k N(m_k, S) with the model-level solvers")
    mix.add_argument("--weights", type=finite, nargs="+", metavar="W",
                     help="K class weights, > 0, summing to 1 (within 1e-6; renormalised). Alone: "
                          "K = 2 uses the symmetric means +/-m, other K the simplex means of --classes")
    mix.add_argument("--classes", type=finite, metavar="K",
                     help="K >= 2 classes whose means sit on a regular simplex, each of norm "
                          "sqrt(d) mu~ (centred Helmert vertices embedded by the first K - 1 cosine "
                          "(DCT-II) basis vectors; K = 2 gives +/-m), needs K - 1 <= d")
    mix.add_argument("--means", metavar="FILE.npy",
                     help="class means, a real (K, d) array saved by numpy.save; d is taken from the "
                          "file (--d, if given, must agree)")
    mix.add_argument("--class-spectrum", metavar="FILE.npy",
                     help="length-d eigenvalues (> 0) of the within-class covariance: a diagonal class "
                          "covariance (instead of sigma^2 I)")
    mix.add_argument("--groups", type=finite, nargs="+", metavar="G",
                     help="super-class label (integer) of each of the K classes: phi is drawn and "
                          "printed for the super-classes too")
    gm.add_argument("--json", action="store_true", help="print the results as JSON")
    gm.add_argument("--plot", metavar="FILE", default="regimes_gm.png",
                    help="figure of phi(t) and f^e(t)/alpha (default regimes_gm.png)")
    gm.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    # None marks "not given" (the help keeps the documented defaults), so that the mixture options can
    # tell an explicit --d / --mu-tilde / --sigma from the default
    gm.set_defaults(handler=_run, d=None, mu_tilde=None, sigma=None)


def _draw(args: argparse.Namespace, res, plot) -> str | None:
    """Draw the figure unless ``--no-plot``; the path written (None without a figure)."""
    if args.no_plot:
        return None
    plot(res, args.plot)
    return args.plot


def _print_json(res, figure: str | None) -> int:
    out = res.to_dict()
    out["figure"] = figure
    print(json.dumps(out, indent=2))
    return 0


def _run(args: argparse.Namespace) -> int:
    if any(getattr(args, name) is not None for name in _MIXTURE_OPTIONS):
        return _run_mixture(args)
    for name, value in _DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    res = solve_gaussian_mixture(args.d, args.n, args.mu_tilde, args.sigma)
    figure = _draw(args, res, plot_gaussian_mixture)
    if args.json:
        return _print_json(res, figure)
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


# --------------------------------------------------------------------------- K-class mixtures

def _load_npy(path: str, option: str) -> np.ndarray:
    """A real, finite float64 array from a .npy file; ValueError naming the option otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{option} must name an existing .npy file (got {path!r}: no such file)")
    try:
        arr = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"{option} must be a .npy file written by numpy.save (got {path!r}: "
                         f"{reason})") from None
    if not isinstance(arr, np.ndarray):
        arr.close()
        raise ValueError(f"{option} must be a .npy file holding one array (got {path!r}: an .npz "
                         f"archive)")
    if np.iscomplexobj(arr):
        raise ValueError(f"{option} must hold real numbers (got {path!r}: complex dtype {arr.dtype})")
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
            or arr.dtype == np.bool_):
        raise ValueError(f"{option} must hold real numbers (got {path!r}: dtype {arr.dtype})")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{option} must hold finite numbers (got {path!r}: {bad} NaN or infinite "
                         f"entries)")
    return arr


def _integer(value: float, name: str, lower: int) -> int:
    return int(check_scalar(value, name, lower=lower, integer=True))


def _weights(values: list[float] | None, K: int | None) -> np.ndarray | None:
    """Positive weights summing to 1 within 1e-6, renormalised; ValueError naming ``weights``."""
    if values is None:
        return None
    w = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"weights must be finite numbers (got {' '.join(f'{x:g}' for x in w)})")
    if K is not None and w.size != K:
        raise ValueError(f"weights must have one entry per class, K = {K} (got {w.size})")
    if w.size < 2:
        raise ValueError(f"weights must give K >= 2 class weights (got {w.size})")
    if np.any(w <= 0):
        raise ValueError(f"weights must be positive (got {' '.join(f'{x:g}' for x in w)})")
    if abs(float(w.sum()) - 1.0) > _WEIGHT_TOL:
        raise ValueError(f"weights must sum to 1 within {_WEIGHT_TOL:g} (got sum {float(w.sum()):.10g})")
    return w / w.sum()


def _groups(values: list[float] | None, K: int) -> np.ndarray | None:
    if values is None:
        return None
    g = np.asarray(values, dtype=np.float64)
    if g.size != K:
        raise ValueError(f"groups must give one super-class label per class, K = {K} (got {g.size})")
    if not np.all(np.isfinite(g)) or np.any(g != np.round(g)):
        raise ValueError(f"groups must be integer labels (got {' '.join(f'{x:g}' for x in g)})")
    if np.unique(g).size < 2:
        raise ValueError(f"groups must name at least 2 super-classes (got {np.unique(g).size})")
    return g.astype(np.int64)


def _build_mixture(args: argparse.Namespace) -> tuple[GaussianMixture, np.ndarray | None, dict]:
    """The GaussianMixture of the command line, the groups and a description of how it was given."""
    if args.means is not None and args.classes is not None:
        raise ValueError("classes must not be combined with --means (the file sets the classes)")
    if args.means is not None and args.mu_tilde is not None:
        raise ValueError("mu_tilde must not be combined with --means (the file sets the means)")
    if args.class_spectrum is not None and args.sigma is not None:
        raise ValueError("sigma must not be combined with --class-spectrum (the file sets the class "
                         "covariance)")
    if args.means is not None:
        means = _load_npy(args.means, "means")
        if means.ndim != 2 or means.shape[0] < 2 or means.shape[1] < 1:
            raise ValueError(f"means must be a (K, d) array with K >= 2 classes and d >= 1 (got "
                             f"{args.means!r}: shape {means.shape})")
        K, d = means.shape
        if args.d is not None and args.d != d:
            raise ValueError(f"d must agree with --means, whose arrays have d = {d} (got {args.d:g})")
        how = f"file {args.means}"
    else:
        d = _integer(_DEFAULTS["d"] if args.d is None else args.d, "d", 1)
        if args.classes is not None:
            K = _integer(args.classes, "classes", 2)
            if K - 1 > d:
                raise ValueError(f"classes must be <= d + 1 = {d + 1} for a regular simplex in d "
                                 f"dimensions (got {K})")
        elif args.weights is not None:
            K = len(args.weights)
        else:
            K = 2
        means = None
    # the (K, d) means, the simplex basis and the solvers' working copies: refused up front if too big
    check_memory(8.0 * d * (4.0 * K + 8.0), f"d = {d}, K = {K} classes: the (K, d) class means and "
                                            f"their working copies")
    mu = check_scalar(_DEFAULTS["mu_tilde"] if args.mu_tilde is None else args.mu_tilde, "mu_tilde",
                      lower=0.0, lower_open=True)
    sigma = check_scalar(_DEFAULTS["sigma"] if args.sigma is None else args.sigma, "sigma",
                         lower=0.0, lower_open=True)
    w = _weights(args.weights, K)
    groups = _groups(args.groups, K)
    if means is None:
        if K == 2 and args.classes is None:
            means = GaussianMixture.symmetric(d, mu, sigma).means
            how = f"symmetric +/-m, m = mu~ (1, ..., 1), mu~ = {mu:g}"
        else:
            means = GaussianMixture.simplex(d, K, mu, sigma).means
            how = f"regular simplex, |m_k| = sqrt(d) mu~, mu~ = {mu:g}"
    if args.class_spectrum is not None:
        spec = _load_npy(args.class_spectrum, "class-spectrum")
        if spec.ndim != 1 or spec.size != d:
            raise ValueError(f"class-spectrum must be a length-d = {d} vector of variances (got "
                             f"{args.class_spectrum!r}: shape {spec.shape})")
        if np.any(spec <= 0):
            raise ValueError(f"class-spectrum must hold positive variances (got {args.class_spectrum!r}: "
                             f"minimum {float(spec.min()):g})")
        cov, cov_how = spec, f"diagonal, file {args.class_spectrum}"
    else:
        cov, cov_how = sigma * sigma, f"sigma^2 I, sigma = {sigma:g}"
    model = GaussianMixture(means, w, cov)
    return model, groups, {"means": how, "class_covariance": cov_how}


def _pm(value: float, err: float) -> str:
    """A probability with its quasi-Monte-Carlo standard error when there is one."""
    if err > 0:
        return f"{value:.6f} +/- {err:.1e}"
    return f"{value:.6f}"


def _row(label: str, value: str) -> str:
    """One line of the summary: the label, then the value in the column of the default printout."""
    return f"  {label:<33} {value}"


def _mixture_lines(res: MixtureRegimes, figure: str | None) -> list[str]:
    m = res.model
    weights = " ".join(f"{w:.4g}" for w in m.weights)
    lines = [
        f"Gaussian mixture: K = {m.K} classes, d = {m.d}, n = {res.n:g}   (OU time)",
        _row("means", res.description.get("means", "given")),
        _row("weights", weights),
        _row("class covariance", res.description.get("class_covariance", m.covariance_kind)),
    ]
    if res.groups is not None:
        lines.append(_row("super-classes (--groups)", " ".join(str(int(g)) for g in res.groups)))
    lines.append(_row("alpha = log(n)/d", f"{res.alpha:.6g}"))
    J = res.speciation_times.size
    if J == 0:
        lines.append("  speciation: none (no between-class direction with lambda_j + s_j > 1)")
    else:
        lines.append(f"  speciation cascade ({J} time{'s' if J > 1 else ''}, decreasing): "
                     "t_S,j = 1/2 log(lambda_j + s_j)")
        lines.append("    lambda_j: between-class eigenvalue, s_j: class variance along it")
        head = f"    {'j':>2}  {'t_S,j':>9}  {'lambda_j':>10}  {'s_j':>8}  {'phi(t_S,j)':>18}"
        if res.groups is not None:
            head += f"  {'phi_super(t_S,j)':>18}"
        lines.append(head)
        for j in range(J):
            row = (f"    {j + 1:>2}  {res.speciation_times[j]:9.6f}  "
                   f"{res.between_class_eigenvalues[j]:10.5g}  {res.class_variances[j]:8.4g}  "
                   f"{_pm(res.phi_at_speciation[j], res.phi_stderr_at_speciation[j]):>18}")
            if res.groups is not None:
                pg = _pm(res.phi_groups_at_speciation[j], res.phi_groups_stderr_at_speciation[j])
                row += f"  {pg:>18}"
            lines.append(row)
    tc_how = "eq. 10" if m.covariance_kind == "isotropic" else "eq. 5, class spectrum"
    lines.append(_row(f"t_C  ({tc_how})", f"{res.t_collapse:.6f}"))
    lines.append(_row("phi(inf) = sum_k w_k^2", f"{res.phi_floor:.6f}"))
    if res.groups is not None:
        lines.append(_row("phi_super(inf) = sum_g w_g^2", f"{res.phi_groups_floor:.6f}"))
    if J and res.has_regime_two:
        late = [j + 1 for j in range(J) if res.speciation_times[j] <= res.t_collapse]
        lines.append(f"  regime II (speciated, not collapsed): {res.t_collapse:.4f} < t < "
                     f"{res.speciation_times[0]:.4f}")
        if late:
            lines.append(f"  speciation{'s' if len(late) > 1 else ''} {', '.join(map(str, late))} after "
                         f"the collapse (t_S,j <= t_C): decided by memorization")
    elif J:
        lines.append("  no regime II: t_C >= t_S,1, the trajectories collapse before speciation")
    if figure:
        lines.append(f"  figure: {figure}")
    return lines


def _run_mixture(args: argparse.Namespace) -> int:
    model, groups, description = _build_mixture(args)
    if not math.isfinite(args.n):
        raise ValueError(f"n must be a finite number >= 2 (got {args.n:g})")
    res = solve_mixture(model, args.n, groups=groups, description=description)
    figure = _draw(args, res, plot_mixture)
    if args.json:
        return _print_json(res, figure)
    print("\n".join(_mixture_lines(res, figure)))
    return 0
