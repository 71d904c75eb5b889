"""Per-task checkpoints of :func:`validation.sweep.run_sweep` (``regimes validate``, ``regimes
reproduce fig3 --large``): schema, package version, the task's arguments, checksum; every file that
cannot be trusted is refused with one line naming it and ``--restart`` (never silently recomputed or
reused); ``restart`` discards; files removed after a successful sweep unless kept.

The reference results are those of the same sweep run without checkpoints (a task depends on its
arguments only), so a resumed sweep must return them exactly.
"""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

import theory
from theory.files import CheckpointError, checksum, read_checkpoint, write_checkpoint
from validation.large import fig3_large
from validation.sweep import SWEEP_CHECKPOINT_FORMAT, Task, grid_tasks, remove_checkpoints, run_sweep

CALLS: list[int] = []
STOP_AT: list[int] = []


class _Stop(Exception):
    pass


def point(x: int, seed: int, scale: float = 1.0) -> dict:
    """A task with every kind of value a result may hold: floats, NaN, a tuple, an array, ints."""
    CALLS.append(x)
    if x in STOP_AT:
        raise _Stop()
    rng = np.random.default_rng([seed, x])
    return {"value": scale * rng.standard_normal(), "np": np.float64(scale * x), "missing": math.nan,
            "inf": -math.inf, "pair": (x, seed), "arr": scale * rng.standard_normal((2, 2)),
            "count": np.int64(x), "flag": np.bool_(x % 2), "label": f"x={x}", "none": None}


def _tasks(scale: float = 1.0) -> list[Task]:
    return grid_tasks(point, {"x": [1, 2, 3]}, seeds=[7], fixed={"scale": scale})


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()
    STOP_AT.clear()
    yield
    STOP_AT.clear()


def _interrupted(ck) -> None:
    """Checkpoints of the first two tasks (the third one fails)."""
    STOP_AT.append(3)
    with pytest.raises(_Stop):
        run_sweep(_tasks(), "serial", ck)
    STOP_AT.clear()
    CALLS.clear()


def _files(ck) -> list:
    return sorted(ck.glob("*.json"))


def test_resume_gives_identical_results_and_removes_the_checkpoints(tmp_path):
    ref = run_sweep(_tasks(), "serial")
    ck = tmp_path / "sweep.ck"
    _interrupted(ck)
    assert len(_files(ck)) == 2                           # kept by the failed sweep: they resume it
    res = run_sweep(_tasks(), "serial", ck)
    assert CALLS == [3]                                   # only the missing task ran
    assert _same(res, ref)
    assert isinstance(res["x=1/seed=7"]["pair"], tuple) and math.isnan(res["x=2/seed=7"]["missing"])
    assert not ck.exists()                                # the first sweep made the folder


def test_schema_of_a_task_file(tmp_path):
    run_sweep(_tasks()[:1], "serial", tmp_path, keep_checkpoint=True)
    (path,) = _files(tmp_path)
    obj = json.loads(path.read_text())                    # strict JSON
    assert (obj["format"], obj["format_version"]) == SWEEP_CHECKPOINT_FORMAT
    assert obj["meta"]["version"] == theory.__version__
    assert obj["meta"]["params"] == {"task": "x=1/seed=7", "function": f"{__name__}.point",
                                     "arguments": {"scale": 1.0, "x": 1, "seed": 7}}
    payload = {k: obj[k] for k in ("format", "format_version", "meta", "results")}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    assert obj["sha256"] == checksum(payload) == __import__("hashlib").sha256(
        canonical.encode()).hexdigest()
    assert obj["results"]["result"]["missing"] == {"__checkpoint_value__": "float", "value": "nan"}


# ---------------------------------------------------------------------------------- the attacks

def _rewrite(path, change) -> None:
    """Change the parsed file, then recompute its checksum (a well-formed file of another shape)."""
    obj = json.loads(path.read_text())
    change(obj)
    payload = {k: obj[k] for k in ("format", "format_version", "meta", "results")}
    obj["sha256"] = checksum(payload)
    path.write_text(json.dumps(obj))


def _other_params(ck, monkeypatch):
    return _tasks(scale=2.0), "other parameters (differs in: arguments.scale)"


def _other_version(ck, monkeypatch):
    monkeypatch.setattr(theory, "__version__", "0.0.1-other")
    return _tasks(), "was written by version"


