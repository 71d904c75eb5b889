"""``regimes spectrum``: Jacobian spectra, spectral gaps and geometric phases of linear-manifold data.

Four sources of the latent spectrum, one at a time:

- ``--fractions F ... --variances V ...`` (default): a few variance groups (the polynomial route);
- ``--law NAME KEY=VALUE ...``: a named law of latent variances (:data:`theory.spectral.LAWS`:
  ``uniform low= high= fraction=``, ``power beta= count= fraction= [top=]``, ``spread
  fractions=f1,f2 variances=v1,v2 spread=``), discretised into ``--groups`` groups;
- ``--spectrum FILE``: a covariance spectrum (.npy, or text/.csv: one or more numbers per line):
  the Gaussian-model Jacobian spectrum, tangent-dimension count and gaps against t, with ``--n`` the
  collapse time and the sample-covariance law; with ``--fraction f`` the file holds latent variances
  instead and is treated as a law;
- ``--dataset digits|mnist5k``: the covariance spectrum of a shipped dataset, with ``--monte-carlo``
  the measured Jacobian spectra of its exact empirical score.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import re
from pathlib import Path

import numpy as np

import theory.spectral as spectral
from theory.checks import check_scalar
from theory.citation import citation
from theory.files import json_ready
from theory.models import LinearManifold
from theory.speciation import covariance_spectrum
from theory.spectral import (
    LAWS,
    as_groups,
    bulks,
    bulks_vs_spread,
    from_values,
    intermediate_gaps,
    manifold_gap,
    named_law,
    phase_boundaries,
)
from theory.timemap import ve_variance
from validation.datasets import SHIPPED, load_dataset
from validation.spectral import (
    compare_dataset_jacobian,
    empirical_jacobian_spectra,
    sample_b_eigenvalues,
)

from ._arguments import finite
from .spectral_figures import plot_data_spectrum, plot_law_spectrum, plot_spectrum
from .spectral_summary import data_spectrum_summary, law_monte_carlo, law_spectrum_summary

__all__ = ["register"]

_LIST_KEYS = {"fractions", "variances"}
_INT_KEYS = {"count"}
_LISTED = 12               # bulks and gaps listed in the text output (--json lists all)
_DEFAULT_GROUPS = ([0.2, 0.2], [1.0, 0.01])


def register(subparsers) -> None:
    """Add the ``spectrum`` subcommand to the ``regimes`` parser."""
    p = subparsers.add_parser(
        "spectrum", help="Jacobian spectrum, bulk edges, spectral gaps and geometric phases of a "
                         "linear manifold, a latent-variance law or a data covariance spectrum",
        description="Linear Gaussian manifold x0 = F z (F: d x m, N(0, 1/d) entries; latent variance "
                    "v_k on a fraction f_k of the dimensions), OU time: density of the normalised "
                    "Jacobian mu = s/(s + lambda) against time, critical-point edges, intermediate "
                    "and manifold gaps, phases (Ventura et al. 2025, arXiv:2410.05898).  The latent "
                    "spectrum comes from --fractions/--variances, --law, --spectrum FILE or --dataset "
                    "(one of them).")
    src = p.add_argument_group("latent spectrum (one of)")
    src.add_argument("--fractions", type=finite, nargs="+", default=None,
                     help="f_k = m_k/d, > 0, sum < 1 (default 0.2 0.2)")
    src.add_argument("--variances", type=finite, nargs="+", default=None,
                     help="latent variances v_k > 0 (default 1 0.01)")
    src.add_argument("--law", nargs="+", metavar="NAME|KEY=VALUE",
                     help="a law of latent variances: " + "; ".join(
                         f"{name} {' '.join(k + '=' for k in keys)}"
                         for name, (_, keys) in LAWS.items())
                     + " (lists comma-separated, e.g. --law power beta=1 count=400 fraction=0.4)")
    src.add_argument("--spectrum", metavar="FILE",
                     help="covariance eigenvalues (.npy, or text/.csv numbers), e.g. a dataset's")
    src.add_argument("--dataset", metavar="NAME",
                     help=f"a shipped dataset's covariance spectrum: {', '.join(SHIPPED)} "
                          "(needs pip install -e \".[data]\")")
    law = p.add_argument_group("laws (--law, --spectrum FILE --fraction)")
    law.add_argument("--groups", type=finite, metavar="K",
                     help="groups of the discretisation (default: the atoms of a discrete law, "
                          "else 2000; --quick 200)")
    law.add_argument("--sweep", metavar="KEY=V1,V2,...",
                     help="--law only: the number of bulks of B for each value of one parameter")
    law.add_argument("--fraction", type=finite,
                     help="--spectrum only: FILE holds latent variances and m/d = FRACTION (0, 1)")
    data = p.add_argument_group("data spectra (--spectrum, --dataset)")
    data.add_argument("--count-threshold", type=finite, default=0.5,
                      help="a direction is tangent when mu < this, in (0, 1) (default 0.5)")
    data.add_argument("--subsample", type=finite, metavar="N",
                      help="--dataset: keep a random subset of N points")
    data.add_argument("--mc-points", type=finite, default=None,
                      help="--dataset --monte-carlo: noised points per time (default 4, --quick 2)")
    p.add_argument("--t-min", type=finite, default=1e-4, help="smallest OU time (default 1e-4)")
    p.add_argument("--t-max", type=finite, default=3.0, help="largest OU time (default 3)")
    p.add_argument("--points", type=finite, default=200, help="times on the grid (default 200)")
    p.add_argument("--threshold", type=finite, default=0.1,
                   help="gap visibility threshold Delta in (0, 0.5) (default 0.1)")
    p.add_argument("--plot", metavar="FILE", help="draw the figure to FILE (PNG, PDF, ...)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the figure (overrides --plot)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    p.add_argument("--monte-carlo", action="store_true",
                   help="groups and laws: also sample B at dimension d (groups: and the empirical "
                        "score at n points); --dataset: the Jacobian of the exact empirical score")
    p.add_argument("--d", type=finite, default=1000,
                   help="Monte Carlo dimension (default 1000; a discrete law: count/fraction)")
    p.add_argument("--n", type=finite, default=None,
                   help="--spectrum: number of data points (t_C, sample-covariance law); "
                        "--fractions/--variances --monte-carlo: also the empirical score of n "
                        "points (d x d Jacobians; uses min(d, 60) dimensions)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    p.add_argument("--quick", action="store_true", help="smaller grids and Monte Carlo")
    p.set_defaults(handler=_run)

    def one_line_error(message: str):
        p.exit(2, f"regimes: error: {message}\n")

    p.error = one_line_error       # bad input: one line naming the option, as the handler's errors


# --- helpers -----------------------------------------------------------------------------------------


def _num(x, spec: str = ".5g") -> str:
    return format(x, spec) if x is not None and math.isfinite(x) else "n/a"


def _grid(args) -> tuple[np.ndarray, float]:
    t_min = check_scalar(args.t_min, "t-min", lower=0.0, lower_open=True)
    t_max = check_scalar(args.t_max, "t-max", lower=t_min, lower_open=True)
    points = int(check_scalar(args.points, "points", lower=2, upper=2000, integer=True))
    if args.quick:
        points = min(points, 60)
    thr = check_scalar(args.threshold, "threshold", lower=0.0, upper=0.5, lower_open=True,
                       upper_open=True)
    return np.geomspace(t_min, t_max, points), thr


def _mode(args) -> str:
    given = [name for name, on in (("--fractions/--variances", args.fractions is not None
                                    or args.variances is not None),
                                   ("--law", args.law is not None),
                                   ("--spectrum", args.spectrum is not None),
                                   ("--dataset", args.dataset is not None)) if on]
    if len(given) > 1:
        raise ValueError(f"give one of --fractions/--variances, --law, --spectrum or --dataset "
                         f"(got {' and '.join(given)})")
    mode = {"--law": "law", "--spectrum": "spectrum", "--dataset": "dataset"}.get(
        given[0] if given else "", "groups")
    if mode == "spectrum" and args.fraction is not None:
        mode = "values"
    rules = [("--fraction", args.fraction is not None, ("values",), "--spectrum FILE"),
             ("--groups", args.groups is not None, ("law", "values"),
              "--law or --spectrum FILE --fraction F"),
             ("--sweep", args.sweep is not None, ("law",), "--law"),
             ("--subsample", args.subsample is not None, ("dataset",), "--dataset"),
             ("--mc-points", args.mc_points is not None, ("dataset",), "--dataset --monte-carlo"),
             ("--n", args.n is not None, ("groups", "spectrum"),
              "--spectrum FILE (without --fraction) or --fractions/--variances --monte-carlo")]
    where = {"groups": "--fractions/--variances", "law": "--law", "values": "--spectrum --fraction",
             "spectrum": "--spectrum", "dataset": "--dataset"}
    for option, on, modes, text in rules:
        if on and mode not in modes:
            raise ValueError(f"{option} applies to {text} only (got it with {where[mode]})")
    if args.monte_carlo and mode == "spectrum":
        raise ValueError("--monte-carlo needs data points (--dataset) or a latent law (--law, "
                         "--spectrum FILE --fraction F), not a bare --spectrum")
    return mode


def _law_value(name: str, key: str, text: str):
    parts = text.split(",") if key in _LIST_KEYS else [text]
    try:
        vals = [float(x) for x in parts]
    except ValueError:
        raise ValueError(f"--law {name}: {key} must be a number{' list' if key in _LIST_KEYS else ''}"
                         f" (got {text!r})") from None
    bad = [x for x in vals if not math.isfinite(x)]
    if bad:
        raise ValueError(f"--law {name}: {key} must be finite (got {text!r})")
    if key in _INT_KEYS:
        if not vals[0].is_integer():
            raise ValueError(f"--law {name}: {key} must be an integer (got {text!r})")
        return int(vals[0])
    return vals if key in _LIST_KEYS else vals[0]


def _parse_law(tokens: list[str]) -> tuple[str, dict]:
    """``NAME KEY=VALUE ...`` -> (name, parameters); every error names --law."""
    name, *pairs = tokens
    if name not in LAWS:
        raise ValueError(f"--law must start with a law name, one of {', '.join(LAWS)} (got {name!r})")
    allowed = LAWS[name][1]
    params: dict = {}
    for tok in pairs:
        key, sep, text = tok.partition("=")
        if not sep or not key or not text:
            raise ValueError(f"--law parameters must be KEY=VALUE, e.g. {allowed[0]}=1 (got {tok!r})")
        if key not in allowed:
            raise ValueError(f"--law {name} takes the parameters {', '.join(allowed)} (got {key!r})")
        if key in params:
            raise ValueError(f"--law {name}: {key} given twice")
        params[key] = _law_value(name, key, text)
    fun = getattr(spectral, LAWS[name][0])
    required = [k for k, prm in inspect.signature(fun).parameters.items()
                if prm.default is inspect.Parameter.empty]
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"--law {name} needs {', '.join(k + '=' for k in missing)} (parameters: "
                         f"{', '.join(allowed)})")
    return name, params


def _make_law(name: str, params: dict):
    try:
        return named_law(name, **params)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--law {name}: {exc}") from None


def _parse_rows(text: str) -> np.ndarray:
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append([float(x) for x in re.split(r"[,;\s]+", line) if x])
    if not rows:
        return np.empty(0)
    if len({len(r) for r in rows}) > 1:
        raise ValueError("rows of different lengths")
    return np.array(rows)


def _read_spectrum(path: str) -> np.ndarray:
    """Eigenvalues from .npy or text; every error names --spectrum."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"--spectrum must name an existing file (got {path!r}: not found)")
    try:
        arr = np.load(p, allow_pickle=False) if p.suffix.lower() == ".npy" else _parse_rows(
            p.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        msg = " ".join(str(exc).split())
        raise ValueError(f"--spectrum {path}: cannot read numbers ({msg})") from None
    arr = np.asarray(arr)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"--spectrum must hold real numbers (got dtype {arr.dtype} in {path})")
    if arr.size == 0:
        raise ValueError(f"--spectrum must hold at least one eigenvalue (got none in {path})")
    if sum(k > 1 for k in arr.shape) > 1:
        raise ValueError(f"--spectrum must hold a 1-D array of eigenvalues (got shape {arr.shape} "
                         f"in {path}); for data points (n, d) use --dataset or regimes analyze")
    lam = arr.astype(np.float64).reshape(-1)
    bad = np.flatnonzero(~np.isfinite(lam))
    if bad.size:
        raise ValueError(f"--spectrum must hold finite eigenvalues (got {lam[bad[0]]} at index "
                         f"{bad[0]} of {path})")
    scale = float(np.max(np.abs(lam)))
    if np.any(lam < -1e-10 * scale):
        i = int(np.argmin(lam))
        raise ValueError(f"--spectrum must hold eigenvalues >= 0 (got {lam[i]:g} at index {i} of "
                         f"{path})")
    if not np.any(lam > 0):
        raise ValueError(f"--spectrum must hold at least one eigenvalue > 0 (got all zero in {path})")
    lam = np.clip(lam, 0.0, None)
    lam[lam <= lam.size * np.finfo(float).eps * scale] = 0.0      # round-off of exact zeros
    return lam


