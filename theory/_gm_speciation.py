"""Speciation in the symmetric Gaussian mixture: phi(t), its scaling form, t_S and t*."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _generated_closed_forms as _gen
from ._gaussian_expectation import expect_localized, expect_localized_mp, sech2
from .checks import NoSpeciationError, check_array, restore_shape
from .mp import mp_apply
from .timemap import _alphabar, _delta

__all__ = ["phi", "phi_scaling", "signal_to_noise", "speciation_time", "t_star",
           "SPECIATION_CONVENTIONS"]

SPECIATION_CONVENTIONS = ("paper", "lambda", "lambda_plus_one", "lambda_minus_one", "exact_hessian")


def _check_gm(d, mu_tilde, sigma):
    d = check_array(d, "d", lower=1.0)
    mu = check_array(mu_tilde, "mu_tilde", lower=0.0)
    sig = check_array(sigma, "sigma", lower=0.0, lower_open=True)
    return d, mu, sig


def signal_to_noise(t: ArrayLike, d: ArrayLike, mu_tilde: ArrayLike = 1.0,
                    sigma: ArrayLike = 1.0) -> np.ndarray | float:
    """Signal-to-noise ratio :math:`r_t = |m|^2 e^{-2t}/\\Gamma_t` of the class variable.

    Parameters
    ----------
    t : array_like
        OU time, ``t >= 0`` (``inf`` gives 0).
    d : array_like
        Dimension, ``d >= 1``.
    mu_tilde, sigma : array_like
        Mixture parameters, :math:`|m|^2 = d\\tilde\\mu^2`, cluster standard deviation ``sigma > 0``.

    Returns
    -------
    float or ndarray
        :math:`r_t \\ge 0`.

    Notes
    -----
    .. math:: r_t = \\frac{d\\tilde\\mu^2 e^{-2t}}{\\Gamma_t}
              = \\frac{d\\tilde\\mu^2}{e^{2t} - 1 + \\sigma^2},
              \\qquad \\Gamma_t = \\Delta_t + \\sigma^2 e^{-2t}.

    References
    ----------
    Biroli et al. (2024), eq. 6 (``phi_GM``); docs/theory/dynamical-regimes.md section 2.4 (one-parameter
    form).
    """
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    d_, mu, sig = _check_gm(d, mu_tilde, sigma)
    r = _signal_to_noise(ta, d_, mu, sig)
    if np.any(np.isinf(r)):
        worst = float(np.max(_log_signal_to_noise(ta, d_, mu, sig)))
        raise ValueError(f"mu_tilde: r_t = d mu_tilde^2 e^(-2t)/Gamma_t is beyond the float64 range "
                         f"(log r_t = {worst:.6g} > 709.78); use a smaller mu_tilde or d, or a "
                         "larger t")
    return restore_shape(r, t, d, mu_tilde, sigma)


def _signal_to_noise(ta, d_, mu, sig) -> np.ndarray:
    """r_t of validated arrays; inf only where r_t itself is beyond float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.asarray(_gen.signal_to_noise(ta, d_, mu, sig), dtype=np.float64)
    bad = ~np.isfinite(r)
    if np.any(bad):
        # d mu~^2 or e^{2t} beyond float64: the same ratio from its logarithm
        with np.errstate(over="ignore"):
            r = np.where(bad, np.exp(_log_signal_to_noise(ta, d_, mu, sig)), r)
    return r


def _log_signal_to_noise(t, d, mu, sig) -> np.ndarray:
    r""":math:`\log r_t = \log d + 2\log\tilde\mu - 2t - \log(\Delta_t + \sigma^2 e^{-2t})`, finite
    wherever :math:`r_t` overflows (Biroli et al. 2024, eq. 6)."""
    t, d, mu, sig = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (t, d, mu, sig)))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_gamma = np.logaddexp(np.log(_delta(t)), 2.0 * np.log(sig) - 2.0 * t)
        out = np.log(d) + 2.0 * np.log(mu) - 2.0 * t - log_gamma
    return np.where(np.isinf(t) | (mu == 0), -np.inf, out)


def _phi_of_r(r: np.ndarray) -> np.ndarray:
    r = np.asarray(r, dtype=np.float64)
    huge = np.isinf(r)                 # r beyond float64: E sech^2 = 0, phi = 1 (its limit)
    out = 1.0 - 0.5 * expect_localized(sech2, np.where(huge, 0.0, r))
    return np.where(huge, 1.0, out)


def _phi_of_r_mp(r, dps: int):
    import mpmath as mp

    return 1 - expect_localized_mp(lambda y: mp.sech(y) ** 2, r, dps) / 2


