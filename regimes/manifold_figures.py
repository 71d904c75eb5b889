r"""Figures of geometric memorization: the retention of each block against time, and the thresholds.

(a) the measured retention of each tangent block (exact empirical score, s.e. bars) with the REM
predictions (dashed: per direction; dotted: the sec. 2.4 extension); (b) the thresholds of each block
on one time axis: predicted critical time, extension, measured onset (R < 0.9) and half (R < 0.5),
with the window of geometric memorization and the global collapse time.  Blocks are numbered from 1,
as in the text and the JSON of ``regimes manifold``.  Files are written atomically
(:func:`regimes.figures.save_figure`).

References
----------
Achilli et al. (2024), arXiv:2410.08727 (docs/theory/losing-dimensions.md secs. 2.1-2.6, 3.2-3.3).

Examples
--------
>>> from regimes.manifold_experiment import manifold_experiment
>>> from regimes.manifold_figures import plot_manifold_experiment
>>> r = manifold_experiment([1.0, 0.5], [4, 4], 16, 200, quick=True, n_points=4)
>>> fig = plot_manifold_experiment(r)
>>> len(fig.axes) >= 2
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .figures import pyplot, save_figure

__all__ = ["plot_manifold_experiment"]


def _global_lines(result: dict) -> list[tuple[float, dict, str]]:
    """The global collapse times as (t, line style, legend label): the data covariance's (solid) and,
    on the sphere, the nominal variances' (dashed), named as in the text and the JSON."""
    g = result["global_times"]
    out = [(g["data"], {"color": "k", "lw": 1.2},
            f"global collapse, data covariance: t = {g['data']:.3g}")]
    if result["params"]["normalized"]:
        out.append((g["nominal"], {"color": "0.45", "lw": 1.2, "ls": "--"},
                    rf"global collapse, nominal variances $\sigma_k^2$: t = {g['nominal']:.3g}"))
    return out


def plot_manifold_experiment(result: dict, path: str | Path | None = None):
    r"""Draw the two panels of a :func:`regimes.manifold_experiment.manifold_experiment` result.

    Parameters
    ----------
    result : dict
        As returned by :func:`regimes.manifold_experiment.manifold_experiment`.
    path : str or Path, optional
        Where to save the figure (atomically).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Panel (a): the measured retention :math:`R_k(t)` of each tangent block with standard errors and
    the REM predictions :math:`\min(1, \sqrt{2\log n/v_k})` (dashed: per direction; dotted: the
    sec. 2.4 extension).  Panel (b): per block, the predicted critical time, the extension's, and the
    measured onset and half times; the shaded band is the window of geometric memorization.  The
    solid black line is the global collapse time of the data's covariance (Biroli et al. eq. 5
    with the effective variances on the sphere), the dashed grey one (sphere data only) the same
    criterion with the nominal variances :math:`\sigma_k^2`; both in OU time.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727; docs/theory/losing-dimensions.md secs. 2.1-2.6.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plt = pyplot()
    fig, (ax_ret, ax_thr) = plt.subplots(1, 2, figsize=(13, 4.8),
                                         gridspec_kw={"width_ratios": [1.35, 1.0]})
    p, summ = result["params"], result["summary"]
    curves, cmp = result["curves"], result["comparison"]
    colors = [f"C{k}" for k in range(len(p["dims"]))]
    tangent = np.flatnonzero(np.asarray(p["tangent"]))

    def name(k: int) -> str:
        return f"block {k + 1} ({p['dims'][k]} dims, std {p['stds'][k]:g})"

    handles = []
    for k in tangent:
        ax_ret.errorbar(curves.t, curves.retention[:, k], yerr=curves.retention_se[:, k], fmt="o-",
                        ms=3, lw=1.2, color=colors[k], capsize=2)
        ax_ret.plot(curves.t, cmp.predicted_retention[:, k], color=colors[k], ls="--", lw=1)
        ax_ret.plot(curves.t, cmp.extension_retention[:, k], color=colors[k], ls=":", lw=1)
        handles.append(Line2D([], [], color=colors[k], marker="o", ms=3, label=name(k)))
    glob = _global_lines(result)
    for t_g, style, _ in glob:
        ax_ret.axvline(t_g, **style)
    handles += [Line2D([], [], color="0.3", marker="o", ms=3, label="measured (exact empirical score)"),
                Line2D([], [], color="0.3", ls="--", label="REM prediction, per direction"),
                Line2D([], [], color="0.3", ls=":", label="REM prediction, extension (sec. 2.4)")]
    handles += [Line2D([], [], **style, label=label) for _, style, label in glob]
    ax_ret.legend(handles=handles, fontsize=7, loc="lower right")
    ax_ret.set_ylim(-0.05, 1.15)
    ax_ret.set_xscale("log")
    ax_ret.set_xlabel("OU time t (generation runs from right to left)")
    ax_ret.set_ylabel(r"retention $R_k$ of the block's variance")
    ax_ret.set_title("(a) retention of each tangent block", fontsize=10)

    rows = list(tangent)[::-1]                 # block 1 on top
    marks = (("predicted_time", "D", "predicted critical time"),
             ("extension_time", "s", "extension (sec. 2.4)"),
             ("onset_time", "^", "measured onset (R < 0.9)"),
             ("half_time", "v", "measured half (R < 0.5)"))
    for j, k in enumerate(rows):
        for key, marker, _ in marks:
            val = float(np.asarray(getattr(cmp, key))[k])
            filled = key in ("predicted_time", "extension_time")
            ax_thr.plot([val], [j], marker=marker, ms=8, ls="none",
                        color=colors[k], mfc=colors[k] if filled else "white", mew=1.5)
    if summ.window:
        ax_thr.axvspan(summ.window[0], summ.window[1], color="C2", alpha=0.12, lw=0)
    for t_g, style, _ in glob:
        ax_thr.axvline(t_g, **style)
    legend = [Line2D([], [], color="0.3", marker=m, ms=7, ls="none",
                     mfc="0.3" if key in ("predicted_time", "extension_time") else "white", label=lab)
              for key, m, lab in marks]
    if summ.window:
        legend.append(Patch(color="C2", alpha=0.25, label="geometric memorization window"))
    legend += [Line2D([], [], **style, label=label) for _, style, label in glob]
    ax_thr.legend(handles=legend, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0.0)
    ax_thr.set_yticks(range(len(rows)), [name(k) for k in rows], fontsize=8)
    ax_thr.set_ylim(-0.6, len(rows) - 0.4)
    ax_thr.set_xscale("log")
    ax_thr.set_xlabel("OU time t")
    ax_thr.set_title("(b) when each block is lost", fontsize=10)
    kind = "sphere" if p["normalized"] else "Gaussian"
    fig.suptitle(f"Geometric memorization: d = {p['d']}, n = {p['n']}, {kind} data (OU time t)",
                 fontsize=11)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
