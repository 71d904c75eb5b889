"""Maps between the Ornstein-Uhlenbeck time of the package and the other noise schedules.

Every result of the package is stated in the OU time ``t`` of

.. math:: dx = -x\\,dt + dB, \\quad \\langle dB\\,dB\\rangle = 2\\,dt, \\qquad
          x_t = a e^{-t} + \\sqrt{\\Delta_t}\\, z, \\quad \\Delta_t = 1 - e^{-2t}.

Dividing by :math:`e^{-t}` shows that :math:`x_t e^{t} = a + \\sqrt{s}\\, z` is a variance-exploding
(VE) process with noise variance :math:`s = e^{2t} - 1`.  A variance-preserving process with signal
coefficient :math:`\\sqrt{\\bar\\alpha}` (DDPM, VP-SDE) is the OU process at :math:`t = -\\tfrac12
\\log\\bar\\alpha`.  Every other module converts times through this one.

References
----------
.. [1] G. Biroli, T. Bonnaire, V. de Bortoli, M. Mezard, "Dynamical regimes of diffusion models",
   arXiv:2402.18491 (2024), eqs. 1-2 and SI "Denoising Diffusion Probabilistic Models" (t = -1/2 log
   alphabar).
.. [2] J. Ho, A. Jain, P. Abbeel, "Denoising diffusion probabilistic models", NeurIPS 2020
   (linear beta schedule).
.. [3] A. Nichol, P. Dhariwal, "Improved denoising diffusion probabilistic models", ICML 2021
   (cosine schedule, eq. 17).
.. [4] Y. Song et al., "Score-based generative modeling through stochastic differential equations",
   ICLR 2021 (VE schedule sigma_min (sigma_max/sigma_min)^tau, VP-SDE with linear beta(tau)).
.. [5] T. Karras, M. Aittala, T. Aila, S. Laine, "Elucidating the design space of diffusion-based
   generative models", NeurIPS 2022 (EDM sigma schedule, eq. 5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_array, check_scalar, restore_shape

__all__ = [
    "delta",
    "ve_variance",
    "ou_time_from_ve_variance",
    "noised_variance",
    "forward_noising",
    "ve_sigma",
    "ve_schedule_time",
    "ou_time_from_ve_schedule",
    "ou_time_from_alphabar",
    "alphabar_from_ou_time",
    "ddpm_linear_alphabar",
    "ddpm_cosine_alphabar",
    "ddpm_ou_times",
    "ddpm_first_step_after",
    "vp_sde_ou_time",
    "edm_sigmas",
    "ou_time_from_edm_sigma",
]


# ------------------------------------------------------------------ kernels (no input checks)
# The one place where the formulas are written.  They accept numpy values or mpmath numbers (the
# ``precision=`` reference paths of the solvers); the public functions below check their input and
# call them, and the theory modules call them directly on inputs they have already checked.

MAX_STEPS = 10**8       # schedules are materialised arrays: longer ones are refused up front


def _is_mp(x: Any) -> bool:
    """Whether ``x`` is an mpmath number (checked without importing mpmath)."""
    return type(x).__module__.split(".")[0] == "mpmath"


def _delta(t):
    """:math:`\\Delta_t = 1 - e^{-2t}`."""
    if _is_mp(t):
        import mpmath as mp

        return -mp.expm1(-2 * t)
    return -np.expm1(-2.0 * t)


def _ve(t):
    """:math:`s = e^{2t} - 1`."""
    if _is_mp(t):
        import mpmath as mp

        return mp.expm1(2 * t)
    return np.expm1(2.0 * t)


def _ou_from_ve(s):
    """:math:`t = \\tfrac12\\log(1 + s)`."""
    if _is_mp(s):
        import mpmath as mp

        return mp.log1p(s) / 2
    return 0.5 * np.log1p(s)


def _alphabar(t):
    """:math:`e^{-2t}`."""
    if _is_mp(t):
        import mpmath as mp

        return mp.exp(-2 * t)
    return np.exp(-2.0 * t)


def _noised_variance(variance, t):
    """:math:`v e^{-2t} + \\Delta_t`."""
    return variance * _alphabar(t) + _delta(t)


def _mp_time(t: Any, name: str = "t"):
    if not t >= 0:
        raise ValueError(f"{name} must be >= 0 (got {t})")
    return t


# ------------------------------------------------------------------ public maps

def delta(t: ArrayLike) -> np.ndarray | float:
    """Noise variance of the OU process, :math:`\\Delta_t = 1 - e^{-2t}` (computed with expm1).

    Parameters
    ----------
    t : array_like or mpmath number
        OU time, ``t >= 0``.  An mpmath number gives an mpmath result at the working precision.

    Returns
    -------
    float or ndarray
        :math:`\\Delta_t` in [0, 1].

    Notes
    -----
    .. math:: \\Delta_t = 1 - e^{-2t} = -\\operatorname{expm1}(-2t).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``).
    docs/theory/dynamical-regimes.md sec. 0.

    Examples
    --------
    >>> from theory.timemap import delta
    >>> round(delta(0.5), 6)
    0.632121
    """
    if _is_mp(t):
        return _delta(_mp_time(t))
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    return restore_shape(_delta(ta), t)


def ve_variance(t: ArrayLike) -> np.ndarray | float:
    """VE noise variance :math:`s = e^{2t} - 1` equivalent to OU time ``t``.

    Parameters
    ----------
    t : array_like or mpmath number
        OU time, ``t >= 0``.

    Returns
    -------
    float or ndarray
        :math:`s \\ge 0`.

    Notes
    -----
    :math:`x_t e^{t} = a + \\sqrt{e^{2t}-1}\\, z`, so the OU process at time t is the VE process at
    noise variance :math:`s = e^{2t} - 1 = \\Delta_t / e^{-2t}`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2; Song et al. (2021), VE SDE.
    docs/theory/dynamical-regimes.md sec. 0.
    """
    if _is_mp(t):
        return _ve(_mp_time(t))
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    return restore_shape(_ve(ta), t)


def ou_time_from_ve_variance(s: ArrayLike) -> np.ndarray | float:
    """OU time of a VE noise variance: :math:`t = \\tfrac12 \\log(1 + s)` (inverse of :func:`ve_variance`).

    Parameters
    ----------
    s : array_like or mpmath number
        VE noise variance, ``s >= 0``.

    Returns
    -------
    float or ndarray
        OU time ``t >= 0``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2.
    docs/theory/dynamical-regimes.md sec. 0.
    """
    if _is_mp(s):
        return _ou_from_ve(_mp_time(s, "s"))
    sa = check_array(s, "s", lower=0.0, allow_inf=True)
    return restore_shape(_ou_from_ve(sa), s)


def noised_variance(variance: ArrayLike, t: ArrayLike) -> np.ndarray | float:
    """Variance at OU time t of a data direction of variance ``variance``: :math:`v e^{-2t} + \\Delta_t`.

    Parameters
    ----------
    variance : array_like or mpmath number
        Variance of the clean data along the direction, ``>= 0``.
    t : array_like or mpmath number
        OU time, ``t >= 0``; broadcast with ``variance``.

    Returns
    -------
    float or ndarray

    Notes
    -----
    :math:`x_t = e^{-t} a + \\sqrt{\\Delta_t} z` adds the noise variance to the shrunk signal
    variance.  For a Gaussian-mixture class of variance :math:`\\sigma^2` it is the paper's
    :math:`\\Gamma_t = \\Delta_t + \\sigma^2 e^{-2t}`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 1-2 and SI App. A
    (:math:`\\Gamma_t`).
    docs/theory/dynamical-regimes.md sec. 0.

    Examples
    --------
    >>> from theory.timemap import noised_variance
    >>> noised_variance(1.0, 0.7)
    1.0
    """
    if _is_mp(variance) or _is_mp(t):
        return _noised_variance(variance, _mp_time(t))
    va = check_array(variance, "variance", lower=0.0, allow_inf=True)
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    with np.errstate(invalid="ignore"):
        out = _noised_variance(va, ta)
    return restore_shape(out, variance, t)


def forward_noising(x0: ArrayLike, t: ArrayLike, z: ArrayLike) -> np.ndarray:
    """Forward OU noising :math:`x_t = e^{-t} x_0 + \\sqrt{\\Delta_t}\\, z` with given standard normals z.

    Parameters
    ----------
    x0 : array_like (..., d)
        Clean points.
    t : array_like
        OU time(s), ``t >= 0``, broadcast against the leading axes of ``x0`` (a scalar, or one time
        per point with shape (..., 1)).
    z : array_like, same shape as the broadcast result
        Standard normal draws.

    Returns
    -------
    ndarray
        The noised points, float64.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 1-2.
    docs/theory/dynamical-regimes.md secs. 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.timemap import forward_noising
    >>> forward_noising(np.ones(2), 0.0, np.zeros(2)).tolist()
    [1.0, 1.0]
    """
    ta = check_array(t, "t", lower=0.0)
    xa = np.asarray(x0, dtype=np.float64)
    za = np.asarray(z, dtype=np.float64)
    return np.exp(-ta) * xa + np.sqrt(_delta(ta)) * za


def ve_sigma(tau: ArrayLike, sigma_min: float = 0.01, sigma_max: float = 50.0) -> np.ndarray | float:
    """VE schedule :math:`\\sigma(\\tau) = \\sigma_{min} (\\sigma_{max}/\\sigma_{min})^{\\tau}`,
    ``tau`` in [0, 1].

    Parameters
    ----------
    tau : array_like
        Schedule time in [0, 1].
    sigma_min, sigma_max : float, default 0.01, 50.0
        Noise levels at ``tau = 0`` and ``tau = 1``.

    Returns
    -------
    float or ndarray
        :math:`\\sigma(\\tau)`.

    References
    ----------
    Song et al. (2021), "Score-based generative modeling through SDEs", VE SDE (eq. 30).
    docs/theory/dynamical-regimes.md sec. 0.
    """
    ta = check_array(tau, "tau", lower=0.0, upper=1.0)
    smin = check_scalar(sigma_min, "sigma_min", lower=0.0, lower_open=True)
    smax = check_scalar(sigma_max, "sigma_max", lower=smin, lower_open=True)
    return restore_shape(smin * (smax / smin) ** ta, tau)


def _ve_schedule_tau(s, sigma_min: float = 0.01, sigma_max: float = 50.0):
    """Unchecked inverse of the VE schedule's variance (NaN passes through, for records)."""
    with np.errstate(divide="ignore"):
        return 0.5 * np.log(np.asarray(s, dtype=float) / sigma_min**2) / np.log(sigma_max / sigma_min)