def _sweep(args, name: str, params: dict, K) -> dict:
    key, sep, text = args.sweep.partition("=")
    allowed = [k for k in LAWS[name][1] if k not in _LIST_KEYS]
    if not sep or key not in allowed:
        raise ValueError(f"--sweep must be KEY=V1,V2,... with KEY one of {', '.join(allowed)} "
                         f"(got {args.sweep!r})")
    try:
        vals = [_law_value(name, key, x) for x in text.split(",")] if text else []
    except ValueError as exc:
        raise ValueError(f"--sweep {args.sweep!r}: {exc}") from None
    if not vals:
        raise ValueError(f"--sweep {key} needs at least one value (got {args.sweep!r})")
    counts = bulks_vs_spread(lambda x: _make_law(name, {**params, key: x}), vals, K)
    return {"parameter": key, "values": vals, "bulks": counts}


def _emit(args, result: dict, lines: list[str]) -> int:
    if args.json:
        print(json.dumps(json_ready(result, finite_only=False), indent=2))
    else:
        print("\n".join(lines))
    return 0


def _gap_line(label: str, g: dict, thr: float) -> str:
    head = (f"  {label}: peak {g['height']:.4f} at s_max = {g['s_max']:.6g} (t_max = "
            f"{g['t_max']:.5g}, tau_VE = {g['tau_ve_max']:.4f})")
    if not (math.isfinite(g["s_open"]) and math.isfinite(g["s_close"])):
        return head + f"; never above Delta = {thr:g}: no gap"
    return (head + f"; > {thr:g} for t in [{g['t_close']:.5g}, {g['t_open']:.5g}] (s from "
                   f"{g['s_open']:.5g} down to {g['s_close']:.5g})")


