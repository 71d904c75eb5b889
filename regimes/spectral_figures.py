r"""Figures of the Jacobian spectra of linear-manifold data (matplotlib, Agg; atomic writes).

:func:`plot_spectrum` draws the density of the normalised Jacobian :math:`\mu = s/(s + \lambda)`
against OU time as a heat map, with the critical-point edges and the gap peaks drawn over it and the
three phases shaded, the gap heights against time below it, and optionally the same heat map for a
Monte Carlo run (sampled B, and the mean sorted spectrum of an empirical score).
:func:`plot_law_spectrum` does the same for a latent-variance law (a power-law spectrum, a uniform
law, spread groups), with the support edges and the visible gaps of every support interval;
:func:`plot_data_spectrum` draws the Gaussian-model spectrum of a covariance spectrum against t, the
tangent-dimension count with the collapse time marked (and the measured counts of the exact
empirical score), and the sample-covariance law of n points.

Examples
--------
>>> import numpy as np
>>> from regimes.spectral_figures import plot_spectrum
>>> fig = plot_spectrum([0.1, 0.2], [4.0, 1.0], np.linspace(0.05, 3.0, 20), mu_points=50)
>>> len(fig.axes) >= 2
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.spectral import (
    VarianceLaw,
    gap_heights,
    gap_structure,
    intermediate_gaps,
    jacobian_density,
    jacobian_edges,
    phase_boundaries,
    predict_jacobian_spectrum,
    sample_covariance_cumulative,
)

from .figures import pyplot, save_figure

__all__ = ["plot_spectrum", "plot_law_spectrum", "plot_data_spectrum"]

_PHASE_COLORS = {1: "0.85", 2: "C2", 3: "C1"}
_CURVES = 200          # data spectra with at most this many positive eigenvalues: one curve each


def _shade_phases(ax, t: np.ndarray, pb) -> None:
    spans = ((pb.t_coverage, t.max(), 1, "trivial"), (pb.t_consolidation, pb.t_coverage, 2,
                                                    "manifold coverage"),
             (t.min(), pb.t_consolidation, 3, "consolidation"))
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


def _layout(plt, rows: int, shared: int, height: float = 3.0):
    """Figure with ``rows`` stacked axes (the first ``shared`` share the time axis) and colour bars."""
    fig = plt.figure(figsize=(8.5, height * rows))
    grid = fig.add_gridspec(rows, 2, width_ratios=[40, 1], hspace=0.45, wspace=0.03)
    axes = [fig.add_subplot(grid[0, 0])]
    for i in range(1, rows):
        axes.append(fig.add_subplot(grid[i, 0], sharex=axes[0] if i < shared else None))
    caxes = [fig.add_subplot(grid[i, 1]) for i in range(rows)]
    return fig, axes, caxes


def _mu_histogram(spectra: np.ndarray, mu_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin centres and the histogram density (per direction, spike at mu = 1 left out) per row."""
    spectra = np.asarray(spectra)
    bins = np.linspace(0.0, 1.0, mu_points + 1)
    hist = np.stack([np.histogram(row[row < 1 - 1e-12], bins=bins)[0] for row in spectra], axis=1)
    return 0.5 * (bins[1:] + bins[:-1]), hist / (spectra.shape[1] * (bins[1] - bins[0]))


def _support_overlay(ax, gs, label: bool = True) -> None:
    """Support edges in mu (white dashes) and the gaps larger than the threshold (cyan)."""
    t, iv = gs.t, gs.mu_intervals
    for j in range(iv.shape[1]):
        ax.plot(t, iv[:, j, 0], color="w", lw=0.7, ls="--")
        ax.plot(t, iv[:, j, 1], color="w", lw=0.7, ls="--")
    ax.fill_between(t, iv[:, 0, 1], 1.0, where=gs.manifold > gs.threshold, color="C0", alpha=0.25,
                    lw=0, label=r"manifold gap > $\Delta$" if label else None)
    for j in range(iv.shape[1] - 1):
        ax.fill_between(t, iv[:, j + 1, 1], iv[:, j, 0], where=gs.gaps[j] > gs.threshold,
                        color="c", alpha=0.35, lw=0,
                        label=r"gap > $\Delta$" if (label and j == 0) else None)
    ax.axhline(1.0, color="C0", lw=2)                      # the spike of the normal directions


