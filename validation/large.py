"""Large Monte Carlo runs on a Dask cluster: Fig. 3 beyond one machine, and the phase diagram
validated over a (d, n) grid.

- :func:`fig3_large`: f^e(t)/alpha with the estimator and error bars of the paper's Fig. 3 job
  (a pilot of 512 samples per point, then enough samples for a standard error of 0.0023 alpha), at
  d = 16384 (n = 20000) and at n = 10^6 (d = 1024).  Configurations whose data fit in one task run
  their 20 times as independent Dask tasks (each regenerates its data from the seed); larger data
  are sharded across the workers (:class:`validation.sharded.ShardedData`, each shard generated on
  its worker) and the points run one after the other, the posterior sums merged exactly.
- :func:`phase_diagram_validation`: per (d, n, seed) one task measures the speciation time (where
  the identity estimate of phi(t) crosses ``level``, the same reading applied to the closed form)
  and the collapse time (largest t with f^e compatible with zero, ``atol`` in units of alpha) and
  returns them with the theory's values, for drawing on the (t, alpha) phase diagram.

Both take ``scheduler`` (None: a local cluster; an address; a Client; "serial") and a
``checkpoint_dir`` (one file per finished point: an interrupted run resumes; ``restart`` and
``keep_checkpoint`` as in :func:`validation.sweep.run_sweep`).

Examples
--------
>>> rows = phase_diagram_validation([8], [200], seeds=[0], scheduler="serial", n_samples=200,
...                                 times=[0.1, 0.5, 1.0, 2.0])
>>> [rows[0][k] for k in ("d", "n", "seed")]
[8, 200, 0]

References
----------
Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 3, eqs. 5-6 and 10, SI App. D;
docs/theory/dynamical-regimes.md.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from theory.gaussian_mixture import collapse_time, excess_entropy, phi

from .estimators import (
    collapse_time_from_entropy,
    excess_entropy_loglik,
    excess_entropy_posterior,
    posterior_curves,
)
from .sharded import ShardedData, mixture_shards, sharded_posterior_curves
from .sweep import Task, _made_by_a_sweep, get_client, remove_checkpoints, run_sweep

__all__ = ["FIG3_TIMES", "FIG3_LARGE_CONFIGS", "fig3_point", "fig3_large", "phase_point",
           "phase_diagram_validation"]

FIG3_TIMES = 8.0 * (1 - 0.049 * np.arange(20))
"""The twenty times of the Fig. 3 job (``regimes reproduce fig3``)."""

FIG3_LARGE_CONFIGS = ((16384, 20000), (1024, 1_000_000))
"""(d, n) of ``regimes reproduce fig3 --large``."""

_TASK_BYTES = 4 * 2**30          # data up to this size are generated inside one task
_SHARD_BYTES = 512 * 2**20       # ... larger data are cut into shards of about this size


def _combine(pilot, more, n_pilot: int, n_more: int) -> tuple[float, float]:
    """Mean and standard error of two sample blocks from their own means and standard errors."""
    n_total = n_pilot + n_more
    value = (pilot.value * n_pilot + more.value * n_more) / n_total
    var = (pilot.stderr**2 * n_pilot * (n_pilot - 1) + more.stderr**2 * n_more * (n_more - 1)
           + n_pilot * n_more / n_total * (pilot.value - more.value) ** 2)
    return value, math.sqrt(var / (n_total - 1) / n_total)


def fig3_point(d: int, n: int, t: float, rng, *, data=None, data_seed: int = 232,
               target: float = 0.0023, pilot: int = 512, max_samples: int = 200_000) -> dict:
    """One point of Fig. 3: f^e(t)/alpha to a standard error of ``target`` alpha.

    Parameters
    ----------
    d, n : int
        Dimension and number of training points of the symmetric mixture (mu_tilde = sigma = 1).
    t : float
        OU time.
    rng : seed or Generator
        The point's randomness (samples of P_t^e).
    data : Dataset or ShardedData, optional
        The training set (default: generated from ``data_seed`` by
        :func:`validation.sharded.mixture_shards` with one shard).
    data_seed : int
    target, pilot, max_samples :
        Standard error in units of alpha, pilot size, cap on the samples.

    Returns
    -------
    dict
        ``d, n, t, fe_over_alpha, se, samples, loglik_over_alpha, loglik_se,
        variance_ratio_loglik, theory_paper, theory_finite_d, t_C, seconds``.

    Notes
    -----
    :math:`f^e(t) = \\frac1d E_{x\\sim P^e_t} H(w(x,t))` (posterior-entropy identity); the pilot
    fixes the number of samples :math:`(\\mathrm{sd}/\\mathrm{target})^2`; the log-likelihood
    estimator :math:`\\tfrac12 + \\log Z/d` is run on ``pilot`` samples for its variance ratio.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 and Fig. 3.
    docs/theory/dynamical-regimes.md secs. 3.4 and 4.
    """
    tic = time.perf_counter()
    rng = np.random.default_rng(rng)
    if data is None:
        data = mixture_shards(d, n, 1, data_seed)[0]()
    alpha = math.log(n) / d
    if isinstance(data, ShardedData):
        def fe(k):
            return sharded_posterior_curves(t, data, k, rng)["fe"]

        def loglik(k):
            return sharded_posterior_curves(t, data, k, rng)["loglik"]
    else:
        def fe(k):
            return excess_entropy_posterior(t, data, k, rng=rng)

        def loglik(k):
            return excess_entropy_loglik(t, data, k, rng=rng)
    pil = fe(pilot)
    std = pil.stderr * math.sqrt(pilot) / alpha
    n_total = int(min(max_samples, max(pilot, math.ceil((std / target) ** 2))))
    value, se = pil.value, pil.stderr
    if n_total > pilot:
        value, se = _combine(pil, fe(n_total - pilot), pilot, n_total - pilot)
    ll = loglik(pilot)
    return {"d": d, "n": n, "t": float(t), "fe_over_alpha": value / alpha, "se": se / alpha,
            "samples": n_total, "loglik_over_alpha": ll.value / alpha, "loglik_se": ll.stderr / alpha,
            "variance_ratio_loglik": (ll.stderr / pil.stderr) ** 2 if pil.stderr > 0 else math.inf,
            "theory_paper": float(excess_entropy(t, d, n)) / alpha,
            "theory_finite_d": float(excess_entropy(t, d, n, finite_d=True)) / alpha,
            "t_C": float(collapse_time(d, n)), "seconds": time.perf_counter() - tic}


def fig3_large(scheduler=None, checkpoint_dir: str | os.PathLike | None = None, *, seed: int = 232,
               configs: Sequence[tuple[int, int]] = FIG3_LARGE_CONFIGS, times=FIG3_TIMES,
               target: float = 0.0023, pilot: int = 512, cluster_kwargs: dict | None = None,
               task_bytes: int = _TASK_BYTES, shard_bytes: int = _SHARD_BYTES,
               on_result=None, restart: bool = False, keep_checkpoint: bool = False) -> list[dict]:
    """Fig. 3 at large d and large n on a Dask cluster (``regimes reproduce fig3 --large``).

    Parameters
    ----------
    scheduler : None, str, distributed.Client or "serial"
        Where to run (see :func:`validation.sweep.run_sweep`).
    checkpoint_dir : path, optional
        One checkpoint per finished (d, n, t) point.
    seed : int
        Data of configuration (d, n) from ``[seed, d, n]``; point randomness from
        ``[seed, d, n, round(t * 1e6)]``.
    configs : sequence of (d, n)
        Default: d = 16384 with n = 20000, and d = 1024 with n = 10^6.
    times : sequence of float
        OU times (default: the twenty of Fig. 3).
    target, pilot : float, int
        As in :func:`fig3_point`.
    cluster_kwargs : dict, optional
        For a new local cluster.
    task_bytes, shard_bytes : int
        Data up to ``task_bytes`` are generated inside each task; larger data are sharded in
        pieces of about ``shard_bytes``.
    on_result : callable, optional
        ``on_result(task, row)`` as each point finishes (progress; see :func:`run_sweep`).
    restart : bool
        Discard existing checkpoints instead of resuming from (or refusing) them.
    keep_checkpoint : bool
        Keep the checkpoints after the run (default: removed once every point is done).

    Returns
    -------
    list of dict
        The rows of :func:`fig3_point`, configuration by configuration, time by time.

    Raises
    ------
    theory.files.CheckpointError
        A checkpoint that cannot be trusted (see :func:`validation.sweep.run_sweep`).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 3 and SI App. D.
    docs/theory/dynamical-regimes.md secs. 3.4 and 4.
    """
    small = [(d, n) for d, n in configs if 8 * d * n <= task_bytes]
    large = [(d, n) for d, n in configs if 8 * d * n > task_bytes]
    rows: dict[str, Any] = {}
    created = checkpoint_dir is not None and _made_by_a_sweep(Path(checkpoint_dir))
    sweep_kw = {"checkpoint_dir": checkpoint_dir, "restart": restart, "keep_checkpoint": True,
                "on_result": on_result}
    serial = scheduler == "serial"
    client, owned = (None, False) if serial else get_client(scheduler, **(cluster_kwargs or {}))
    where = "serial" if serial else client
    try:
        tasks = []
        for d, n in small:
            for t in times:
                kw = {"d": d, "n": n, "t": float(t), "rng": [seed, d, n, int(round(t * 1e6))],
                      "data_seed": _data_seed(seed, d, n), "target": target, "pilot": pilot}
                tasks.append(Task(f"d={d}/n={n}/t={t:.6f}", fig3_point, kw))
        if tasks:
            rows.update(run_sweep(tasks, scheduler=where, **sweep_kw))
        for d, n in large:
            n_shards = max(1, math.ceil(8 * d * n / shard_bytes))
            shards = mixture_shards(d, n, n_shards, _data_seed(seed, d, n))
            with ShardedData(shards, scheduler=where) as data:
                tasks = []
                for t in times:
                    params = {"d": d, "n": n, "t": float(t), "seed": seed, "target": target,
                              "pilot": pilot, "n_shards": n_shards}
                    kw = {"d": d, "n": n, "t": float(t), "rng": [seed, d, n, int(round(t * 1e6))],
                          "data": data, "target": target, "pilot": pilot}
                    tasks.append(Task(f"d={d}/n={n}/t={t:.6f}", fig3_point, kw, params=params))
                rows.update(run_sweep(tasks, scheduler="serial", **sweep_kw))
    finally:
        if owned:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    if checkpoint_dir is not None and not keep_checkpoint:
        remove_checkpoints(checkpoint_dir, rows, remove_folder=created)
    return [rows[f"d={d}/n={n}/t={t:.6f}"] for d, n in configs for t in times]


def _data_seed(seed: int, d: int, n: int) -> int:
    return int(np.random.SeedSequence([seed, d, n]).generate_state(1)[0])


def _crossing(times: np.ndarray, values: np.ndarray, level: float) -> float:
    """Largest t at which the curve (sorted by t) is >= level, refined by linear interpolation
    between that grid time and the next; NaN if it never is."""
    order = np.argsort(times)
    t, v = np.asarray(times, float)[order], np.asarray(values, float)[order]
    above = np.flatnonzero(v >= level)
    if above.size == 0:
        return math.nan
    k = above.max()
    if k == t.size - 1:
        return float(t[k])
    frac = (v[k] - level) / (v[k] - v[k + 1]) if v[k] != v[k + 1] else 0.0
    return float(t[k] + frac * (t[k + 1] - t[k]))


def phase_point(d: int, n: int, seed: int, *, times=None, n_samples: int = 2000,
                mu_tilde: float = 1.0, level: float = 0.75, atol: float = 0.01) -> dict:
    """Monte Carlo speciation and collapse times of one (d, n) training set, with the theory's.

    Parameters
    ----------
    d, n : int
    seed : int
        Data from ``[seed, d, n]``; samples from ``[seed, d, n, k]`` at the k-th time.
    times : sequence of float, optional
        Time grid (default: 24 times from 0.05 to 1.5 max(t_S, t_C) of the closed forms).
    n_samples : int
        Samples of P_t^e per time.
    mu_tilde : float
        Mixture separation (sigma = 1).
    level : float
        Reading of t_S: the time where phi(t) falls through ``level`` (1 at small t, 1/2 at large).
    atol : float
        Reading of t_C: the largest t with f^e/alpha <= atol within 3 standard errors.

    Returns
    -------
    dict
        ``d, n, seed, alpha, t_S_mc, t_S_theory (same reading of eq. 6), t_S_paper (1/2 log(d
        mu~^2)), t_C_mc, t_C_theory (eq. 10), t_C_finite_d (same reading of the finite-d f^e),
        times, phi, phi_se, fe_over_alpha, fe_se``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 5, 6 and 10, Fig. 1.
    docs/theory/dynamical-regimes.md secs. 2.4 and 3.4.
    """
    ts_paper = 0.5 * math.log(max(d * mu_tilde**2, 1.0 + 1e-12))
    tc = float(collapse_time(d, n))
    if times is None:
        times = np.geomspace(0.05, 1.5 * max(ts_paper, tc, 0.2), 24)
    times = np.asarray(times, dtype=float)
    shard = mixture_shards(d, n, 1, _data_seed(seed, d, n), mu_tilde=mu_tilde)[0]
    ds = shard()
    alpha = math.log(n) / d
    ph, ph_se, fe, fe_se = [], [], [], []
    for k, t in enumerate(times):
        cur = posterior_curves(t, ds, n_samples, rng=[seed, d, n, k])
        ph.append(cur["phi"].value)
        ph_se.append(cur["phi"].stderr)
        fe.append(cur["fe"].value / alpha)
        fe_se.append(cur["fe"].stderr / alpha)
    fine = np.linspace(times.min(), times.max(), 2000)
    try:
        tc_mc = collapse_time_from_entropy(times, fe, fe_se, atol=atol)
    except ValueError:
        tc_mc = math.nan
    fe_theory = np.asarray(excess_entropy(fine, d, n, mu_tilde, finite_d=True)) / alpha
    zero = np.flatnonzero(fe_theory <= atol)
    return {"d": d, "n": n, "seed": seed, "alpha": alpha,
            "t_S_mc": _crossing(times, ph, level),
            "t_S_theory": _crossing(fine, np.asarray(phi(fine, d, mu_tilde)), level),
            "t_S_paper": ts_paper,
            "t_C_mc": tc_mc, "t_C_theory": tc,
            "t_C_finite_d": float(fine[zero.max()]) if zero.size else math.nan,
            "times": times.tolist(), "phi": ph, "phi_se": ph_se, "fe_over_alpha": fe,
            "fe_se": fe_se}


def phase_diagram_validation(d_grid: Sequence[int], n_grid: Sequence[int], seeds: Sequence[int] = (0,),
                             scheduler=None, checkpoint_dir: str | os.PathLike | None = None, *,
                             times=None, n_samples: int = 2000, mu_tilde: float = 1.0,
                             level: float = 0.75, atol: float = 0.01,
                             cluster_kwargs: dict | None = None, on_result=None,
                             restart: bool = False, keep_checkpoint: bool = False) -> list[dict]:
    """t_S and t_C by Monte Carlo over a (d, n) grid, one Dask task per (d, n, seed).

    Parameters
    ----------
    d_grid, n_grid : sequence of int
    seeds : sequence of int
    scheduler, checkpoint_dir, cluster_kwargs, on_result, restart, keep_checkpoint :
        See :func:`validation.sweep.run_sweep`.
    times, n_samples, mu_tilde, level, atol :
        See :func:`phase_point`.

    Returns
    -------
    list of dict
        The rows of :func:`phase_point`, in (d, n, seed) order.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 1 (phase diagram) and
    eqs. 6 and 10.
    docs/theory/dynamical-regimes.md secs. 2.4 and 3.4.
    """
    fixed = {"n_samples": n_samples, "mu_tilde": mu_tilde, "level": level, "atol": atol,
             "times": None if times is None else [float(t) for t in times]}
    tasks = [Task(f"d={d}/n={n}/seed={s}", phase_point, {"d": int(d), "n": int(n), "seed": int(s), **fixed})
             for d in d_grid for n in n_grid for s in seeds]
    res = run_sweep(tasks, scheduler=scheduler, checkpoint_dir=checkpoint_dir,
                    cluster_kwargs=cluster_kwargs, on_result=on_result, restart=restart,
                    keep_checkpoint=keep_checkpoint)
    return [res[t.key] for t in tasks]