def _runs(t: np.ndarray, visible: np.ndarray) -> str:
    """``t in [a, b]: k`` for each run of a constant number of visible gaps."""
    out, start = [], 0
    for i in range(1, visible.size + 1):
        if i == visible.size or visible[i] != visible[start]:
            out.append(f"t in [{t[start]:.4g}, {t[i - 1]:.4g}]: {int(visible[start])}")
            start = i
    return "; ".join(out)


#: the geometric phases of Ventura et al. (2025), named as in the paper (not I/II/III, which name the
#: regimes of the Gaussian mixture, ``regimes phase-diagram``)
PHASE_NAMES = ("trivial", "manifold coverage", "consolidation")

#: what ``tau_VE`` means in the text output
_TAU_NOTE = ("  (s = e^(2t) - 1: the noise variance of the variance-exploding (VE) process at OU time t;\n"
             "   tau_VE: the time in [0, 1] at which the VE schedule sigma(tau) = 0.01 (50/0.01)^tau of "
             "Song et al. 2021 reaches sigma^2 = s;\n   outside [0, 1]: s beyond the range of that schedule)")


def _phase_line(pb: dict, thr: float) -> str:
    a, b, c = PHASE_NAMES
    return (f"  geometric phases (Delta = {thr:g}): {a} -> {b} at t = {_num(pb['t_coverage'])} (s = "
            f"{_num(pb['s_coverage'])}, tau_VE = {_num(pb['tau_ve_coverage'], '.4f')}); {b} -> {c} "
            f"at t = {_num(pb['t_consolidation'])} (s = {_num(pb['s_consolidation'])}, tau_VE = "
            f"{_num(pb['tau_ve_consolidation'], '.4f')})")


