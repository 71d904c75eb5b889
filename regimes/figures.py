"""Figures of the Gaussian-mixture regimes, and the shared figure helpers of ``regimes``.

matplotlib is imported lazily (:func:`pyplot`, Agg backend); files are written atomically
(:func:`save_figure`).

Examples
--------
>>> import numpy as np
>>> from theory.phase_diagram import phase_diagram_t_alpha
>>> from regimes.figures import plot_phase_diagram
>>> diagram = phase_diagram_t_alpha(np.linspace(0.1, 5, 40), np.linspace(0.01, 0.5, 30), d=1024)
>>> fig = plot_phase_diagram(diagram)
>>> fig.axes[0].get_xlabel() != ""
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from theory.files import atomic_path
from theory.gaussian_mixture import phi_scaling
from theory.phase_diagram import PhaseDiagram

from .gm_summary import GaussianMixtureRegimes, MixtureRegimes

__all__ = ["plot_gaussian_mixture", "plot_mixture", "plot_phase_diagram", "save_figure", "pyplot",
           "place_time_labels", "PHI_LEVEL", "T_S_READINGS"]

#: phi at the speciation time of two symmetric classes, 1/2[1 + E tanh^2(1 + z)] = 0.775200
#: (the large-d scaling form at tau = 0; docs/theory/dynamical-regimes.md)
PHI_LEVEL = float(phi_scaling(0.0))


#: the readings of eq. 4 for a top covariance eigenvalue Lambda, in words (text) and in mathtext
#: (figures): the ``convention=`` names of :func:`theory.speciation.speciation_time_from_eigenvalue`
T_S_READINGS = {"paper": ("1/2 log Lambda", r"$\frac{1}{2}\log\Lambda$"),
                "lambda_plus_one": ("1/2 log(Lambda + 1)", r"$\frac{1}{2}\log(\Lambda+1)$"),
                "lambda_minus_one": ("1/2 log(Lambda - 1)", r"$\frac{1}{2}\log(\Lambda-1)$")}


def pyplot():
    """matplotlib.pyplot with a non-interactive backend (imported on first use).

    Returns
    -------
    module
        ``matplotlib.pyplot``.
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically (temporary file in the same folder, then rename).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or Path
        Target file (format from its suffix).
    dpi : int, default 150
        Resolution.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    return Path(path)


def plot_gaussian_mixture(result: GaussianMixtureRegimes, path: str | Path | None = None,
                          ax=None):
    """Draw phi(t) and f^e(t)/alpha of a solved Gaussian mixture with t_S, t* and t_C marked.

    The labels of the three times sit above the axes in rows, so that close times do not overlap
    (:func:`place_time_labels`); the legend sits outside the axes, to the right, covering no curve.

    Parameters
    ----------
    result : GaussianMixtureRegimes
        A solved mixture (:func:`regimes.solve_gaussian_mixture`).
    path : str or Path, optional
        Save the figure there.
    ax : matplotlib Axes, optional
        Draw into these axes (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

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
    ax.axhline(PHI_LEVEL, color="C0", lw=0.8, ls=":", label=rf"$\phi = {PHI_LEVEL:.3f}$ (level at $t_S$)")
    marks = ((result.t_speciation, r"$t_S$", "C0"), (result.t_star, r"$t^*$", "C2"),
             (result.t_collapse, r"$t_C$", "C3"))
    for tt, _, col in marks:
        ax.axvline(tt, color=col, lw=1, ls="--")
    if result.has_regime_two:
        ax.axvspan(result.t_collapse, result.t_speciation, color="C2", alpha=0.08,
                   label=r"regime II ($t_C < t < t_S$)")
    ax.set_xlim(0, float(np.max(c["t"])))
    ax.set_ylim(-0.02, 1.05)
    rows = place_time_labels(ax, [(tt, f"{name} = {tt:.3f}", col) for tt, name, col in marks])
    ax.set_xlabel("OU time t (generation runs from right to left)")
    ax.set_ylabel("probability / fraction of alpha")
    ax.set_title(f"Gaussian mixture: d = {result.d:g}, n = {result.n:g}, "
                 rf"$\tilde\mu$ = {result.mu_tilde:g}, $\sigma$ = {result.sigma:g}", pad=10 + 16 * rows)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig


def place_time_labels(ax, marks, y0: float = 1.02, gap_px: float = 4.0) -> int:
    """Write the labels of vertical time lines above the axes, in rows, so that none overlap.

    Parameters
    ----------
    ax : matplotlib Axes
    marks : sequence of (t, text, color)
        One label per line, centred on t (data x) above the axes.
    y0 : float
        Height of the first row in axes fraction.
    gap_px : float
        Minimum horizontal gap between two labels of the same row, in pixels.

    Returns
    -------
    int
        The number of rows used (a label goes to the lowest row where it overlaps no other label).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    rows: list[list] = []
    transform = ax.get_xaxis_transform()
    for t, text, color in sorted(marks, key=lambda m: m[0]):
        label = ax.text(t, y0, text, color=color, ha="center", va="bottom", transform=transform,
                        fontsize=8, gid="time-label", clip_on=False)
        for row in range(len(rows) + 1):
            if row == len(rows):
                rows.append([])
            label.set_y(y0 + row * 0.065)
            box = label.get_window_extent(renderer)
            if all(box.x0 > b.x1 + gap_px or box.x1 < b.x0 - gap_px for b in rows[row]):
                rows[row].append(box)
                break
    return len(rows)


