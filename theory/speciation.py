"""Speciation: the times at which the backward dynamics commits to a class.

- :func:`speciation_times` and :func:`phi` take a model of :mod:`theory.models` (the speciation
  cascade of a K-class mixture; the exact finite-d cloning probability);
- :func:`speciation_time_from_eigenvalue` and :func:`speciation_time_from_data` read t_S off the
  top eigenvalue of a data covariance (paper eq. 4).

Examples
--------
>>> import numpy as np
>>> from theory.models import GaussianMixture
>>> from theory.speciation import phi, speciation_times
>>> m = GaussianMixture.symmetric(1024)
>>> [round(float(x), 6) for x in speciation_times(m)]
[3.466224]
>>> round(float(phi(0.5 * np.log(1024), m)), 6)
0.7752
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._mixture_speciation import phi as phi
from ._mixture_speciation import speciation_directions as speciation_directions
from ._mixture_speciation import speciation_times as speciation_times
from .checks import NoSpeciationError as NoSpeciationError
from .checks import check_array, restore_shape
from .timemap import ddpm_first_step_after, ddpm_ou_times

__all__ = [
    "speciation_times",
    "speciation_directions",
    "phi",
    "NoSpeciationError",
    "DATA_CONVENTIONS",
    "covariance_spectrum",
    "top_covariance_eigenvalue",
    "speciation_time_from_eigenvalue",
    "speciation_time_from_data",
]

DATA_CONVENTIONS = ("paper", "lambda_plus_one", "lambda_minus_one")
_DENSE_LIMIT = 2048   # above this, the top eigenvalue comes from a Lanczos solver on X^T X


def _check_data(X: ArrayLike) -> np.ndarray:
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"X must be a 2-dimensional array of shape (n, d) (got shape {arr.shape})")
    if arr.shape[0] < 2:
        raise ValueError(f"X must have n >= 2 rows (data points) (got {arr.shape[0]})")
    if arr.shape[1] < 1:
        raise ValueError("X must have d >= 1 columns (got 0)")
    return check_array(arr, "X", dtype=np.result_type(arr.dtype, np.float32))


def covariance_spectrum(X: ArrayLike) -> np.ndarray:
    """All eigenvalues of the sample covariance of ``X`` (n, d), descending, length ``min(n, d)``.

    Computed from the singular values of the centred data (:math:`\\lambda_i = s_i^2/(n-1)`), never
    forming the d x d covariance.  The remaining ``d - min(n, d)`` eigenvalues are zero.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data, one point per row, ``n >= 2``.

    Returns
    -------
    ndarray, shape (min(n, d),)
        Eigenvalues of the sample covariance (1/(n-1)), descending.

    References
    ----------
    Biroli et al. (2024), eq. 11 and eq. 4 (``crit-spec``).
    docs/theory/dynamical-regimes.md sec. 2.1.
    """
    xc, scale = _centred_scaled(_check_data(X))
    s = np.linalg.svd(xc, compute_uv=False)
    with np.errstate(over="ignore"):
        out = (s**2 / (xc.shape[0] - 1)).astype(np.float64) * np.float64(scale) ** 2
    if not np.all(np.isfinite(out)):
        raise ValueError(f"X: covariance eigenvalues beyond the float64 range (largest entry of the "
                         f"centred data {scale:.3g}); rescale the data")
    return out


def _centred_scaled(x: np.ndarray) -> tuple[np.ndarray, float]:
    """(x - mean) / scale and scale = max |x - mean| (1 for constant data), without overflow."""
    x = x.astype(np.float64, copy=False)
    big = float(np.max(np.abs(x)))
    x = x / big if big > 0 else x
    xc = x - x.mean(axis=0)
    inner = float(np.max(np.abs(xc)))
    if inner == 0.0:
        return xc, 1.0
    return xc / inner, big * inner


def _top_scaled(X: ArrayLike) -> tuple[float, float]:
    """(top eigenvalue of the covariance of the scaled centred data, scale): Lambda = value * scale^2."""
    xc, scale = _centred_scaled(_check_data(X))
    n, d = xc.shape
    if min(n, d) <= _DENSE_LIMIT:
        gram = xc @ xc.T if n <= d else xc.T @ xc
        return float(max(np.linalg.eigvalsh(gram)[-1], 0.0) / (n - 1)), scale
    from scipy.sparse.linalg import LinearOperator, eigsh

    op = LinearOperator((d, d), matvec=lambda v: xc.T @ (xc @ v), dtype=np.float64)
    val = eigsh(op, k=1, which="LA", return_eigenvectors=False, tol=1e-12)
    return float(max(val[0], 0.0) / (n - 1)), scale


def top_covariance_eigenvalue(X: ArrayLike) -> float:
    """Largest eigenvalue :math:`\\Lambda` of the sample covariance of ``X`` (n, d) (unbiased, 1/(n-1)).

    For ``min(n, d) <= 2048`` the smaller Gram matrix is diagonalised densely; beyond, a Lanczos
    solver (``scipy.sparse.linalg.eigsh``) works on matrix-vector products :math:`X_c^T(X_c v)`, so
    no d x d (or n x n) matrix is formed.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data, one point per row, ``n >= 2``.

    Returns
    -------
    float
        :math:`\\Lambda`.

    References
    ----------
    Biroli et al. (2024), eq. 4 (``crit-spec``) and SI App. D (the authors use ``torch.cov`` and
    ``lobpcg``).
    docs/theory/dynamical-regimes.md secs. 2.1 and 4.
    """
    lam, scale = _top_scaled(X)
    with np.errstate(over="ignore"):
        out = np.float64(lam) * np.float64(scale) ** 2
    if not np.isfinite(out):
        raise ValueError(f"X: the top covariance eigenvalue is beyond the float64 range (log Lambda = "
                         f"{np.log(lam) + 2 * np.log(scale):.6g}); speciation_time_from_data works "
                         "in logs")
    return float(out)


def speciation_time_from_eigenvalue(Lambda: ArrayLike, convention: str = "paper",
                                    ddpm: bool = False) -> np.ndarray | float:
    """Speciation time from the top covariance eigenvalue :math:`\\Lambda`.

    Parameters
    ----------
    Lambda : array_like
        Top eigenvalue(s) of the data covariance, ``Lambda > 0``.
    convention : {"paper", "lambda_plus_one", "lambda_minus_one"}
        ``"paper"``: :math:`\\tfrac12\\log\\Lambda` (eq. 4 and Table 1); ``"lambda_plus_one"``:
        :math:`\\tfrac12\\log(\\Lambda+1)`, the zero crossing of the consistent Landau expansion
        :math:`M = I - (e^{-2t}/\\Delta_t) C_0` (SI App. A with the missing 1/Delta_t restored);
        ``"lambda_minus_one"``: :math:`\\tfrac12\\log(\\Lambda-1)`.
    ddpm : bool, default False
        Discretise on the DDPM linear schedule as the paper's Table 1 did: the OU time of the first
        step with :math:`\\bar\\alpha_k < e^{-2t_S}`.

    Returns
    -------
    float or ndarray
        :math:`t_S` (OU time) in the chosen convention.

    Raises
    ------
    NoSpeciationError
        When the argument of the log is ``<= 1`` (no positive speciation time in that reading); the
        message gives the value of ``lambda_plus_one``, which always exists.

    Notes
    -----
    .. math:: \\Lambda e^{-2 t_S} = 1.

    References
    ----------
    Biroli et al. (2024), eq. 4 (``crit-spec``), SI App. A, Table 1 (``tab:datasets``).
    docs/theory/dynamical-regimes.md secs. 2.1 and 4.

    Examples
    --------
    >>> from theory.speciation import speciation_time_from_eigenvalue
    >>> round(speciation_time_from_eigenvalue(7.66), 2)
    1.02
    """
    lam = check_array(Lambda, "Lambda", lower=0.0, lower_open=True)
    shift = {"paper": 0.0, "lambda_plus_one": 1.0, "lambda_minus_one": -1.0}
    if convention not in shift:
        raise ValueError(f"convention must be one of {', '.join(DATA_CONVENTIONS)} (got {convention!r})")
    arg = lam + shift[convention]
    if np.any(arg <= 1.0):
        bad = float(lam[arg <= 1.0].flat[0]) if lam.ndim else float(lam)
        raise NoSpeciationError(
            f"Lambda = {bad:.4g}: the reading {convention!r} gives no positive speciation time "
            f"(argument of the log {bad + shift[convention]:.4g} <= 1); the convention "
            f"'lambda_plus_one' gives t = {0.5 * np.log1p(bad):.4g}")
    t = 0.5 * np.log(arg)
    if ddpm:
        t = ddpm_ou_times()[ddpm_first_step_after(t)]
    return restore_shape(t, Lambda)


def speciation_time_from_data(X: ArrayLike, convention: str = "paper", ddpm: bool = False) -> float:
    """Speciation time :math:`t_S = \\tfrac12\\log\\Lambda` of a dataset ``X`` of shape (n, d).

    :math:`\\Lambda` is the top eigenvalue of the sample covariance (:func:`top_covariance_eigenvalue`,
    no dense d x d matrix for large d); see :func:`speciation_time_from_eigenvalue` for the conventions
    and for the error raised when :math:`\\Lambda \\le 1` (e.g. 8x8 digits scaled to [0, 1]).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Data, one point per row, ``n >= 2``.
    convention : {"paper", "lambda_plus_one", "lambda_minus_one"}, default "paper"
        Reading of :math:`t_S` (see :func:`speciation_time_from_eigenvalue`).
    ddpm : bool, default False
        Report the OU time of the first DDPM step past :math:`t_S` (the paper's Table 1).

    Returns
    -------
    float
        :math:`t_S` (OU time).

    References
    ----------
    Biroli et al. (2024), eq. 4 (``crit-spec``).
    docs/theory/dynamical-regimes.md secs. 2.1 and 4.
    """
    lam, scale = _top_scaled(X)
    if lam == 0.0:
        raise ValueError("X: the data have no variance (all points are identical), so the top "
                         "covariance eigenvalue Lambda is 0 and no speciation time is defined")
    with np.errstate(over="ignore"):
        full = np.float64(lam) * np.float64(scale) ** 2
    if np.isfinite(full) and full > 0:
        return speciation_time_from_eigenvalue(full, convention, ddpm)
    if convention not in DATA_CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(DATA_CONVENTIONS)} (got {convention!r})")
    if not np.isfinite(full):
        # Lambda > 1.8e308: log(Lambda +/- 1) = log(Lambda) to float64 precision
        t = 0.5 * (np.log(lam) + 2.0 * np.log(scale))
        return float(ddpm_ou_times()[ddpm_first_step_after(t)]) if ddpm else float(t)
    return speciation_time_from_eigenvalue(full, convention, ddpm)   # underflow: its own message
