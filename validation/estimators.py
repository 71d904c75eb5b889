"""Monte Carlo estimators of phi, phi_C, the excess entropy and the collapse time, with errors.

The identity estimators sample :math:`x \\sim P_t^e` directly,
:math:`x = e^{-t} a^\\nu + \\sqrt{\\Delta_t}\\,\\xi` with :math:`\\nu` uniform, and average a
function of the posterior weights (no SDE needed; docs/theory/dynamical-regimes.md sec. 2.5 and 3.1):

- :math:`\\phi(t) = E_x \\sum_c (\\sum_{\\mu\\in c} w_\\mu)^2`,
- :math:`\\phi_C(t) = E_x \\sum_\\mu w_\\mu^2`,
- :math:`f^e(t) = \\frac1d E_x H(w(x,t))` (exact identity, lower variance than the paper's
  log-likelihood estimator :math:`s^{sep} - s^e`, also offered).

Every estimator returns an :class:`Estimate` (value, standard error, number of samples).

Examples
--------
>>> from validation import gaussian_mixture_data
>>> from validation.estimators import phi_identity
>>> data, m = gaussian_mixture_data(64, 500, rng=0)
>>> est = phi_identity(1.5, data, n_samples=512, rng=1)
>>> print(f"{est.value:.3f} +- {est.stderr:.3f}")
0.950 +- 0.005
"""

from __future__ import annotations

import numpy as np

from theory.checks import NotFoundError, check_array, check_scalar
from theory.estimate import Estimate
from theory.timemap import delta, forward_noising

from ._posterior import as_dataset, posterior_stats
from .backend import to_numpy

__all__ = [
    "Estimate",
    "sample_noised_data",
    "posterior_curves",
    "phi_identity",
    "phi_population",
    "phi_c_identity",
    "excess_entropy_posterior",
    "excess_entropy_loglik",
    "last_changing_index_time",
    "collapse_time_from_entropy",
]

_SAMPLE_BLOCK = 2048


def sample_noised_data(data, t: float, n_samples: int, rng=None, dtype=None):
    """Draw ``x = e^{-t} a^nu + sqrt(Delta_t) xi`` with nu uniform: exact samples of :math:`P_t^e`.

    Parameters
    ----------
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    t : float
        OU time, ``t > 0``.
    n_samples : int
        Number of samples.
    rng : int, None or numpy.random.Generator
        Random source.
    dtype : numpy dtype, optional
        Dtype of the samples (default: that of the data).

    Returns
    -------
    x : ndarray (n_samples, d)
    nu : ndarray (n_samples,) of int
        The generating training indices.

    References
    ----------
    Biroli et al. (2024), eq. 2 and SI App. D ("Numerical details": entropy estimator).
    docs/theory/dynamical-regimes.md sec. 3.4.
    """
    ds = as_dataset(data)
    t = check_scalar(t, "t", lower=0.0, lower_open=True)
    n_samples = int(check_scalar(n_samples, "n_samples", lower=1, integer=True))
    rng = np.random.default_rng(rng)
    nu = rng.integers(0, ds.n, n_samples)
    be = ds.backend
    if be.name != "numpy":            # data on a device: draw the noise there, return device arrays
        dt = ds.points.dtype if dtype is None else dtype
        xi = be.standard_normal(rng, (n_samples, ds.d), dt, scale=np.sqrt(delta(t)))
        nu_d = be.asarray(nu)
        return be.xp.astype(be.xp.take(ds.points, nu_d, axis=0), dt) * np.exp(-t) + xi, nu
    xi = rng.standard_normal((n_samples, ds.d))
    x = forward_noising(ds.points[nu], t, xi)
    return x.astype(dtype or ds.points.dtype, copy=False), nu


def _estimate(v) -> Estimate:
    v = np.asarray(to_numpy(v), dtype=np.float64)
    return Estimate(float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)), int(v.size))


