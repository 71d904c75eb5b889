r"""Jacobian spectra predicted from a dataset's covariance spectrum, and the sample-covariance law.

Two statements, kept apart:

1. **Population Gaussian model** (exact, no random matrix): data :math:`N(\bar x, C)` have the score
   Jacobian :math:`J(t) = -(e^{-2t}C + \Delta_t I)^{-1}` at every x, so the normalised Jacobian
   :math:`-\Delta_t J` has the eigenvalues :math:`\mu_i = s/(s + \lambda_i)`, :math:`s = e^{2t} - 1`,
   one per eigenvalue :math:`\lambda_i` of C (:func:`gaussian_jacobian_spectrum`,
   :func:`predict_jacobian_spectrum`).  With C the covariance of a dataset this is the spectrum the
   exact empirical score of that dataset tends to at large t (its posterior covariance tends to C),
   which :func:`validation.spectral.compare_dataset_jacobian` measures.
2. **Estimated covariance** (random matrix): the eigenvalues of the sample covariance of n Gaussian
   draws with population spectrum :math:`\lambda_i` follow the generalised Marchenko-Pastur law,
   the law of :math:`B = F\Sigma F^T` of :mod:`theory.spectral` with F of size n x p
   (:math:`N(0, 1/n)` entries), one group of fraction 1/n per population eigenvalue
   (:func:`sample_covariance_bulks`, :func:`sample_covariance_density`,
   :func:`sample_covariance_cumulative`).  It says how far a spectrum measured on n points is from
   its population, and so how far the large-t Jacobian of an empirical score of n Gaussian points is
   from the population prediction.

Public names are re-exported by :mod:`theory.spectral`.

Examples
--------
>>> import numpy as np
>>> from theory.spectral import sample_covariance_bulks, tangent_dimension_count
>>> lam = np.array([4.0, 1.0, 0.25])               # covariance eigenvalues
>>> tangent_dimension_count(lam, [0.1, 0.5, 1.0]).tolist()   # lambda > s = e^{2t} - 1
[3, 1, 0]
>>> b = sample_covariance_bulks(np.ones(100), n=400)[0]     # Marchenko-Pastur, ratio 1/4
>>> round(b.lower, 6), round(b.upper, 6)
(0.25, 2.25)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._dimension import estimate_dimensions
from ._stieltjes import Bulk, bulk_cumulative, bulk_density, bulks_of
from .checks import check_array, check_scalar, restore_shape
from .collapse import collapse_time_from_spectrum
from .timemap import ve_variance

__all__ = ["DataSpectrumPrediction", "gaussian_jacobian_spectrum", "tangent_dimension_count",
           "predict_jacobian_spectrum", "sample_covariance_bulks", "sample_covariance_density",
           "sample_covariance_cumulative"]


def _spectrum(eigenvalues: ArrayLike, d: int | None = None) -> tuple[np.ndarray, int]:
    lam = check_array(eigenvalues, "eigenvalues", ndim=1)
    if lam.size == 0:
        raise ValueError("eigenvalues must be a non-empty 1-dimensional array (got size 0)")
    scale = float(np.max(np.abs(lam)))
    if np.any(lam < -1e-10 * scale):
        raise ValueError(f"eigenvalues must be >= 0 (got {float(lam.min()):g})")
    if scale == 0.0:
        raise ValueError("eigenvalues must contain at least one value > 0 (got all zero)")
    lam = np.sort(np.clip(lam, 0.0, None))
    lam[lam <= lam.size * np.finfo(float).eps * scale] = 0.0       # round-off of exact zeros
    d = lam.size if d is None else int(check_scalar(d, "d", lower=lam.size, integer=True))
    return np.r_[np.zeros(d - lam.size), lam], d


def gaussian_jacobian_spectrum(eigenvalues: ArrayLike, t: ArrayLike,
                               d: int | None = None) -> np.ndarray:
    r"""Eigenvalues :math:`\mu = s/(s + \lambda)` of :math:`-\Delta_t J` for Gaussian data, descending.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        Covariance eigenvalues :math:`\lambda_i \ge 0`; values below :math:`p\,\epsilon\max_i
        \lambda_i` (round-off of exact zeros, e.g. constant pixels) are set to 0.
    t : array_like
        OU times > 0.
    d : int, optional
        Ambient dimension >= p; the spectrum is padded with zeros (``mu = 1``).

    Returns
    -------
    ndarray, shape ``t.shape + (d,)``
        Descending: the normal directions (:math:`\lambda = 0`, :math:`\mu = 1`) first.

    Notes
    -----
    Data :math:`N(\bar x, C)` noised by the OU process have covariance
    :math:`e^{-2t}C + \Delta_t I`, score :math:`-(e^{-2t}C + \Delta_t I)^{-1}(x - e^{-t}\bar x)` and
    Jacobian :math:`J = -(e^{-2t}C + \Delta_t I)^{-1}` for every x; on an eigenvector of C,
    :math:`-\Delta_t J = \Delta_t/(e^{-2t}\lambda + \Delta_t) = s/(s + \lambda)`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (Jacobian of a linear Gaussian model);
    Biroli et al. (2024), arXiv:2402.18491, sec. 3 (Gaussian data with a covariance spectrum);
    ``docs/theory/spectral-gaps.md`` sec. 2.1.
    """
    lam, d = _spectrum(eigenvalues, d)
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    s = np.asarray(ve_variance(ta))[..., None]
    return s / (s + lam)


def tangent_dimension_count(eigenvalues: ArrayLike, t: ArrayLike,
                            threshold: float = 0.5) -> np.ndarray | int:
    r"""Number of directions with :math:`\mu < \text{threshold}` in the Gaussian-model spectrum.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
    t : array_like
        OU times > 0.
    threshold : float
        In (0, 1); 0.5 by default, the count convention of
        :func:`theory.manifold.theory_dimension_count` and
        :func:`validation.memorization.dimension_count` (:math:`|J| < 0.5/\Delta_t`).

    Returns
    -------
    int or ndarray of int, shape of ``t``

    Notes
    -----
    :math:`\mu_i < \theta \iff \lambda_i > s(1 - \theta)/\theta`; with :math:`\theta = 1/2`: the
    directions whose variance exceeds the VE noise variance :math:`s = e^{2t} - 1`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (tangent dimensions read off the Jacobian spectrum);
    Ventura et al. (2025), arXiv:2410.05898, sec. 4.1.
    docs/theory/spectral-gaps.md sec. 2.6.
    """
    lam, _ = _spectrum(eigenvalues)
    thr = check_scalar(threshold, "threshold", lower=0.0, upper=1.0, lower_open=True,
                       upper_open=True)
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    cut = np.asarray(ve_variance(ta)) * (1.0 - thr) / thr
    out = lam.size - np.searchsorted(lam, cut, side="right")
    return int(out) if np.ndim(t) == 0 else out.astype(np.int64)


class DataSpectrumPrediction(NamedTuple):
    r"""Gaussian-model prediction of the Jacobian spectrum of data at OU times t.

    ``mu`` (T, d): :math:`s/(s+\lambda_i)`, descending; ``count`` (T,): directions with
    :math:`\mu <` ``threshold``; ``gap_dimension`` (T,): the manifold dimension that
    :func:`theory.spectral.estimate_dimensions` reads off ``mu`` (values below the first gap larger
    than ``gap_threshold``, 0 without one); ``largest_gap`` (T,): the largest drop between
    consecutive sorted :math:`\mu`; ``collapse_time``: :math:`t_C` of n Gaussian points with this
    spectrum (NaN without n).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (bulks and gaps of the Jacobian spectrum);
    ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """

    t: np.ndarray
    s: np.ndarray
    mu: np.ndarray
    threshold: float
    count: np.ndarray
    gap_threshold: float
    gap_dimension: np.ndarray
    largest_gap: np.ndarray
    collapse_time: float
    n: int | None


def predict_jacobian_spectrum(eigenvalues: ArrayLike, t: ArrayLike, n: int | None = None,
                              d: int | None = None, threshold: float = 0.5,
                              gap_threshold: float = 0.1) -> DataSpectrumPrediction:
    r"""Jacobian spectrum, gaps and tangent-dimension counts of the Gaussian model of a dataset.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        The dataset's covariance eigenvalues (e.g. :func:`theory.speciation.covariance_spectrum`).
    t : array_like
        OU times > 0 (flattened).
    n : int, optional
        Number of data points: adds the collapse time :math:`t_C`
        (:func:`theory.collapse.collapse_time_from_spectrum`), below which the exact empirical
        score of n points no longer follows the Gaussian model (its Jacobian returns to the
        normal bulk, :math:`\mu \to 1`).
    d : int, optional
        Ambient dimension (default p).
    threshold : float
        Count threshold in (0, 1) (see :func:`tangent_dimension_count`).
    gap_threshold : float
        Gap threshold of :func:`theory.spectral.estimate_dimensions`.

    Returns
    -------
    DataSpectrumPrediction

    Notes
    -----
    :math:`\mu_i(t) = s/(s + \lambda_i)` (:func:`gaussian_jacobian_spectrum`); the count is
    :math:`\#\{\lambda_i > s(1-\theta)/\theta\}`; the gap reading sorts :math:`\mu` in descending
    order and cuts at the first drop larger than the gap threshold.  For a spread spectrum (images)
    the count decreases smoothly with t, and the gaps are those between the top, well separated
    eigenvalues.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 4.1 and 8 (Jacobian spectra of image data);
    Achilli et al. (2024), arXiv:2410.08727; Biroli et al. (2024), arXiv:2402.18491, eq. 5 (t_C).
    docs/theory/spectral-gaps.md secs. 2.2 and 3.3.
    """
    lam, d = _spectrum(eigenvalues, d)
    ta = check_array(t, "t", lower=0.0, lower_open=True).reshape(-1)
    thr = check_scalar(threshold, "threshold", lower=0.0, upper=1.0, lower_open=True,
                       upper_open=True)
    gthr = check_scalar(gap_threshold, "gap_threshold", lower=0.0, upper=1.0, lower_open=True,
                        upper_open=True)
    mu = gaussian_jacobian_spectrum(lam, ta)
    count = tangent_dimension_count(lam, ta, thr)
    gdim = np.empty(ta.size, dtype=np.int64)
    largest = np.empty(ta.size)
    for i, row in enumerate(mu):
        est = estimate_dimensions(row, gthr)
        gdim[i] = est.manifold_dimension
        largest[i] = float(np.max(-np.diff(est.normalized)))
    tc = float("nan")
    nn = None
    if n is not None:
        nn = int(check_scalar(n, "n", lower=2, integer=True))
        tc = float(collapse_time_from_spectrum(lam, nn, d))
    return DataSpectrumPrediction(ta, np.asarray(ve_variance(ta)), mu, thr, count, gthr, gdim,
                                  largest, tc, nn)


# --- the sample covariance of n Gaussian points: generalised Marchenko-Pastur ------------------------

def _sample_groups(eigenvalues: ArrayLike, n) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Groups (fraction mult/n, variance) of the nonzero population eigenvalues; p and n."""
    lam, p = _spectrum(eigenvalues)
    nn = int(check_scalar(n, "n", lower=1, integer=True))
    pos = lam[lam > 0]
    v, mult = np.unique(pos, return_counts=True)
    return mult / nn, v, p, nn


