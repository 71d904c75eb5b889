r"""Linear-manifold data: Gaussian blocks of given variances, axis-aligned or randomly embedded,
optionally projected onto a sphere.

Subspace k has dimension :math:`d_k` and per-coordinate standard deviation :math:`\sigma_k`;
:math:`y = \sum_k U_k (\sigma_k g_k)` with :math:`g_k \sim N(0, I_{d_k})` and :math:`U_k` an
orthonormal (d, d_k) basis; with ``normalized=True``, :math:`y \leftarrow r\,y/|y|`.  Directions of
the ambient space outside every subspace carry no variance (give a normal block explicitly, e.g.
std 0.01, as the paper does).

References
----------
Achilli et al. (2024), arXiv:2410.08727, synthetic data (docs/theory/losing-dimensions.md
sec. 1.2: axis-aligned blocks, ``normalized=True`` in every paper run); Ventura et al. (2024),
random embeddings (docs/theory/spectral-gaps.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from theory.checks import check_array, check_scalar
from theory.manifold import check_subspaces, effective_variances

from ._posterior import Dataset
from .jacobian import random_orthogonal

__all__ = ["LinearManifold", "linear_manifold", "linear_manifold_data"]

EMBEDDINGS = ("axis", "random")


@dataclass(frozen=True)
class LinearManifold:
    r"""A linear-manifold population: subspace bases, variances, normalization.

    Attributes
    ----------
    stds : ndarray (K,)
        Per-coordinate standard deviation of each subspace before any normalization.
    dims : ndarray of int (K,)
    d : int
        Ambient dimension, ``>= sum(dims)``.
    bases : tuple of ndarray
        Orthonormal basis (d, d_k) of each subspace.
    normalized : bool
        Points projected onto the sphere of radius ``radius``.
    radius : float

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (linear-manifold data with per-subspace scales, optionally
    on the sphere); docs/theory/losing-dimensions.md sec. 1.2.
    """

    stds: np.ndarray
    dims: np.ndarray
    d: int
    bases: tuple[np.ndarray, ...]
    normalized: bool
    radius: float

    @property
    def variances(self) -> np.ndarray:
        r"""Population per-coordinate variance of each subspace: :math:`\sigma_k^2`, or on the sphere
        :math:`r^2\tilde\sigma_k^2` (exact, :func:`theory.manifold.effective_variances`)."""
        if not self.normalized:
            return self.stds**2
        # directions outside the subspaces carry no variance and do not change |y|
        return self.radius**2 * effective_variances(self.stds, self.dims)

    def sample(self, n: int, rng=None, dtype=np.float64) -> np.ndarray:
        """``n`` points of the population, shape (n, d)."""
        n = int(check_scalar(n, "n", lower=1, integer=True))
        rng = np.random.default_rng(rng)
        coords = rng.standard_normal((n, int(self.dims.sum()))) * np.repeat(self.stds, self.dims)
        if self.normalized:
            coords *= self.radius / np.linalg.norm(coords, axis=1, keepdims=True)
        pts = coords @ np.concatenate(self.bases, axis=1).T
        return pts.astype(dtype, copy=False)

    def project(self, x: ArrayLike, k: int) -> np.ndarray:
        """Coordinates of points x (..., d) in the basis of subspace k, shape (..., d_k)."""
        return np.asarray(x) @ self.bases[k]


def linear_manifold(stds: ArrayLike, dims: ArrayLike, d: int | None = None, *,
                    normalized: bool = False, embedding: str = "axis", radius: float = 1.0,
                    rng=None) -> LinearManifold:
    r"""Build a linear-manifold population.

    Parameters
    ----------
    stds : array_like (K,)
        Per-coordinate standard deviation of each subspace, ``> 0``.
    dims : array_like (K,)
        Dimension of each subspace, integers ``>= 1``.
    d : int, optional
        Ambient dimension, ``>= sum(dims)`` (default ``sum(dims)``).
    normalized : bool
        Project the points onto the sphere of radius ``radius`` (the paper: radius 1).
    embedding : {"axis", "random"}
        Subspaces on consecutive coordinate blocks (the paper), or spanned by the columns of a
        Haar-random orthogonal matrix (drawn from ``rng``).
    radius : float
        Sphere radius, ``> 0`` (e.g. ``sqrt(sum(dims * stds**2))`` keeps per-coordinate variances
        close to ``stds**2`` at large d).
    rng : seed or Generator
        Used for the random embedding only.

    Returns
    -------
    LinearManifold

    References
    ----------
    Achilli et al. (2024), synthetic data (docs/theory/losing-dimensions.md sec. 1.2).
    """
    sd, dm = check_subspaces(stds, dims)
    total = int(dm.sum())
    d = total if d is None else int(check_scalar(d, "d", lower=total, integer=True))
    r = check_scalar(radius, "radius", lower=0.0, lower_open=True)
    if embedding == "axis":
        frame = np.eye(d)[:, :total]
    elif embedding == "random":
        frame = random_orthogonal(d, total, rng)
    else:
        raise ValueError(f"embedding must be one of {', '.join(EMBEDDINGS)} (got {embedding!r})")
    cuts = np.cumsum(dm)[:-1]
    bases = tuple(np.ascontiguousarray(b) for b in np.split(frame, cuts, axis=1))
    return LinearManifold(sd, dm, d, bases, bool(normalized), r)


def linear_manifold_data(d: int | None, n: int, stds: ArrayLike, dims: ArrayLike, *,
                         normalized: bool = False, embedding: str = "axis", radius: float = 1.0,
                         rng=None, dtype=np.float64) -> tuple[Dataset, tuple[np.ndarray, ...]]:
    r"""n training points of a linear manifold, and the orthonormal basis of each subspace.

    Parameters
    ----------
    d : int or None
        Ambient dimension, as in :func:`linear_manifold` (None: ``sum(dims)``).
    n : int
        Number of points, ``>= 1``.
    stds, dims, normalized, embedding, radius
        As in :func:`linear_manifold`.
    rng : seed or Generator
        Source of the embedding (if random) and of the points.
    dtype : float64 (default) or float32

    Returns
    -------
    data : Dataset
    bases : tuple of ndarray (d, d_k)

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (linear-manifold data); docs/theory/losing-dimensions.md
    sec. 1.2.

    Examples
    --------
    >>> from validation.manifold_data import linear_manifold_data
    >>> data, bases = linear_manifold_data(30, 1000, [1.0, 0.3, 0.01], [2, 5, 23],
    ...                                    normalized=True, rng=2)
    >>> data.points.shape, [b.shape[1] for b in bases]
    ((1000, 30), [2, 5, 23])
    """
    rng = np.random.default_rng(rng)
    man = linear_manifold(stds, dims, d, normalized=normalized, embedding=embedding, radius=radius,
                          rng=rng)
    pts = man.sample(n, rng, dtype)
    return Dataset(check_array(pts, "points", dtype=pts.dtype)), man.bases
