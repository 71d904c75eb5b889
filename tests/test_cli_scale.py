"""``regimes validate`` and ``regimes reproduce fig3 --large`` (Dask; serial and a 2-worker local
cluster), and their one-line errors.

Reference values: the validation API called directly (the command is a thin layer over it), the
closed forms of theory.gaussian_mixture (eq. 10 and the finite-d excess entropy), and the serial run
(a local cluster must give the same numbers for the same seeds).
"""

from __future__ import annotations

import csv
import json
import math
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regimes.cli import main  # noqa: E402
from regimes.scale import QUICK_FIG3_LARGE, fig3_large_memory  # noqa: E402
from theory.gaussian_mixture import collapse_time, excess_entropy  # noqa: E402
from validation.large import phase_diagram_validation  # noqa: E402

GRID = ["--d", "8", "--n", "100,300", "--seeds", "0", "1", "--samples", "200"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _strict(text: str):
    def reject(token):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=reject)


def _csv(path) -> list[dict]:
    with open(path) as fh:
        return list(csv.DictReader(fh))


def test_validate_serial_matches_the_api_and_the_closed_forms(capsys, tmp_path):
    assert main(["validate", *GRID, "--scheduler", "serial", "--out", "ser"]) == 0
    captured = capsys.readouterr()
    assert "d = 8, n = 300" in captured.out and "t_C MC" in captured.out
    assert "validate: 4/4 done" in captured.err            # log lines off a terminal
    assert sorted(p.name for p in (tmp_path / "ser").iterdir()) == [      # checkpoints removed
        "validate.csv", "validate.json", "validate.png"]
    assert (tmp_path / "ser" / "validate.png").stat().st_size > 10_000
    rows = _csv(tmp_path / "ser" / "validate.csv")
    ref = phase_diagram_validation([8], [100, 300], [0, 1], "serial", n_samples=200)
    assert len(rows) == len(ref) == 4
    for got, want in zip(rows, ref, strict=True):
        for key in ("t_S_mc", "t_C_mc", "t_S_theory", "t_C_finite_d"):
            assert float(got[key]) == pytest.approx(want[key], rel=1e-12, nan_ok=True)
        assert float(got["t_C_theory"]) == pytest.approx(collapse_time(8, want["n"]), rel=1e-12)
        assert float(got["alpha"]) == pytest.approx(math.log(want["n"]) / 8, rel=1e-12)
    summary = _strict((tmp_path / "ser" / "validate.json").read_text())["summary"]
    for p in summary["points"]:
        ts = [r["t_S_mc"] for r in ref if r["n"] == p["n"]]
        assert p["t_S_mc"]["mean"] == pytest.approx(np.mean(ts), rel=1e-12)
        assert p["t_S_mc"]["sd"] == pytest.approx(np.std(ts, ddof=1), rel=1e-9, abs=1e-15)
        # the Monte Carlo speciation time reads the same crossing as the closed form of eq. 6
        assert abs(p["t_S_mc"]["mean"] - p["t_S_theory"]) < 0.1


def test_validate_local_cluster_equals_serial_and_prints_strict_json(capsys, tmp_path):
    tic = time.perf_counter()
    assert main(["validate", *GRID, "--workers", "2", "--out", "dask", "--json", "--no-plot",
                 "--keep-checkpoint"]) == 0
    wall = time.perf_counter() - tic
    out = _strict(capsys.readouterr().out)
    assert out["params"]["scheduler"] == "local cluster (2 workers)"
    assert out["files"]["png"] is None and not (tmp_path / "dask" / "validate.png").exists()
    assert len(list((tmp_path / "dask" / "validate.ck").glob("*.json"))) == 4      # kept
    ref = phase_diagram_validation([8], [100, 300], [0, 1], "serial", n_samples=200)
    rows = _csv(tmp_path / "dask" / "validate.csv")
    for got, want in zip(rows, ref, strict=True):
        for key in ("t_S_mc", "t_C_mc"):
            assert float(got[key]) == pytest.approx(want[key], rel=1e-12, nan_ok=True)
    assert wall < 25