def _per_sample(data, t, n_samples, rng, fun, want_classes=False, block=_SAMPLE_BLOCK):
    """Average ``fun(stats, x, nu, ds)`` over samples of P_t^e; ``fun`` returns an array per sample,
    or a dict of them (then a dict of estimates is returned)."""
    ds = as_dataset(data)
    rng = np.random.default_rng(rng)
    n_samples = int(check_scalar(n_samples, "n_samples", lower=2, integer=True))
    if ds.backend.is_gpu:
        block *= 8                     # larger batches keep a GPU busy
    vals = []
    for b0 in range(0, n_samples, block):
        b = min(block, n_samples - b0)
        x, nu = sample_noised_data(ds, t, b, rng)
        st = posterior_stats(x, t, ds, want_mean=False, want_classes=want_classes)
        vals.append(fun(st, x, nu, ds))
    if isinstance(vals[0], dict):
        return {k: _estimate(np.concatenate([to_numpy(v[k]) for v in vals])) for k in vals[0]}
    return _estimate(np.concatenate([to_numpy(v) for v in vals]))


def posterior_curves(t: float, data, n_samples: int = 4096, rng=None) -> dict[str, Estimate]:
    """phi, phi_C and f^e at time t from one set of samples of :math:`P_t^e` (one kernel pass).

    Parameters
    ----------
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    n_samples : int, default 4096
        Number of samples :math:`x \\sim P_t^e`.
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    dict
        ``"phi_c"`` (:func:`phi_c_identity`), ``"fe"`` (:func:`excess_entropy_posterior`, per
        dimension) and, when the data carry labels, ``"phi"`` (:func:`phi_identity`).  The three
        estimates share their samples, so their errors are correlated.

    References
    ----------
    docs/theory/dynamical-regimes.md, secs. 2.5 and 3.1 (derived identities); Biroli et al. (2024),
    eqs. 5-6, Figs. 4-5.
    """
    ds = as_dataset(data)
    labelled = ds.labels is not None

    def fun(st, *_):
        out = {"phi_c": st.participation, "fe": st.entropy / ds.d}
        if labelled:
            out["phi"] = (st.class_mass**2).sum(axis=1)
        return out

    return _per_sample(ds, t, n_samples, rng, fun, want_classes=labelled)


def phi_identity(t: float, data, labels=None, n_samples: int = 4096, rng=None) -> Estimate:
    """:math:`\\phi(t) = E_{x\\sim P_t^e}\\sum_c(\\sum_{\\mu\\in c} w_\\mu(x,t))^2` (no SDE).

    A clone started at x ends at training point mu with probability :math:`w_\\mu(x,t)` under the
    exact empirical score, so two clones end in the same class with probability
    :math:`\\sum_c (\\sum_{\\mu\\in c} w_\\mu)^2`.  Any number of classes (any integer labels,
    e.g. those of :func:`validation.model_data`); :func:`phi_population` is its n = infinity limit.

    Parameters
    ----------
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    labels : array_like of int, shape (n,), optional
        Class labels (default: those of ``data``).
    n_samples : int, default 4096
        Number of samples :math:`x \\sim P_t^e`.
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    Estimate
        Mean over the samples with its standard error.

    References
    ----------
    docs/theory/dynamical-regimes.md, sec. 2.5 (derived); Biroli et al. (2024), eq. 6 protocol.
    """
    ds = as_dataset(data, labels)
    return _per_sample(ds, t, n_samples, rng,
                       lambda st, *_: (st.class_mass**2).sum(axis=1), want_classes=True)