def ve_schedule_time(s: ArrayLike, sigma_min: float = 0.01,
                     sigma_max: float = 50.0) -> np.ndarray | float:
    r"""Time :math:`\tau` of Song et al.'s VE schedule at which the noise variance is s.

    Parameters
    ----------
    s : array_like
        Noise variance :math:`s = \sigma(\tau)^2 = e^{2t} - 1` (> 0).
    sigma_min, sigma_max : float
        Schedule :math:`\sigma(\tau) = \sigma_{min}(\sigma_{max}/\sigma_{min})^\tau`; defaults
        0.01 and 50 (the sibling repository's, docs/theory/dynamical-regimes.md [S]).

    Returns
    -------
    float or ndarray
        :math:`\tau = \ln(\sqrt s/\sigma_{min})/\ln(\sigma_{max}/\sigma_{min})`, the inverse of
        :func:`theory.timemap.ve_sigma` squared; outside [0, 1] when s is outside
        :math:`[\sigma_{min}^2, \sigma_{max}^2]`.

    References
    ----------
    Song et al. (2021), VE SDE; docs/theory/spectral-gaps.md secs. 0 and 2.1.
    """
    sa = check_array(s, "s", lower=0.0, lower_open=True)
    smin = check_scalar(sigma_min, "sigma_min", lower=0.0, lower_open=True)
    smax = check_scalar(sigma_max, "sigma_max", lower=smin, lower_open=True)
    out = _ve_schedule_tau(sa, smin, smax)
    return float(out) if np.ndim(s) == 0 else out


