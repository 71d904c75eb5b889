r"""Manifold and sub-manifold dimensions read from the gaps of an observed Jacobian spectrum.

Public names are re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_array, check_scalar

__all__ = ["DimensionEstimate", "estimate_dimensions"]


class DimensionEstimate(NamedTuple):
    r"""Dimensions read from a spectrum.

    ``normalized``: :math:`|x|/\max|x|` sorted in descending order (:math:`\mu`-like units, the
    normal directions near 1); ``gap_index[i]``: a gap lies between ``normalized[gap_index[i]]`` and
    ``normalized[gap_index[i] + 1]``, of size ``gap_sizes[i]``; ``normal_dimension``: values above
    the first gap; ``manifold_dimension``: values below it (0 without a gap);
    ``submanifold_dimensions``: the clusters below the first gap, from the top down (for the
    exact linear score: ascending latent variance).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 4.1 (the manifold dimension read from the largest
    gap).
    docs/theory/spectral-gaps.md sec. 2.6.
    """

    manifold_dimension: int
    normal_dimension: int
    submanifold_dimensions: tuple[int, ...]
    gap_index: np.ndarray
    gap_sizes: np.ndarray
    normalized: np.ndarray


def estimate_dimensions(spectrum: ArrayLike, threshold: float = 0.1) -> DimensionEstimate:
    r"""Estimate the manifold dimension and the sub-manifold dimensions from a spectrum's gaps.

    Parameters
    ----------
    spectrum : array_like, shape (d,)
        Eigenvalues of the score Jacobian J (or of :math:`-\Delta_t J`, or of :math:`sJ`), or its
        singular values, e.g. from :func:`validation.jacobian.probe_singular_values`; only
        :math:`|x|` is used.
    threshold : float
        Smallest gap, in units of the normalised spectrum :math:`|x|/\max|x|`, taken as a gap
        (:math:`\Delta \in (0, 1)`, default 0.1).

    Returns
    -------
    DimensionEstimate

    Raises
    ------
    ValueError
        Non-finite values, fewer than two values, an all-zero spectrum, or a threshold outside
        (0, 1).

    Notes
    -----
    Normalising by the largest value maps the spectrum of J onto :math:`\mu = -\Delta_t\,\mathrm{eig}
    J \in (0, 1]` when the normal spike (:math:`|J| = 1/\Delta_t`) is present.  Sorted in descending
    order, a drop larger than :math:`\Delta` between consecutive values is a gap; the first one from
    the top separates the d - m normal directions from the m tangent ones, the next ones split the
    tangent directions into sub-manifolds of different variances.  What the spectrum shows depends on
    the time: in the trivial phase there is no gap (``manifold_dimension = 0``), in the coverage
    phase the low-variance directions may still sit in the top cluster, in the consolidation phase
    exactly m values are near 0.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 4.1 (dimension from the sorted spectrum of -J,
    line 106: eigenvalues or singular values) and Fig. 1a; docs/theory/spectral-gaps.md
    sec. 1.1 and sec. 4 (qualitative targets).

    Examples
    --------
    >>> import numpy as np
    >>> from theory.spectral import estimate_dimensions
    >>> est = estimate_dimensions(np.r_[np.ones(60), np.full(20, 0.5), np.full(20, 0.05)])
    >>> est.manifold_dimension, est.submanifold_dimensions
    (40, (20, 20))
    """
    x = check_array(spectrum, "spectrum", ndim=1)
    delta = check_scalar(threshold, "threshold", lower=0.0, upper=1.0, lower_open=True,
                         upper_open=True)
    if x.size < 2:
        raise ValueError(f"spectrum must hold at least 2 values (got {x.size})")
    top = float(np.max(np.abs(x)))
    if top == 0.0:
        raise ValueError("spectrum must have a nonzero value (got all zeros)")
    mu = np.sort(np.abs(x))[::-1] / top
    drops = mu[:-1] - mu[1:]
    idx = np.flatnonzero(drops > delta)
    if idx.size == 0:
        return DimensionEstimate(0, x.size, (), idx, drops[idx], mu)
    bounds = np.r_[idx, x.size - 1]
    subs = tuple(int(n) for n in np.diff(bounds))
    return DimensionEstimate(int(x.size - idx[0] - 1), int(idx[0] + 1), subs, idx, drops[idx], mu)
