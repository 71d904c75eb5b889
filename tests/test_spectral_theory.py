"""theory.spectral: densities, edges, gaps and phases against mpmath, independent numerics and the
docs/theory/spectral-gaps.md's table of validation targets (spectral-gaps.md sec. 4)."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.integrate import quad

from theory import timemap
from theory.spectral import (
    bulk_edges,
    bulks,
    cumulative,
    density,
    estimate_dimensions,
    gap_heights,
    intermediate_gaps,
    jacobian_density,
    jacobian_edges,
    manifold_gap,
    phase_boundaries,
    phases,
    separation_order,
    spike_weight,
    ve_schedule_time,
    zero_atom,
)

TWO_F, TWO_V = [0.2, 0.2], [1.0, 0.01]       # the two-group example
SEED = 20250411


# --- one group: Marchenko-Pastur ---------------------------------------------------------------------

@pytest.mark.parametrize(("f", "v"), [(0.4, 1.0), (0.05, 3.0), (0.9, 0.01), (0.3, 1e-4)])
def test_mp_edges_against_mpmath(f, v):
    with mp.workdps(40):
        ref = [mp.mpf(v) * (1 - mp.sqrt(mp.mpf(f))) ** 2, mp.mpf(v) * (1 + mp.sqrt(mp.mpf(f))) ** 2]
    np.testing.assert_allclose(bulk_edges([f], [v]), [float(r) for r in ref], rtol=1e-12)


@pytest.mark.parametrize(("f", "v"), [(0.4, 1.0), (0.1, 2.5)])
def test_mp_density_mass_and_atom(f, v):
    lo, hi = bulk_edges([f], [v])
    lam = np.linspace(lo, hi, 41)[1:-1]
    closed = np.sqrt((hi - lam) * (lam - lo)) / (2 * np.pi * v * lam)
    np.testing.assert_allclose(density(lam, [f], [v]), closed, rtol=1e-10)
    mass = quad(lambda x: density(x, [f], [v]), lo, hi, limit=200)[0]
    assert mass == pytest.approx(f, abs=1e-8)
    assert zero_atom([f], [v]) == pytest.approx(1 - f, abs=1e-15)
    assert density(np.array([-1.0, 0.0, 0.5 * lo, 2 * hi]), [f], [v]).tolist() == [0, 0, 0, 0]
    # the distribution function against adaptive quadrature of the closed form
    ref = [1 - f + quad(lambda x: np.sqrt(max((hi - x) * (x - lo), 0)) / (2 * np.pi * v * x), lo, b,
                        epsabs=1e-13)[0] for b in lam[::5]]
    np.testing.assert_allclose(cumulative(lam[::5], [f], [v]), ref, atol=1e-9)


# --- several groups ---------------------------------------------------------------------------------

def _mp_critical_edges(f, v, guesses):
    """Edges z(g*) with z'(g*) = 0 polished by mpmath.findroot at 40 digits (independent solver)."""
    out = []
    with mp.workdps(40):
        fm, vm = [mp.mpf(x) for x in f], [mp.mpf(x) for x in v]

        def dz(g):
            return 1 / g**2 - sum(a * b**2 / (1 + b * g) ** 2 for a, b in zip(fm, vm, strict=True))

        for g0 in guesses:
            g = mp.findroot(dz, mp.mpf(g0))
            out.append(float(-1 / g + sum(a * b / (1 + b * g) for a, b in zip(fm, vm, strict=True))))
    return sorted(out)


