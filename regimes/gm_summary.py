"""One call that solves the regimes of a Gaussian mixture: every time, alpha, and the curves.

:func:`solve_gaussian_mixture` solves the paper's symmetric two-class mixture with its closed forms;
:func:`solve_mixture` solves any :class:`theory.models.GaussianMixture` (K classes, any weights,
isotropic or diagonal class covariance, optional super-classes) with the model-level solvers: the
speciation cascade, the model-level t_C and the exact finite-d phi.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from theory.checks import check_scalar
from theory.citation import citation
from theory.collapse import class_information
from theory.collapse import collapse_time as model_collapse_time
from theory.collapse import excess_entropy as model_excess_entropy
from theory.gaussian_mixture import (
    alpha,
    collapse_time,
    excess_entropy,
    phi,
    speciation_time,
    t_star,
)
from theory.models import GaussianMixture
from theory.speciation import phi as model_phi
from theory.speciation import speciation_directions, speciation_times

__all__ = ["GaussianMixtureRegimes", "solve_gaussian_mixture", "MixtureRegimes", "solve_mixture"]


@dataclass(frozen=True)
class GaussianMixtureRegimes:
    """Solved times of the symmetric Gaussian mixture, with their sources.

    Attributes
    ----------
    d, n, mu_tilde, sigma : float
        Parameters.
    alpha : float
        :math:`\\log(n)/d`.
    t_speciation : float
        Paper's :math:`t_S = \\tfrac12\\log(d\\tilde\\mu^2)`.
    t_speciation_conventions : dict
        :math:`\\tfrac12\\log\\Lambda` and :math:`\\tfrac12\\log(\\Lambda+1)`,
        :math:`\\Lambda = d\\tilde\\mu^2 + \\sigma^2`.
    t_star : float
        Curvature time of the regime-I potential.
    t_collapse : float
        :math:`t_C` (eq. 10).
    phi_at_t_speciation : float
        :math:`\\phi(t_S)` (0.775200 when :math:`\\sigma = \\tilde\\mu = 1`).
    has_regime_two : bool
        ``t_C < t_S``: a window where the dynamics has speciated but not collapsed.
    sources : dict
        Paper and equation behind each number.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eqs. 4, 6, 7-8 and 10.
    docs/theory/dynamical-regimes.md secs. 2.2 and 3.2.
    """

    d: float
    n: float
    mu_tilde: float
    sigma: float
    alpha: float
    t_speciation: float
    t_speciation_conventions: dict
    t_star: float
    t_collapse: float
    phi_at_t_speciation: float
    has_regime_two: bool
    sources: dict = field(default_factory=dict)

    def curves(self, t: np.ndarray | None = None, finite_d: bool = True) -> dict[str, np.ndarray]:
        """phi(t) and f^e(t)/alpha (paper's curve and, with ``finite_d``, the corrected one)."""
        if t is None:
            t_hi = 1.6 * max(self.t_speciation, self.t_collapse, 0.5)
            t = np.linspace(t_hi / 400, t_hi, 400)
        out = {
            "t": t,
            "phi": phi(t, self.d, self.mu_tilde, self.sigma),
            "fe_over_alpha": excess_entropy(t, self.d, self.n, self.mu_tilde, self.sigma)
            / self.alpha,
        }
        if finite_d:
            out["fe_over_alpha_finite_d"] = excess_entropy(
                t, self.d, self.n, self.mu_tilde, self.sigma, finite_d=True) / self.alpha
        return out

    def to_dict(self) -> dict:
        """Plain dictionary (JSON-serialisable)."""
        return asdict(self)


def solve_gaussian_mixture(d: float, n: float, mu_tilde: float = 1.0,
                           sigma: float = 1.0) -> GaussianMixtureRegimes:
    """Solve t_S, t*, t_C, alpha and phi(t_S) of a Gaussian mixture.

    Parameters
    ----------
    d : float
        Dimension, ``d >= 1`` with :math:`d\\tilde\\mu^2 > 1`.
    n : float
        Number of training points, ``n >= 2``.
    mu_tilde : float, default 1
        :math:`|m|^2 = d\\tilde\\mu^2`, ``mu_tilde > 0``.
    sigma : float, default 1
        Cluster standard deviation, ``sigma > 0``.

    Returns
    -------
    GaussianMixtureRegimes
        The times, alpha and phi(t_S), with the equations they come from.

    Raises
    ------
    ValueError
        For a parameter out of range, or :math:`d\\tilde\\mu^2 \\le 1` (no positive speciation time).

    References
    ----------
    Biroli et al. (2024), eqs. 4, 6, 7-8, 10.
    docs/theory/dynamical-regimes.md secs. 2.2 and 3.2.

    Examples
    --------
    >>> from regimes.gm_summary import solve_gaussian_mixture
    >>> r = solve_gaussian_mixture(1024, 20000)
    >>> round(r.t_speciation, 5), round(r.t_collapse, 5)
    (3.46574, 1.97755)
    """
    d = check_scalar(d, "d", lower=1.0)
    n = check_scalar(n, "n", lower=2.0)
    mu_tilde = check_scalar(mu_tilde, "mu_tilde", lower=0.0, lower_open=True)
    sigma = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
    log10_signal = float(np.log10(d) + 2.0 * np.log10(mu_tilde))
    if not log10_signal > 0.0:
        shown = f"{10.0**log10_signal:.4g}" if log10_signal > -300 else f"10^{log10_signal:.4g}"
        raise ValueError(f"d and mu_tilde must have d mu_tilde^2 > 1 for a positive speciation time "
                         f"t_S = 1/2 log(d mu~^2) (eq. 4) (got d = {d:g}, mu_tilde = {mu_tilde:g}: "
                         f"d mu~^2 = {shown}); below it the classes never separate")
    ts = speciation_time(d, mu_tilde, sigma)
    tc = collapse_time(d, n, sigma)
    funs = [alpha, speciation_time, t_star, collapse_time, phi]
    names = [f.__name__ for f in funs]
    return GaussianMixtureRegimes(
        d=d, n=n, mu_tilde=mu_tilde, sigma=sigma,
        alpha=alpha(d, n),
        t_speciation=ts,
        t_speciation_conventions={
            "lambda": speciation_time(d, mu_tilde, sigma, "lambda"),
            "lambda_plus_one": speciation_time(d, mu_tilde, sigma, "lambda_plus_one"),
        },
        t_star=t_star(d, mu_tilde),
        t_collapse=tc,
        phi_at_t_speciation=phi(ts, d, mu_tilde, sigma),
        has_regime_two=bool(tc < ts),
        sources={name: citation(fun) for name, fun in zip(names, funs, strict=True)},
    )


#: readings of the cascade kept in the JSON summary (the text prints the first)
CASCADE_CONVENTIONS = ("lambda", "paper", "lambda_plus_one")
#: quasi-Monte-Carlo sizes for the drawn curves when the centred means span r >= 2 dimensions (the
#: quadrature of theory.speciation.phi is exact there but slow on a fine grid of times); the same
#: scrambled points serve every t, so the curves are smooth (error about 3e-5 on phi)
CURVE_QMC = {"method": "qmc", "n_points": 2048, "replicates": 4}


def _floats(a) -> list:
    """A list of floats with NaN as None (JSON null)."""
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype=float).ravel()]


