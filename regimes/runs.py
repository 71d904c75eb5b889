"""Checkpointed, interruptible runs whose result files are written atomically.

A :class:`PointRun` computes a list of independent points (e.g. one (d, t) pair each), saving after
every point to a JSON checkpoint (temporary file, then rename) that records the parameters, the
seed and the package version.  Re-running with the same parameters resumes where it stopped; a
checkpoint made with other parameters is not mixed in.

Examples
--------
A run of three points checkpointed to a file; a second run with the same parameters finds
them all done:

>>> import pathlib, tempfile
>>> from regimes.runs import PointRun
>>> with tempfile.TemporaryDirectory() as tmp:
...     ck = pathlib.Path(tmp) / "run.json"
...     first = PointRun(ck, {"what": "squares"}, seed=0).run([1, 2, 3], lambda p: p * p)
...     again = PointRun(ck, {"what": "squares"}, seed=0).run([1, 2, 3], lambda p: 0)
>>> first
{'1': 1, '2': 4, '3': 9}
>>> again == first
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from theory import __version__
from theory.files import write_json
from theory.progress import Progress

__all__ = ["PointRun", "run_metadata", "recorded_seed"]


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
    TypeError
        If ``rng`` is not an integer >= 0.
    """
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise TypeError(f"rng must be an integer seed >= 0 for a checkpointed run, recorded with the "
                        f"results (got {rng!r})")
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
    """

    def __init__(self, path: str | os.PathLike | None, params: dict, seed: int | None = None):
        self.path = Path(path) if path is not None else None
        self.meta = run_metadata(params, seed)
        self.results: dict[str, Any] = {}
        if self.path is not None and self.path.exists():
            try:
                old = json.loads(self.path.read_text())
            except (OSError, json.JSONDecodeError):
                old = None
            if old and old.get("meta", {}).get("params") == json.loads(json.dumps(params)) \
                    and old.get("meta", {}).get("seed") == seed:
                self.results = old.get("results", {})

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
        if self.path is not None:
            write_json(self.path, {"meta": self.meta, "results": self.results})