def test_two_group_edges_critical_points_against_mpmath():
    from theory._stieltjes import critical_points
    edges = bulk_edges(TWO_F, TWO_V)
    assert edges.size == 4                                    # two detached bulks
    crit = critical_points(np.array([0.2, 0.2]), np.array([0.01, 1.0]))
    np.testing.assert_allclose(edges, _mp_critical_edges([0.2, 0.2], [0.01, 1.0], crit), rtol=1e-12)
    # docs/theory/spectral-gaps.md sec. 4, rows 6-7: the complement approximation tau2 (1 - a1)(1 +-
    # sqrt(a2/(1 - a1)))^2 is close (~0.3%), the naive per-bulk MP edges of the small bulk are far (53% and
    # 17%)
    comp = 0.01 * 0.8 * (1 + np.array([-1, 1]) * np.sqrt(0.2 / 0.8)) ** 2
    np.testing.assert_allclose(edges[:2], comp, rtol=5e-3)
    naive = 0.01 * (1 + np.array([-1, 1]) * np.sqrt(0.2)) ** 2
    np.testing.assert_allclose(naive, [0.0030557, 0.0209443], rtol=1e-4)
    assert np.all(np.abs(naive / edges[:2] - 1) > 0.15)
    assert abs(naive[0] / edges[0] - 1) > 0.45
    # the high-variance bulk: naive MP 0.3055728 / 2.0944272 vs exact edges within ~1%
    np.testing.assert_allclose(edges[2:], [0.3055728, 2.0944272], rtol=1.5e-2)


def _cubic_density(lam, f, v):
    """rho_B from the cubic (spectral-gaps.md sec. 2.2) for two groups, solved with mpmath.polyroots
    (independent)."""
    out = []
    with mp.workdps(40):
        (f1, f2), (v1, v2) = [mp.mpf(x) for x in f], [mp.mpf(x) for x in v]
        for z in lam:
            z = mp.mpf(z)
            # g[-z(1+v1 g)(1+v2 g) + f1 v1 (1+v2 g) + f2 v2 (1+v1 g)] - (1+v1 g)(1+v2 g), descending
            c3 = -z * v1 * v2
            c2 = -z * (v1 + v2) + f1 * v1 * v2 + f2 * v1 * v2 - v1 * v2
            c1 = -z + f1 * v1 + f2 * v2 - v1 - v2
            roots = mp.polyroots([c3, c2, c1, mp.mpf(-1)], maxsteps=200, extraprec=200)
            out.append(float(max(mp.im(r) for r in roots)) / float(mp.pi))
    return np.array(out)


def test_two_group_density_against_cubic_and_masses():
    edges = bulk_edges(TWO_F, TWO_V)
    lam = np.r_[np.linspace(edges[0], edges[1], 9)[1:-1], np.linspace(edges[2], edges[3], 9)[1:-1]]
    np.testing.assert_allclose(density(lam, TWO_F, TWO_V), _cubic_density(lam, TWO_F, [1.0, 0.01]),
                               rtol=1e-9)
    for b in bulks(TWO_F, TWO_V):
        mass = quad(lambda x: density(x, TWO_F, TWO_V), b.lower, b.upper, limit=200)[0]
        assert mass == pytest.approx(0.2, abs=1e-8) and b.mass == pytest.approx(0.2)
    assert density(0.5 * (edges[1] + edges[2]), TWO_F, TWO_V) == 0.0      # inside the gap


def _edge_quadrature(fun, lo, hi, n=400):
    """Gauss-Legendre in theta with x = lo + (hi - lo)(1 - cos theta)/2 (square-root edges smooth)."""
    th, w = np.polynomial.legendre.leggauss(n)
    th = 0.5 * np.pi * (th + 1)
    x = lo + 0.5 * (hi - lo) * (1 - np.cos(th))
    return float(np.sum(fun(x) * 0.5 * (hi - lo) * np.sin(th) * w) * 0.5 * np.pi)


def test_four_groups_masses_and_jacobian_density():
    f, v = [0.1, 0.15, 0.2, 0.1], [10.0, 1.0, 0.1, 0.01]
    bl = bulks(f, v)
    assert len(bl) == 4 and [b.groups for b in bl] == [(0,), (1,), (2,), (3,)]
    np.testing.assert_allclose([b.mass for b in bl], [0.1, 0.2, 0.15, 0.1])
    for b in bl:
        assert _edge_quadrature(lambda x: density(x, f, v), b.lower, b.upper) == \
            pytest.approx(b.mass, abs=1e-8)
    t = 0.3
    mu_edges = jacobian_edges(t, f, v)
    total = sum(_edge_quadrature(lambda m: jacobian_density(m, t, f, v), lo, hi)
                for lo, hi in mu_edges.reshape(-1, 2))
    assert total == pytest.approx(sum(f), abs=1e-8)
    assert spike_weight(f, v) == pytest.approx(1 - sum(f))
    # change of variables mu = s/(s + lambda)
    s = np.expm1(2 * t)
    mu = np.linspace(0.05, 0.95, 13)
    np.testing.assert_allclose(jacobian_density(mu, t, f, v),
                               density(s * (1 - mu) / mu, f, v) * s / mu**2, rtol=1e-12)
    assert jacobian_density(np.array([0.0, 1.0, 1.2, -0.1]), t, f, v).tolist() == [0, 0, 0, 0]


