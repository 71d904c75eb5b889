r"""Linear-manifold data: n points of a :class:`theory.models.LinearManifold`.

The manifold itself (latent blocks of ``dims[k]`` directions with variance ``variances[k]``,
axis-aligned, Haar-rotated or randomly embedded, optionally projected on a sphere) is the model object
:class:`theory.models.LinearManifold`; :func:`linear_manifold_data` builds it and draws the training
set from the same generator, so one seed fixes both the embedding and the points.

References
----------
Achilli et al. (2024), arXiv:2410.08727, synthetic data (docs/theory/losing-dimensions.md
sec. 1.2: axis-aligned blocks on the unit sphere in every paper run); Ventura et al. (2025),
arXiv:2410.05898, sec. 6 (random embeddings; docs/theory/spectral-gaps.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from theory.checks import check_array, check_scalar
from theory.models import LinearManifold

from ._posterior import Dataset

__all__ = ["linear_manifold_data"]


def linear_manifold_data(d: int | None, n: int, variances: ArrayLike, dims: ArrayLike, *,
                         embedding: str = "orthonormal", on_sphere: bool = False,
                         radius: float | None = None, rng=None,
                         dtype=np.float64) -> tuple[Dataset, LinearManifold]:
    r"""n training points of a linear manifold, and the manifold they were drawn from.

    Parameters
    ----------
    d : int or None
        Ambient dimension (None: ``sum(dims)``).
    n : int
        Number of points, ``>= 1``.
    variances : array_like (K,)
        Variance of every latent direction of block k, ``> 0`` (variances, not standard deviations).
    dims : array_like (K,)
        Latent directions per block, integers ``>= 1``.
    embedding : {"orthonormal", "rotated", "random"}
        As in :class:`theory.models.LinearManifold`.
    on_sphere : bool
        Project the points on the sphere of radius ``radius``.
    radius : float, optional
        Sphere radius (default :math:`\sqrt{\sum_k d_k v_k}`; the paper's data: 1).
    rng : int, None or numpy.random.Generator
        Source of the embedding (if random) and then of the points.
    dtype : float64 (default) or float32

    Returns
    -------
    data : Dataset
    manifold : theory.models.LinearManifold
        Its ``block_bases()`` are the orthonormal bases of the blocks.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (linear-manifold data); Ventura et al. (2025),
    arXiv:2410.05898, sec. 6; docs/theory/losing-dimensions.md sec. 1.2.

    Examples
    --------
    >>> from validation.manifold_data import linear_manifold_data
    >>> data, man = linear_manifold_data(30, 1000, [1.0, 0.09, 1e-4], [2, 5, 23], on_sphere=True,
    ...                                  radius=1.0, rng=2)
    >>> data.points.shape, [b.shape[1] for b in man.block_bases()]
    ((1000, 30), [2, 5, 23])
    """
    rng = np.random.default_rng(rng)
    dm = check_array(dims, "dims", lower=1, integer=True)
    dd = int(dm.sum()) if d is None else d
    man = LinearManifold(dd, dims, variances, embedding=embedding, on_sphere=on_sphere, rng=rng,
                         radius=radius)
    n = int(check_scalar(n, "n", lower=1, integer=True))
    pts = man.sample(n, rng).astype(dtype, copy=False)
    return Dataset(check_array(pts, "points", dtype=pts.dtype)), man
