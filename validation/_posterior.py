"""The one empirical-score kernel: streaming softmax over training points, one candidate filter and
one exact recomputation.

For a batch of points x (B, d) at OU time t and data a (n, d) the posterior over training indices is

.. math:: w_\\mu(x,t) = \\operatorname{softmax}_\\mu\\Big(-\\frac{|x - a^\\mu e^{-t}|^2}{2\\Delta_t}\\Big)
          = \\operatorname{softmax}_\\mu\\Big(\\frac{e^{-t} x\\cdot a^\\mu
          - \\tfrac12 e^{-2t}|a^\\mu|^2}{\\Delta_t}\\Big),

the :math:`|x|^2` term cancelling in the softmax.  Everything the package measures from these
weights goes through three functions of this module:

1. :func:`_stream` visits the data in chunks; for each chunk the logits come from one matrix product
   (B x chunk, never B x n x d), and a running log-sum-exp keeps, for every point of the batch, only
   the accumulators that were asked for: ``m`` (running maximum), ``s`` = sum e^{l - m},
   ``s2`` = sum e^{2(l - m)} (participation ratio s2 / s^2), ``sl`` = sum e^{l - m}(l - m)
   (entropy log s - sl / s), the weighted sums of a (posterior mean, score) and of the class
   indicators (class masses), and the index of the heaviest point.  Weights below the smallest
   normal number of the dtype are flushed to zero (float32: logits more than 87.3 below the row
   maximum; their total relative mass is below n * 1.2e-38).
2. :func:`_candidates` is the candidate filter: a second streamed pass keeps the pairs (row, mu)
   whose matrix-product logit lies within ``TAIL + log n + 2 delta`` of the row maximum, ``delta``
   the round-off bound of those logits.
3. :func:`_exact_posterior` recomputes the candidates' logits from the exact differences
   :math:`-|x - a^\\mu e^{-t}|^2 / 2\\Delta_t` in float64 and normalises them.

Error bound of the one cut-off ``TAIL = 50``: every training point outside the candidate set has a
true logit below ``max - TAIL - log n``, so the points left out carry together a relative weight
below :math:`n e^{-50 - \\log n} = e^{-50} \\approx 2\\times 10^{-22}`, and they change the
posterior mean by less than :math:`e^{-50}\\max_\\mu|a^\\mu - \\bar a|` and the posterior covariance
by less than :math:`e^{-50}\\max_\\mu|a^\\mu - \\bar a|^2` (five orders of magnitude below float64
round-off relative to the retained terms).  The same candidate set serves the posterior statistics
(score, entropy, class masses), the posterior moments (the Jacobian covariance), the dense weights
and the nearest points.

When the exact pass runs.  The matrix-product logits carry an absolute error of order
:math:`\\delta = 4u\\sqrt d\\,(e^{-t}|x|\\max|a| + e^{-2t}\\max|a|^2/2)/\\Delta_t` (u the unit
round-off of the matrix product: 2.2e-16 in float64, 1.2e-7 in float32, 9.8e-4 for TF32), which
grows as :math:`\\Delta_t \\to 0`.  Rows whose bound exceeds 1e-9 (float64; 0.5 in float32) go
through the filter and the exact recomputation, so their weights carry about 1e-12 relative error
for any :math:`\\Delta_t`.  With TF32 matrix products (an opt-in on CUDA devices), rows whose
candidate set holds more than ``max(64, n / 64)`` points (weights spread over many points) keep the
TF32 accumulators, whose relative error is of order delta; condensed rows are exact as above.
The posterior moments always use the exact pass (the covariance is accumulated centred).

Arrays: numpy, torch or CuPy (see :mod:`validation.backend`); the computation stays on the data's
device and returns arrays of that library.

References
----------
Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
empirical score); docs/theory/dynamical-regimes.md; online softmax: M. Milakov, N. Gimelshein,
"Online normalizer calculation for softmax", arXiv:1805.02867 (2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.checks import check_array, check_scalar
from theory.timemap import delta as _delta

from .backend import Backend, _library, get_backend, to_numpy

TAIL = 50.0
"""The one cut-off of the candidate filter: candidates lie within ``TAIL + log n`` (plus twice the
logit round-off bound) of the row maximum; the points left out weigh together < e^{-TAIL}."""

_REFINE_TOL = {"float64": 1e-9, "float32": 0.5}   # logit error bound that triggers the exact pass
# (float32 users asked for speed: refine only when the logits are off by O(1), i.e. deep in the
# collapse regime)
_UNIT = {"float64": float(np.finfo(np.float64).eps), "float32": float(np.finfo(np.float32).eps),
         "tf32": 2.0**-10}
_PAIR_BLOCK = 1 << 15          # (point, candidate) pairs per exact-distance block
_ROW_BLOCK = 1 << 14           # candidates per block of one row's covariance


def _dtype_name(x) -> str:
    return "float32" if str(x.dtype).endswith("float32") else "float64"


@dataclass
class Dataset:
    """Training points (n, d) with optional integer class labels, and cached squared norms.

    ``points`` may be a numpy array, a torch tensor or a CuPy array (float32 or float64); the
    kernel then runs on its device.  ``labels`` are kept as a numpy array.

    Parameters
    ----------
    points : array_like, shape (n, d)
        Training points (numpy array, torch tensor or CuPy array).
    labels : ndarray of int, shape (n,), optional
        Class labels.
    """

    points: Any
    labels: np.ndarray | None = None
    _sq: Any = None

    def __post_init__(self) -> None:
        pts = self.points
        if _library(pts) == "numpy":
            pts = np.asarray(pts)
            if pts.ndim != 2:
                raise ValueError("data must be a 2-dimensional array of shape (n, d) "
                                 f"(got shape {pts.shape})")
            if pts.shape[0] < 1 or pts.shape[1] < 1:
                raise ValueError(f"data must have n >= 1 points and d >= 1 columns (got shape {pts.shape})")
            if pts.dtype not in (np.float32, np.float64):
                pts = check_array(pts, "data")        # strings, booleans, complex: TypeError
            self.points = check_array(pts, "data", dtype=pts.dtype)
        else:
            be = get_backend(pts)
            if pts.ndim != 2:
                raise ValueError(f"data must be a 2-dimensional array of shape (n, d) (got shape "
                                 f"{tuple(pts.shape)})")
            if pts.shape[0] < 1 or pts.shape[1] < 1:
                raise ValueError(f"data must have n >= 1 points and d >= 1 columns (got shape "
                                 f"{tuple(pts.shape)})")
            if _dtype_name(pts) != "float32" and pts.dtype != be.xp.float64:
                pts = be.xp.astype(pts, be.xp.float64)
            if not bool(be.xp.all(be.xp.isfinite(pts))):
                raise ValueError("data must be finite (got non-finite values)")
            self.points = pts
        if self.labels is not None:
            lab = to_numpy(self.labels)
            if lab.shape != (self.points.shape[0],):
                raise ValueError(f"labels must have shape ({self.points.shape[0]},) (got {lab.shape})")
            if not np.issubdtype(lab.dtype, np.integer):
                if not np.all(np.isfinite(lab.astype(float))) or np.any(lab != np.round(lab)):
                    raise ValueError("labels must be integers")
                lab = lab.astype(np.int64)
            self.labels = lab
        self._cls = None

    @property
    def n(self) -> int:
        return int(self.points.shape[0])

    @property
    def d(self) -> int:
        return int(self.points.shape[1])

    @property
    def backend(self) -> Backend:
        return get_backend(self.points)

    @property
    def sq_norms(self):
        """Squared norms ``|a^mu|^2`` (n,), on the data's device."""
        if self._sq is None:
            self._sq = _row_sq(self.backend, self.points)
        return self._sq

    def class_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Classes present and, per point, the index of its class (0..K-1)."""
        if self.labels is None:
            raise ValueError("labels are required for class-resolved quantities (got None)")
        return np.unique(self.labels, return_inverse=True)

    def _class_codes(self):
        """(K, class index of every point on the data's device)."""
        if self._cls is None:
            classes, cls = self.class_index()
            self._cls = (classes.size, self.backend.asarray(cls.astype(np.int64)))
        return self._cls


def as_dataset(data, labels=None) -> Dataset:
    """Accept a :class:`Dataset` or an (n, d) array (with optional labels)."""
    if isinstance(data, Dataset):
        if labels is not None:
            return Dataset(data.points, labels)
        return data
    return Dataset(data if _library(data) != "numpy" else np.asarray(data), labels)


@dataclass
class PosteriorStats:
    """Per-point summaries of the posterior w(x, t) over training indices (arrays of length B).

    Arrays live on the data's device (numpy, torch or CuPy); a field is ``None`` when it was not
    asked for.

    Attributes
    ----------
    log_z : array (B,)
        :math:`\\log\\sum_\\mu \\exp(-|x - a^\\mu e^{-t}|^2/2\\Delta_t)`.
    participation : array (B,)
        :math:`\\sum_\\mu w_\\mu^2`.
    entropy : array (B,)
        :math:`-\\sum_\\mu w_\\mu\\log w_\\mu`.
    argmax : array of int (B,)
        Index of the heaviest training point.
    mean : array (B, d)
        :math:`\\sum_\\mu w_\\mu a^\\mu`.
    class_mass : array (B, K)
        :math:`\\sum_{\\mu\\in c} w_\\mu`.
    refined : array of bool (B,)
        The row went through the exact second pass.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
    exact empirical score); docs/theory/dynamical-regimes.md sec. 1.
    """

    log_z: Any                 # log sum_mu exp(-|x - a^mu e^{-t}|^2 / (2 Delta_t))
    participation: Any         # sum_mu w_mu^2
    entropy: Any               # -sum_mu w_mu log w_mu
    argmax: Any                # index of the heaviest training point
    mean: Any                  # sum_mu w_mu a^mu, shape (B, d)
    class_mass: Any            # (B, K): sum_{mu in c} w_mu
    refined: Any               # boolean: the row went through the exact second pass


def _row_sq(be: Backend, x):
    """Row squared norms in the array's dtype (numpy: one einsum, no temporary)."""
    if be.name == "numpy":
        return np.einsum("ij,ij->i", x, x)
    if be.name == "torch":
        return be._torch.einsum("ij,ij->i", x, x)
    import cupy

    return cupy.einsum("ij,ij->i", x, x)


def _rowdot64(be: Backend, a, b):
    """sum_j a_ij b_ij accumulated in float64."""
    if be.name == "numpy":
        return np.einsum("ij,ij->i", a, b, dtype=np.float64)
    return be.xp.sum(a * b, axis=1, dtype=be.xp.float64)


def _check_points(x, d: int, dtype, be: Backend | None = None):
    """Validate a batch of points (B, d) and bring it to the data's library, device and dtype."""
    if be is None or be.name == "numpy":
        arr = np.asarray(to_numpy(x)) if _library(x) != "numpy" else np.asarray(x)
        if arr.ndim != 2 or arr.shape[1] != d:
            raise ValueError(f"x must have shape (B, {d}) to match the data (got shape {arr.shape})")
        return check_array(arr, "x", dtype=dtype)
    arr = be.asarray(x, dtype=dtype)
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"x must have shape (B, {d}) to match the data (got shape {tuple(arr.shape)})")
    if not bool(be.xp.all(be.xp.isfinite(arr))):
        raise ValueError("x must be finite (got non-finite values)")
    return arr


