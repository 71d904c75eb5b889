"""The one empirical-score kernel: streaming softmax over training points.

For a batch of points x (B, d) at OU time t and data a (n, d) the posterior over training indices is

.. math:: w_\\mu(x,t) = \\operatorname{softmax}_\\mu\\Big(-\\frac{|x - a^\\mu e^{-t}|^2}{2\\Delta_t}\\Big)
          = \\operatorname{softmax}_\\mu\\Big(\\frac{e^{-t} x\\cdot a^\\mu
          - \\tfrac12 e^{-2t}|a^\\mu|^2}{\\Delta_t}\\Big),

the :math:`|x|^2` term cancelling in the softmax.  The data are visited in chunks; for each chunk the
logits come from one matrix product (B x chunk, never B x n x d), and a running log-sum-exp keeps, for
every point of the batch, the accumulators that all estimators need:

- ``m``: running maximum of the logits; ``s`` = sum e^{l - m}; the log partition log Z = m + log s;
- ``s2`` = sum e^{2(l - m)} (participation ratio sum w^2 = s2 / s^2);
- ``sl`` = sum e^{l - m} (l - m) (posterior entropy H = log s - sl / s);
- ``mean`` = sum e^{l - m} a^mu (posterior mean of a, for the score), one extra matrix product;
- ``classes`` = per-class sums of e^{l - m} (sum_c (sum_{mu in c} w)^2);
- ``argmax``: index of the heaviest training point.

Exactness in the collapse regime.  The matrix-product logits carry an absolute error of order
:math:`u\\,(e^{-t}|x||a| + e^{-2t}|a|^2)/\\Delta_t` (u the unit round-off), which grows as
:math:`\\Delta_t \\to 0`.  When that bound exceeds 1e-9 (float64; 0.5 in float32) for a point, a
second pass recomputes the logits of its candidate winners (those within ``L + 2 delta`` of the
maximum, with ``e^{-L}`` below round-off) from the exact differences :math:`|x - a^\\mu e^{-t}|^2`,
and the accumulators from those alone.  The weights then carry about 1e-9 relative error at most
for any :math:`\\Delta_t` (1e-12 typically; no catastrophic cancellation in
:math:`|x - a^\\mu e^{-t}|^2` for the winning points).

References
----------
Biroli et al. (2024), eq. 2 (``Pt_gen``) and the explicit empirical score of docs/theory/dynamical-regimes.md
sec. 1; online softmax: M. Milakov, N. Gimelshein, "Online normalizer calculation for softmax" (2018).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.checks import check_array, check_scalar
from theory.timemap import delta

_CHUNK_BYTES = 32 * 2**20     # size of one B x chunk block of logits
_REFINE_TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 0.5}  # logit error bound that
# triggers the exact second pass (float32 users asked for speed: refine only when the logits are
# off by O(1), i.e. deep in the collapse regime)
_PAIR_BLOCK = 1 << 15          # (point, candidate) pairs per exact-distance block


@dataclass
class Dataset:
    """Training points (n, d) with optional integer class labels, and cached squared norms."""

    points: np.ndarray
    labels: np.ndarray | None = None
    _sq: np.ndarray | None = None

    def __post_init__(self) -> None:
        pts = np.asarray(self.points)
        if pts.ndim != 2:
            raise ValueError(f"data must be a 2-dimensional array of shape (n, d) (got shape {pts.shape})")
        if pts.shape[0] < 1 or pts.shape[1] < 1:
            raise ValueError(f"data must have n >= 1 points and d >= 1 columns (got shape {pts.shape})")
        if pts.dtype not in (np.float32, np.float64):
            pts = pts.astype(np.float64)
        self.points = check_array(pts, "data", dtype=pts.dtype)
        if self.labels is not None:
            lab = np.asarray(self.labels)
            if lab.shape != (pts.shape[0],):
                raise ValueError(f"labels must have shape ({pts.shape[0]},) (got {lab.shape})")
            if not np.issubdtype(lab.dtype, np.integer):
                if not np.all(np.isfinite(lab.astype(float))) or np.any(lab != np.round(lab)):
                    raise ValueError("labels must be integers")
                lab = lab.astype(np.int64)
            self.labels = lab

    @property
    def n(self) -> int:
        return self.points.shape[0]

    @property
    def d(self) -> int:
        return self.points.shape[1]

    @property
    def sq_norms(self) -> np.ndarray:
        if self._sq is None:
            self._sq = np.einsum("ij,ij->i", self.points, self.points)
        return self._sq

    def class_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Classes present and, per point, the index of its class (0..K-1)."""
        if self.labels is None:
            raise ValueError("labels are required for class-resolved quantities (got None)")
        return np.unique(self.labels, return_inverse=True)


def as_dataset(data, labels=None) -> Dataset:
    """Accept a :class:`Dataset` or an (n, d) array (with optional labels)."""
    if isinstance(data, Dataset):
        if labels is not None:
            return Dataset(data.points, labels)
        return data
    return Dataset(np.asarray(data), labels)


