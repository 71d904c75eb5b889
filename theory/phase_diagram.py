"""Phase diagrams of the Gaussian mixture: regimes I (noise), II (speciated, generalizing) and
III (collapsed, memorizing) over (t, alpha) or over (d, n).

Examples
--------
>>> from theory.phase_diagram import classify
>>> print(classify([0.5, 2.0, 4.0], t_speciation=2.77, t_collapse=1.30).tolist())
[3, 2, 1]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from . import _phase_plot as _plot
from ._gm_collapse import _collapse_time_of_alpha
from ._mixture_phase import ModelPhaseDiagram as ModelPhaseDiagram
from ._mixture_phase import model_phase_diagram as model_phase_diagram
from .checks import check_array, check_scalar
from .files import atomic_path
from .gaussian_mixture import collapse_time, speciation_time
from .timemap import ve_variance

__all__ = ["PhaseDiagram", "ModelPhaseDiagram", "model_phase_diagram", "REGIME_NAMES", "classify",
           "phase_diagram_t_alpha",           "phase_diagram_d_n"]

REGIME_NAMES = {1: "I (before speciation)", 2: "II (speciated, generalizing)",
                3: "III (collapsed, memorizing)"}


def classify(t: ArrayLike, t_speciation: ArrayLike, t_collapse: ArrayLike) -> np.ndarray:
    """Regime of the backward dynamics at OU time t: 3 if t < t_C, else 2 if t < t_S, else 1.

    The rule handles :math:`t_C \\ge t_S` (no regime II: the trajectories collapse before any
    speciation is seen) without a special case, and a NaN :math:`t_S` (no speciation time exists,
    the package's "not found" value inside a grid) gives no regime II.

    Parameters
    ----------
    t : array_like
        OU time(s).
    t_speciation, t_collapse : array_like
        :math:`t_S` and :math:`t_C` (broadcast against ``t``; a NaN :math:`t_S` means no speciation).

    Returns
    -------
    ndarray of int8
        1, 2 or 3, broadcast shape of the inputs.

    References
    ----------
    Biroli et al. (2024), Fig. 1 and sec. "Three regimes".
    docs/theory/dynamical-regimes.md secs. 2.1 and 3.1.
    """
    t, ts, tc = np.broadcast_arrays(np.asarray(t, float), np.asarray(t_speciation, float),
                                    np.asarray(t_collapse, float))
    return np.where(t < tc, 3, np.where(t < ts, 2, 1)).astype(np.int8)


@dataclass(frozen=True)
class PhaseDiagram:
    """Regimes on a 2-D grid, ready to plot or save.

    Attributes
    ----------
    x_name, y_name : str
        Names of the grid axes (columns ``x``, rows ``y``).
    x, y : ndarray
        Grid coordinates.
    regime : ndarray of int8, shape (len(y), len(x))
        1, 2 or 3 (see :data:`REGIME_NAMES`).
    t_speciation, t_collapse : ndarray
        The two times on the grid (broadcast to ``regime``'s shape).
    params : dict
        The fixed parameters.
    citation : str
        Where the numbers come from.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eqs. 4 and 10, Fig. 1 (the three regimes).
    docs/theory/dynamical-regimes.md secs. 2.1 and 3.1.
    """

    x_name: str
    y_name: str
    x: np.ndarray
    y: np.ndarray
    regime: np.ndarray
    t_speciation: np.ndarray
    t_collapse: np.ndarray
    params: dict = field(default_factory=dict)
    citation: str = ("Biroli et al. 2024, eq. 4 (crit-spec, t_S = 1/2 log(d mu~^2)) and "
                     "eq. 10 (tc_GM)")

    def has_regime_two(self) -> np.ndarray:
        """Boolean mask of the grid points whose parameters give :math:`t_C < t_S`."""
        return self.t_collapse < self.t_speciation

    def save(self, path: str | Path) -> Path:
        """Write the diagram to a ``.npz`` file atomically (temporary file, then rename)."""
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez(tmp, x=self.x, y=self.y, regime=self.regime, t_speciation=self.t_speciation,
                     t_collapse=self.t_collapse, x_name=self.x_name, y_name=self.y_name,
                     params=repr(self.params), citation=self.citation)
        return Path(path)

    @property
    def over(self) -> str:
        """``"t-alpha"`` (columns t, rows alpha at fixed d) or ``"d-n"`` (columns d, rows n at fixed t)."""
        return "t-alpha" if self.x_name.startswith("t") else "d-n"

    def boundaries(self, points: int = 400) -> dict:
        r"""The analytic boundaries of the regimes on a fine geometric grid spanning the diagram.

        Parameters
        ----------
        points : int, default 400
            Points of the :math:`t_C` curve (``>= 2``), geometrically spaced between the smallest
            and the largest alpha (t-alpha) or d (d-n) of the grid.

        Returns
        -------
        dict
            Over (t, alpha): ``{"t_S": float or None, "t_C": {"alpha": ndarray, "t": ndarray}}``
            (:math:`t_S` is a vertical line; None without speciation, :math:`d\tilde\mu^2 \le 1`).
            Over (d, n) at fixed t: ``{"t_S": {"d": float or None}, "t_C": {"d": ndarray,
            "n": ndarray, "log_n": ndarray}}``: the d at which :math:`t_S(d) = t` (None if
            :math:`t_S(d) < t` for every :math:`d \ge 1`) and the n below which :math:`t < t_C(d,
            n)` (regime III), set to inf where it exceeds the grid's largest n by more than a
            factor e.

        Notes
        -----
        Over (t, alpha): :math:`t_S = \tfrac12\log(d\tilde\mu^2)` and
        :math:`t_C(\alpha) = \tfrac12\log(1 + \sigma^2/s(\alpha))`, :math:`s(t) = e^{2t} - 1`
        (:func:`theory.timemap.ve_variance`).  Over (d, n), inverting them at fixed t:
        :math:`d_S = (1 + s(t))/\tilde\mu^2` and :math:`\log n_C = \tfrac d2\log(1 + \sigma^2/s(t))`.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 4 and 10.
        docs/theory/dynamical-regimes.md secs. 2.2 and 3.2.

        Examples
        --------
        >>> import numpy as np
        >>> pd = phase_diagram_t_alpha(np.linspace(0, 5, 3), np.geomspace(0.01, 1, 3), d=1024)
        >>> b = pd.boundaries(points=5)
        >>> round(b["t_S"], 4), b["t_C"]["t"].shape
        (3.4657, (5,))
        """
        pts = int(check_scalar(points, "points", lower=2, integer=True))
        mu, sig = self.params["mu_tilde"], self.params["sigma"]
        if self.over == "t-alpha":
            alpha = np.geomspace(float(np.min(self.y)), float(np.max(self.y)), pts)
            ts = float(_t_s(self.params["d"], mu))
            return {"t_S": ts if math.isfinite(ts) else None,
                    "t_C": {"alpha": alpha, "t": np.asarray(_collapse_time_of_alpha(alpha, sig))}}
        d = np.geomspace(float(np.min(self.x)), float(np.max(self.x)), pts)
        log_n_max = math.log(float(np.max(self.y))) + 1.0
        s = float(ve_variance(self.params["t"]))
        d_s = (1.0 + s) / mu**2
        with np.errstate(divide="ignore"):
            log_nc = 0.5 * d * np.log1p(sig**2 / s) if s > 0 else np.full(d.shape, np.inf)
        n_c = np.exp(np.minimum(log_nc, log_n_max))       # clipped just above the plot
        n_c[log_nc > log_n_max] = np.inf
        return {"t_S": {"d": d_s if d_s >= 1.0 else None},
                "t_C": {"d": d, "n": n_c, "log_n": log_nc}}

    def point(self, x: float, y: float) -> dict:
        """The regime and the two times at one point of the diagram's plane.

        Parameters
        ----------
        x, y : float
            ``t`` and ``alpha`` (t-alpha diagram) or ``d`` and ``n`` (d-n diagram, at its fixed t).

        Returns
        -------
        dict
            The coordinates (``t``, ``alpha``; or ``t``, ``d``, ``n``, ``alpha = log(n)/d``),
            ``t_S`` (NaN without speciation), ``t_C`` and ``regime`` ("I", "II" or "III").

        References
        ----------
        Biroli et al. (2024), arXiv:2402.18491, eqs. 4 and 10, Fig. 1.
        """
        mu, sig = self.params["mu_tilde"], self.params["sigma"]
        if self.over == "t-alpha":
            t = check_scalar(x, "t", lower=0.0)
            alpha = check_scalar(y, "alpha", lower=0.0, lower_open=True)
            ts = float(_t_s(self.params["d"], mu))
            tc = float(_collapse_time_of_alpha(np.float64(alpha), sig))
            out = {"t": t, "alpha": alpha}
        else:
            dd = check_scalar(x, "d", lower=1.0)
            n = check_scalar(y, "n", lower=2.0)
            t = self.params["t"]
            ts, tc = float(_t_s(dd, mu)), float(collapse_time(dd, n, sig))
            out = {"t": t, "d": dd, "n": n, "alpha": math.log(n) / dd}
        out.update(t_S=ts, t_C=tc, regime="I" * int(classify(t, ts, tc)))
        return out

    def plot(self, ax=None, log_x: bool = False, log_y: bool = False, point=None,
             boundaries: dict | None = None):
        """Draw the regimes: regions filled between the analytic curves, labelled t_S and t_C lines.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into these axes (default: a new figure).
        log_x, log_y : bool, default False
            Logarithmic axes.
        point : tuple of two floats or dict, optional
            Mark this point: ``(t, alpha)`` or ``(d, n)`` (its regime goes in the legend), or a dict
            as :meth:`point` returns (with ``t`` None and ``n``, ``alpha`` given: the dataset size as a
            horizontal line on the t-alpha diagram).
        boundaries : dict, optional
            The curves to draw (default :meth:`boundaries`).

        Returns
        -------
        matplotlib Axes
            The axes drawn into.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 1 and eqs. 4 and 10.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.8))
        b = self.boundaries() if boundaries is None else boundaries
        if point is not None and not isinstance(point, dict):
            point = self.point(*point)
        if self.over == "t-alpha":
            ts = b["t_S"]
            _plot.draw_t_alpha(
                ax, b["t_C"]["alpha"], b["t_C"]["t"], [] if ts is None else [ts],
                float(np.max(self.x)), _plot.REGION_TEXT if ts is not None else
                {1: _plot.REGION_TEXT[1], 2: _plot.REGION_TEXT[3]},
                tc_label=r"$t_C(\alpha) = \frac{1}{2}\log[1 + \sigma^2/(e^{2\alpha} - 1)]$ (eq. 10)",
                ts_labels=[] if ts is None else
                [rf"$t_S = \frac{{1}}{{2}}\log(d\tilde\mu^2)$ = {ts:.3g} (eq. 4)"], point=point)
        else:
            _plot.draw_d_n(ax, b, (float(np.min(self.x)), float(np.max(self.x))),
                           (float(np.min(self.y)), float(np.max(self.y))), point=point)
        fixed = ", ".join(f"{k} = {v:g}" for k, v in self.params.items())
        _plot.finish(ax, f"Regimes of the backward dynamics (Gaussian mixture; {fixed})", log_x, log_y)
        return ax


