"""``regimes validate``: t_S and t_C by Monte Carlo over a (d, n) grid, on the phase diagram (Dask)."""

from __future__ import annotations

import argparse
import json

from ._scale_args import add_scheduler_options, parse_ints, scheduler_options
from .scale import validate_phase_diagram

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``validate`` subcommand."""
    p = subparsers.add_parser(
        "validate", help="measure t_S and t_C by Monte Carlo over a (d, n) grid and draw them on the "
                         "phase diagram (Dask)",
        description="One Monte Carlo task per (d, n, seed) of the symmetric Gaussian mixture "
                    "(mu~ = sigma = 1 unless --mu-tilde): t_S where phi(t) falls through 0.75, t_C "
                    "the largest t with f^e/alpha compatible with 0.01; drawn at alpha = log(n)/d "
                    "over the regions of the (t, alpha) phase diagram (Biroli et al. 2024, eqs. 6, "
                    "10). Runs on a local Dask cluster, an existing one (--scheduler ADDRESS) or "
                    "in this process (--scheduler serial); checkpointed per task.")
    p.add_argument("--d", nargs="+", required=True, metavar="D", help="dimensions (e.g. 8 32 128)")
    p.add_argument("--n", nargs="+", required=True, metavar="N",
                   help="training-set sizes (e.g. 100 1000 1e4)")
    p.add_argument("--seeds", nargs="+", default=["0"], metavar="S", help="seeds (default 0)")
    p.add_argument("--samples", default="2000", metavar="N",
                   help="samples of P_t^e per time (default 2000)")
    p.add_argument("--mu-tilde", default="1", metavar="MU", help="|m|^2 = d mu~^2, > 0 (default 1)")
    add_scheduler_options(p)
    p.add_argument("--restart", action="store_true",
                   help="discard the checkpoints of an earlier run instead of resuming from them "
                        "(a checkpoint of other parameters or another version is refused)")
    p.add_argument("--keep-checkpoint", action="store_true",
                   help="keep the checkpoints after a successful run (default: removed)")
    p.add_argument("--out", metavar="DIR", default="validate",
                   help="output folder: validate.csv, validate.json, validate.png")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    d_grid = parse_ints(args.d, "--d", lower=1)
    n_grid = parse_ints(args.n, "--n", lower=2)
    seeds = parse_ints(args.seeds, "--seeds", lower=0)
    samples = parse_ints(args.samples, "--samples", lower=2)
    if len(samples) != 1:
        raise ValueError(f"--samples must be one integer >= 2 (got {args.samples!r})")
    try:
        mu = float(args.mu_tilde)
    except ValueError:
        mu = float("nan")
    if not (mu > 0 and mu < 1e6):
        raise ValueError(f"--mu-tilde must be a number in (0, 1e6) (got {args.mu_tilde!r})")
    res = validate_phase_diagram(d_grid, n_grid, seeds, out_dir=args.out, n_samples=samples[0],
                                 mu_tilde=mu, plot=not args.no_plot, restart=args.restart,
                                 keep_checkpoint=args.keep_checkpoint, **scheduler_options(args))
    if args.json:
        text = res.json.read_text()
        out = json.loads(text)
        print(json.dumps({"summary": out["summary"], "params": out["params"],
                          "files": {"csv": str(res.csv), "json": str(res.json),
                                    "png": None if res.png is None else str(res.png)}},
                         indent=2, allow_nan=False))
        return 0
    print(f"phase diagram validated by Monte Carlo: {len(res.rows)} tasks "
          f"({len(d_grid)} d x {len(n_grid)} n x {len(seeds)} seeds, {samples[0]} samples per time)")
    for p in res.summary["points"]:
        print(f"  d = {p['d']}, n = {p['n']} (alpha = {p['alpha']:.4g}): "
              f"t_S MC {_fmt(p['t_S_mc'])} (eq. 6 {p['t_S_theory']:.4f}, 1/2 log d {p['t_S_paper']:.4f}); "
              f"t_C MC {_fmt(p['t_C_mc'])} (eq. 10 {p['t_C_theory']:.4f}, finite d "
              f"{_num(p['t_C_finite_d'])})")
    files = ", ".join(str(f) for f in (res.png, res.csv, res.json) if f is not None)
    print(f"  {res.seconds:.1f} s; files: {files}")
    return 0


def _num(x) -> str:
    return "-" if x is None or x != x else f"{x:.4f}"


def _fmt(stat: dict) -> str:
    if stat["mean"] is None:
        return "not found"
    return f"{stat['mean']:.4f} +- {stat['sd']:.4f} ({stat['found']} seeds)"