def phi(t: ArrayLike, d: ArrayLike, mu_tilde: ArrayLike = 1.0, sigma: ArrayLike = 1.0,
        *, precision: int | None = None):
    """Exact finite-d cloning probability :math:`\\phi(t)` of the Gaussian mixture.

    Probability that two clones of a backward trajectory, split at time ``t`` and run with
    independent noise and the exact population score of
    :math:`\\tfrac12 N(+m, \\sigma^2 I) + \\tfrac12 N(-m, \\sigma^2 I)`, end in the same class.

    Parameters
    ----------
    t : array_like
        OU cloning time(s), ``t >= 0``; any shape, broadcast against the other arguments.
    d : array_like
        Dimension, ``d >= 1``.
    mu_tilde : array_like, default 1
        :math:`|m|^2 = d\\tilde\\mu^2`, ``mu_tilde >= 0``.
    sigma : array_like, default 1
        Cluster standard deviation, ``sigma > 0``.
    precision : int, optional
        If given, evaluate with mpmath at this many significant digits and return ``mpf`` values
        (a scalar, or an object array) for reference computations.

    Returns
    -------
    float or ndarray
        :math:`\\phi(t) \\in [1/2, 1]`, non-increasing in t.

    Raises
    ------
    ValueError
        If ``t < 0``, ``d < 1``, ``mu_tilde < 0``, ``sigma <= 0`` or any value is NaN.

    Notes
    -----
    The paper's eq. 6 integrates over the projection y of the clones' common ancestor on
    :math:`\\hat m`; the orthogonal directions integrate out, so it is exact at any d.  Writing the
    class posterior as :math:`\\tfrac12[1 + \\tanh(\\cdot)]` turns it into a one-parameter form
    (docs/theory/dynamical-regimes.md sec. 2.4, checked against eq. 6 in the tests):

    .. math:: \\phi(t) = \\frac12\\Big[1 + E_{z}\\tanh^2\\big(r_t + \\sqrt{r_t}\\, z\\big)\\Big],
              \\qquad r_t = \\frac{d\\tilde\\mu^2 e^{-2t}}{\\Delta_t + \\sigma^2 e^{-2t}}.

    It is evaluated as :math:`1 - \\tfrac12 E\\,\\mathrm{sech}^2`, which keeps full relative accuracy.
    For :math:`\\sigma = \\tilde\\mu = 1`, :math:`r_t = d e^{-2t}` and every curve passes through
    :math:`\\phi(\\tfrac12\\log d) = \\tfrac12[1 + E\\tanh^2(1 + z)] = 0.775200`.

    References
    ----------
    .. [1] Biroli, Bonnaire, de Bortoli, Mezard (2024), "Dynamical regimes of diffusion models",
       eq. 6 (``phi_GM``) and SI App. B.3.
    .. [2] docs/theory/dynamical-regimes.md sec. 2.4.

    Examples
    --------
    >>> from theory.gaussian_mixture import phi
    >>> round(phi(0.5 * np.log(1024), 1024), 6)
    0.7752
    """
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    r = _signal_to_noise(ta, *_check_gm(d, mu_tilde, sigma))
    if precision is not None:
        import mpmath as mp

        def one(tt, dd, mm, ss):
            r_mp = 0 if mp.isinf(tt) else _gen.signal_to_noise(tt, dd, mm, ss)
            return _phi_of_r_mp(r_mp, precision)

        return mp_apply(one, precision, ta, d, mu_tilde, sigma)
    return restore_shape(_phi_of_r(r), t, d, mu_tilde, sigma)