# --- the few-groups route (--fractions/--variances) --------------------------------------------------

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


def _run_groups(args) -> int:
    fractions = _DEFAULT_GROUPS[0] if args.fractions is None else args.fractions
    variances = _DEFAULT_GROUPS[1] if args.variances is None else args.variances
    grp = as_groups(fractions, variances)
    t, thr = _grid(args)
    if args.quick:
        args.d = min(args.d, 300)
    blist = bulks(fractions, variances)
    gaps = intermediate_gaps(fractions, variances, thr)
    mg = manifold_gap(fractions, variances, thr)
    pb = phase_boundaries(fractions, variances, thr)
    mc = _monte_carlo(args, fractions, variances, t) if args.monte_carlo else None
    figure = None
    if args.plot:
        plot_spectrum(fractions, variances, t, mu_points=120 if args.quick else 300,
                      threshold=thr, monte_carlo=mc, path=args.plot)
        figure = args.plot
    result = {
        "mode": "groups",
        "groups": {"fractions": list(map(float, np.atleast_1d(fractions))),
                   "variances": list(map(float, np.atleast_1d(variances))),
                   "note": "in the order given; bulks and gaps ascend in variance"},
        "bulks": [b._asdict() for b in blist],
        "edges": [e for b in blist for e in (b.lower, b.upper)],
        "manifold_gap": mg._asdict(),
        "intermediate_gaps": [g._asdict() for g in gaps],
        "phase_boundaries": pb._asdict(),
        "figure": figure,
    }
    sources = {"bulks": bulks, "edges": bulks, "manifold_gap": manifold_gap,
               "intermediate_gaps": intermediate_gaps, "phase_boundaries": phase_boundaries}
    if mc is not None:
        result["monte_carlo"] = {"d": mc["d"], "seed": args.seed,
                                 "nonzero_eigenvalue_range": mc["eigenvalues_range"]}
        sources["monte_carlo"] = sample_b_eigenvalues
        if "n" in mc:
            result["monte_carlo"].update(n=mc["n"], empirical_d=mc["empirical_d"])
    result["sources"] = {k: citation(f) for k, f in sources.items()}
    user_f = np.atleast_1d(np.asarray(fractions, float))
    user_v = np.atleast_1d(np.asarray(variances, float))
    lines = ["linear manifold: groups (f, v), in your order: "
             + ", ".join(f"{j + 1}: ({f:g}, {v:g})" for j, (f, v) in enumerate(zip(user_f, user_v,
                                                                                  strict=True)))
             + f"; spike weight 1 - sum f = {1 - grp.fractions.sum():g}"]
    for b in blist:      # bulks ascend in s; name the user's groups (from 1) in each
        members = [j + 1 for j in range(user_f.size) if int(grp.index[j]) in set(b.groups)]
        word = "group" if len(members) == 1 else "groups"
        lines.append(f"  bulk [{b.lower:.6g}, {b.upper:.6g}]  mass {b.mass:g}  {word} "
                     + ", ".join(map(str, members)))
    lines.append(f"  manifold gap: edge {mg.edge:.6g}; > {thr:g} below s = {mg.s_open:.6g} "
                 f"(t = {mg.t_open:.5g}); > {1 - thr:g} below s = {mg.s_consolidated:.6g}")
    for g in gaps:
        lo, hi = (", ".join(str(j + 1) for j in range(user_v.size) if user_v[j] == v) for v in g.variances)
        label = f"gap group {lo} (v = {g.variances[0]:g}) | group {hi} (v = {g.variances[1]:g})"
        if not g.detached:
            lines.append(f"  {label}: bulks merged")
            continue
        rec = g._asdict()
        if not (math.isfinite(g.s_open) and math.isfinite(g.s_close)):
            lines.append(_gap_line(label, rec, thr))
            continue
        lines.append(f"  {label}: peak {g.height:.4f} at s_max = {g.s_max:.6g} (t_max = "
                     f"{g.t_max:.5g}, tau_VE = {g.tau_ve_max:.4f}); open {g.s_open:.5g} -> close "
                     f"{g.s_close:.5g} (s)")
    lines.append(_phase_line(pb._asdict(), thr))
    lines.append(_TAU_NOTE)
    if mc is not None:
        lines.append(f"  Monte Carlo: d = {mc['d']}, nonzero eigenvalues of B in "
                     f"[{mc['eigenvalues_range'][0]:.5g}, {mc['eigenvalues_range'][1]:.5g}]")
    if figure:
        lines.append(f"  figure: {figure}")
    return _emit(args, result, lines)


