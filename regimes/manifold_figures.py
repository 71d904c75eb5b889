r"""Figures of geometric memorization: the paper's three panels plus the retention curves.

Panels: (a) theory spectrum (population Jacobian plus the memorization term, sorted and normalized);
(b) the exact empirical-score Jacobian by blocks at test points; (c) the count of tangent dimensions
against time, theory and Monte Carlo; (d) the retention of each subspace with the REM predictions and
the predicted critical times marked.  Files are written atomically (:func:`regimes.figures.save_figure`).

References
----------
Achilli et al. (2024), arXiv:2410.08727, figure ``three_subplots`` (
docs/theory/losing-dimensions.md secs. 3.2-3.3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .figures import pyplot, save_figure

__all__ = ["plot_manifold_experiment"]


def plot_manifold_experiment(result: dict, path: str | Path | None = None):
    r"""Draw the four panels of a :func:`regimes.manifold_experiment.manifold_experiment` result.

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
    Panel (a) plots :math:`S_i(t)` of :func:`theory.manifold.theory_spectrum` sorted in decreasing
    order and divided by its maximum; panel (b) the mean eigenvalues of :math:`-\Delta_t J` on each
    block (1 = normal bulk); panel (c) the counts of :func:`theory.manifold.theory_dimension_count`
    and :func:`validation.memorization.dimension_count`; panel (d) the measured retention with
    standard errors, the REM predictions :math:`\min(1, \sqrt{2\log n/v_k})` (dashed: per direction;
    dotted: the sec. 2.4 extension), the per-direction thresholds and the global collapse time.

    References
    ----------
    Achilli et al. (2024), figure ``three_subplots``; docs/theory/losing-dimensions.md
    secs. 2.1-2.6.
    """
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    (ax_th, ax_emp), (ax_cnt, ax_ret) = axes
    p, summ, th = result["params"], result["summary"], result["theory"]
    curves, cmp = result["curves"], result["comparison"]
    colors = [f"C{k}" for k in range(len(p["dims"]))]
    tangent = np.asarray(p["tangent"])
    tc = np.asarray(summ.critical_times)

    spec = th["spectrum"]
    normed = -np.sort(-spec, axis=1) / spec.max(axis=1, keepdims=True)
    ax_th.plot(th["t"], normed, color="0.3", lw=0.7)
    ax_th.set_yscale("log")
    ax_th.set_title("(a) theory: population Jacobian + memorization term", fontsize=10)
    ax_th.set_ylabel("sorted singular values / max")

    for k, ev in enumerate(curves.block_eigenvalues):
        lines = ax_emp.plot(curves.t, ev, color=colors[k], lw=1, marker=".")
        lines[0].set_label(f"block {k + 1} (d={p['dims'][k]}, std={p['stds'][k]:g})")
    ax_emp.axhline(1.0, color="k", lw=0.6, ls=":")
    ax_emp.set_ylim(-0.05, 1.1)
    ax_emp.set_title(r"(b) empirical score: eigenvalues of $-\Delta_t J$ by block", fontsize=10)
    ax_emp.legend(fontsize=7, loc="lower left")

    ax_cnt.plot(th["t"], th["dimension_count"], color="k", label="theory (S < bulk/2)")
    ax_cnt.errorbar(curves.t, curves.dimension_count, yerr=curves.dimension_count_se, fmt="o",
                    ms=3, color="C3", label="empirical score (|eig J| < 1/(2 Delta))")
    ax_cnt.set_title("(c) number of tangent dimensions seen", fontsize=10)
    ax_cnt.set_ylabel("count")
    ax_cnt.legend(fontsize=7)

    for k in np.flatnonzero(tangent):
        ax_ret.errorbar(curves.t, curves.retention[:, k], yerr=curves.retention_se[:, k], fmt="o-",
                        ms=3, color=colors[k], label=f"block {k + 1} measured")
        ax_ret.plot(curves.t, cmp.predicted_retention[:, k], color=colors[k], ls="--", lw=1)
        ax_ret.plot(curves.t, cmp.extension_retention[:, k], color=colors[k], ls=":", lw=1)
        ax_ret.axvline(tc[k], color=colors[k], lw=0.8, ls="--")
    ax_ret.axvline(summ.global_time, color="k", lw=1, label="global collapse")
    ax_ret.set_ylim(-0.05, 1.2)
    ax_ret.set_title("(d) retention: measured (s.e.), REM -- per direction, .. extension",
                     fontsize=10)
    ax_ret.set_ylabel("retention R_k")
    ax_ret.legend(fontsize=7, loc="upper left")

    for ax in axes.flat:
        ax.set_xscale("log")
        ax.set_xlabel("OU time t (generation runs right to left)")
        for k in np.flatnonzero(tangent):
            if ax is not ax_ret:
                ax.axvline(tc[k], color=colors[k], lw=0.6, ls="--")
    kind = "sphere" if p["normalized"] else "Gaussian"
    fig.suptitle(f"Geometric memorization: d = {p['d']}, n = {p['n']}, {kind} data, "
                 f"dims {p['dims']}, stds {p['stds']}", fontsize=11)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
