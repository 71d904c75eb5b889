"""Checkpoints of :class:`regimes.runs.PointRun`: schema, version, parameters, checksum, refusal, restart.

The attacks are those of ``tests/_checkpoint_attack.py`` (also counted by
``benchmarks/attack_counts_cli.py``): each bad checkpoint must be refused with a one-line
CheckpointError naming the file and ``--restart``.
"""

from __future__ import annotations

import hashlib
import json

import _checkpoint_attack as ck
import pytest

from regimes.runs import CHECKPOINT_FORMAT, CheckpointError, PointRun, recorded_seed
from theory import __version__

REFUSED = [name for name in ck.ATTACKS if name not in ("resumes_valid", "removed_after_success")]


@pytest.mark.parametrize("name", REFUSED)
def test_bad_checkpoint_is_refused_naming_the_file(name, tmp_path):
    category, detail = ck.ATTACKS[name](tmp_path)
    assert category == "pass", detail
    assert "--restart" in detail or name == "a_directory"


@pytest.mark.parametrize("name", REFUSED)
def test_restart_discards_a_bad_checkpoint(name, tmp_path):
    ck.ATTACKS[name](tmp_path)                 # leaves the bad checkpoint behind
    path = tmp_path / "ck.json"
    if path.is_dir():
        with pytest.raises(CheckpointError, match="folder"):
            PointRun(path, ck.PARAMS, 3, restart=True)
        return
    res = PointRun(path, ck.PARAMS, 3, restart=True).run(ck.POINTS, ck._fun, progress=False)
    assert [v["value"] for v in res.values()] == [2.0 * p for p in ck.POINTS]


def test_valid_checkpoint_resumes(tmp_path):
    assert ck.resumes_valid(tmp_path) == ("pass", "resumed")


def test_schema_and_checksum(tmp_path):
    path = tmp_path / "ck.json"
    ck._partial(path)
    obj = json.loads(path.read_text())
    assert (obj["format"], obj["format_version"]) == CHECKPOINT_FORMAT
    assert obj["meta"]["version"] == __version__
    assert obj["meta"]["params"] == ck.PARAMS and obj["meta"]["seed"] == 3
    payload = {k: obj[k] for k in ("format", "format_version", "meta", "results")}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    assert obj["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert sorted(obj["results"]) == ["0.1", "0.2"]


def test_message_is_one_line_naming_file_and_restart(tmp_path):
    path = tmp_path / "run.checkpoint.json"
    path.write_text("{")
    with pytest.raises(CheckpointError) as info:
        PointRun(path, ck.PARAMS, 3)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg and "--restart" in msg and "not valid JSON" in msg
    assert isinstance(info.value, ValueError)


def test_finish_removes_unless_kept(tmp_path):
    path = tmp_path / "ck.json"
    run = PointRun(path, ck.PARAMS, 3)
    run.run(ck.POINTS, ck._fun, progress=False)
    run.finish(keep=True)
    assert path.exists()
    run.finish()
    assert not path.exists()


def test_checkpoint_survives_a_failed_output_set(tmp_path):
    """A checkpoint is written with keep=True: a failed run keeps it (it is what resumes)."""
    from theory.files import output_set, write_text

    path = tmp_path / "ck.json"
    with pytest.raises(ck._Stop), output_set():
        write_text(tmp_path / "result.csv", "x")
        ck._partial(path)
        raise ck._Stop()
    assert path.exists() and not (tmp_path / "result.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ck.json"]


def test_recorded_seed():
    assert recorded_seed(5) == 5
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        recorded_seed(-1)
    with pytest.raises(TypeError, match="rng"):
        recorded_seed(1.5)


def test_reproduce_refuses_a_foreign_checkpoint_then_restarts(tmp_path, capsys):
    """CLI: a checkpoint of another version is refused (exit 2, one line naming it and --restart)."""
    from regimes.cli import main

    out = tmp_path / "f2"
    out.mkdir()
    bad = out / "fig2.checkpoint.json"
    bad.write_text(json.dumps({"meta": {"version": "0.0.0"}, "results": {}}))
    with pytest.raises(SystemExit) as info:
        main(["reproduce", "fig2", "--quick", "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fig2.checkpoint.json" in err[0] and "--restart" in err[0], err
    assert sorted(p.name for p in out.iterdir()) == ["fig2.checkpoint.json"]   # nothing else written