def plot_mixture(result: MixtureRegimes, path: str | Path | None = None, ax=None):
    """Draw phi(t) of a K-class mixture (and of its super-classes) with the cascade and t_C marked.

    The speciation times :math:`t_{S,j}` and :math:`t_C` are dashed vertical lines labelled above the
    axes (labels of close times go to separate rows, :func:`place_time_labels`); the legend sits
    outside the axes, to the right, so that it covers no curve.  f^e(t)/alpha is the K-class
    excess entropy with the class-information term (its zero is t_C up to O(1/d)).

    Parameters
    ----------
    result : MixtureRegimes
        A solved K-class mixture (:func:`regimes.solve_mixture`).
    path : str or Path, optional
        Save the figure there.
    ax : matplotlib Axes, optional
        Draw into these axes (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Figs. 2 and 3 (eqs. 4, 6 and 10),
    generalised to K classes in ``docs/theory/models.md``.
    """
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
    else:
        fig = ax.figure
    c = result.curves()
    m = result.model
    ax.plot(c["t"], c["phi"], color="C0", lw=2, label=rf"$\phi(t)$, {m.K} classes (exact, this $d$)")
    ax.axhline(result.phi_floor, color="C0", lw=0.8, ls=":",
               label=r"$\phi(\infty) = \Sigma_k\, w_k^2$")
    if "phi_groups" in c:
        G = int(result.groups.max()) + 1
        ax.plot(c["t"], c["phi_groups"], color="C1", lw=2, label=rf"$\phi(t)$, {G} super-classes")
        ax.axhline(result.phi_groups_floor, color="C1", lw=0.8, ls=":")
    ax.plot(c["t"], c["fe_over_alpha"], color="C3", lw=1.2, ls="--",
            label=r"$f^e(t)/\alpha$ ($K$-class, finite $d$)")
    marks = []
    ts_all = result.speciation_times
    J = ts_all.size
    j = 0
    while j < J:                  # equal times (a symmetric cascade) share one line and one label
        k = j
        while k + 1 < J and abs(ts_all[k + 1] - ts_all[j]) <= 1e-9 * max(1.0, abs(ts_all[j])):
            k += 1
        index = f"{j + 1}" if k == j else rf"{j + 1}\ldots{k + 1}"
        name = r"$t_S$" if J == 1 else rf"$t_{{S,{index}}}$"
        ax.axvline(ts_all[j], color="C0", lw=1, ls="--")
        marks.append((float(ts_all[j]), f"{name} = {ts_all[j]:.3f}", "C0"))
        j = k + 1
    ax.axvline(result.t_collapse, color="C3", lw=1, ls="--")
    marks.append((result.t_collapse, rf"$t_C$ = {result.t_collapse:.3f}", "C3"))
    if result.has_regime_two:
        ax.axvspan(result.t_collapse, float(result.speciation_times[0]), color="C2", alpha=0.08)
    ax.set_xlim(0, float(np.max(c["t"])))
    ax.set_ylim(-0.02, 1.05)
    rows = place_time_labels(ax, marks)
    ax.set_xlabel("OU time t (generation runs from right to left)")
    ax.set_ylabel("probability / fraction of alpha")
    ax.set_title(f"Gaussian mixture: K = {m.K}, d = {m.d}, n = {result.n:g}", pad=10 + 16 * rows)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_phase_diagram(diagram: PhaseDiagram, path: str | Path | None = None, ax=None,
                       log_x: bool = False, log_y: bool = False, boundaries: dict | None = None,
                       point: dict | None = None):
    """Draw the regimes of a :class:`~theory.phase_diagram.PhaseDiagram` (optionally save it).

    The drawing is :meth:`theory.phase_diagram.PhaseDiagram.plot` (one drawing code): the regions
    are filled between the analytic curves (smooth, no grid steps; by default those of
    :meth:`~theory.phase_diagram.PhaseDiagram.boundaries`) and :math:`t_S`, :math:`t_C` are drawn
    as labelled lines; ``point`` (``t``/``alpha`` or ``d``/``n``, and ``regime``) marks the user's
    own point, or with ``t`` None the user's dataset size as a horizontal line.

    Parameters
    ----------
    diagram : PhaseDiagram
        The regimes on a grid.
    path : str or Path, optional
        Save the figure there.
    ax : matplotlib Axes, optional
        Draw into these axes (default: a new figure).
    log_x, log_y : bool, default False
        Logarithmic axes.
    boundaries : dict, optional
        The analytic boundary curves, as ``regimes phase-diagram --json`` prints them (default:
        :meth:`theory.phase_diagram.PhaseDiagram.boundaries`).
    point : tuple or dict, optional
        The user's point: ``t`` and ``alpha`` (or ``d`` and ``n``) and its ``regime``; with ``t``
        None, the user's dataset size drawn as a horizontal line.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 1 and eqs. 4 and 10.
    """
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.8))
    else:
        fig = ax.figure
    diagram.plot(ax=ax, log_x=log_x, log_y=log_y, point=point, boundaries=boundaries)
    if path is not None:
        save_figure(fig, path)
    return fig
