"""The exact empirical score of a dataset sharded across Dask workers (data larger than one machine).

Each shard is a small picklable recipe (:class:`MixtureShard`, :class:`ModelShard`, or
:class:`ArrayShard` for data one already has) that builds its points where it runs: a synthetic
shard is generated on its worker from its own seed, so nothing large travels.  For a batch of
points the workers return their shard's partial log-sum-exp sums (:class:`PosteriorPartial`: the
shard's largest logit, the sums of the weights, of their squares, of weight x logit, of weight x
point and per class), and :func:`merge_partials` combines them exactly:

.. math:: \\log Z = M + \\log\\sum_i e^{m_i - M} s_i,\\qquad
          \\bar a = \\frac{\\sum_i e^{m_i - M}\\,\\textstyle\\sum_{\\mu\\in i} e^{l_\\mu - m_i} a^\\mu}
                         {\\sum_i e^{m_i - M} s_i},\\qquad M = \\max_i m_i,

the same numbers as the one-machine kernel (to round-off: 1e-12 relative in the tests), the
collapse regime included (each shard recomputes its own candidates exactly with the cut-off of the
whole dataset, ``TAIL + log n``).

Examples
--------
>>> import numpy as np
>>> shards = mixture_shards(d=8, n=600, n_shards=3, seed=1)
>>> with ShardedData(shards, scheduler="serial") as data:
...     score = data.score(np.zeros((2, 8)), 1.0)
>>> score.shape
(2, 8)

References
----------
Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 2-3 (the empirical score);
docs/theory/dynamical-regimes.md.  Log-sum-exp merging: M. Milakov, N. Gimelshein, "Online
normalizer calculation for softmax", arXiv:1805.02867 (2018).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.checks import check_scalar
from theory.estimate import Estimate
from theory.timemap import delta as _delta

from ._posterior import Dataset, PosteriorStats, merge_partials, posterior_partial
from .sweep import get_client

__all__ = ["MixtureShard", "ModelShard", "ArrayShard", "mixture_shards", "model_shards",
           "ShardedData", "sharded_posterior_curves"]


def _split(n: int, n_shards: int) -> list[int]:
    base, extra = divmod(n, n_shards)
    return [base + (i < extra) for i in range(n_shards)]


@dataclass(frozen=True)
class MixtureShard:
    """Shard ``index`` of n points of the symmetric mixture 1/2 N(+m, sigma^2 I) + 1/2 N(-m, sigma^2 I).

    The mean m (a random direction, ``|m|^2 = d mu_tilde^2``) is drawn from ``seed`` alone, so every
    shard shares it; labels and noise come from the stream ``[seed, index + 1]``.

    Parameters
    ----------
    index : int
        Shard index, ``>= 0``.
    d : int
        Dimension.
    n : int
        Points in the shard.
    seed : int
        Seed of the whole dataset.
    mu_tilde : float, default 1.0
        Mean per coordinate, :math:`|m|^2 = d\\tilde\\mu^2`.
    sigma : float, default 1.0
        Class standard deviation.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
    exact empirical score); docs/theory/dynamical-regimes.md sec. 1.
    """

    index: int
    d: int
    n: int
    seed: int
    mu_tilde: float = 1.0
    sigma: float = 1.0

    def mean(self) -> np.ndarray:
        m = np.random.default_rng([self.seed, 0]).standard_normal(self.d)
        return m * (self.mu_tilde * math.sqrt(self.d) / np.linalg.norm(m))

    def __call__(self) -> Dataset:
        rng = np.random.default_rng([self.seed, self.index + 1])
        labels = rng.integers(0, 2, self.n)
        m = self.mean()
        pts = np.where(labels[:, None] == 1, m, -m) + self.sigma * rng.standard_normal((self.n, self.d))
        return Dataset(pts, labels)


@dataclass(frozen=True)
class ModelShard:
    """Shard ``index`` of n points drawn from ``model.sample(n, rng=[seed, index + 1])``.

    ``model`` is any picklable object with ``sample(n, rng=..., return_labels=...)`` (the models of
    ``theory.models``); labels are kept when the model returns them.

    Parameters
    ----------
    model : object
        A model of :mod:`theory.models` (picklable, with ``sample``).
    index : int
        Shard index, ``>= 0``.
    n : int
        Points in the shard.
    seed : int
        Seed of the whole dataset.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
    exact empirical score); docs/theory/dynamical-regimes.md sec. 1.
    """

    model: Any
    index: int
    n: int
    seed: int

    def __call__(self) -> Dataset:
        rng = np.random.default_rng([self.seed, self.index + 1])
        try:
            out = self.model.sample(self.n, rng=rng, return_labels=True)
        except TypeError:
            out = self.model.sample(self.n, rng=rng)
        if isinstance(out, tuple):
            return Dataset(np.asarray(out[0]), np.asarray(out[1]))
        return Dataset(np.asarray(out))


@dataclass(frozen=True)
class ArrayShard:
    """A shard given by its points (and labels): it travels to its worker once.

    Parameters
    ----------
    points : ndarray, shape (n_k, d)
        The shard's points.
    labels : ndarray of int, optional
        Their class labels.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
    exact empirical score); docs/theory/dynamical-regimes.md sec. 1.
    """

    points: np.ndarray
    labels: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(np.shape(self.points)[0])

    def __call__(self) -> Dataset:
        return Dataset(np.asarray(self.points), self.labels)


def mixture_shards(d: int, n: int, n_shards: int, seed: int, *, mu_tilde: float = 1.0,
                   sigma: float = 1.0) -> list[MixtureShard]:
    """``n_shards`` recipes for n points of the symmetric two-class mixture in dimension d.

    Parameters
    ----------
    d, n : int
        Dimension and total number of points.
    n_shards : int
        Number of shards (1 <= n_shards <= n).
    seed : int
        Seed of the whole sample (the mean from ``[seed, 0]``, shard i from ``[seed, i + 1]``).
    mu_tilde, sigma : float
        ``|m|^2 = d mu_tilde^2`` and the class standard deviation.

    Returns
    -------
    list of MixtureShard
        Sizes differ by at most one; the shards' union is one sample of n points.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, sec. "Gaussian mixtures".
    docs/theory/dynamical-regimes.md secs. 0 and 4.
    """
    n = int(check_scalar(n, "n", lower=1, integer=True))
    d = int(check_scalar(d, "d", lower=1, integer=True))
    n_shards = int(check_scalar(n_shards, "n_shards", lower=1, upper=n, integer=True))
    return [MixtureShard(i, d, k, int(seed), float(mu_tilde), float(sigma))
            for i, k in enumerate(_split(n, n_shards))]


def model_shards(model, n: int, n_shards: int, seed: int) -> list[ModelShard]:
    """``n_shards`` recipes for n points of ``model`` (see :class:`ModelShard`).

    Parameters
    ----------
    model : object
        A model of :mod:`theory.models`.
    n : int
        Total number of points.
    n_shards : int
        Number of shards, ``1 <= n_shards <= n``.
    seed : int
        Seed of the whole dataset.

    Returns
    -------
    list of ModelShard
        The recipes, drawn lazily on the workers.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
    exact empirical score); docs/theory/dynamical-regimes.md sec. 1.
    """
    n = int(check_scalar(n, "n", lower=1, integer=True))
    n_shards = int(check_scalar(n_shards, "n_shards", lower=1, upper=n, integer=True))
    return [ModelShard(model, i, k, int(seed)) for i, k in enumerate(_split(n, n_shards))]


def _size(ds: Dataset) -> tuple[int, int, np.ndarray | None]:
    return ds.n, ds.d, None if ds.labels is None else np.unique(ds.labels)


def _take(ds: Dataset, idx: np.ndarray) -> np.ndarray:
    return np.asarray(ds.points[idx])


def _partial(ds: Dataset, x, t, n_total, offset, want_mean, want_entropy, classes):
    return posterior_partial(x, t, ds, n_total=n_total, offset=offset, want_mean=want_mean,
                             want_entropy=want_entropy, classes=classes)


class ShardedData:
    """A dataset split into shards that live on Dask workers (or are rebuilt in turn, serially).

    Parameters
    ----------
    shards : sequence of callables
        Each returns the shard's :class:`Dataset` (:class:`MixtureShard`, :class:`ModelShard`,
        :class:`ArrayShard`, or any picklable callable).
    scheduler : None, "serial", str or distributed.Client
        ``"serial"``: no Dask; each call rebuilds one shard at a time in this process (memory of one
        shard; use ``keep=True`` to keep them).  Otherwise as in :func:`validation.sweep.run_sweep`:
        the shards are built once on the workers and stay there.
    keep : bool
        Serial mode: keep the built shards in memory.
    cluster_kwargs : dict, optional
        For a new local cluster.

    Notes
    -----
    A callable ``data(x, t)`` returns the exact empirical score, so a ShardedData can drive
    :func:`validation.integrate_backward` and :func:`validation.clone_experiment`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (``Pt_gen``) and eq. 3 (the
    exact empirical score); docs/theory/dynamical-regimes.md sec. 1.
    """

    def __init__(self, shards: Sequence[Callable[[], Dataset]], scheduler=None, *, keep: bool = False,
                 cluster_kwargs: dict | None = None):
        self.shards = list(shards)
        if not self.shards:
            raise ValueError("shards must hold at least one shard (got none)")
        self._serial = scheduler == "serial"
        self._keep = keep
        self._cache: dict[int, Dataset] = {}
        self._client = None
        self._owned = False
        if self._serial:
            info = [_size(self._get(i)) for i in range(len(self.shards))]
        else:

            self._client, self._owned = get_client(scheduler, **(cluster_kwargs or {}))
            self._futures = [self._client.submit(sh, pure=False) for sh in self.shards]
            info = self._client.gather([self._client.submit(_size, f) for f in self._futures])
        sizes = [k for k, _, _ in info]
        dims = {dd for _, dd, _ in info}
        if len(dims) != 1:
            raise ValueError(f"shards must share one dimension d (got {sorted(dims)})")
        self.d = dims.pop()
        self.sizes = sizes
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int).tolist()
        self.n = int(sum(sizes))
        labelled = [c for _, _, c in info if c is not None]
        self.classes = np.unique(np.concatenate(labelled)) if len(labelled) == len(info) else None

    def _get(self, i: int) -> Dataset:
        if i in self._cache:
            return self._cache[i]
        ds = self.shards[i]()
        if self._keep or not self._serial:
            self._cache[i] = ds
        return ds

    def take(self, indices) -> np.ndarray:
        """The training points with the given global indices, shape (len(indices), d)."""
        idx = np.asarray(indices, dtype=np.int64)
        if idx.ndim != 1 or (idx.size and (idx.min() < 0 or idx.max() >= self.n)):
            raise ValueError(f"indices must be a 1-d array of integers in [0, {self.n}) (got shape "
                             f"{idx.shape})")
        shard = np.searchsorted(np.asarray(self.offsets), idx, side="right") - 1
        out = np.empty((idx.size, self.d))
        for i in np.unique(shard):
            sel = np.flatnonzero(shard == i)
            local = idx[sel] - self.offsets[i]
            if self._serial:
                out[sel] = _take(self._get(int(i)), local)
            else:
                out[sel] = self._client.submit(_take, self._futures[int(i)], local).result()
        return out

    def posterior_summary(self, x, t: float, *, want_mean: bool = True, want_entropy: bool = True,
                          want_classes: bool = False) -> PosteriorStats:
        """Merged :class:`PosteriorStats` over all shards (numpy arrays).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2.
        """
        x = np.asarray(x, dtype=np.float64)
        t = check_scalar(t, "t", lower=0.0, lower_open=True)
        classes = None
        if want_classes:
            if self.classes is None:
                raise ValueError("want_classes: every shard needs labels")
            classes = self.classes
        args = (x, t, self.n)
        if self._serial:
            parts = [_partial(self._get(i), *args, off, want_mean, want_entropy, classes)
                     for i, off in enumerate(self.offsets)]
        else:
            xf = self._client.scatter(x, broadcast=True, hash=False)
            futs = [self._client.submit(_partial, f, xf, t, self.n, off, want_mean, want_entropy,
                                        classes, pure=False)
                    for f, off in zip(self._futures, self.offsets, strict=True)]
            parts = self._client.gather(futs)
        stats = merge_partials(parts)
        stats.refined = np.zeros(x.shape[0], dtype=bool)
        return stats

    def score(self, x, t: float) -> np.ndarray:
        """Exact empirical score of the whole (sharded) dataset at the points x (B, d).

        Notes
        -----
        :math:`F(x,t) = (e^{-t}\\bar a(x,t) - x)/\\Delta_t` with the merged posterior mean.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 2-3.
        """
        st = self.posterior_summary(x, t, want_mean=True, want_entropy=False)
        e, dl = math.exp(-t), float(_delta(t))
        return (e * st.mean - np.asarray(x, dtype=np.float64)) / dl

    __call__ = score

    def close(self) -> None:
        """Release the shards (and the cluster if this object created it)."""
        self._cache.clear()
        if self._client is not None:
            self._futures = []
            if self._owned:
                cluster = getattr(self._client, "cluster", None)
                self._client.close()
                if cluster is not None:
                    cluster.close()
            self._client = None

    def __enter__(self) -> ShardedData:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def sharded_posterior_curves(t: float, data: ShardedData, n_samples: int, rng=None,
                             block: int = 2048) -> dict:
    """The identity estimators of :func:`validation.posterior_curves` over sharded data.

    Samples :math:`x = e^{-t}a^\\nu + \\sqrt{\\Delta_t}\\,\\xi` (nu uniform over all n points, fetched
    from their shards), then averages over the merged posterior: ``"fe"`` = H(w)/d,
    ``"phi_c"`` = sum w^2, ``"loglik"`` = 1/2 + log Z / d (the paper's estimator of f^e) and, when
    the shards carry labels, ``"phi"`` = sum_c (class mass)^2.

    Parameters
    ----------
    t : float
        OU time, ``t > 0``.
    data : ShardedData
        The sharded training set.
    n_samples : int
        Number of samples :math:`x \\sim P_t^e`.
    rng : int, None or numpy.random.Generator
        Random source.
    block : int, default 2048
        Samples per block sent to the shards.

    Returns
    -------
    dict of Estimate

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 5-6 and SI App. D;
    docs/theory/dynamical-regimes.md (the identities).
    """

    t = check_scalar(t, "t", lower=0.0, lower_open=True)
    n_samples = int(check_scalar(n_samples, "n_samples", lower=2, integer=True))
    rng = np.random.default_rng(rng)
    e, dl = math.exp(-t), float(_delta(t))
    labelled = data.classes is not None
    vals: dict[str, list] = {"fe": [], "phi_c": [], "loglik": []}
    if labelled:
        vals["phi"] = []
    for b0 in range(0, n_samples, block):
        b = min(block, n_samples - b0)
        nu = rng.integers(0, data.n, b)
        x = e * data.take(nu) + math.sqrt(dl) * rng.standard_normal((b, data.d))
        st = data.posterior_summary(x, t, want_mean=False, want_classes=labelled)
        vals["fe"].append(st.entropy / data.d)
        vals["phi_c"].append(st.participation)
        vals["loglik"].append(0.5 + st.log_z / data.d)
        if labelled:
            vals["phi"].append((st.class_mass**2).sum(axis=1))
    out = {}
    for k, v in vals.items():
        arr = np.concatenate(v)
        out[k] = Estimate(float(arr.mean()), float(arr.std(ddof=1) / math.sqrt(arr.size)), int(arr.size))
    return out
