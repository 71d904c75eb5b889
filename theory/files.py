"""Atomic writing of result files: a temporary file in the target folder, then a rename.

A run that is interrupted (Ctrl-C, SIGTERM, a crash, a full disk) therefore never leaves a
half-written result file behind: either the old file (or none) or the complete new one is there.
Inside :func:`output_set`, every file written through this module belongs to one set: if the block
fails, the files it wrote are removed again (the ones it overwrote are restored) and the folders it
created are removed, so that a failed run leaves no partial set and no temporary files.  Files
written with ``keep=True`` (checkpoints) are not part of the set: they survive a failed run.

Checkpoints (:func:`write_checkpoint`, :func:`read_checkpoint`) are JSON files with a schema: a format
name and version, ``meta`` (the package version, the full parameters, ...), the ``results`` and the
SHA-256 checksum of the canonical JSON of these four.  A checkpoint that cannot be trusted (another
format, version or parameters, a bad checksum, truncated or invalid JSON, the wrong shape,
non-finite values) is refused with a one-line :class:`CheckpointError` that names the file and says
how to start over.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> try:
...     with output_set():
...         _ = write_text(folder / "a.txt", "a")
...         raise RuntimeError("the run fails after the first file")
... except RuntimeError:
...     pass
>>> sorted(p.name for p in folder.iterdir())
[]
>>> with output_set():
...     _ = write_json(folder / "b.json", {"x": 1.0})
>>> sorted(p.name for p in folder.iterdir())
['b.json']
>>> meta = {"version": "1.0", "params": {"d": 8}}
>>> _ = write_checkpoint(folder / "ck.json", ("demo", 1), meta, {"t=1": 0.5})
>>> read_checkpoint(folder / "ck.json", ("demo", 1), meta)
{'t=1': 0.5}
>>> try:
...     read_checkpoint(folder / "ck.json", ("demo", 1), {**meta, "params": {"d": 16}})
... except CheckpointError as exc:
...     print(str(exc).split(";")[0].replace(str(folder), "DIR"))
checkpoint DIR/ck.json was written for other parameters (differs in: d)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_path", "json_ready", "output_set", "write_csv", "write_json", "write_text",
           "CheckpointError", "checksum", "write_checkpoint", "read_checkpoint"]

#: the journals of the open output sets (innermost last); each a list of (target, backup or None)
_SETS: list[dict] = []


def _check_target(path: str | os.PathLike) -> Path:
    if isinstance(path, str) and not path.strip():
        raise ValueError(f"path must name a file (got {path!r}: empty)")
    target = Path(path)
    if str(path).endswith(os.sep) or target.is_dir():
        raise ValueError(f"path must name a file, not a folder (got {str(path)!r})")
    if target.exists() and not target.is_file():
        # a rename onto a device (/dev/null) or a FIFO would replace it
        raise ValueError(f"path must name a regular file (got {str(path)!r}: a device or special file)")
    return target


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing ancestors; return the ones created (outermost first)."""
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


@contextlib.contextmanager
def output_set() -> Iterator[None]:
    """All-or-nothing block: on an exception, undo every file written inside it.

    Files written by :func:`atomic_path` (and the ``write_*`` functions) inside the block are
    recorded; if the block raises (any exception, KeyboardInterrupt included), each new file is
    removed, each overwritten file is restored from its backup and each folder the block created is
    removed when empty.  On success the backups are deleted.  Sets nest: an inner set's files join
    the outer one when it succeeds.

    Yields
    ------
    None
        The block runs inside the set.
    """
    journal: dict = {"files": [], "dirs": []}
    _SETS.append(journal)
    try:
        yield
    except BaseException:
        _SETS.pop()
        _rollback(journal)
        raise
    _SETS.pop()
    if _SETS:
        _SETS[-1]["files"].extend(journal["files"])
        _SETS[-1]["dirs"].extend(journal["dirs"])
    else:
        for _target, backup in journal["files"]:
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()


