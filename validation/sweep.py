"""Monte Carlo sweeps over a grid (models, d, n, t, seeds) as independent tasks on Dask.

A sweep is a list of :class:`Task` objects, each a picklable function with its keyword arguments
(its seed among them), so a task's result depends on nothing but the task: the sweep gives the same
numbers run serially, on a local cluster or on a remote one.  :func:`run_sweep` submits the tasks
to a ``distributed`` cluster -- a :class:`distributed.LocalCluster` by default, an existing cluster
by its scheduler address, or a :class:`distributed.Client` -- and gathers each result as soon as it
is ready; with ``checkpoint_dir`` every result is written at once to its own file (atomically, by
this process), so a lost worker loses only the task it was running (the scheduler reschedules it)
and an interrupted sweep resumes with the tasks it had not finished.  ``scheduler="serial"`` runs
the same tasks in this process, without Dask.

Each task's checkpoint is a JSON file with the schema of :func:`theory.files.write_checkpoint`
(format ``diffusion-regimes-sweep-task`` version 1): the package version, the task's key, function
and full arguments, its result and a SHA-256 checksum.  A file written for other arguments, by
another package version, with a bad checksum, truncated, not JSON or of the wrong shape is refused
with a one-line :class:`theory.files.CheckpointError` naming it -- never silently recomputed or
reused; ``restart=True`` discards it.  After a successful sweep the files are removed (and the
folder, if the sweep created it and it is empty) unless ``keep_checkpoint=True``.  Non-finite
numbers of a result (a time not found: NaN) are recorded as tagged strings, so a bare NaN or
Infinity in a file is corruption and is refused.

Examples
--------
>>> tasks = grid_tasks(_square_plus_seed, {"x": [1, 2]}, seeds=[0, 1])
>>> [t.key for t in tasks]
['x=1/seed=0', 'x=1/seed=1', 'x=2/seed=0', 'x=2/seed=1']
>>> run_sweep(tasks, scheduler="serial")["x=2/seed=1"]
5
>>> import tempfile, pathlib
>>> ck = pathlib.Path(tempfile.mkdtemp()) / "sweep.ck"
>>> run_sweep(tasks, scheduler="serial", checkpoint_dir=ck, keep_checkpoint=True)["x=1/seed=1"]
2
>>> len(list(ck.glob("*.json")))
4
>>> remove_checkpoints(ck, remove_folder=True); ck.exists()
False

References
----------
M. Rocklin, "Dask: parallel computation with blocked algorithms and task scheduling", Proc. 14th
Python in Science Conf. (2015), 130-136 (the distributed scheduler's task model).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import pickle
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import theory
from theory.files import CheckpointError, read_checkpoint, write_checkpoint

__all__ = ["Task", "grid_tasks", "run_sweep", "get_client", "remove_checkpoints",
           "SWEEP_CHECKPOINT_FORMAT"]

#: name and version of the per-task checkpoint schema
SWEEP_CHECKPOINT_FORMAT = ("diffusion-regimes-sweep-task", 1)

_TAG = "__checkpoint_value__"
_FILE = re.compile(r".*\.[0-9a-f]{12}\.(json|pkl)$")


@dataclass(frozen=True)
class Task:
    """One independent unit of a sweep: ``fun(**kwargs)`` under a unique ``key``.

    ``fun`` must be picklable (a module-level function, a ``functools.partial`` of one, or a
    picklable callable object) and deterministic given ``kwargs`` (pass the seed in ``kwargs``).
    ``params`` (optional) is what identifies the task in its checkpoint when ``kwargs`` hold objects
    that cannot be recorded as JSON (serial runs only); it must then hold everything the result
    depends on.

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
        arguments that do not pickle (names the task's Dask key; the checkpoint records the
        arguments themselves)."""
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


def _checkpoint_file(directory: Path, key: str, suffix: str = ".json") -> Path:
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", key)[:80]
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return directory / f"{safe}.{digest}{suffix}"


def _encode(obj: Any, where: str) -> Any:
    """Strict JSON of a result or an argument: non-finite floats, tuples and arrays tagged."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else {_TAG: "float", "value": repr(x)}
    if isinstance(obj, list):
        return [_encode(v, where) for v in obj]
    if isinstance(obj, tuple):
        return {_TAG: "tuple", "items": [_encode(v, where) for v in obj]}
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj) or _TAG in obj:
            raise TypeError(f"{where}: a dict with keys that are not strings (or the key {_TAG!r}) "
                            f"cannot be recorded in a checkpoint")
        return {k: _encode(v, where) for k, v in obj.items()}
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "biuf":
        return {_TAG: "ndarray", "dtype": obj.dtype.str, "shape": list(obj.shape),
                "data": _encode(obj.ravel().tolist(), where)}
    raise TypeError(f"{where}: a {type(obj).__name__} cannot be recorded in a checkpoint (numbers, "
                    f"strings, None, lists, tuples, dicts with string keys and numeric arrays can; "
                    f"give Task(params=...) for arguments that are objects)")


