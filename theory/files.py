"""Atomic writing of result files: a temporary file in the target folder, then a rename.

A run that is interrupted (Ctrl-C, a crash, a full disk) therefore never leaves a half-written
result file behind: either the old file (or none) or the complete new one is there.

Examples
--------
>>> import json, pathlib, tempfile
>>> from theory.files import write_json
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_json(pathlib.Path(tmp) / "result.json", {"t_C": 2.5})
...     print(json.loads(path.read_text()))
{'t_C': 2.5}
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_path", "write_csv", "write_json", "write_text"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success.

    The temporary file keeps the target's suffix (matplotlib and numpy choose the format from it).

    Parameters
    ----------
    path : str or os.PathLike
        Target path.
    suffix : str, optional
        Suffix of the temporary file (default: the suffix of ``path``).

    Yields
    ------
    pathlib.Path
        The temporary path to write to.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix or target.suffix,
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~umask)   # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _write(path: str | os.PathLike, writer: Callable[[IO[str]], None]) -> Path:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    text : str
        Content.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return _write(path, lambda fh: fh.write(text))


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    obj : object
        JSON-serialisable object (numpy scalars and arrays are converted).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return _write(path, lambda fh: json.dump(obj, fh, indent=2, sort_keys=False, default=float))


def write_csv(path: str | os.PathLike, rows: list[dict]) -> Path:
    """Write a list of dicts (the first row's keys as header) as CSV to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    rows : list of dict
        One dict per row, all with the keys of the first row.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return write_text(path, buf.getvalue())
