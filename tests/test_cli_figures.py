"""Figures and CLI output fixed for issue 14: analytic phase-diagram boundaries and the user's point,
``--json``/``--no-plot`` on every plotting subcommand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from regimes.cli import build_parser, main
from theory.gaussian_mixture import collapse_time, speciation_time


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_phase_diagram_json_boundaries_equal_theory(capsys, tmp_path):
    d, mu, sig = 64, 0.8, 1.3
    out = _json(capsys, ["phase-diagram", "--d", str(d), "--mu-tilde", str(mu), "--sigma", str(sig),
                         "--points", "20", "--json", "--no-plot"])
    assert out["figure"] is None and not list(tmp_path.iterdir())
    b = out["boundaries"]
    assert b["t_S"] == pytest.approx(speciation_time(d, mu), rel=1e-12)
    alpha = np.array(b["t_C"]["alpha"])
    assert alpha.size >= 100 and alpha[0] == pytest.approx(1e-3) and alpha[-1] == pytest.approx(1.0)
    n = np.exp(alpha * d)
    ok = n >= 2                          # collapse_time(d, n) takes n >= 2
    assert ok.sum() > 50
    np.testing.assert_allclose(np.array(b["t_C"]["t"])[ok], collapse_time(d, n[ok], sig), rtol=1e-10)
    assert sum(out["regime_share_percent"].values()) == pytest.approx(100.0)
    assert out["point"] is None and "t_C" in out["sources"]


def test_phase_diagram_d_n_boundaries_are_where_the_times_equal_t(capsys):
    t, mu, sig = 1.2, 1.1, 0.9
    out = _json(capsys, ["phase-diagram", "--over", "d-n", "--t", str(t), "--mu-tilde", str(mu),
                         "--sigma", str(sig), "--points", "10", "--d-max", "1e3", "--n-max", "1e30",
                         "--json", "--no-plot"])
    b = out["boundaries"]
    assert speciation_time(b["t_S"]["d"], mu) == pytest.approx(t, rel=1e-12)
    d, n = np.array(b["t_C"]["d"]), np.array(b["t_C"]["n"], dtype=float)
    ok = (n >= 2) & np.isfinite(n)
    assert ok.sum() > 50
    np.testing.assert_allclose(collapse_time(d[ok], n[ok], sig), t, rtol=1e-8)


@pytest.mark.parametrize(("point", "regime"), [(("0.2", "0.3"), "III"), (("2.5", "0.01"), "II"),
                                               (("4.0", "0.01"), "I")])
def test_phase_diagram_marks_the_users_point(capsys, point, regime):
    d = 1024
    out = _json(capsys, ["phase-diagram", "--d", str(d), "--point", *point, "--points", "5",
                         "--json", "--no-plot"])
    p = out["point"]
    t, alpha = map(float, point)
    assert p["regime"] == regime
    assert p["t_C"] == pytest.approx(collapse_time(d, math.exp(alpha * d)), rel=1e-10)
    expected = "III" if t < p["t_C"] else ("II" if t < p["t_S"] else "I")
    assert expected == regime


def test_phase_diagram_n_marks_alpha_and_text(capsys, tmp_path):
    png = tmp_path / "pd.png"
    assert main(["phase-diagram", "--d", "256", "--n", "1e4", "--points", "20", "--plot", str(png)]) == 0
    text = capsys.readouterr().out
    alpha = math.log(1e4) / 256
    assert f"alpha = {alpha:g}" in text
    assert f"t_C = {collapse_time(256, 1e4):.4g}" in text
    assert "regime III for t <" in text and "t_S = 1/2 log(d mu~^2)" in text
    assert png.stat().st_size > 0


def test_phase_diagram_figure_draws_curves_not_pixels(tmp_path):
    from regimes.figures import plot_phase_diagram
    from theory.phase_diagram import phase_diagram_t_alpha

    diag = phase_diagram_t_alpha(np.linspace(0, 6, 30), np.geomspace(0.02, 1, 30), 64)
    alpha = np.geomspace(0.02, 1, 200)
    b = {"t_S": float(speciation_time(64)),
         "t_C": {"alpha": alpha, "t": collapse_time(64, np.exp(alpha * 64))}}
    fig = plot_phase_diagram(diag, boundaries=b, log_y=True,
                             point={"t": 1.0, "alpha": 0.1, "regime": "III", "n": None})
    ax = fig.axes[0]
    assert not ax.collections or all(type(c).__name__ != "QuadMesh" for c in ax.collections)
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert any("t_C" in s for s in labels) and any("t_S" in s for s in labels)
    assert any("your point" in s and "regime III" in s for s in labels)
    assert ax.get_ylabel() and ax.get_xlabel()


PLOTTING = ("analyze", "gm", "manifold", "phase-diagram", "reproduce", "spectrum", "validate")


@pytest.mark.parametrize("command", PLOTTING)
def test_every_plotting_subcommand_has_json_and_no_plot(command):
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    options = {s for a in sub.choices[command]._actions for s in a.option_strings}
    assert {"--json", "--no-plot"} <= options


# --- regimes spectrum: the user's order, "no gap", tau_VE explained, the paper's phase names -----------

def test_spectrum_text_keeps_the_users_group_order(capsys):
    assert main(["spectrum", "--fractions", "0.1", "0.2", "0.1", "--variances", "1", "0.01", "0.1"]) == 0
    text = capsys.readouterr().out
    assert "in your order: 1: (0.1, 1), 2: (0.2, 0.01), 3: (0.1, 0.1)" in text
    bulks = [line.split("  ")[-1] for line in text.splitlines() if line.startswith("  bulk [")]
    assert bulks == ["group 2", "group 3", "group 1"]      # bulks ascend in s: v = 0.01, 0.1, 1
    assert "gap group 2 (v = 0.01) | group 3 (v = 0.1)" in text
    assert "tau_VE: the time in [0, 1]" in text and "VE tau" not in text
    assert "trivial -> manifold coverage at t =" in text
    assert "manifold coverage -> consolidation at t =" in text
    assert " I -> II" not in text and "II -> III" not in text
    out = _json(capsys, ["spectrum", "--fractions", "0.1", "0.2", "0.1", "--variances", "1", "0.01", "0.1",
                         "--json"])
    assert out["groups"]["variances"] == [1.0, 0.01, 0.1]
    assert out["groups"]["fractions"] == [0.1, 0.2, 0.1]


def test_spectrum_absent_gap_says_no_gap(capsys):
    assert main(["spectrum", "--fractions", "0.2", "0.2", "--variances", "0.1", "1", "--threshold",
                 "0.45"]) == 0
    text = capsys.readouterr().out
    assert "no gap" in text and "nan" not in text


def test_spectrum_no_plot_overrides_plot(capsys, tmp_path):
    png = tmp_path / "s.png"
    out = _json(capsys, ["spectrum", "--plot", str(png), "--no-plot", "--json", "--points", "20"])
    assert out["figure"] is None and not png.exists()


# --- regimes manifold: blocks numbered from 1 in the text and the JSON ---------------------------------

def test_manifold_blocks_numbered_from_one_in_text_and_json(capsys, tmp_path):
    argv = ["manifold", "--stds", "1", "0.3", "--dims", "2", "3", "--d", "12", "--n", "300", "--quick",
            "--points", "4"]
    out = _json(capsys, [*argv, "--json", "--plot", str(tmp_path / "m.png"), "--no-plot"])
    assert out["figure"] is None and not (tmp_path / "m.png").exists()
    assert [b["block"] for b in out["blocks"]] == [1, 2, 3]          # block 3: the normal block
    assert [b["tangent"] for b in out["blocks"]] == [True, True, False]
    assert out["blocks"][1]["std"] == 0.3 and out["blocks"][1]["dims"] == 3
    assert out["blocks"][0]["t_C"] == out["theory"]["critical_times"][0]
    assert sorted(out["theory"]["loss_order"]) == [1, 2]
    assert sorted(out["comparison"]["predicted_order"]) == [1, 2, 3]
    assert main(argv) == 0
    text = capsys.readouterr().out
    first_lost = out["theory"]["loss_order"][0]
    assert f"loss order (first lost first): {out['theory']['loss_order']}" in text
    assert f"block {first_lost}: std {[1, 0.3][first_lost - 1]:g}" in text
    assert "block 0" not in text


def test_manifold_figure_has_two_panels_with_legends(tmp_path):
    from regimes.manifold_experiment import manifold_experiment
    from regimes.manifold_figures import plot_manifold_experiment

    res = manifold_experiment([1, 0.3], [2, 3], 12, 300, rng=2, quick=True, n_points=4)
    fig = plot_manifold_experiment(res)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_legend() is not None and ax.get_xlabel()
        assert "--" not in ax.get_title()                  # no ASCII line-style keys in titles
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["block 1 (2 dims, std 1)", "block 2 (3 dims, std 0.3)"]
    assert fig.axes[0].get_ylabel()


def test_manifold_global_collapse_times_agree_in_figure_text_and_json(capsys):
    """Two distinct global collapse times on the sphere -- the data's covariance (effective variances)
    and the nominal variances stds^2 -- named apart and with the same values in the figure, the text
    and the JSON (the figure used to show the nominal one as "global collapse" while the JSON's
    comparison.global_time was the data one)."""
    from regimes.manifold_experiment import manifold_experiment
    from regimes.manifold_figures import plot_manifold_experiment
    from theory.manifold import global_collapse_time
    from theory.models import LinearManifold

    stds, dims, d, n = [1.0, 0.3, 0.01], [2, 3, 7], 12, 300
    data = float(global_collapse_time(np.sqrt(LinearManifold(d, dims, np.square(stds), on_sphere=True,
                                                             radius=1.0).block_variances()), dims, n))
    nominal = float(global_collapse_time(stds, dims, n, normalized=True))
    assert data < 0.8 * nominal                          # distinct quantities on the sphere
    argv = ["manifold", "--stds", "1", "0.3", "--dims", "2", "3", "--d", str(d), "--n", str(n),
            "--quick", "--points", "4"]
    out = _json(capsys, [*argv, "--json", "--no-plot"])
    g = out["global_collapse"]
    assert g["data_covariance"] == pytest.approx(data, rel=1e-12)
    assert g["nominal_variances"] == pytest.approx(nominal, rel=1e-12)
    assert out["comparison"]["global_time_data"] == g["data_covariance"]
    assert out["theory"]["global_time_nominal"] == g["nominal_variances"]
    assert "global_time" not in out["comparison"] and "global_time" not in out["theory"]
    assert "OU" in g["time"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert f"data covariance {data:.5f}" in text and f"nominal variances std^2 {nominal:.5f}" in text
    res = manifold_experiment([1, 0.3], [2, 3], d, n, rng=2, quick=True, n_points=4)
    fig = plot_manifold_experiment(res)
    for ax in fig.axes:
        vlines = {ln.get_linestyle(): ln.get_xdata()[0] for ln in ax.lines
                  if len(set(ln.get_xdata())) == 1 and ln.get_color() in ("k", "0.45")}
        assert vlines["-"] == pytest.approx(data, rel=1e-12)       # solid: the data covariance
        assert vlines["--"] == pytest.approx(nominal, rel=1e-12)   # dashed: the nominal variances
    labels = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert f"global collapse, data covariance: t = {data:.3g}" in labels
    assert any(lab.startswith("global collapse, nominal variances") and f"t = {nominal:.3g}" in lab
               for lab in labels)
    gaussian = _json(capsys, [*argv, "--gaussian", "--json", "--no-plot"])["global_collapse"]
    assert gaussian["data_covariance"] == pytest.approx(gaussian["nominal_variances"], rel=1e-12)


# --- regimes analyze: the t_S reading, the warning near Lambda = 1, the crossing level, the panels -----

@pytest.mark.parametrize(("Lambda", "warns"), [(0.6, True), (1.142, True), (1.49, True), (0.45, False),
                                               (1.51, False), (4.0, False)])
def test_speciation_reading_warns_near_lambda_one(Lambda, warns):
    from regimes.analysis import LAMBDA_NEAR_ONE, speciation_reading

    r = speciation_reading(Lambda)
    assert (r.warning is not None) == warns == (abs(Lambda - 1) < LAMBDA_NEAR_ONE)
    if warns:
        assert f"Lambda = {Lambda:.4g} is near 1" in r.warning and "--t-s-convention" in r.warning
        assert f"1/2 log(Lambda + 1) = {0.5 * math.log(Lambda + 1):.4g}" in r.warning


def test_speciation_reading_convention_is_chosen_not_switched():
    from regimes.analysis import speciation_reading

    auto = speciation_reading(1.142)
    assert auto.convention == "paper" and auto.used == pytest.approx(0.5 * math.log(1.142))
    chosen = speciation_reading(1.142, "lambda_plus_one")
    assert chosen.convention == "lambda_plus_one" and chosen.used == pytest.approx(0.5 * math.log(2.142))
    with pytest.raises(ValueError, match="lambda_minus_one.*not a positive time at Lambda = 1.142"):
        speciation_reading(1.142, "lambda_minus_one")
    with pytest.raises(ValueError, match="t-s-convention must be one of"):
        speciation_reading(3.0, "exact")


def _toy(tmp_path, name, sep, classes=2, seed=8):
    rng = np.random.default_rng(seed)
    centres = 0.5 + sep * np.linspace(-1, 1, classes)
    x = np.concatenate([rng.normal(c, 0.1, (30, 16)) for c in centres]).clip(0, 1)
    path = tmp_path / f"{name}.npz"
    np.savez(path, x=x, y=np.repeat(np.arange(classes), 30))
    return str(path)


def test_analyze_warns_near_lambda_one_only(tmp_path, capsys):
    common = ["--quick", "--no-trajectories", "--no-cloning", "--no-plot", "--json"]
    near = _toy(tmp_path, "near", 0.25)
    assert main(["analyze", near, *common, "--out", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    s = json.loads(captured.out)
    assert abs(s["Lambda"] - 1) < 0.5 and len(s["warnings"]) == 1
    warning_lines = [ln for ln in captured.err.splitlines() if ln.startswith("regimes: warning:")]
    assert warning_lines == [f"regimes: warning: {s['warnings'][0]}"]
    assert not any(p.endswith(".png") for p in s["files"].values())
    far = _toy(tmp_path, "far", 0.6)
    assert main(["analyze", far, *common, "--out", str(tmp_path / "b"), "--t-s-convention",
                 "lambda_plus_one"]) == 0
    captured = capsys.readouterr()
    s = json.loads(captured.out)
    assert s["Lambda"] > 1.5 and s["warnings"] == [] and "warning" not in captured.err
    assert s["t_S_convention"] == "lambda_plus_one"
    assert s["t_S_used"] == pytest.approx(0.5 * math.log(s["Lambda"] + 1), rel=1e-12)


def test_analyze_level_text_matches_figure_and_no_empty_panel(tmp_path, capsys):
    from regimes.analysis import analyze_dataset
    from regimes.analysis_figure import plot_analysis
    from validation.datasets import load_path

    path = _toy(tmp_path, "three", 0.5, classes=3)
    assert main(["analyze", path, "--quick", "--no-trajectories", "--no-cloning", "--out",
                 str(tmp_path / "c")]) == 0
    text = capsys.readouterr().out
    assert "phi crossing (normalized phi = 0.550)" in text and "0.775 level" not in text
    res = analyze_dataset(load_path(path), quick=True, cloning=False, trajectories=False)
    fig = plot_analysis(res)
    assert len(fig.axes) == 3                                   # no empty trajectories panel
    levels = [ln.get_ydata()[0] for ln in fig.axes[1].get_lines() if ln.get_linestyle() == "--"
              and len(set(ln.get_ydata())) == 1]
    assert levels == [pytest.approx(res.phi_crossing_level()["normalized"])]
    assert res.phi_crossing_level()["normalized"] == pytest.approx(0.5504, abs=1e-4)
    for ax in fig.axes:
        assert ax.get_ylabel()
        legend = ax.get_legend()
        if legend is not None:
            assert not any("lambda_plus_one" in t.get_text() or "(paper)" in t.get_text()
                           for t in legend.get_texts())


# --- progress as log lines off a terminal --------------------------------------------------------------

class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_logs_at_a_modest_rate_off_a_terminal(monkeypatch):
    import io

    import theory.progress as progress

    clock = _Clock()
    monkeypatch.setattr(progress.time, "perf_counter", clock)
    log = io.StringIO()
    with progress.log_lines(), progress.Progress(1000, "long run", stream=log) as bar:
        for _ in range(1000):
            clock.now += 0.2                # 200 s in all: a line per tenth (20 s apart)
            bar.update()
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and lines[0].startswith("long run: 100/1000 done (10%), 20.0 s elapsed")
    assert lines[-1].startswith("long run: 1000/1000 done (100%)")
    log = io.StringIO()
    with progress.log_lines(), progress.Progress(1000, "longer run", stream=log) as bar:
        for _ in range(1000):
            clock.now += 1.0                # 1000 s: tenths 100 s apart, so also every 30 s
            bar.update()
    gaps = np.diff([0.0] + [float(ln.split(", ")[1].split(" s")[0]) for ln in log.getvalue().splitlines()])
    assert gaps.max() <= 31.0 and gaps.min() >= 5.0 and len(gaps) < 45     # steps of 1 s
    log = io.StringIO()
    with progress.log_lines(), progress.Progress(10, "slow steps", stream=log) as bar:
        for _ in range(3):
            clock.now += 45.0               # slower than the 30 s interval: a line each step
            bar.update()
    assert len(log.getvalue().splitlines()) == 3
    log = io.StringIO()
    with progress.log_lines(), progress.Progress(10_000, "fast", stream=log) as bar:
        for _ in range(10_000):
            clock.now += 1e-4               # 1 s in all: only the last line
            bar.update()
    assert log.getvalue().splitlines() == [log.getvalue().splitlines()[-1]]
    assert "10000/10000 done" in log.getvalue()
    log = io.StringIO()
    with progress.Progress(10, "library call", stream=log) as bar:   # outside log_lines: silent
        for _ in range(10):
            clock.now += 100.0
            bar.update()
    assert log.getvalue() == ""


def test_reproduce_logs_progress_on_a_non_tty_stderr(capsys, tmp_path, monkeypatch):
    import regimes._cli_reproduce as cli_reproduce
    import theory.progress as progress

    def fake_fig3(out, quick, rng, plot, **_ck):                  # stands in for the long run
        from regimes.reproduce import FigureOutput

        with progress.Progress(4, "fig3", interval=0.0) as bar:
            for _ in range(4):
                bar.update()
        return FigureOutput(None, tmp_path / "f.csv", tmp_path / "f.json", [], 1.0,
                            {"collapse_time_from_entropy": {}, "value": float("nan")})

    monkeypatch.setattr(cli_reproduce, "reproduce_fig3", fake_fig3)
    assert main(["reproduce", "fig3", "--quick", "--no-plot", "--json", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "fig3: 4/4 done (100%)" in captured.err and captured.err.count("\n") == 4
    out = json.loads(captured.out)
    assert out["files"]["png"] is None and out["summary"]["value"] is None     # NaN -> null


# --- regimes_gm.png: close times do not overlap, the legend covers no curve ---------------------------

@pytest.mark.parametrize(("mu_tilde", "n"), [(0.1, 6e22), (1.0, 2e4)])
def test_gm_figure_labels_do_not_overlap_and_legend_is_outside(mu_tilde, n):
    from regimes.figures import plot_gaussian_mixture
    from regimes.gm_summary import solve_gaussian_mixture

    res = solve_gaussian_mixture(1024, n, mu_tilde=mu_tilde)
    fig = plot_gaussian_mixture(res)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "time-label"]
    assert len(boxes) == 3
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1          # outside the axes, to the right
    if mu_tilde == 0.1:
        assert abs(res.t_collapse - res.t_speciation) < 0.01          # the close case of the issue


def test_reproduce_fig4_text_names_the_reading_and_warns_near_one(capsys, tmp_path, monkeypatch):
    import regimes._cli_reproduce as cli_reproduce
    from regimes.reproduce import FigureOutput

    summary = {"digits 1 vs 8": {"Lambda": 1.142, "t_S_used": 0.5 * math.log(1.142),
                                 "t_S_convention": "paper", "phi_crossing_over_t_S": 4.6},
               "MNIST": {"Lambda": 7.5, "t_S_used": 1.0, "t_S_convention": "lambda_plus_one",
                         "phi_crossing_over_t_S": None}}
    monkeypatch.setattr(cli_reproduce, "reproduce_fig4", lambda out, quick, rng, plot, **_ck: FigureOutput(
        None, tmp_path / "f.csv", tmp_path / "f.json", [], 1.0, summary))
    assert main(["reproduce", "fig4", "--no-plot", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "t_S = 1/2 log Lambda = 0.0664" in lines[0] and "Lambda near 1" in lines[0]
    assert "t_S = 1/2 log(Lambda + 1) = 1.0000" in lines[1] and "near 1" not in lines[1]
    assert not any("(paper)" in ln or "lambda_plus_one" in ln for ln in lines)
    assert "f.csv" in lines[-1] and "None" not in lines[-1]