def _time_factors(t) -> tuple[float, float, float]:
    """(t, e^{-t}, Delta_t) for an OU time t > 0."""
    t = check_scalar(t, "t", lower=0.0, lower_open=True)
    return t, math.exp(-t), float(_delta(t))


def _chunk_size(batch: int, n: int, itemsize: int, be: Backend | None = None) -> int:
    nbytes = be.chunk_bytes() if be is not None else 32 * 2**20
    return int(max(1, min(n, nbytes // max(1, batch * itemsize))))


def _chunk_logits(xs, points, bias, step: int):
    """Yield ``(start, a_chunk, xs @ a_chunk.T - bias_chunk)`` over the data, one B x chunk block
    at a time: the single place where the matrix-product logits are formed.  With numpy the block
    is written into one reused buffer (valid until the next iteration)."""
    buf = None
    if isinstance(xs, np.ndarray) and isinstance(points, np.ndarray):
        buf = np.empty(xs.shape[0] * min(step, points.shape[0]),
                       dtype=np.result_type(xs.dtype, points.dtype))
    for start in range(0, points.shape[0], step):
        a = points[start:start + step]
        if buf is not None:
            logits = np.matmul(xs, a.T, out=buf[:xs.shape[0] * a.shape[0]].reshape(xs.shape[0], a.shape[0]))
        else:
            logits = xs @ a.T
        logits -= bias[start:start + step]
        yield start, a, logits


@dataclass
class _Prepared:
    """Scaled points and data terms of one kernel call."""

    be: Backend
    ds: Dataset
    xb: Any            # the points (B, d), data dtype, device
    xs: Any            # xb * e / Delta
    bias: Any          # e^2 |a|^2 / (2 Delta), data dtype
    e: float
    delta: float
    step: int
    tf32: bool


def _prepare(x, t, ds: Dataset, chunk, tf32: bool = False, *, scale_time: bool = True) -> _Prepared:
    be = ds.backend
    dtype = ds.points.dtype
    xb = _check_points(x, ds.d, dtype, be)
    if scale_time:
        _, e, delta = _time_factors(t)
    else:                      # nearest points at t >= 0: the argmax needs no 1/Delta scale
        e, delta = math.exp(-check_scalar(t, "t", lower=0.0)), 1.0
    step = _chunk_size(xb.shape[0], ds.n, be.itemsize(dtype), be) if chunk is None else \
        int(check_scalar(chunk, "chunk", lower=1, integer=True))
    xs = xb * (e / delta)
    bias = ds.sq_norms * (0.5 * e * e / delta)
    return _Prepared(be, ds, xb, xs, bias, e, delta, step, bool(tf32 and be.is_gpu))


def _stream(p: _Prepared, xs=None, *, mean: bool = False, entropy: bool = False,
            classes: bool = False, argmax: bool = False, sums: bool = True) -> dict:
    """One streamed pass over the data: running log-sum-exp and the requested accumulators
    (``sums=False``: the running maximum alone, for the candidate filter)."""
    be, ds = p.be, p.ds
    xp = be.xp
    xs = p.xs if xs is None else xs
    B = xs.shape[0]
    dev = {} if be.name == "numpy" else {"device": be.device}
    f64 = xp.float64
    dtype = ds.points.dtype
    m = xp.full((B,), -math.inf, dtype=f64, **dev)
    s = xp.zeros((B,), dtype=f64, **dev)
    out: dict[str, Any] = {}
    if entropy:
        s2 = xp.zeros((B,), dtype=f64, **dev)
        sl = xp.zeros((B,), dtype=f64, **dev)
    if argmax:
        arg = xp.zeros((B,), dtype=xp.int64, **dev)
    if mean:
        acc = xp.zeros((B, ds.d), dtype=dtype, **dev)
    if classes:
        K, cls = ds._class_codes()
        kk = xp.arange(K, **dev)
        cmass = xp.zeros((B, K), dtype=f64, **dev)
    wbuf = None
    with be.tf32(p.tf32):
        for start, a, logits in _chunk_logits(xs, ds.points, p.bias, p.step):
            if argmax:
                cmax, cidx = be.max_argmax(logits)
            else:
                cmax = xp.max(logits, axis=1)
            cmax = xp.astype(cmax, f64)
            new_m = xp.maximum(m, cmax)
            if argmax:
                arg = xp.where(cmax > m, xp.astype(cidx, xp.int64) + start, arg)
            if not sums:
                m = new_m
                continue
            scale = xp.exp(m - new_m)                 # 0 on the first chunk (m = -inf)
            logits -= xp.astype(new_m, dtype)[:, None]  # l - m_new (<= 0)
            if entropy:
                lw = logits
                if be.name == "numpy":
                    if wbuf is None or wbuf.size < lw.size:
                        wbuf = np.empty(lw.size, dtype=lw.dtype)
                    w = np.exp(lw, out=wbuf[:lw.size].reshape(lw.shape))
                else:
                    w = xp.exp(lw)
                be.flush_subnormal_(w)
                shift = xp.where(xp.isfinite(m), m - new_m, 0.0)
                sl = scale * (sl + shift * s) + _rowdot64(be, w, lw)
                s2 = scale * scale * s2 + _rowdot64(be, w, w)
            else:
                w = be.flush_subnormal_(be.exp_(logits))
            s = scale * s + xp.sum(w, axis=1, dtype=f64)
            if mean:
                acc *= xp.astype(scale, dtype)[:, None]
                acc += w @ a
            if classes:
                onehot = xp.astype(cls[start:start + a.shape[0], None] == kk[None, :], dtype)
                cmass = cmass * scale[:, None] + xp.astype(w @ onehot, f64)
            m = new_m
    out["m"], out["s"] = m, s
    if entropy:
        out["s2"], out["sl"] = s2, sl
    if argmax:
        out["argmax"] = arg
    if mean:
        out["mean"] = acc
    if classes:
        out["classes"] = cmass
    return out


def _round_off_bound(p: _Prepared, xs=None):
    """Per-row bound of the absolute error of the matrix-product logits."""
    be, ds = p.be, p.ds
    xp = be.xp
    xs = p.xs if xs is None else xs
    u = _UNIT["tf32" if p.tf32 and _dtype_name(ds.points) == "float32" else _dtype_name(ds.points)]
    u *= 4.0 * math.sqrt(ds.d)
    amax = math.sqrt(be.scalar(xp.max(ds.sq_norms)))
    bmax = be.scalar(xp.max(p.bias))
    xn = xp.sqrt(xp.astype(_row_sq(be, xs), xp.float64))
    return u * (xn * amax + bmax)


def _candidates(p: _Prepared, rows, thresh):
    """The candidate filter: pairs (k, mu), k indexing ``rows``, whose matrix-product logit is
    >= ``thresh[k]``; sorted by k."""
    be, xp = p.be, p.be.xp
    xs = xp.take(p.xs, rows, axis=0)
    th = xp.astype(thresh, p.ds.points.dtype)[:, None]
    segs, mus = [], []
    with be.tf32(p.tf32):
        for start, _, logits in _chunk_logits(xs, p.ds.points, p.bias, p.step):
            r, c = xp.nonzero(logits >= th)
            segs.append(r)
            mus.append(xp.astype(c, xp.int64) + start)
    seg = xp.astype(xp.concat(segs), xp.int64)
    mu = xp.concat(mus)
    order = xp.argsort(seg, stable=True)
    return xp.take(seg, order, axis=0), xp.take(mu, order, axis=0)


def _exact_logits(p: _Prepared, rows, seg, mu):
    """-|x_row - e^{-t} a^mu|^2 / (2 Delta) for the pairs (rows[seg], mu), in float64."""
    be, xp = p.be, p.be.xp
    f64 = xp.float64
    x64 = xp.astype(xp.take(p.xb, rows, axis=0), f64)
    n_pairs = int(seg.shape[0])
    dev = {} if be.name == "numpy" else {"device": be.device}
    out = xp.empty((n_pairs,), dtype=f64, **dev) if hasattr(xp, "empty") else \
        xp.zeros((n_pairs,), dtype=f64, **dev)
    for b0 in range(0, n_pairs, _PAIR_BLOCK):
        sg, mm = seg[b0:b0 + _PAIR_BLOCK], mu[b0:b0 + _PAIR_BLOCK]
        diff = xp.take(x64, sg, axis=0) - p.e * xp.astype(xp.take(p.ds.points, mm, axis=0), f64)
        out[b0:b0 + _PAIR_BLOCK] = _rowdot64(be, diff, diff) * (-0.5 / p.delta)
    return out


@dataclass
class _Exact:
    """Exact posterior restricted to the candidates of the rows ``rows``."""

    rows: Any          # (R,) batch rows
    seg: Any           # (P,) position in rows of each pair, sorted
    mu: Any            # (P,) training index of each pair
    logit: Any         # (P,) exact logits
    mx: Any            # (R,) largest exact logit per row
    s: Any             # (R,) sum of e^{logit - mx}
    w: Any             # (P,) normalised weights
    best: Any          # (R,) training index of the heaviest candidate
    count: Any         # (R,) candidates per row (numpy)


def _threshold(p: _Prepared, rows, m_approx, bound, n_total: int | None = None):
    """The one cut-off: candidates have a matrix-product logit >= this, per row of ``rows``."""
    xp = p.be.xp
    margin = TAIL + math.log(n_total or p.ds.n) + 1.0
    return xp.take(m_approx, rows, axis=0) - (margin + 2.0 * xp.take(bound, rows, axis=0))


def _candidate_counts(p: _Prepared, rows, thresh) -> np.ndarray:
    """Number of candidates of each row of ``rows`` (one streamed pass, nothing stored)."""
    be, xp = p.be, p.be.xp
    xs = xp.take(p.xs, rows, axis=0)
    th = xp.astype(thresh, p.ds.points.dtype)[:, None]
    count = None
    with be.tf32(p.tf32):
        for _, _, logits in _chunk_logits(xs, p.ds.points, p.bias, p.step):
            c = xp.sum(xp.astype(logits >= th, xp.int64), axis=1)
            count = c if count is None else count + c
    return to_numpy(count)


def _exact_posterior(p: _Prepared, rows, m_approx, bound, n_total: int | None = None) -> _Exact:
    """Candidate filter (the one cut-off) and exact recomputation for the batch rows ``rows``
    (``n_total``: size of the whole dataset when ``p.ds`` is one shard of it)."""
    be, xp = p.be, p.be.xp
    R = int(rows.shape[0])
    thresh = _threshold(p, rows, m_approx, bound, n_total)
    seg, mu = _candidates(p, rows, thresh)
    logit = _exact_logits(p, rows, seg, mu)
    mx = be.segment_max(logit, seg, R)
    w = xp.exp(logit - xp.take(mx, seg, axis=0))
    s = be.segment_sum(w, seg, R)
    w = w / xp.take(s, seg, axis=0)
    is_best = logit >= xp.take(mx, seg, axis=0)
    idx = xp.nonzero(is_best)[0]
    sb = xp.take(seg, idx, axis=0)
    first = xp.concat([xp.asarray([True], **({} if be.name == "numpy" else {"device": be.device})),
                       sb[1:] != sb[:-1]])
    best = xp.take(mu, xp.take(idx, xp.nonzero(first)[0], axis=0), axis=0)
    count = np.bincount(to_numpy(seg), minlength=R)
    return _Exact(rows, seg, mu, logit, mx, s, w, best, count)


def _exact_mean(p: _Prepared, ex: _Exact):
    """Posterior mean a^best + sum_mu w_mu (a^mu - a^best) per row (exact as w -> one-hot)."""
    be, xp = p.be, p.be.xp
    f64 = xp.float64
    R = int(ex.rows.shape[0])
    best = xp.astype(xp.take(p.ds.points, ex.best, axis=0), f64)
    shift = xp.zeros((R, p.ds.d), dtype=f64, **({} if be.name == "numpy" else {"device": be.device}))
    n_pairs = int(ex.seg.shape[0])
    seg_h = to_numpy(ex.seg)
    for b0 in range(0, n_pairs, _PAIR_BLOCK):
        sl = slice(b0, b0 + _PAIR_BLOCK)
        sg = ex.seg[sl]
        lo, hi = int(seg_h[sl][0]), int(seg_h[sl][-1]) + 1
        dev = xp.astype(xp.take(p.ds.points, ex.mu[sl], axis=0), f64) - xp.take(best, sg, axis=0)
        shift[lo:hi] += be.segment_sum(ex.w[sl][:, None] * dev, sg - lo, hi - lo)
    return best + shift


def posterior_stats(x, t: float, data, *, want_mean: bool = True, want_classes: bool = False,
                    want_entropy: bool = True, want_argmax: bool = True, chunk: int | None = None,
                    tf32: bool = False) -> PosteriorStats:
    """Stream over the data once (twice in the collapse regime) and return :class:`PosteriorStats`.

    Parameters
    ----------
    x : array_like, shape (B, d)
        Points at which the posterior is evaluated (numpy, torch or CuPy; moved to the data's
        device and dtype).
    t : float
        OU time, ``t > 0``.
    data : Dataset or array_like (n, d)
        Training points (labels needed for ``want_classes``).
    want_mean : bool
        Accumulate the posterior mean of a (one extra matrix product per chunk).
    want_classes : bool
        Accumulate the per-class posterior masses.
    want_entropy : bool
        Accumulate the participation ratio and the entropy (two row reductions per chunk).
    want_argmax : bool
        Track the heaviest training point.
    chunk : int, optional
        Data points per chunk (default: a 32 MiB block of B x chunk logits; 512 MiB on GPUs).
    tf32 : bool
        On CUDA devices with float32 data, let the logits' matrix products use TensorFloat-32; the
        rows whose weights condense are then recomputed exactly (see the module notes).

    Returns
    -------
    PosteriorStats

    Notes
    -----
    .. math:: \\log Z = \\log\\sum_\\mu e^{-|x - a^\\mu e^{-t}|^2/2\\Delta_t},\\quad
              \\mathrm{PR} = \\sum_\\mu w_\\mu^2,\\quad H = -\\sum_\\mu w_\\mu\\log w_\\mu.

    Accuracy: see the module notes (one cut-off ``TAIL``, exact recomputation where the logits'
    round-off bound exceeds 1e-9 in float64).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 and SI App. D;
    docs/theory/dynamical-regimes.md.
    """
    ds = as_dataset(data)
    p = _prepare(x, t, ds, chunk, tf32)
    be, xp = p.be, p.be.xp
    acc = _stream(p, mean=want_mean, entropy=want_entropy, classes=want_classes, argmax=want_argmax)
    m, s = acc["m"], acc["s"]
    xsq = xp.astype(_row_sq(be, p.xb), xp.float64)
    log_s = xp.log(s)
    stats = PosteriorStats(
        log_z=m + log_s - xsq / (2.0 * p.delta),
        participation=acc["s2"] / (s * s) if want_entropy else None,
        entropy=log_s - acc["sl"] / s if want_entropy else None,
        argmax=acc.get("argmax"),
        mean=acc["mean"] / xp.astype(s, ds.points.dtype)[:, None] if want_mean else None,
        class_mass=acc["classes"] / s[:, None] if want_classes else None,
        refined=None)
    bound = _round_off_bound(p)
    need = bound > _REFINE_TOL[_dtype_name(ds.points)]
    rows = xp.nonzero(need)[0]
    refined = np.zeros(int(p.xb.shape[0]), dtype=bool)
    if p.tf32 and int(rows.shape[0]):
        # TF32: refine only the rows whose weights condense on few candidates
        count = _candidate_counts(p, rows, _threshold(p, rows, m, bound))
        keep = np.flatnonzero(count <= max(64, ds.n // 64))
        rows = xp.take(rows, be.asarray(keep), axis=0)
    if int(rows.shape[0]):
        ex = _exact_posterior(p, rows, m, bound)
        _fill_refined(p, ex, stats, want_mean, want_entropy, want_classes, want_argmax)
        refined[to_numpy(ex.rows)] = True
    stats.refined = refined if be.name == "numpy" else be.asarray(refined)
    return stats


def _fill_refined(p: _Prepared, ex: _Exact, stats: PosteriorStats, want_mean, want_entropy,
                  want_classes, want_argmax) -> None:
    """Overwrite the rows ``ex.rows`` of ``stats`` with their exact values."""
    be, xp = p.be, p.be.xp
    R = int(ex.rows.shape[0])
    rows = ex.rows
    log_s = xp.log(ex.s)
    stats.log_z[rows] = ex.mx + log_s
    if want_entropy:
        stats.participation[rows] = be.segment_sum(ex.w * ex.w, ex.seg, R)
        stats.entropy[rows] = log_s - be.segment_sum(ex.w * (ex.logit - xp.take(ex.mx, ex.seg, axis=0)),
                                                     ex.seg, R)
    if want_argmax:
        stats.argmax[rows] = ex.best
    if want_mean:
        stats.mean[rows] = xp.astype(_exact_mean(p, ex), p.ds.points.dtype)
    if want_classes:
        K, cls = p.ds._class_codes()
        code = ex.seg * K + xp.take(cls, ex.mu, axis=0)
        stats.class_mass[rows] = xp.reshape(be.segment_sum(ex.w, code, R * K), (R, K))


def posterior_moments_kernel(x, t: float, data, *, chunk: int | None = None):
    """Posterior mean (B, d) and centred covariance (B, d, d) through the candidate filter and
    the exact recomputation (all rows); see :func:`validation.jacobian.posterior_moments`."""
    ds = as_dataset(data)
    p = _prepare(x, t, ds, chunk)
    be, xp = p.be, p.be.xp
    f64 = xp.float64
    m = _stream(p, sums=False)["m"]
    bound = _round_off_bound(p)
    B = int(p.xb.shape[0])
    rows = xp.arange(B, **({} if be.name == "numpy" else {"device": be.device}))
    ex = _exact_posterior(p, rows, m, bound)
    mean = _exact_mean(p, ex)
    dev_kw = {} if be.name == "numpy" else {"device": be.device}
    cov = xp.zeros((B, ds.d, ds.d), dtype=f64, **dev_kw)
    starts = np.concatenate([[0], np.cumsum(ex.count)])
    for b in range(B):
        lo, hi = int(starts[b]), int(starts[b + 1])
        c = xp.zeros((ds.d, ds.d), dtype=f64, **dev_kw)
        for k in range(lo, hi, _ROW_BLOCK):
            kh = min(hi, k + _ROW_BLOCK)
            dev = xp.astype(xp.take(ds.points, ex.mu[k:kh], axis=0), f64) - mean[b][None, :]
            c += (dev * ex.w[k:kh][:, None]).T @ dev
        cov[b] = 0.5 * (c + c.T)
    return xp.astype(mean, ds.points.dtype), xp.astype(cov, ds.points.dtype)


def dense_weights(x, t: float, data, *, chunk: int | None = None):
    """Posterior weights (B, n) in float64: the matrix-product logits normalised by the exact
    log partition, and the exact recomputation (over every training point) for refined rows."""
    ds = as_dataset(data)
    p = _prepare(x, t, ds, chunk)
    be, xp = p.be, p.be.xp
    f64 = xp.float64
    stats = posterior_stats(p.xb, t, ds, want_mean=False, want_entropy=False, want_argmax=False,
                            chunk=chunk)
    refined = to_numpy(stats.refined)
    B, n = int(p.xb.shape[0]), ds.n
    dev_kw = {} if be.name == "numpy" else {"device": be.device}
    out = xp.zeros((B, n), dtype=f64, **dev_kw)
    xsq = xp.astype(_row_sq(be, p.xb), f64)
    norm = stats.log_z + xsq / (2.0 * p.delta)
    plain = np.flatnonzero(~refined)
    pts64 = xp.astype(ds.points, f64)
    bias64 = xp.astype(ds.sq_norms, f64) * (0.5 * p.e * p.e / p.delta)
    if plain.size:
        pr = be.asarray(plain)
        xs = xp.astype(xp.take(p.xb, pr, axis=0), f64) * (p.e / p.delta)
        nr = xp.take(norm, pr, axis=0)[:, None]
        block = xp.zeros((plain.size, n), dtype=f64, **dev_kw)
        for start, _, lg in _chunk_logits(xs, pts64, bias64, p.step):
            block[:, start:start + lg.shape[1]] = xp.exp(lg - nr)
        out[pr] = block
    ref = np.flatnonzero(refined)
    if ref.size:
        rr = be.asarray(ref)
        mu_all = xp.arange(n, dtype=xp.int64, **dev_kw)
        for k, row in enumerate(ref):
            seg = xp.zeros((n,), dtype=xp.int64, **dev_kw)
            lg = _exact_logits(p, rr[k:k + 1], seg, mu_all)
            out[int(row)] = xp.exp(lg - stats.log_z[int(row)])
    return out


def nearest_points(x, data, t: float = 0.0, chunk: int | None = None):
    """Index of the training point nearest to each x after shrinking the data by e^{-t}.

    Parameters
    ----------
    x : array_like, shape (B, d)
    data : Dataset or array_like (n, d)
    t : float
        OU time, ``t >= 0``.
    chunk : int, optional

    Returns
    -------
    array of int, shape (B,)

    Notes
    -----
    :math:`\\arg\\min_\\mu |x - e^{-t} a^\\mu|^2
    = \\arg\\max_\\mu(x\\cdot a^\\mu - \\tfrac12 e^{-t}|a^\\mu|^2)`, the argmax of the posterior
    weights at time t; streamed over data chunks by the one kernel, with the rows whose round-off
    bound exceeds the tolerance decided by the exact distances of their candidates.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. D: the last-changing
    index uses :math:`\\arg\\min_\\mu|x(t) - e^{-t}a^\\mu|`.
    docs/theory/dynamical-regimes.md sec. 3.4.
    """
    ds = as_dataset(data)
    p = _prepare(x, t, ds, chunk, scale_time=False)
    xp = p.be.xp
    acc = _stream(p, argmax=True)
    arg = acc["argmax"]
    bound = _round_off_bound(p)
    rows = xp.nonzero(bound > _REFINE_TOL[_dtype_name(ds.points)])[0]
    if int(rows.shape[0]):
        ex = _exact_posterior(p, rows, acc["m"], bound)
        arg[rows] = ex.best
    return arg


@dataclass
class PosteriorPartial:
    """Log-sum-exp partial sums of the posterior over one shard of the data (numpy, float64).

    Relative to the shard's largest full logit ``m`` (B,), with u_mu = exp(l_mu - m) and
    :math:`l_\\mu = -|x - a^\\mu e^{-t}|^2/2\\Delta_t`: ``s`` = sum u, ``s2`` = sum u^2,
    ``sl`` = sum u (l - m), ``wsum`` = sum u a (B, d), ``classes`` = per-class sums of u (B, K),
    ``argmax`` the global index of the shard's heaviest point.  :func:`merge_partials` combines
    shards exactly.
    """

    m: np.ndarray
    s: np.ndarray
    s2: np.ndarray | None
    sl: np.ndarray | None
    wsum: np.ndarray | None
    classes: np.ndarray | None
    argmax: np.ndarray


def posterior_partial(x, t: float, data, *, n_total: int | None = None, offset: int = 0,
                      want_mean: bool = True, want_entropy: bool = True, classes=None,
                      chunk: int | None = None) -> PosteriorPartial:
    """Partial log-sum-exp sums of one shard (see :class:`PosteriorPartial`).

    Parameters
    ----------
    x : array_like (B, d)
    t : float
    data : Dataset or array (n_shard, d)
        The shard.
    n_total : int, optional
        Size of the whole dataset (sets the candidate filter's cut-off, ``TAIL + log n_total``).
    offset : int
        Global index of the shard's first point.
    want_mean, want_entropy : bool
    classes : array_like of int, optional
        The class labels of the whole dataset, in a fixed order (class masses are summed per
        entry of ``classes``).
    chunk : int, optional
    """
    ds = as_dataset(data)
    if classes is not None:
        cl = np.asarray(classes)
        if ds.labels is None:
            raise ValueError("labels are required for class-resolved quantities (got None)")
        ds = Dataset(ds.points, ds.labels, ds._sq)
        ds._cls = (cl.size, ds.backend.asarray(np.searchsorted(cl, ds.labels).astype(np.int64)))
    p = _prepare(x, t, ds, chunk)
    be, xp = p.be, p.be.xp
    acc = _stream(p, mean=want_mean, entropy=want_entropy, classes=classes is not None, argmax=True)
    shift = xp.astype(_row_sq(be, p.xb), xp.float64) / (2.0 * p.delta)
    out = {"m": acc["m"] - shift, "s": acc["s"], "s2": acc.get("s2"), "sl": acc.get("sl"),
           "wsum": xp.astype(acc["mean"], xp.float64) if want_mean else None,
           "classes": acc.get("classes"), "argmax": acc["argmax"]}
    out = {k: None if v is None else to_numpy(v).copy() for k, v in out.items()}
    bound = _round_off_bound(p)
    rows = xp.nonzero(bound > _REFINE_TOL[_dtype_name(ds.points)])[0]
    if int(rows.shape[0]):
        ex = _exact_posterior(p, rows, acc["m"], bound, n_total=n_total)
        R = int(rows.shape[0])
        r = to_numpy(rows)
        sv = to_numpy(ex.s)
        out["m"][r] = to_numpy(ex.mx)
        out["s"][r] = sv
        if want_entropy:
            out["s2"][r] = to_numpy(be.segment_sum(ex.w * ex.w, ex.seg, R)) * sv * sv
            out["sl"][r] = to_numpy(be.segment_sum(ex.w * (ex.logit - xp.take(ex.mx, ex.seg, axis=0)),
                                                   ex.seg, R)) * sv
        if want_mean:
            out["wsum"][r] = to_numpy(_exact_mean(p, ex)) * sv[:, None]
        if classes is not None:
            K = int(np.asarray(classes).size)
            code = ex.seg * K + xp.take(ds._cls[1], ex.mu, axis=0)
            out["classes"][r] = to_numpy(xp.reshape(be.segment_sum(ex.w, code, R * K), (R, K))) * sv[:, None]
        out["argmax"][r] = to_numpy(ex.best)
    out["argmax"] = out["argmax"] + offset
    return PosteriorPartial(**out)


def merge_partials(parts) -> PosteriorStats:
    """Combine the partial sums of disjoint shards exactly into :class:`PosteriorStats` (numpy).

    Notes
    -----
    With M = max_i m_i and c_i = exp(m_i - M): :math:`S = \\sum_i c_i s_i`,
    :math:`\\log Z = M + \\log S`, :math:`\\mathrm{PR} = \\sum_i c_i^2 s2_i / S^2`,
    :math:`H = \\log S - \\sum_i c_i (sl_i + (m_i - M) s_i) / S`, mean
    :math:`= \\sum_i c_i\\,wsum_i / S`; the argmax is that of the shard with the largest m_i.
    """
    parts = list(parts)
    if not parts:
        raise ValueError("parts must hold at least one shard's partial sums (got none)")
    M = np.max([q.m for q in parts], axis=0)
    c = [np.exp(q.m - M) for q in parts]
    S = sum(ci * q.s for ci, q in zip(c, parts, strict=True))
    first = parts[0]
    s2 = None if first.s2 is None else sum(ci * ci * q.s2 for ci, q in zip(c, parts, strict=True))
    sl = None if first.sl is None else sum(ci * (q.sl + (q.m - M) * q.s)
                                           for ci, q in zip(c, parts, strict=True))
    ws = None if first.wsum is None else sum(ci[:, None] * q.wsum for ci, q in zip(c, parts, strict=True))
    cm = None if first.classes is None else sum(ci[:, None] * q.classes
                                                for ci, q in zip(c, parts, strict=True))
    best = np.argmax(np.stack([q.m for q in parts]), axis=0)
    arg = np.stack([q.argmax for q in parts])[best, np.arange(M.size)]
    log_s = np.log(S)
    return PosteriorStats(
        log_z=M + log_s,
        participation=None if s2 is None else s2 / (S * S),
        entropy=None if sl is None else log_s - sl / S,
        argmax=arg, mean=None if ws is None else ws / S[:, None],
        class_mass=None if cm is None else cm / S[:, None], refined=None)
