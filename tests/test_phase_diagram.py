"""Phase diagrams: the I/II/III rule, grids over (t, alpha) and (d, n), atomic .npz output, plotting."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regimes.figures import plot_gaussian_mixture, plot_phase_diagram  # noqa: E402
from regimes.gm_summary import solve_gaussian_mixture  # noqa: E402
from theory.gaussian_mixture import collapse_time, speciation_time  # noqa: E402
from theory.phase_diagram import (  # noqa: E402
    REGIME_NAMES,
    PhaseDiagram,
    classify,
    phase_diagram_d_n,
    phase_diagram_t_alpha,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("t", "ts", "tc", "regime"), [
    (0.5, 3.0, 2.0, 3), (2.0, 3.0, 2.0, 2), (2.5, 3.0, 2.0, 2), (3.0, 3.0, 2.0, 1), (9.0, 3.0, 2.0, 1),
    # t_C >= t_S: no regime II
    (1.0, 2.0, 3.0, 3), (2.5, 2.0, 3.0, 3), (3.0, 2.0, 3.0, 1), (2.0, 2.0, 2.0, 1), (1.9, 2.0, 2.0, 3),
])
def test_classify_rule(t, ts, tc, regime):
    assert int(classify(t, ts, tc)) == regime


def test_classify_broadcasts():
    t = np.linspace(0, 5, 11)
    out = classify(t[None, :], 3.0, np.array([1.0, 4.0])[:, None])
    assert out.shape == (2, 11)
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out[0], np.where(t < 1.0, 3, np.where(t < 3.0, 2, 1)))
    np.testing.assert_array_equal(out[1], np.where(t < 4.0, 3, 1))
    assert set(REGIME_NAMES) == {1, 2, 3}


# ---------------------------------------------------------------- t-alpha diagram


def test_t_alpha_diagram_boundaries():
    d = 1024.0
    t = np.linspace(0, 6, 121)
    al = np.geomspace(1e-3, 0.5, 37)     # n = e^{alpha d} up to e^{512}, finite in float64
    diag = phase_diagram_t_alpha(t, al, d)
    assert isinstance(diag, PhaseDiagram)
    assert diag.regime.shape == (37, 121) == diag.t_speciation.shape == diag.t_collapse.shape
    np.testing.assert_array_equal(diag.x, t)
    np.testing.assert_array_equal(diag.y, al)
    # t_C in terms of alpha equals eq. 10 with n = e^{alpha d}
    np.testing.assert_allclose(diag.t_collapse[:, 0], collapse_time(d, np.exp(al * d)), rtol=1e-10)
    np.testing.assert_allclose(diag.t_speciation, speciation_time(d), rtol=1e-15)
    # regime boundaries in every row
    for i in range(al.size):
        tc, ts = diag.t_collapse[i, 0], diag.t_speciation[i, 0]
        row = diag.regime[i]
        np.testing.assert_array_equal(row[t < tc], 3)
        np.testing.assert_array_equal(row[(t >= tc) & (t < ts)], 2)
        np.testing.assert_array_equal(row[t >= max(tc, ts)], 1)
    assert set(np.unique(diag.regime)) == {1, 2, 3}
    np.testing.assert_array_equal(diag.has_regime_two(), diag.t_collapse < diag.t_speciation)


def test_t_alpha_rows_without_regime_two():
    """d = 16, sigma = mu~ = 1: t_S = log 4; t_C > t_S whenever e^{2 alpha} < 16/15 (alpha < 0.0323)."""
    d = 16.0
    t = np.linspace(0, 4, 401)
    al = np.array([0.005, 0.02, 0.03, 0.035, 0.1, 0.5])
    diag = phase_diagram_t_alpha(t, al, d)
    has_two = (diag.regime == 2).any(axis=1)
    np.testing.assert_array_equal(has_two, [False, False, False, True, True, True])
    np.testing.assert_array_equal(has_two, al > 0.5 * np.log(16 / 15))


def test_t_alpha_no_regime_two_anywhere():
    """Broad clusters (sigma = 5) in d = 4: t_C > t_S = log 2 on the whole grid, only I and III appear."""
    t = np.linspace(0, 5, 200)
    al = np.geomspace(1e-3, 0.1, 30)
    diag = phase_diagram_t_alpha(t, al, 4.0, sigma=5.0)
    assert np.all(diag.t_collapse > diag.t_speciation)
    assert set(np.unique(diag.regime)) == {1, 3}
    assert not diag.has_regime_two().any()


def test_t_alpha_no_speciation_below_one():
    """d mu~^2 <= 1: no speciation time (NaN, the not-found value in a grid), so no regime II."""
    diag = phase_diagram_t_alpha(np.linspace(0, 3, 30), np.geomspace(0.01, 1, 10), 1.0)
    assert np.all(np.isnan(diag.t_speciation))
    assert 2 not in diag.regime
    assert not diag.has_regime_two().any()
    # the regimes are those of t_S = 0: III below t_C, I above
    np.testing.assert_array_equal(diag.regime, classify(diag.x[None, :], 0.0, diag.t_collapse))


# ---------------------------------------------------------------- d-n diagram


def test_d_n_diagram():
    d = np.geomspace(2, 1e5, 40)
    n = np.geomspace(2, 1e8, 30)
    t = 2.0
    diag = phase_diagram_d_n(d, n, t)
    assert diag.regime.shape == (30, 40)
    np.testing.assert_allclose(diag.t_collapse, collapse_time(d[None, :], n[:, None]), rtol=1e-12)
    np.testing.assert_allclose(diag.t_speciation, np.broadcast_to(speciation_time(d), (30, 40)), rtol=1e-15)
    expected = np.where(t < diag.t_collapse, 3, np.where(t < diag.t_speciation, 2, 1))
    np.testing.assert_array_equal(diag.regime, expected)
    assert set(np.unique(diag.regime)) == {1, 2, 3}
    # curse of dimensionality: at fixed n, t_C grows with d; at fixed d, it falls with n
    assert np.all(np.diff(diag.t_collapse, axis=1) > 0)
    assert np.all(np.diff(diag.t_collapse, axis=0) < 0)


def test_d_n_diagram_without_regime_two():
    """Small d, few points and broad clusters (sigma = 10): 1 + sigma^2/(n^{2/d} - 1) > d mu~^2, i.e.
    t_C > t_S, everywhere on the grid, so no 2's."""
    d = np.linspace(2, 8, 7)
    n = np.geomspace(2, 10, 12)
    diag = phase_diagram_d_n(d, n, 1.5, sigma=10.0)
    assert np.all(diag.t_collapse > diag.t_speciation)
    assert 2 not in diag.regime
    assert set(np.unique(diag.regime)) == {1, 3}


