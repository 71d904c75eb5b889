r"""The theory spectrum of the paper's figure: population Jacobian plus the memorization term.

Implemented from the formula transcribed in docs/theory/losing-dimensions.md sec. 2.1 (the
"Theory" panel of Achilli et al. 2024); not copied from the authors' code.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._manifold_thresholds import _check_time_kind, _gate_q4, _to_ve, _variances, check_subspaces
from .checks import check_array, check_scalar


def theory_spectrum(stds: ArrayLike, dims: ArrayLike, n: float, t: ArrayLike,
                    normalized: bool = True, effective: bool = False,
                    time: str = "ou") -> np.ndarray:
    r"""Model singular values of the empirical-score Jacobian, one per coordinate (the paper's figure).

    Parameters
    ----------
    stds, dims : array_like, shape (K,)
        One standard deviation (``> 0``) and one dimension per subspace, normal block included
        (the paper's theory panel uses 1e-6 for it).
    n : float
        Number of training points, ``>= 2``.
    t : array_like
        Time, ``> 0``, in the unit named by ``time``.
    normalized : bool
        Sphere data (gate g = 0, default, as in the paper's figure) or Gaussian data (g = 1).
    effective : bool
        Effective variances of the sphere-normalized data instead of the raw stds.
    time : {"ou", "ve_variance"}
        OU time (default; the values are then those of the OU Jacobian, :math:`e^{2t}` times the VE
        ones) or VE noise variance (the authors' units).

    Returns
    -------
    ndarray, shape ``t.shape + (d,)``
        :math:`S_i(t)` in coordinate order (subspace blocks in the order given).

    Notes
    -----
    In VE variance t, with :math:`L = \log n` and :math:`Q_4 = \sum_j\sigma_j^4`:

    .. math::
        \lambda_i = \frac{1}{t + \sigma_i^2},\quad
        t_{c,i}(t) = \sqrt{\frac{gQ_4/2 + t\sigma_i^2}{2L}},\quad
        \phi_i = \max\Big(0, \frac1t - \frac{1}{t_{c,i}(t)}\Big),\quad
        \phi_0 = g\max\Big(0, \frac1t - \frac{1}{t_{c0}}\Big),

    .. math::
        F(t) = \sum_j\frac{\sigma_j^2}{t^2(t + \sigma_j^2)},\qquad
        S_i(t) = \sqrt{\lambda_i^2 + F(t)^2(\phi_0 + \phi_i)^2},

    with :math:`t_{c0} = \sqrt{Q_4/(4L)}` (never evaluated on the sphere, where :math:`\phi_0 = 0`).

    What is what: :math:`\lambda_i` is the exact population Jacobian eigenvalue magnitude
    (:math:`1/(\Delta_t + \sigma_i^2e^{-2t})` in OU time); :math:`\phi_i = Y_i^{REM}/t` is the REM
    participation ratio of the direction over t (derived reading, docs/theory/losing-dimensions.md sec. 2.2
    [D]).  **Heuristic parts:** the amplitude :math:`F(t)` (its derivation is not visible in the authors'
    code) and adding the population and memorization parts in quadrature.  A direction that is condensed gets
    a value far above the normal bulk 1/t and leaves the small "tangent" group.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727, "Theory" panel of the figure ``three_subplots``
    (``eigenvalues``, ``t_c``, ``t_c0``, ``phi``, ``phi0``, ``factor``, ``singular``;
    docs/theory/losing-dimensions.md sec. 2.1 [C]); reading in sec. 2.2 [D].
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    nn = check_scalar(n, "n", lower=2.0)
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    var_k = _variances(sd, dm, normalized, effective)
    var = np.repeat(var_k, dm)
    gq4 = _gate_q4(var_k, dm, normalized)
    L = np.log(nn)
    s = _to_ve(ta, time)[..., None]
    lam = 1.0 / (s + var)
    t_c = np.sqrt((0.5 * gq4 + s * var) / (2.0 * L))
    phi = np.maximum(0.0, 1.0 / s - 1.0 / t_c)
    if gq4 > 0:
        phi0 = np.maximum(0.0, 1.0 / s - 1.0 / np.sqrt(gq4 / (4.0 * L)))
    else:
        phi0 = np.zeros_like(s)
    factor = np.sum(var / (s**2 * (s + var)), axis=-1, keepdims=True)
    sing = np.hypot(lam, factor * (phi0 + phi))
    if time == "ou":
        sing = sing * (1.0 + s)      # J_OU = e^{2t} J_VE, e^{2t} = 1 + t_VE
    return sing


def normalized_spectrum(singular: ArrayLike, drop: int = 0) -> np.ndarray:
    r"""Sort singular values in decreasing order, drop the ``drop`` largest, divide by the maximum left.

    Parameters
    ----------
    singular : array_like, shape (..., d)
    drop : int
        Number of largest values removed before normalizing (the paper's figure: ``in_idx = 7``).

    Returns
    -------
    ndarray, shape (..., d - drop)

    References
    ----------
    Achilli et al. (2024), figure ``three_subplots`` (docs/theory/losing-dimensions.md
    sec. 3.3 [C]).
    """
    sv = check_array(singular, "singular", lower=0.0)
    if sv.ndim < 1:
        raise ValueError(f"singular must have at least one dimension (got shape {sv.shape})")
    drop = int(check_scalar(drop, "drop", lower=0, upper=sv.shape[-1] - 1, integer=True))
    out = -np.sort(-sv, axis=-1)[..., drop:]
    return out / out[..., :1]


def theory_dimension_count(stds: ArrayLike, dims: ArrayLike, n: float, t: ArrayLike,
                           normalized: bool = True, effective: bool = False, time: str = "ou",
                           threshold: float = 0.5) -> np.ndarray:
    r"""Number of "small" model singular values: the tangent dimensions the theory still sees.

    Parameters
    ----------
    stds, dims, n, t, normalized, effective, time
        As in :func:`theory_spectrum`.
    threshold : float
        A value counts as small when :math:`S_i < \text{threshold}\times` the normal-bulk value
        (:math:`1/t_{VE}` in VE units, :math:`1/\Delta_t` in OU), ``0 < threshold < 1``.

    Returns
    -------
    ndarray of int, shape of ``t``

    Notes
    -----
    A read-out convention of the package (the paper reads the count off the sorted, normalized
    spectrum by eye).  With the default 0.5 it gives the 7 -> 5 -> 0 sequence of the paper's figure
    as t decreases across :math:`t_C^{(1)}` and :math:`t_C^{(2)}` (docs/theory/losing-dimensions.md sec. 3.3);
    the same criterion applied to the exact Jacobian of the empirical score is
    :func:`validation.memorization.dimension_count`.

    References
    ----------
    Achilli et al. (2024), figure ``three_subplots`` (docs/theory/losing-dimensions.md
    secs. 2.1 and 3.3).
    """
    thr = check_scalar(threshold, "threshold", lower=0.0, upper=1.0, lower_open=True,
                       upper_open=True)
    sing = theory_spectrum(stds, dims, n, t, normalized, effective, time)
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    s = _to_ve(ta, time)[..., None]
    bulk = 1.0 / s if time == "ve_variance" else (1.0 + s) / s
    return np.sum(sing < thr * bulk, axis=-1)
