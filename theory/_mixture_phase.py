"""Phase diagram of any model over (t, alpha): one boundary per speciation of the cascade plus the
collapse line.  Public through :mod:`theory.phase_diagram`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from . import _phase_plot as _plot
from ._mixture_collapse import collapse_time
from ._mixture_speciation import check_model, speciation_times
from .checks import check_array, check_scalar
from .files import atomic_path

__all__ = ["ModelPhaseDiagram", "model_phase_diagram"]

_MAX_LOG_N = 700.0    # n = e^{alpha d} must stay a finite float64


@dataclass(frozen=True)
class ModelPhaseDiagram:
    """Regimes of a model over OU time t (columns) and :math:`\\alpha = \\log(n)/d` (rows).

    Attributes
    ----------
    x_name, y_name : str
        Axis names (``x`` = t, ``y`` = alpha).
    x, y : ndarray
        Grid coordinates.
    regime : ndarray of int8, shape (len(y), len(x))
        ``1 + j`` where j speciations of the cascade have happened (t below j of the speciation
        times) and the dynamics has not collapsed; ``J + 2`` where it has collapsed (:math:`t < t_C`).
        With one speciation (J = 1) the codes are those of :class:`theory.phase_diagram.PhaseDiagram`:
        1 (regime I), 2 (II), 3 (III).
    n_speciated : ndarray of int8, same shape
        Number of speciations passed, j (also where collapsed).
    collapsed : ndarray of bool, same shape
        :math:`t < t_C(\\alpha)`.
    speciation_times : ndarray (J,)
        The cascade, decreasing (the vertical boundaries).
    collapse_times : ndarray (len(y),)
        :math:`t_C(\\alpha)` (the collapse boundary).
    t_speciation, t_collapse : ndarray, shape of ``regime``
        The first speciation time (NaN without classes) and :math:`t_C`, broadcast on the grid, as in
        :class:`~theory.phase_diagram.PhaseDiagram`.
    params : dict
        The model and the reading of t_S.
    citation : str
    model : object or None
        The model the diagram was computed for (its boundaries are recomputed from it on a fine
        grid by :meth:`boundaries`); None for a diagram built by hand.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 4 (``crit-spec``) and eq. 10
    (``tc_GM``), Fig. 1 (regimes I/II/III); the K-class cascade in ``docs/theory/models.md``.
    """

    x_name: str
    y_name: str
    x: np.ndarray
    y: np.ndarray
    regime: np.ndarray
    n_speciated: np.ndarray
    collapsed: np.ndarray
    speciation_times: np.ndarray
    collapse_times: np.ndarray
    t_speciation: np.ndarray
    t_collapse: np.ndarray
    params: dict = field(default_factory=dict)
    citation: str = ("Biroli et al. 2024, eq. 4 (crit-spec) per between-class direction and eq. 5 "
                     "(crit-coll) with the within-class spectrum")
    model: object = field(default=None, repr=False, compare=False)

    def regime_names(self) -> dict[int, str]:
        """Name of every regime code."""
        J = self.speciation_times.size
        names = {1: "before any speciation"}
        for j in range(1, J + 1):
            names[1 + j] = f"after speciation {j} of {J}, generalizing"
        names[J + 2] = "collapsed (memorizing)"
        return names

    def save(self, path: str | Path) -> Path:
        """Write the diagram to a ``.npz`` file atomically (temporary file, then rename)."""
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez(tmp, x=self.x, y=self.y, regime=self.regime, n_speciated=self.n_speciated,
                     collapsed=self.collapsed, speciation_times=self.speciation_times,
                     collapse_times=self.collapse_times, x_name=self.x_name, y_name=self.y_name,
                     params=repr(self.params), citation=self.citation)
        return Path(path)

    def boundaries(self, points: int = 400) -> dict:
        """The analytic boundaries on a fine grid: the speciation lines and the curve t_C(alpha).

        Parameters
        ----------
        points : int, default 400
            Points of the :math:`t_C` curve (``>= 2``), geometrically spaced between the grid's
            smallest and largest alpha; the curve is recomputed from the model
            (:func:`theory.collapse.collapse_time`), or read off the grid's rows when the diagram
            carries no model.

        Returns
        -------
        dict
            ``{"t_S": ndarray (J,), "t_C": {"alpha": ndarray, "t": ndarray}}``: the speciation
            times (decreasing; the vertical boundaries) and the collapse curve.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 4 and 5; the K-class
        cascade in ``docs/theory/models.md``.
        """
        pts = int(check_scalar(points, "points", lower=2, integer=True))
        if self.model is None:
            return {"t_S": self.speciation_times.copy(),
                    "t_C": {"alpha": self.y.copy(), "t": self.collapse_times.copy()}}
        alpha = np.geomspace(float(np.min(self.y)), float(np.max(self.y)), pts)
        tc = np.atleast_1d(np.asarray(collapse_time(self.model, np.exp(alpha * self.model.d)),
                                      dtype=np.float64))
        return {"t_S": self.speciation_times.copy(), "t_C": {"alpha": alpha, "t": tc}}

    def point(self, t: float, alpha: float) -> dict:
        """The regime and the times at one point (t, alpha).

        Parameters
        ----------
        t : float
            OU time, ``>= 0``.
        alpha : float
            :math:`\\alpha = \\log(n)/d` (within the range :func:`model_phase_diagram` accepts).

        Returns
        -------
        dict
            ``t``, ``alpha``, ``t_C`` (from the model, or interpolated on the grid's rows without
            one), ``n_speciated`` and ``regime`` (its name, :meth:`regime_names`).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 4 and 5, Fig. 1.
        """
        t = check_scalar(t, "t", lower=0.0)
        if self.model is None:
            alpha = check_scalar(alpha, "alpha", lower=0.0, lower_open=True)
            order = np.argsort(self.y)
            tc = float(np.interp(alpha, self.y[order], self.collapse_times[order]))
        else:
            d = self.model.d
            alpha = check_scalar(alpha, "alpha", lower=np.log(2.0) / d, upper=_MAX_LOG_N / d)
            tc = float(collapse_time(self.model, np.exp(alpha * d)))
        j = int(np.sum(t < self.speciation_times))
        code = self.speciation_times.size + 2 if t < tc else 1 + j
        return {"t": t, "alpha": alpha, "t_C": tc, "n_speciated": j,
                "regime": self.regime_names()[code]}

    def plot(self, ax=None, log_y: bool = False, point=None, boundaries: dict | None = None):
        """Draw the regimes: regions filled between the speciation lines and the t_C curve.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Draw into these axes (default: a new figure).
        log_y : bool, default False
            Logarithmic alpha axis.
        point : tuple (t, alpha) or dict, optional
            Mark this point (its regime goes in the legend); a dict as :meth:`point` returns.
        boundaries : dict, optional
            The curves to draw (default :meth:`boundaries`).

        Returns
        -------
        matplotlib Axes
            The axes drawn into.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 1, eqs. 4 and 5.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.8))
        b = self.boundaries() if boundaries is None else boundaries
        if point is not None and not isinstance(point, dict):
            point = self.point(*point)
        ts = np.asarray(b["t_S"], float)
        J = ts.size
        if J == 1:
            ts_labels = [rf"$t_S$ = {ts[0]:.3g}"]
        else:
            ts_labels = [rf"$t_{{S,{j + 1}}}$ = {v:.3g}" for j, v in enumerate(ts)]
        names = self.regime_names()
        _plot.draw_t_alpha(ax, b["t_C"]["alpha"], b["t_C"]["t"], ts, float(np.max(self.x)), names,
                           tc_label=r"$t_C(\alpha)$ (collapse, eq. 5)", ts_labels=ts_labels,
                           point=point)
        convention = self.params.get("convention", "lambda")
        _plot.finish(ax, f"Regimes of the backward dynamics ({J} speciation"
                         f"{'' if J == 1 else 's'}, t_S reading '{convention}')", False, log_y)
        return ax