def phi_scaling(tau: ArrayLike, mu_tilde: ArrayLike = 1.0, *, precision: int | None = None):
    """Large-d scaling form :math:`\\phi_\\infty(\\tau)` of the cloning probability.

    Parameters
    ----------
    tau : array_like
        Time measured from :math:`\\tfrac12\\log d`, :math:`\\tau = t - \\tfrac12\\log d` (the paper's
        speciation time :math:`\\tfrac12\\log(d\\tilde\\mu^2)` when :math:`\\tilde\\mu = 1`); finite,
        any sign.
    mu_tilde : array_like, default 1
        Mixture parameter, ``mu_tilde > 0``.
    precision : int, optional
        mpmath digits for a reference evaluation.

    Returns
    -------
    float or ndarray (mpf with ``precision``)
        :math:`\\phi_\\infty(\\tau)` in [0, 1].

    Notes
    -----
    With :math:`t = \\tfrac12\\log d + \\tau` and :math:`d \\to \\infty`, :math:`\\Gamma_t \\to 1` and
    :math:`r_t \\to \\tilde\\mu^2 e^{-2\\tau}`:

    .. math:: \\phi_\\infty(\\tau) = \\frac12\\Big[1 + E_z \\tanh^2\\big(\\tilde\\mu^2 e^{-2\\tau}
              + \\tilde\\mu e^{-\\tau} z\\big)\\Big].

    It goes from 1 (:math:`\\tau\\to-\\infty`) to 1/2 (:math:`\\tau\\to+\\infty`; the paper's main
    text says "to zero", a misprint flagged in docs/theory/dynamical-regimes.md) and equals 0.775200 at
    :math:`\\tau = 0` for :math:`\\tilde\\mu = 1`.

    References
    ----------
    Biroli et al. (2024), eq. 6 and the scaling variable :math:`\\sqrt d e^{-t}` of SI App. B.2
    (printed as :math:`e^{-\\sqrt t} d`, a misprint); explicit form derived in
    docs/theory/dynamical-regimes.md sec. 2.4.
    """
    ta = check_array(tau, "tau")
    mu = check_array(mu_tilde, "mu_tilde", lower=0.0, lower_open=True)
    with np.errstate(over="ignore"):
        r = mu**2 * _alphabar(ta)
    if not np.all(np.isfinite(r)):
        raise ValueError(f"tau must be > {np.log(1e-300) / 2:g} for this mu_tilde "
                         f"(got {float(np.min(ta)):g})")
    if precision is not None:

        return mp_apply(lambda tt, mm: _phi_of_r_mp(mm**2 * _alphabar(tt), precision),
                        precision, ta, mu)
    return restore_shape(_phi_of_r(r), tau, mu_tilde)


def speciation_time(d: ArrayLike, mu_tilde: ArrayLike = 1.0, sigma: ArrayLike = 1.0,
                    convention: str = "paper") -> np.ndarray | float:
    """Speciation time :math:`t_S` of the symmetric Gaussian mixture.

    Parameters
    ----------
    d : array_like
        Dimension, ``d >= 1``.
    mu_tilde : array_like, default 1
        :math:`|m|^2 = d\\tilde\\mu^2`, ``mu_tilde > 0``.
    sigma : array_like, default 1
        Cluster standard deviation, ``sigma > 0``.
    convention : {"paper", "lambda", "lambda_plus_one", "lambda_minus_one", "exact_hessian"}
        Which reading of the speciation criterion (all agree to O(1/Lambda) when Lambda is large):

        - ``"paper"`` (default): :math:`t_S = \\tfrac12\\log(d\\tilde\\mu^2)`, the value the paper uses
          (SI App. B.1, Fig. 2).
        - ``"lambda"``: :math:`\\tfrac12\\log\\Lambda`, :math:`\\Lambda = d\\tilde\\mu^2 + \\sigma^2` the top
          eigenvalue of the covariance (general criterion, eq. 4 ``crit-spec``; the zero of the SI's
          printed Landau matrix :math:`M = I - e^{-2t}C_0`).
        - ``"lambda_plus_one"``: :math:`\\tfrac12\\log(\\Lambda + 1)`, the zero crossing of the
          consistently expanded Landau matrix :math:`M = I - (e^{-2t}/\\Delta_t) C_0`
          (:func:`derivations.landau_expansion`; docs/theory/dynamical-regimes.md sec. 2.1 caveat).
        - ``"lambda_minus_one"``: :math:`\\tfrac12\\log(\\Lambda - 1)` (needs :math:`\\Lambda > 1`).
        - ``"exact_hessian"``: :math:`\\tfrac12\\log(d\\tilde\\mu^2 + 1 - \\sigma^2)`, where the exact
          Hessian of :math:`\\log P_t` at x = 0 changes sign (needs :math:`d\\tilde\\mu^2 + 1 > \\sigma^2`);
          equals the paper's value at :math:`\\sigma = 1`.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        For bad parameters, an unknown convention, or a convention whose argument of the log is
        not above 1 (no positive speciation time).

    Notes
    -----
    .. math:: \\Lambda e^{-2t_S} = 1 \\iff t_S = \\tfrac12 \\log\\Lambda.

    **Corrected**: SI App. A says speciation happens when the *largest* eigenvalue of the Landau
    matrix M vanishes and prints :math:`M = I - e^{-2t}C_0`; it is the *lowest* eigenvalue, and the
    consistent expansion gives :math:`M = I - (e^{-2t}/\\Delta_t)C_0`, whose zero is the
    ``"lambda_plus_one"`` reading (docs/theory/dynamical-regimes.md secs. 2.1 and 5).  The main
    text's remark that t_S "coincides with (crit-coll)" means eq. 4 (``crit-spec``).

    References
    ----------
    Biroli et al. (2024), eq. 4 (``crit-spec``), SI App. A (Landau expansion; "largest eigenvalue"
    there is a misprint for "lowest", and M lacks a factor 1/Delta_t) and App. B.1.
    docs/theory/dynamical-regimes.md secs. 2.1 and 2.2.
    """
    d_, mu, sig = _check_gm(d, mu_tilde, sigma)
    if np.any(mu <= 0):
        raise ValueError("mu_tilde must be a finite number > 0 (got 0)")
    if convention not in SPECIATION_CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(SPECIATION_CONVENTIONS)} "
                         f"(got {convention!r})")
    with np.errstate(over="ignore", invalid="ignore"):
        lam = d_ * mu**2 + sig**2
        a = {
            "paper": d_ * mu**2,
            "lambda": lam,
            "lambda_plus_one": lam + 1.0,
            "lambda_minus_one": lam - 1.0,
            "exact_hessian": d_ * mu**2 + 1.0 - sig**2,
        }[convention]
        log_a = np.log(np.where(np.isfinite(a) & (a > 0), a, 1.0))
    big = ~np.isfinite(a)
    if np.any(big):
        # d mu~^2 (or sigma^2) beyond float64: the log from log d + 2 log mu~ and 2 log sigma; the
        # +-1 are below float64 resolution there
        lm, ls = np.broadcast_arrays(np.log(d_) + 2.0 * np.log(mu), 2.0 * np.log(sig))
        if convention == "paper":
            alt = lm
        elif convention == "exact_hessian":
            with np.errstate(invalid="ignore", divide="ignore"):
                alt = np.where(lm > ls, lm + np.log1p(-np.exp(np.minimum(ls - lm, 0.0))), -np.inf)
        else:
            alt = np.logaddexp(lm, ls)
        log_a = np.where(big, alt, log_a)
        a = np.where(big, np.inf, a)
    if np.any(~big & (a <= 1.0)) or np.any(log_a <= 0.0):
        low = float(np.min(np.where(big, np.inf, a)))
        raise NoSpeciationError(f"speciation_time: convention {convention!r} has no positive speciation "
                         f"time for these parameters (argument of the log {low:g} <= 1)")
    return restore_shape(0.5 * log_a, d, mu_tilde, sigma)


