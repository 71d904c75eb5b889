r"""Per-subspace memorization measured with the exact empirical score on linear-manifold data.

At test points :math:`x = e^{-t}a^\nu + \sqrt{\Delta_t}\,\xi` (:math:`a^\nu` a training point, or a
fresh population point, reported apart) the exact Jacobian of the empirical score is

.. math:: J(x) = -\frac{I}{\Delta_t} + \frac{e^{-2t}}{\Delta_t^2}\mathrm{Cov}_w(a)

(VE variance :math:`s = e^{2t} - 1`: :math:`-I/s + \mathrm{Cov}_w/s^2`).  Measured per subspace k
(basis :math:`U_k`): the spectrum of the block :math:`U_k^TJU_k`, the retention

.. math:: R_k = \frac{\mathrm{tr}(U_k^T\mathrm{Cov}_w U_k)/d_k}
                 {\sigma_k^2\Delta_t/(\Delta_t + \sigma_k^2e^{-2t})}

(1: generalizing, 0: lost; the denominator is the population posterior variance, with the exact
effective variance for sphere data), the participation ratio :math:`\sum_\mu w_\mu^2`, and the number
of Jacobian eigenvalues below half the normal bulk (:func:`dimension_count`); each with its standard
error over independent test points (conditional on the training set).  Also: the same retention
through generation (backward SDE with the exact empirical score, :func:`generation_retention`), and
the orthogonal-probe singular values of the paper's figure (:func:`probe_spectrum`).  The
comparison with the REM thresholds is in :func:`compare_with_rem` and :func:`fixed_alpha_sweep`.

References
----------
Achilli et al. (2024), arXiv:2410.08727; docs/theory/losing-dimensions.md secs. 1.4 (exact
Jacobian), 2.6 (caveats) and 3.5 (recommended protocol, [D]).

Examples
--------
>>> import numpy as np
>>> from validation.memorization import population_posterior_variance
>>> print(population_posterior_variance(np.array([1.0, 4.0]), 0.5).round(4).tolist())
[0.6321, 1.202]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from theory.checks import check_array, check_scalar
from theory.estimate import Estimate
from theory.models import LinearManifold
from theory.progress import Progress

from ._memorization_compare import REMComparison as REMComparison
from ._memorization_compare import compare_with_rem as compare_with_rem
from ._posterior import _time_factors, as_dataset, posterior_stats
from .jacobian import jacobian_from_covariance, posterior_moments, probe_singular_values
from .score import EmpiricalScore
from .sde import integrate_backward

__all__ = [
    "MemorizationCurves", "population_posterior_variance", "sample_test_points",
    "block_measurements", "dimension_count", "measure_memorization", "generation_retention",
    "probe_spectrum", "REMComparison", "compare_with_rem", "fixed_alpha_sweep",
]


def _stderr(v: np.ndarray, axis: int = 0) -> np.ndarray:
    m = v.shape[axis]
    return np.std(v, axis=axis, ddof=1) / np.sqrt(m) if m > 1 else np.full(
        np.delete(v.shape, axis), np.nan)


def _check_manifold(data, manifold: LinearManifold):
    ds = as_dataset(data)
    if not isinstance(manifold, LinearManifold):
        raise ValueError(f"manifold must be a theory.models.LinearManifold "
                         f"(got {type(manifold).__name__})")
    if manifold.embedding == "random":
        raise ValueError("manifold must have orthonormal blocks, embedding 'orthonormal' or 'rotated' "
                         "(got 'random'): the measurements are per block direction")
    if manifold.d != ds.d:
        raise ValueError(f"manifold.d must equal the data dimension {ds.d} (got {manifold.d})")
    return ds


def population_posterior_variance(variances: np.ndarray, t: float) -> np.ndarray:
    r"""Posterior variance of a coordinate of :math:`a` given :math:`x_t` for Gaussian data.

    Parameters
    ----------
    variances : ndarray
        Coordinate variances :math:`\sigma^2` of the data.
    t : float
        OU time, ``t > 0``.

    Returns
    -------
    ndarray (shape of ``variances``)
        The posterior variances.

    Notes
    -----
    :math:`\sigma^2\Delta_t/(\Delta_t + \sigma^2e^{-2t})`, equal to :math:`\sigma^2 s/(\sigma^2 + s)`
    at :math:`s = e^{2t} - 1`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727;
    docs/theory/losing-dimensions.md secs. 1.4 and 3.5 [D].
    """
    _, e, delta = _time_factors(t)
    return variances * delta / (delta + variances * e * e)


def sample_test_points(data, t: float, n_points: int, rng=None, manifold: LinearManifold | None = None
                ) -> np.ndarray:
    r"""Test points :math:`x = e^{-t}a + \sqrt{\Delta_t}\,\xi`, shape (n_points, d).

    ``a`` is a uniformly drawn training point, or (``manifold`` given) a fresh population point.

    Parameters
    ----------
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    t : float
        OU time, ``t > 0``.
    n_points : int
        Number of test points.
    rng : int, None or numpy.random.Generator
        Random source.
    manifold : LinearManifold, optional
        Draw ``a`` from it instead of from the training points.

    Returns
    -------
    ndarray, shape (n_points, d)
        The test points.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727;
    docs/theory/losing-dimensions.md sec. 3.5 (protocol, [D]).
    """
    ds = as_dataset(data)
    n_points = int(check_scalar(n_points, "n_points", lower=1, integer=True))
    _, e, delta = _time_factors(t)
    rng = np.random.default_rng(rng)
    if manifold is None:
        a = ds.points[rng.integers(0, ds.n, n_points)].astype(np.float64)
    else:
        a = manifold.sample(n_points, rng)
    return e * a + np.sqrt(delta) * rng.standard_normal((n_points, ds.d))


def dimension_count(jacobian: ArrayLike, t: float, threshold: float = 0.5) -> np.ndarray:
    r"""Number of Jacobian eigenvalues with :math:`|\lambda| < \text{threshold}/\Delta_t` (per point).

    Parameters
    ----------
    jacobian : array_like, shape (B, d, d)
        Symmetric Jacobians of an exact score at OU time t.
    t : float
        OU time, ``> 0``.
    threshold : float
        In (0, 1); 0.5 by default, the same criterion as
        :func:`theory.manifold.theory_dimension_count`.

    Returns
    -------
    ndarray of int, shape (B,)

    Notes
    -----
    The normal bulk has :math:`|\lambda| = 1/\Delta_t`; an intact tangent direction of variance
    :math:`\sigma^2` has :math:`1/(\Delta_t + \sigma^2e^{-2t})`, a lost one returns to the bulk.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727;
    docs/theory/losing-dimensions.md secs. 1.4 and 3.3.
    """
    _, _, delta = _time_factors(t)
    thr = check_scalar(threshold, "threshold", lower=0.0, upper=1.0, lower_open=True, upper_open=True)
    jac = check_array(jacobian, "jacobian")
    if jac.ndim != 3 or jac.shape[1] != jac.shape[2]:
        raise ValueError(f"jacobian must have shape (B, d, d) (got {jac.shape})")
    eig = np.linalg.eigvalsh(jac)
    return np.sum(np.abs(eig) < thr / delta, axis=-1)


def block_measurements(x: ArrayLike, t: float, data, manifold: LinearManifold,
                       threshold: float = 0.5) -> dict[str, object]:
    r"""Per-point, per-subspace measurements at the points x (OU time t).

    Parameters
    ----------
    x : array_like, shape (B, d)
        Points.
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    manifold : LinearManifold
        The model of the data (orthonormal embedding: its blocks).
    threshold : float, default 0.5
        Retention below which a block counts as lost.

    Returns
    -------
    dict
        ``retention`` (B, K); ``block_eigenvalues``: list over k of (B, d_k) eigenvalues of
        :math:`U_k^TJU_k` in increasing order; ``participation`` (B,) :math:`\sum_\mu w_\mu^2`;
        ``dimension_count`` (B,).

    Notes
    -----
    :math:`J` from :func:`validation.jacobian.posterior_moments` (the one empirical-score kernel):
    :math:`J = -I/\Delta_t + e^{-2t}\mathrm{Cov}_w/\Delta_t^2`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727;
    docs/theory/losing-dimensions.md secs. 1.4 and 3.5.
    """
    ds = _check_manifold(data, manifold)
    _, cov = posterior_moments(x, t, ds)
    cov = cov.astype(np.float64, copy=False)
    jac = jacobian_from_covariance(cov, t)
    pop = population_posterior_variance(manifold.block_variances(), t)
    retention, eigs = [], []
    for k, basis in enumerate(manifold.block_bases()):
        ck = basis.T @ cov @ basis
        retention.append(np.trace(ck, axis1=1, axis2=2) / basis.shape[1] / pop[k])
        eigs.append(np.linalg.eigvalsh(basis.T @ jac @ basis))
    stats = posterior_stats(x, t, ds, want_mean=False)
    return {"retention": np.stack(retention, axis=1), "block_eigenvalues": eigs,
            "participation": stats.participation.astype(np.float64),
            "dimension_count": dimension_count(jac, t, threshold)}


@dataclass(frozen=True)
class MemorizationCurves:
    r"""Per-subspace measurements over a grid of times, with standard errors over test points.

    Attributes
    ----------
    t : ndarray (T,)
        OU times.
    source : str
        ``"training"`` (test points built on training points) or ``"fresh"`` (on new population
        points).
    retention, retention_se : ndarray (T, K)
    block_eigenvalues : list of ndarray (T, d_k)
        Mean over test points of the sorted eigenvalues of each Jacobian block, times
        :math:`-\Delta_t` (at most 1 = normal bulk; :math:`\Delta_t/(\Delta_t + \sigma_k^2
        e^{-2t})` for an intact direction of the population; negative where the weights split
        between training points farther apart than the noise, :math:`\mathrm{Cov}_w > e^{2t}
        \Delta_t`).
    participation, participation_se : ndarray (T,)
    dimension_count, dimension_count_se : ndarray (T,)
    n_points : int
    params : dict

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727; the measurement protocol of
    docs/theory/losing-dimensions.md sec. 3.5.
    """

    t: np.ndarray
    source: str
    retention: np.ndarray
    retention_se: np.ndarray
    block_eigenvalues: list
    participation: np.ndarray
    participation_se: np.ndarray
    dimension_count: np.ndarray
    dimension_count_se: np.ndarray
    n_points: int
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"t": self.t.tolist(), "source": self.source, "retention": self.retention.tolist(),
                "retention_se": self.retention_se.tolist(),
                "block_eigenvalues": [b.tolist() for b in self.block_eigenvalues],
                "participation": self.participation.tolist(),
                "participation_se": self.participation_se.tolist(),
                "dimension_count": self.dimension_count.tolist(),
                "dimension_count_se": self.dimension_count_se.tolist(),
                "n_points": self.n_points, "params": self.params}


def measure_memorization(data, manifold: LinearManifold, t: ArrayLike, n_points: int = 64, *,
                         fresh: bool = False, threshold: float = 0.5, rng=None,
                         progress: bool | None = None) -> MemorizationCurves:
    r"""Retention, block spectra, participation ratio and dimension count over a grid of OU times.

    Parameters
    ----------
    data : Dataset or array_like (n, d)
        Training points.
    manifold : theory.models.LinearManifold
        The population the data were drawn from (orthonormal or rotated blocks: their bases and
        per-direction variances).
    t : array_like (T,)
        OU times, ``> 0``.
    n_points : int
        Test points per time (independent; the standard errors are over them).
    fresh : bool
        Build the test points on fresh population points instead of training points.
    threshold : float
        Of :func:`dimension_count`.
    rng : seed or Generator
    progress : bool, optional
        Progress bar (default: on a terminal only).

    Returns
    -------
    MemorizationCurves

    References
    ----------
    docs/theory/losing-dimensions.md sec. 3.5 (protocol [D]); Achilli et al. (2024).
    """
    ds = _check_manifold(data, manifold)
    ta = check_array(t, "t", lower=0.0, lower_open=True, ndim=1)
    n_points = int(check_scalar(n_points, "n_points", lower=2, integer=True))
    rng = np.random.default_rng(rng)
    bases = manifold.block_bases()
    K = len(bases)
    ret, ret_se = np.empty((ta.size, K)), np.empty((ta.size, K))
    part, part_se = np.empty(ta.size), np.empty(ta.size)
    cnt, cnt_se = np.empty(ta.size), np.empty(ta.size)
    eig_means = [np.empty((ta.size, int(b.shape[1]))) for b in bases]
    with Progress(ta.size, "memorization", enabled=progress) as bar:
        for i, ti in enumerate(ta):
            x = sample_test_points(ds, ti, n_points, rng, manifold if fresh else None)
            m = block_measurements(x, ti, ds, manifold, threshold)
            _, _, delta = _time_factors(ti)
            ret[i], ret_se[i] = m["retention"].mean(0), _stderr(m["retention"])
            part[i], part_se[i] = m["participation"].mean(), _stderr(m["participation"])
            c = m["dimension_count"].astype(np.float64)
            cnt[i], cnt_se[i] = c.mean(), _stderr(c)
            for k, ev in enumerate(m["block_eigenvalues"]):
                eig_means[k][i] = np.sort(-delta * ev, axis=1).mean(0)
            bar.update()
    params = {"n": ds.n, "d": ds.d, "variances": manifold.variances.tolist(),
              "dims": manifold.dims.tolist(), "embedding": manifold.embedding,
              "on_sphere": manifold.on_sphere, "radius": manifold.radius, "threshold": threshold}
    return MemorizationCurves(ta, "fresh" if fresh else "training", ret, ret_se, eig_means, part,
                              part_se, cnt, cnt_se, n_points, params)


def _conditional_variance(var: np.ndarray, t_end: float, t_start: float) -> np.ndarray:
    r"""Var(a-scale x_{t_end} e^{t_end} | x_{t_start}) of one coordinate for Gaussian data."""
    _, e1, d1 = _time_factors(t_end)
    _, e2, d2 = _time_factors(t_start)
    v1 = e1 * e1 * var + d1
    v2 = e2 * e2 * var + d2
    lag = np.exp(-(t_start - t_end))
    return (v1 - lag**2 * v1**2 / v2) / (e1 * e1)


def generation_retention(data, manifold: LinearManifold, t_start: float, n_starts: int = 8,
                         n_clones: int = 32, t_end: float | None = None, steps: int = 100, *,
                         rng=None, progress: bool | None = None) -> dict:
    r"""Per-subspace retention measured through generation: clones of a state run backward.

    From each of ``n_starts`` test points :math:`x = e^{-t}a^\nu + \sqrt{\Delta_t}\xi` at
    ``t_start``, ``n_clones`` copies are integrated with the backward SDE and the exact empirical
    score down to ``t_end``; the spread of the end states (rescaled by :math:`e^{t_{end}}`) in each
    subspace, divided by the same spread in the population, is the retention seen by the samples.

    Parameters
    ----------
    t_start : float
        OU time of the common state, ``> 0``.
    n_starts, n_clones : int
        Starting states (standard errors are over them) and clones per state (``>= 2``).
    t_end : float, optional
        End time (default ``t_start / 50``).
    steps : int
        Exponential-integrator steps.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    manifold : LinearManifold
        The model of the data (orthonormal embedding: its blocks).
    rng : int, None or numpy.random.Generator
        Random source.
    progress : bool, optional
        Show a progress bar (default: only on a terminal).

    Returns
    -------
    dict
        ``retention`` (:class:`theory.estimate.Estimate` of shape (K,), standard errors over the
        starting states), ``per_start`` (n_starts, K), ``floor`` (K,): the
        value for weights condensed on one training point (the bridge noise from ``t_start`` to
        ``t_end`` over the population reference; 0 as ``t_end`` -> 0).

    Notes
    -----
    The unconditional variance of generated samples does not reveal memorization (training points
    have the population variance); the spread of samples generated from one common state does: for
    the exact score it equals the posterior spread :math:`\mathrm{Var}_w(a)` at ``t_start`` (plus
    the bridge noise to ``t_end``).  Population reference per coordinate (Gaussian, variance
    :math:`\sigma^2`, :math:`V_i = e^{-2t_i}\sigma^2 + \Delta_{t_i}`):
    :math:`[V_1 - e^{-2(t_2 - t_1)}V_1^2/V_2]\,e^{2t_1}`, :math:`t_1 = t_{end}`,
    :math:`t_2 = t_{start}`.

    References
    ----------
    docs/theory/losing-dimensions.md sec. 3.5, item 5 (sample-level check, [D]); Biroli et al.
    (2024), eq. 3 (backward SDE).
    """
    ds = _check_manifold(data, manifold)
    t_start = check_scalar(t_start, "t_start", lower=0.0, lower_open=True)
    t_end = t_start / 50.0 if t_end is None else check_scalar(
        t_end, "t_end", lower=0.0, upper=t_start, lower_open=True, upper_open=True)
    n_starts = int(check_scalar(n_starts, "n_starts", lower=2, integer=True))
    n_clones = int(check_scalar(n_clones, "n_clones", lower=2, integer=True))
    rng = np.random.default_rng(rng)
    x0 = sample_test_points(ds, t_start, n_starts, rng)
    y0 = np.repeat(x0, n_clones, axis=0)
    run = integrate_backward(EmpiricalScore(ds), y0, t_start, t_end, steps, method="exponential",
                             rng=rng, progress=progress)
    end = run.x.reshape(n_starts, n_clones, ds.d) * np.exp(t_end)
    ref = _conditional_variance(manifold.block_variances(), t_end, t_start)
    bases = manifold.block_bases()
    per_start = np.empty((n_starts, len(bases)))
    for k, basis in enumerate(bases):
        proj = end @ basis                                   # (S, C, d_k)
        per_start[:, k] = proj.var(axis=1, ddof=1).mean(axis=1) / ref[k]
    floor = _conditional_variance(np.zeros(1), t_end, t_start) / ref
    return {"retention": Estimate(per_start.mean(0), _stderr(per_start), n_starts),
            "per_start": per_start, "floor": floor, "t_start": t_start, "t_end": t_end}


def probe_spectrum(data, t: float, x0: ArrayLike | None = None, reps: int = 5, *,
                   drop: int = 0, h: float | None = None, rng=None) -> Estimate:
    r"""Orthogonal-probe singular values of the empirical score (the protocol of the paper's figure).

    Parameters
    ----------
    data : Dataset or array_like (n, d)
    t : float
        OU time, ``> 0``.
    x0 : array_like (d,), optional
        Probe point (default the origin, as in the paper's empirical panel).
    reps : int
        Independent Haar draws averaged (the paper: 5).
    drop : int
        Largest singular values dropped before normalizing by the maximum (0: no normalization).
    h : float, optional
        Finite-difference step (default :math:`\sqrt{\Delta_t}`, the paper's noise scale; a small
        step gives the exact Jacobian's singular values).
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    Estimate
        ``value``: the mean sorted (decreasing) singular values, normalized by the largest kept one
        when ``drop > 0``; ``stderr`` over the ``reps`` draws (zeros for one draw); unpacks as
        ``mean, stderr``.

    Notes
    -----
    Central differences of the exact empirical score along d Haar-orthogonal directions with step
    :math:`h = \sqrt{\Delta_t}` (the VE noise std :math:`\sigma` rescaled to OU), via
    :func:`validation.jacobian.probe_singular_values`: a Jacobian smoothed at the noise scale, not
    the exact Jacobian (docs/theory/losing-dimensions.md sec. 2.6, item 4); for parity with the figure only.

    References
    ----------
    Achilli et al. (2024), ``estimate_spectrum_ortho`` in the figure cell (
    docs/theory/losing-dimensions.md secs. 3.1-3.2 [C/?]); Ventura et al. (2024), Algorithms 1-2.
    """
    ds = as_dataset(data)
    _, _, delta = _time_factors(t)
    reps = int(check_scalar(reps, "reps", lower=1, integer=True))
    x = np.zeros(ds.d) if x0 is None else check_array(x0, "x0", ndim=1)
    if x.size != ds.d:
        raise ValueError(f"x0 must have {ds.d} entries to match the data (got {x.size})")
    rng = np.random.default_rng(rng)
    score = EmpiricalScore(ds)
    step = float(np.sqrt(delta)) if h is None else check_scalar(h, "h", lower=0.0, lower_open=True)
    sv = np.array([probe_singular_values(score, x, t, h=step, rng=rng)
                   for _ in range(reps)])
    if drop:
        drop = int(check_scalar(drop, "drop", lower=0, upper=ds.d - 1, integer=True))
        sv = sv[:, drop:] / sv[:, drop:drop + 1]
    return Estimate(sv.mean(0), _stderr(sv) if reps > 1 else np.zeros(sv.shape[1]), reps)


def fixed_alpha_sweep(variances: ArrayLike, fractions: ArrayLike, alpha: float, ds: ArrayLike,
                      t: ArrayLike, n_points: int = 32, *, on_sphere: bool = False,
                      rng=None, progress: bool | None = None) -> list[dict]:
    r"""Retention curves and their REM comparison at several d with :math:`n = e^{\alpha d}`.

    Parameters
    ----------
    variances : array_like (K,)
        Latent variance :math:`\sigma_k^2` of every direction of subspace k, ``> 0``.
    fractions : array_like (K,)
        :math:`\psi_k`; :math:`d_k = \mathrm{round}(\psi_k d)` (at least 1), the last block takes
        the remainder so that :math:`\sum_k d_k = d`.
    alpha : float
        :math:`\log(n)/d`, ``> 0`` (keep :math:`\alpha d \lesssim 15`: n grows as
        :math:`e^{\alpha d}`).
    ds : array_like of int
        Ambient dimensions.
    t : array_like
        OU times of the curves.
    n_points : int
        Test points per time.
    on_sphere : bool
        Project onto the sphere of radius :math:`\sqrt{\sum_k d_k\sigma_k^2}` (fixed-norm data with
        per-coordinate variances close to :math:`\sigma_k^2`), or Gaussian data.
    rng : seed or Generator
    progress : bool, optional

    Returns
    -------
    list of dict
        Per d: ``d``, ``n``, ``dims``, ``curves`` (MemorizationCurves), ``comparison``
        (:class:`REMComparison`).

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727;
    docs/theory/losing-dimensions.md secs. 1.3 and 2.4 (fixed-alpha regime, extension).
    """
    var = check_array(variances, "variances", lower=0.0, lower_open=True, ndim=1)
    psi = check_array(fractions, "fractions", lower=0.0, upper=1.0, lower_open=True, ndim=1)
    if psi.size != var.size:
        raise ValueError(f"fractions must have one entry per variance, {var.size} (got {psi.size})")
    if psi.sum() > 1.0 + 1e-12:
        raise ValueError(f"fractions must sum to at most 1 (got {psi.sum():g})")
    al = check_scalar(alpha, "alpha", lower=0.0, lower_open=True)
    dd = check_array(ds, "ds", lower=var.size, integer=True, ndim=1).astype(int)
    rng = np.random.default_rng(rng)
    out = []
    for d in dd:
        if al * d > 18.0:
            raise ValueError(f"alpha * d must be <= 18 (n = e^(alpha d) points; got {al * d:g})")
        dims = np.maximum(1, np.round(psi * d)).astype(int)
        dims[-1] = d - dims[:-1].sum()
        if dims[-1] < 1:
            raise ValueError(f"fractions leave no room for the last block at d = {d}")
        n = int(round(np.exp(al * d)))
        man = LinearManifold(int(d), dims, var, on_sphere=on_sphere)      # radius sqrt(sum d_k v_k)
        data = man.sample(n, rng)
        curves = measure_memorization(data, man, t, n_points, rng=rng, progress=progress)
        out.append({"d": int(d), "n": n, "dims": dims.tolist(), "curves": curves,
                    "comparison": compare_with_rem(curves, man, n)})
    return out
