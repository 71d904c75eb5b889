"""Jacobians of score functions: the exact empirical-score Jacobian and the finite-difference probe.

Two estimators, shared by the spectral-gap and geometric-memorization measurements:

- :func:`empirical_score_jacobian` -- the exact Jacobian of the empirical score from the posterior
  weights over training points, :math:`J = -I/\\Delta_t + e^{-2t}\\,\\mathrm{Cov}_w(a)/\\Delta_t^2`,
  through :func:`posterior_moments` (two streaming passes of the one empirical-score kernel, then an
  exact, centred pass over the training points that carry weight);
- :func:`probe_singular_values` -- the paper's finite-difference protocol for *any* score callable:
  central (or forward) differences along random orthogonal directions, then singular values.

References
----------
Ventura et al. (2024), "Manifolds, random matrices and spectral gaps", Algorithms 1-2 (finite-difference
singular values) and docs/theory/spectral-gaps.md sec. 2.7 (empirical-score Jacobian), sec. 3.3;
Achilli et al. (2024), "Losing dimensions", docs/theory/losing-dimensions.md (Jacobian of the
empirical score, OU form).

Examples
--------
>>> import numpy as np
>>> from validation import gaussian_mixture_data
>>> from validation.jacobian import empirical_score_jacobian
>>> data, m = gaussian_mixture_data(64, 500, rng=0)
>>> empirical_score_jacobian(np.zeros((2, 64)), 1.0, data).shape
(2, 64, 64)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from theory.checks import check_scalar
from theory.timemap import delta as _delta

from ._posterior import _time_factors, posterior_moments_kernel

__all__ = ["posterior_moments", "empirical_score_jacobian", "jacobian_from_covariance",
           "probe_singular_values", "random_orthogonal"]


def posterior_moments(x, t: float, data, *, chunk: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and covariance of the training points under the weights w(x, t).

    Parameters
    ----------
    x : array_like, shape (B, d)
        Points at OU time ``t``.
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like (n, d)
        Training points a^mu.
    chunk : int, optional
        Data points per chunk of the streaming passes.

    Returns
    -------
    mean : ndarray, shape (B, d)
        :math:`\\sum_\\mu w_\\mu a^\\mu`.
    cov : ndarray, shape (B, d, d)
        :math:`\\mathrm{Cov}_w(a) = \\sum_\\mu w_\\mu (a^\\mu - \\bar a)(a^\\mu - \\bar a)^T`.

    Notes
    -----
    The one empirical-score kernel (:mod:`validation._posterior`): pass 1 streams the
    matrix-product logits and keeps each row's maximum; the candidate filter keeps the points within
    ``TAIL + log n`` (``TAIL = 50``, plus the logits' round-off bound) of it; their weights are
    recomputed from the exact distances :math:`-|x - e^{-t}a^\\mu|^2/(2\\Delta_t)`, and the
    covariance is accumulated *centred* (on the heaviest point, then on the mean), so it stays
    accurate when the weights condense on one point (Cov -> 0).  The points left out carry a total
    relative weight below :math:`e^{-50}` and change the covariance by less than
    :math:`e^{-50}\\max_\\mu|a^\\mu - \\bar a|^2`.  Memory: one B x chunk block of logits plus a
    (block, d) slab of one row; the output is B x d x d.  numpy, torch or CuPy data (the result
    stays on the data's device).

    References
    ----------
    Ventura et al. (2024), docs/theory/spectral-gaps.md sec. 2.7: :math:`J = -I/s + \\mathrm{Cov}_w(a)/s^2`
    (VE form, :math:`s = e^{2t} - 1`); OU form with :math:`x = e^{-t}a + \\sqrt{\\Delta_t}z`.
    """
    return posterior_moments_kernel(x, t, data, chunk=chunk)


def empirical_score_jacobian(x, t: float, data, *, chunk: int | None = None) -> np.ndarray:
    """Exact Jacobian of the empirical score at the points ``x`` (OU time ``t``).

    Parameters
    ----------
    x : array_like, shape (B, d)
        Points.
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    chunk : int, optional
        Training points per block of the stream (default: automatic).

    Returns
    -------
    ndarray, shape (B, d, d)
        :math:`J(x, t) = -I/\\Delta_t + e^{-2t}\\,\\mathrm{Cov}_w(a)/\\Delta_t^2`, symmetric.

    Notes
    -----
    The empirical score is :math:`s(x,t) = (e^{-t}\\sum_\\mu w_\\mu a^\\mu - x)/\\Delta_t` with
    :math:`w_\\mu \\propto \\exp(-|x - e^{-t}a^\\mu|^2/(2\\Delta_t))`; differentiating the weights gives
    :math:`\\partial_x w_\\mu = w_\\mu e^{-t}(a^\\mu - \\bar a)/\\Delta_t`, hence the covariance term.
    In the VE noise variance :math:`s = e^{2t} - 1` (rescale x by :math:`e^{t}`) it reads
    :math:`-I/s + \\mathrm{Cov}_w/s^2`.  :math:`-\\Delta_t J = I - e^{-2t}\\mathrm{Cov}_w/\\Delta_t` has
    eigenvalues <= 1; they are negative (J has positive eigenvalues) where the weights split between
    training points farther apart than the noise.

    References
    ----------
    Ventura et al. (2024), docs/theory/spectral-gaps.md sec. 2.7; Achilli et al. (2024),
    docs/theory/losing-dimensions.md (empirical-score Jacobian).
    """
    _, cov = posterior_moments(x, t, data, chunk=chunk)
    return jacobian_from_covariance(cov, t)


