"""``regimes analyze``: t_S, t_C and the regimes of a user's dataset or of a shipped one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from theory.files import json_ready
from theory.progress import log_lines
from validation.datasets import load_dataset, load_path

from .analysis import T_S_READINGS, analyze_dataset


def register(sub) -> None:
    """Add the ``analyze`` subcommand to the ``regimes`` subparsers."""
    p = sub.add_parser(
        "analyze", help="measure t_S, t_C and phi, phi_C, f^e of a dataset (yours or a shipped one)",
        description="Speciation and collapse of a dataset with the exact empirical score: t_S from "
                    "the covariance spectrum, phi by the posterior-weight identity and by cloning, "
                    "f^e/alpha and t_C from the posterior entropy, t_C of a Gaussian with the same "
                    "spectrum, last-changing-index times (Biroli et al. 2024, eqs. 4-5, Figs. 4-5). "
                    "Writes a figure, CSVs of the curves and a JSON summary, atomically.")
    p.add_argument("path", nargs="?", help="a .npy or .npz file or a folder of images "
                                           "(one sub-folder per class)")
    p.add_argument("--dataset", choices=("digits", "mnist5k"),
                   help="a shipped dataset instead of PATH (needs pip install -e \".[data]\")")
    p.add_argument("--labels", metavar="FILE", help="labels (.npy or text, one per line)")
    p.add_argument("--classes", type=int, nargs="+", metavar="C",
                   help="keep these classes only, e.g. --classes 1 8")
    p.add_argument("--subsample", type=int, metavar="N", help="keep a random subset of N points")
    p.add_argument("--centring", choices=("channel", "pixel", "none"), default="channel",
                   help="channel (the paper's, default), pixel (mean image) or none")
    p.add_argument("--channels-first", action="store_true",
                   help="4-D arrays are (n, C, H, W) instead of (n, H, W, C)")
    p.add_argument("--quick", action="store_true", help="about ten times fewer samples")
    p.add_argument("--no-cloning", action="store_true", help="skip the cloning run")
    p.add_argument("--no-trajectories", action="store_true",
                   help="skip the backward trajectories (last-changing index)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--out", metavar="DIR", default="analysis", help="output folder (default analysis)")
    p.add_argument("--t-s-convention", choices=("auto", *T_S_READINGS), default="auto",
                   help="reading of t_S = 1/2 log(Lambda + c) that scales time: paper (c = 0), "
                        "lambda_plus_one (c = 1), lambda_minus_one (c = -1); auto (default): paper, "
                        "or lambda_plus_one when Lambda <= 1.  Near Lambda = 1 the readings disagree "
                        "strongly and a warning is printed")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    p.set_defaults(handler=_run)



def _level_text(s: dict) -> str:
    """The level the crossing is read at, as used in the figure."""
    lv = s["phi_crossing_level"]
    if lv is None:
        return "no labels"
    if len(s["class_weights"]) == 2:
        return f"phi = {lv['phi']:.3f}"
    return f"normalized phi = {lv['normalized']:.3f}"


def _fmt(v, spec: str = ".4f") -> str:
    return "-" if v is None else format(v, spec)


def _run(args: argparse.Namespace) -> int:
    if (args.path is None) == (args.dataset is None):
        raise ValueError("give either PATH or --dataset digits|mnist5k (exactly one)")
    common = {"classes": args.classes, "subsample": args.subsample, "rng": args.seed,
              "centring": args.centring}
    if args.dataset:
        if args.labels:
            raise ValueError("labels: --labels applies to PATH, not to a shipped dataset")
        data = load_dataset(args.dataset, **common)
        stem = args.dataset
    else:
        data = load_path(args.path, labels=args.labels, channels_last=not args.channels_first,
                         **common)
        stem = Path(args.path).stem or "data"
    if args.classes:
        stem += "_" + "-".join(str(c) for c in args.classes)
    convention = None if args.t_s_convention == "auto" else args.t_s_convention
    with log_lines():          # off a terminal, the long parts log their progress on stderr
        res = analyze_dataset(data, name=stem, quick=args.quick, rng=args.seed,
                              cloning=not args.no_cloning, trajectories=not args.no_trajectories,
                              t_s_convention=convention)
    paths = res.save(args.out, stem, seed=args.seed, figure=not args.no_plot)
    s = res.summary()
    for warning in s["warnings"]:
        print(f"regimes: warning: {warning}", file=sys.stderr)
    if args.json:
        files = {k: str(v) for k, v in paths.items()}
        print(json.dumps(json_ready({**s, "files": files}, finite_only=False), indent=2))
        return 0
    ts = s["t_S"]
    lines = [
        f"{stem}: n = {s['n']}, d = {s['d']}, alpha = log(n)/d = {s['alpha']:.5g}   (OU time)",
        f"  Lambda (top covariance eigenvalue)  {s['Lambda']:.5g}",
        f"  t_S = 1/2 log Lambda                {_fmt(ts['paper'])}"
        + ("   (none: Lambda <= 1)" if ts["paper"] is None else ""),
        f"  t_S = 1/2 log(Lambda + 1)           {_fmt(ts['lambda_plus_one'])}",
        f"  t_S used to scale time              {s['t_S_used']:.4f}   ({s['t_S_reading']})",
        f"  phi crossing ({_level_text(s)})".ljust(38) + _fmt(s["phi_crossing"])
        + ("" if s["phi_crossing"] is None else f"   = {s['phi_crossing_over_t_S']:.3f} t_S"),
        f"  t_C from f^e (entropy)              {_fmt(s['t_C_entropy'])}"
        + ("" if s["t_C_entropy_error"] is None else f" +- {s['t_C_entropy_error']:.4f}"),
        f"  t_C from the spectrum (Gaussian)    {s['t_C_spectrum']:.4f}",
        f"  mean last-changing-index time       {_fmt(s['mean_last_change_time'])}"
        + ("" if s["last_change_time_se"] is None else f" +- {s['last_change_time_se']:.4f}"),
    ]
    if ts["paper"] is None:
        lines.append(f"  note: {s['t_S_note']}")
    if "cloning" in s:
        lines.append(f"  cloning vs identity: max |z| = {s['cloning']['max_abs_z_vs_identity']:.2f} "
                     f"over {len(s['cloning']['times'])} times")
    lines.append("  files: " + ", ".join(str(v) for v in paths.values()))
    print("\n".join(lines))
    return 0