def test_groups_sorted_and_merged():
    np.testing.assert_allclose(bulk_edges([0.2, 0.2], [0.01, 1.0]), bulk_edges([0.2, 0.2], [1.0, 0.01]))
    np.testing.assert_allclose(bulk_edges([0.1, 0.3], [1.0, 1.0]), bulk_edges([0.4], [1.0]))
    lam = np.linspace(0.2, 2.5, 11)
    np.testing.assert_allclose(density(lam, [0.1, 0.1, 0.2], [1.0, 1.0, 1.0]), density(lam, [0.4], [1]))
    # close variances merge into one bulk: no intermediate gap, NaN record
    gap = intermediate_gaps([0.2, 0.2], [1.0, 1.2], 0.1)[0]
    assert not gap.detached and np.isnan(gap.s_max) and np.isnan(gap.s_open)
    assert len(bulks([0.2, 0.2], [1.0, 1.2])) == 1


# --- gaps -------------------------------------------------------------------------------------------

def test_reference_rows_1_to_5():
    lo, hi = bulk_edges([0.4], [1.0])
    assert (lo, hi) == (pytest.approx(0.1350889, abs=5e-8), pytest.approx(2.6649111, abs=5e-8))   # 1
    assert spike_weight([0.4], [1.0]) == pytest.approx(0.6)                                       # 2
    t = timemap.ou_time_from_ve_variance(np.array([10, 1, 0.1, 0.01]))
    gh = gap_heights(t, [0.4], [1.0])                                                             # 3
    np.testing.assert_allclose(gh.manifold, [0.013329, 0.119012, 0.574629, 0.931077], atol=5e-7)
    assert manifold_gap([0.4], [1.0], 0.1).s_open == pytest.approx(1.215800, abs=5e-7)           # 4
    s = np.geomspace(0.01, 100, 200001)                                                           # 5
    e = jacobian_edges(timemap.ou_time_from_ve_variance(s), [0.4], [1.0])
    width = e[:, 1] - e[:, 0]
    assert s[np.argmax(width)] == pytest.approx(0.6, rel=1e-4)
    assert width.max() == pytest.approx(0.632456, abs=1e-6)


def test_intermediate_gap_peak_against_grid_and_threshold_crossings():
    gap = intermediate_gaps(TWO_F, TWO_V, threshold=0.1)[0]
    a, b = bulk_edges(TWO_F, TWO_V)[1:3]
    assert (gap.a, gap.b) == (a, b)
    # sec. 2.4: t_max = sqrt(gamma_-(sigma_1) gamma_+(sigma_2)), Delta_max = (sqrt b - sqrt a)/(sqrt b + sqrt
    # a)
    s = np.geomspace(1e-4, 10, 400001)
    h = gap_heights(timemap.ou_time_from_ve_variance(s), TWO_F, TWO_V).intermediate[0]
    assert gap.s_max == pytest.approx(s[np.argmax(h)], rel=1e-4)
    assert gap.height == pytest.approx(h.max(), abs=1e-10)
    assert gap.t_max == pytest.approx(0.5 * np.log1p(gap.s_max), rel=1e-14)
    assert gap.s_open * gap.s_close == pytest.approx(gap.s_max**2, rel=1e-12)
    hh = gap_heights(np.array([gap.t_open, gap.t_close]), TWO_F, TWO_V).intermediate[0]
    np.testing.assert_allclose(hh, 0.1, rtol=1e-9)
    # geometric mean in s, not in OU time
    assert abs(np.sqrt(gap.t_open * gap.t_close) - gap.t_max) > 1e-3
    # threshold above the peak: never visible
    never = intermediate_gaps(TWO_F, TWO_V, threshold=gap.height + 1e-6)[0]
    assert np.isnan(never.s_open) and np.isnan(never.s_close) and np.isfinite(never.s_max)
    # mu-ranges at s_max: high-variance bulk, gap, low-variance bulk, manifold gap, spike
    mu = jacobian_edges(gap.t_max, TWO_F, TWO_V)
    assert mu[1] < mu[2] and mu[2] - mu[1] == pytest.approx(gap.height, rel=1e-12)