def test_d_of_one_has_no_speciation():
    diag = phase_diagram_d_n(np.array([1.0, 100.0]), np.array([10.0]), 0.1)
    assert np.isnan(diag.t_speciation[0, 0])
    assert diag.t_speciation[0, 1] == pytest.approx(speciation_time(100.0), rel=1e-15)


# ---------------------------------------------------------------- save / plot


def test_save_is_atomic_and_round_trips(tmp_path):
    diag = phase_diagram_t_alpha(np.linspace(0, 6, 25), np.geomspace(1e-3, 1, 20), 256.0, 1.0, 1.5)
    out = tmp_path / "sub" / "pd.npz"
    assert diag.save(out) == out
    assert os.listdir(out.parent) == ["pd.npz"]
    with np.load(out) as z:
        for key in ("x", "y", "regime", "t_speciation", "t_collapse"):
            np.testing.assert_array_equal(z[key], getattr(diag, key))
        assert str(z["x_name"]) == diag.x_name
        assert str(z["y_name"]) == diag.y_name
        assert "sigma" in str(z["params"])
        assert "eq. 10" in str(z["citation"])
    # overwrite in place
    diag2 = phase_diagram_d_n(np.array([10.0, 100.0]), np.array([5.0, 50.0]), 1.0)
    diag2.save(out)
    assert os.listdir(out.parent) == ["pd.npz"]
    with np.load(out) as z:
        np.testing.assert_array_equal(z["regime"], diag2.regime)


