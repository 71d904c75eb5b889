"""Collapse time and excess entropy of Gaussian data with any covariance spectrum (public in
:mod:`theory.collapse`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_array, check_scalar, restore_shape
from .timemap import _ou_from_ve, _ve

__all__ = ["collapse_time_from_spectrum", "excess_entropy_from_spectrum"]


def _spectrum(eigenvalues: ArrayLike, d: int | None) -> tuple[np.ndarray, int]:
    lam = check_array(eigenvalues, "eigenvalues", ndim=1)
    if lam.size == 0:
        raise ValueError("eigenvalues must be a non-empty 1-dimensional array (got size 0)")
    scale = float(np.max(np.abs(lam)))
    if np.any(lam < -1e-10 * scale):
        raise ValueError(f"eigenvalues must be >= 0 (got {float(lam.min()):g})")
    lam = np.clip(lam, 0.0, None)
    if not np.any(lam > 0):
        raise ValueError("eigenvalues must contain at least one value > 0 (got all zero)")
    if d is None:
        d = lam.size
    d = int(check_scalar(d, "d", lower=lam.size, integer=True))
    return lam, d


def _log_sum(lam: np.ndarray, s: np.ndarray, d: int) -> np.ndarray:
    """(1/d) sum_i log1p(lambda_i / s) for an array of s; zero-padded eigenvalues add nothing."""
    return np.log1p(lam[None, :] / s[:, None]).sum(axis=1) / d


def collapse_time_from_spectrum(eigenvalues: ArrayLike, n: ArrayLike,
                                d: int | None = None) -> np.ndarray | float:
    """Collapse time :math:`t_C` of Gaussian data with covariance eigenvalues :math:`\\lambda_i`.

    Parameters
    ----------
    eigenvalues : array_like, shape (k,)
        Covariance eigenvalues, ``>= 0`` (tiny negative round-off is clipped).
    n : array_like
        Number of training points, ``n >= 2`` (any shape; one root per entry).
    d : int, optional
        Ambient dimension ``>= k``; the spectrum is padded with zeros up to ``d`` (as when
        ``n < d`` and only ``n - 1`` eigenvalues are non-zero).  Default ``k``.

    Returns
    -------
    float or ndarray
        :math:`t_C` in OU time.

    Notes
    -----
    The excess entropy of n Gaussian samples with this spectrum,
    :math:`f(t) = \\alpha - \\frac{1}{2d}\\sum_i \\log(1 + \\lambda_i e^{-2t}/\\Delta_t)`, vanishes at

    .. math:: \\frac1d \\sum_{i=1}^{d} \\log\\Big(1 + \\frac{\\lambda_i e^{-2t}}{\\Delta_t}\\Big) = 2\\alpha,
              \\qquad \\alpha = \\frac{\\log n}{d}.

    With :math:`s = e^{2t} - 1` (so :math:`e^{-2t}/\\Delta_t = 1/s`) the left side decreases
    monotonically in s, and the root is bracketed by
    :math:`\\lambda_{max}/\\operatorname{expm1}(2\\alpha d) \\le s \\le \\sum_i\\lambda_i/(2\\alpha d)`
    and found by Brent's method in :math:`\\log s`.  For an isotropic spectrum
    :math:`\\lambda_i \\equiv \\sigma^2` it reduces to the Gaussian-mixture eq. 10 (``tc_GM``).

    References
    ----------
    Biroli et al. (2024), eq. 5 (``crit-coll``) and eq. 10; Gaussian-data form derived in
    docs/theory/dynamical-regimes.md, section 3.3.
    """
    from scipy.optimize import brentq

    lam, d = _spectrum(eigenvalues, d)
    n_arr = check_array(n, "n", lower=2.0)
    two_alpha_d = 2.0 * np.log(n_arr.reshape(-1))
    out = np.empty(two_alpha_d.shape)
    lam_sum, lam_max = float(lam.sum()), float(lam.max())
    log_lam = np.log(lam[lam > 0])
    for i, target in enumerate(two_alpha_d):
        # log(lam_max / expm1(target)) without overflow: log expm1(x) = x + log(-expm1(-x))
        lo = np.log(lam_max) - (target + np.log(-np.expm1(-target)))
        hi = np.log(lam_sum / target)

        def f(log_s: float, target: float = target) -> float:
            # sum_i log1p(lambda_i / s) in log space (s may underflow when n is astronomical)
            return float(np.logaddexp(0.0, log_lam - log_s).sum() - target)

        log_s = lo if f(lo) <= 0 else (hi if f(hi) >= 0 else brentq(f, lo, hi, xtol=1e-14,
                                                                     rtol=1e-15, maxiter=200))
        out[i] = _ou_from_ve(np.exp(log_s))
    return restore_shape(out.reshape(n_arr.shape), n)


def excess_entropy_from_spectrum(t: ArrayLike, eigenvalues: ArrayLike, n: int | float,
                                 d: int | None = None) -> np.ndarray | float:
    """Excess entropy density :math:`f(t)` of n Gaussian samples with the given spectrum.

    Parameters
    ----------
    t : array_like
        OU time(s), ``t >= 0``.
    eigenvalues : array_like
        Covariance spectrum :math:`\\lambda_i \\ge 0` of the Gaussian data (length ``d``, or fewer with
        ``d`` given: the missing eigenvalues are zero).
    n : int or float
        Number of training points, ``n >= 2``.
    d : int, optional
        Dimension (default ``len(eigenvalues)``).

    Returns
    -------
    float or ndarray (shape of ``t``)
        :math:`f^e(t) \\ge 0`.

    Notes
    -----
    .. math:: f^e(t) = \\max\\Big(0,\\ \\alpha - \\frac{1}{2d}\\sum_i
              \\log\\Big(1 + \\frac{\\lambda_i}{e^{2t}-1}\\Big)\\Big).

    Its zero is :func:`collapse_time_from_spectrum`.

    References
    ----------
    Biroli et al. (2024), eq. 5 (``crit-coll``); docs/theory/dynamical-regimes.md, section 3.3.
    """
    lam, d = _spectrum(eigenvalues, d)
    ta = check_array(t, "t", lower=0.0, lower_open=True, allow_inf=True)
    nn = check_scalar(n, "n", lower=2.0)
    s = _ve(ta.reshape(-1))
    with np.errstate(over="ignore"):
        fe = np.log(nn) / d - 0.5 * _log_sum(lam, s, d)
    return restore_shape(np.maximum(fe, 0.0).reshape(ta.shape), t)
