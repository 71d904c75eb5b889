"""Collapse in the symmetric Gaussian mixture: t_C, the excess entropy and the REM large deviations."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _generated_closed_forms as _gen
from ._gaussian_expectation import binary_entropy_of_tanh, expect_localized, expect_localized_mp
from ._gm_speciation import _signal_to_noise
from .checks import check_array, restore_shape
from .mp import mp_apply
from .timemap import _alphabar, _delta, _ve

__all__ = [
    "alpha",
    "collapse_time",
    "excess_entropy",
    "class_entropy",
    "rem_cgf",
    "rem_energy",
    "rem_lambda",
    "rate_function",
    "annealed_free_entropy",
    "rem_free_entropy",
]


def _check_dn(d, n):
    d_ = check_array(d, "d", lower=1.0)
    n_ = check_array(n, "n", lower=2.0, allow_inf=False)
    return d_, n_


def alpha(d: ArrayLike, n: ArrayLike) -> np.ndarray | float:
    """:math:`\\alpha = \\log(n)/d`, the number of data per dimension on a log scale.

    Parameters
    ----------
    d : array_like
        Dimension, ``d >= 1``.
    n : array_like
        Number of data points, ``n >= 1``.

    Returns
    -------
    float or ndarray
        :math:`\\alpha = \\log(n)/d`.

    References
    ----------
    Biroli et al. (2024), sec. "Collapse" (conventions); docs/theory/dynamical-regimes.md sec. 0.
    """
    d_, n_ = _check_dn(d, n)
    return restore_shape(np.log(n_) / d_, d, n)


def collapse_time(d: ArrayLike, n: ArrayLike, sigma: ArrayLike = 1.0, *,
                  precision: int | None = None):
    """Collapse (condensation) time :math:`t_C` of the Gaussian mixture.

    Parameters
    ----------
    d : array_like
        Dimension, ``d >= 1``.
    n : array_like
        Number of training points, ``n >= 2``.
    sigma : array_like, default 1
        Cluster standard deviation, ``sigma > 0``.
    precision : int, optional
        mpmath digits for a reference evaluation (returns ``mpf``).

    Returns
    -------
    float or ndarray
        :math:`t_C > 0`, broadcast over ``d``, ``n`` and ``sigma``.

    Notes
    -----
    The condensation condition :math:`\\alpha = f_t(1/2) = -\\tfrac12\\log(\\Delta_t/\\Gamma_t)` of
    the random energy model (SI App. C) solves to

    .. math:: t_C = \\frac12 \\log\\Big(1 + \\frac{\\sigma^2}{n^{2/d} - 1}\\Big)
              = \\frac12\\operatorname{log1p}\\Big(\\frac{\\sigma^2}{\\operatorname{expm1}(2\\alpha)}\\Big),

    evaluated with expm1/log1p because :math:`n^{2/d} - 1` is tiny at large d.  Derived symbolically
    in :func:`derivations.rem_collapse`.

    References
    ----------
    Biroli et al. (2024), eq. 10 (``tc_GM``) and SI App. C.
    docs/theory/dynamical-regimes.md sec. 3.2.

    Examples
    --------
    >>> from theory.gaussian_mixture import collapse_time
    >>> round(collapse_time(1024, 20000), 6)
    1.977547
    """
    d_, n_ = _check_dn(d, n)
    sig = check_array(sigma, "sigma", lower=0.0, lower_open=True)
    if precision is not None:
        import mpmath as mp

        return mp_apply(lambda dd, nn, ss: _collapse_time_of_alpha(mp.log(nn) / dd, ss),
                        precision, d_, n_, sig)
    return restore_shape(_collapse_time_of_alpha(np.log(n_) / d_, sig), d, n, sigma)


def _collapse_time_of_alpha(a, sig):
    """Eq. 10 in terms of :math:`\\alpha`: the OU time whose VE variance is :math:`\\sigma^2/s(\\alpha)`
    (unchecked; numpy or mpmath).  The one implementation of the mixture's t_C, generated from
    :func:`derivations.spectrum_rem` (``theory/_generated_closed_forms.py``)."""
    if isinstance(sig, float) and not isinstance(sig, np.floating):
        sig = np.float64(sig)         # Python floats raise OverflowError where numpy gives inf
    with np.errstate(over="ignore"):   # s(alpha) -> inf gives t_C -> 0, the correct limit
        out = _gen.collapse_time_of_alpha(a, sig)
    if isinstance(out, (np.ndarray, np.floating, float)) and not np.all(np.isfinite(out)):
        # sigma^2 beyond float64: t_C = 1/2 log(1 + sigma^2/s(alpha)) = 1/2 logaddexp(0, 2 log sigma
        # - log s(alpha)), with log s(alpha) -> 2 alpha where s(alpha) itself overflows
        a_, s_ = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(sig, dtype=np.float64))
        with np.errstate(over="ignore", divide="ignore"):
            log_s = np.log(_ve(a_))
        log_s = np.where(np.isfinite(log_s), log_s, 2.0 * a_)
        alt = 0.5 * np.logaddexp(0.0, 2.0 * np.log(s_) - log_s)
        out = np.where(np.isfinite(out), out, alt)
    return out


def class_entropy(r: ArrayLike) -> np.ndarray | float:
    """Mean entropy (nats) of the class posterior, :math:`h(r) = E_z H_b(\\tfrac12[1+\\tanh(r+\\sqrt r z)])`.

    Parameters
    ----------
    r : array_like
        Signal-to-noise ratio :math:`r_t \\ge 0` (:func:`signal_to_noise`).

    Returns
    -------
    float or ndarray
        :math:`h(r)` in nats, in :math:`[0, \\log 2]`.

    Notes
    -----
    Given :math:`x_t`, the class of the Gaussian mixture has posterior
    :math:`\\tfrac12[1 + \\tanh(r_t + \\sqrt{r_t} z)]` in law; :math:`h` decreases from
    :math:`\\log 2` (r = 0) to 0 (r -> infinity).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, the class posterior of eq. 6;
    docs/theory/dynamical-regimes.md, section 3.2, "Finite-d correction" (derived; not in the paper).
    """
    ra = check_array(r, "r", lower=0.0)
    return restore_shape(expect_localized(binary_entropy_of_tanh, ra), r)


def _log_delta_over_gamma(t: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """:math:`\\tfrac12\\log(\\Delta_t/\\Gamma_t) = -\\tfrac12\\operatorname{log1p}(\\sigma^2/(e^{2t}-1))`
    (generated from :func:`derivations.spectrum_rem`)."""
    with np.errstate(divide="ignore", over="ignore"):
        return _gen.half_log_delta_over_gamma(t, sig)


def excess_entropy(t: ArrayLike, d: ArrayLike, n: ArrayLike, mu_tilde: ArrayLike = 1.0,
                   sigma: ArrayLike = 1.0, finite_d: bool = False, *,
                   precision: int | None = None):
    """Excess entropy density :math:`f^e(t)` of the Gaussian mixture (not divided by alpha).

    Parameters
    ----------
    t : array_like
        OU time, ``t >= 0`` (``inf`` allowed: gives alpha, or alpha minus the class term).
    d, n : array_like
        Dimension ``d >= 1`` and number of training points ``n >= 2``.
    mu_tilde, sigma : array_like
        Mixture parameters (``mu_tilde`` enters only the finite-d correction).
    finite_d : bool, default False
        Include the entropy of the class given x (see Notes).
    precision : int, optional
        mpmath digits for a reference evaluation.

    Returns
    -------
    float or ndarray
        :math:`f^e(t) \\ge 0`, non-decreasing in t, zero for :math:`t \\le t_C`.

    Notes
    -----
    The paper's curve (Fig. 3), from the annealed REM free entropy:

    .. math:: f^e(t) = \\max\\big(0,\\ \\alpha + \\tfrac12\\log(\\Delta_t/\\Gamma_t)\\big),
              \\quad \\Gamma_t = \\Delta_t + \\sigma^2 e^{-2t},

    whose zero is :math:`t_C` (eq. 10).  Since :math:`f^e = H(\\mu|x_t)/d` exactly, splitting the
    index into class and index-within-class gives, in the uncondensed phase, the finite-d form
    (``finite_d=True``; derived in docs/theory/dynamical-regimes.md, not in the paper):

    .. math:: f^e(t) = \\max\\Big(0,\\ \\alpha + \\tfrac12\\log\\frac{\\Delta_t}{\\Gamma_t}
              - \\frac{\\log 2 - h(r_t)}{d}\\Big),\\qquad r_t = \\frac{d\\tilde\\mu^2e^{-2t}}{\\Gamma_t},

    with :math:`h` from :func:`class_entropy`.  The correction reaches :math:`\\log 2/\\log n` in
    units of alpha and does not vanish with d at fixed n.

    References
    ----------
    Biroli et al. (2024), eq. 5 (``crit-coll``), Fig. 3 and SI App. C; docs/theory/dynamical-regimes.md sec.
    3.2.
    """
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    d_, n_ = _check_dn(d, n)
    mu = check_array(mu_tilde, "mu_tilde", lower=0.0)
    sig = check_array(sigma, "sigma", lower=0.0, lower_open=True)
    if precision is not None:
        import mpmath as mp

        def one(tt, dd, nn, mm, ss):
            if tt == 0:
                return mp.mpf(0)
            val = mp.log(nn) / dd
            if not mp.isinf(tt):
                val += _gen.half_log_delta_over_gamma(tt, ss)
            if finite_d:
                r = 0 if mp.isinf(tt) else _gen.signal_to_noise(tt, dd, mm, ss)
                h = expect_localized_mp(
                    lambda y: mp.log1p(mp.exp(-2 * abs(y)))
                    + 2 * abs(y) * mp.exp(-2 * abs(y)) / (1 + mp.exp(-2 * abs(y))),
                    r, precision)
                val -= (mp.log(2) - h) / dd
            return max(val, mp.mpf(0))

        return mp_apply(one, precision, ta, d_, n_, mu, sig)
    fe = np.log(n_) / d_ + _log_delta_over_gamma(ta, sig)
    if finite_d:
        r = _signal_to_noise(ta, d_, mu, sig)
        huge = np.isinf(r)             # r beyond float64: the class is certain, h(r) = 0
        h = np.where(huge, 0.0, expect_localized(binary_entropy_of_tanh, np.where(huge, 0.0, r)))
        fe = fe - (np.log(2.0) - h) / d_
    return restore_shape(np.maximum(fe, 0.0), t, d, n, mu_tilde, sigma)


def _rem_parts(t, sigma):
    ta = check_array(t, "t", lower=0.0, lower_open=True, allow_inf=False)
    # sigma^2 and sigma_t^2 = sigma^2 e^{-2t} must be finite and positive for the REM forms
    sig = check_array(sigma, "sigma", lower=0.0, lower_open=True, upper=1e150)
    if np.any(sig < 1e-150):
        raise ValueError(f"sigma must be >= 1e-150 for the REM forms (sigma^2 underflows; got "
                         f"{float(np.min(sig)):g})")
    st2 = sig**2 * _alphabar(ta)
    if np.any(st2 <= 0.0):
        raise ValueError(f"t must be <= {float(np.min(np.log(sig) + 372.0)):g} for this sigma: "
                         f"sigma_t^2 = sigma^2 e^(-2t) underflows (got t = {float(np.max(ta)):g})")
    return ta, _delta(ta), st2


def rem_cgf(lam: ArrayLike, t: ArrayLike, sigma: ArrayLike = 1.0) -> np.ndarray | float:
    """Cumulant generating function :math:`g_t(\\lambda)` of the same-cluster REM energies.

    Parameters
    ----------
    lam : array_like
        :math:`\\lambda \\ge 0`.
    t : array_like
        OU time, ``t >= 0``.
    sigma : array_like, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    float or ndarray
        :math:`g_t(\\lambda)`.

    Notes
    -----
    With :math:`\\sigma_t^2 = \\sigma^2 e^{-2t}` and energies :math:`E = |x - a e^{-t}|^2/(2\\Delta_t)`,
    :math:`e^{d g_t(\\lambda)} = E_+ e^{-\\lambda E}`:

    .. math:: g_t(\\lambda) = \\frac12\\log\\frac{\\Delta_t}{\\Delta_t + \\lambda\\sigma_t^2}
              - \\frac{\\lambda(\\Delta_t + \\sigma_t^2)}{2(\\Delta_t + \\lambda\\sigma_t^2)},
              \\qquad \\lambda \\ge 0.

    References
    ----------
    Biroli et al. (2024), SI App. C; derived by Gaussian integration in :func:`derivations.rem_collapse`.
    docs/theory/dynamical-regimes.md sec. 3.2.
    """
    la = check_array(lam, "lam", lower=0.0)
    ta, _, _ = _rem_parts(t, sigma)
    g = _gen.rem_cgf(la, ta, np.asarray(sigma, dtype=float))
    return restore_shape(g, lam, t, sigma)


def rem_energy(lam: ArrayLike, t: ArrayLike, sigma: ArrayLike = 1.0) -> np.ndarray | float:
    """Saddle-point energy density :math:`\\epsilon^*(\\lambda) = -g_t'(\\lambda)` (corrected form).

    Parameters
    ----------
    lam : array_like
        :math:`\\lambda \\ge 0`.
    t : array_like
        OU time, ``t >= 0``.
    sigma : array_like, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    float or ndarray
        :math:`\\epsilon^*(\\lambda)`.

    Notes
    -----
    .. math:: \\epsilon^*(\\lambda) = \\frac{\\Delta_t^2 + 2\\Delta_t\\sigma_t^2 + \\lambda\\sigma_t^4}
              {2(\\Delta_t + \\lambda\\sigma_t^2)^2}.

    **Corrected**: the paper prints :math:`\\lambda\\sigma_t^2` in the numerator; the derivative of
    :math:`g_t` gives :math:`\\lambda\\sigma_t^4`, and then :math:`\\epsilon^*(1) = 1/2`.

    References
    ----------
    Biroli et al. (2024), SI App. C (misprint corrected, docs/theory/dynamical-regimes.md sec. 3.2).
    """
    la = check_array(lam, "lam", lower=0.0)
    ta, _, _ = _rem_parts(t, sigma)
    e = _gen.rem_energy(la, ta, np.asarray(sigma, dtype=float))
    return restore_shape(e, lam, t, sigma)


def _legendre_point(eps, dt, st2):
    """A, u and lambda* = (u - Delta)/sigma_t^2 without the cancellation in u - Delta.

    Uses A - 4 eps Delta = (sigma_t^4 + 8 eps Delta sigma_t^2 + 8 eps Delta^2 (1 - 2 eps))
    / (A + 4 eps Delta), so lambda* keeps full relative accuracy at large t (small sigma_t).
    """
    a = np.sqrt(st2**2 + 8.0 * eps * dt * (dt + st2))
    u = (st2 + a) / (4.0 * eps)
    lam = (1.0 + (st2 + 8.0 * eps * dt + 8.0 * eps * dt**2 * (1.0 - 2.0 * eps) / st2)
           / (a + 4.0 * eps * dt)) / (4.0 * eps)
    return a, u, lam


def rem_lambda(epsilon: ArrayLike, t: ArrayLike, sigma: ArrayLike = 1.0) -> np.ndarray | float:
    """Inverse :math:`\\lambda^*(\\epsilon)` of :func:`rem_energy`.

    Parameters
    ----------
    epsilon : array_like
        Energy density, ``epsilon > 0``.
    t : array_like
        OU time, ``t >= 0``.
    sigma : array_like, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    float or ndarray
        :math:`\\lambda^*(\\epsilon)`.

    Notes
    -----
    .. math:: \\lambda^*(\\epsilon) = \\frac{\\sigma_t^2 - 4\\Delta_t\\epsilon
              + \\sqrt{\\sigma_t^4 + 8\\Delta_t^2\\epsilon + 8\\Delta_t\\sigma_t^2\\epsilon}}
              {4\\sigma_t^2\\epsilon}.

    References
    ----------
    Biroli et al. (2024), SI App. C.
    docs/theory/dynamical-regimes.md sec. 3.2.
    """
    ea = check_array(epsilon, "epsilon", lower=0.0, lower_open=True)
    _, dt, st2 = _rem_parts(t, sigma)
    _, _, lam = _legendre_point(ea, dt, st2)
    return restore_shape(lam, epsilon, t, sigma)


def rate_function(epsilon: ArrayLike, t: ArrayLike, sigma: ArrayLike = 1.0, *,
                  precision: int | None = None):
    """Corrected REM rate function :math:`f_t(\\epsilon)` of the Gaussian mixture.

    Parameters
    ----------
    epsilon : array_like
        Energy density, ``epsilon > 0``.
    t : array_like
        OU time, ``t > 0``.
    sigma : array_like, default 1
        Cluster standard deviation, ``sigma > 0``.
    precision : int, optional
        mpmath digits for a reference evaluation.

    Returns
    -------
    float or ndarray (mpf with ``precision``)
        :math:`f_t(\\epsilon)`.

    Notes
    -----
    Legendre transform :math:`f_t(\\epsilon) = \\sup_\\lambda[-\\lambda\\epsilon - g_t(\\lambda)]`
    of :func:`rem_cgf`.  **Corrected closed form**: the paper's eq. ``fdef`` does not match the
    Legendre transform (it gives -1.308 at t = 1, sigma = 1, epsilon = 1/2); the form implemented
    here, derived in docs/theory/dynamical-regimes.md and re-derived in :func:`derivations.rem_collapse`, is

    .. math:: A = \\sqrt{\\sigma_t^4 + 8\\epsilon\\Delta_t(\\Delta_t + \\sigma_t^2)},\\quad
              u = \\frac{\\sigma_t^2 + A}{4\\epsilon},

    .. math:: f_t(\\epsilon) = -\\frac12\\log\\frac{4\\epsilon\\Delta_t}{\\sigma_t^2 + A}
              + \\frac{(u - \\Delta_t)[(\\Delta_t + \\sigma_t^2) - 2\\epsilon u]}{2\\sigma_t^2 u},

    so that :math:`f_t(1/2) = -\\tfrac12\\log(\\Delta_t/\\Gamma_t)`.

    References
    ----------
    Biroli et al. (2024), SI App. C, eq. ``fdef`` (misprinted; corrected form).
    docs/theory/dynamical-regimes.md secs. 3.2 and 5.
    """
    ea = check_array(epsilon, "epsilon", lower=0.0, lower_open=True)
    ta, dt, st2 = _rem_parts(t, sigma)
    if precision is not None:
        import mpmath as mp

        def one(ee, tt, ss):
            d_, s2 = _delta(tt), ss**2 * _alphabar(tt)
            a = mp.sqrt(s2**2 + 8 * ee * d_ * (d_ + s2))
            u = (s2 + a) / (4 * ee)
            return (-mp.log(4 * ee * d_ / (s2 + a)) / 2
                    + (u - d_) * ((d_ + s2) - 2 * ee * u) / (2 * s2 * u))

        return mp_apply(one, precision, ea, ta, np.asarray(sigma, dtype=float))
    with np.errstate(over="ignore", invalid="ignore"):
        a, u, lam = _legendre_point(ea, dt, st2)
        f = -0.5 * np.log(4.0 * ea * dt / (st2 + a)) + lam * ((dt + st2) - 2.0 * ea * u) / (2.0 * u)
    if not np.all(np.isfinite(f)):
        bad = float(np.max(ea))
        raise ValueError(f"epsilon must be smaller: f_t(epsilon) is beyond the float64 range at "
                         f"epsilon = {bad:g} (it grows as epsilon e^(2t)/sigma^2); use precision= "
                         "for an mpmath value")
    return restore_shape(f, epsilon, t, sigma)


def annealed_free_entropy(t: ArrayLike, alpha: ArrayLike, sigma: ArrayLike = 1.0) -> np.ndarray | float:
    """Annealed free entropy :math:`\\psi_+^{ann} = \\alpha + g_t(1)` of the same-cluster REM.

    Parameters
    ----------
    t : array_like
        OU time, ``t >= 0``.
    alpha : array_like
        :math:`\\alpha = \\log(n)/d`, ``alpha > 0``.
    sigma : array_like, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    float or ndarray
        :math:`\\psi_+^{ann}(t)`.

    Notes
    -----
    .. math:: \\psi_+^{ann} = \\alpha + \\tfrac12\\log\\frac{\\Delta_t}{\\Delta_t + \\sigma_t^2} - \\tfrac12.

    References
    ----------
    Biroli et al. (2024), SI App. C.
    docs/theory/dynamical-regimes.md sec. 3.2.
    """
    al = check_array(alpha, "alpha", lower=0.0, lower_open=True)
    ta, _, _ = _rem_parts(t, sigma)
    sig = np.asarray(sigma, dtype=float)
    return restore_shape(al + _log_delta_over_gamma(ta, sig) - 0.5, t, alpha, sigma)


def rem_free_entropy(t: ArrayLike, alpha: ArrayLike, sigma: ArrayLike = 1.0) -> np.ndarray | float:
    """Quenched free entropy :math:`\\psi_+`: annealed above :math:`t_C`, :math:`-1/2` below.

    Parameters
    ----------
    t : array_like
        OU time, ``t >= 0``.
    alpha : array_like
        :math:`\\alpha = \\log(n)/d`, ``alpha > 0``.
    sigma : array_like, default 1.0
        Class standard deviation, ``sigma > 0``.

    Returns
    -------
    float or ndarray
        :math:`\\psi_+(t)`.

    Notes
    -----
    .. math:: \\psi_+ = \\max(\\psi_+^{ann}, -\\tfrac12).

    **Corrected**: the SI writes "annealed if t < t_cond, -1/2 if t > t_cond"; the inequalities are
    swapped (the annealed, liquid phase is at large t).

    References
    ----------
    Biroli et al. (2024), SI App. C (phase inequalities corrected, docs/theory/dynamical-regimes.md sec. 3.2).
    """
    return np.maximum(annealed_free_entropy(t, alpha, sigma), -0.5)