def _rollback(journal: dict) -> None:
    for target, backup in reversed(journal["files"]):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink()
    for folder in reversed(journal["dirs"]):
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None, *,
                keep: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success.

    The temporary file keeps the target's suffix (matplotlib and numpy choose the format from it).
    Inside :func:`output_set` the file joins the set (undone if the set fails) unless ``keep``.

    Parameters
    ----------
    path : str or os.PathLike
        Target path.
    suffix : str, optional
        Suffix of the temporary file (default: the suffix of ``path``).
    keep : bool, default False
        Keep the file out of the enclosing :func:`output_set` (checkpoints survive a failed run).

    Yields
    ------
    pathlib.Path
        The temporary path to write to.

    Raises
    ------
    ValueError
        If ``path`` is empty, names a folder or a special file (a device, a FIFO).
    """
    target = _check_target(path)
    created = _make_parents(target.parent)
    if _SETS and not keep:
        _SETS[-1]["dirs"].extend(created)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem or 'file'}.", suffix=suffix or target.suffix,
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~umask)   # mkstemp makes 0600; give the file normal permissions
        backup = None
        if _SETS and not keep:
            if target.exists():
                fd, bak = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".bak", dir=target.parent)
                os.close(fd)
                backup = Path(bak)
                os.replace(target, backup)
            _SETS[-1]["files"].append((target, backup))
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _write(path: str | os.PathLike, writer: Callable[[IO[str]], None], keep: bool = False) -> Path:
    with atomic_path(path, keep=keep) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def json_ready(obj: Any, *, finite_only: bool = True) -> Any:
    """A copy of ``obj`` that :func:`json.dumps` writes as strict JSON.

    numpy scalars and arrays become Python numbers and lists, tuples become lists, dictionary keys
    strings; with ``finite_only`` a non-finite number (NaN, +-inf) becomes None (JSON ``null``).

    Parameters
    ----------
    obj : object
        Nested dicts, lists, tuples, numpy arrays and scalars, numbers, strings, None.
    finite_only : bool, default True
        Replace non-finite numbers by None (False: keep them, e.g. for a caller that replaces them
        itself and says why).

    Returns
    -------
    object
        The converted copy.

    Examples
    --------
    >>> import numpy as np
    >>> json_ready({"t": np.float64(1.5), "gap": np.array([np.nan, 2.0]), 3: (np.int64(4),)})
    {'t': 1.5, 'gap': [None, 2.0], '3': [4]}
    """
    if isinstance(obj, dict):
        return {str(k): json_ready(v, finite_only=finite_only) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v, finite_only=finite_only) for v in obj]
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):          # numpy arrays and scalars
        return json_ready(obj.tolist(), finite_only=finite_only)
    if isinstance(obj, bool) or obj is None or isinstance(obj, (str, int)):
        return obj
    if isinstance(obj, float):
        return None if finite_only and not math.isfinite(obj) else obj
    return obj


def write_text(path: str | os.PathLike, text: str, *, keep: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    text : str
        Content.
    keep : bool, default False
        Write outside any :func:`output_set` (the file survives a failed run).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return _write(path, lambda fh: fh.write(text), keep)


def write_json(path: str | os.PathLike, obj: Any, *, keep: bool = False) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    obj : object
        JSON-serialisable object (numpy scalars and arrays are converted, non-finite numbers are
        written as ``null``: the file is strict JSON).
    keep : bool, default False
        Write outside any :func:`output_set` (the file survives a failed run).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return _write(path, lambda fh: json.dump(json_ready(obj), fh, indent=2, sort_keys=False,
                                            allow_nan=False, default=float), keep)


def write_csv(path: str | os.PathLike, rows: list[dict], *, keep: bool = False) -> Path:
    """Write a list of dicts (the first row's keys as header) as CSV to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    rows : list of dict
        One dict per row, all with the keys of the first row.
    keep : bool, default False
        Write outside any :func:`output_set` (the file survives a failed run).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return write_text(path, buf.getvalue(), keep=keep)


# ------------------------------------------------------------------------------------ checkpoints

class CheckpointError(ValueError):
    """A checkpoint file that cannot be resumed from (the message names the file and ``--restart``)."""


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, default=float)