def ou_time_from_ve_schedule(tau: ArrayLike, sigma_min: float = 0.01,
                             sigma_max: float = 50.0) -> np.ndarray | float:
    """OU time of the VE schedule at ``tau``: :math:`t = \\tfrac12\\log(1 + \\sigma(\\tau)^2)`.

    Parameters
    ----------
    tau : array_like
        Schedule time in [0, 1].
    sigma_min, sigma_max : float, default 0.01, 50.0
        Noise levels at ``tau = 0`` and ``tau = 1``.

    Returns
    -------
    float or ndarray
        OU time ``t >= 0``.

    References
    ----------
    Song et al. (2021), VE SDE; Biroli et al. (2024), arXiv:2402.18491, eq. 2 (the OU process seen as
    VE).
    docs/theory/dynamical-regimes.md sec. 0.
    """
    sig = np.asarray(ve_sigma(tau, sigma_min, sigma_max))
    return restore_shape(_ou_from_ve(sig**2), tau)


def ou_time_from_alphabar(alphabar: ArrayLike) -> np.ndarray | float:
    """OU time of a variance-preserving signal level: :math:`t = -\\tfrac12 \\log \\bar\\alpha`.

    Parameters
    ----------
    alphabar : array_like
        Signal level :math:`\\bar\\alpha` in (0, 1].

    Returns
    -------
    float or ndarray
        OU time ``t >= 0``.

    References
    ----------
    Biroli et al. (2024), SI "Denoising Diffusion Probabilistic Models" (cited as Eq. 59 in the
    authors' code).
    docs/theory/dynamical-regimes.md sec. 0.
    """
    a = check_array(alphabar, "alphabar", lower=0.0, upper=1.0, lower_open=True)
    return restore_shape(-0.5 * np.log(a), alphabar)


