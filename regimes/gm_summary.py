"""One call that solves the three regimes of a Gaussian mixture: every time, alpha, and the curves."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from theory.checks import check_scalar
from theory.citation import citation
from theory.gaussian_mixture import (
    alpha,
    collapse_time,
    excess_entropy,
    phi,
    speciation_time,
    t_star,
)

__all__ = ["GaussianMixtureRegimes", "solve_gaussian_mixture"]


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

    References
    ----------
    Biroli et al. (2024), eqs. 4, 6, 7-8, 10.

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
