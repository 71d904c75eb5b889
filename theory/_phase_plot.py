"""Drawing of the phase diagrams: regions filled between the analytic boundary curves (no grid
steps), the boundaries as labelled lines, and an optional user point.  The one drawing code of
:meth:`theory.phase_diagram.PhaseDiagram.plot`, :meth:`theory.phase_diagram.ModelPhaseDiagram.plot`
and :func:`regimes.figures.plot_phase_diagram`.  matplotlib is imported by the caller's axes only
(nothing here imports it at module level), so ``import theory`` stays numpy-only."""

from __future__ import annotations

import numpy as np

#: colours of regime I (noise), the speciated regimes (greens, light to deep) and the collapse
_NOISE_COLOR = "#d9e6f2"
_COLLAPSE_COLOR = "#f5c6b3"
_GREENS = ("#b7e0b7", "#8fcf8f", "#6dbb6d", "#4fa64f", "#3a8f3a")

#: the symmetric mixture's regime names in the figures
REGION_TEXT = {1: "I  noise (before speciation)", 2: "II  speciated, generalizing",
               3: "III  collapsed, memorizing"}


def region_colors(n_speciations: int) -> dict[int, str]:
    """Colour of every regime code 1 .. J + 2 (J speciation lines)."""
    J = int(n_speciations)
    colors = {1: _NOISE_COLOR, J + 2: _COLLAPSE_COLOR}
    for j in range(1, J + 1):
        colors[1 + j] = _GREENS[min(j - 1, len(_GREENS) - 1)]
    return colors


def draw_t_alpha(ax, alpha, t_collapse, speciation_times, t_max: float, names: dict[int, str], *,
                 tc_label: str, ts_labels: list[str], point: dict | None = None) -> None:
    """Regions over (t, alpha) bounded by the curve :math:`t_C(\\alpha)` and the vertical lines
    :math:`t = t_{S,j}` (decreasing), with the lines labelled and the user's point marked.

    Regime code ``1 + j`` is the band with j speciations passed, not collapsed; ``J + 2`` is
    :math:`t < t_C(\\alpha)`.
    """
    alpha = np.asarray(alpha, float)
    tc = np.asarray(t_collapse, float)
    ts = np.sort(np.asarray(speciation_times, float)[np.isfinite(speciation_times)])[::-1]
    J = ts.size
    colors = region_colors(J)
    edges = [t_max, *np.minimum(ts, t_max), 0.0]
    for j in range(J + 1):                      # band j: ts[j] < t < ts[j - 1], j speciations passed
        hi, lo = edges[j], edges[j + 1]
        left = np.clip(np.maximum(tc, lo), 0.0, t_max)
        where = left < hi
        if hi > lo and np.any(where):
            ax.fill_betweenx(alpha, left, hi, where=where, interpolate=True, color=colors[1 + j],
                             lw=0, label=names[1 + j])
    ax.fill_betweenx(alpha, 0.0, np.clip(tc, 0.0, t_max), color=colors[J + 2], lw=0,
                     label=names[J + 2])
    ax.plot(tc, alpha, color="C3", lw=2, label=tc_label)
    for tsj, lab in zip(ts, ts_labels, strict=True):
        ax.axvline(tsj, color="C0", lw=2 if J == 1 else 1.5, ls="-" if J == 1 else "--", label=lab)
    ax.set_xlim(0.0, t_max)
    ax.set_ylim(float(alpha.min()), float(alpha.max()))
    ax.set_xlabel("OU time t (generation runs from right to left)")
    ax.set_ylabel(r"$\alpha = \log(n)/d$")
    if point is not None:
        mark_point(ax, point, "t", "alpha")


def draw_d_n(ax, b: dict, d_range: tuple[float, float], n_range: tuple[float, float],
             point: dict | None = None) -> None:
    """Regions over (d, n) at fixed t bounded by :math:`t_C(d, n) = t` (a curve :math:`n_C(d)`) and
    :math:`t_S(d) = t` (a vertical line), both labelled, and the user's point."""
    d = np.asarray(b["t_C"]["d"], float)
    n_c = np.asarray(b["t_C"]["n"], float)
    n_lo, n_hi = n_range
    top = np.clip(n_c, n_lo, n_hi)
    ds = b["t_S"]["d"]
    colors = region_colors(1)
    before = d <= ds if ds is not None else np.ones(d.shape, bool)
    ax.fill_between(d, top, n_hi, where=before, color=colors[1], lw=0, interpolate=True,
                    label=REGION_TEXT[1])
    if ds is not None:
        ax.fill_between(d, top, n_hi, where=~before, color=colors[2], lw=0, interpolate=True,
                        label=REGION_TEXT[2])
    ax.fill_between(d, n_lo, top, color=colors[3], lw=0, label=REGION_TEXT[3])
    finite = np.isfinite(n_c) & (n_c <= n_hi * 1.01)
    ax.plot(d[finite], n_c[finite], color="C3", lw=2,
            label=r"$t_C(d, n) = t$: $\log n = \frac{d}{2}\log[1 + \sigma^2/(e^{2t} - 1)]$ (eq. 10)")
    if ds is not None:
        ax.axvline(ds, color="C0", lw=2,
                   label=rf"$t_S(d) = t$: $d = e^{{2t}}/\tilde\mu^2$ = {ds:.3g} (eq. 4)")
    ax.set_xlim(*d_range)
    ax.set_ylim(n_lo, n_hi)
    ax.set_xlabel("dimension d")
    ax.set_ylabel("number of training points n")
    if point is not None:
        mark_point(ax, point, "d", "n")


def mark_point(ax, point: dict, xkey: str, ykey: str) -> None:
    """The user's point (a star, its regime in the legend) or dataset size (a horizontal line)."""
    if point.get("t") is None:            # t-alpha with n only: a line at alpha = log(n)/d
        ax.axhline(point["alpha"], color="k", lw=1.2, ls="--",
                   label=rf"your n = {point['n']:g}: $\alpha$ = {point['alpha']:.3g}")
        return
    x, y = point[xkey], point[ykey]
    ax.plot([x], [y], marker="*", ms=14, color="gold", mec="k", mew=1.0, ls="none",
            label=f"your point ({xkey} = {x:g}, {ykey} = {y:.3g}): regime {point['regime']}")


def finish(ax, title: str, log_x: bool, log_y: bool) -> None:
    """Scales, title, and the legend outside the axes (to the right), covering no region."""
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