def sample_covariance_bulks(eigenvalues: ArrayLike, n: int) -> list[Bulk]:
    r"""Support of the sample-covariance spectrum of n Gaussian points with a population spectrum.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        Population covariance eigenvalues :math:`\ge 0` (zeros stay zero in every sample).
    n : int
        Number of independent samples (n - 1 for the covariance of n centred points).

    Returns
    -------
    list of Bulk
        Edges and mass per p (fraction of the p sample eigenvalues in each bulk; the masses add up
        to :math:`\min(p_+, n)/p`, :math:`p_+` the number of positive population eigenvalues) and
        the population eigenvalues (indices into the sorted distinct positive values) that each bulk
        comes from.

    Notes
    -----
    :math:`\hat C = \Sigma^{1/2}ZZ^T\Sigma^{1/2}/n` (Z: p x n standard normal) has the nonzero
    eigenvalues of :math:`B = F\Sigma F^T` with :math:`F = Z^T/\sqrt n` (n x p, :math:`N(0, 1/n)`),
    the model of :mod:`theory.spectral` with "d" = n and one group of fraction :math:`1/n` per
    population eigenvalue (equal eigenvalues merged).  Edges by the critical-point method on
    :math:`z(w) = w(1 + \sum_k f_kv_k/(w - v_k))` (any :math:`\sum_k f_k = p_+/n`, also > 1); a
    detached bulk holds exactly its groups' share of eigenvalues (exact separation), so a
    population eigenvalue whose bulk detaches is resolved by n samples.

    References
    ----------
    J. W. Silverstein, Z. D. Bai, J. Multivariate Anal. 54 (1995) 175 (the self-consistent
    equation); J. W. Silverstein, S.-I. Choi, ibid. 295 (support); Z. D. Bai, J. W. Silverstein,
    Ann. Probab. 26 (1998) 316 (exact separation); ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """
    f, v, p, nn = _sample_groups(eigenvalues, n)
    out = []
    for b in bulks_of(f, v, "poles")[0]:
        out.append(b._replace(mass=b.mass * nn / p))
    return out


