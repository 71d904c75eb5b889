"""Cloning experiments: one trunk trajectory per sample, two clones branched at every cloning time.

All the clones alive at a step are integrated together with the trunk in one batch (one score call),
so K cloning times cost one trunk trajectory plus the branches, never K trajectories from T.

Examples
--------
Two clones of the symmetric mixture (population score, d = 16) end in the same class when
cloned late in the backward dynamics (small t), at chance when cloned early:

>>> import numpy as np
>>> from validation import GaussianMixtureScore
>>> from validation.cloning import clone_experiment
>>> m = np.ones(16)
>>> res = clone_experiment(GaussianMixtureScore(m), 16, [0.5, 4.0], 64,
...                        {"class": lambda x: np.sign(x @ m)}, T=6.0, steps=200, rng=0)
>>> print(res.times.round(2).tolist(), res.same["class"].round(2).tolist())
[3.99, 0.51] [0.52, 0.98]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from theory.checks import check_array, check_scalar
from theory.progress import Progress

from ._posterior import as_dataset, nearest_points
from .backend import get_backend, to_numpy
from .sde import METHODS, Score, backward_step, time_grid

__all__ = ["CloningResult", "clone_experiment", "nearest_point_class", "posterior_class"]

_BLOCK_BYTES = 256 * 2**20


@dataclass
class CloningResult:
    """Agreement probabilities of clone pairs, per cloning time.

    Attributes
    ----------
    times : ndarray
        Cloning times actually used (grid points nearest to the requested ones), decreasing.
    n_pairs : int
        Clone pairs per cloning time.
    same : dict[str, ndarray]
        For each observable, the fraction of pairs whose two endpoints agree.
    stderr : dict[str, ndarray]
        Binomial standard errors :math:`\\sqrt{p(1-p)/N}`.
    endpoints : dict[str, ndarray]
        Per observable, the endpoint values, shape (K, n_pairs, 2).
    params : dict

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, cloning protocol of sec. 'Speciation' and eq. 6;
    docs/theory/dynamical-regimes.md sec. 2.4.
    """

    times: np.ndarray
    n_pairs: int
    same: dict[str, np.ndarray]
    stderr: dict[str, np.ndarray]
    endpoints: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    params: dict = field(default_factory=dict)


def clone_experiment(score: Score, d: int, clone_times: Sequence[float], n_pairs: int,
                     observables: Mapping[str, Callable[[np.ndarray], np.ndarray]], *,
                     T: float = 10.0, t_min: float = 0.0, steps: int = 1000,
                     method: str = "euler", rng: np.random.Generator | int | None = None,
                     block: int | None = None, progress: bool | None = None,
                     like=None) -> CloningResult:
    """Run the cloning protocol and measure how often the two clones end alike.

    Parameters
    ----------
    score : callable
        ``score(y, t)``.
    d : int
        Dimension.
    clone_times : sequence of float
        Cloning times in (t_min, T]; each is moved to the nearest grid time.
    n_pairs : int
        Number of clone pairs (trunk trajectories) per cloning time.
    observables : mapping name -> callable
        ``f(x_final) -> int array``: e.g. the class for phi (any number K of classes:
        :func:`nearest_point_class` for the empirical score, :func:`posterior_class` for a model's
        population score), the nearest training point for phi_C.
    T, t_min, steps, method :
        Backward-SDE grid and integrator (paper: T = 10, 1000 Euler steps, down to t = 0).
    rng : Generator or int
    block : int, optional
        Trunks per block (bounds memory to ``block (1 + 2K) d`` floats; default 256 MiB).
    progress : bool, optional
    like : array, optional
        An array whose library, device and dtype the states take (e.g.
        ``torch.empty(0, device="cuda", dtype=torch.float32)``); numpy float64 by default.

    Returns
    -------
    CloningResult
        Per clone time, the fraction of pairs whose observables agree, with standard errors.

    Notes
    -----
    Protocol of the paper: start at T from N(0, I), run the backward SDE to the cloning time t,
    duplicate the state into two clones evolved with independent noise down to t_min, and compare
    their endpoints; :math:`\\phi(t)` = probability that they agree.

    References
    ----------
    Biroli et al. (2024), sec. "Speciation" (cloning), eq. 6 and SI App. B.3; Fig. 2 protocol.
    docs/theory/dynamical-regimes.md sec. 2.4.
    """
    d = int(check_scalar(d, "d", lower=1, integer=True))
    n_pairs = int(check_scalar(n_pairs, "n_pairs", lower=1, integer=True))
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    if not observables:
        raise ValueError("observables must name at least one endpoint function (got none)")
    grid = time_grid(T, t_min, steps)
    ct = check_array(clone_times, "clone_times", lower=grid[-1], upper=grid[0], lower_open=True,
                     ndim=1)
    k_idx = np.unique(np.abs(grid[None, :] - ct[:, None]).argmin(axis=1))  # ascending steps
    k_idx = k_idx[k_idx < steps]
    K = k_idx.size
    rng = np.random.default_rng(rng)
    be = get_backend(like)
    dtype = like.dtype if like is not None else np.float64
    dev = {} if be.name == "numpy" else {"device": be.device}
    blk = block or max(1, _BLOCK_BYTES // (8 * d * (1 + 2 * K)))
    names = list(observables)
    ends = {nm: np.empty((K, n_pairs, 2), dtype=np.int64) for nm in names}
    total_work = sum(steps - k for k in k_idx) * 2 + steps
    with Progress(total_work * ((n_pairs + blk - 1) // blk), "cloning", enabled=progress) as bar:
        for b0 in range(0, n_pairs, blk):
            b = min(blk, n_pairs - b0)
            state = be.xp.empty((b * (1 + 2 * K), d), dtype=dtype, **dev)
            state[:b] = be.standard_normal(rng, (b, d), dtype)
            alive = b            # trunk rows first, then the clones in order of creation
            j = 0
            for k in range(steps):
                while j < K and k_idx[j] == k:
                    state[alive:alive + b] = state[:b]
                    state[alive + b:alive + 2 * b] = state[:b]
                    alive += 2 * b
                    j += 1
                # the trunk is no longer needed after the last cloning time
                lo = 0 if j < K else b
                backward_step(score, state[lo:alive], grid[k], grid[k] - grid[k + 1], rng, method,
                              out=state[lo:alive])
                bar.update(alive // b - (lo // b))
            for nm in names:
                vals = to_numpy(observables[nm](state[b:alive]))
                vals = vals.reshape(K, 2, b)
                ends[nm][:, b0:b0 + b, 0] = vals[:, 0]
                ends[nm][:, b0:b0 + b, 1] = vals[:, 1]
    same = {nm: (ends[nm][:, :, 0] == ends[nm][:, :, 1]).mean(axis=1) for nm in names}
    se = {nm: np.sqrt(same[nm] * (1 - same[nm]) / n_pairs) for nm in names}
    return CloningResult(grid[k_idx], n_pairs, same, se, ends,
                         {"T": T, "t_min": t_min, "steps": steps, "method": method, "d": d})


def nearest_point_class(data, labels=None, t: float = 0.0) -> Callable[[np.ndarray], np.ndarray]:
    """Endpoint observable for phi with K classes: the label of the nearest training point.

    Parameters
    ----------
    data : Dataset or array_like (n, d)
        Training set with integer labels (any number of classes).
    labels : array_like (n,), optional
        Labels, if ``data`` does not carry them.
    t : float
        End time of the runs (``t_min``): the training points are shrunk by :math:`e^{-t}`.

    Returns
    -------
    callable
        ``f(x) -> labels[argmin_mu |x - e^{-t} a^mu|]`` for :func:`clone_experiment`.

    Notes
    -----
    Under the exact empirical score a backward run ends on a training point, so its class is the
    class of that point; two clones then agree with probability
    :math:`E\\sum_c(\\sum_{\\mu\\in c}w_\\mu)^2` (:func:`validation.phi_identity`).

    References
    ----------
    Biroli et al. (2024), eq. 6 (cloning probability) and SI App. D (nearest training point).
    docs/theory/dynamical-regimes.md sec. 2.4.
    """
    ds = as_dataset(data, labels)
    if ds.labels is None:
        raise ValueError("labels are required for the class of the nearest training point (got None)")
    t = check_scalar(t, "t", lower=0.0)
    lab = ds.labels
    return lambda x: lab[nearest_points(x, ds, t)]


def posterior_class(model, t: float = 0.0, *, sample: bool = False,
                    rng: np.random.Generator | int | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """Endpoint observable for phi with K classes from a model's exact class posterior at the end time.

    Parameters
    ----------
    model : theory.models.GaussianMixture
        Any model with ``class_posterior(x, t)``.
    t : float
        End time of the runs (``t_min``), ``>= 0``.
    sample : bool
        False: the most probable class :math:`\\arg\\max_k P(k\\mid x_t = x)` (exact for well separated
        classes). True: a class drawn from :math:`P(k\\mid x_t = x)` with ``rng``; then two clones agree
        with probability exactly :math:`E\\sum_k P(k\\mid x_{t_c})^2` whatever the overlap of the classes
        (tower property: the drawn class of an endpoint is distributed as :math:`P(k\\mid x_{t_c})`).
    rng : int, None or numpy.random.Generator
        Source of the draws with ``sample=True``.

    Returns
    -------
    callable
        ``f(x) -> class in 0..K-1`` for :func:`clone_experiment`.

    References
    ----------
    Biroli et al. (2024), eq. 6 and SI App. B.3 (cloning; the class of +/-m by the sign of x.m is the
    K = 2 case of the most probable class).
    docs/theory/dynamical-regimes.md sec. 2.4.
    """
    if not callable(getattr(model, "class_posterior", None)):
        raise TypeError(f"model must have classes (a class_posterior method, e.g. "
                        f"theory.models.GaussianMixture; got {type(model).__name__})")
    t = check_scalar(t, "t", lower=0.0)
    if not sample:
        return lambda x: np.argmax(model.class_posterior(x, t), axis=-1)
    gen = np.random.default_rng(rng)

    def draw(x: np.ndarray) -> np.ndarray:
        cdf = np.cumsum(model.class_posterior(x, t), axis=-1)
        u = gen.random(cdf.shape[:-1] + (1,)) * cdf[..., -1:]
        return np.minimum(np.sum(cdf < u, axis=-1), cdf.shape[-1] - 1)

    return draw
