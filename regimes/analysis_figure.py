"""The figure of :func:`regimes.analysis.analyze_dataset`: the regimes of one dataset on one page.

Panels: (a) phi (normalized), phi_C and f^e/alpha against t with t_S and t_C marked and the three
regimes shaded; (b) phi against t/t_S, identity curve and cloning points, with the level the
crossing is read at (0.775 for two equal classes; 0.55 of the normalized curve for K classes);
(c) histogram of the last-changing-index times (left out without trajectories); (d) the covariance
spectrum with Lambda.

References
----------
Biroli et al. (2024), Figs. 1, 4 and 5.

Examples
--------
The analysis of a small Gaussian mixture (no cloning, no trajectories) and its figure:

>>> import numpy as np
>>> from validation import gaussian_mixture_data
>>> from regimes.analysis import analyze_dataset
>>> from regimes.analysis_figure import plot_analysis
>>> data, m = gaussian_mixture_data(16, 200, rng=0)
>>> res = analyze_dataset(data, name="toy", quick=True, cloning=False, trajectories=False,
...                       times=np.linspace(0.1, 3.0, 6), sizes={"samples": 64})
>>> fig = plot_analysis(res)
>>> len(fig.axes) >= 2
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .figures import PHI_LEVEL, T_S_READINGS, pyplot, save_figure

if TYPE_CHECKING:  # the type of the argument only; analysis imports this module
    from .analysis import DatasetAnalysis

__all__ = ["plot_analysis"]


def _regime_panel(ax, res: DatasetAnalysis) -> None:
    t, c = res.times, res.curves
    ts, tc = res.speciation.used, res.t_collapse_entropy
    if tc is not None:
        ax.axvspan(t[0], tc, color="C3", alpha=0.08, lw=0)
    ax.axvspan(tc if tc is not None else t[0], ts, color="C2", alpha=0.06, lw=0)
    if "phi_normalized" in c:
        ax.plot(t, c["phi_normalized"], "C0-", label=r"$\phi$ normalized")
        ax.fill_between(t, c["phi_normalized"] - 3 * c["phi_normalized_se"],
                        c["phi_normalized"] + 3 * c["phi_normalized_se"], color="C0", alpha=0.25)
    ax.plot(t, c["phi_c"], "C1-", label=r"$\phi_C$")
    ax.errorbar(t, c["fe_over_alpha"], yerr=3 * c["fe_over_alpha_se"], fmt="C3o-", ms=2.5, lw=1,
                label=r"$f^e/\alpha$")
    ax.plot(t, c["fe_gaussian_over_alpha"], "C3:", lw=1, label=r"$f^e/\alpha$, Gaussian, same spectrum")
    reading = _reading_label(res.speciation.convention)
    ax.axvline(ts, color="C0", ls="--", lw=0.9, label=f"$t_S$ = {reading} = {ts:.3f}")
    if tc is not None:
        ax.axvline(tc, color="C3", ls="--", lw=0.9, label=f"$t_C$ (entropy) = {tc:.3f}")
    ax.axvline(res.t_collapse_spectrum, color="C3", ls=":", lw=0.9,
               label=f"$t_C$ (spectrum) = {res.t_collapse_spectrum:.3f}")
    ax.set_xscale("log")
    ax.set_xlabel("t (OU time)")
    ax.set_ylabel(r"probability ($\phi$, $\phi_C$) / fraction of $\alpha$")
    ax.set_ylim(-0.05, 1.1)
    ax.set_title("(a) regimes: III collapse | II speciated | I", fontsize=8)
    ax.legend(fontsize=6, loc="center right")


def _phi_panel(ax, res: DatasetAnalysis) -> None:
    c, ts = res.curves, res.speciation.used
    if "phi" not in c:
        ax.text(0.5, 0.5, "no labels: phi needs classes", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    x = res.times / ts
    two = res.two_symmetric_classes
    lv = res.phi_crossing_level()
    key, level = ("phi", lv["phi"]) if two else ("phi_normalized", lv["normalized"])
    se = c["phi_se"] if two else c["phi_normalized_se"]
    ax.plot(x, c[key], "C0-", label="identity (posterior weights)")
    ax.fill_between(x, c[key] - 3 * se, c[key] + 3 * se, color="C0", alpha=0.25)
    if res.cloning is not None:
        cl = res.cloning
        y = cl["phi"] if two else cl["normalized"]
        s = cl["stderr"] if two else cl["stderr"] / (1 - np.sum(np.square(res.class_weights)))
        ax.errorbar(cl["times"] / ts, y, yerr=3 * s, fmt="ko", ms=3,
                    label=f"cloning, exact empirical score ({cl['pairs']} pairs)")
    ax.axhline(level, color="k", ls="--", lw=0.8, label=f"crossing level {level:.3f}")
    ax.axvline(1.0, color="k", ls="--", lw=0.8)
    if res.phi_crossing is not None:
        ax.axvline(res.phi_crossing / ts, color="C0", ls=":", lw=0.9,
                   label=f"crossing t/t_S = {res.phi_crossing / ts:.2f}")
    ax.set_xscale("log")
    ax.set_xlabel(rf"$t/t_S$, $t_S$ = {_reading_label(res.speciation.convention)}")
    if two:
        ax.set_ylabel(r"$\phi(t)$")
        why = ("two equal classes" if abs(level - PHI_LEVEL) < 5e-4 else
               "0.775 of two equal classes, moved to these class weights")
        ax.set_title(f"(b) speciation; dashed: phi = {level:.3f} ({why})", fontsize=8)
    else:
        ax.set_ylabel(r"$(\phi - \sum_c p_c^2)/(1 - \sum_c p_c^2)$")
        ax.set_title(f"(b) {len(res.class_weights)} classes: phi -> sum p_c^2, so normalized; "
                     f"dashed: {level:.3f},\nthe level of 0.775 for two symmetric classes",
                     fontsize=7)
    ax.legend(fontsize=6)


def _reading_label(convention: str) -> str:
    return T_S_READINGS[convention][1]


def plot_analysis(res: DatasetAnalysis, path: str | Path | None = None):
    """Draw the panels of one dataset's analysis; save atomically to ``path`` if given.

    Four panels (2 x 2) with the backward trajectories, three in a row without them (no empty
    panel).

    Parameters
    ----------
    res : DatasetAnalysis
        The analysis to draw.
    path : str or Path, optional
        Save the figure there (PNG).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    plt = pyplot()
    with_trajectories = res.last_change_times is not None
    if with_trajectories:
        fig, grid = plt.subplots(2, 2, figsize=(11, 8))
        axes = [grid[0, 0], grid[0, 1], grid[1, 0], grid[1, 1]]
    else:
        fig, row = plt.subplots(1, 3, figsize=(16, 4.8))
        axes = [row[0], row[1], None, row[2]]
    _regime_panel(axes[0], res)
    _phi_panel(axes[1], res)
    if with_trajectories:
        ax = axes[2]
        ax.hist(res.last_change_times, bins=30, color="C2", alpha=0.7)
        m = float(np.mean(res.last_change_times))
        ax.axvline(m, color="C2", ls="-", lw=1, label=rf"mean $\hat t_C$ = {m:.3f}")
        if res.t_collapse_entropy is not None:
            ax.axvline(res.t_collapse_entropy, color="C3", ls="--", lw=0.9, label="$t_C$ (entropy)")
        ax.axvline(res.t_collapse_spectrum, color="C3", ls=":", lw=0.9, label="$t_C$ (spectrum)")
        ax.legend(fontsize=7)
        ax.set_xlabel(r"last-changing-index time $\hat t_C$")
        ax.set_ylabel("backward trajectories")
        ax.set_title("(c) collapse of backward trajectories", fontsize=8)
    ax = axes[3]
    lam = res.spectrum[res.spectrum > 1e-12 * res.spectrum[0]]   # below: zero up to round-off
    ax.loglog(np.arange(1, lam.size + 1), lam, "C4.", ms=3)
    ax.axhline(1.0, color="k", ls=":", lw=0.8)
    ax.set_xlabel("index")
    ax.set_ylabel("covariance eigenvalue")
    ax.set_title(rf"({'d' if with_trajectories else 'c'}) covariance spectrum: "
                 rf"$\Lambda$ = {res.speciation.Lambda:.3f}"
                 + ("  (<= 1: 1/2 log Lambda < 0)" if res.speciation.paper is None else ""), fontsize=8)
    fig.suptitle(f"{res.name}: n = {res.n}, d = {res.d}, alpha = {res.alpha:.4g}; exact empirical "
                 "score; bands and bars: 3 s.e.", fontsize=9)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
        plt.close(fig)
    return fig
