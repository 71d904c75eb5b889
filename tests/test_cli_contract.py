"""The CLI contract (docs/cli-contract.md): exit 0 with finite valid output, or exit 2 with one line
naming the option; no traceback; output paths checked first; output sets all-or-nothing (also on
SIGTERM); strict JSON with sources.  The cases of issue 13 come from ``tests/_cli_attack.py``."""

from __future__ import annotations

import json
import os

import matplotlib

matplotlib.use("Agg")

import _checkpoint_attack as ck  # noqa: E402
import _cli_attack as attack  # noqa: E402
import pytest  # noqa: E402

from regimes.cli import main  # noqa: E402

#: a valid but large request that runs for minutes (kept for the counts in benchmarks/)
_SLOW = {"manifold --quick --d 12 --n 10000000 --points 2"}
ISSUE = [c for c in attack.issue_cases() + attack.positional_cases() if c.label not in _SLOW]


@pytest.fixture
def scratch(tmp_path):
    attack.setup_scratch(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", ISSUE, ids=[c.label[:70] for c in ISSUE])
def test_issue_case(case, scratch):
    category, detail = attack.run_case(case, scratch)
    assert category == "pass", f"{category}: {detail}"


def _run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_gm_huge_mu_tilde_json_is_strict_with_notes(scratch, capsys, monkeypatch):
    monkeypatch.chdir(scratch)
    code, out, err = _run(["gm", "--no-plot", "--mu-tilde", "1e155", "--json"], capsys)
    assert code == 0
    obj = json.loads(out, parse_constant=attack._reject_constant)
    assert obj["version"] and obj["sources"]
    nulls = {n["key"] for n in obj.get("non_finite", [])}
    for key in nulls:                         # every null left by a non-finite value has a reason
        assert obj[key.split(".")[0]] is not None or key.split(".")[0] in obj
    assert all(n["reason"] for n in obj.get("non_finite", []))


def test_text_output_marks_non_finite_values(scratch, capsys, monkeypatch):
    monkeypatch.chdir(scratch)
    code, out, _ = _run(["gm", "--no-plot", "--mu-tilde", "1e155"], capsys)
    assert code == 0
    assert not attack._NONFINITE.search(out)
    if "n/a" in out:
        assert "note: n/a = not a finite float64 number" in out


@pytest.mark.parametrize("argv", [
    ["gm", "--no-plot", "--json"],
    ["gm", "--no-plot", "--weights", "0.3", "0.7", "--json"],
    ["spectrum", "--quick", "--points", "20", "--json"],
    ["manifold", "--quick", "--n", "40", "--points", "2", "--d", "12", "--json"],
    ["manifold", "--quick", "--n", "2", "--d", "12", "--points", "2", "--json"],
])
def test_json_is_strict_with_sources_and_version(argv, scratch, capsys, monkeypatch):
    monkeypatch.chdir(scratch)
    code, out, _ = _run(argv, capsys)
    assert code == 0
    obj = json.loads(out, parse_constant=attack._reject_constant)
    assert obj["sources"] and isinstance(obj["sources"], dict)
    assert any("arXiv" in str(v) or "docs/theory" in str(v) for v in obj["sources"].values())
    assert obj["version"]


def test_failed_run_leaves_no_partial_set(scratch, capsys, monkeypatch):
    """phase-diagram writes the figure, then the arrays fail (a full disk): neither is left."""
    import theory.phase_diagram as pd

    monkeypatch.chdir(scratch)

    def full_disk(*args, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.np, "savez", full_disk)
    (scratch / "old.png").write_text("old figure")
    code, out, err = _run(["phase-diagram", "--points", "12", "--plot", "old.png", "--save", "x.npz"],
                          capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("regimes: error: ") and "space" in lines[0]
    assert (scratch / "old.png").read_text() == "old figure"          # restored
    assert not (scratch / "x.npz").exists()
    assert not [p for p in scratch.iterdir() if p.name.startswith(".")]


def test_new_folders_of_a_failed_run_are_removed(scratch, capsys, monkeypatch):
    import theory.phase_diagram as pd

    monkeypatch.chdir(scratch)
    monkeypatch.setattr(pd.np, "savez", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    code, _, err = _run(["phase-diagram", "--points", "12", "--plot", "new/sub/pd.png", "--save",
                         "x.npz"], capsys)
    assert code == 2 and "not enough memory" in err and "\n" not in err.strip()
    assert not (scratch / "new").exists()


@pytest.mark.parametrize(("exc", "code", "says"), [
    (KeyboardInterrupt(), 130, "regimes: interrupted"),
    (RuntimeError("solver diverged"), 2, "outside the range the solvers handle"),
    (OverflowError("math range error"), 2, "outside the range the solvers handle"),
    (KeyError("x"), 1, "regimes: internal error: KeyError"),
    (OSError(13, "Permission denied", "f.png"), 2, "cannot read or write f.png"),
])
def test_every_exception_is_one_line(exc, code, says, scratch, capsys, monkeypatch):
    import regimes._cli_gm as gm

    monkeypatch.chdir(scratch)
    monkeypatch.delenv("REGIMES_DEBUG", raising=False)

    def boom(*args, **kw):
        raise exc

    monkeypatch.setattr(gm, "solve_gaussian_mixture", boom)
    got, out, err = _run(["gm", "--no-plot", "--d", "64"], capsys)
    assert got == code and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], err
    if code == 2 and not isinstance(exc, KeyboardInterrupt):
        assert "--d 64" in lines[0] or "f.png" in lines[0]


def test_debug_shows_the_traceback(scratch, monkeypatch):
    import regimes._cli_gm as gm

    monkeypatch.chdir(scratch)
    monkeypatch.setattr(gm, "solve_gaussian_mixture", lambda *a, **k: {}["x"])
    with pytest.raises(KeyError):
        main(["--debug", "gm", "--no-plot"])
    monkeypatch.setenv("REGIMES_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["gm", "--no-plot"])


def test_memory_refused_up_front(scratch, capsys, monkeypatch):
    import regimes._resources as res

    monkeypatch.chdir(scratch)
    monkeypatch.setattr(res, "available_memory", lambda: 2.0**30)
    code, out, err = _run(["manifold", "--quick", "--d", "12000"], capsys)
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and "--d = 12000" in line and "GiB" in line and "1 GiB available" in line


def test_available_memory_is_positive():
    from regimes._resources import available_memory

    assert 0 < available_memory() < float("inf")


def test_output_paths_checked_before_computing(scratch, capsys, monkeypatch):
    import regimes._cli_phase_diagram as cpd

    monkeypatch.chdir(scratch)
    calls = []
    monkeypatch.setattr(cpd, "phase_diagram_t_alpha", lambda *a, **k: calls.append(1))
    code, _, err = _run(["phase-diagram", "--plot", "pd.png", "--save", "afile/x.npz"], capsys)
    assert code == 2 and "--save" in err and not calls


def test_empty_plot_path_leaves_no_hidden_file(scratch, capsys, monkeypatch):
    monkeypatch.chdir(scratch)
    before = set(os.listdir(scratch))
    code, _, err = _run(["gm", "--plot", ""], capsys)
    assert code == 2 and "--plot" in err
    assert set(os.listdir(scratch)) == before


def test_output_set_nesting_and_keep(tmp_path):
    from theory.files import output_set, write_text

    with pytest.raises(RuntimeError), output_set():
        with output_set():
            write_text(tmp_path / "a.txt", "a")          # inner set succeeded...
        write_text(tmp_path / "kept.txt", "k", keep=True)
        raise RuntimeError()                            # ...but the outer one fails
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_atomic_path_rejects_empty_and_folders(tmp_path):
    from theory.files import write_text

    with pytest.raises(ValueError, match="empty"):
        write_text("", "x")
    with pytest.raises(ValueError, match="folder"):
        write_text(tmp_path, "x")
    assert list(tmp_path.iterdir()) == []
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(ValueError, match="special file"):
        write_text(tmp_path / "fifo", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


def test_sigterm_leaves_no_partial_set(tmp_path):
    """SIGTERM mid-run (a subprocess): exit 143, one line, no temporary files, no partial set."""
    category, detail = ck.sigterm_attack(tmp_path)
    assert category == "pass", detail
    assert "SIGTERM" in detail