# --- laws (--law, --spectrum FILE --fraction) ---------------------------------------------------------

def _run_law(args, mode: str) -> int:
    t, thr = _grid(args)
    if mode == "law":
        name, params = _parse_law(args.law)
        law = _make_law(name, params)
        source = {"law": name, "parameters": params}
    else:
        lam = _read_spectrum(args.spectrum)
        fraction = check_scalar(args.fraction, "fraction", lower=0.0, upper=1.0, lower_open=True,
                                upper_open=True)
        law = from_values(lam[lam > 0], fraction, name=f"{Path(args.spectrum).name}")
        source = {"file": args.spectrum, "fraction": fraction}
        name, params = None, None
    K = None if args.groups is None else int(check_scalar(args.groups, "groups", lower=1,
                                                           upper=100_000, integer=True))
    if K is None and law.count is None and args.quick:
        K = 200
    summary = law_spectrum_summary(law, t, thr, K)
    result = {"mode": mode, "input": source, **summary}
    sources = result.pop("sources")
    if args.sweep is not None:
        result["sweep"] = _sweep(args, name, params, K)
        sources["sweep"] = citation(bulks_vs_spread)
    mc = None
    if args.monte_carlo:
        if law.count is not None and K is None:
            d = round(law.count / law.fraction)
            if not 10 <= d <= 20000:
                raise ValueError(f"--monte-carlo samples d = count/fraction = {d} dimensions for "
                                 f"this discrete law; it must be in [10, 20000]")
        else:
            d = int(check_scalar(args.d, "d", lower=10, upper=20000, integer=True))
            d = min(d, 300) if args.quick else d
        mc = law_monte_carlo(law, d, t, rng=args.seed)
        result["monte_carlo"] = {"d": mc["d"], "m": mc["m"], "seed": args.seed,
                                 "bulk_counts": mc["bulk_counts"],
                                 "outside_support": mc["outside_support"],
                                 "largest_excursion": mc["largest_excursion"]}
        sources["monte_carlo"] = citation(law_monte_carlo)
    figure = None
    if args.plot:
        plot_law_spectrum(law, t, K=K, threshold=thr, mu_points=60 if args.quick else 150,
                          heat_times=30 if args.quick else 80, monte_carlo=mc, path=args.plot)
        figure = args.plot
    result["figure"] = figure
    result["sources"] = sources
    lw, bl = summary["law"], summary["bulks"]
    lines = [f"latent-variance law {lw['name']}: f = m/d = {lw['fraction']:g}, K = {lw['groups']} "
             f"groups (variances {lw['variance_range'][0]:.4g} .. {lw['variance_range'][1]:.4g}); "
             f"spike weight 1 - f = {summary['spike_weight']:g}",
             f"  {len(bl)} bulk(s) of B:"]
    for b in bl[:_LISTED]:
        lines.append(f"  bulk [{b['lower']:.6g}, {b['upper']:.6g}]  mass {b['mass']:.4g}  "
                     f"{b['groups']} group(s), v in [{b['variance_range'][0]:.4g}, "
                     f"{b['variance_range'][1]:.4g}]")
    if len(bl) > _LISTED:
        lines.append(f"  ... {len(bl) - _LISTED} more bulks (--json lists all)")
    mg = summary["manifold_gap"]
    lines.append(f"  manifold gap: edge {mg['edge']:.6g}; > {thr:g} below s = {mg['s_open']:.6g} "
                 f"(t = {mg['t_open']:.5g}); > {1 - thr:g} below s = {mg['s_consolidated']:.6g}")
    if not summary["gaps"]:
        lines.append("  no gap between tangent bulks: the support of B is one interval")
    for g in summary["gaps"][:_LISTED]:
        j, k = g["between_bulks"]
        lines.append(_gap_line(f"gap bulk {j} | {k}", g, thr))
    if len(summary["gaps"]) > _LISTED:
        lines.append(f"  ... {len(summary['gaps']) - _LISTED} more gaps (--json lists all)")
    gs = summary["gap_structure"]
    lines.append(f"  gaps > {thr:g} on the grid (manifold gap included): "
                 f"{_runs(gs['t'], gs['visible'])}")
    lines.append(_phase_line(summary["phase_boundaries"], thr))
    lines.append(_TAU_NOTE)
    if "sweep" in result:
        sw = result["sweep"]
        lines.append(f"  bulks against {sw['parameter']}: " + ", ".join(
            f"{v:g} -> {int(c)}" for v, c in zip(sw["values"], sw["bulks"], strict=True)))
    if mc is not None:
        counts = ", ".join(f"{c['predicted']:.4g}/{c['sampled']}" for c in mc["bulk_counts"][:_LISTED])
        lines.append(f"  Monte Carlo: d = {mc['d']} (m = {mc['m']}, seed {args.seed}); eigenvalues "
                     f"per bulk predicted/sampled: {counts}; {mc['outside_support']} outside the "
                     f"support (largest excursion {mc['largest_excursion']:.3g} of its width)")
    if figure:
        lines.append(f"  figure: {figure}")
    return _emit(args, result, lines)


