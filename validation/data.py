"""Synthetic training sets (all seeded) and user arrays, as :class:`validation.Dataset`.

References
----------
Biroli et al. (2024), sec. "Gaussian mixtures" and SI App. B-D (data of Figs. 2 and 3).
"""

from __future__ import annotations

import numpy as np

from theory.checks import check_array, check_scalar

from ._posterior import Dataset

__all__ = [
    "Dataset",
    "gaussian_mixture_data",
    "mixture_data",
    "gaussian_data",
    "from_array",
    "model_data",
]


def gaussian_mixture_data(d: int, n: int, mu_tilde: float = 1.0, sigma: float = 1.0, *,
                          direction: str = "random", rng=None,
                          dtype=np.float64) -> tuple[Dataset, np.ndarray]:
    """n points of :math:`\\tfrac12 N(+m,\\sigma^2 I) + \\tfrac12 N(-m,\\sigma^2 I)` with labels.

    Parameters
    ----------
    d, n : int
        Dimension (``>= 1``) and number of points (``>= 1``).
    mu_tilde, sigma : float
        :math:`|m|^2 = d\\tilde\\mu^2` (``mu_tilde >= 0``), cluster standard deviation ``> 0``.
    direction : {"random", "ones"}
        ``m`` a uniformly random direction rescaled to :math:`|m| = \\tilde\\mu\\sqrt d` (Fig. 3), or
        :math:`m = \\tilde\\mu(1, \\dots, 1)` (Fig. 2).
    rng : Generator or int
    dtype : float64 (default) or float32

    Returns
    -------
    data : Dataset
        Points with labels 1 (for +m) and 0 (for -m), each with probability 1/2.
    m : ndarray (d,)

    References
    ----------
    Biroli et al. (2024), sec. "Gaussian mixtures", Figs. 2-3.
    docs/theory/dynamical-regimes.md secs. 0 and 4.
    """
    d = int(check_scalar(d, "d", lower=1, integer=True))
    n = int(check_scalar(n, "n", lower=1, integer=True))
    mu_tilde = check_scalar(mu_tilde, "mu_tilde", lower=0.0)
    sigma = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
    rng = np.random.default_rng(rng)
    if direction == "random":
        m = rng.standard_normal(d)
        m *= mu_tilde * np.sqrt(d) / np.linalg.norm(m)
    elif direction == "ones":
        m = np.full(d, mu_tilde)
    else:
        raise ValueError(f"direction must be 'random' or 'ones' (got {direction!r})")
    labels = rng.integers(0, 2, n)
    pts = np.where(labels[:, None] == 1, m, -m) + sigma * rng.standard_normal((n, d))
    return Dataset(pts.astype(dtype), labels), m


def mixture_data(means, n: int, weights=None, stds=1.0, *, rng=None,
                 dtype=np.float64) -> Dataset:
    """n points of a mixture of K isotropic Gaussians :math:`\\sum_k p_k N(m_k, s_k^2 I)`.

    Parameters
    ----------
    means : array_like (K, d)
    n : int
        Number of points, ``>= 1``.
    weights : array_like (K,), optional
        Mixture weights (normalised; equal by default), ``>= 0``.
    stds : float or array_like (K,)
        Per-component standard deviations, ``> 0``.
    rng : int, None or numpy.random.Generator
        Random source.
    dtype : numpy dtype, default float64
        Dtype of the points.

    Returns
    -------
    Dataset with labels 0..K-1.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, sec. 'Gaussian mixtures' (the two-class model; here any
    number of classes).
    docs/theory/dynamical-regimes.md sec. 0; docs/theory/models.md.
    """
    n = int(check_scalar(n, "n", lower=1, integer=True))
    mu = check_array(means, "means", ndim=2)
    K = mu.shape[0]
    p = np.full(K, 1.0 / K) if weights is None else check_array(weights, "weights", lower=0.0,
                                                                  ndim=1)
    if p.size != K or p.sum() <= 0:
        raise ValueError(f"weights must have {K} non-negative entries with a positive sum")
    s = np.broadcast_to(check_array(stds, "stds", lower=0.0, lower_open=True), (K,))
    rng = np.random.default_rng(rng)
    lab = rng.choice(K, size=n, p=p / p.sum())
    pts = mu[lab] + s[lab, None] * rng.standard_normal((n, mu.shape[1]))
    return Dataset(pts.astype(dtype), lab)