def _decode(obj: Any) -> Any:
    """Inverse of :func:`_encode`; ValueError on a value it cannot have written."""
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if _TAG not in obj:
        return {k: _decode(v) for k, v in obj.items()}
    kind = obj[_TAG]
    if kind == "float" and set(obj) == {_TAG, "value"} and obj["value"] in ("nan", "inf", "-inf"):
        return float(obj["value"])
    if kind == "tuple" and set(obj) == {_TAG, "items"} and isinstance(obj["items"], list):
        return tuple(_decode(v) for v in obj["items"])
    if kind == "ndarray" and set(obj) == {_TAG, "dtype", "shape", "data"}:
        try:
            dtype = np.dtype(obj["dtype"])
            if dtype.kind not in "biuf":
                raise ValueError(f"dtype {dtype}")
            return np.asarray(_decode(obj["data"]), dtype=dtype).reshape(obj["shape"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"an array that cannot be rebuilt ({exc})") from None
    raise ValueError(f"a tagged value {kind!r} this version does not write")


def _task_meta(task: Task) -> dict:
    """What the task's result depends on, as recorded in its checkpoint."""
    name = f"{getattr(task.fun, '__module__', '')}.{getattr(task.fun, '__qualname__', repr(task.fun))}"
    what = task.kwargs if task.params is None else task.params
    args = _encode(dict(what), f"task {task.key}: its arguments")
    return {"package": "diffusion-regimes", "version": theory.__version__,
            "params": {"task": task.key, "function": name, "arguments": args}}


def _load(directory: Path | None, task: Task, meta: dict, restart: bool) -> tuple[bool, Any]:
    if directory is None:
        return False, None
    path = _checkpoint_file(directory, task.key)
    legacy = _checkpoint_file(directory, task.key, ".pkl")
    if restart:
        for p in (path, legacy):
            if p.is_file() or p.is_symlink():
                p.unlink()
        return False, None
    if legacy.exists():
        raise CheckpointError(f"checkpoint {legacy} was written by an earlier version of the "
                              f"package (pickle format); rerun with --restart to discard it and "
                              f"start over (or remove the file)")
    if not (path.exists() or path.is_symlink()):
        return False, None
    rec = read_checkpoint(path, SWEEP_CHECKPOINT_FORMAT, meta)
    try:
        if not isinstance(rec, dict) or set(rec) != {"result"}:
            raise ValueError("not an object with the one key 'result'")
        return True, _decode(rec["result"])
    except ValueError as exc:
        raise CheckpointError(f"checkpoint {path} does not have the shape of a task's result "
                              f"({exc}); rerun with --restart to discard it and start over (or "
                              f"remove the file)") from None


def _save(directory: Path | None, task: Task, meta: dict, result: Any) -> Any:
    """Write the task's checkpoint; return the result as a resumed run will read it back."""
    if directory is None:
        return result
    rec = {"result": _encode(result, f"task {task.key}: its result")}
    write_checkpoint(_checkpoint_file(directory, task.key), SWEEP_CHECKPOINT_FORMAT, meta, rec)
    return _decode(rec["result"])


def _made_by_a_sweep(directory: Path) -> bool:
    """Whether a sweep makes the folder now, or an earlier (interrupted) sweep made it: missing, or
    holding nothing but task checkpoints (an empty folder that exists is the user's)."""
    if not directory.exists():
        return True
    entries = list(directory.iterdir()) if directory.is_dir() else [directory]
    return bool(entries) and all(_FILE.fullmatch(p.name) and p.is_file() for p in entries)


def remove_checkpoints(checkpoint_dir: str | os.PathLike, keys: Iterable[str] | None = None, *,
                       remove_folder: bool = False) -> None:
    """Remove the per-task checkpoint files of a sweep (after a successful run).

    Parameters
    ----------
    checkpoint_dir : path
        The sweep's checkpoint folder (a missing folder is fine).
    keys : iterable of str, optional
        Keys of the tasks whose files are removed (default: every task checkpoint in the folder,
        recognised by its name ``<key>.<12 hex digits>.json``, and earlier ``.pkl`` ones).
    remove_folder : bool
        Also remove the folder when it is then empty (set it when the run created the folder).

    Returns
    -------
    None
        Files (and the folder) are removed; other files in the folder are left alone.
    """
    directory = Path(checkpoint_dir)
    if not directory.is_dir():
        return
    if keys is None:
        files = [p for p in directory.iterdir() if _FILE.fullmatch(p.name) and p.is_file()]
    else:
        files = [_checkpoint_file(directory, k, s) for k in keys for s in (".json", ".pkl")]
    for p in files:
        if p.is_file():
            p.unlink()
    if remove_folder and not any(directory.iterdir()):
        directory.rmdir()


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
              *, restart: bool = False, keep_checkpoint: bool = False, retries: int = 2,
              cluster_kwargs: Mapping[str, Any] | None = None,
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
        One file per finished task (JSON with schema and checksum); a task whose file holds its
        result for the same function, arguments and package version is not run again.  All files
        are checked before any task runs.
    restart : bool
        Discard the tasks' checkpoint files instead of resuming from them (and instead of refusing
        ones that cannot be trusted).
    keep_checkpoint : bool
        Keep the checkpoint files after a successful sweep (default: removed, and the folder too
        when it is then empty and was made by this sweep or an interrupted earlier run of it --
        it held nothing but task checkpoints).
    retries : int
        Times the scheduler reruns a task whose worker was lost or that raised.
    cluster_kwargs : mapping, optional
        Passed to :class:`distributed.LocalCluster` when ``scheduler`` is None.
    on_result : callable, optional
        ``on_result(task, result)`` as each result arrives (progress, logging).

    Returns
    -------
    dict
        ``{task.key: result}`` in the order of ``tasks`` (with a checkpoint folder: the results as
        read back from their files, so a resumed sweep returns the same values and types).

    Raises
    ------
    theory.files.CheckpointError
        A task's checkpoint written for other arguments or by another package version, with a bad
        checksum, truncated, not JSON or of the wrong shape (and not ``restart``); one line naming
        the file and ``--restart``.
    TypeError
        With ``checkpoint_dir``: a task's arguments (without ``params``) or result that cannot be
        recorded as JSON.

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
    created = False
    if directory is not None:
        if directory.exists() and not directory.is_dir():
            raise ValueError(f"checkpoint_dir must be a folder (got {str(directory)!r}: a file)")
        created = _made_by_a_sweep(directory)
    metas = {t.key: _task_meta(t) for t in tasks} if directory is not None else {}
    results: dict[str, Any] = {}
    todo = []
    for task in tasks:
        found, value = _load(directory, task, metas.get(task.key, {}), restart)
        if found:
            results[task.key] = value
        else:
            todo.append(task)
    if todo and scheduler == "serial":
        for task in todo:
            value = _save(directory, task, metas.get(task.key, {}), task.run())
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
                value = _save(directory, task, metas.get(task.key, {}), fut.result())
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
    if directory is not None and not keep_checkpoint:
        remove_checkpoints(directory, keys, remove_folder=created)
    return {k: results[k] for k in keys}


def _run_task(task: Task) -> Any:
    return task.run()
