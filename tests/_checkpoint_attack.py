"""Attacks on the checkpoints of :class:`regimes.runs.PointRun` and on an interrupted run.

Each attack returns (category, detail) with the categories of ``tests/_cli_attack.py``: a bad
checkpoint must be refused with a ValueError that names the file (``pass``); reusing it or silently
starting over is a data-integrity fault, any other exception a traceback.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PARAMS = {"d": 8, "n": 100, "times": [0.1, 0.2, 0.3]}
POINTS = [0.1, 0.2, 0.3]


class _Stop(Exception):
    pass


def _fun(p):
    return {"value": 2.0 * p}


def _partial(path: Path) -> None:
    """A checkpoint of the first two points (the third one fails)."""
    from regimes.runs import PointRun

    def fun(p):
        if p == POINTS[-1]:
            raise _Stop()
        return _fun(p)

    try:
        PointRun(path, PARAMS, 3).run(POINTS, fun, progress=False)
    except _Stop:
        pass


def _resume(path: Path, params=PARAMS, seed=3):
    from regimes.runs import PointRun

    return PointRun(path, params, seed).run(POINTS, _fun, progress=False)


def _judge_refusal(path: Path, **kw) -> tuple[str, str]:
    try:
        res = _resume(path, **kw)
    except ValueError as exc:
        msg = str(exc)
        if path.name in msg and "\n" not in msg:
            return "pass", msg
        return "unclear", f"refused without naming the file in one line: {msg[:160]!r}"
    except Exception as exc:     # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {str(exc)[:120]}"
    vals = [v["value"] if isinstance(v, dict) else v for v in res.values()]
    if any(not isinstance(v, float) or not math.isfinite(v) for v in vals):
        return "integrity", f"bad values flowed into the results: {vals}"
    if vals != [2.0 * p for p in POINTS]:
        return "integrity", f"tampered values reused: {vals}"
    return "integrity", "bad checkpoint silently reused or discarded (no message)"


def _edit(path: Path, change) -> None:
    obj = json.loads(path.read_text())
    change(obj)
    path.write_text(json.dumps(obj))


def _walk_set(obj, key, value):
    if isinstance(obj, dict):
        for k in list(obj):
            if k == key:
                obj[k] = value
            else:
                _walk_set(obj[k], key, value)


def _first_result(obj) -> dict:
    return next(iter(obj["results"].values()))


def truncated(root: Path):
    p = root / "ck.json"
    _partial(p)
    p.write_text(p.read_text()[: len(p.read_text()) // 2])
    return _judge_refusal(p)


def invalid_json(root: Path):
    p = root / "ck.json"
    p.write_text("{not json")
    return _judge_refusal(p)


def wrong_shape_list(root: Path):
    p = root / "ck.json"
    p.write_text("[1, 2, 3]")
    return _judge_refusal(p)


def wrong_shape_meta(root: Path):
    p = root / "ck.json"
    p.write_text('{"meta": 1, "results": 2}')
    return _judge_refusal(p)


def empty_file(root: Path):
    p = root / "ck.json"
    p.write_text("")
    return _judge_refusal(p)


def other_version(root: Path):
    p = root / "ck.json"
    _partial(p)
    _edit(p, lambda o: _walk_set(o, "version", "0.0.1-other"))
    return _judge_refusal(p)


def nan_value(root: Path):
    p = root / "ck.json"
    _partial(p)
    text = p.read_text()
    obj = json.loads(text)
    _first_result(obj)["value"] = float("nan")
    p.write_text(json.dumps(obj))          # NaN, as json.dumps writes it
    return _judge_refusal(p)


def tampered_value(root: Path):
    p = root / "ck.json"
    _partial(p)
    _edit(p, lambda o: _first_result(o).update(value=999.0))
    return _judge_refusal(p)


def other_params(root: Path):
    p = root / "ck.json"
    _partial(p)
    return _judge_refusal(p, params={**PARAMS, "n": 101})


def other_seed(root: Path):
    p = root / "ck.json"
    _partial(p)
    return _judge_refusal(p, seed=4)


def a_directory(root: Path):
    p = root / "ck.json"
    p.mkdir()
    return _judge_refusal(p)


def resumes_valid(root: Path):
    """A valid checkpoint is resumed: the finished points are not recomputed."""
    p = root / "ck.json"
    _partial(p)
    from regimes.runs import PointRun

    calls = []

    def fun(x):
        calls.append(x)
        return _fun(x)

    try:
        res = PointRun(p, PARAMS, 3).run(POINTS, fun, progress=False)
    except Exception as exc:     # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {exc}"
    if calls != [POINTS[-1]] or [v["value"] for v in res.values()] != [2.0 * x for x in POINTS]:
        return "integrity", f"recomputed {calls}"
    return "pass", "resumed"


def removed_after_success(root: Path):
    """``reproduce`` removes its checkpoint after a successful run (unless --keep-checkpoint)."""
    import contextlib
    import io

    from regimes.cli import main

    out = root / "r"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(["reproduce", "fig2", "--quick", "--out", str(out)])
        except SystemExit:
            pass
    left = [f.name for f in out.iterdir() if "checkpoint" in f.name] if out.exists() else []
    return ("integrity", f"checkpoint left after success: {left}") if left else ("pass", "removed")


ATTACKS = {f.__name__: f for f in (truncated, invalid_json, wrong_shape_list, wrong_shape_meta,
                                   empty_file, other_version, nan_value, tampered_value,
                                   other_params, other_seed, a_directory, resumes_valid,
                                   removed_after_success)}


def sigterm_attack(root: Path, delay: float = 0.5) -> tuple[str, str]:
    """SIGTERM to ``regimes reproduce fig2 --quick`` mid-run: one line, no temporary files, no
    partial output set (the checkpoint may stay: it is what a rerun resumes from)."""
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.environ.get("PYTHONPATH") or str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "regimes.cli", "reproduce", "fig2", "--quick",
                             "--out", "r"], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while not (root / "r" / "fig2.checkpoint.json").exists() and proc.poll() is None \
            and time.monotonic() < deadline:      # the first point is done: the run is computing
        time.sleep(0.05)
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    files = [str(p.relative_to(root)) for p in root.rglob("*")]
    hidden = [f for f in files if any(s.startswith(".") for s in Path(f).parts)]
    if hidden:
        return "integrity", f"temporary files left: {hidden}"
    partial = [f for f in files if f.startswith("r/fig2.") and "checkpoint" not in f]
    if partial and proc.returncode != 0:
        return "integrity", f"partial output set left: {partial}"
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if proc.returncode not in (143, 130) or len(lines) != 1:
        return "unclear", f"exit {proc.returncode}, stderr {err.strip()[-200:]!r}"
    return "pass", lines[0]