# --- covariance spectra of data (--spectrum FILE, --dataset) ------------------------------------------

def _run_data(args, mode: str) -> int:
    t, thr = _grid(args)
    data = None
    d = None
    if mode == "dataset":
        if args.dataset not in SHIPPED:
            raise ValueError(f"--dataset must be one of {', '.join(SHIPPED)} (got {args.dataset!r})")
        sub = None if args.subsample is None else int(check_scalar(args.subsample, "subsample",
                                                                   lower=3, integer=True))
        data = load_dataset(args.dataset, subsample=sub, rng=args.seed)
        lam = covariance_spectrum(data.dataset.points)
        n, d = data.n, data.d
        source = {"dataset": args.dataset, "d": d, "preprocessing": data.preprocessing}
        label = f"dataset {args.dataset} (n = {n}, d = {d})"
    else:
        lam = _read_spectrum(args.spectrum)
        n = None if args.n is None else int(check_scalar(args.n, "n", lower=2, integer=True))
        source = {"file": args.spectrum}
        label = f"covariance spectrum {args.spectrum}"
    cthr = check_scalar(args.count_threshold, "count-threshold", lower=0.0, upper=1.0,
                        lower_open=True, upper_open=True)
    summary = data_spectrum_summary(lam, t, n=n, d=d, threshold=cthr, gap_threshold=thr)
    result = {"mode": mode, "input": source, **summary}
    for key in ("n", "threshold", "gap_threshold"):       # inputs, not results
        source[key] = result.pop(key)
    sources = result.pop("sources")
    sources["spectrum"] = (citation(covariance_spectrum) if mode == "dataset" else
                           f"the eigenvalues of {args.spectrum} (input; values below p eps max "
                           "count as zeros)")
    comparison = None
    tc = summary["collapse_time"]
    if args.monte_carlo:
        npts = 2 if args.quick and args.mc_points is None else int(check_scalar(
            4 if args.mc_points is None else args.mc_points, "mc-points", lower=2, upper=1000,
            integer=True))
        lo, hi = t.min(), t.max()
        if math.isfinite(tc) and tc > 0:
            lo, hi = max(lo, tc / 4), min(hi, 4 * tc)
            if hi <= lo:
                lo, hi = t.min(), t.max()
        times = np.geomspace(lo, hi, 4 if args.quick else 8)
        comparison = compare_dataset_jacobian(data, times, n_points=npts, threshold=cthr,
                                              gap_threshold=thr, rng=args.seed)
        result["monte_carlo"] = {"n_points": npts, "seed": args.seed, "rows": comparison.rows()}
        sources["monte_carlo"] = citation(compare_dataset_jacobian)
    figure = None
    if args.plot:
        plot_data_spectrum(lam, t, n=n, threshold=cthr, gap_threshold=thr, comparison=comparison,
                           mu_points=60 if args.quick else 150, path=args.plot)
        figure = args.plot
    result["figure"] = figure
    result["sources"] = sources
    sp, pr = summary["spectrum"], summary["prediction"]
    lines = [f"{label}: p = {sp['p']} eigenvalues, {sp['positive']} > 0 in "
             f"[{sp['range'][0]:.4g}, {sp['range'][1]:.4g}], trace {sp['trace']:.5g}; Gaussian "
             f"model mu = s/(s + lambda), s = e^(2t) - 1"]
    if n is not None:
        lines.append(f"  t_C = {_num(tc)} (n = {n} Gaussian points with this spectrum); tangent "
                     f"count at t_C: {summary['count_at_collapse']}")
    lines.append(f"  {'t':>9} {'s':>10} {'count mu<' + format(cthr, 'g'):>12} "
                 f"{'gap dim':>8} {'largest gap':>11}")
    for i in np.unique(np.linspace(0, t.size - 1, min(t.size, 10)).round().astype(int)):
        mark = "  (t < t_C)" if math.isfinite(tc) and pr["t"][i] < tc else ""
        lines.append(f"  {pr['t'][i]:9.4g} {pr['s'][i]:10.4g} {int(pr['count'][i]):12d} "
                     f"{int(pr['gap_dimension'][i]):8d} {pr['largest_gap'][i]:11.4f}{mark}")
    sc = summary["sample_covariance"]
    if sc is not None:
        top = sc["bulks"][-1]
        lines.append(f"  sample covariance of n = {n} points with this population spectrum "
                     f"({sc['n_samples']} d.o.f.): {len(sc['bulks'])} bulk(s), "
                     f"{sc['single_eigenvalue_bulks']} of one eigenvalue (resolved one by one); "
                     f"top bulk [{top['lower']:.4g}, {top['upper']:.4g}]")
    if comparison is not None:
        lines.append("  Monte Carlo, exact empirical score of the data against the Gaussian model:")
        lines.extend("    " + row for row in comparison.table().splitlines())
    if figure:
        lines.append(f"  figure: {figure}")
    return _emit(args, result, lines)


def _run(args: argparse.Namespace) -> int:
    if args.no_plot:
        args.plot = None
    mode = _mode(args)
    if mode == "groups":
        return _run_groups(args)
    if mode in ("law", "values"):
        return _run_law(args, mode)
    return _run_data(args, mode)