def test_fig3_large_quick_against_the_finite_d_curve(capsys, tmp_path):
    assert main(["reproduce", "fig3", "--large", "--quick", "--scheduler", "serial"]) == 0
    text = capsys.readouterr().out
    assert "d = 16, n = 20000" in text and "eq. 10" in text
    rows = _csv(tmp_path / "fig3_large" / "fig3_large.csv")
    assert len(rows) == len(QUICK_FIG3_LARGE["configs"]) * len(QUICK_FIG3_LARGE["times"])
    assert (tmp_path / "fig3_large" / "fig3_large.png").stat().st_size > 10_000
    late = 0
    for r in rows:
        d, n, t = int(r["d"]), int(r["n"]), float(r["t"])
        a = math.log(n) / d
        assert float(r["theory_finite_d"]) == pytest.approx(
            excess_entropy(t, d, n, finite_d=True) / a, rel=1e-10, abs=1e-14)
        assert float(r["t_C"]) == pytest.approx(collapse_time(d, n), rel=1e-12)
        assert float(r["se"]) <= QUICK_FIG3_LARGE["target"] * 1.2
        if t >= 2 * float(r["t_C"]):       # far from the collapse the finite-d curve is accurate
            late += 1
            z = (float(r["fe_over_alpha"]) - float(r["theory_finite_d"])) / max(float(r["se"]), 1e-12)
            assert abs(z) < 3.5, (d, n, t, z)
    assert late == 7                      # 2 at d = 64, 5 at d = 16
    meta = _strict((tmp_path / "fig3_large" / "fig3_large.json").read_text())
    assert meta["seed"] == 232 and meta["params"]["configs"] == [[64, 2000], [16, 20000]]


def test_fig3_large_memory_estimate():
    need, why = fig3_large_memory(((16384, 20000), (1024, 1_000_000)), 2)
    data = 8 * 16384 * 20000
    assert need > 2 * 2 * data and "d = 16384" in why
    need1, why1 = fig3_large_memory(((1024, 1_000_000),), 1)
    assert need1 > 8 * 1024 * 10**6 and "shards" in why1


@pytest.mark.parametrize("argv, option", [
    (["validate", "--d", "0", "--n", "100"], "--d"),
    (["validate", "--d", "8", "--n", "1"], "--n"),
    (["validate", "--d", "8", "--n", "100", "--seeds", "-1"], "--seeds"),
    (["validate", "--d", "8", "--n", "100", "--samples", "1"], "--samples"),
    (["validate", "--d", "8", "8", "--n", "100"], "--d"),
    (["validate", "--d", "8", "--n", "100", "--workers", "x"], "--workers"),
    (["validate", "--d", "8", "--n", "100", "--mu-tilde", "0"], "--mu-tilde"),
    (["validate", "--d", "8", "--n", "100", "--scheduler", "foo:bar"], "--scheduler"),
    (["validate", "--d", "8", "--n", "100", "--scheduler", "tcp://127.0.0.1:1",
      "--connect-timeout", "1"], "--scheduler"),
    (["validate", "--d", "8", "--n", "100", "--connect-timeout", "0"], "--connect-timeout"),
    (["validate", "--d", "100000", "--n", "1e7"], "--d/--n"),
    (["reproduce", "fig2", "--large"], "--large"),
    (["reproduce", "fig3", "--scheduler", "serial"], "--scheduler"),
    (["reproduce", "fig3", "--large", "--config", "5"], "--config"),
    (["reproduce", "fig3", "--large", "--config", "100000,1000000"], "--large"),
])
def test_bad_input_exits_2_with_one_line(argv, option, capsys):
    tic = time.perf_counter()
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("regimes: error: ") and option in err[0], err
    assert time.perf_counter() - tic < 10        # a wrong address fails fast, it does not hang


def test_memory_refusal_gives_the_estimate(capsys):
    with pytest.raises(SystemExit):
        main(["reproduce", "fig3", "--large", "--config", "100000,1000000", "--workers", "2"])
    err = capsys.readouterr().err
    need, _ = fig3_large_memory(((100000, 1000000),), 2)
    assert f"about {need / 1e9:.1f} GB" in err and "this machine has" in err


def test_scale_module_doctest():
    import doctest

    import regimes.scale

    res = doctest.testmod(regimes.scale)
    assert res.attempted >= 3 and res.failed == 0