def _t_s(d, mu_tilde):
    """The paper's t_S where it exists (d mu~^2 > 1), NaN elsewhere (no speciation, no regime II)."""
    d = np.asarray(d, dtype=float)
    out = np.full(d.shape, np.nan)
    with np.errstate(divide="ignore"):
        ok = np.log(d) + 2.0 * np.log(np.float64(mu_tilde)) > 0.0     # d mu~^2 > 1, in logs
    out[ok] = speciation_time(d[ok], mu_tilde)
    return out if out.ndim else float(out)


def phase_diagram_t_alpha(t: ArrayLike, alpha: ArrayLike, d: float, mu_tilde: float = 1.0,
                          sigma: float = 1.0) -> PhaseDiagram:
    """Regimes over a grid of OU time t (columns) and :math:`\\alpha = \\log(n)/d` (rows) at fixed d.

    Parameters
    ----------
    t : array_like, shape (T,)
        OU times (columns), ``t > 0``.
    alpha : array_like, shape (A,)
        :math:`\\alpha = \\log(n)/d` values (rows), ``alpha > 0``.
    d : float
        Dimension, ``d >= 1``.
    mu_tilde : float, default 1.0
        Mean per coordinate of the symmetric mixture, :math:`|m|^2 = d\\tilde\\mu^2`.
    sigma : float, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    PhaseDiagram
        Regime, :math:`t_S` and :math:`t_C` on the (alpha, t) grid.

    Notes
    -----
    :math:`t_S = \\tfrac12\\log(d\\tilde\\mu^2)` (:func:`theory.gaussian_mixture.speciation_time`;
    NaN if :math:`d\\tilde\\mu^2 \\le 1`: no speciation, no regime II) and, exactly in terms of
    alpha (:math:`n^{2/d} = e^{2\\alpha}`), :math:`t_C = \\tfrac12\\log(1 + \\sigma^2/(e^{2\\alpha} - 1))`
    (:func:`theory.gaussian_mixture.collapse_time`).

    References
    ----------
    Biroli et al. (2024), eqs. 4 and 10.
    docs/theory/dynamical-regimes.md secs. 2.2 and 3.2.
    """
    ta = check_array(t, "t", lower=0.0, ndim=1)
    al = check_array(alpha, "alpha", lower=0.0, lower_open=True, ndim=1)
    d = check_scalar(d, "d", lower=1.0)
    mu = check_scalar(mu_tilde, "mu_tilde", lower=0.0, lower_open=True)
    sig = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
    tc = _collapse_time_of_alpha(al, sig)
    ts = _t_s(d, mu)
    shape = (al.size, ta.size)
    regime = classify(ta[None, :], ts, tc[:, None])
    return PhaseDiagram("t (OU time)", "alpha = log(n)/d", ta, al, regime,
                        np.full(shape, ts), np.broadcast_to(tc[:, None], shape).copy(),
                        {"d": d, "mu_tilde": mu, "sigma": sig})