def jacobian_from_covariance(cov: np.ndarray, t: float) -> np.ndarray:
    r""":math:`-I/\Delta_t + e^{-2t}\,\mathrm{Cov}_w/\Delta_t^2` from posterior covariances (B, d, d).

    For callers that need the covariance itself too (see :func:`empirical_score_jacobian`).

    Parameters
    ----------
    cov : ndarray, shape (B, d, d)
        Posterior covariances :math:`\mathrm{Cov}_w(a)` of the training points.
    t : float
        OU time, ``t > 0``.

    Returns
    -------
    ndarray, shape (B, d, d)
        The Jacobians of the empirical score.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898 (Jacobian of the score); Achilli et al. (2024),
    arXiv:2410.08727 (empirical score); the OU form J = -I/Delta_t + e^{-2t} Cov_w(a)/Delta_t^2 of
    docs/theory/spectral-gaps.md sec. 2.7.
    """
    _, e, delta = _time_factors(t)
    jac = np.asarray(cov) * (e * e / delta**2)
    idx = np.arange(jac.shape[-1])
    jac[..., idx, idx] -= 1.0 / delta
    return jac


def random_orthogonal(d: int, k: int | None = None, rng=None) -> np.ndarray:
    """``k`` orthonormal columns of a Haar-random orthogonal d x d matrix (QR with sign fix).

    Parameters
    ----------
    d : int
        Dimension, ``d >= 1``.
    k : int, optional
        Number of columns, ``1 <= k <= d`` (default d).
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    ndarray, shape (d, k)
        Orthonormal columns.

    References
    ----------
    F. Mezzadri, "How to generate random matrices from the classical compact groups",
    Notices AMS 54 (2007): QR of a Gaussian matrix with the signs of R's diagonal absorbed.
    docs/theory/losing-dimensions.md sec. 3.5.
    """
    d = int(check_scalar(d, "d", lower=1, integer=True))
    k = d if k is None else int(check_scalar(k, "k", lower=1, upper=d, integer=True))
    rng = np.random.default_rng(rng)
    q, r = np.linalg.qr(rng.standard_normal((d, k)))
    return q * np.sign(np.diag(r))


def probe_singular_values(score: Callable[[np.ndarray, float], np.ndarray], x, t: float, *,
                          h: float | None = None, n_directions: int | None = None,
                          central: bool = True, rng=None) -> np.ndarray:
    """Singular values of a score's Jacobian by finite differences along random orthogonal directions.

    Parameters
    ----------
    score : callable
        ``score(points, t)`` with points of shape (K, d), returning (K, d): the exact empirical
        score, a population score, a network, ...
    x : array_like, shape (d,) or (B, d)
        Points x0 at which the Jacobian is probed.
    t : float
        Time passed to ``score`` (OU time for the package's scores), ``t > 0``.
    h : float, optional
        Step; default ``1e-4 * sqrt(Delta_t)`` (a derivative at the noise scale).  The paper's code uses
        ``h = sigma_t``, a smoothed Jacobian: pass ``h=np.sqrt(theory.timemap.delta(t))`` for parity.
    n_directions : int, optional
        Number of orthogonal directions K <= d (default d).  Fewer directions give the singular values
        of the Jacobian restricted to a random K-dimensional subspace.
    central : bool
        Central differences (s(x0 + h q) - s(x0 - h q)) / 2h (default) or forward ones.
    rng : seed or Generator
        Source of the random directions.

    Returns
    -------
    ndarray, shape (K,) or (B, K)
        Singular values in descending order.

    Notes
    -----
    With Q = [q_1 .. q_K] orthonormal, the score matrix S has rows (s(x0 + h q_i) - s(x0 - h q_i))/(2h)
    = (J q_i)^T + O(h^2), i.e. S = Q^T J^T; for K = d its singular values are those of J, equal to
    ``|eig J|`` for the symmetric Jacobian of an exact score (checked: max error 8e-12 at d = 100,
    h = 1e-3).

    References
    ----------
    Ventura et al. (2024), Algorithms 1 and 2 ("Estimate singular values at x0 [with central
    difference]"); docs/theory/spectral-gaps.md sec. 3.2-3.3.
    """
    x0 = np.asarray(x, dtype=np.float64)
    single = x0.ndim == 1
    x0 = np.atleast_2d(x0)
    if x0.ndim != 2:
        raise ValueError(f"x must have shape (d,) or (B, d) (got shape {np.shape(x)})")
    if not np.all(np.isfinite(x0)):
        raise ValueError("x must be finite (got non-finite values)")
    t = check_scalar(t, "t", lower=0.0, lower_open=True)
    B, d = x0.shape
    if h is None:
        h = 1e-4 * float(np.sqrt(_delta(t)))
    h = check_scalar(h, "h", lower=0.0, lower_open=True)
    rng = np.random.default_rng(rng)
    out = []
    for b in range(B):
        q = random_orthogonal(d, n_directions, rng).T          # (K, d)
        plus = np.asarray(score(x0[b] + h * q, t), dtype=np.float64)
        if plus.shape != q.shape:
            raise ValueError(f"score must return shape {q.shape} for points of shape {q.shape} "
                             f"(got {plus.shape})")
        if central:
            diff = (plus - np.asarray(score(x0[b] - h * q, t), dtype=np.float64)) / (2.0 * h)
        else:
            diff = (plus - np.asarray(score(x0[b][None, :], t), dtype=np.float64)) / h
        out.append(np.linalg.svd(diff, compute_uv=False))
    res = np.array(out)
    return res[0] if single else res