@dataclass
class PosteriorStats:
    """Per-point summaries of the posterior w(x, t) over training indices (arrays of length B).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 2 (the posterior over training points of the exact
    empirical score) and SI App. D; docs/theory/dynamical-regimes.md secs. 1 and 2.5.
    """

    log_z: np.ndarray          # log sum_mu exp(-|x - a^mu e^{-t}|^2 / (2 Delta_t))
    participation: np.ndarray  # sum_mu w_mu^2
    entropy: np.ndarray        # -sum_mu w_mu log w_mu
    argmax: np.ndarray         # index of the heaviest training point
    mean: np.ndarray | None    # sum_mu w_mu a^mu, shape (B, d)
    class_mass: np.ndarray | None  # (B, K): sum_{mu in c} w_mu
    refined: np.ndarray        # boolean: the row went through the exact second pass


def _check_points(x, d: int, dtype) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"x must have shape (B, {d}) to match the data (got shape {arr.shape})")
    return check_array(arr, "x", dtype=dtype)


def _time_factors(t) -> tuple[float, float, float]:
    t = check_scalar(t, "t", lower=0.0, lower_open=True)
    e = np.exp(-t)
    return t, e, delta(t)


def _chunk_size(batch: int, n: int, itemsize: int) -> int:
    return int(max(1, min(n, _CHUNK_BYTES // max(1, batch * itemsize))))


def _chunk_logits(xs: np.ndarray, points: np.ndarray, bias: np.ndarray, step: int):
    """Yield ``(start, a_chunk, xs @ a_chunk.T - bias_chunk)`` over the data, one B x chunk block
    at a time: the single place where the matrix-product logits are formed."""
    for start in range(0, points.shape[0], step):
        a = points[start:start + step]
        logits = xs @ a.T
        logits -= bias[start:start + step]
        yield start, a, logits


def posterior_stats(x, t: float, data, *, want_mean: bool = True, want_classes: bool = False,
                    chunk: int | None = None) -> PosteriorStats:
    """Stream over the data once (twice in the collapse regime) and return :class:`PosteriorStats`.

    Parameters
    ----------
    x : array_like, shape (B, d)
        Points at which the posterior is evaluated.
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like (n, d)
        Training points (labels needed for ``want_classes``).
    want_mean : bool
        Accumulate the posterior mean of a (one extra matrix product per chunk).
    want_classes : bool
        Accumulate the per-class posterior masses.
    chunk : int, optional
        Data points per chunk (default: a 32 MiB block of B x chunk logits).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 2 (the posterior over training points of the exact
    empirical score) and SI App. D; docs/theory/dynamical-regimes.md secs. 1 and 2.5.
    """
    ds = as_dataset(data)
    dtype = ds.points.dtype
    xb = _check_points(x, ds.d, dtype)
    _, e, delta = _time_factors(t)
    B, n = xb.shape[0], ds.n
    step = chunk or _chunk_size(B, n, dtype.itemsize)
    xs = xb * dtype.type(e / delta)
    bias = (ds.sq_norms * (0.5 * e * e / delta)).astype(dtype, copy=False)
    cls = None
    if want_classes:
        classes, cls = ds.class_index()
        K = classes.size
    m = np.full(B, -np.inf)
    s = np.zeros(B)
    s2 = np.zeros(B)
    sl = np.zeros(B)
    arg = np.zeros(B, dtype=np.int64)
    mean = np.zeros((B, ds.d), dtype=dtype) if want_mean else None
    cmass = np.zeros((B, K)) if want_classes else None
    rows = np.arange(B)
    for start, a, logits in _chunk_logits(xs, ds.points, bias, step):
        cmax_idx = np.argmax(logits, axis=1)
        cmax = logits[rows, cmax_idx].astype(np.float64)
        new_m = np.maximum(m, cmax)
        better = cmax > m
        arg[better] = start + cmax_idx[better]
        scale = np.exp(m - new_m)          # 0 on the first chunk (m = -inf)
        shift = np.where(np.isfinite(m), m - new_m, 0.0)
        logits -= new_m[:, None].astype(dtype)       # l - m_new  (<= 0)
        lw = logits                                  # keep l - m for the entropy sum
        w = np.exp(lw)
        ws = w.sum(axis=1, dtype=np.float64)
        sl = scale * (sl + shift * s) + np.einsum("ij,ij->i", w, lw, dtype=np.float64)
        s2 = scale**2 * s2 + np.einsum("ij,ij->i", w, w, dtype=np.float64)
        s = scale * s + ws
        if want_mean:
            mean *= scale[:, None].astype(dtype)
            mean += w @ a
        if want_classes:
            cmass *= scale[:, None]
            onehot = np.zeros((a.shape[0], K), dtype=dtype)
            onehot[np.arange(a.shape[0]), cls[start:start + step]] = 1.0
            cmass += w @ onehot
        m = new_m
    xsq = np.einsum("ij,ij->i", xb, xb, dtype=np.float64)
    stats = PosteriorStats(
        log_z=m + np.log(s) - xsq / (2.0 * delta), participation=s2 / s**2,
        entropy=np.log(s) - sl / s, argmax=arg,
        mean=None if mean is None else mean / s[:, None].astype(dtype),
        class_mass=None if cmass is None else cmass / s[:, None], refined=np.zeros(B, bool))
    # round-off bound of the matrix-product logits (probabilistic sqrt(d) growth, factor 4 margin)
    u = np.finfo(dtype).eps * np.sqrt(ds.d) * 4.0
    amax = float(np.sqrt(ds.sq_norms.max()))
    bound = u * (np.linalg.norm(xs, axis=1) * amax + float(bias.max()))
    need = bound > _REFINE_TOL[np.dtype(dtype)]
    if np.any(need):
        _refine(stats, xb, e, delta, ds, np.flatnonzero(need), m, bound, step, cls,
                want_mean, want_classes)
    return stats


def _refine(stats, xb, e, delta, ds, rows, m_approx, bound, step, cls, want_mean, want_classes):
    """Exact second pass for the rows in ``rows``: candidates re-evaluated from |x - a e^{-t}|^2."""
    dtype = ds.points.dtype
    xs = xb[rows] * dtype.type(e / delta)
    bias = (ds.sq_norms * (0.5 * e * e / delta))
    margin = -np.log(np.finfo(np.float64).eps) + np.log(ds.n) + 2.0 * bound[rows] + 1.0
    thresh = m_approx[rows] - margin
    cand_r, cand_mu = [], []
    for start, _, logits in _chunk_logits(xs, ds.points, bias, step):
        r, c = np.nonzero(logits >= thresh[:, None])
        cand_r.append(r)
        cand_mu.append(c + start)
    cr = np.concatenate(cand_r)
    cm = np.concatenate(cand_mu)
    # exact logits -|x - a e^{-t}|^2 / (2 Delta), block by block
    exact = np.empty(cr.size)
    for b0 in range(0, cr.size, _PAIR_BLOCK):
        sl_ = slice(b0, b0 + _PAIR_BLOCK)
        diff = xb[rows[cr[sl_]]].astype(np.float64) - e * ds.points[cm[sl_]].astype(np.float64)
        exact[sl_] = -np.einsum("ij,ij->i", diff, diff) / (2.0 * delta)
    order = np.argsort(cr, kind="stable")
    cr, cm, exact = cr[order], cm[order], exact[order]
    bounds = np.searchsorted(cr, np.arange(rows.size + 1))
    for i, row in enumerate(rows):
        lo, hi = bounds[i], bounds[i + 1]
        lg = exact[lo:hi]
        mu = cm[lo:hi]
        mx = lg.max()
        w = np.exp(lg - mx)
        s = w.sum()
        p = w / s
        stats.log_z[row] = mx + np.log(s)
        stats.participation[row] = np.dot(p, p)
        stats.entropy[row] = np.log(s) - np.dot(p, lg - mx)
        stats.argmax[row] = mu[np.argmax(lg)]
        if want_mean:
            # posterior mean as a^best + sum_mu p_mu (a^mu - a^best): exact as p -> one-hot
            best = ds.points[mu[np.argmax(lg)]].astype(np.float64)
            dev = ds.points[mu].astype(np.float64) - best
            stats.mean[row] = (best + p @ dev).astype(dtype)
        if want_classes:
            stats.class_mass[row] = np.bincount(cls[mu], weights=p,
                                                minlength=stats.class_mass.shape[1])
        stats.refined[row] = True


def nearest_points(x, data, t: float = 0.0, chunk: int | None = None) -> np.ndarray:
    """Index of the training point nearest to each x after shrinking the data by e^{-t}.

    :math:`\\arg\\min_\\mu |x - e^{-t} a^\\mu|^2
    = \\arg\\max_\\mu(x\\cdot a^\\mu - \\tfrac12 e^{-t}|a^\\mu|^2)`,
    streamed over data chunks (also the argmax of the posterior weights at time t).

    References
    ----------
    Biroli et al. (2024), SI App. D: the last-changing index uses
    :math:`\\arg\\min_\\mu|x(t) - e^{-t}a^\\mu|`.
    """
    ds = as_dataset(data)
    xb = _check_points(x, ds.d, ds.points.dtype)
    e = float(np.exp(-check_scalar(t, "t", lower=0.0)))
    step = chunk or _chunk_size(xb.shape[0], ds.n, ds.points.dtype.itemsize)
    best = np.full(xb.shape[0], -np.inf)
    arg = np.zeros(xb.shape[0], dtype=np.int64)
    half = (0.5 * e) * ds.sq_norms
    rows = np.arange(xb.shape[0])
    for start, _, sc in _chunk_logits(xb, ds.points, half, step):
        j = np.argmax(sc, axis=1)
        v = sc[rows, j]
        better = v > best
        best[better] = v[better]
        arg[better] = start + j[better]
    return arg