def sample_covariance_density(x: ArrayLike, eigenvalues: ArrayLike, n: int) -> np.ndarray | float:
    r"""Density (per p) of the sample-covariance eigenvalues of n Gaussian points; atom at 0 apart.

    Parameters
    ----------
    x : array_like
        Points (any shape, finite).
    eigenvalues : array_like, shape (p,)
        Population eigenvalues.
    n : int
        Number of independent samples.

    Returns
    -------
    float or ndarray
        :math:`\frac np\,\rho_B(x)` with :math:`\rho_B` of :func:`sample_covariance_bulks`.

    Notes
    -----
    Density from the pole solver (:mod:`theory._stieltjes_many`): Newton's method on the
    self-consistent equation with continuation in the imaginary part, then at :math:`\eta = 0`.

    References
    ----------
    Silverstein, Bai (1995); ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """
    f, v, p, nn = _sample_groups(eigenvalues, n)
    xa = check_array(x, "x")
    return restore_shape(bulk_density(xa, f, v, method="poles") * nn / p, x)


def sample_covariance_cumulative(x: ArrayLike, eigenvalues: ArrayLike, n: int) -> np.ndarray | float:
    r"""Fraction of the p sample-covariance eigenvalues at or below x (zeros included).

    Parameters
    ----------
    x : array_like
        Eigenvalue(s) of the sample covariance.
    eigenvalues : array_like
        Population covariance spectrum (p values; zeros allowed).
    n : int
        Number of samples, ``n >= 1``.

    Returns
    -------
    float or ndarray (shape of ``x``)
        :math:`N_p(x)`.

    Notes
    -----
    :math:`N_p(x) = 1 - \frac np(1 - N_B(x))` for :math:`x \ge 0`, with :math:`N_B` the closed-form
    distribution function of B (:func:`theory.spectral.cumulative`, here for any
    :math:`\sum_k f_k = p_+/n`); the atom at 0 has weight :math:`1 - \min(p_+, n)/p`.

    References
    ----------
    Silverstein, Bai (1995); Bai, Silverstein (1998) (exact separation).
    docs/theory/spectral-gaps.md sec. 2.2.
    """
    f, v, p, nn = _sample_groups(eigenvalues, n)
    xa = check_array(x, "x")
    nb = bulk_cumulative(xa, f, v, method="poles")
    return restore_shape(np.where(xa >= 0.0, 1.0 - nn / p * (1.0 - nb), 0.0), x)
