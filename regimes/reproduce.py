"""Reproductions of the paper's Gaussian-mixture figures 2 (speciation) and 3 (collapse).

Each writes a PNG, a CSV of the numbers and a JSON of parameters, seed and version (all atomically),
checkpoints after every (d, t) point and resumes after an interruption.

Figure 2 uses the exact population score of the mixture.  For that score the class variable
:math:`q = x\\cdot\\hat m` obeys a closed one-dimensional backward SDE (the orthogonal coordinates
never enter the drift of q, and the projected Euler-Maruyama step is the one-dimensional step with
unit noise), so by default the cloning runs in that exact projection, which makes the paper's sizes
(d up to 16384, 10^4 pairs) cheap; ``full_dimensional=True`` integrates the d-dimensional SDE.

Figure 3 uses the posterior-entropy estimator of :math:`f^e`, whose variance is far below that of the
paper's log-likelihood estimator; the ratio is measured at every point and reported.

References
----------
Biroli et al. (2024), Figs. 2 and 3, SI App. D.

Examples
--------
The Monte Carlo points of the paper's Fig. 3 that the reproduction is compared with,
(d, t, f^e/alpha, standard error), and the closed form at the first one:

>>> import numpy as np
>>> from theory.collapse import excess_entropy
>>> from theory.models import GaussianMixture
>>> from regimes.reproduce import FIG3_PAPER_POINTS
>>> d, t, value, stderr = FIG3_PAPER_POINTS[0]
>>> print(d, t, value)
256 2.904 0.9326
>>> theory = float(excess_entropy(t, GaussianMixture.symmetric(d), 20000)) / (np.log(20000) / d)
>>> bool(abs(theory - value) < 3 * stderr)
True

``reproduce_fig2(quick=True)`` and ``reproduce_fig3(quick=True)`` take minutes
(``regimes reproduce fig2 --quick``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from theory.checks import NotFoundError
from theory.files import write_csv, write_json
from theory.gaussian_mixture import collapse_time, excess_entropy, phi, speciation_time
from validation.cloning import clone_experiment
from validation.data import gaussian_mixture_data
from validation.estimators import (
    collapse_time_from_entropy,
    excess_entropy_loglik,
    excess_entropy_posterior,
)
from validation.score import GaussianMixtureScore

from .figures import PHI_LEVEL, pyplot, save_figure
from .runs import PointRun, recorded_seed, run_metadata

__all__ = ["FigureOutput", "reproduce_fig2", "reproduce_fig3", "FIG3_PAPER_POINTS"]

#: the paper's saved Monte Carlo values of f^e/alpha (docs/theory/dynamical-regimes.md sec. 4 and 7): (d, t,
#value, s.e.)
FIG3_PAPER_POINTS = [(256, 2.904, 0.9326, 0.0023), (256, 1.728, 0.5233, 0.0023),
                     (1024, 2.512, 0.5876, 0.0046), (1024, 2.12, 0.2572, 0.0046)]
#: the paper's saved Monte Carlo values of phi at d = 1024 (docs/theory/dynamical-regimes.md sec. 4): (t,
#value)
FIG2_PAPER_POINTS = [(3.0, 0.9122), (3.5, 0.7651), (4.0, 0.6216)]


@dataclass
class FigureOutput:
    """Files written by a reproduction and the table of its numbers.

    Attributes
    ----------
    png, csv, json : Path
        Files written.
    rows : list of dict
        The numbers of the figure.
    seconds : float
        Run time.
    summary : dict
        Headline numbers.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, Figs. 2-5.
    docs/theory/dynamical-regimes.md sec. 4.
    """

    png: Path | None
    csv: Path
    json: Path
    rows: list[dict]
    seconds: float
    summary: dict


def reproduce_fig2(out_dir: str | Path = "fig2", *, quick: bool = False, rng: int = 232,
                   full_dimensional: bool = False, progress: bool | None = None,
                   plot: bool = True, restart: bool = False,
                   keep_checkpoint: bool = False) -> FigureOutput:
    """Figure 2: phi(t) by cloning with the population score, against eq. 6, for several d.

    Parameters
    ----------
    out_dir : path
        Folder for ``fig2.png``, ``fig2.csv``, ``fig2.json`` and the checkpoint.
    quick : bool
        2,000 pairs and 500 steps instead of 20,000 pairs and the paper's 1,000 steps.
    rng : int
        Integer seed of the numpy Generators (the paper's runs used 232), recorded with the results.
    full_dimensional : bool
        Integrate the d-dimensional SDE instead of the exact one-dimensional projection.
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
    Biroli et al. (2024), arXiv:2402.18491, Fig. 2, eq. 6 and SI App. D.
    docs/theory/dynamical-regimes.md secs. 2.4 and 4.
    """
    seed = recorded_seed(rng)
    out = Path(out_dir)
    dims = [256, 1024, 4096, 16384]
    pairs, steps = (2000, 500) if quick else (20000, 1000)
    clone_times = np.arange(1.0, 10.01, 0.5)
    params = {"figure": 2, "dims": dims, "pairs": pairs, "steps": steps, "T": 10.0,
              "method": "euler", "mu_tilde": 1.0, "sigma": 1.0, "m": "ones",
              "clone_times": clone_times.tolist(), "full_dimensional": full_dimensional}
    t0 = time.perf_counter()
    run = PointRun(out / "fig2.checkpoint.json", params, seed, restart=restart)

    def one(d: int) -> dict:
        dim = d if full_dimensional else 1
        m = np.ones(d) if full_dimensional else np.array([np.sqrt(d)])
        sc = GaussianMixtureScore(m, 1.0)
        res = clone_experiment(sc, dim, clone_times, pairs, {"class": sc.classify}, T=10.0,
                               steps=steps, rng=np.random.default_rng([seed, d]))
        return {"t": res.times.tolist(), "phi": res.same["class"].tolist(),
                "se": res.stderr["class"].tolist()}

    results = run.run(dims, one, key=str, label="fig2", progress=progress)
    rows = []
    for d in dims:
        r = results[str(d)]
        ts = speciation_time(d)
        for t, p, se in zip(r["t"], r["phi"], r["se"], strict=True):
            th = phi(t, d)
            rows.append({"d": d, "t": t, "t_over_tS": t / ts, "phi_mc": p, "phi_se": se,
                         "phi_theory": th, "z": (p - th) / se if se > 0 else 0.0})
    png = out / "fig2.png"
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    tt = np.linspace(0.45, 1.55, 300)
    for i, d in enumerate(dims):
        ts = speciation_time(d)
        ax.plot(tt, phi(tt * ts, d), color=f"C{i}", lw=1.5, label=f"d = {d}")
        sel = [r for r in rows if r["d"] == d and 0.45 <= r["t_over_tS"] <= 1.55]
        ax.errorbar([r["t_over_tS"] for r in sel], [r["phi_mc"] for r in sel],
                    yerr=[3 * r["phi_se"] for r in sel], fmt="o", ms=3, color=f"C{i}")
    ax.axhline(PHI_LEVEL, color="k", ls="--", lw=0.8)
    ax.axvline(1.0, color="k", ls="--", lw=0.8)
    ax.set_xlabel(r"$t/t_S$,  $t_S = \frac{1}{2}\log d$")
    ax.set_ylabel(r"$\phi(t)$")
    how = "d-dimensional SDE" if full_dimensional else "exact 1-D projection of the SDE"
    ax.set_title(f"Fig. 2: cloning with the population GM score ({pairs} pairs, {how}); "
                 "lines: eq. 6; bars: 3 s.e.", fontsize=8)
    ax.legend(fontsize=8)
    if plot:
        save_figure(fig, png)
    plt.close(fig)
    write_csv(out / "fig2.csv", rows)
    z = np.array([r["z"] for r in rows])
    summary = {"max_abs_z": float(np.abs(z).max()), "rms_z": float(np.sqrt(np.mean(z**2))),
               "n_points": len(rows),
               "paper_points_d1024": [
                   {"t": t, "paper": v, "ours": next(r["phi_mc"] for r in rows
                                                     if r["d"] == 1024 and abs(r["t"] - t) < 1e-9),
                    "theory": phi(t, 1024)} for t, v in FIG2_PAPER_POINTS]}
    secs = time.perf_counter() - t0
    write_json(out / "fig2.json", {**run_metadata(params, seed), "seconds": secs,
                                    "summary": summary})
    run.finish(keep=keep_checkpoint)
    return FigureOutput(png if plot else None, out / "fig2.csv", out / "fig2.json", rows, secs, summary)


def reproduce_fig3(out_dir: str | Path = "fig3", *, quick: bool = False, rng: int = 232,
                   progress: bool | None = None, plot: bool = True, restart: bool = False,
                   keep_checkpoint: bool = False) -> FigureOutput:
    """Figure 3: f^e(t)/alpha from samples against the closed forms, d = 256, 1024, 4096, n = 20000.

    Parameters
    ----------
    out_dir : path
        Folder for ``fig3.png``, ``fig3.csv``, ``fig3.json`` and the checkpoint.
    quick : bool
        Ten times instead of twenty and a target error three times the paper's.
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

    Notes
    -----
    At every (d, t) a pilot of 512 samples measures the per-sample standard deviation of the
    posterior-entropy estimator and of the paper's log-likelihood estimator; the run then draws
    enough samples for a standard error of 0.0023 alpha (the paper's smallest), and reports the
    variance ratio (= the factor in samples the log-likelihood estimator would need).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, Fig. 3, eq. 10 and SI App. D.
    docs/theory/dynamical-regimes.md secs. 3.4 and 4.
    """
    seed = recorded_seed(rng)
    out = Path(out_dir)
    dims = [256, 1024, 4096]
    n = 20000
    times = 8.0 * (1 - 0.049 * np.arange(20))
    if quick:
        times = times[::2]
    target = 0.0023 * (3.0 if quick else 1.0)
    pilot = 512
    params = {"figure": 3, "dims": dims, "n": n, "mu_tilde": 1.0, "sigma": 1.0, "m": "random",
              "times": times.tolist(), "target_se_over_alpha": target, "pilot": pilot}
    t0 = time.perf_counter()
    run = PointRun(out / "fig3.checkpoint.json", params, seed, restart=restart)
    datasets: dict[int, object] = {}

    def one(point) -> dict:
        d, t = point
        if d not in datasets:
            datasets.clear()
            datasets[d] = gaussian_mixture_data(d, n, rng=np.random.default_rng([seed, d]))[0]
        ds = datasets[d]
        alpha = np.log(n) / d
        rng = np.random.default_rng([seed, d, int(round(t * 1e6))])
        tic = time.perf_counter()
        pil = excess_entropy_posterior(t, ds, pilot, rng=rng)
        std = pil.stderr * np.sqrt(pilot) / alpha
        n_total = int(min(200_000, max(pilot, np.ceil((std / target) ** 2))))
        if n_total > pilot:
            more = excess_entropy_posterior(t, ds, n_total - pilot, rng=rng)
            w1, w2 = pilot, n_total - pilot
            value = (pil.value * w1 + more.value * w2) / n_total
            var1 = pil.stderr**2 * w1 * (w1 - 1)
            var2 = more.stderr**2 * w2 * (w2 - 1)
            between = w1 * w2 / n_total * (pil.value - more.value) ** 2
            se = np.sqrt((var1 + var2 + between) / (n_total - 1) / n_total)
        else:
            value, se = pil.value, pil.stderr
        secs = time.perf_counter() - tic
        ll = excess_entropy_loglik(t, ds, pilot, rng=rng)
        ratio = (ll.stderr / pil.stderr) ** 2 if pil.stderr > 0 else float("inf")
        return {"d": d, "t": t, "fe_over_alpha": value / alpha, "se": se / alpha,
                "samples": n_total, "loglik_over_alpha": ll.value / alpha,
                "loglik_se": ll.stderr / alpha, "variance_ratio_loglik": ratio,
                "seconds": secs}

    points = [(d, float(t)) for d in dims for t in times]
    results = run.run(points, one, key=lambda p: f"{p[0]}:{p[1]:.6f}", label="fig3",
                      progress=progress)
    rows = []
    for d, t in points:
        r = results[f"{d}:{t:.6f}"]
        a = np.log(n) / d
        rows.append({**r, "theory_paper": excess_entropy(t, d, n) / a,
                     "theory_finite_d": excess_entropy(t, d, n, finite_d=True) / a,
                     "t_C": collapse_time(d, n)})
    png = out / "fig3.png"
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    tt = np.linspace(0.3, 8.0, 400)
    summary = {"collapse_time_from_entropy": {}, "paper_points": []}
    for i, d in enumerate(dims):
        a = np.log(n) / d
        ax.plot(tt, excess_entropy(tt, d, n) / a, color=f"C{i}", lw=1.2, label=f"d = {d}")
        ax.plot(tt, excess_entropy(tt, d, n, finite_d=True) / a, color=f"C{i}", lw=1.2, ls=":")
        sel = [r for r in rows if r["d"] == d]
        ax.errorbar([r["t"] for r in sel], [r["fe_over_alpha"] for r in sel],
                    yerr=[3 * r["se"] for r in sel], fmt="o", ms=3, color=f"C{i}")
        ax.axvline(collapse_time(d, n), color=f"C{i}", ls="--", lw=0.8)
        try:
            tc_hat = collapse_time_from_entropy([r["t"] for r in sel],
                                                [r["fe_over_alpha"] for r in sel],
                                                [r["se"] for r in sel], atol=0.01)
        except NotFoundError:
            tc_hat = None
        summary["collapse_time_from_entropy"][str(d)] = {"estimate": tc_hat,
                                                         "closed_form": collapse_time(d, n)}
    for d, t, v, se in FIG3_PAPER_POINTS:
        a = np.log(n) / d
        summary["paper_points"].append({
            "d": d, "t": t, "paper": v, "paper_se": se,
            "theory_paper": excess_entropy(t, d, n) / a,
            "theory_finite_d": excess_entropy(t, d, n, finite_d=True) / a})
    ax.set_xlabel("t (OU time)")
    ax.set_ylabel(r"$f^e(t)/\alpha$")
    ax.set_title("Fig. 3: n = 20000; solid: paper's curve, dotted: finite-d corrected; "
                 "bars: 3 s.e. (posterior entropy)", fontsize=8)
    ax.legend(fontsize=8)
    if plot:
        save_figure(fig, png)
    plt.close(fig)
    write_csv(out / "fig3.csv", rows)
    # samples the log-likelihood estimator needs for the same error, where f^e/alpha is informative
    ratios = np.array([r["variance_ratio_loglik"] for r in rows if 0.1 < r["fe_over_alpha"] < 0.9])
    if ratios.size:
        summary["variance_ratio_loglik"] = {"median": float(np.median(ratios)),
                                            "min": float(ratios.min()), "max": float(ratios.max())}
    late = [r for r in rows if r["t"] >= 1.5 * r["t_C"]]
    if late:
        summary["max_dev_finite_d"] = float(max(abs(r["fe_over_alpha"] - r["theory_finite_d"])
                                                for r in late))
        summary["max_dev_paper_curve"] = float(max(abs(r["fe_over_alpha"] - r["theory_paper"])
                                                   for r in late))
    secs = time.perf_counter() - t0
    summary["seconds"] = secs
    write_json(out / "fig3.json", {**run_metadata(params, seed), "seconds": secs,
                                    "summary": summary})
    run.finish(keep=keep_checkpoint)
    return FigureOutput(png if plot else None, out / "fig3.csv", out / "fig3.json", rows, secs, summary)