def test_ve_map_round_trip():
    gap = intermediate_gaps(TWO_F, TWO_V, threshold=0.1)[0]
    for s in (gap.s_max, gap.s_open, 1.2158):
        tau = ve_schedule_time(s)
        assert float(timemap.ve_sigma(tau)) ** 2 == pytest.approx(s, rel=1e-12)
    assert gap.tau_ve_max == pytest.approx(ve_schedule_time(gap.s_max), rel=1e-14)


def test_phase_boundaries_are_the_gap_crossings():
    thr = 0.1
    pb = phase_boundaries(TWO_F, TWO_V, thr)
    assert pb.s_coverage > pb.s_consolidation
    eps = 1e-6
    t = timemap.ou_time_from_ve_variance(np.array([pb.s_coverage * (1 + eps), pb.s_coverage * (1 - eps),
                                                   pb.s_consolidation * (1 + eps),
                                                   pb.s_consolidation * (1 - eps)]))
    gh = gap_heights(t, TWO_F, TWO_V)
    inter = gh.intermediate[0]
    # just above s_coverage no gap exceeds the threshold, just below one does
    assert max(inter[0], gh.manifold[0]) < thr < max(inter[1], gh.manifold[1])
    # just below s_consolidation: intermediate gap <= thr and manifold gap >= 1 - thr; not just above
    assert inter[3] <= thr and gh.manifold[3] >= 1 - thr
    assert not (inter[2] <= thr and gh.manifold[2] >= 1 - thr)
    assert phases(t, TWO_F, TWO_V, thr).tolist() == [1, 2, 2, 3]
    assert pb.t_coverage == pytest.approx(0.5 * np.log1p(pb.s_coverage))
    # isotropic: s_open = gamma_-(1 - D)/D and gamma_- D/(1 - D)
    iso = phase_boundaries([0.4], [1.0], thr)
    assert iso.s_coverage == pytest.approx(1.215800, abs=5e-7)
    assert iso.s_consolidation == pytest.approx(0.1350889 * thr / (1 - thr), rel=1e-6)


def test_swap_reverses_separation_order_theory():
    f = [0.1, 0.3]
    first = separation_order(f, [1.0, 0.01])
    swapped = separation_order(f, [0.01, 1.0])
    assert first.order == (0, 1) and swapped.order == (1, 0)
    # the bulk that detaches first (top of B) carries the fraction of the high-variance group
    assert bulks(f, [1.0, 0.01])[-1].mass == pytest.approx(0.1)
    assert bulks(f, [0.01, 1.0])[-1].mass == pytest.approx(0.3)