def phi_population(t: float, model, n_samples: int = 4096, rng=None) -> Estimate:
    """Population :math:`\\phi(t) = E_{x\\sim P_t}\\sum_k P(k\\mid x_t = x)^2` of a mixture model (n = oo).

    Parameters
    ----------
    t : float
        OU time, ``>= 0``.
    model : theory.models.GaussianMixture
        Any model with ``sample(n, rng)`` and ``class_posterior(x, t)``.
    n_samples : int
        Monte Carlo samples, ``>= 2``.
    rng : int, None or numpy.random.Generator

    Returns
    -------
    Estimate

    Notes
    -----
    Samples :math:`x = e^{-t}a + \\sqrt{\\Delta_t}\\,z`, :math:`a \\sim` ``model.sample``, and averages
    :math:`\\sum_k P(k\\mid x)^2` from the model's exact class posterior.  It is the probability that
    two backward continuations from the same :math:`x_t` end in the same class (for the symmetric
    mixture, eq. 6 of the paper); :func:`phi_identity` measures the same quantity for a finite training
    set, and tends to it as n grows at fixed t above the collapse time.

    References
    ----------
    Biroli et al. (2024), eq. 6 (``phi``); ``docs/theory/models.md`` (K classes).
    """
    t = check_scalar(t, "t", lower=0.0)
    n_samples = int(check_scalar(n_samples, "n_samples", lower=2, integer=True))
    if not callable(getattr(model, "class_posterior", None)):
        raise TypeError(f"model must have classes (a class_posterior method, e.g. "
                        f"theory.models.GaussianMixture; got {type(model).__name__})")
    rng = np.random.default_rng(rng)
    vals = []
    for b0 in range(0, n_samples, _SAMPLE_BLOCK):
        b = min(_SAMPLE_BLOCK, n_samples - b0)
        a = model.sample(b, rng)
        x = forward_noising(a, t, rng.standard_normal(a.shape))
        vals.append(np.sum(model.class_posterior(x, t) ** 2, axis=-1))
    return _estimate(np.concatenate(vals))


def phi_c_identity(t: float, data, n_samples: int = 4096, rng=None) -> Estimate:
    """:math:`\\phi_C(t) = E_{x\\sim P_t^e}\\sum_\\mu w_\\mu(x,t)^2` (REM participation ratio).

    Parameters
    ----------
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    n_samples : int, default 4096
        Number of samples :math:`x \\sim P_t^e`.
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    Estimate
        Mean over the samples with its standard error.

    References
    ----------
    docs/theory/dynamical-regimes.md, sec. 2.5 (derived); Biroli et al. (2024), Fig. 5.
    """
    return _per_sample(data, t, n_samples, rng, lambda st, *_: st.participation)


def excess_entropy_posterior(t: float, data, n_samples: int = 4096, rng=None) -> Estimate:
    """:math:`f^e(t) = \\frac1d E_{x\\sim P_t^e} H(w(x,t))`, the posterior-entropy estimator.

    Parameters
    ----------
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    n_samples : int, default 4096
        Number of samples :math:`x \\sim P_t^e`.
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    Estimate
        Mean over the samples with its standard error.

    Notes
    -----
    .. math:: f^e(t) = s^{sep}(t) - s^e(t) = \\frac1d H(\\mu \\mid x_t)
              = \\frac1d E_x\\Big[-\\sum_\\mu w_\\mu\\log w_\\mu\\Big] \\ge 0,

    exact at finite n and d (docs/theory/dynamical-regimes.md sec. 3.1).  Its per-sample variance lacks the
    :math:`(|z|^2 - d)/(2d)` term of the log-likelihood estimator.

    References
    ----------
    Biroli et al. (2024), eq. 5 (``crit-coll``); identity derived in docs/theory/dynamical-regimes.md sec.
    3.1.
    """
    ds = as_dataset(data)
    return _per_sample(ds, t, n_samples, rng, lambda st, *_: st.entropy / ds.d)


