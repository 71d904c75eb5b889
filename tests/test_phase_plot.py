"""The library's phase-diagram figures: regions bounded by the analytic curves of
:meth:`theory.phase_diagram.PhaseDiagram.boundaries` (no pixel steps), labelled t_S / t_C lines and
the user's point, for the symmetric mixture over (t, alpha) and (d, n) and for a model's cascade."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from theory.collapse import collapse_time as model_collapse_time  # noqa: E402
from theory.gaussian_mixture import collapse_time, speciation_time  # noqa: E402
from theory.models import GaussianMixture  # noqa: E402
from theory.phase_diagram import (  # noqa: E402
    model_phase_diagram,
    phase_diagram_d_n,
    phase_diagram_t_alpha,
)
from theory.speciation import speciation_times  # noqa: E402


def _labels(ax):
    return [h.get_label() for h in ax.get_legend().legend_handles]


def _no_pixels(ax):
    return all(type(c).__name__ != "QuadMesh" for c in ax.collections)


def test_boundaries_t_alpha_are_eqs_4_and_10():
    d, mu, sig = 64, 0.8, 1.3
    pd = phase_diagram_t_alpha(np.linspace(0, 5, 4), np.geomspace(0.02, 1.0, 5), d, mu, sig)
    b = pd.boundaries(points=50)
    assert b["t_S"] == pytest.approx(speciation_time(d, mu), rel=1e-12)
    alpha = b["t_C"]["alpha"]
    assert alpha.size == 50 and alpha[0] == pytest.approx(0.02) and alpha[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(b["t_C"]["t"], collapse_time(d, np.exp(alpha * d), sig), rtol=1e-10)
    # no speciation (d mu~^2 <= 1): no t_S line
    assert phase_diagram_t_alpha([1.0], [0.5], 4, 0.4).boundaries()["t_S"] is None


def test_boundaries_d_n_are_where_the_times_equal_t():
    t, mu, sig = 1.2, 1.1, 0.9
    pd = phase_diagram_d_n(np.geomspace(1, 1e3, 4), np.geomspace(2, 1e30, 4), t, mu, sig)
    b = pd.boundaries()
    assert speciation_time(b["t_S"]["d"], mu) == pytest.approx(t, rel=1e-12)
    d, n = b["t_C"]["d"], b["t_C"]["n"]
    ok = (n >= 2) & np.isfinite(n)
    assert ok.sum() > 50
    np.testing.assert_allclose(collapse_time(d[ok], n[ok], sig), t, rtol=1e-8)


def test_plot_t_alpha_draws_the_curves_and_the_point():
    d = 1024
    pd = phase_diagram_t_alpha(np.linspace(0, 6, 30), np.geomspace(1e-3, 0.5, 30), d)
    ax = pd.plot(log_y=True, point=(2.5, 0.01))
    assert _no_pixels(ax) and ax.get_yscale() == "log"
    labels = _labels(ax)
    assert any("t_C" in s for s in labels) and any("t_S" in s for s in labels)
    assert any("your point" in s and "regime II" in s and "regime III" not in s for s in labels)
    tc_line = next(ln for ln in ax.lines if "t_C" in ln.get_label())
    alpha = tc_line.get_ydata()
    np.testing.assert_allclose(tc_line.get_xdata(), collapse_time(d, np.exp(alpha * d)), rtol=1e-10)
    ts_line = next(ln for ln in ax.lines if "t_S" in ln.get_label())
    assert ts_line.get_xdata()[0] == pytest.approx(speciation_time(d))
    p = pd.point(0.2, 0.3)
    assert p["regime"] == "III" and p["t_C"] == pytest.approx(collapse_time(d, np.exp(0.3 * d)))


def test_plot_d_n_draws_the_curves_and_the_point():
    pd = phase_diagram_d_n(np.geomspace(1, 1e5, 20), np.geomspace(2, 1e8, 20), t=2.0)
    ax = pd.plot(log_x=True, log_y=True, point=(1000, 1e5))
    assert _no_pixels(ax)
    labels = _labels(ax)
    expected = pd.point(1000, 1e5)["regime"]
    assert expected == "I" * int(phase_diagram_d_n([1000.0], [1e5], 2.0).regime[0, 0])
    assert any(f"regime {expected}" in s and "your point" in s for s in labels)
    assert any("t_C(d, n) = t" in s for s in labels) and any("t_S(d) = t" in s for s in labels)


def test_model_plot_draws_the_cascade():
    d = 64
    u, v = np.eye(d)[0] * 8.0, np.eye(d)[1] * 2.0
    gm = GaussianMixture([u + v, u - v, -u], weights=[0.25, 0.25, 0.5])
    mp = model_phase_diagram(gm, np.linspace(0, 4, 30), np.geomspace(0.02, 1.0, 12))
    b = mp.boundaries(points=40)
    np.testing.assert_array_equal(b["t_S"], speciation_times(gm))
    assert b["t_S"].size == 2
    np.testing.assert_allclose(b["t_C"]["t"], model_collapse_time(gm, np.exp(b["t_C"]["alpha"] * d)))
    ax = mp.plot(log_y=True, point=(1.0, 0.5))
    assert _no_pixels(ax)
    labels = _labels(ax)
    assert any("t_{S,1}" in s for s in labels) and any("t_{S,2}" in s for s in labels)
    assert any("t_C" in s for s in labels)
    one = model_phase_diagram(gm, [1.0], [0.5])
    name = mp.regime_names()[int(one.regime[0, 0])]
    assert mp.point(1.0, 0.5)["regime"] == name
    assert any("your point" in s and name in s for s in labels)


def test_regimes_figure_is_the_library_drawing(tmp_path):
    from regimes.figures import plot_phase_diagram

    pd = phase_diagram_t_alpha(np.linspace(0, 6, 20), np.geomspace(0.02, 1, 20), 64)
    fig = plot_phase_diagram(pd, tmp_path / "pd.png")
    assert _no_pixels(fig.axes[0]) and (tmp_path / "pd.png").stat().st_size > 0
    assert any("t_C" in s for s in _labels(fig.axes[0]))