def _bad_checksum(ck, monkeypatch):
    path = _files(ck)[0]
    path.write_text(path.read_text().replace('"x=1"', '"x=9"'))
    return _tasks(), "bad checksum"


def _tampered_value(ck, monkeypatch):
    path = _files(ck)[0]
    obj = json.loads(path.read_text())
    obj["results"]["result"]["count"] = 99
    path.write_text(json.dumps(obj))
    return _tasks(), "bad checksum"


def _truncated(ck, monkeypatch):
    path = _files(ck)[0]
    path.write_text(path.read_text()[:200])
    return _tasks(), "not valid JSON"


def _empty(ck, monkeypatch):
    _files(ck)[0].write_text("")
    return _tasks(), "not valid JSON"


def _not_json(ck, monkeypatch):
    _files(ck)[0].write_bytes(b"\x80\x04\x95 not json")
    return _tasks(), "cannot be read"


def _wrong_shape_list(ck, monkeypatch):
    _files(ck)[0].write_text("[1, 2, 3]")
    return _tasks(), "schema"


def _wrong_shape_result(ck, monkeypatch):
    _rewrite(_files(ck)[0], lambda o: o.update(results=[1, 2]))
    return _tasks(), "shape of a task's result"


def _wrong_shape_tag(ck, monkeypatch):
    _rewrite(_files(ck)[0], lambda o: o["results"]["result"].update(
        missing={"__checkpoint_value__": "float", "value": "12"}))
    return _tasks(), "shape of a task's result"


def _bad_array(ck, monkeypatch):
    _rewrite(_files(ck)[0], lambda o: o["results"]["result"]["arr"].update(shape=[3, 3]))
    return _tasks(), "array that cannot be rebuilt"


def _nan_payload(ck, monkeypatch):
    path = _files(ck)[0]
    obj = json.loads(path.read_text())
    obj["results"]["result"]["value"] = math.nan
    path.write_text(json.dumps(obj))                      # a bare NaN, as json.dumps writes it
    return _tasks(), "not valid JSON"


def _overflow_payload(ck, monkeypatch):
    path = _files(ck)[0]
    obj = json.loads(path.read_text())
    obj["results"]["result"]["value"] = 12345.0
    obj["sha256"] = checksum({k: obj[k] for k in ("format", "format_version", "meta", "results")})
    path.write_text(json.dumps(obj).replace("12345.0", "1e999"))     # parses to inf
    return _tasks(), "bad checksum"


def _other_format(ck, monkeypatch):
    path = _files(ck)[0]
    obj = json.loads(path.read_text())
    write_checkpoint(path, ("diffusion-regimes-checkpoint", 2), obj["meta"], obj["results"])
    return _tasks(), "has format 'diffusion-regimes-checkpoint'"


def _legacy_pickle(ck, monkeypatch):
    path = _files(ck)[0]
    path.unlink()
    legacy = path.with_suffix(".pkl")
    legacy.write_bytes(pickle.dumps({"key": "x=1/seed=7", "fingerprint": "0", "result": 1}))
    return _tasks(), "earlier version of the package (pickle format)"


def _a_folder(ck, monkeypatch):
    path = _files(ck)[0]
    path.unlink()
    path.mkdir()
    return _tasks(), "is a folder"


ATTACKS = [_other_params, _other_version, _bad_checksum, _tampered_value, _truncated, _empty,
           _not_json, _wrong_shape_list, _wrong_shape_result, _wrong_shape_tag, _bad_array,
           _nan_payload, _overflow_payload, _other_format, _legacy_pickle, _a_folder]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda f: f.__name__[1:])
def test_untrusted_checkpoint_is_refused_then_restart_recomputes(attack, tmp_path, monkeypatch):
    ref = run_sweep(_tasks(), "serial")
    ck = tmp_path / "sweep.ck"
    _interrupted(ck)
    before = sorted(p.name for p in ck.iterdir())
    tasks, words = attack(ck, monkeypatch)
    with pytest.raises(CheckpointError) as info:
        run_sweep(tasks, "serial", ck)
    msg = str(info.value)
    assert isinstance(info.value, ValueError) and "\n" not in msg and words in msg, msg
    bad = [p for p in ck.iterdir() if str(p) in msg]
    assert len(bad) == 1, msg                              # names the file
    assert "--restart" in msg or "folder" in msg
    assert CALLS == []                                     # refused before any task ran
    assert sorted(p.name for p in ck.iterdir()) == sorted(  # nothing discarded silently
        n if not n.endswith(".json") or (ck / n).exists() else n[:-5] + ".pkl" for n in before)
    if attack is _a_folder:
        return
    monkeypatch.undo()
    res = run_sweep(tasks, "serial", ck, restart=True)
    assert sorted(CALLS) == [1, 2, 3]                      # every task recomputed
    if attack is not _other_params:
        assert _same(res, ref)
    assert not ck.exists()