def model_phase_diagram(model, t: ArrayLike, alpha: ArrayLike,
                        convention: str = "lambda") -> ModelPhaseDiagram:
    """Regimes of a model over a grid of OU time t and :math:`\\alpha = \\log(n)/d`.

    Parameters
    ----------
    model : GaussianMixture, Gaussian or LinearManifold
        A model of :mod:`theory.models` (LinearManifold with ``on_sphere=False``).
    t : array_like, 1-D
        OU times, ``t >= 0``.
    alpha : array_like, 1-D
        :math:`\\alpha = \\log(n)/d`, with :math:`\\log 2 \\le \\alpha d \\le 700` (n >= 2 and a
        finite float).
    convention : str, default "lambda"
        Reading of the speciation times (:func:`theory.speciation.speciation_times`).

    Returns
    -------
    ModelPhaseDiagram

    Raises
    ------
    TypeError
        If ``model`` is not a model object.
    ValueError
        For a bad grid or convention.

    Notes
    -----
    The backward dynamics at time t has passed the speciations :math:`t_{S,j} > t` of the cascade
    (:func:`theory.speciation.speciation_times`, one per between-class direction that rises above
    the noise) and has collapsed when :math:`t < t_C(\\alpha)`, the large-d condensation time
    (:func:`theory.collapse.collapse_time` with :math:`n = e^{\\alpha d}`; set by the within-class
    spectrum).  The boundaries are the vertical lines :math:`t = t_{S,j}` and the curve
    :math:`t_C(\\alpha)`.  A hierarchical mixture (super-classes split into sub-classes) has J = 2
    speciation lines and four regimes; a model without classes has J = 0 and two.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 4 (``crit-spec``), eq. 5
    (``crit-coll``), eq. 10 and Fig. 1 (three regimes); ``docs/theory/dynamical-regimes.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.models import GaussianMixture
    >>> from theory.phase_diagram import model_phase_diagram
    >>> u, v = np.eye(64)[0] * 8.0, np.eye(64)[1] * 2.0
    >>> gm = GaussianMixture([u + v, u - v, -u + v, -u - v])
    >>> pd = model_phase_diagram(gm, [0.05, 0.5, 1.5, 3.0], [0.3])
    >>> pd.regime.tolist()                    # collapsed, 2 speciations, 1, none
    [[4, 3, 2, 1]]
    """
    check_model(model)
    ta = check_array(t, "t", lower=0.0, ndim=1)
    al = check_array(alpha, "alpha", lower=np.log(2.0) / model.d, ndim=1, upper=_MAX_LOG_N / model.d)
    ts = speciation_times(model, convention)
    tc = np.atleast_1d(np.asarray(collapse_time(model, np.exp(al * model.d)), dtype=np.float64))
    n_spec = (ta[None, :, None] < ts[None, None, :]).sum(axis=-1)
    n_spec = np.broadcast_to(n_spec, (al.size, ta.size)).astype(np.int8)
    collapsed = ta[None, :] < tc[:, None]
    regime = np.where(collapsed, ts.size + 2, 1 + n_spec).astype(np.int8)
    shape = regime.shape
    first = ts[0] if ts.size else np.nan
    return ModelPhaseDiagram("t (OU time)", "alpha = log(n)/d", ta, al, regime, n_spec, collapsed,
                             ts, tc, np.full(shape, first), np.broadcast_to(tc[:, None], shape).copy(),
                             {"model": repr(model), "convention": convention}, model=model)
