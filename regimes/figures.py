"""Figures of the Gaussian-mixture regimes, and the shared figure helpers of ``regimes``.

matplotlib is imported lazily (:func:`pyplot`, Agg backend); files are written atomically
(:func:`save_figure`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.files import atomic_path
from theory.gaussian_mixture import phi_scaling
from theory.phase_diagram import PhaseDiagram

from .gm_summary import GaussianMixtureRegimes

__all__ = ["plot_gaussian_mixture", "plot_phase_diagram", "save_figure", "pyplot", "PHI_LEVEL"]

#: phi at the speciation time of two symmetric classes, 1/2[1 + E tanh^2(1 + z)] = 0.775200
#: (the large-d scaling form at tau = 0; docs/theory/dynamical-regimes.md)
PHI_LEVEL = float(phi_scaling(0.0))


def pyplot():
    """matplotlib.pyplot with a non-interactive backend (imported on first use)."""
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically (temporary file in the same folder, then rename)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return Path(path)


def plot_gaussian_mixture(result: GaussianMixtureRegimes, path: str | Path | None = None,
                          ax=None):
    """Draw phi(t) and f^e(t)/alpha of a solved Gaussian mixture with t_S, t* and t_C marked.

    References
    ----------
    Biroli et al. (2024), Figs. 2 and 3 (eqs. 6, 10 and the excess-entropy curve).
    """
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
    else:
        fig = ax.figure
    c = result.curves()
    ax.plot(c["t"], c["phi"], color="C0", lw=2, label=r"$\phi(t)$ (eq. 6, exact at this $d$)")
    ax.plot(c["t"], c["fe_over_alpha"], color="C3", lw=2,
            label=r"$f^e(t)/\alpha$ (paper, $d\to\infty$)")
    ax.plot(c["t"], c["fe_over_alpha_finite_d"], color="C3", lw=1.2, ls="--",
            label=r"$f^e(t)/\alpha$ with class-entropy correction")
    ax.axhline(PHI_LEVEL, color="C0", lw=0.8, ls=":")
    marks = ((result.t_speciation, r"$t_S$", "C0", "right"), (result.t_star, r"$t^*$", "C2", "left"),
             (result.t_collapse, r"$t_C$", "C3", "center"))
    for tt, name, col, align in marks:
        ax.axvline(tt, color=col, lw=1, ls="--")
        ax.text(tt, 1.02, f" {name} = {tt:.3f} ", color=col, ha=align, va="bottom",
                transform=ax.get_xaxis_transform(), fontsize=9)
    if result.has_regime_two:
        ax.axvspan(result.t_collapse, result.t_speciation, color="C2", alpha=0.08)
    ax.set_xlim(0, float(np.max(c["t"])))
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("OU time t (generation runs from right to left)")
    ax.set_ylabel("probability / fraction of alpha")
    ax.set_title(f"Gaussian mixture: d = {result.d:g}, n = {result.n:g}, "
                 rf"$\tilde\mu$ = {result.mu_tilde:g}, $\sigma$ = {result.sigma:g}", pad=18)
    ax.legend(loc="center right", fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_phase_diagram(diagram: PhaseDiagram, path: str | Path | None = None, ax=None,
                       log_x: bool = False, log_y: bool = False):
    """Draw the regimes of a :class:`~theory.phase_diagram.PhaseDiagram` (optionally save it)."""
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
    else:
        fig = ax.figure
    diagram.plot(ax=ax, log_x=log_x, log_y=log_y)
    fixed = ", ".join(f"{k} = {v:g}" for k, v in diagram.params.items())
    ax.set_title(f"Regimes of the backward dynamics (Gaussian mixture; {fixed})", fontsize=10)
    if path is not None:
        save_figure(fig, path)
    return fig