def alphabar_from_ou_time(t: ArrayLike) -> np.ndarray | float:
    """Signal level of a VP process at OU time t: :math:`\\bar\\alpha = e^{-2t}`.

    Parameters
    ----------
    t : array_like
        OU time, ``t >= 0``.

    Returns
    -------
    float or ndarray
        :math:`\\bar\\alpha` in (0, 1].

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, SI 'Denoising Diffusion Probabilistic Models' (t = -1/2 log
    alphabar).
    docs/theory/dynamical-regimes.md sec. 0.
    """
    if _is_mp(t):
        return _alphabar(_mp_time(t))
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    return restore_shape(_alphabar(ta), t)


def ddpm_linear_alphabar(steps: int = 1000, beta_start: float = 1e-4,
                         beta_end: float = 2e-2) -> np.ndarray:
    """Cumulative signal level of the DDPM linear schedule, indexed by ``k`` from 0 to ``steps - 1``.

    :math:`\\bar\\alpha_k = \\prod_{s \\le k} (1 - \\beta_s)` with :math:`\\beta` linear from
    ``beta_start`` to ``beta_end`` (0-based index, as in the authors' code).

    Parameters
    ----------
    steps : int, default 1000
        Number of steps T.
    beta_start, beta_end : float, default 1e-4, 0.02
        First and last :math:`\\beta`.

    Returns
    -------
    ndarray, shape (steps,)
        :math:`\\bar\\alpha_k`, decreasing.

    References
    ----------
    Ho et al. (2020), sec. 4; Biroli et al. (2024), SI "Denoising Diffusion Probabilistic Models".
    docs/theory/dynamical-regimes.md secs. 0 and 4.
    """
    steps = int(check_scalar(steps, "steps", lower=1, upper=MAX_STEPS, integer=True))
    b0 = check_scalar(beta_start, "beta_start", lower=0.0, upper=1.0, lower_open=True,
                      upper_open=True)
    b1 = check_scalar(beta_end, "beta_end", lower=0.0, upper=1.0, lower_open=True, upper_open=True)
    betas = np.linspace(b0, b1, steps)
    return np.exp(np.cumsum(np.log1p(-betas)))