def test_estimate_dimensions_on_exact_spectrum():
    """Sampled B (d = 400): at s_max the spectrum of -Delta_t J splits into 240 | 80 | 80."""
    from theory.models import LinearManifold
    from theory.spectral import gaussian_jacobian_spectrum

    man = LinearManifold.from_fractions(400, TWO_F, TWO_V, rng=SEED)
    spec = man.covariance_spectrum()
    gap = intermediate_gaps(TWO_F, TWO_V)[0]
    # at s_max only the high-variance subspace has left the cluster at mu ~ 1 (manifold gap 0.03)
    est = estimate_dimensions(gaussian_jacobian_spectrum(spec, gap.t_max), threshold=0.1)
    assert est.manifold_dimension == 80 and est.submanifold_dimensions == (80,)
    # at s = 0.006 both gaps exceed 0.1 (theory: 0.23 and 0.25): 240 | 80 | 80
    t = timemap.ou_time_from_ve_variance(0.006)
    est = estimate_dimensions(gaussian_jacobian_spectrum(spec, t), threshold=0.1)
    assert est.manifold_dimension == 160 and est.submanifold_dimensions == (80, 80)
    # eigenvalues of J itself (any sign and scale) give the same answer
    est2 = estimate_dimensions(-gaussian_jacobian_spectrum(spec, t) / 0.37, threshold=0.1)
    assert est2.submanifold_dimensions == (80, 80)
    # trivial phase: no gap
    assert estimate_dimensions(gaussian_jacobian_spectrum(spec, 3.0), threshold=0.1).manifold_dimension == 0


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fractions", "variances", "match"), [
    ([0.0, 0.2], [1, 2], "fractions must be"),
    ([-0.1], [1], "fractions must be"),
    ([0.6, 0.5], [1, 2], "sum of fractions must be < 1"),
    ([0.5, 0.5], [1, 2], "sum of fractions must be < 1"),
    ([0.2, 0.2], [1, 0], "variances must be"),
    ([0.2, 0.2], [1, -1], "variances must be"),
    ([0.2, 0.2], [1], "same length"),
    ([0.2, np.nan], [1, 2], "fractions must be"),
    ([0.2], [np.inf], "variances must be"),
    ([], [], "at least one group"),
])
def test_bad_groups(fractions, variances, match):
    for fun in (lambda: bulk_edges(fractions, variances), lambda: density(1.0, fractions, variances),
                lambda: intermediate_gaps(fractions, variances)):
        with pytest.raises(ValueError, match=match):
            fun()


def test_bad_other_arguments():
    with pytest.raises(ValueError, match="t must be"):
        jacobian_density(0.5, 0.0, TWO_F, TWO_V)
    with pytest.raises(ValueError, match="lam must be"):
        density(np.nan, TWO_F, TWO_V)
    with pytest.raises(ValueError, match="threshold must be"):
        intermediate_gaps(TWO_F, TWO_V, threshold=1.0)
    with pytest.raises(ValueError, match="threshold must be"):
        phase_boundaries(TWO_F, TWO_V, threshold=0.6)
    with pytest.raises(ValueError, match="spectrum must"):
        estimate_dimensions([1.0])
    with pytest.raises(ValueError, match="s must be"):
        ve_schedule_time(-1.0)


# --- command line ------------------------------------------------------------------------------------

def test_cli_spectrum_json_and_plot(tmp_path, capsys):
    import json

    from regimes.cli import main

    fig = tmp_path / "spec.png"
    assert main(["spectrum", "--fractions", "0.2", "0.2", "--variances", "1", "0.01", "--json",
                 "--quick", "--plot", str(fig), "--monte-carlo", "--d", "200"]) == 0
    out = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(out["edges"], bulk_edges(TWO_F, TWO_V), rtol=1e-14)
    gap = intermediate_gaps(TWO_F, TWO_V, 0.1)[0]
    assert out["intermediate_gaps"][0]["s_max"] == pytest.approx(gap.s_max, rel=1e-14)
    assert out["phase_boundaries"]["t_coverage"] == pytest.approx(
        phase_boundaries(TWO_F, TWO_V, 0.1).t_coverage, rel=1e-14)
    assert out["monte_carlo"]["d"] == 200 and fig.stat().st_size > 10_000
    # merged bulks: strict JSON (NaN -> null)
    assert main(["spectrum", "--fractions", "0.2", "0.2", "--variances", "1", "1.2", "--json"]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["intermediate_gaps"][0]["s_max"] is None and len(merged["bulks"]) == 1


def test_cli_spectrum_bad_input(capsys):
    from regimes.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["spectrum", "--fractions", "0.6", "0.5", "--variances", "1", "2"])
    assert exc.value.code == 2 and "sum of fractions must be < 1" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["spectrum", "--threshold", "0.7"])
    assert exc.value.code == 2 and "threshold must be" in capsys.readouterr().err