def plot_law_spectrum(law: VarianceLaw, t, K: int | None = None, threshold: float = 0.1,
                      mu_points: int = 150, heat_times: int = 80, monte_carlo: dict | None = None,
                      path: str | Path | None = None):
    r"""Heat map over (t, mu) of the Jacobian density of a latent-variance law, support and gaps.

    Parameters
    ----------
    law : theory.spectral.VarianceLaw
        E.g. ``power_law(1.0, 400, 0.4)``.
    t : array_like
        Increasing OU times (> 0) of the edges and gaps; the time axis is logarithmic.
    K : int, optional
        Groups of the discretisation (the law's default if None).
    threshold : float
        Visibility threshold :math:`\Delta` of the gaps.
    mu_points, heat_times : int
        Grid of the heat map: ``mu_points`` values of :math:`\mu` and at most ``heat_times``
        log-spaced times (the density is the costly part: about 0.5 ms per point at K = 400).
    monte_carlo : dict, optional
        :func:`regimes.spectral_summary.law_monte_carlo`: adds the heat map of the sampled spectra.
    path : str or Path, optional
        Where to save (atomically).

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Figs. 1a, 2 and 3 (spectrum against time, gaps,
    continuous variance laws); docs/theory/spectral-gaps.md secs. 2.2-2.6.
    """
    plt = pyplot()
    t = np.asarray(t, dtype=float)
    f, v = law.groups(K)
    gs = gap_structure(t, f, v, threshold)
    pb = phase_boundaries(f, v, threshold)
    th = t if t.size <= heat_times else np.geomspace(t.min(), t.max(), heat_times)
    mu = np.linspace(0.0, 1.0, mu_points + 1)[1:] - 0.5 / mu_points
    dens = law.jacobian_density(mu[None, :], th[:, None], K)
    rows = 3 if monte_carlo else 2
    fig, axes, caxes = _layout(plt, rows, rows)
    caxes[-1].set_axis_off()
    title = (f"theory: {law.name}, f = m/d = {law.fraction:g}, K = {f.size} groups, "
             f"{gs.intervals.shape[0]} bulk(s)")
    img = _heat(axes[0], th, mu, dens.T, title)
    _support_overlay(axes[0], gs)
    _shade_phases(axes[0], t, pb)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.colorbar(img, cax=caxes[0], label=r"$\log_{10}\rho_\mu$ (spike at $\mu=1$ apart)")
    if monte_carlo:
        ax = axes[1]
        centres, hist = _mu_histogram(monte_carlo["mu"], mu_points)
        img = _heat(ax, np.asarray(monte_carlo["t"]), centres, hist,
                    f"Monte Carlo: sampled B at d = {monte_carlo['d']} (m = {monte_carlo['m']})")
        _support_overlay(ax, gs, label=False)
        fig.colorbar(img, cax=caxes[1], label=r"$\log_{10}$ histogram density")
    ax = axes[-1]
    ax.plot(t, gs.manifold, color="C0", lw=2, label="manifold gap")
    peaks = gs.gaps.max(axis=1) if gs.gaps.size else np.zeros(0)
    for rank, j in enumerate(np.argsort(-peaks, kind="stable")):
        if rank < 5:
            ax.plot(t, gs.gaps[j], lw=1.2, color=f"C{3 + rank}", label=f"gap bulk {j} | {j + 1}")
        else:
            ax.plot(t, gs.gaps[j], lw=0.6, color="0.6")
    if peaks.size > 5:
        ax.plot([], [], lw=0.6, color="0.6", label=f"{peaks.size - 5} smaller gaps")
    ax.axhline(threshold, color="k", lw=0.8, ls=":", label=rf"threshold $\Delta$ = {threshold:g}")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("OU time t (generation runs from right to left)")
    ax.set_ylabel(r"gap ($\mu$ units)")
    twin = ax.twinx()
    twin.step(t, gs.visible, where="mid", color="0.3", lw=1, ls="--")
    ax.plot([], [], color="0.3", lw=1, ls="--", label=r"number of gaps > $\Delta$ (right)")
    twin.set_ylabel(r"gaps > $\Delta$", fontsize=8)
    twin.set_ylim(0, max(1, int(gs.visible.max())) + 0.5)
    ax.legend(loc="center right", fontsize=7)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_data_spectrum(eigenvalues, t, n: int | None = None, threshold: float = 0.5,
                       gap_threshold: float = 0.1, comparison=None, mu_points: int = 150,
                       path: str | Path | None = None):
    r"""Gaussian-model Jacobian spectrum of a covariance spectrum against t, the tangent-dimension
    count with :math:`t_C` marked, and the sample-covariance law of n points.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        Covariance eigenvalues >= 0.
    t : array_like
        Increasing OU times > 0 (logarithmic axis).
    n : int, optional
        Number of data points: marks :math:`t_C` and adds a panel with the counting function of the
        eigenvalues and the generalised Marchenko-Pastur one of the sample covariance of n points
        with this population spectrum (the density itself is a comb of narrow bulks for a spread
        spectrum; the counting function reads better).
    threshold, gap_threshold : float
        Count threshold and gap threshold of :func:`theory.spectral.predict_jacobian_spectrum`.
    comparison : validation.spectral.DatasetJacobianComparison, optional
        Measured counts and gap dimensions of the exact empirical score (error bars: one standard
        error over the points).
    mu_points : int
        Bins of the heat map in :math:`\mu`.
    path : str or Path, optional
        Where to save (atomically).

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 4.1 and 8 (Jacobian spectra of image data);
    Achilli et al. (2024), arXiv:2410.08727 (tangent dimensions); Biroli et al. (2024),
    arXiv:2402.18491, eq. 5 (t_C); Silverstein, Bai (1995) (sample covariance).
    """
    plt = pyplot()
    pred = predict_jacobian_spectrum(eigenvalues, t, n=n, threshold=threshold,
                                     gap_threshold=gap_threshold)
    t = pred.t
    tc = pred.collapse_time
    rows = 3 if pred.n is not None else 2
    fig, axes, caxes = _layout(plt, rows, 2)
    for c in caxes[1:]:
        c.set_axis_off()
    lam = np.sort(np.asarray(eigenvalues, dtype=float))
    lam[lam <= lam.size * np.finfo(float).eps * lam.max()] = 0.0      # round-off of exact zeros
    pos = lam[lam > 0]
    title = f"Gaussian model: mu = s/(s + lambda_i), p = {lam.size} eigenvalues ({pos.size} > 0)"
    if pos.size <= _CURVES:
        s_t = pred.s[:, None]
        axes[0].plot(t, s_t / (s_t + pos[None, :]), color="C4", lw=0.6)
        axes[0].set_xscale("log")
        axes[0].set_ylim(0, 1.02)
        axes[0].set_ylabel(r"$\mu = -\Delta_t\,\mathrm{eig}\,J$")
        axes[0].set_title(title + ": one curve each", fontsize=10)
        caxes[0].set_axis_off()
    else:
        centres, hist = _mu_histogram(pred.mu, mu_points)
        img = _heat(axes[0], t, centres, hist, title)
        fig.colorbar(img, cax=caxes[0], label=r"$\log_{10}$ density (spike at $\mu=1$ apart)")
    axes[0].axhline(pred.threshold, color="k" if pos.size <= _CURVES else "w", lw=0.8, ls=":")
    ax = axes[1]
    ax.plot(t, pred.count, color="C0", lw=2, label=rf"tangent count, $\mu < {pred.threshold:g}$")
    ax.plot(t, pred.gap_dimension, color="C1", lw=1.2, ls="--",
            label=f"gap dimension (gap > {pred.gap_threshold:g})")
    if comparison is not None:
        mc = np.array([[e.value, e.stderr] for e in comparison.measured_count])
        mg = np.array([[e.value, e.stderr] for e in comparison.measured_gap_dimension])
        ax.errorbar(comparison.t, mc[:, 0], yerr=np.nan_to_num(mc[:, 1]), fmt="o", color="C0",
                    ms=4, capsize=2, label=f"measured count, empirical score (n = {comparison.n})")
        ax.errorbar(comparison.t, mg[:, 0], yerr=np.nan_to_num(mg[:, 1]), fmt="s", color="C1",
                    ms=3, capsize=2, mfc="none", label="measured gap dimension")
    for a in axes[:2]:
        if np.isfinite(tc) and t.min() <= tc <= t.max():
            a.axvline(tc, color="C3", lw=1.2)
    if np.isfinite(tc):
        ax.text(tc, 1.01, f"$t_C$ = {tc:.3g}", color="C3", ha="center", va="bottom", fontsize=8,
                transform=ax.get_xaxis_transform())
    ax.set_xscale("log")
    if max(pred.count.max(), pred.gap_dimension.max()) > 50:
        ax.set_yscale("symlog", linthresh=1.0)          # hundreds of directions and the last few
    ax.set_xlabel("OU time t")
    ax.set_ylabel("directions")
    ax.legend(loc="upper right", fontsize=7)
    if pred.n is not None:
        ax = axes[2]
        x = np.geomspace(pos.min() / 3, pos.max() * 3, 800)
        ax.step(np.r_[x[0], pos, x[-1]], np.r_[0, np.arange(1, pos.size + 1), pos.size],
                where="post", color="0.4", lw=1.2, label="eigenvalues of the spectrum (counting)")
        zeros = lam.size - min(pos.size, pred.n - 1)          # the atom at 0 of the sample law
        counted = lam.size * sample_covariance_cumulative(x, lam, pred.n - 1) - zeros
        ax.plot(x, counted, color="C2", lw=1.5,
                label=f"sample covariance of n = {pred.n} points with it (generalised "
                      "Marchenko-Pastur)")
        ax.set_xscale("log")
        ax.set_xlabel(r"eigenvalue $\lambda$")
        ax.set_ylabel(r"eigenvalues $\leq \lambda$")
        ax.legend(loc="upper left", fontsize=7)
    if path is not None:
        save_figure(fig, path)
    return fig