def ddpm_cosine_alphabar(steps: int = 1000, s: float = 0.008, max_beta: float = 0.999) -> np.ndarray:
    """Cumulative signal level of the cosine schedule, indexed by ``k`` from 0 to ``steps - 1``.

    :math:`\\bar\\alpha(u) = f(u)/f(0)`,
    :math:`f(u) = \\cos^2\\big(\\tfrac{u/T + s}{1+s}\\tfrac{\\pi}{2}\\big)`,
    evaluated at :math:`u = k + 1`, with each step's :math:`\\beta` clipped at ``max_beta``.

    Parameters
    ----------
    steps : int, default 1000
        Number of steps T.
    s : float, default 0.008
        Offset of the cosine schedule.
    max_beta : float, default 0.999
        Clip of each step's :math:`\\beta`.

    Returns
    -------
    ndarray, shape (steps,)
        :math:`\\bar\\alpha_k`, decreasing.

    References
    ----------
    Nichol & Dhariwal (2021), eq. 17.
    docs/theory/dynamical-regimes.md sec. 0.
    """
    steps = int(check_scalar(steps, "steps", lower=1, upper=MAX_STEPS, integer=True))
    s = check_scalar(s, "s", lower=0.0)
    max_beta = check_scalar(max_beta, "max_beta", lower=0.0, upper=1.0, lower_open=True,
                            upper_open=True)
    u = np.arange(steps + 1) / steps
    f = np.cos((u + s) / (1 + s) * np.pi / 2) ** 2
    betas = np.clip(1.0 - f[1:] / f[:-1], 0.0, max_beta)
    return np.exp(np.cumsum(np.log1p(-betas)))


def ddpm_ou_times(alphabar: ArrayLike | None = None) -> np.ndarray:
    """OU time of every DDPM step, :math:`t_k = -\\tfrac12 \\log \\bar\\alpha_k`.

    Parameters
    ----------
    alphabar : array_like, optional
        Cumulative signal levels; default :func:`ddpm_linear_alphabar` (1000 steps, beta 1e-4 to
        2e-2, the schedule of the paper's U-Nets).

    Returns
    -------
    ndarray
        :math:`t_k`, one per step, increasing.

    References
    ----------
    Ho et al. (2020), sec. 4 (linear schedule); Biroli et al. (2024), arXiv:2402.18491, SI 'Denoising
    Diffusion Probabilistic Models' (t = -1/2 log alphabar).
    docs/theory/dynamical-regimes.md secs. 0 and 4.

    Examples
    --------
    >>> from theory.timemap import ddpm_ou_times
    >>> round(float(ddpm_ou_times()[999]), 5)
    5.05886
    """
    ab = ddpm_linear_alphabar() if alphabar is None else alphabar
    return np.asarray(ou_time_from_alphabar(ab), dtype=float).reshape(-1)


def ddpm_first_step_after(t: ArrayLike, alphabar: ArrayLike | None = None) -> np.ndarray | int:
    """Index of the first DDPM step whose OU time exceeds ``t`` (``alphabar_k < e^{-2t}``).

    This is how the paper's Table 1 discretised :math:`t_S = \\tfrac12\\log\\Lambda`: the first step
    with :math:`\\bar\\alpha_k < 1/\\Lambda`, reported as :math:`t_S = -\\tfrac12\\log\\bar\\alpha_k`.

    Parameters
    ----------
    t : array_like
        OU time(s), ``t >= 0``.
    alphabar : array_like, optional
        Cumulative signal levels; default :func:`ddpm_linear_alphabar`.

    Returns
    -------
    int or ndarray of int
        Index k of the first step with :math:`t_k > t` (a ValueError past the last step).

    References
    ----------
    Biroli et al. (2024), Table 1 (``tab:datasets``); docs/theory/dynamical-regimes.md section 4.
    """
    ta = check_array(t, "t", lower=0.0)
    times = ddpm_ou_times(alphabar)
    k = np.searchsorted(times, ta, side="right")
    if np.any(k >= times.size):
        raise ValueError(f"t must be < {times[-1]:g}, the last time of the schedule "
                         f"(got {float(np.max(ta)):g})")
    return int(k) if np.ndim(t) == 0 else k


