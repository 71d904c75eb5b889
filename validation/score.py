"""Score functions: the exact empirical score, its posterior weights, and population scores.

Every sampler and estimator of :mod:`validation` takes a score as a callable ``score(x, t)`` with
``x`` of shape (B, d) and scalar OU time ``t``; the functions here build such callables, and a user
can pass the score of a trained network in the same way.  The points and the data may be numpy
arrays, torch tensors or CuPy arrays (see :mod:`validation.backend`).

Examples
--------
>>> import numpy as np
>>> a = np.array([[1.0, 0.0], [-1.0, 0.0]])
>>> empirical_score(np.array([[0.0, 0.5]]), 1.0, a).round(4).tolist()   # symmetric: -x / Delta_t
[[0.0, -0.5783]]
"""

from __future__ import annotations

import numpy as np

from theory.checks import check_array, check_scalar

from ._posterior import (
    Dataset,
    _check_points,
    _time_factors,
    as_dataset,
    dense_weights,
    posterior_stats,
)
from .backend import get_backend

_NUMPY_BACKEND = get_backend()
_SCORE_BLOCK = 32768          # entries per cache-resident row block of the mixture score

__all__ = [
    "empirical_score",
    "posterior_weights",
    "EmpiricalScore",
    "GaussianMixtureScore",
    "GaussianScore",
]


def empirical_score(x, t: float, data, *, chunk: int | None = None, tf32: bool = False):
    """Exact score :math:`F(x,t) = \\nabla\\log P_t^e(x)` of the noised empirical distribution.

    Parameters
    ----------
    x : array_like, shape (B, d)
        Points (float64, or float32 if the data are float32).
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like, shape (n, d)
        Training points :math:`a^\\mu`.
    chunk : int, optional
        Training points per streamed chunk (default: 32 MiB of B x chunk logits, 512 MiB on GPUs).
    tf32 : bool
        TensorFloat-32 matrix products for float32 data on CUDA devices (see
        :func:`validation.posterior_summary`).

    Returns
    -------
    array, shape (B, d)
        In the data's library, device and dtype (numpy, torch or CuPy).

    Notes
    -----
    .. math:: F(x,t) = \\frac{e^{-t}\\sum_\\mu w_\\mu(x,t)\\, a^\\mu - x}{\\Delta_t},\\qquad
              w_\\mu = \\operatorname{softmax}_\\mu\\Big(-\\frac{|x - a^\\mu e^{-t}|^2}{2\\Delta_t}\\Big).

    Memory is O(B x chunk + B d) for any n (streaming log-sum-exp over data chunks).  Accuracy:
    with :math:`\\delta = 4u\\sqrt d\\,(e^{-t}|x|\\max|a| + e^{-2t}\\max|a|^2/2)/\\Delta_t` the
    round-off bound of the matrix-product logits (u = 2.2e-16 in float64), the weights have relative
    error :math:`\\lesssim \\delta` when :math:`\\delta \\le 10^{-9}`; above, the candidate winners
    are recomputed from exact differences, so the weights stay accurate to better than 1e-9 (about
    1e-12 in practice) as :math:`\\Delta_t \\to 0`.  With :math:`\\Delta_t = O(1)` the weights are
    within 1e-10 whenever :math:`\\sqrt d\\,|x||a| \\le 10^5`.  The score inherits the weights' error
    times
    :math:`e^{-t}\\max|a|/\\Delta_t`, plus :math:`u|x|/\\Delta_t` from the final subtraction.

    References
    ----------
    Biroli et al. (2024), eq. 2 (``Pt_gen``) and eq. 3; explicit form in docs/theory/dynamical-regimes.md sec.
    1.
    """
    ds = as_dataset(data)
    _, e, delta = _time_factors(t)
    be = ds.backend
    xb = _check_points(x, ds.d, ds.points.dtype, be)
    stats = posterior_stats(xb, t, ds, want_mean=True, want_entropy=False, want_argmax=False,
                            chunk=chunk, tf32=tf32)
    out = stats.mean
    out *= e
    out -= xb
    out *= 1.0 / delta
    return out


def posterior_weights(x, t: float, data, *, chunk: int | None = None):
    """Posterior weights :math:`w_\\mu(x,t) = P(\\mu \\mid x_t = x)`, shape (B, n).

    The output itself is B x n; use :func:`validation.posterior_summary` for reductions (entropy,
    participation ratio, class masses) in O(B) memory.

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
    ndarray, shape (B, n)
        :math:`w_\\mu(x, t)`, rows summing to 1.

    Notes
    -----
    .. math:: w_\\mu(x,t) = \\frac{\\exp(-|x - a^\\mu e^{-t}|^2/2\\Delta_t)}
              {\\sum_\\nu \\exp(-|x - a^\\nu e^{-t}|^2/2\\Delta_t)}.

    Computed from the exact log partition of :func:`posterior_summary` (same accuracy guarantee as
    :func:`empirical_score`).

    References
    ----------
    Biroli et al. (2024), eq. 2; docs/theory/dynamical-regimes.md sec. 1 and 2.5.
    """
    return dense_weights(x, t, data, chunk=chunk)