def excess_entropy_loglik(t: float, data, n_samples: int = 4096, rng=None) -> Estimate:
    """The paper's estimator :math:`f^e = s^{sep} - s^e` with :math:`s^e = -\\frac1d E\\log P_t^e(x)`.

    Parameters
    ----------
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points (a :class:`Dataset` carries class labels).
    n_samples : int, default 4096
        Number of samples :math:`x \\sim P_t^e`.
    rng : int, None or numpy.random.Generator
        Random source.

    Returns
    -------
    Estimate
        Mean over the samples with its standard error.

    Notes
    -----
    With :math:`s^{sep} = \\log(n)/d + \\tfrac12 + \\tfrac12\\log(2\\pi\\Delta_t)` and
    :math:`\\log P_t^e(x) = \\log\\sum_\\mu e^{-|x - a^\\mu e^{-t}|^2/2\\Delta_t} - \\log n
    - \\tfrac d2\\log(2\\pi\\Delta_t)`, each sample contributes
    :math:`\\tfrac12 + \\frac1d\\log\\sum_\\mu e^{-|x - a^\\mu e^{-t}|^2/2\\Delta_t}`.

    References
    ----------
    Biroli et al. (2024), eq. 5 and SI App. D (n' = 250,000 samples per point in Fig. 3).
    docs/theory/dynamical-regimes.md secs. 3.1 and 3.4.
    """
    ds = as_dataset(data)
    return _per_sample(ds, t, n_samples, rng, lambda st, *_: 0.5 + st.log_z / ds.d)


def last_changing_index_time(trajectory_times, indices) -> np.ndarray:
    """Collapse time :math:`\\hat t_C` of each trajectory from its nearest-point indices.

    Parameters
    ----------
    trajectory_times : array_like, shape (S,)
        Decreasing times at which the nearest training point was recorded.
    indices : array_like, shape (S, B)
        :math:`\\mu^*(t_k) = \\arg\\min_\\mu |x(t_k) - e^{-t_k} a^\\mu|` per trajectory
        (:func:`validation.nearest_points`).

    Returns
    -------
    ndarray (B,)
        The first recorded time after the last change of :math:`\\mu^*` (the earliest, i.e.
        largest, time if it never changes).

    References
    ----------
    Biroli et al. (2024), SI App. D and Fig. 5 (last-changing index).
    docs/theory/dynamical-regimes.md sec. 3.4.
    """
    times = check_array(trajectory_times, "trajectory_times", ndim=1)
    idx = np.asarray(indices)
    if idx.ndim != 2 or idx.shape[0] != times.size:
        raise ValueError(f"indices must have shape ({times.size}, B) (got {idx.shape})")
    changed = idx[1:] != idx[:-1]                  # (S-1, B)
    any_change = changed.any(axis=0)
    last = changed.shape[0] - 1 - np.argmax(changed[::-1], axis=0)
    k = np.where(any_change, last + 1, 0)
    return times[k]


def collapse_time_from_entropy(times, values, stderr, k: float = 3.0, atol: float = 0.0) -> float:
    """Largest time at which the excess entropy is zero within ``k`` standard errors (+ ``atol``).

    At finite n the posterior entropy never vanishes exactly, so ``atol`` (in the units of
    ``values``, e.g. 0.01 for f^e/alpha) sets what counts as zero.  Raises
    :class:`theory.checks.NotFoundError` (a ValueError; never returns NaN) if no point is compatible
    with zero.

    Parameters
    ----------
    times : array_like, shape (T,)
        OU times of the estimates.
    values : array_like, shape (T,)
        Excess entropy estimates (e.g. :math:`f^e/\\alpha`).
    stderr : array_like, shape (T,)
        Their standard errors, ``>= 0``.
    k : float, default 3.0
        Number of standard errors counted as zero.
    atol : float, default 0.0
        Absolute tolerance added to ``k * stderr``.

    Returns
    -------
    float
        The largest time whose value is compatible with zero.

    References
    ----------
    Biroli et al. (2024), sec. "Collapse": t_C is "the largest time at which f^e(t) = 0".
    docs/theory/dynamical-regimes.md sec. 3.4.
    """
    t = check_array(times, "times", ndim=1)
    v = check_array(values, "values", ndim=1)
    se = check_array(stderr, "stderr", lower=0.0, ndim=1)
    if not (t.size == v.size == se.size):
        raise ValueError("times, values and stderr must have the same length")
    atol = check_scalar(atol, "atol", lower=0.0)
    zero = v <= k * se + atol + 1e-12
    if not np.any(zero):
        raise NotFoundError("values: no time has an excess entropy compatible with zero; extend the "
                         "grid to smaller t")
    return float(t[zero].max())