def vp_sde_ou_time(tau: ArrayLike, beta_min: float = 0.1, beta_max: float = 20.0) -> np.ndarray | float:
    """OU time of the VP-SDE with linear :math:`\\beta(\\tau)`, ``tau`` in [0, 1].

    Parameters
    ----------
    tau : array_like
        Schedule time in [0, 1].
    beta_min, beta_max : float, default 0.1, 20.0
        :math:`\\beta(0)` and :math:`\\beta(1)`.

    Returns
    -------
    float or ndarray
        OU time ``t >= 0``.

    Notes
    -----
    :math:`\\bar\\alpha(\\tau) = \\exp(-\\int_0^\\tau \\beta)`, so
    :math:`t = \\tfrac12 \\int_0^\\tau \\beta
    = \\tfrac12[\\beta_{min}\\tau + \\tfrac12(\\beta_{max}-\\beta_{min})\\tau^2]`.

    References
    ----------
    Song et al. (2021), VP SDE (eqs. 11 and 29).
    docs/theory/dynamical-regimes.md sec. 0.
    """
    ta = check_array(tau, "tau", lower=0.0, upper=1.0)
    b0 = check_scalar(beta_min, "beta_min", lower=0.0, lower_open=True)
    b1 = check_scalar(beta_max, "beta_max", lower=b0)
    return restore_shape(0.5 * (b0 * ta + 0.5 * (b1 - b0) * ta**2), tau)


def edm_sigmas(steps: int = 18, sigma_min: float = 0.002, sigma_max: float = 80.0,
               rho: float = 7.0) -> np.ndarray:
    """EDM sampling noise levels :math:`\\sigma_i = (\\sigma_{max}^{1/\\rho} + \\tfrac{i}{N-1}
    (\\sigma_{min}^{1/\\rho} - \\sigma_{max}^{1/\\rho}))^{\\rho}`, decreasing.

    Parameters
    ----------
    steps : int, default 18
        Number of noise levels N.
    sigma_min, sigma_max : float, default 0.002, 80.0
        Smallest and largest noise level.
    rho : float, default 7.0
        Exponent of the schedule.

    Returns
    -------
    ndarray, shape (steps,)
        :math:`\\sigma_i`, decreasing.

    References
    ----------
    Karras et al. (2022), eq. 5.
    docs/theory/dynamical-regimes.md sec. 0.
    """
    steps = int(check_scalar(steps, "steps", lower=2, upper=MAX_STEPS, integer=True))
    smin = check_scalar(sigma_min, "sigma_min", lower=0.0, lower_open=True)
    smax = check_scalar(sigma_max, "sigma_max", lower=smin, lower_open=True)
    rho = check_scalar(rho, "rho", lower=0.0, lower_open=True)
    i = np.arange(steps) / (steps - 1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = (np.float64(smax) ** (1 / rho) + i * (np.float64(smin) ** (1 / rho)
                                                    - np.float64(smax) ** (1 / rho))) ** rho
        if not np.all(np.isfinite(out) & (out > 0)):
            # sigma^(1/rho) beyond float64 (small rho): the same interpolation in logs,
            # log sigma_i = rho logaddexp(log(1 - i) + log(sigma_max)/rho, log(i) + log(sigma_min)/rho)
            out = np.exp(rho * np.logaddexp(np.log1p(-i) + np.log(smax) / rho,
                                            np.log(i) + np.log(smin) / rho))
    return out


def ou_time_from_edm_sigma(sigma: ArrayLike) -> np.ndarray | float:
    """OU time of an EDM (VE, :math:`x = y + \\sigma n`) noise level: :math:`t = \\tfrac12\\log(1+\\sigma^2)`.

    Parameters
    ----------
    sigma : array_like
        EDM noise level, ``sigma >= 0``.

    Returns
    -------
    float or ndarray
        OU time ``t >= 0``.

    References
    ----------
    Karras et al. (2022), sec. 2; the VE map of this module.
    docs/theory/dynamical-regimes.md sec. 0.
    """
    sa = check_array(sigma, "sigma", lower=0.0, allow_inf=True)
    with np.errstate(over="ignore"):
        t = np.asarray(_ou_from_ve(sa**2), dtype=np.float64)
    # sigma^2 beyond float64: t = log sigma + 1/2 log1p(sigma^-2) = log sigma to float64 precision
    t = np.where(np.isinf(t) & np.isfinite(sa), np.log(np.where(np.isfinite(sa), sa, 1.0)), t)
    return restore_shape(t, sigma)