def phase_diagram_d_n(d: ArrayLike, n: ArrayLike, t: float, mu_tilde: float = 1.0,
                      sigma: float = 1.0) -> PhaseDiagram:
    """Regime at a fixed OU time t over a grid of dimension d (columns) and dataset size n (rows).

    Parameters
    ----------
    d : array_like, shape (D,)
        Dimensions (columns), ``d >= 1``.
    n : array_like, shape (N,)
        Dataset sizes (rows), ``n >= 2``.
    t : float
        OU time, ``t > 0``.
    mu_tilde : float, default 1.0
        Mean per coordinate of the symmetric mixture.
    sigma : float, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    PhaseDiagram
        Regime, :math:`t_S` and :math:`t_C` on the (n, d) grid.

    References
    ----------
    Biroli et al. (2024), eqs. 4 and 10 (the curse of dimensionality: t_C rises with d at fixed n).
    docs/theory/dynamical-regimes.md secs. 2.2 and 3.2.
    """
    dd = check_array(d, "d", lower=1.0, ndim=1)
    nn = check_array(n, "n", lower=2.0, ndim=1)
    t = check_scalar(t, "t", lower=0.0)
    mu = check_scalar(mu_tilde, "mu_tilde", lower=0.0, lower_open=True)
    sig = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
    tc = np.asarray(collapse_time(dd[None, :], nn[:, None], sig))
    ts = np.broadcast_to(_t_s(dd, mu)[None, :], tc.shape).copy()
    return PhaseDiagram("d", "n", dd, nn, classify(t, ts, tc), ts, tc,
                        {"t": t, "mu_tilde": mu, "sigma": sig})
