"""Monte Carlo sweeps over a grid (models, d, n, t, seeds) as independent tasks on Dask.

A sweep is a list of :class:`Task` objects, each a picklable function with its keyword arguments
(its seed among them), so a task's result depends on nothing but the task: the sweep gives the same
numbers run serially, on a local cluster or on a remote one.  :func:`run_sweep` submits the tasks
to a ``distributed`` cluster -- a :class:`distributed.LocalCluster` by default, an existing cluster
by its scheduler address, or a :class:`distributed.Client` -- and gathers each result as soon as it
is ready; with ``checkpoint_dir`` every result is written at once to its own file (atomically), so a
lost worker loses only the task it was running (the scheduler reschedules it) and an interrupted
sweep resumes with the tasks it had not finished.  ``scheduler="serial"`` runs the same tasks in
this process, without Dask.

Examples
--------
>>> tasks = grid_tasks(_square_plus_seed, {"x": [1, 2]}, seeds=[0, 1])
>>> [t.key for t in tasks]
['x=1/seed=0', 'x=1/seed=1', 'x=2/seed=0', 'x=2/seed=1']
>>> run_sweep(tasks, scheduler="serial")["x=2/seed=1"]
5

References
----------
M. Rocklin, "Dask: parallel computation with blocked algorithms and task scheduling", Proc. 14th
Python in Science Conf. (2015), 130-136 (the distributed scheduler's task model).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Task", "grid_tasks", "run_sweep", "get_client"]


@dataclass(frozen=True)
class Task:
    """One independent unit of a sweep: ``fun(**kwargs)`` under a unique ``key``.

    ``fun`` must be picklable (a module-level function, a ``functools.partial`` of one, or a
    picklable callable object) and deterministic given ``kwargs`` (pass the seed in ``kwargs``).
    ``params`` (optional) is what identifies the task in its checkpoint when ``kwargs`` hold objects
    that do not pickle (serial runs only).

    Parameters
    ----------
    key : str
        Unique key of the task (its checkpoint name).
    fun : callable
        Picklable function.
    kwargs : mapping
        Keyword arguments of ``fun``.
    params : mapping, optional
        What identifies the task in its checkpoint (default: ``kwargs``).
    """

    key: str
    fun: Callable[..., Any]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] | None = None

    def run(self) -> Any:
        return self.fun(**self.kwargs)

    def fingerprint(self) -> str:
        """Hash of the function's name and the arguments -- or of ``params`` when given, for
        arguments that do not pickle (a checkpoint is reused only if the hash is equal)."""
        name = f"{getattr(self.fun, '__module__', '')}.{getattr(self.fun, '__qualname__', repr(self.fun))}"
        what = self.kwargs if self.params is None else self.params
        blob = pickle.dumps((name, sorted(what.items())), protocol=4)
        return hashlib.sha256(blob).hexdigest()


def _square_plus_seed(x: int, seed: int) -> int:
    return x * x + seed


def grid_tasks(fun: Callable[..., Any], grid: Mapping[str, Sequence[Any]], *,
               seeds: Iterable[int] | None = None, seed_name: str = "seed",
               fixed: Mapping[str, Any] | None = None) -> list[Task]:
    """Tasks for every point of the Cartesian product of ``grid`` (and every seed).

    Parameters
    ----------
    fun : callable
        ``fun(**point, seed=..., **fixed)``.
    grid : mapping name -> sequence
        Axes of the sweep, e.g. ``{"d": [256, 1024], "n": [1000, 20000], "t": [...]}``.
    seeds : iterable of int, optional
        Seeds; each point runs once per seed (passed as ``seed_name``).
    seed_name : str
        Keyword under which the seed is passed (``"rng"`` for the package's functions).
    fixed : mapping, optional
        Keyword arguments shared by every task.

    Returns
    -------
    list of Task
        Keys ``"name=value/.../seed=s"`` in grid order.
    """
    names = list(grid)
    seeds = [None] if seeds is None else list(seeds)
    tasks = []
    for values in itertools.product(*(grid[k] for k in names)):
        point = dict(zip(names, values, strict=True))
        for s in seeds:
            kw = {**(fixed or {}), **point}
            key = "/".join(f"{k}={v}" for k, v in point.items())
            if s is not None:
                kw[seed_name] = s
                key += f"/{seed_name}={s}"
            tasks.append(Task(key, fun, kw))
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("grid: the task keys are not unique (repeated grid values)")
    return tasks


def _checkpoint_file(directory: Path, key: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", key)[:80]
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return directory / f"{safe}.{digest}.pkl"


def _load(directory: Path | None, task: Task) -> tuple[bool, Any]:
    if directory is None:
        return False, None
    path = _checkpoint_file(directory, task.key)
    try:
        with open(path, "rb") as fh:
            rec = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return False, None
    if rec.get("key") == task.key and rec.get("fingerprint") == task.fingerprint():
        return True, rec["result"]
    return False, None


def _save(directory: Path | None, task: Task, result: Any) -> None:
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    path = _checkpoint_file(directory, task.key)
    fd, tmp = tempfile.mkstemp(prefix=".tmp.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"key": task.key, "fingerprint": task.fingerprint(), "result": result},
                        fh, protocol=4)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def get_client(scheduler=None, **cluster_kwargs):
    """A ``distributed.Client`` and whether the caller owns it (must close it).

    Parameters
    ----------
    scheduler : None, str or distributed.Client
        ``None``: a new :class:`distributed.LocalCluster` (``cluster_kwargs`` passed on, e.g.
        ``n_workers=2, processes=False``); a string: the address of a running scheduler
        (``"tcp://host:8786"``); a Client: used as it is.

    Returns
    -------
    client : distributed.Client
    owned : bool
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:                                    # pragma: no cover
        raise ImportError("scheduler: Dask sweeps need the optional extra 'dask' "
                          "(pip install 'diffusion-regimes[dask]')") from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    if scheduler is None:
        kw = {"dashboard_address": None, **cluster_kwargs}
        cluster = LocalCluster(**kw)
        return Client(cluster), True
    if isinstance(scheduler, str):
        return Client(scheduler), True
    raise TypeError(f"scheduler must be None, 'serial', an address string or a distributed.Client "
                    f"(got {type(scheduler).__name__})")


def run_sweep(tasks: Sequence[Task], scheduler=None, checkpoint_dir: str | os.PathLike | None = None,
              *, retries: int = 2, cluster_kwargs: Mapping[str, Any] | None = None,
              on_result: Callable[[Task, Any], None] | None = None) -> dict[str, Any]:
    """Run independent tasks on Dask (or serially) with per-task checkpoints.

    Parameters
    ----------
    tasks : sequence of Task
        Unique keys; each task deterministic given its arguments (seeds included).
    scheduler : None, "serial", str or distributed.Client
        ``None``: a new local cluster (closed at the end); ``"serial"``: this process, no Dask;
        an address: an existing cluster (``regimes ... --scheduler tcp://host:8786``); a Client.
    checkpoint_dir : path, optional
        One file per finished task; tasks whose file exists with the same arguments are not
        run again.
    retries : int
        Times the scheduler reruns a task whose worker was lost or that raised.
    cluster_kwargs : mapping, optional
        Passed to :class:`distributed.LocalCluster` when ``scheduler`` is None.
    on_result : callable, optional
        ``on_result(task, result)`` as each result arrives (progress, logging).

    Returns
    -------
    dict
        ``{task.key: result}`` in the order of ``tasks``.

    Notes
    -----
    Results are identical to the serial run for the same seeds: a task's arguments hold all of its
    randomness, and the result of a task is written to its checkpoint by this process as soon as it
    arrives, so a worker lost later costs nothing already finished.

    References
    ----------
    M. Rocklin (2015), "Dask: parallel computation with blocked algorithms and task scheduling",
    Proc. SciPy 2015 (the distributed task model).
    """
    tasks = list(tasks)
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("tasks: keys must be unique")
    directory = Path(checkpoint_dir) if checkpoint_dir is not None else None
    results: dict[str, Any] = {}
    todo = []
    for task in tasks:
        found, value = _load(directory, task)
        if found:
            results[task.key] = value
        else:
            todo.append(task)
    if todo and scheduler == "serial":
        for task in todo:
            value = task.run()
            _save(directory, task, value)
            results[task.key] = value
            if on_result:
                on_result(task, value)
    elif todo:
        from distributed import as_completed

        client, owned = get_client(scheduler, **(cluster_kwargs or {}))
        try:
            futures = {client.submit(_run_task, task, key=f"sweep-{task.fingerprint()[:16]}-{i}",
                                     retries=retries, pure=False): task
                       for i, task in enumerate(todo)}
            for fut in as_completed(futures):
                task = futures[fut]
                value = fut.result()
                _save(directory, task, value)
                results[task.key] = value
                if on_result:
                    on_result(task, value)
                fut.release()
        finally:
            if owned:
                cluster = getattr(client, "cluster", None)
                client.close()
                if cluster is not None:
                    cluster.close()
    return {k: results[k] for k in keys}


def _run_task(task: Task) -> Any:
    return task.run()