def checksum(obj: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``obj`` (sorted keys, no spaces, no NaN/Infinity).

    Parameters
    ----------
    obj : object
        JSON-serialisable object (numpy scalars are converted to float).

    Returns
    -------
    str
        64 hexadecimal digits.

    Raises
    ------
    ValueError
        If ``obj`` holds a non-finite float.
    """
    return hashlib.sha256(_canonical(obj).encode("utf-8")).hexdigest()


def _all_finite(obj: Any) -> bool:
    if isinstance(obj, dict):
        return all(_all_finite(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(_all_finite(v) for v in obj)
    if isinstance(obj, float):
        return math.isfinite(obj)
    return obj is None or isinstance(obj, (str, int, bool))


def _differing(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted names of the entries where two nested dicts differ."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return [prefix] if prefix and a != b else []
    missing = object()
    out = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k, missing), b.get(k, missing)
        if x != y:
            name = f"{prefix}.{k}" if prefix else str(k)
            out.extend(_differing(x, y, name) if missing not in (x, y) else [name])
    return out


def _no_constant(name: str):
    raise ValueError(f"non-finite constant {name}")


def write_checkpoint(path: str | os.PathLike, fmt: tuple[str, int], meta: dict, results: Any) -> Path:
    """Write a checkpoint with its schema and checksum, atomically and outside any output set.

    Parameters
    ----------
    path : str or os.PathLike
        Checkpoint file.
    fmt : (str, int)
        Name and version of the checkpoint format.
    meta : dict
        What the results depend on: ``"version"`` (the package version), ``"params"`` (the full
        parameters) and any other keys (e.g. ``"seed"``); JSON-serialisable.
    results : object
        Finite JSON values (dicts, lists, strings, numbers, booleans, None).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If ``meta`` or ``results`` hold a non-finite float.
    """
    payload = {"format": fmt[0], "format_version": fmt[1], "meta": json.loads(_canonical(meta)),
               "results": json.loads(_canonical(results))}
    text = json.dumps({**payload, "sha256": checksum(payload)}, indent=1, allow_nan=False)
    return write_text(path, text, keep=True)


def read_checkpoint(path: str | os.PathLike, fmt: tuple[str, int], meta: dict) -> Any:
    """The results of a checkpoint written by :func:`write_checkpoint`, if it can be trusted.

    Parameters
    ----------
    path : str or os.PathLike
        Checkpoint file (it must exist).
    fmt : (str, int)
        Expected name and version of the format.
    meta : dict
        Expected ``meta`` (package version, parameters, ...): every key must be equal.

    Returns
    -------
    object
        The ``results`` recorded in the file.

    Raises
    ------
    CheckpointError
        One line naming the file and ``--restart``: the file cannot be read, is a folder, is not
        valid JSON (truncated or corrupt), does not have the schema, has another format, a bad
        checksum, another package version, other parameters (the differing ones named) or
        another value of another ``meta`` key, or holds non-finite values.
    """
    path = Path(path)

    def refuse(why: str) -> CheckpointError:
        return CheckpointError(f"checkpoint {path} {why}; rerun with --restart to discard it "
                               f"and start over (or remove the file)")

    if path.is_dir():
        raise CheckpointError(f"checkpoint {path} is a folder, not a file; remove it or choose "
                              f"another output folder")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise refuse(f"cannot be read ({type(exc).__name__}: {exc})") from None
    try:
        old = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise refuse(f"is not valid JSON (truncated or corrupt: {exc})") from None
    keys = {"format", "format_version", "meta", "results", "sha256"}
    if not isinstance(old, dict) or not keys <= set(old) or not isinstance(old["meta"], dict):
        raise refuse(f"does not have the checkpoint schema (a JSON object with the keys "
                     f"{', '.join(sorted(keys))})")
    if (old["format"], old["format_version"]) != tuple(fmt):
        raise refuse(f"has format {old['format']!r} version {old['format_version']!r}, "
                     f"not {fmt[0]!r} version {fmt[1]}")
    payload = {k: old[k] for k in ("format", "format_version", "meta", "results")}
    try:
        good = checksum(payload) == old["sha256"]
    except ValueError:
        good = False
    if not good:
        raise refuse("has a bad checksum (edited or corrupt)")
    want = json.loads(_canonical(meta))
    had = old["meta"]
    if had.get("version") != want.get("version"):
        raise refuse(f"was written by version {had.get('version')!r} of the package, "
                     f"this is {want.get('version')}")
    if had.get("params") != want.get("params"):
        diff = _differing(had.get("params"), want.get("params"))
        raise refuse("was written for other parameters"
                     + (f" (differs in: {', '.join(diff[:4])})" if diff else ""))
    for key in sorted((set(want) | set(had)) - {"version", "params"}):
        if had.get(key) != want.get(key):
            raise refuse(f"was written with {key} {had.get(key)!r}, not {want.get(key)!r}")
    if not _all_finite(old["results"]):
        raise refuse("holds non-finite or non-numeric values")
    return old["results"]
