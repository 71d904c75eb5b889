r"""The subspace-resolved extension (docs/theory/losing-dimensions.md sec. 2.4) and the global collapse time
beside the per-subspace thresholds (docs/theory/losing-dimensions.md sec. 2.5)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._manifold_thresholds import (
    _check_n,
    _check_time_kind,
    _from_ve,
    _to_ve,
    _variances,
    check_subspaces,
)
from .checks import check_array, check_scalar, restore_shape
from .collapse import collapse_time_from_spectrum
from .timemap import _ve

# --- the subspace-resolved extension ----------------------------------------------------------------

def _check_fractions(fractions: ArrayLike, variances: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    psi = check_array(fractions, "fractions", lower=0.0, upper=1.0, lower_open=True)
    if psi.ndim != 1 or psi.size == 0:
        raise ValueError(f"fractions must be a non-empty 1-dimensional array (got shape {psi.shape})")
    if psi.sum() > 1.0 + 1e-12:
        raise ValueError(f"fractions must sum to at most 1 (got {psi.sum():g})")
    var = check_array(variances, "variances", lower=0.0, lower_open=True)
    if var.shape != psi.shape:
        raise ValueError(f"variances must have one entry per fraction, {psi.size} "
                         f"(got shape {var.shape})")
    return psi, var


def subspace_collapse_times(fractions: ArrayLike, variances: ArrayLike, alpha: ArrayLike,
                            time: str = "ou") -> np.ndarray:
    r"""Subspace-resolved critical times in the :math:`n = e^{\alpha d}` regime (**extension**).

    Parameters
    ----------
    fractions : array_like, shape (K,)
        :math:`\psi_k = d_k/d`, each in (0, 1], summing to at most 1.
    variances : array_like, shape (K,)
        Per-coordinate variance :math:`\sigma_k^2` of each subspace, ``> 0``.
    alpha : array_like
        :math:`\alpha = \log(n)/d`, ``> 0``.
    time : {"ou", "ve_variance"}

    Returns
    -------
    ndarray, shape ``alpha.shape + (K,)``

    Notes
    -----
    **Extension, not from the paper or the authors' code** (docs/theory/losing-dimensions.md sec. 2.4, [D]): a
    probe :math:`\sqrt t\,\xi_k` with :math:`|\xi_k|^2 = d_k` sees cross-term energies of variance
    :math:`d_k\sigma_k^2/t`; REM condensation at :math:`2\log n = 2\alpha d` gives

    .. math::
        t_C^{(k)} = \frac{\psi_k\sigma_k^2}{2\alpha}\ \text{(VE)},\qquad
        t_C^{(k)} = \tfrac12\log\Big(1 + \frac{\psi_k\sigma_k^2}{2\alpha}\Big)\ \text{(OU)},

    finite as :math:`d \to \infty` at fixed alpha (the per-direction thresholds of
    :func:`collapse_times` go to 0 there).  Only the cross term is kept (fixed-norm data); the
    Gaussian norm term is O(d) too.  Monte Carlo at test points near training points
    (:mod:`validation.memorization`) finds the global collapse first at these sizes.

    References
    ----------
    docs/theory/losing-dimensions.md sec. 2.4 (extension of Achilli et al. 2024,
    arXiv:2410.08727); :func:`derivations.manifold_rem.subspace_rem`.
    """
    time = _check_time_kind(time)
    psi, var = _check_fractions(fractions, variances)
    al = check_array(alpha, "alpha", lower=0.0, lower_open=True)
    return _from_ve(psi * var / (2.0 * al[..., None]), time)


def subspace_rem_retention(fractions: ArrayLike, variances: ArrayLike, alpha: float, t: ArrayLike,
                           time: str = "ou") -> np.ndarray:
    r"""Extension's REM retention :math:`\min(1, \sqrt{2\alpha t_{VE}/(\psi_k\sigma_k^2)})`.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`\psi_k = d_k/d` of the dimensions in each subspace.
    variances : array_like, shape (K,)
        Variance :math:`\sigma_k^2 > 0` of the coordinates of each subspace.
    alpha : float
        :math:`\alpha = \log(n)/d > 0`.
    t : array_like
        Times (unit ``time``), ``t > 0``.
    time : {"ou", "ve_variance"}, default "ou"
        Unit of the times: OU time or VE noise variance.

    Returns
    -------
    ndarray, shape ``t.shape + (K,)``

    Notes
    -----
    :math:`\min(1, \sqrt{2\log n/v_k})` with :math:`v_k = d_k\sigma_k^2/t_{VE}` and
    :math:`\log n = \alpha d` (extension, docs/theory/losing-dimensions.md sec. 2.4 [D]).

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (setting);
    docs/theory/losing-dimensions.md secs. 2.2 and 2.4 (extension).
    """
    time = _check_time_kind(time)
    psi, var = _check_fractions(fractions, variances)
    al = check_scalar(alpha, "alpha", lower=0.0, lower_open=True)
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    s = _to_ve(ta, time)[..., None]
    return np.minimum(1.0, np.sqrt(2.0 * al * s / (psi * var)))


# --- the global collapse time beside them -----------------------------------------------------------

def global_collapse_time(stds: ArrayLike, dims: ArrayLike, n: ArrayLike, time: str = "ou",
                         normalized: bool = False, effective: bool = False) -> np.ndarray | float:
    r"""Global (Biroli et al.) collapse time of Gaussian data with these subspace variances.

    Parameters
    ----------
    stds, dims : array_like, shape (K,)
    n : array_like
        ``>= 2``.
    time : {"ou", "ve_variance"}
    normalized, effective : bool
        With ``normalized=True`` the criterion is evaluated with the variances the per-direction
        formulas use (raw stds, or the effective ones with ``effective=True``) -- a Gaussian
        approximation for data on the sphere.

    Returns
    -------
    float or ndarray (shape of ``n``)

    Notes
    -----
    Root of :math:`\frac1d\sum_j\log(1 + \sigma_j^2e^{-2t}/\Delta_t) = 2\alpha` (OU), i.e.
    :math:`\frac{1}{2d}\sum_j\log(1 + \sigma_j^2/t_{VE}) = \alpha` (VE), solved by
    :func:`theory.collapse.collapse_time_from_spectrum` with the spectrum
    :math:`\sigma_k^2` repeated :math:`d_k` times.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 5 (``crit-coll``);
    docs/theory/dynamical-regimes.md sec. 3.3 and docs/theory/losing-dimensions.md sec. 2.5 [D].
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    nn = _check_n(n)
    var = _variances(sd, dm, normalized, effective)
    t_ou = np.asarray(collapse_time_from_spectrum(np.repeat(var, dm), nn))
    out = t_ou if time == "ou" else _ve(t_ou)
    return restore_shape(out, n)
