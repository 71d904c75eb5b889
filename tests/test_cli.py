"""The ``regimes`` command line, run in-process through ``regimes.cli.main`` (one subprocess test)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import theory  # noqa: E402
from regimes.cli import build_parser, main  # noqa: E402

TS_1024 = 3.465736      # 1/2 log 1024
TC_1024 = 1.977547      # Biroli et al. (2024), Fig. 3: eq. 10 at n = 20000


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run every command in a scratch folder so that default figure names never land in the repo."""
    monkeypatch.chdir(tmp_path)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _value(text: str, label: str) -> float:
    for line in text.splitlines():
        if label in line:
            return float(line.split()[-1])
    raise AssertionError(f"no line with {label!r} in:\n{text}")


def test_gm_defaults_text(capsys, tmp_path):
    assert main(["gm", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert _value(out, "t_S = 1/2 log(d mu~^2)") == pytest.approx(TS_1024, abs=1e-6)
    assert _value(out, "t_C") == pytest.approx(TC_1024, abs=1e-6)
    assert _value(out, "phi(t_S)") == pytest.approx(0.775200, abs=1e-6)
    assert _value(out, "t*") == pytest.approx(0.5 * np.log(2048), abs=1e-6)
    assert _value(out, "alpha") == pytest.approx(np.log(20000) / 1024, rel=1e-5)
    assert "regime II" in out
    assert os.listdir(tmp_path) == []


def test_gm_no_regime_two_message(capsys):
    assert main(["gm", "--no-plot", "--d", "4", "--n", "2", "--sigma", "10"]) == 0
    assert "no regime II" in capsys.readouterr().out


def test_gm_json_and_plot(capsys, tmp_path):
    fig = tmp_path / "tmp" / "x.png"
    assert main(["gm", "--json", "--plot", str(fig)]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("t_speciation", "t_collapse", "alpha", "t_star", "phi_at_t_speciation", "sources"):
        assert key in data
    assert data["t_speciation"] == pytest.approx(TS_1024, abs=1e-6)
    assert data["t_collapse"] == pytest.approx(TC_1024, abs=1e-6)
    assert data["phi_at_t_speciation"] == pytest.approx(0.775200, abs=1e-6)
    assert data["t_star"] == pytest.approx(0.5 * np.log(2048), rel=1e-12)
    assert data["has_regime_two"] is True
    assert "eq. 10" in data["sources"]["collapse_time"]
    assert data["figure"] == str(fig)
    assert fig.is_file() and fig.stat().st_size > 0
    assert os.listdir(fig.parent) == ["x.png"]


def test_gm_json_other_parameters(capsys):
    assert main(["gm", "--no-plot", "--json", "--d", "256", "--n", "1e4", "--mu-tilde", "0.5",
                 "--sigma", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["t_speciation"] == pytest.approx(0.5 * np.log(256 * 0.25), rel=1e-12)
    assert data["t_collapse"] == pytest.approx(0.5 * np.log1p(4 / np.expm1(2 * np.log(1e4) / 256)), rel=1e-12)
    assert data["figure"] is None


def test_phase_diagram_t_alpha(capsys, tmp_path):
    png, npz = tmp_path / "pd.png", tmp_path / "pd.npz"
    assert main(["phase-diagram", "--points", "40", "--plot", str(png), "--save", str(npz)]) == 0
    out = capsys.readouterr().out
    assert "regime I:" in out and "regime II:" in out and "regime III:" in out
    shares = [float(x) for x in re.findall(r"regime I+: ([0-9.]+)%", out)]
    assert sum(shares) == pytest.approx(100.0, abs=0.2)
    assert png.stat().st_size > 0
    with np.load(npz) as z:
        assert z["regime"].shape == (40, 40)
        assert z["x"][-1] == pytest.approx(6.0)
        assert set(np.unique(z["regime"])) <= {1, 2, 3}
    assert sorted(os.listdir(tmp_path)) == ["pd.npz", "pd.png"]


def test_phase_diagram_d_n(capsys, tmp_path):
    png, npz = tmp_path / "dn.png", tmp_path / "dn.npz"
    assert main(["phase-diagram", "--over", "d-n", "--points", "30", "--t", "1.5", "--d-max", "1e4",
                 "--n-max", "1e6", "--plot", str(png), "--save", str(npz)]) == 0
    assert "over d-n" in capsys.readouterr().out
    with np.load(npz) as z:
        assert z["regime"].shape == (30, 30)
        assert str(z["x_name"]) == "d"
        assert z["x"][-1] == pytest.approx(1e4)
        assert z["y"][-1] == pytest.approx(1e6)
    assert png.stat().st_size > 0


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"regimes {theory.__version__}"


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "COMMAND" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--help"], ["gm", "--help"], ["phase-diagram", "--help"],
                                  ["citation", "--help"]])
def test_help_exits_zero(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    assert "usage: regimes" in capsys.readouterr().out


def test_every_subcommand_has_help():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == {"gm", "phase-diagram", "reproduce", "citation", "analyze", "manifold",
                                "spectrum", "validate"}


@pytest.mark.parametrize(("argv", "param"), [
    (["gm", "--d", "0"], "d"),
    (["gm", "--n", "1"], "n"),
    (["gm", "--sigma", "-1"], "sigma"),
    (["gm", "--sigma", "0"], "sigma"),
    (["gm", "--d", "nan"], "d"),
    (["gm", "--d", "inf"], "d"),
    (["gm", "--n=-inf"], "n"),
    (["gm", "--mu-tilde", "-1"], "mu[-_]tilde"),
    (["gm", "--mu-tilde", "nan"], "mu[-_]tilde"),
    (["phase-diagram", "--d", "0.5"], "d"),
    (["phase-diagram", "--sigma", "0"], "sigma"),
    (["phase-diagram", "--over", "d-n", "--t", "-1"], "t"),
    (["phase-diagram", "--points", "1"], "points"),
])
def test_bad_input_exits_2_with_one_line(argv, param, capsys):
    with pytest.raises(SystemExit) as info:
        main([*argv, "--no-plot"] if argv[0] == "gm" else [*argv, "--plot", "never.png"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "\n" not in err
    assert re.match(rf"regimes: error: --{param} must be", err), err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not os.path.exists("never.png")


def test_citation_command(capsys):
    assert main(["citation", "theory.gaussian_mixture.collapse_time"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("theory.gaussian_mixture.collapse_time: ")
    assert "eq. 10" in out and "2402.18491" in out
    assert main(["citation", "t_star"]) == 0          # a bare name unique in the packages
    assert "eqs. 7-8" in capsys.readouterr().out
    assert main(["citation", "theory.gaussian_mixture.collapse_time", "--bibtex"]) == 0
    assert "@article{biroli2024dynamical" in capsys.readouterr().out
    assert main(["citation"]) == 0
    assert capsys.readouterr().out.count("@") == 3


def test_citation_unknown_name(capsys):
    with pytest.raises(SystemExit) as info:
        main(["citation", "no_such_function"])
    assert info.value.code == 2
    assert "no citation recorded" in capsys.readouterr().err


def test_console_script_subprocess(tmp_path):
    # the module of the entry point ``regimes = "regimes.cli:main"`` (an installed ``regimes`` script
    # may belong to another checkout of the package)
    cmd = [sys.executable, "-m", "regimes.cli"]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run([*cmd, "gm", "--no-plot", "--d", "256"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _value(proc.stdout, "t_S = 1/2 log(d mu~^2)") == pytest.approx(0.5 * np.log(256), abs=1e-6)
    assert _value(proc.stdout, "t_C") == pytest.approx(1.298790, abs=1e-6)
    bad = subprocess.run([*cmd, "gm", "--no-plot", "--sigma", "0"], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("regimes: error: --sigma must be")


def test_citation_api():
    from theory.citation import citation
    from theory.gaussian_mixture import collapse_time, phi

    assert "eq. 10" in citation(collapse_time)
    assert "eq. 6" in citation(phi)
    assert citation("theory.gaussian_mixture.collapse_time") == citation(collapse_time)
    assert citation("theory.gaussian_mixture.collapse_time", bibtex=True).startswith(
        "@article{biroli2024dynamical")
    with pytest.raises(ValueError, match="no citation recorded"):
        citation("bogus")
    with pytest.raises(ValueError, match="no citation recorded"):
        citation("theory.gaussian_mixture.bogus")


def test_reproduce_fig2_quick_writes_files_and_resumes(tmp_path, capsys):
    out = tmp_path / "f2"
    assert main(["reproduce", "fig2", "--quick", "--out", str(out), "--keep-checkpoint"]) == 0
    text = capsys.readouterr().out
    assert "max |z|" in text
    for name in ("fig2.png", "fig2.csv", "fig2.json", "fig2.checkpoint.json"):
        assert (out / name).stat().st_size > 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]   # no temporary files left
    import json

    meta = json.loads((out / "fig2.json").read_text())
    assert meta["seed"] == 232 and meta["version"] and meta["summary"]["max_abs_z"] < 4
    # a second run resumes from the checkpoint and gives the same numbers
    first = (out / "fig2.csv").read_text()
    assert main(["reproduce", "fig2", "--quick", "--out", str(out)]) == 0
    assert (out / "fig2.csv").read_text() == first
    assert not (out / "fig2.checkpoint.json").exists()      # removed after a successful run


def test_entry_point_resolves():
    """pyproject's console script names a callable of the application package."""
    import importlib
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    target = re.search(r'^regimes = "([\w.]+):(\w+)"$', text, re.M)
    assert target is not None and target.group(1) == "regimes.cli"
    assert getattr(importlib.import_module(target.group(1)), target.group(2)) is main
    assert re.search(r'^packages = \[.*"regimes".*\]$', text, re.M)
