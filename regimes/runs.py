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

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from theory import __version__
from theory.files import CheckpointError, read_checkpoint, write_checkpoint
from theory.progress import Progress

__all__ = ["CheckpointError", "PointRun", "run_metadata", "recorded_seed", "CHECKPOINT_FORMAT"]

#: name and version of the checkpoint schema
CHECKPOINT_FORMAT = ("diffusion-regimes-checkpoint", 2)


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

    def _load(self) -> dict:
        results = read_checkpoint(self.path, CHECKPOINT_FORMAT, self.meta)
        if not isinstance(results, dict):
            raise CheckpointError(f"checkpoint {self.path} does not have the checkpoint schema "
                                  f"(its results are not a JSON object); rerun with --restart to "
                                  f"discard it and start over (or remove the file)")
        return results

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
            write_checkpoint(self.path, CHECKPOINT_FORMAT, self.meta, self.results)

    def finish(self, keep: bool = False) -> None:
        """After a successful run: remove the checkpoint unless ``keep``."""
        if self.path is not None and not keep and self.path.exists():
            self.path.unlink()