def test_save_failure_leaves_nothing(tmp_path, monkeypatch):
    diag = phase_diagram_d_n(np.array([10.0, 100.0]), np.array([5.0, 50.0]), 1.0)
    target = tmp_path / "pd.npz"
    target.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        diag.save(target)
    assert os.listdir(tmp_path) == ["pd.npz"]
    assert target.read_bytes() == b"old"


def test_plot(tmp_path):
    diag = phase_diagram_t_alpha(np.linspace(0, 6, 30), np.geomspace(1e-3, 1, 20), 1024.0)
    ax = diag.plot(log_y=True)
    assert ax.get_yscale() == "log"
    assert "OU time t" in ax.get_xlabel() and "alpha" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    # the three regions (regimes I, II, III in order), then the t_C and t_S lines
    assert [lab.split()[0] for lab in labels[:3]] == ["I", "II", "III"]
    assert [lab.split()[0] for lab in labels[:3]] == [REGIME_NAMES[k].split()[0] for k in (1, 2, 3)]
    assert "t_C" in labels[3] and "t_S" in labels[4]
    path = tmp_path / "pd.png"
    fig = plot_phase_diagram(diag, path, log_y=True)
    assert fig is not None
    assert path.stat().st_size > 1000
    assert os.listdir(tmp_path) == ["pd.png"]
    diag2 = phase_diagram_d_n(np.geomspace(2, 1e4, 20), np.geomspace(2, 1e6, 20), 2.0)
    ax2 = diag2.plot(log_x=True, log_y=True)
    assert ax2.get_xscale() == "log"


def test_plot_gaussian_mixture(tmp_path):
    res = solve_gaussian_mixture(1024, 20000)
    path = tmp_path / "gm.png"
    fig = plot_gaussian_mixture(res, path)
    assert path.stat().st_size > 1000
    ax = fig.axes[0]
    assert len(ax.get_lines()) >= 3
    assert os.listdir(tmp_path) == ["gm.png"]


# ---------------------------------------------------------------- the one-call solver behind `regimes gm`


@pytest.mark.parametrize(("d", "n", "mu", "sigma"), [(1024, 20000, 1.0, 1.0), (256, 1e4, 0.5, 2.0),
                                                     (4, 2, 1.0, 10.0)])
def test_solve_gaussian_mixture(d, n, mu, sigma):
    res = solve_gaussian_mixture(d, n, mu, sigma)
    lam = d * mu**2 + sigma**2
    assert res.alpha == pytest.approx(np.log(n) / d, rel=1e-14)
    assert res.t_speciation == pytest.approx(0.5 * np.log(d * mu**2), rel=1e-14)
    assert res.t_speciation_conventions["lambda"] == pytest.approx(0.5 * np.log(lam), rel=1e-14)
    assert res.t_speciation_conventions["lambda_plus_one"] == pytest.approx(0.5 * np.log(lam + 1), rel=1e-14)
    assert res.t_star == pytest.approx(0.5 * np.log(2 * d * mu**2), rel=1e-14)
    assert res.t_collapse == pytest.approx(collapse_time(d, n, sigma), rel=1e-14)
    assert res.has_regime_two == (res.t_collapse < res.t_speciation)
    assert set(res.sources) == {"alpha", "speciation_time", "t_star", "collapse_time", "phi"}
    c = res.curves()
    assert c["t"].shape == c["phi"].shape == c["fe_over_alpha"].shape == c["fe_over_alpha_finite_d"].shape
    assert np.all(c["fe_over_alpha_finite_d"] <= c["fe_over_alpha"] + 1e-15)
    tail = res.curves(np.array([40.0]), finite_d=False)
    assert "fe_over_alpha_finite_d" not in tail
    assert tail["fe_over_alpha"][0] == pytest.approx(1.0, abs=1e-12)
    assert tail["phi"][0] == pytest.approx(0.5, abs=1e-12)


def test_solve_gaussian_mixture_fig2_threshold():
    assert solve_gaussian_mixture(16384, 20000).phi_at_t_speciation == pytest.approx(0.775200, abs=1e-6)
    assert solve_gaussian_mixture(1024, 20000).has_regime_two
    assert not solve_gaussian_mixture(4, 2, 1.0, 10.0).has_regime_two
