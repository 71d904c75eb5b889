"""Checkpointed, interruptible runs whose result files are written atomically.

A :class:`PointRun` computes a list of independent points (e.g. one (d, t) pair each), saving after
every point to a JSON checkpoint (temporary file, then rename).  The checkpoint has a schema: a
format name and version, the package version, the full parameters, the seed, the results and the
SHA-256 checksum of all of these.  Re-running with the same parameters resumes where it stopped.  A
checkpoint that cannot be trusted (other parameters, seed or package version, a bad checksum,
truncated or invalid JSON, the wrong shape, non-finite values) is refused with a
:class:`CheckpointError` naming the file; ``restart=True`` (``--restart`` on the command line)
discards it and starts over.  :meth:`PointRun.finish` removes the checkpoint after a successful run
(unless it is kept).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "run.checkpoint.json"
>>> run = PointRun(path, {"times": [1, 2]}, seed=0)
>>> run.run([1, 2], lambda t: {"value": 2.0 * t}, progress=False)
{'1': {'value': 2.0}, '2': {'value': 4.0}}
>>> run.finish(); path.exists()
False
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from theory import __version__
from theory.files import write_json
from theory.progress import Progress

__all__ = ["CheckpointError", "PointRun", "run_metadata", "recorded_seed", "CHECKPOINT_FORMAT"]

#: name and version of the checkpoint schema
CHECKPOINT_FORMAT = ("diffusion-regimes-checkpoint", 2)


class CheckpointError(ValueError):
    """A checkpoint file that cannot be resumed from (the message names the file and ``--restart``)."""


def recorded_seed(rng) -> int:
    """The integer seed of a reproducible, checkpointed run (a Generator cannot be recorded).

    Parameters
    ----------
    rng : int
        Seed, ``>= 0``.

    Returns
    -------
    int
        The seed.

    Raises
    ------
    ValueError
        If ``rng`` is an integer < 0.
    TypeError
        If ``rng`` is not an integer.
    """
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be an integer seed >= 0 for a checkpointed run, recorded with the "
                        f"results (got {rng!r})")
    if rng < 0:
        raise ValueError(f"seed must be an integer >= 0 for a checkpointed run (got {rng})")
    return int(rng)


def run_metadata(params: dict, seed: int | None) -> dict:
    """Parameters, seed and package version written beside every result.

    Parameters
    ----------
    params : dict
        Parameters of the run.
    seed : int or None
        Its integer seed.

    Returns
    -------
    dict
        ``{"package", "version", "seed", "params"}``.
    """
    return {"package": "diffusion-regimes", "version": __version__, "seed": seed,
            "params": params}


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, default=float)


def _checksum(payload: dict) -> str:
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def _all_finite(obj: Any) -> bool:
    if isinstance(obj, dict):
        return all(_all_finite(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(_all_finite(v) for v in obj)
    if isinstance(obj, float):
        return math.isfinite(obj)
    return obj is None or isinstance(obj, (str, int, bool))


class PointRun:
    """Compute ``fun(point)`` for every point, checkpointing to ``path`` after each one.

    Parameters
    ----------
    path : str or Path, optional
        Checkpoint file (JSON).  ``None``: no checkpoint.
    params : dict
        Everything that determines the results (sizes, times, seed, ...).
    seed : int, optional
    restart : bool
        Discard an existing checkpoint instead of resuming from it (and instead of refusing one
        that cannot be trusted).

    Raises
    ------
    CheckpointError
        If ``path`` holds a checkpoint of other parameters, seed or package version, with a bad
        checksum, truncated or invalid JSON, the wrong shape or non-finite values (and not
        ``restart``).
    """

    def __init__(self, path: str | os.PathLike | None, params: dict, seed: int | None = None, *,
                 restart: bool = False):
        self.path = Path(path) if path is not None else None
        self.meta = run_metadata(params, seed)
        self.results: dict[str, Any] = {}
        if self.path is not None and (self.path.exists() or self.path.is_symlink()):
            if self.path.is_dir():
                raise CheckpointError(f"checkpoint {self.path} is a folder, not a file; remove it or "
                                      f"choose another output folder")
            if restart:
                self.path.unlink()
            else:
                self.results = self._load()

    def _refuse(self, why: str) -> CheckpointError:
        return CheckpointError(f"checkpoint {self.path} {why}; rerun with --restart to discard it "
                               f"and start over (or remove the file)")

    def _load(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self._refuse(f"cannot be read ({type(exc).__name__}: {exc})") from None
        try:
            old = json.loads(text, parse_constant=_no_constant)
        except ValueError as exc:
            raise self._refuse(f"is not valid JSON (truncated or corrupt: {exc})") from None
        keys = {"format", "format_version", "meta", "results", "sha256"}
        if not isinstance(old, dict) or not keys <= set(old) or not isinstance(old["meta"], dict) \
                or not isinstance(old["results"], dict):
            raise self._refuse(f"does not have the checkpoint schema (a JSON object with the keys "
                               f"{', '.join(sorted(keys))})")
        if (old["format"], old["format_version"]) != CHECKPOINT_FORMAT:
            raise self._refuse(f"has format {old['format']!r} version {old['format_version']!r}, "
                               f"not {CHECKPOINT_FORMAT[0]!r} version {CHECKPOINT_FORMAT[1]}")
        payload = {k: old[k] for k in ("format", "format_version", "meta", "results")}
        try:
            good = _checksum(payload) == old["sha256"]
        except ValueError:
            good = False
        if not good:
            raise self._refuse("has a bad checksum (edited or corrupt)")
        meta = old["meta"]
        if meta.get("version") != __version__:
            raise self._refuse(f"was written by version {meta.get('version')!r} of the package, "
                               f"this is {__version__}")
        if meta.get("params") != json.loads(json.dumps(self.meta["params"], default=float)):
            raise self._refuse("was written for other parameters")
        if meta.get("seed") != self.meta["seed"]:
            raise self._refuse(f"was written with seed {meta.get('seed')!r}, not "
                               f"{self.meta['seed']!r}")
        if not _all_finite(old["results"]):
            raise self._refuse("holds non-finite or non-numeric values")
        return old["results"]

    def run(self, points: Sequence[Any], fun: Callable[[Any], Any],
            key: Callable[[Any], str] = str, label: str = "points",
            progress: bool | None = None) -> dict[str, Any]:
        """Run the missing points (in order) and return ``{key(point): result}``."""
        todo = [p for p in points if key(p) not in self.results]
        with Progress(len(todo), label, enabled=progress) as bar:
            for p in todo:
                self.results[key(p)] = fun(p)
                self.save()
                bar.update()
        return {key(p): self.results[key(p)] for p in points}

    def save(self) -> None:
        """Write the checkpoint (kept when an enclosing output set fails: it is what resumes)."""
        if self.path is not None:
            payload = {"format": CHECKPOINT_FORMAT[0], "format_version": CHECKPOINT_FORMAT[1],
                       "meta": self.meta, "results": json.loads(_canonical(self.results))}
            write_json(self.path, {**payload, "sha256": _checksum(payload)}, keep=True)

    def finish(self, keep: bool = False) -> None:
        """After a successful run: remove the checkpoint unless ``keep``."""
        if self.path is not None and not keep and self.path.exists():
            self.path.unlink()


def _no_constant(name: str):
    raise ValueError(f"non-finite constant {name}")