def test_keep_checkpoint_and_a_folder_the_sweep_did_not_make(tmp_path):
    ck = tmp_path / "given"
    ck.mkdir()
    (ck / "notes.txt").write_text("mine")
    run_sweep(_tasks(), "serial", ck, keep_checkpoint=True)
    assert len(_files(ck)) == 3
    CALLS.clear()
    run_sweep(_tasks(), "serial", ck)                      # resumes, then removes its files
    assert CALLS == []
    assert sorted(p.name for p in ck.iterdir()) == ["notes.txt"]     # other files left alone
    remove_checkpoints(ck, remove_folder=True)             # not empty: kept
    assert ck.is_dir()


def test_unrecordable_arguments_or_results_are_a_type_error(tmp_path):
    bad = [Task("k", point, {"x": 1, "seed": object()})]
    with pytest.raises(TypeError, match="task k: its arguments: a object cannot be recorded"):
        run_sweep(bad, "serial", tmp_path / "a")
    assert CALLS == [] and not (tmp_path / "a").exists()
    ok = [Task("k", point, {"x": 1, "seed": 3, "scale": 1.0}, params={"x": 1, "seed": 3})]
    assert _same(run_sweep(ok, "serial", tmp_path / "b"), run_sweep(ok, "serial"))


def test_read_checkpoint_names_the_differing_meta(tmp_path):
    path = tmp_path / "ck.json"
    meta = {"version": "1", "params": {"a": 1, "b": 2}, "seed": 3}
    write_checkpoint(path, ("f", 1), meta, {"r": 1.5})
    assert read_checkpoint(path, ("f", 1), meta) == {"r": 1.5}
    with pytest.raises(CheckpointError, match=r"other parameters \(differs in: b, c\)"):
        read_checkpoint(path, ("f", 1), {**meta, "params": {"a": 1, "b": 3, "c": 0}})
    with pytest.raises(CheckpointError, match="was written with seed 3, not 4"):
        read_checkpoint(path, ("f", 1), {**meta, "seed": 4})
    with pytest.raises(ValueError):
        write_checkpoint(path, ("f", 1), meta, {"r": math.inf})


def test_fig3_large_refuses_a_checkpoint_of_another_seed(tmp_path):
    kw = dict(configs=[(8, 200)], times=[2.0, 1.0], target=0.2, pilot=32)
    ck = tmp_path / "fig3.ck"
    rows = fig3_large("serial", ck, seed=1, keep_checkpoint=True, **kw)
    assert len(_files(ck)) == 2
    with pytest.raises(CheckpointError, match="differs in: arguments.data_seed, arguments.rng"):
        fig3_large("serial", ck, seed=2, **kw)
    assert fig3_large("serial", ck, seed=1, **kw) == rows and not ck.exists()


# ------------------------------------------------------------------------------------ the CLI

VALIDATE = ["validate", "--d", "8", "--n", "50", "--samples", "20", "--scheduler", "serial",
            "--no-plot"]


def test_validate_cli_corrupt_checkpoint_one_line_exit_2_then_restart(tmp_path, capsys):
    from regimes.cli import main

    out = tmp_path / "v"
    assert main([*VALIDATE, "--out", str(out), "--keep-checkpoint"]) == 0
    first = (out / "validate.csv").read_text()
    (path,) = _files(out / "validate.ck")
    path.write_text(path.read_text()[:-40])                # truncated
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main([*VALIDATE, "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "--restart" in err[0], err
    assert err[0].startswith("regimes: error:") and "not valid JSON" in err[0]
    assert (out / "validate.csv").read_text() == first     # the earlier results untouched
    assert main([*VALIDATE, "--out", str(out), "--restart"]) == 0
    assert (out / "validate.csv").read_text() == first     # recomputed: the same numbers
    assert sorted(p.name for p in out.iterdir()) == ["validate.csv", "validate.json"]