class EmpiricalScore:
    """Callable exact empirical score ``score(x, t)`` of a fixed dataset (see :func:`empirical_score`).

    Parameters
    ----------
    data : Dataset or array_like (n, d)
        numpy, torch or CuPy points: the score runs on their device.
    labels : array_like, optional
    dtype : {numpy.float64, numpy.float32}, optional
        Arithmetic precision (float64 by default for numpy data; the data's own dtype for torch or
        CuPy data unless given).
    chunk : int, optional
    tf32 : bool
        TensorFloat-32 logits on CUDA devices (float32 only).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 2 (Pt_gen); the exact empirical score of
    docs/theory/dynamical-regimes.md sec. 1.
    """

    def __init__(self, data, labels=None, dtype=None, chunk: int | None = None, tf32: bool = False):
        ds = as_dataset(data, labels)
        be = ds.backend
        if dtype is None:
            dtype = np.float64 if be.name == "numpy" else None
        if dtype is not None:
            name = np.dtype(dtype).name if not hasattr(dtype, "is_floating_point") else \
                str(dtype).split(".")[-1]
            if name not in ("float32", "float64"):
                raise ValueError(f"dtype must be float32 or float64 (got {dtype})")
            pts = ds.points.astype(name, copy=False) if be.name != "torch" else \
                ds.points.to(be.dtype(name))
            ds = Dataset(pts, ds.labels)
        self.data = ds
        self.chunk = chunk
        self.tf32 = tf32

    def __call__(self, x, t: float):
        return empirical_score(x, t, self.data, chunk=self.chunk, tf32=self.tf32)