def t_star(d: ArrayLike, mu_tilde: ArrayLike = 1.0) -> np.ndarray | float:
    """Time :math:`t^* = \\tfrac12\\log(2d\\tilde\\mu^2)` where the regime-I potential loses its curvature.

    Parameters
    ----------
    d : array_like
        Dimension, ``d >= 1``.
    mu_tilde : array_like, default 1.0
        Mean per coordinate, :math:`|m|^2 = d\\tilde\\mu^2`.

    Returns
    -------
    float or ndarray
        :math:`t^*`.

    Notes
    -----
    The projection :math:`q = m\\cdot x/\\sqrt d` obeys :math:`-dq = -\\partial_q V\\,dt + d\\eta` with

    .. math:: V(q,t) = \\tfrac12 q^2 - 2\\tilde\\mu^2 \\log\\cosh(q e^{-t}\\sqrt d),\\qquad
              \\partial_q^2 V(0,t) = 1 - 2 d\\tilde\\mu^2 e^{-2t},

    which vanishes at :math:`t^*` (derived in :func:`derivations.regime_one_potential`).  The noise
    :math:`d\\eta` has variance :math:`2\\tilde\\mu^2 dt` (the SI's "sqrt 2 times Brownian" holds
    only for :math:`\\tilde\\mu = 1`).

    References
    ----------
    Biroli et al. (2024), eqs. 7-8 (``eq:qt``), SI App. B.2.
    docs/theory/dynamical-regimes.md sec. 2.3.
    """
    d_ = check_array(d, "d", lower=1.0)
    mu = check_array(mu_tilde, "mu_tilde", lower=0.0, lower_open=True)
    with np.errstate(over="ignore"):
        ts = np.asarray(_gen.t_star(d_, mu), dtype=np.float64)
    if not np.all(np.isfinite(ts)):       # 2 d mu~^2 beyond float64: the same log, summed in logs
        ts = np.where(np.isfinite(ts), ts, 0.5 * (np.log(2.0 * d_) + 2.0 * np.log(mu)))
    return restore_shape(ts, d, mu_tilde)