def gaussian_data(d: int, n: int, variances=1.0, *, mean=None, rotate: bool = False, rng=None,
                  dtype=np.float64) -> Dataset:
    """n points of :math:`N(\\mu_0, C)`: isotropic (scalar variance) or anisotropic.

    Parameters
    ----------
    d, n : int
        Dimension and number of points (``>= 1``).
    variances : float or array_like (d,)
        Covariance eigenvalues, ``>= 0``.
    mean : array_like (d,), optional
    rotate : bool
        Rotate the eigenbasis by a random orthogonal matrix (else axis-aligned).
    rng : int, None or numpy.random.Generator
        Random source.
    dtype : numpy dtype, default float64
        Dtype of the points.

    Returns
    -------
    Dataset
        n points, no labels.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 5 (Gaussian data of any spectrum,
    docs/theory/dynamical-regimes.md sec. 3.3).
    """
    d = int(check_scalar(d, "d", lower=1, integer=True))
    n = int(check_scalar(n, "n", lower=1, integer=True))
    var = np.broadcast_to(check_array(variances, "variances", lower=0.0), (d,))
    rng = np.random.default_rng(rng)
    pts = rng.standard_normal((n, d)) * np.sqrt(var)
    if rotate:
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        pts = pts @ (q * np.sign(np.diag(r))).T
    if mean is not None:
        pts = pts + check_array(mean, "mean", ndim=1)
    return Dataset(pts.astype(dtype))


def from_array(points, labels=None, dtype=None) -> Dataset:
    """Wrap a user array (n, d) (and optional integer labels) as a :class:`Dataset`.

    Parameters
    ----------
    points : array_like, shape (n, d)
        The data.
    labels : array_like of int, shape (n,), optional
        Class labels.
    dtype : numpy dtype, optional
        Convert the points to it (default: keep their dtype).

    Returns
    -------
    Dataset
        The wrapped data.
    """
    arr = np.asarray(points)
    if arr.dtype not in (np.float32, np.float64):
        arr = check_array(arr, "points")              # strings, booleans, complex: TypeError
    else:
        check_array(arr, "points", dtype=arr.dtype)   # NaN or inf: ValueError naming points
    if dtype is not None:
        arr = arr.astype(dtype)
    return Dataset(arr, labels)


def model_data(model, n: int, rng=None, dtype=np.float64) -> Dataset:
    """n training points drawn from a model of :mod:`theory.models`, as a :class:`Dataset`.

    Parameters
    ----------
    model : theory.models.GaussianMixture, Gaussian or LinearManifold
        Any object with ``sample(n, rng)``; a model with classes (one that has ``class_posterior``,
        e.g. a :class:`theory.models.GaussianMixture`) is sampled with ``return_labels=True``.
    n : int
        Number of points, ``>= 1``.
    rng : int, None or numpy.random.Generator
    dtype : float64 (default) or float32

    Returns
    -------
    Dataset
        The points, with the class labels 0..K-1 of a mixture (``None`` for a model without classes),
        ready for :class:`validation.EmpiricalScore`, :func:`validation.phi_identity` and the other
        estimators.

    Examples
    --------
    >>> from theory.models import GaussianMixture
    >>> ds = model_data(GaussianMixture([[3.0, 0.0], [0.0, 3.0], [-3.0, 0.0]], [0.5, 0.3, 0.2]), 100, rng=0)
    >>> ds.points.shape, sorted(set(ds.labels.tolist()))
    ((100, 2), [0, 1, 2])

    References
    ----------
    Biroli et al. (2024), sec. "Gaussian mixtures" (training sets drawn from the model);
    ``docs/theory/models.md``.
    """
    n = int(check_scalar(n, "n", lower=1, integer=True))
    sample = getattr(model, "sample", None)
    if not callable(sample):
        raise TypeError(f"model must be a model of theory.models with a sample(n, rng) method "
                        f"(got {type(model).__name__})")
    rng = np.random.default_rng(rng)
    if callable(getattr(model, "class_posterior", None)):
        pts, labels = sample(n, rng, return_labels=True)
    else:
        pts, labels = sample(n, rng), None
    return Dataset(np.asarray(pts).astype(dtype, copy=False), labels)
