"""``regimes reproduce``: the paper's Figs. 2-5 redrawn with Monte Carlo (checkpointed)."""

from __future__ import annotations

import argparse
import json

from theory.files import json_ready
from theory.progress import log_lines

from ._scale_args import add_scheduler_options, parse_ints, scheduler_options
from .analysis import LAMBDA_NEAR_ONE, T_S_READINGS
from .reproduce import reproduce_fig2, reproduce_fig3
from .reproduce_finite import reproduce_finite_size
from .reproduce_real import reproduce_fig4, reproduce_fig5
from .scale import reproduce_fig3_large

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``reproduce`` subcommand."""
    rep = subparsers.add_parser("reproduce", help="redraw the paper's figures with Monte Carlo: fig2, fig3 "
                                           "(Gaussian mixture), fig4, fig5 (real digits)",
                         description="Redraw Fig. 2 (speciation, cloning with the population score) "
                                     "or Fig. 3 (collapse, excess entropy from samples) of Biroli et "
                                     "al. 2024 at the paper's sizes, or Figs. 4-5 (real-data "
                                     "speciation and collapse) on the digits that ship offline with "
                                     "the exact empirical score: PNG, CSV, JSON; checkpointed, "
                                     "resumes after an interruption.")
    rep.add_argument("figure", choices=("fig2", "fig3", "fig4", "fig5", "finite-size"),
                     help="fig2/fig3: Gaussian mixture; fig4/fig5: real digits shipped offline "
                          "(needs the [data] extra; the paper's datasets are not available offline); "
                          "finite-size: f^e/alpha, phi_C and per-block retention, finite-size theory "
                          "against Monte Carlo through the transitions")
    rep.add_argument("--quick", action="store_true", help="smaller run (about a minute)")
    rep.add_argument("--out", metavar="DIR", help="output folder (default: the figure name)")
    rep.add_argument("--seed", type=int, default=None,
                     help="seed (default 232, the paper's, for fig2/fig3; 0 for fig4/fig5)")
    rep.add_argument("--full-dimensional", action="store_true",
                     help="fig2: integrate the d-dimensional SDE instead of its exact 1-D projection")
    rep.add_argument("--large", action="store_true",
                     help="fig3 at d = 16384 (n = 20000) and n = 10^6 (d = 1024) on Dask (with "
                          "--quick: toy sizes, seconds)")
    rep.add_argument("--config", action="append", metavar="D,N",
                     help="fig3 --large: a (d, n) to run instead of the defaults (repeatable)")
    rep.add_argument("--no-plot", action="store_true", help="do not draw the figure (CSV and JSON only)")
    rep.add_argument("--json", action="store_true",
                     help="print the summary and the file names as JSON instead of text")
    rep.add_argument("--restart", action="store_true",
                     help="discard the checkpoint of an earlier run (fig3 --large: its per-task "
                          "checkpoints) instead of resuming from it (a checkpoint of other "
                          "parameters or another version, or a corrupt one, is refused)")
    rep.add_argument("--keep-checkpoint", action="store_true",
                     help="keep the checkpoint(s) after a successful run (default: removed)")
    add_scheduler_options(rep)
    rep.set_defaults(handler=_run)



def _files(res) -> str:
    return ", ".join(str(f) for f in (res.png, res.csv, res.json) if f is not None)


def _emit_json(args: argparse.Namespace, res) -> int:
    print(json.dumps(json_ready({"figure": args.figure, "quick": args.quick, "seconds": res.seconds,
                             "summary": res.summary,
                             "files": {"png": None if res.png is None else str(res.png),
                                       "csv": str(res.csv), "json": str(res.json)}}),
                     indent=2, allow_nan=False))
    return 0


def _run(args: argparse.Namespace) -> int:
    with log_lines():          # off a terminal, long runs log their progress on stderr
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    if args.large:
        if args.figure != "fig3":
            raise ValueError(f"--large applies to fig3 only (got {args.figure})")
        return _reproduce_large(args)
    for name in ("scheduler", "checkpoint_dir", "config"):
        if getattr(args, name) is not None:
            raise ValueError(f"--{name.replace('_', '-')} applies to fig3 --large only")
    scheduler_options(args)                 # --workers, --connect-timeout: checked even when unused
    ck = {"restart": args.restart, "keep_checkpoint": args.keep_checkpoint}
    out = args.out or args.figure
    if args.figure == "finite-size":
        res = reproduce_finite_size(out, quick=args.quick, rng=0 if args.seed is None else args.seed,
                                    plot=not args.no_plot)
        if args.json:
            return _emit_json(args, res)
        for name, s in res.summary.items():
            zs = ", ".join(f"{k[4:]} {v:.2f}" for k, v in s.items() if k.startswith("max_abs_z"))
            print(f"  {name} (d = {s['d']}, n = {s['n']}): max |theory - MC|/s.e.: {zs}")
        print(f"  {res.seconds:.1f} s; files: {_files(res)}")
        return 0
    if args.figure in ("fig4", "fig5"):
        return _reproduce_real(args, out, ck)
    seed = 232 if args.seed is None else args.seed
    if args.figure == "fig2":
        res = reproduce_fig2(out, quick=args.quick, rng=seed,
                             full_dimensional=args.full_dimensional, plot=not args.no_plot,
                             **ck)
        if args.json:
            return _emit_json(args, res)
        s = res.summary
        print(f"Fig. 2: {s['n_points']} cloning points; (MC - eq. 6)/s.e.: max |z| = "
              f"{s['max_abs_z']:.2f}, rms = {s['rms_z']:.2f}")
        for p in s["paper_points_d1024"]:
            print(f"  d = 1024, t = {p['t']}: ours {p['ours']:.4f}, paper {p['paper']:.4f}, "
                  f"eq. 6 {p['theory']:.4f}")
    else:
        res = reproduce_fig3(out, quick=args.quick, rng=seed, plot=not args.no_plot, **ck)
        if args.json:
            return _emit_json(args, res)
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
    print(f"  {res.seconds:.1f} s; files: {_files(res)}")
    return 0


def _reproduce_real(args: argparse.Namespace, out: str, ck: dict) -> int:
    seed = 0 if args.seed is None else args.seed
    fun = reproduce_fig4 if args.figure == "fig4" else reproduce_fig5
    res = fun(out, quick=args.quick, rng=seed, plot=not args.no_plot, **ck)
    if args.json:
        return _emit_json(args, res)
    for label, s in res.summary.items():
        if args.figure == "fig4":
            cross = s["phi_crossing_over_t_S"]
            near = ("; Lambda near 1, where the t_S readings disagree strongly (see regimes analyze "
                    "--t-s-convention)" if abs(s["Lambda"] - 1) < LAMBDA_NEAR_ONE else "")
            print(f"  {label}: Lambda = {s['Lambda']:.4g}, t_S = {T_S_READINGS[s['t_S_convention']][0]} "
                  f"= {s['t_S_used']:.4f}, phi crossing / t_S = "
                  + ("-" if cross is None else f"{cross:.3f}") + near)
        else:
            tc = s["t_C_entropy"]
            print(f"  {label}: t_C (entropy) = " + ("-" if tc is None else f"{tc:.4f}")
                  + f", t_C (spectrum) = {s['t_C_spectrum']:.4f}, mean t^_C = "
                  f"{s['mean_last_change_time']:.4f}")
    print(f"  {res.seconds:.1f} s; files: {_files(res)}")
    return 0


def _reproduce_large(args: argparse.Namespace) -> int:
    configs = None
    if args.config:
        configs = []
        for text in args.config:
            dn = parse_ints(text, "--config", lower=1)
            if len(dn) != 2 or dn[1] < 2:
                raise ValueError(f"--config must be D,N with integers D >= 1, N >= 2 (got {text!r})")
            configs.append((dn[0], dn[1]))
    seed = 232 if args.seed is None else args.seed
    res = reproduce_fig3_large(args.out or "fig3_large", quick=args.quick, configs=configs, rng=seed,
                               plot=not args.no_plot, restart=args.restart,
                               keep_checkpoint=args.keep_checkpoint, **scheduler_options(args))
    if args.json:
        return _emit_json(args, res)
    print(f"Fig. 3 --large{' (quick sizes)' if args.quick else ''}: {len(res.rows)} points")
    for c in res.summary["configs"].values():
        tc = "none on the grid" if c["t_C_from_entropy"] is None else f"{c['t_C_from_entropy']:.3f}"
        dev = ("" if c["max_dev_finite_d"] is None else
               f"; t >= 1.5 t_C: max |MC - finite-d curve| = {c['max_dev_finite_d']:.4f} alpha")
        print(f"  d = {c['d']}, n = {c['n']}: t_C from f^e = {tc}; eq. 10: {c['t_C_eq10']:.5f}; "
              f"largest s.e. {c['max_se']:.4f} alpha{dev}")
    print(f"  {res.seconds:.1f} s; files: {_files(res)}")
    return 0