class GaussianMixtureScore:
    """Population score of :math:`\\tfrac12 N(+m,\\sigma^2 I) + \\tfrac12 N(-m,\\sigma^2 I)` (n = infinity).

    Parameters
    ----------
    m : array_like, shape (d,)
        Mean of the + class.
    sigma : float, default 1.0
        Class standard deviation, ``sigma > 0``.

    Notes
    -----
    .. math:: S(x,t) = -\\frac{x}{\\Gamma_t} + \\frac{m e^{-t}}{\\Gamma_t}
              \\tanh\\Big(\\frac{x\\cdot m\\, e^{-t}}{\\Gamma_t}\\Big),\\quad
              \\Gamma_t = \\Delta_t + \\sigma^2 e^{-2t}.

    References
    ----------
    Biroli et al. (2024), SI App. B, eq. ``scoregm``; derived in
    :func:`derivations.gm_score`.
    docs/theory/dynamical-regimes.md secs. 1 and 2.2.
    """

    def __init__(self, m, sigma: float = 1.0):
        self.m = check_array(m, "m", ndim=1)
        self.sigma = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
        self._m_cache: dict = {}

    def _m_like(self, be, dtype):
        key = (be.name, str(be.device), str(dtype))
        if key not in self._m_cache:
            self._m_cache[key] = be.asarray(self.m, dtype=dtype)
        return self._m_cache[key]

    def _points(self, x):
        be = get_backend(x)
        if be.name == "numpy":
            # validated cheaply: a non-finite entry of x makes its projection on m non-finite
            x = np.asarray(x)
            if x.dtype not in (np.float32, np.float64):
                x = check_array(x, "x")
            if x.ndim != 2 or x.shape[1] != self.m.size:
                raise ValueError(f"x must have shape (B, {self.m.size}) to match the data "
                                 f"(got shape {x.shape})")
            return be, x
        dtype = x.dtype if str(getattr(x, "dtype", "")).endswith(("float32", "float64")) else \
            be.xp.float64
        return be, _check_points(x, self.m.size, dtype, be)

    def _projection(self, be, x, m):
        if be.name != "numpy":
            return x @ m
        # numpy: einsum, not BLAS gemv (whose threads cost more than the product at these sizes)
        proj = np.einsum("ij,j->i", x, m)
        if not np.all(np.isfinite(proj)):
            check_array(x, "x", dtype=x.dtype)        # names the offending entry
            raise ValueError("x must be finite with a finite projection on m (got overflow)")
        return proj

    def __call__(self, x, t: float):
        """Score at the points ``x`` (B, d): numpy, torch or CuPy, float64 or float32 (kept)."""
        be, x = self._points(x)
        _, e, delta = _time_factors(t)
        gamma = delta + self.sigma**2 * e * e
        m = self._m_like(be, x.dtype)
        if be.name == "numpy":
            return self._numpy_score(x, m, e / gamma, 1.0 / gamma)
        coef = be.xp.tanh(self._projection(be, x, m) * (e / gamma))
        coef *= e
        out = coef[:, None] * m[None, :]
        out -= x
        out *= 1.0 / gamma
        return out

    def _numpy_score(self, x: np.ndarray, m: np.ndarray, k: float, inv_gamma: float,
                     out: np.ndarray | None = None) -> np.ndarray:
        """Row blocks of about 32k entries, so that x is read once and the score written once."""
        B, d = x.shape
        out = np.empty_like(x) if out is None else out
        rows = max(1, _SCORE_BLOCK // max(d, 1))
        tmp = np.empty((min(rows, B), d), dtype=x.dtype)
        for r0 in range(0, B, rows):
            xb = x[r0:r0 + rows]
            ob = out[r0:r0 + rows]
            coef = np.tanh(self._projection(_NUMPY_BACKEND, xb, m) * k)
            coef *= k
            np.multiply(xb, -inv_gamma, out=ob)
            tb = tmp[:xb.shape[0]]
            np.multiply(coef[:, None], m[None, :], out=tb)
            ob += tb
        return out

    def prepare(self, t: float, dtype=np.float64):
        """``drift(x, out, c_score=1.0, c_x=0.0)``: writes ``c_score * score(x, t) + c_x * x`` for a
        block of rows into ``out``.

        Row-local scores offer this so that :func:`validation.backward_step` evaluates them block
        by block in cache, fused with the step (numpy arrays); with the default coefficients the
        result equals ``self(x, t)``.
        """
        _, e, delta = _time_factors(t)
        gamma = delta + self.sigma**2 * e * e
        m = self._m_like(_NUMPY_BACKEND, np.dtype(dtype))
        k = e / gamma

        def drift(x: np.ndarray, out: np.ndarray, c_score: float = 1.0, c_x: float = 0.0) -> np.ndarray:
            if x.ndim != 2 or x.shape[1] != self.m.size:
                raise ValueError(f"x must have shape (B, {self.m.size}) (got shape {x.shape})")
            coef = np.tanh(self._projection(_NUMPY_BACKEND, x, m) * k)
            coef *= k * c_score
            np.multiply(x, c_x - c_score / gamma, out=out)
            out += coef[:, None] * m[None, :]
            return out

        return drift

    def classify(self, x):
        """Class (+1 / -1 as 1 / 0) of points: the sign of :math:`x\\cdot m`."""
        be, x = self._points(x)
        return be.xp.astype(self._projection(be, x, self._m_like(be, x.dtype)) > 0, be.xp.int64)


class GaussianScore:
    """Population score of Gaussian data :math:`N(\\mu_0, C)` under the OU process.

    Parameters
    ----------
    mean : array_like, shape (d,)
        Mean :math:`\\mu_0`.
    cov : scalar, array_like (d,) or (d, d), optional
        Covariance C: diagonal (d,) or full (d, d) matrix (default zero: a point mass at ``mean``).

    Notes
    -----
    :math:`x_t \\sim N(e^{-t}\\mu_0,\\ e^{-2t}C + \\Delta_t I)`, so
    :math:`S(x,t) = -(e^{-2t}C + \\Delta_t I)^{-1}(x - e^{-t}\\mu_0)`.  With n = 1 data point (C = 0)
    this is the exact empirical score of that point.

    References
    ----------
    Biroli et al. (2024), eq. 11 (forward covariance C(t) = C_0 e^{-2t} + Delta_t I).
    docs/theory/dynamical-regimes.md sec. 3.3.
    """

    def __init__(self, mean, cov=None):
        self.mean = check_array(mean, "mean", ndim=1)
        d = self.mean.size
        if cov is None:
            cov = np.zeros((d, d))
        cov = check_array(cov, "cov")
        if cov.ndim == 1:
            cov = np.diag(cov)
        if cov.shape != (d, d):
            raise ValueError(f"cov must have shape ({d}, {d}) or ({d},) (got {cov.shape})")
        evals, evecs = np.linalg.eigh(0.5 * (cov + cov.T))
        if evals.min() < -1e-12 * max(1.0, abs(evals).max()):
            raise ValueError(f"cov must be positive semi-definite (got eigenvalue {evals.min():g})")
        self._evals = np.clip(evals, 0.0, None)
        self._evecs = evecs

    def __call__(self, x, t: float) -> np.ndarray:
        x = _check_points(x, self.mean.size, np.float64)
        _, e, delta = _time_factors(t)
        y = (x - e * self.mean) @ self._evecs
        y /= e * e * self._evals + delta
        return -(y @ self._evecs.T)
