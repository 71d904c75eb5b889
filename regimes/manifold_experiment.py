r"""One run of the geometric-memorization experiment: theory and exact-empirical-score Monte Carlo for
a linear manifold, as the ``regimes manifold`` command and the figure use it.

Examples
--------
Two tangent subspaces of dimension 4 in d = 16 (quick, four test points per time): the
higher-variance one has the larger critical time (it is lost first in generation):

>>> from regimes.manifold_experiment import manifold_experiment
>>> r = manifold_experiment([1.0, 0.5], [4, 4], 16, 200, quick=True, n_points=4)
>>> t_c = r["summary"].critical_times
>>> bool(t_c[0] > t_c[1])
True
"""

from __future__ import annotations

import time as _time

import numpy as np
from numpy.typing import ArrayLike

from theory.checks import check_array, check_scalar
from theory.manifold import (
    geometric_memorization,
    theory_dimension_count,
    theory_spectrum,
)
from theory.models import LinearManifold
from theory.timemap import ou_time_from_ve_variance
from validation.memorization import compare_with_rem, measure_memorization

from ._resources import check_memory


def _memory_need(d: int, n: int, n_points: int) -> float:
    """Bytes of the largest arrays of :func:`manifold_experiment`: the (d, d) embedding and its block
    bases, the (n, d) data (and a working copy), and per time the (n_points, n) posterior weights
    and the (n_points, d) test points and scores."""
    return 8.0 * (2.0 * d * d + 2.0 * n * d + n_points * (2.0 * n + 4.0 * d))


def _check_manifold_memory(d: int, n: int, n_points: int) -> None:
    """Refuse up front a size that does not fit in memory (ValueError naming d, n and n_points)."""
    check_memory(_memory_need(d, n, n_points),
                 f"d = {d}, n = {n}, n_points = {n_points}: the (d, d) embedding, the (n, d) data and "
                 f"the (n_points, n) weights")


def manifold_experiment(stds: ArrayLike, dims: ArrayLike, d: int, n: int, *,
                        normal_std: float = 0.01, normalized: bool = True, rng=2,
                        quick: bool = False, n_points: int | None = None,
                        progress: bool | None = None) -> dict:
    r"""Theory and Monte Carlo of per-subspace memorization for one linear manifold.

    Parameters
    ----------
    stds, dims : array_like (K,)
        The tangent subspaces (standard deviation ``> 0``, dimension ``>= 1``).
    d : int
        Ambient dimension, ``>= sum(dims)``; the remaining ``d - sum(dims)`` coordinates form a normal
        block of standard deviation ``normal_std``.
    n : int
        Training points, ``>= 2``.
    normal_std : float
        ``> 0`` (the paper: 0.01 for the data, 1e-6 in its theory panel).
    normalized : bool
        Data projected onto the unit sphere (the paper) or Gaussian.
    rng : int, None or numpy.random.Generator
        Source of the data and of the test points (default seed 2, the paper's).
    quick : bool
        Fewer times and test points (about ten seconds at the paper's size).
    n_points : int, optional
        Test points per time (default 64, quick 16).
    progress : bool, optional
        Progress bar (default: on a terminal).

    Returns
    -------
    dict
        ``summary`` (:class:`theory.manifold.GeometricMemorization`, OU times),
        ``theory`` (grid ``t``, ``spectrum`` (T, d), ``dimension_count``), ``curves``
        (:class:`validation.memorization.MemorizationCurves`), ``comparison``
        (:class:`validation.memorization.REMComparison`), ``global_times`` (the two global collapse
        times, OU: ``"data"``, Biroli et al. eq. 5 with the covariance of the sampled data, the
        effective variances on the sphere, ``comparison.global_time_data``; ``"nominal"``, the same
        criterion with the nominal variances ``stds**2``, as the per-block critical times use them,
        ``summary.global_time``; equal for Gaussian data), ``params``, ``seconds``.

    Notes
    -----
    Data projected onto the sphere do not have the covariance of the nominal variances: coordinate
    k has variance :math:`r^2\tilde\sigma_k^2` (:func:`theory.manifold.effective_variances`),
    smaller than :math:`\sigma_k^2` when :math:`\sum_k d_k\sigma_k^2 > r^2`, so the global
    collapse time of the data is smaller than the one computed from the nominal variances.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727, figure ``three_subplots``;
    docs/theory/losing-dimensions.md secs. 2-3.
    """
    sd = check_array(stds, "stds", lower=0.0, lower_open=True, ndim=1)
    dm = check_array(dims, "dims", lower=1, integer=True, ndim=1).astype(int)
    if dm.size != sd.size:
        raise ValueError(f"dims must have one entry per std, {sd.size} (got {dm.size})")
    d = int(check_scalar(d, "d", lower=int(dm.sum()), integer=True))
    n = int(check_scalar(n, "n", lower=2, upper=10**7, integer=True))
    normal_std = check_scalar(normal_std, "normal_std", lower=0.0, lower_open=True)
    if n_points is None:
        n_points = 16 if quick else 64
    n_points = int(check_scalar(n_points, "n_points", lower=2, integer=True))
    _check_manifold_memory(d, n, n_points)
    extra = d - int(dm.sum())
    all_sd = np.append(sd, normal_std) if extra else sd
    all_dm = np.append(dm, extra) if extra else dm
    tangent = np.array([True] * sd.size + [False] * bool(extra))
    t0 = _time.perf_counter()
    seed = int(rng) if isinstance(rng, (int, np.integer)) else None   # recorded when it is a seed
    rng = np.random.default_rng(rng)
    # the paper's data: on the unit sphere (per-coordinate standard deviations all_sd before projection)
    man = LinearManifold(d, all_dm, all_sd**2, on_sphere=bool(normalized), radius=1.0)
    data = man.sample(n, rng)
    t_ve = np.geomspace(2.0, 5e-4, 8 if quick else 20)
    t = ou_time_from_ve_variance(t_ve)
    curves = measure_memorization(data, man, t, n_points, rng=rng, progress=progress)
    comparison = compare_with_rem(curves, man, n)
    summary = geometric_memorization(all_sd, all_dm, n, normalized, tangent=tangent)
    t_fine = ou_time_from_ve_variance(np.geomspace(2.0, 5e-4, 200))
    spectrum = theory_spectrum(all_sd, all_dm, n, t_fine, normalized)
    count = theory_dimension_count(all_sd, all_dm, n, t_fine, normalized)
    glob = {"data": float(comparison.global_time_data), "nominal": float(summary.global_time)}
    return {
        "summary": summary, "theory": {"t": t_fine, "spectrum": spectrum, "dimension_count": count},
        "global_times": glob,
        "curves": curves, "comparison": comparison,
        "params": {"stds": all_sd.tolist(), "dims": all_dm.tolist(), "tangent": tangent.tolist(),
                   "d": d, "n": n, "normalized": bool(normalized), "seed": seed, "quick": quick,
                   "n_points": n_points},
        "seconds": _time.perf_counter() - t0,
    }
