r"""Figures of the Jacobian spectra of linear-manifold data (matplotlib, Agg; atomic writes).

:func:`plot_spectrum` draws the density of the normalised Jacobian :math:`\mu = s/(s + \lambda)`
against OU time as a heat map, with the critical-point edges and the gap peaks drawn over it and the
three phases shaded, the gap heights against time below it, and optionally the same heat map for a
Monte Carlo run (sampled B, and the mean sorted spectrum of an empirical score).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.spectral import (
    gap_heights,
    intermediate_gaps,
    jacobian_density,
    jacobian_edges,
    phase_boundaries,
)

from .figures import pyplot, save_figure

__all__ = ["plot_spectrum"]

_PHASE_COLORS = {1: "0.85", 2: "C2", 3: "C1"}


def _shade_phases(ax, t: np.ndarray, pb) -> None:
    spans = ((pb.t_coverage, t.max(), 1, "I trivial"), (pb.t_consolidation, pb.t_coverage, 2,
                                                       "II coverage"),
             (t.min(), pb.t_consolidation, 3, "III consolidation"))
    for lo, hi, k, name in spans:
        lo, hi = max(lo, t.min()), min(hi, t.max())
        if hi > lo:
            ax.axvspan(lo, hi, color=_PHASE_COLORS[k], alpha=0.12, lw=0)
            ax.text(np.sqrt(lo * hi), 1.01, name, ha="center", va="bottom", fontsize=8,
                    transform=ax.get_xaxis_transform())


def _heat(ax, t, mu, dens, title):
    img = ax.pcolormesh(t, mu, np.log10(np.maximum(dens, 1e-3)), shading="auto", cmap="magma",
                        vmin=-2, rasterized=True)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(r"$\mu = -\Delta_t\,\mathrm{eig}\,J$")
    ax.set_title(title, fontsize=10, pad=14)
    return img


def _overlay(ax, t, fractions, variances, gaps):
    edges = jacobian_edges(t, fractions, variances)
    for j in range(edges.shape[1]):
        ax.plot(t, edges[:, j], color="w", lw=0.8, ls="--")
    ax.axhline(1.0, color="C0", lw=2)                      # the spike of the normal directions
    for gp in gaps:
        if gp.detached:
            ax.axvline(gp.t_max, color="c", lw=0.8, ls=":")


def plot_spectrum(fractions, variances, t, mu_points: int = 300, threshold: float = 0.1,
                  monte_carlo: dict | None = None, path: str | Path | None = None):
    r"""Heat map of the normalised Jacobian density against OU time, edges, gaps and phases.

    Parameters
    ----------
    fractions, variances : array_like
        Groups, as in :func:`theory.spectral.density`.
    t : array_like
        Increasing OU times (> 0); the time axis is logarithmic.
    mu_points : int
        Grid points in :math:`\mu`.
    threshold : float
        Visibility threshold of the gaps and the phases.
    monte_carlo : dict, optional
        ``{"t": (T,), "mu": (T, d) sampled spectra, "d": int}`` and optionally
        ``{"empirical_t": (T',), "empirical_mu": (T', d') mean sorted spectra, "n": int}``: adds a
        heat map of the sampled spectra (histograms per time) with the same overlays.
    path : str or Path, optional
        Where to save (atomically).

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Figs. 1c, 2 and 4 (spectrum against time, gaps, phases);
    docs/theory/spectral-gaps.md secs. 2.2-2.6.
    """
    plt = pyplot()
    t = np.asarray(t, dtype=float)
    rows = 3 if monte_carlo else 2
    fig = plt.figure(figsize=(8.5, 3.2 * rows))
    grid = fig.add_gridspec(rows, 2, width_ratios=[40, 1], height_ratios=[3] * (rows - 1) + [2],
                            hspace=0.35, wspace=0.03)
    axes = [fig.add_subplot(grid[0, 0])]
    axes += [fig.add_subplot(grid[i, 0], sharex=axes[0]) for i in range(1, rows)]
    caxes = [fig.add_subplot(grid[i, 1]) for i in range(rows)]
    caxes[-1].set_axis_off()
    mu = np.linspace(0.0, 1.0, mu_points + 1)[1:] - 0.5 / mu_points
    dens = jacobian_density(mu[:, None], t[None, :], fractions, variances)
    gaps = intermediate_gaps(fractions, variances, threshold)
    pb = phase_boundaries(fractions, variances, threshold)
    img = _heat(axes[0], t, mu, dens, f"theory: f = {list(fractions)}, v = {list(variances)}")
    _overlay(axes[0], t, fractions, variances, gaps)
    _shade_phases(axes[0], t, pb)
    fig.colorbar(img, cax=caxes[0], label=r"$\log_{10}\rho_\mu$ (spike at $\mu=1$ apart)")
    if monte_carlo:
        ax = axes[1]
        tm, spec = np.asarray(monte_carlo["t"]), np.asarray(monte_carlo["mu"])
        bins = np.linspace(0.0, 1.0, mu_points + 1)
        hist = np.stack([np.histogram(row[row < 1 - 1e-12], bins=bins)[0] for row in spec], axis=1)
        width = bins[1] - bins[0]
        img = _heat(ax, tm, mu, hist / (spec.shape[1] * width),
                    f"Monte Carlo: sampled B at d = {monte_carlo.get('d')}")
        _overlay(ax, tm, fractions, variances, gaps)
        _shade_phases(ax, tm, pb)
        if "empirical_mu" in monte_carlo:
            te = np.asarray(monte_carlo["empirical_t"])
            em = np.asarray(monte_carlo["empirical_mu"])
            for j in range(em.shape[1]):
                ax.plot(te, em[:, j], ".", color="c", ms=1.5)
            ax.plot([], [], ".", color="c", label=f"empirical score, n = {monte_carlo.get('n')}")
            ax.legend(loc="lower left", fontsize=8)
        fig.colorbar(img, cax=caxes[1], label=r"$\log_{10}$ histogram density")
    ax = axes[-1]
    gh = gap_heights(t, fractions, variances)
    ax.plot(t, gh.manifold, color="C0", lw=2, label="manifold gap")
    for k, gp in enumerate(gaps):
        if gp.detached:
            ax.plot(t, gh.intermediate[k], lw=1.5, color=f"C{3 + k}",
                    label=f"gap v={gp.variances[0]:g} | v={gp.variances[1]:g}")
            ax.plot([gp.t_max], [gp.height], "o", color=f"C{3 + k}", ms=4)
    ax.axhline(threshold, color="k", lw=0.8, ls=":", label=rf"threshold $\Delta$ = {threshold:g}")
    ax.axhline(1 - threshold, color="k", lw=0.8, ls=":")
    _shade_phases(ax, t, pb)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("OU time t (generation runs from right to left)")
    ax.set_ylabel(r"gap height ($\mu$ units)")
    ax.legend(loc="center right", fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig
