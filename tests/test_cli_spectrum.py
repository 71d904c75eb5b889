"""``regimes spectrum`` with a latent-variance law (--law), a covariance spectrum (--spectrum FILE),
a shipped dataset (--dataset) and the few-groups route; strict JSON with sources; bad input.

Reference values are closed forms checked independently of the CLI code path: the gap peak
s_max = sqrt(ab), height (sqrt b - sqrt a)/(sqrt b + sqrt a) (Ventura et al. 2025, eqs. 18-20), the
Marchenko-Pastur edges (1 -+ sqrt(p/n))^2, and the count #{lambda > s(t)} of the Gaussian model.
"""

from __future__ import annotations

import json
import os
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regimes.cli import main  # noqa: E402
from theory.collapse import collapse_time_from_spectrum  # noqa: E402
from theory.spectral import (  # noqa: E402
    bulk_edges,
    bulks_vs_spread,
    from_values,
    gap_structure,
    power_law,
    sample_covariance_bulks,
    uniform_law,
)
from theory.timemap import ve_variance  # noqa: E402

#: keys of a JSON result that are inputs or bookkeeping, not computed numbers
INPUT_KEYS = {"mode", "input", "figure", "sources", "groups", "version", "non_finite"}   # not computed
POWER = ["--law", "power", "beta=1", "count=60", "fraction=0.4"]
GRID = ["--points", "12", "--t-min", "1e-3", "--t-max", "3"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _strict(text: str) -> dict:
    def reject(token):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=reject)


def _json(argv, capsys) -> dict:
    assert main(["spectrum", *argv, "--json"]) == 0
    return _strict(capsys.readouterr().out)


def _text(argv, capsys) -> str:
    assert main(["spectrum", *argv]) == 0
    return capsys.readouterr().out


def _check_sources(out: dict) -> None:
    computed = set(out) - INPUT_KEYS
    assert computed <= set(out["sources"]), computed - set(out["sources"])
    for key in computed:
        src = out["sources"][key]
        assert re.search(r"arXiv:\d{4}\.\d{5}|\(\d{4}\)|input", src), (key, src)


# --- laws ---------------------------------------------------------------------------------------------

def test_power_law_json_edges_and_gap_closed_forms(capsys):
    out = _json([*POWER, *GRID, "--threshold", "0.05"], capsys)
    f, v = power_law(1.0, 60, 0.4).groups()
    np.testing.assert_allclose(out["edges"], bulk_edges(f, v), rtol=1e-12)
    assert out["law"]["groups"] == 60 and out["spike_weight"] == pytest.approx(0.6, abs=1e-14)
    assert len(out["gaps"]) == len(out["bulks"]) - 1 >= 1
    pairs = list(zip(out["bulks"][:-1], out["bulks"][1:], strict=True))
    for g, (lo, hi) in zip(out["gaps"], pairs, strict=True):
        a, b = lo["upper"], hi["lower"]
        assert (g["a"], g["b"]) == (pytest.approx(a, rel=1e-14), pytest.approx(b, rel=1e-14))
        assert g["s_max"] == pytest.approx(np.sqrt(a * b), rel=1e-10)
        assert g["height"] == pytest.approx((np.sqrt(b) - np.sqrt(a)) / (np.sqrt(b) + np.sqrt(a)),
                                            rel=1e-10)
        assert g["visible"] == (g["height"] > 0.05)
        assert (g["t_open"] is None) == (not g["visible"])          # NaN -> null, not "NaN"
    assert any(g["visible"] for g in out["gaps"]) and not all(g["visible"] for g in out["gaps"])
    gs = gap_structure(np.geomspace(1e-3, 3, 12), f, v, 0.05)
    np.testing.assert_array_equal(out["gap_structure"]["visible"], gs.visible)
    np.testing.assert_allclose(out["gap_structure"]["gaps"], gs.gaps, rtol=1e-12)
    _check_sources(out)
    assert "eqs. 15" in out["sources"]["gap_structure"]


def test_law_text_says_no_gap_and_never_nan(capsys):
    text = _text([*POWER, *GRID, "--threshold", "0.05"], capsys)
    assert "no gap" in text and "nan" not in text.lower()
    assert re.search(r"gap bulk \d+ \| \d+: peak 0\.\d+ .*> 0\.05 for t in \[", text)
    uni = _text(["--law", "uniform", "low=0.5", "high=1.5", "fraction=0.4", "--groups", "80", *GRID],
                capsys)
    assert "1 bulk(s)" in uni and "no gap between tangent bulks" in uni


def test_uniform_law_support_and_groups(capsys):
    out = _json(["--law", "uniform", "low=0.5", "high=1.5", "fraction=0.4", "--groups", "80",
                 *GRID], capsys)
    np.testing.assert_allclose(np.reshape(out["edges"], (-1, 2)), uniform_law(0.5, 1.5, 0.4)
                               .support(80), rtol=1e-12)
    assert out["gaps"] == [] and out["law"]["groups"] == 80


def test_sweep_counts_bulks(capsys):
    out = _json([*POWER, *GRID, "--sweep", "beta=0,0.5,2"], capsys)
    expect = bulks_vs_spread(lambda b: power_law(b, 60, 0.4), [0.0, 0.5, 2.0])
    assert out["sweep"]["bulks"] == expect.tolist() and expect[0] == 1 and expect[2] > expect[1]
    assert out["sweep"]["parameter"] == "beta"


def test_law_monte_carlo_exact_separation(capsys):
    """Two well separated spread groups at d = 400: each bulk holds exactly d * mass sampled
    eigenvalues, and none leaves the support by more than 5% of its width."""
    out = _json(["--law", "spread", "fractions=0.2,0.2", "variances=0.01,1", "spread=0.5",
                 "--groups", "40", *GRID, "--monte-carlo", "--d", "400"], capsys)
    mc = out["monte_carlo"]
    assert mc["d"] == 400 and mc["m"] == 160 and len(mc["bulk_counts"]) == 2
    for c in mc["bulk_counts"]:
        assert c["sampled"] == round(c["predicted"]) == 80
    assert mc["largest_excursion"] < 0.05
    _check_sources(out)


def test_spectrum_fraction_is_the_law_of_its_values(tmp_path, capsys):
    vals = np.r_[np.full(40, 1.0), np.full(40, 0.01)]
    np.save(tmp_path / "v.npy", vals)
    out = _json(["--spectrum", "v.npy", "--fraction", "0.4", *GRID], capsys)
    assert out["mode"] == "values" and out["law"]["distinct_variances"] == 2
    np.testing.assert_allclose(out["edges"], bulk_edges([0.2, 0.2], [0.01, 1.0]), rtol=1e-10)
    np.testing.assert_allclose(out["edges"], bulk_edges(*from_values(vals, 0.4).groups()),
                               rtol=1e-14)
    groups = _json(["--fractions", "0.2", "0.2", "--variances", "1", "0.01", *GRID], capsys)
    np.testing.assert_allclose(out["edges"], groups["edges"], rtol=1e-10)


# --- covariance spectra -------------------------------------------------------------------------------

def _spread_spectrum() -> np.ndarray:
    return np.r_[1.0 / np.arange(1, 31) ** 1.5, 0.0, 0.0]


@pytest.mark.parametrize("fmt", ["npy", "txt", "csv"])
def test_spectrum_file_counts_and_collapse_time(fmt, tmp_path, capsys):
    lam = _spread_spectrum()
    path = tmp_path / f"eig.{fmt}"
    if fmt == "npy":
        np.save(path, lam)
    elif fmt == "txt":
        np.savetxt(path, lam[:, None], header="eigenvalues")          # a column, '#' header
    else:
        np.savetxt(path, lam[None, :], delimiter=",")                  # one row
    out = _json(["--spectrum", str(path), "--n", "500", *GRID], capsys)
    t = np.geomspace(1e-3, 3, 12)
    direct = np.sum(lam[None, :] > ve_variance(t)[:, None], axis=1)  # mu < 1/2 <=> lambda > s
    assert out["prediction"]["count"] == direct.tolist()
    assert out["spectrum"] == {"p": 32, "positive": 30, "range": [pytest.approx(30 ** -1.5),
                                                                  1.0],
                               "trace": pytest.approx(np.sum(lam))}
    tc = float(collapse_time_from_spectrum(lam, 500, 32))
    assert out["collapse_time"] == pytest.approx(tc, rel=1e-12)
    assert out["count_at_collapse"] == int(np.sum(lam > ve_variance(tc)))
    assert len(out["sample_covariance"]["bulks"]) == len(sample_covariance_bulks(lam, 499))
    assert out["input"]["n"] == 500 and out["input"]["threshold"] == 0.5
    _check_sources(out)


def test_spectrum_marchenko_pastur_edges(tmp_path, capsys):
    np.savetxt(tmp_path / "flat.txt", np.ones(100))
    out = _json(["--spectrum", "flat.txt", "--n", "401", *GRID], capsys)
    (b,) = out["sample_covariance"]["bulks"]
    assert (b["lower"], b["upper"]) == (pytest.approx(0.25, rel=1e-10), pytest.approx(2.25, rel=1e-10))
    assert out["sample_covariance"]["single_eigenvalue_bulks"] == 1 and b["eigenvalues"] == 1


def test_spectrum_text_table_and_no_n(tmp_path, capsys):
    np.save(tmp_path / "e.npy", _spread_spectrum())
    text = _text(["--spectrum", "e.npy", *GRID], capsys)
    assert "t_C" not in text and "nan" not in text.lower() and "count mu<0.5" in text
    out = _json(["--spectrum", "e.npy", *GRID], capsys)
    assert out["collapse_time"] is None and out["sample_covariance"] is None


def test_figures_are_written(tmp_path, capsys):
    np.save(tmp_path / "e.npy", _spread_spectrum())
    assert main(["spectrum", "--spectrum", "e.npy", "--n", "500", *GRID, "--quick", "--plot",
                 "data.png"]) == 0
    assert main(["spectrum", *POWER, *GRID, "--quick", "--monte-carlo", "--plot", "law.png"]) == 0
    assert "figure: law.png" in capsys.readouterr().out
    assert os.path.getsize("data.png") > 10_000 and os.path.getsize("law.png") > 10_000


def test_dataset_digits_monte_carlo_collapse(capsys):
    """digits: the Gaussian model and the exact empirical score; below t_C the measured count has
    collapsed below the prediction, and the prediction equals the Gaussian-model count."""
    pytest.importorskip("sklearn")
    out = _json(["--dataset", "digits", "--subsample", "600", "--monte-carlo", "--quick",
                 "--points", "8"], capsys)
    rows = out["monte_carlo"]["rows"]
    assert out["input"]["d"] == 64 and len(rows) == 4 and out["monte_carlo"]["n_points"] == 2
    below = [r for r in rows if r["side"] == "below t_C"]
    assert below and all(r["measured_count"] < r["predicted_count"] for r in below)
    assert rows[0]["t_over_tC"] == pytest.approx(0.25, rel=1e-9)
    _check_sources(out)


# --- the few-groups route keeps its output ------------------------------------------------------------

def test_groups_no_gap_message_and_sources(capsys):
    argv = ["--fractions", "0.2", "0.2", "--variances", "1", "0.1", "--threshold", "0.45"]
    text = _text(argv, capsys)
    assert "never above Delta = 0.45: no gap" in text and "nan" not in text
    out = _json(argv, capsys)
    assert out["intermediate_gaps"][0]["s_open"] is None and out["mode"] == "groups"
    _check_sources(out)
    wide = _text(["--fractions", "0.2", "0.2", "--variances", "1", "0.01"], capsys)
    assert re.search(r"open [\d.e-]+ -> close [\d.e-]+ \(s\)", wide)


# --- bad input ----------------------------------------------------------------------------------------

@pytest.fixture
def files(tmp_path):
    np.save(tmp_path / "neg.npy", np.array([1.0, -0.5, 0.2]))
    np.save(tmp_path / "nan.npy", np.array([1.0, np.nan]))
    np.save(tmp_path / "two.npy", np.ones((5, 3)))
    np.save(tmp_path / "zero.npy", np.zeros(3))
    (tmp_path / "bad.txt").write_text("1.0\nabc\n")
    (tmp_path / "inf.csv").write_text("1.0, inf\n")
    np.save(tmp_path / "ok.npy", np.array([1.0, 0.5]))
    return tmp_path


@pytest.mark.parametrize(("argv", "option"), [
    (["--law", "powr", "beta=1"], "--law"),
    (["--law", "power", "beta1"], "--law"),
    (["--law", "power", "beta=x", "count=10", "fraction=0.4"], "--law power: beta"),
    (["--law", "power", "beta=1", "count=10"], "--law power needs fraction="),
    (["--law", "power", "beta=1", "count=10", "fraction=0.4", "gamma=2"], "--law power"),
    (["--law", "power", "beta=-1", "count=10", "fraction=0.4"], "--law power: beta"),
    (["--law", "power", "beta=nan", "count=10", "fraction=0.4"], "--law power: beta"),
    (["--law", "power", "beta=1", "count=10.5", "fraction=0.4"], "--law power: count"),
    (["--law", "uniform", "low=1", "high=2", "fraction=0.3", "--sweep", "gamma=1"], "--sweep"),
    (["--spectrum", "missing.npy"], "--spectrum"),
    (["--spectrum", "two.npy"], "--spectrum"),
    (["--spectrum", "neg.npy"], "--spectrum"),
    (["--spectrum", "nan.npy"], "--spectrum"),
    (["--spectrum", "inf.csv"], "--spectrum"),
    (["--spectrum", "bad.txt"], "--spectrum"),
    (["--spectrum", "zero.npy"], "--spectrum"),
    (["--spectrum", "ok.npy", "--fraction", "1.5"], "fraction"),
    (["--spectrum", "ok.npy", "--n", "nan"], "n"),
    (["--spectrum", "ok.npy", "--n", "x"], "argument --n"),
    (["--spectrum", "ok.npy", "--monte-carlo"], "--monte-carlo"),
    (["--spectrum", "ok.npy", "--law", "power", "beta=1"], "give one of"),
    (["--dataset", "cifar"], "--dataset"),
    (["--law", "uniform", "low=1", "high=2", "fraction=0.3", "--n", "5"], "--n"),
    (["--fraction", "0.3"], "--fraction"),
])
def test_bad_input_exits_2_with_one_line(argv, option, files, capsys):
    with pytest.raises(SystemExit) as info:
        main(["spectrum", *argv, "--plot", "never.png"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "\n" not in err and "Traceback" not in err and captured.out == ""
    assert err.startswith("regimes: error: ") and option in err, err
    assert not os.path.exists("never.png")


def test_summary_module_doctest():
    import doctest

    import regimes.spectral_summary

    res = doctest.testmod(regimes.spectral_summary)
    assert res.attempted >= 4 and res.failed == 0
