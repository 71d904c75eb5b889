"""Large Monte Carlo runs from the command line: Fig. 3 at large d and n, and the phase diagram
validated over a (d, n) grid (``regimes reproduce fig3 --large``, ``regimes validate``).

Both run on Dask through :func:`validation.fig3_large` and :func:`validation.phase_diagram_validation`:
a local cluster by default, an existing cluster by its scheduler address (reached with a short
connect timeout, so a wrong address fails at once), or this process (``"serial"``).  Results are
checkpointed per point (an interrupted run resumes; a checkpoint of other parameters or another
version, or a corrupt one, is refused unless ``restart``; the checkpoints are removed after a
successful run unless ``keep_checkpoint``) and written atomically as PNG, CSV and JSON.
Before a local run starts, the memory it needs is estimated and a run that cannot fit in this
machine's memory is refused with the estimate.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = validate_phase_diagram([8], [100], [0], "serial", out_dir=tmp, n_samples=100,
...                                  plot=False, progress=False)
>>> [round(r["alpha"], 4) for r in out.rows]
[0.5756]

References
----------
Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Figs. 1 and 3, eqs. 6 and 10, SI
App. D; docs/theory/dynamical-regimes.md.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from theory.checks import NotFoundError
from theory.files import write_csv, write_json
from theory.gaussian_mixture import collapse_time, excess_entropy
from theory.phase_diagram import phase_diagram_t_alpha
from theory.progress import Progress
from validation import large, remove_checkpoints
from validation.estimators import collapse_time_from_entropy

from .figures import pyplot, save_figure
from .runs import recorded_seed, run_metadata

__all__ = ["ScaleOutput", "fig3_large_memory", "validation_memory", "machine_memory",
           "reproduce_fig3_large", "validate_phase_diagram", "QUICK_FIG3_LARGE"]

#: ``--quick``: the two kinds of configuration at toy sizes (the second one sharded), seven times
QUICK_FIG3_LARGE = {"configs": ((64, 2000), (16, 20000)), "times": (4.0, 2.5, 1.5, 1.0, 0.6, 0.3, 0.1),
                    "target": 3 * 0.0023, "pilot": 256, "task_bytes": 2**20, "shard_bytes": 2**18}

_WORKER_BYTES = 300 * 2**20       # one Dask worker process, empty
_KERNEL_BYTES = 256 * 2**20       # the kernel's blocks of logits and the samples of one task
_SCHEMES = ("tcp", "tls", "ucx", "ws", "wss")


@dataclass
class ScaleOutput:
    """Files and numbers of a large run.

    Attributes
    ----------
    png : Path or None
        Figure (None without a plot).
    csv, json : Path
        Files written.
    rows : list of dict
        One row per task.
    summary : dict
        Headline numbers.
    seconds : float
        Run time.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Figs. 1 and 3.
    docs/theory/dynamical-regimes.md sec. 4.
    """

    png: Path | None
    csv: Path
    json: Path
    rows: list[dict]
    summary: dict
    seconds: float


def machine_memory() -> int:
    """Bytes of memory of this machine (the smaller of the physical memory and a cgroup limit).

    Returns
    -------
    int
        Bytes.

    References
    ----------
    M. Rocklin (2015), Dask, Proc. SciPy 2015 (a local cluster shares this memory among workers).
    """
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if text.isdigit():
            total = min(total, int(text))
    except OSError:
        pass
    return int(total)


def fig3_large_memory(configs: Sequence[tuple[int, int]], workers: int, *,
                      task_bytes: int = large._TASK_BYTES,
                      shard_bytes: int = large._SHARD_BYTES) -> tuple[int, str]:
    """Peak memory of :func:`validation.fig3_large` on a local cluster, and what sets it.

    Parameters
    ----------
    configs : sequence of (d, n)
    workers : int
        Single-threaded worker processes running at once (1 for a serial run).
    task_bytes, shard_bytes : int
        As in :func:`validation.fig3_large`.

    Returns
    -------
    bytes : int
    reason : str
        The configuration that needs the most, in words.

    Notes
    -----
    A configuration whose data (8 d n bytes) fit in one task is regenerated in every task; drawing
    it holds two (n, d) float64 arrays, so ``workers`` tasks need ``workers x 2 x 8 d n``.  Larger
    data are sharded: all shards stay on the workers (``8 d n`` in total) and each worker draws one
    shard at a time (``2 x shard``).  Each worker process and each task's kernel blocks add a few
    hundred MB.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 3 and SI App. D (sizes).
    docs/theory/dynamical-regimes.md sec. 4.
    """
    best, why = 0, ""
    for d, n in configs:
        data = 8 * int(d) * int(n)
        if data <= task_bytes:
            need = workers * (2 * data + _KERNEL_BYTES + _WORKER_BYTES)
            text = f"d = {d}, n = {n}: {workers} task(s) x 2 x {_gb(data)} GB of data"
        else:
            shard = math.ceil(data / max(1, math.ceil(data / shard_bytes)))
            need = data + workers * (2 * shard + _KERNEL_BYTES + _WORKER_BYTES)
            text = f"d = {d}, n = {n}: {_gb(data)} GB of shards + {workers} x 2 x {_gb(shard)} GB"
        if need > best:
            best, why = need, text
    return best, why


def validation_memory(d_grid: Sequence[int], n_grid: Sequence[int], workers: int) -> tuple[int, str]:
    """Peak memory of :func:`validation.phase_diagram_validation` with ``workers`` tasks at once.

    Parameters
    ----------
    d_grid, n_grid : sequence of int
        The (d, n) grid.
    workers : int
        Tasks running at once.

    Returns
    -------
    bytes : int
    reason : str

    Notes
    -----
    Every (d, n, seed) task draws its own training set (two (n, d) float64 arrays at once).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 1 (the (d, n) grid).
    docs/theory/dynamical-regimes.md sec. 4.
    """
    d, n = max(d_grid), max(n_grid)
    data = 8 * int(d) * int(n)
    need = workers * (2 * data + _KERNEL_BYTES + _WORKER_BYTES)
    return need, f"d = {d}, n = {n}: {workers} task(s) x 2 x {_gb(data)} GB of data"


def _gb(nbytes: float) -> str:
    return f"{nbytes / 1e9:.2g}"


def _check_memory(need: int, why: str, option: str) -> None:
    have = machine_memory()
    if need > have:
        raise ValueError(f"{option}: the run needs about {need / 1e9:.1f} GB of memory on a local "
                         f"cluster ({why}) but this machine has {have / 1e9:.1f} GB; use --scheduler "
                         "ADDRESS (a larger cluster), fewer --workers or smaller sizes")


def _connect(scheduler: str | None, workers: int | None, timeout: float):
    """``(scheduler for the validation API, cluster_kwargs, client to close or None)``."""
    if scheduler == "serial":
        return "serial", None, None
    try:
        import distributed
    except ImportError:
        raise ValueError("--scheduler: Dask runs need the optional extra 'dask' (pip install "
                         "'diffusion-regimes[dask]'), or use --scheduler serial") from None
    if scheduler is None:
        return None, {"n_workers": workers, "threads_per_worker": 1}, None
    address = _check_address(scheduler)
    import logging

    log = logging.getLogger("distributed")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        client = distributed.Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"--scheduler: no Dask scheduler answered at {address} within {timeout:g} s "
                         f"({type(exc).__name__}); start one with 'dask scheduler', or use "
                         "--scheduler serial, or leave --scheduler out for a local cluster") from None
    finally:
        log.setLevel(level)
    return client, None, client


def _check_address(text: str) -> str:
    address = text if "://" in text else f"tcp://{text}"
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in _SCHEMES or not parts.hostname or port is None or port < 1 \
            or parts.path not in ("", "/"):
        raise ValueError(f"--scheduler must be 'serial' or a Dask scheduler address such as "
                         f"tcp://host:8786 (got {text!r})")
    return address.rstrip("/")


def _close(client) -> None:
    if client is not None:
        client.close()



def reproduce_fig3_large(out_dir: str | Path = "fig3_large", *, scheduler: str | None = None,
                         checkpoint_dir: str | Path | None = None, workers: int | None = None,
                         quick: bool = False, configs: Sequence[tuple[int, int]] | None = None,
                         rng: int = 232, connect_timeout: float = 5.0,
                         progress: bool | None = None, plot: bool = True, restart: bool = False,
                         keep_checkpoint: bool = False) -> ScaleOutput:
    """Fig. 3 at d = 16384 (n = 20000) and n = 10^6 (d = 1024) on Dask: PNG, CSV, JSON.

    Parameters
    ----------
    out_dir : path
        Folder for ``fig3_large.png``, ``.csv``, ``.json`` and the checkpoints
        (``fig3_large.ck/``, unless ``checkpoint_dir``).
    scheduler : None, "serial" or str
        None: a local cluster of ``workers`` single-threaded processes; "serial": this process;
        an address (``tcp://host:8786``), reached within ``connect_timeout`` seconds.
    quick : bool
        Toy sizes (:data:`QUICK_FIG3_LARGE`: seconds), the same two code paths (one configuration
        per task, one sharded).
    configs : sequence of (d, n), optional
        Other sizes (default: the paper-scale pair, or the quick pair).
    rng : int
        Seed of the data and the samples (recorded).
    checkpoint_dir : path, optional
        One file per finished task (default ``out_dir/fig3_large.ck``).
    workers : int, optional
        Processes of the local cluster (default: the cores, at most 4).
    connect_timeout : float, default 5.0
        Seconds to reach a scheduler address.
    progress : bool, optional
        Progress bar on a terminal, log lines otherwise (default: on a terminal only).
    plot : bool
        Draw the figure (False: the CSV and the JSON only; ``png`` is None).
    restart : bool
        Discard the checkpoints of an earlier run instead of resuming from (or refusing) them.
    keep_checkpoint : bool
        Keep the checkpoints after a successful run (default: removed, with their folder when this
        run created it).

    Returns
    -------
    ScaleOutput

    Raises
    ------
    ValueError
        A bad address, no scheduler answering, or (local cluster) a run needing more memory than
        this machine has, with the estimate.
    theory.files.CheckpointError
        A checkpoint of other parameters or another package version, or a corrupt one (a
        ValueError naming the file and ``--restart``).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 3, eq. 10 and SI App. D.
    docs/theory/dynamical-regimes.md secs. 3.4 and 4.
    """
    seed = recorded_seed(rng)
    q = QUICK_FIG3_LARGE if quick else {"configs": large.FIG3_LARGE_CONFIGS,
                                        "times": tuple(large.FIG3_TIMES), "target": 0.0023,
                                        "pilot": 512, "task_bytes": large._TASK_BYTES,
                                        "shard_bytes": large._SHARD_BYTES}
    configs = tuple((int(d), int(n)) for d, n in (configs or q["configs"]))
    workers = workers or max(1, min(os.cpu_count() or 1, 4))
    if scheduler is None or scheduler == "serial":
        need, why = fig3_large_memory(configs, 1 if scheduler == "serial" else workers,
                                      task_bytes=q["task_bytes"], shard_bytes=q["shard_bytes"])
        _check_memory(need, why, "--large")
    out = Path(out_dir)
    ck = Path(checkpoint_dir) if checkpoint_dir is not None else out / "fig3_large.ck"
    ck_created = checkpoint_dir is None or not ck.exists()     # the default folder is ours
    params = {"figure": "3-large", "configs": [list(c) for c in configs], "times": list(q["times"]),
              "target_se_over_alpha": q["target"], "pilot": q["pilot"], "mu_tilde": 1.0,
              "sigma": 1.0, "task_bytes": q["task_bytes"], "shard_bytes": q["shard_bytes"],
              "scheduler": scheduler or f"local cluster ({workers} workers)"}
    t0 = time.perf_counter()
    where, cluster_kwargs, client = _connect(scheduler, workers, connect_timeout)
    try:
        with Progress(len(configs) * len(q["times"]), "fig3 --large", enabled=progress,
                      lines=progress is None) as bar:
            rows = large.fig3_large(where, ck, seed=seed, configs=configs, times=np.asarray(q["times"]),
                                    target=q["target"], pilot=q["pilot"],
                                    cluster_kwargs=cluster_kwargs, task_bytes=q["task_bytes"],
                                    shard_bytes=q["shard_bytes"], restart=restart,
                                    keep_checkpoint=True, on_result=lambda task, row: bar.update())
    finally:
        _close(client)
    summary: dict = {"configs": {}}
    for d, n in configs:
        sel = [r for r in rows if r["d"] == d and r["n"] == n]
        try:
            tc_hat = collapse_time_from_entropy([r["t"] for r in sel], [r["fe_over_alpha"] for r in sel],
                                                [r["se"] for r in sel], atol=0.01)
        except (NotFoundError, ValueError):
            tc_hat = None
        late = [r for r in sel if r["t"] >= 1.5 * r["t_C"]]
        ratios = [r["variance_ratio_loglik"] for r in sel if 0.1 < r["fe_over_alpha"] < 0.9]
        summary["configs"][f"{d}x{n}"] = {
            "d": d, "n": n, "t_C_from_entropy": tc_hat, "t_C_eq10": float(collapse_time(d, n)),
            "max_dev_finite_d": max((abs(r["fe_over_alpha"] - r["theory_finite_d"]) for r in late),
                                    default=None),
            "max_dev_paper_curve": max((abs(r["fe_over_alpha"] - r["theory_paper"]) for r in late),
                                       default=None),
            "max_se": max(r["se"] for r in sel),
            "variance_ratio_loglik_median": float(np.median(ratios)) if ratios else None,
            "task_seconds": float(sum(r["seconds"] for r in sel))}
    png = out / "fig3_large.png" if plot else None
    if plot:
        _plot_fig3_large(rows, configs, png, quick)
    csv = write_csv(out / "fig3_large.csv", rows)
    secs = time.perf_counter() - t0
    summary["seconds"] = secs
    js = write_json(out / "fig3_large.json", {**run_metadata(params, seed), "seconds": secs,
                                              "checkpoint_dir": str(ck) if keep_checkpoint else None,
                                              "summary": summary, "rows": rows})
    if not keep_checkpoint:               # the results are written: the checkpoints are done with
        remove_checkpoints(ck, remove_folder=ck_created)
    return ScaleOutput(png, csv, js, rows, summary, secs)


def _plot_fig3_large(rows, configs, png, quick) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for i, (d, n) in enumerate(configs):
        sel = [r for r in rows if r["d"] == d and r["n"] == n]
        a = math.log(n) / d
        ts = [r["t"] for r in sel]
        tt = np.linspace(min(ts) * 0.9, max(ts), 400)
        ax.plot(tt, np.asarray(excess_entropy(tt, d, n)) / a, color=f"C{i}", lw=1.2,
                label=f"d = {d}, n = {n}")
        ax.plot(tt, np.asarray(excess_entropy(tt, d, n, finite_d=True)) / a, color=f"C{i}", lw=1.2,
                ls=":")
        ax.errorbar(ts, [r["fe_over_alpha"] for r in sel], yerr=[3 * r["se"] for r in sel], fmt="o",
                    ms=3, color=f"C{i}")
        ax.axvline(collapse_time(d, n), color=f"C{i}", ls="--", lw=0.8)
    ax.set_xlabel("t (OU time)")
    ax.set_ylabel(r"$f^e(t)/\alpha$")
    ax.set_title(("quick sizes; " if quick else "") + "Fig. 3 at large d and n (Dask); solid: "
                 "paper's curve, dotted: finite-d; dashed: eq. 10; bars: 3 s.e.", fontsize=8)
    ax.legend(fontsize=8)
    save_figure(fig, png)
    plt.close(fig)


_SCALARS = ("d", "n", "seed", "alpha", "t_S_mc", "t_S_theory", "t_S_paper", "t_C_mc", "t_C_theory",
            "t_C_finite_d")


def _mean_sd(values) -> dict:
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=float)
    if v.size == 0:
        return {"mean": None, "sd": None, "found": 0}
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
            "found": int(v.size)}


def validate_phase_diagram(d_grid: Sequence[int], n_grid: Sequence[int], seeds: Sequence[int],
                           scheduler: str | None = None, checkpoint_dir: str | Path | None = None, *,
                           out_dir: str | Path = "validate", n_samples: int = 2000,
                           mu_tilde: float = 1.0, workers: int | None = None,
                           connect_timeout: float = 5.0, plot: bool = True,
                           progress: bool | None = None, restart: bool = False,
                           keep_checkpoint: bool = False) -> ScaleOutput:
    """t_S and t_C by Monte Carlo over a (d, n) grid, drawn on the (t, alpha) phase diagram.

    Parameters
    ----------
    d_grid, n_grid, seeds : sequences of int
        One Dask task per (d, n, seed).
    scheduler : None, "serial" or str
        As in :func:`reproduce_fig3_large`.
    checkpoint_dir : path, optional
        One file per finished task (default ``out_dir/validate.ck``).
    out_dir : path
        Folder for ``validate.csv`` (one row per task), ``validate.json`` (rows with their curves,
        the mean and spread over seeds per (d, n)) and ``validate.png``.
    n_samples, mu_tilde :
        As in :func:`validation.phase_point`.
    plot : bool
        Draw the figure.
    workers : int, optional
        Processes of the local cluster (default: the cores, at most 4).
    connect_timeout : float, default 5.0
        Seconds to reach a scheduler address.
    progress : bool, optional
        Progress bar on a terminal, log lines otherwise (default: on a terminal only).
    restart : bool
        Discard the checkpoints of an earlier run instead of resuming from (or refusing) them.
    keep_checkpoint : bool
        Keep the checkpoints after a successful run (default: removed, with their folder when this
        run created it).

    Returns
    -------
    ScaleOutput
        ``summary["points"]``: per (d, n) the mean and standard deviation over seeds of t_S and
        t_C by Monte Carlo, with the theory's values.

    Raises
    ------
    theory.files.CheckpointError
        A checkpoint of other parameters or another package version, or a corrupt one (a
        ValueError naming the file and ``--restart``).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 1 (phase diagram), eqs. 6
    and 10.
    docs/theory/dynamical-regimes.md secs. 2.4 and 3.4.
    """
    workers = workers or max(1, min(os.cpu_count() or 1, 4))
    if scheduler is None or scheduler == "serial":
        need, why = validation_memory(d_grid, n_grid, 1 if scheduler == "serial" else workers)
        _check_memory(need, why, "--d/--n")
    out = Path(out_dir)
    ck = Path(checkpoint_dir) if checkpoint_dir is not None else out / "validate.ck"
    ck_created = checkpoint_dir is None or not ck.exists()     # the default folder is ours
    t0 = time.perf_counter()
    where, cluster_kwargs, client = _connect(scheduler, workers, connect_timeout)
    try:
        with Progress(len(d_grid) * len(n_grid) * len(seeds), "validate", enabled=progress,
                      lines=progress is None) as bar:
            rows = large.phase_diagram_validation(d_grid, n_grid, seeds, where, ck,
                                                  n_samples=n_samples, mu_tilde=mu_tilde,
                                                  cluster_kwargs=cluster_kwargs, restart=restart,
                                                  keep_checkpoint=True,
                                                  on_result=lambda task, row: bar.update())
    finally:
        _close(client)
    points = []
    for d in d_grid:
        for n in n_grid:
            sel = [r for r in rows if r["d"] == d and r["n"] == n]
            points.append({"d": int(d), "n": int(n), "alpha": math.log(n) / d,
                           "t_S_mc": _mean_sd(r["t_S_mc"] for r in sel),
                           "t_C_mc": _mean_sd(r["t_C_mc"] for r in sel),
                           **{k: sel[0][k] for k in ("t_S_theory", "t_S_paper", "t_C_theory",
                                                     "t_C_finite_d")}})
    summary = {"points": points, "seeds": [int(s) for s in seeds], "n_samples": int(n_samples)}
    png = out / "validate.png" if plot else None
    if plot:
        _plot_validation(points, png, mu_tilde)
    csv = write_csv(out / "validate.csv", [{k: r[k] for k in _SCALARS} for r in rows])
    secs = time.perf_counter() - t0
    summary["seconds"] = secs
    params = {"d": [int(d) for d in d_grid], "n": [int(n) for n in n_grid],
              "seeds": [int(s) for s in seeds], "n_samples": int(n_samples),
              "mu_tilde": float(mu_tilde), "sigma": 1.0, "level": 0.75, "atol": 0.01,
              "scheduler": scheduler or f"local cluster ({workers} workers)"}
    js = write_json(out / "validate.json", {**run_metadata(params, None), "seconds": secs,
                                            "checkpoint_dir": str(ck) if keep_checkpoint else None,
                                            "summary": summary, "rows": rows})
    if not keep_checkpoint:               # the results are written: the checkpoints are done with
        remove_checkpoints(ck, remove_folder=ck_created)
    return ScaleOutput(png, csv, js, rows, summary, secs)


def _plot_validation(points, png, mu_tilde) -> None:
    plt = pyplot()
    dims = sorted({p["d"] for p in points})
    cols = min(3, len(dims))
    rows_ = math.ceil(len(dims) / cols)
    fig, axes = plt.subplots(rows_, cols, figsize=(4.8 * cols, 3.8 * rows_), squeeze=False)
    for ax in axes.flat[len(dims):]:
        ax.set_visible(False)
    for ax, d in zip(axes.flat, dims, strict=False):
        sel = [p for p in points if p["d"] == d]
        alphas = np.array([p["alpha"] for p in sel])
        t_max = 1.3 * max([1.0] + [v for p in sel for v in (p["t_S_paper"], p["t_C_theory"],
                                                             p["t_S_mc"]["mean"] or 0.0,
                                                             p["t_C_mc"]["mean"] or 0.0)
                                   if v is not None and math.isfinite(v)])
        diag = phase_diagram_t_alpha(np.linspace(0.0, t_max, 200),
                                     np.geomspace(alphas.min() / 2, alphas.max() * 2, 200), d,
                                     mu_tilde)
        diag.plot(ax=ax, log_y=True)
        for key, theory, marker, color, label in (
                ("t_S_mc", "t_S_theory", "s", "C0", r"$t_S$"),
                ("t_C_mc", "t_C_finite_d", "o", "C3", r"$t_C$")):
            mean = np.array([np.nan if p[key]["mean"] is None else p[key]["mean"] for p in sel])
            sd = np.array([0.0 if p[key]["sd"] is None else p[key]["sd"] for p in sel])
            ax.errorbar(mean, alphas, xerr=sd, fmt=marker, ms=4, color=color, mec="k",
                        label=f"{label} Monte Carlo (mean, sd over seeds)")
            ax.plot([p[theory] for p in sel], alphas, "x", color=color, ms=6,
                    label=f"{label} theory at this d" + (" (finite d)" if key == "t_C_mc" else ""))
        ax.set_title(f"d = {d}", fontsize=9)
        ax.legend(fontsize=6, loc="lower right")
    fig.suptitle("Phase diagram validated by Monte Carlo (regions: eqs. 4 and 10)", fontsize=10)
    save_figure(fig, png)
    plt.close(fig)