@dataclass(frozen=True)
class MixtureRegimes:
    """Solved regimes of a K-class Gaussian mixture, from the model-level solvers, with sources.

    Attributes
    ----------
    model : theory.models.GaussianMixture
    n : float
        Number of training points.
    alpha : float
        :math:`\\log(n)/d`.
    groups : ndarray of int (K,) or None
        Super-class of every class (labels 0..G-1), for the super-class phi.
    speciation_times : ndarray (J,)
        The cascade, decreasing, in the ``"lambda"`` reading :math:`\\tfrac12\\log(\\lambda_j + s_j)`
        (:func:`theory.speciation.speciation_times`); empty when no direction speciates.
    between_class_eigenvalues, class_variances : ndarray (J,)
        :math:`\\lambda_j` (between-class covariance eigenvalue) and :math:`s_j` (class variance along
        its eigenvector) of each time.
    speciation_conventions : dict
        The cascade in the readings of :data:`CASCADE_CONVENTIONS`.
    t_collapse : float
        Model-level :math:`t_C` (:func:`theory.collapse.collapse_time`).
    phi_at_speciation, phi_stderr_at_speciation : ndarray (J,)
        :math:`\\phi(t_{S,j})` and its quasi-Monte-Carlo standard error (0 for the quadratures).
    phi_groups_at_speciation, phi_groups_stderr_at_speciation : ndarray (J,) or None
        The same for the super-classes.
    phi_floor, phi_groups_floor : float
        :math:`\\phi(\\infty) = \\sum_k w_k^2` (and :math:`\\sum_g w_g^2`).
    description : dict
        How the means and the class covariance were given (for the printout and the JSON).
    sources : dict
        Paper and equation behind each number, keyed by field (``alpha``, ``speciation_times``,
        ``t_collapse``, ``phi``; ``fe_over_alpha`` and ``class_information`` for the figure).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 4, 5, 6 and 10, generalised to
    K classes in ``docs/theory/models.md``.
    """

    model: GaussianMixture
    n: float
    alpha: float
    groups: np.ndarray | None
    speciation_times: np.ndarray
    between_class_eigenvalues: np.ndarray
    class_variances: np.ndarray
    speciation_conventions: dict
    t_collapse: float
    phi_at_speciation: np.ndarray
    phi_stderr_at_speciation: np.ndarray
    phi_groups_at_speciation: np.ndarray | None
    phi_groups_stderr_at_speciation: np.ndarray | None
    phi_floor: float
    phi_groups_floor: float | None
    description: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)

    @property
    def has_regime_two(self) -> bool:
        """``t_C`` below the first speciation time: the dynamics speciates before it collapses."""
        return bool(self.speciation_times.size and self.t_collapse < self.speciation_times[0])

    def curves(self, t: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """phi(t) of the classes (and super-classes) and the K-class f^e(t)/alpha on a grid of t.

        Where the centred means span r >= 2 dimensions the curves use the quasi-Monte-Carlo rule of
        :func:`theory.speciation.phi` with :data:`CURVE_QMC` (the same points at every t; above
        K = 10 classes fewer points per scrambling, down to 256, to keep the cost); f^e is
        :func:`theory.collapse.excess_entropy` with the class information of
        :func:`theory.collapse.class_information` evaluated by the same rule.
        """
        m = self.model
        if t is None:
            first = float(self.speciation_times[0]) if self.speciation_times.size else 0.0
            t_hi = 1.6 * max(first, self.t_collapse, 0.5)
            t = np.linspace(t_hi / 240, t_hi, 240)
        kw = {}
        if speciation_directions(m)[0].size >= 2:
            # the cost grows as K^2 n_points: above K = 10 fewer points (at least 256 per scrambling)
            n_points = CURVE_QMC["n_points"]
            while n_points > 256 and m.K**2 * n_points > 100 * CURVE_QMC["n_points"]:
                n_points //= 2
            kw = {**CURVE_QMC, "n_points": n_points}
        out = {"t": t, "phi": model_phi(t, m, **kw)}
        if self.groups is not None:
            out["phi_groups"] = model_phi(t, m, groups=self.groups, **kw)
        fe = model_excess_entropy(t, m, self.n, finite_d=False) - class_information(t, m, **kw) / m.d
        out["fe_over_alpha"] = np.maximum(fe, 0.0) / self.alpha
        return out

    def to_dict(self) -> dict:
        """Plain dictionary (JSON-serialisable; a time that does not exist is null)."""
        m = self.model
        cascade = []
        for j, ts in enumerate(self.speciation_times):
            row = {"j": j + 1, "t_speciation": float(ts),
                   "between_class_eigenvalue": float(self.between_class_eigenvalues[j]),
                   "class_variance": float(self.class_variances[j]),
                   "phi": float(self.phi_at_speciation[j]),
                   "phi_stderr": float(self.phi_stderr_at_speciation[j])}
            if self.phi_groups_at_speciation is not None:
                row["phi_groups"] = float(self.phi_groups_at_speciation[j])
                row["phi_groups_stderr"] = float(self.phi_groups_stderr_at_speciation[j])
            cascade.append(row)
        return {
            "K": m.K, "d": m.d, "n": self.n, "weights": _floats(m.weights),
            "means": self.description.get("means"),
            "class_covariance": self.description.get("class_covariance"),
            "groups": None if self.groups is None else [int(g) for g in self.groups],
            "alpha": self.alpha,
            "speciation_convention": "lambda",
            "speciation_times": _floats(self.speciation_times),
            "cascade": cascade,
            "speciation_conventions": {k: _floats(v) for k, v in self.speciation_conventions.items()},
            "t_collapse": float(self.t_collapse),
            "has_regime_two": self.has_regime_two,
            "phi_floor": self.phi_floor,
            "phi_groups_floor": self.phi_groups_floor,
            "sources": dict(self.sources),
        }


def solve_mixture(model: GaussianMixture, n: float, groups=None,
                  description: dict | None = None) -> MixtureRegimes:
    """Solve the speciation cascade, t_C, alpha and phi at every t_S of a Gaussian mixture.

    Parameters
    ----------
    model : theory.models.GaussianMixture
        K classes, any weights, any class covariance.
    n : float
        Number of training points, ``n >= 2``.
    groups : array_like of int (K,), optional
        Super-class of every class: phi is also computed for the super-classes.
    description : dict, optional
        How the model was given (kept in the result for the printout).

    Returns
    -------
    MixtureRegimes

    Notes
    -----
    The cascade is :func:`theory.speciation.speciation_times` (``"lambda"`` reading: one time
    :math:`\\tfrac12\\log(\\lambda_j + s_j)` per between-class direction), :math:`t_C` is
    :func:`theory.collapse.collapse_time` (set by the within-class spectrum; eq. 10 for isotropic
    classes) and :math:`\\phi` is :func:`theory.speciation.phi` (exact at finite d; quasi-Monte-Carlo
    with a standard error when the centred means span more than 2 dimensions).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 4, 5, 6 and 10, generalised to
    K classes in ``docs/theory/models.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.models import GaussianMixture
    >>> from regimes.gm_summary import solve_mixture
    >>> u, v = np.eye(64)[0] * 8.0, np.eye(64)[1] * 2.0
    >>> r = solve_mixture(GaussianMixture([u + v, u - v, -u + v, -u - v]), 20000, groups=[0, 0, 1, 1])
    >>> r.speciation_times.round(4).tolist(), r.between_class_eigenvalues.round(9).tolist()
    ([2.0872, 0.8047], [64.0, 4.0])
    >>> round(r.t_collapse, 6)                 # eq. 10 at d = 64: the class means do not enter
    0.661802
    """
    if not isinstance(model, GaussianMixture):
        raise TypeError(f"model must be a theory.models.GaussianMixture (got {type(model).__name__})")
    n = check_scalar(n, "n", lower=2.0)
    ts = speciation_times(model, "lambda")
    lam, _, s = speciation_directions(model)
    order = np.argsort(-(lam + s), kind="stable")[:ts.size]       # the J directions of the times
    tc = float(model_collapse_time(model, n))
    w = np.asarray(model.weights)
    # equal times (a degenerate cascade, e.g. the simplex) are evaluated once
    rep = np.zeros(ts.size, dtype=np.int64)
    for j in range(1, ts.size):
        same = abs(ts[j] - ts[rep[j - 1]]) <= 1e-12 * max(1.0, abs(ts[j]))
        rep[j] = rep[j - 1] if same else j
    keep, back = np.unique(rep, return_inverse=True)

    def phi_at_times(grp):
        if not ts.size:
            return np.empty(0), np.empty(0)
        est = model_phi(ts[keep], model, groups=grp, return_error=True)
        return np.atleast_1d(est.value)[back], np.atleast_1d(est.stderr)[back]

    phi_v, phi_e = phi_at_times(None)
    phi_g = phi_ge = floor_g = None
    grp = None
    if groups is not None:
        grp = np.unique(np.asarray(groups, dtype=np.int64), return_inverse=True)[1]
        phi_g, phi_ge = phi_at_times(grp)
        floor_g = float((np.bincount(grp, weights=w) ** 2).sum())
    funs = {"alpha": alpha, "speciation_times": speciation_times, "t_collapse": model_collapse_time,
            "phi": model_phi, "fe_over_alpha": model_excess_entropy,
            "class_information": class_information}
    return MixtureRegimes(
        model=model, n=n, alpha=alpha(model.d, n), groups=grp,
        speciation_times=ts, between_class_eigenvalues=lam[order], class_variances=s[order],
        speciation_conventions={c: speciation_times(model, c) for c in CASCADE_CONVENTIONS},
        t_collapse=tc, phi_at_speciation=phi_v, phi_stderr_at_speciation=phi_e,
        phi_groups_at_speciation=phi_g, phi_groups_stderr_at_speciation=phi_ge,
        phi_floor=float((w * w).sum()), phi_groups_floor=floor_g,
        description=dict(description or {}),
        sources={name: citation(f) for name, f in funs.items()},
    )
