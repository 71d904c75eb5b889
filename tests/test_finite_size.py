"""Exact finite-n, finite-d collapse theory (``docs/theory/finite-size.md``).

References: mpmath quadratures of the transforms written here; brute-force averages over training
sets at fixed query points (the conditional expectations the identities compute); Monte Carlo with
the exact empirical score (``validation``) over several training sets, |z| < 3 with fixed seeds; exact
limits (n = 1, t -> infinity, the sum rule E sum_i w_i = 1); the large-d limits of
``theory.gaussian_mixture`` and ``theory.manifold.retention_limit``.  The full tables across the
transitions are printed by ``benchmarks/finite_size_tables.py`` (slow tests below rerun parts of it).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from theory import _finite_size as fs
from theory.collapse import (
    collapse_time_from_spectrum,
    collapse_window,
    excess_entropy_finite_size,
    finite_size_statistics,
    phi_c,
)
from theory.gaussian_mixture import collapse_time
from theory.manifold import retention, retention_limit
from theory.models import Gaussian, GaussianMixture, LinearManifold
from theory.timemap import delta

SPREAD = 10.0 / np.arange(1, 201)         # the spread spectrum of the tables, d = 200


# ---------------------------------------------------------------- the one-dimensional inversions


def _mp_reference(m, alpha, v, kind):
    """E[f(v - E)] for E = alpha * chi^2_m with mpmath: the convergent series in e^v for v < 0
    (terms e^{kv} M(-k), M(s) = (1 - 2 s alpha)^{-m/2}), a quadrature of the density otherwise."""
    mp.mp.dps = 30
    m, alpha, v = mp.mpf(m), mp.mpf(alpha), mp.mpf(v)

    def M(s):
        return (1 - 2 * s * alpha) ** (-m / 2)

    def k1(s):
        return m * alpha / (1 - 2 * s * alpha)

    if v < 0:
        fact = mp.factorial
        if kind == "cdf":
            return float(mp.nsum(lambda k: (-1) ** (k + 1) * mp.e ** (k * v) * M(-k) / fact(k), [1, 60]))
        if kind == "dens2":
            return float(mp.nsum(lambda j: (-1) ** j * mp.e ** ((j + 2) * v) * M(-j - 2) / fact(j),
                                 [0, 60]))
        return float(mp.nsum(lambda j: (-1) ** j * mp.e ** ((j + 1) * v) * M(-j - 1) * k1(-j - 1)
                             / fact(j), [0, 60]))

    def dens(e):
        x = e / alpha
        return mp.exp((m / 2 - 1) * mp.log(x) - x / 2 - mp.loggamma(m / 2) - (m / 2) * mp.log(2)) / alpha

    f = {"cdf": lambda e: -mp.expm1(-mp.exp(v - e)),
         "dens2": lambda e: mp.exp(2 * (v - e) - mp.exp(v - e)),
         "eweight": lambda e: e * mp.exp((v - e) - mp.exp(v - e))}[kind]
    mean = alpha * m
    pts = sorted(set(mp.linspace(0, mean * 3 + 50, 16)) | {v})
    return float(mp.quad(lambda e: dens(e) * f(e), pts + [mp.inf]))


@pytest.mark.parametrize("m, alpha", [(3, 0.7), (40, 0.3)])
def test_inversion_matches_mpmath(m, alpha):
    mean = alpha * m
    sd = alpha * np.sqrt(2 * m)
    v = np.array([[mean - 12 * sd - 8, mean - 3 * sd, mean, mean + 3 * sd]])
    inv = fs.invert(v, np.array([float(m)]), np.array([alpha]), np.array([[0.0]]), np.array([0.0]))
    p = np.exp(inv.pref[0])
    for i, vi in enumerate(v[0]):
        tail = p[i] * inv.cdf[0, i]
        lower = tail if inv.lower[0, i] else 1.0 - tail
        assert lower == pytest.approx(_mp_reference(m, alpha, vi, "cdf"), rel=1e-10)
        assert p[i] * inv.dens2[0, i] == pytest.approx(_mp_reference(m, alpha, vi, "dens2"),
                                                       rel=1e-9, abs=1e-300)
        assert p[i] * inv.eweight[0, i] == pytest.approx(_mp_reference(m, alpha, vi, "eweight"),
                                                         rel=1e-9, abs=1e-300)


# ---------------------------------------------------------------- conditional expectations given x


def _brute_force(law, t, n, start, y, reps, rng, blocks=None):
    """E[H | x], E[sum w^2 | x] (and block traces of Cov_w) over `reps` training sets, x fixed."""
    e, dl = np.exp(-t), float(delta(t))
    gam = e * e * law.p + dl
    lab = rng.choice(law.K, size=(reps, n), p=law.weights)
    a = law.means[lab] + np.sqrt(law.p) * rng.standard_normal((reps, n, law.d))
    if start == "generated":                       # planted: a draw from the posterior given x
        logit = np.log(law.weights) - (((y - e * law.means) ** 2) / (2 * gam)).sum(1)
        pk = np.exp(logit - logit.max())
        kk = rng.choice(law.K, size=reps, p=pk / pk.sum())
        m = law.means[kk]
        a[:, 0] = m + law.p * e * (y - e * m) / gam + np.sqrt(law.p * dl / gam) * rng.standard_normal(
            (reps, law.d))
    energy = ((y - e * a) ** 2).sum(-1) / (2 * dl)
    w = np.exp(-(energy - energy.min(1, keepdims=True)))
    w /= w.sum(1, keepdims=True)
    out = {"entropy": -(w * np.log(np.maximum(w, 1e-300))).sum(1), "phi_c": (w**2).sum(1)}
    if blocks is not None:
        mean = np.einsum("rn,rnd->rd", w, a)
        var = np.einsum("rn,rnd->rd", w, a**2) - mean**2
        out["retention"] = np.stack([var[:, b].sum(1) for b in blocks], 1)
    return {k: (v.mean(0), v.std(0) / np.sqrt(reps)) for k, v in out.items()}


@pytest.mark.parametrize("case", ["gauss-generated", "gauss-population", "mixture-generated",
                                  "mixture-population"])
def test_conditional_statistics_against_brute_force(case):
    rng = np.random.default_rng(11)
    if case.startswith("gauss"):
        d, n, t = 10, 20, 0.3
        law = fs.make_law(np.zeros((1, d)), [1.0], np.linspace(0.2, 2.0, d))
    else:
        d, n, t = 30, 50, 0.5
        m = np.full(d, 0.5)
        law = fs.make_law(np.stack([m, -m]), [0.4, 0.6], np.ones(d))
    start = case.split("-")[1]
    labels, g = fs.sample_eigen_draws(law, 2, 5)
    res = fs.conditional_statistics(law, t, np.log(n), start, labels, g)
    assert np.allclose(res["sum_rule"], 1.0, atol=1e-9)
    y = np.exp(-t) * law.means[labels] + np.sqrt(np.exp(-2 * t) * law.p + delta(t)) * g
    for i in range(2):
        bf = _brute_force(law, t, n, start, y[i], 20000 if d < 20 else 6000, rng)
        for key in ("entropy", "phi_c"):
            mean, se = bf[key]
            assert abs(res[key][i] - mean) < 3 * se, (key, i, res[key][i], mean, se)


@pytest.mark.parametrize("start", ["generated", "population"])
def test_block_variance_against_brute_force(start):
    rng = np.random.default_rng(12)
    d, n, t = 12, 30, 0.3
    p = np.zeros(d)
    p[:4], p[4:10] = 1.0, 0.1
    lab = np.full(d, -1)
    lab[:4], lab[4:10] = 0, 1
    law = fs.make_law(np.zeros((1, d)), [1.0], p, blocks=lab)
    labels, g = fs.sample_eigen_draws(law, 2, 6)
    res = fs.conditional_statistics(law, t, np.log(n), start, labels, g, retention=True)
    y = np.sqrt(np.exp(-2 * t) * p + delta(t)) * g
    for i in range(2):
        mean, se = _brute_force(law, t, n, start, y[i], 20000, rng,
                                blocks=[slice(0, 4), slice(4, 10)])["retention"]
        assert np.all(np.abs(res["retention"][i] - mean) < 3 * se)


def test_planted_law_is_the_posterior_energy():
    """Averaged over x ~ P_t the planted energy is |z|^2/2 (mean d/2): E[E_J | x] = sum(alpha' + b')
    with E[y_j^2] = Gamma_j is exactly d/2."""
    d, t = 50, 0.4
    law = fs.make_law(np.zeros((1, d)), [1.0], np.linspace(0.1, 3.0, d))
    lws = fs._laws(law, t, np.zeros(1, int), np.ones((1, d)))        # y_j^2 = Gamma_j exactly
    assert np.sum(lws.mult * lws.alpha_post + lws.b_post[0, 0]) == pytest.approx(d / 2, rel=1e-12)


# ---------------------------------------------------------------- exact limits and checks


def test_one_training_point():
    gm = GaussianMixture.symmetric(32)
    assert phi_c([0.3, 2.0], gm, 1).value.tolist() == [1.0, 1.0]
    assert excess_entropy_finite_size(0.7, gm, 1).value == 0.0
    pop = finite_size_statistics([0.3, 2.0], Gaussian(np.linspace(0.5, 2, 16)), 1, "population",
                                 n_x=4)
    assert np.allclose(pop["phi_c"].value, 1.0, atol=1e-9)
    assert np.allclose(pop["entropy"].value, 0.0, atol=1e-8)


@pytest.mark.parametrize("start", ["generated", "population"])
def test_large_time_limit(start):
    n = 300
    for model in (GaussianMixture.symmetric(64), Gaussian(SPREAD[:64])):
        st = finite_size_statistics(12.0, model, n, start, n_x=4)
        assert st["entropy"].value == pytest.approx(np.log(n), rel=1e-6)
        assert st["phi_c"].value == pytest.approx(1 / n, rel=1e-6)
        assert st["fe"].value == pytest.approx(np.log(n) / model.d, rel=1e-6)


def test_sum_rule_at_large_d():
    """E sum_i w_i = 1 holds to 1e-9 through the transition even at n = e^{300}."""
    d = 4096
    law = fs.law_from_model(GaussianMixture.symmetric(d))
    labels, g = fs.sample_eigen_draws(law, 3, 2)
    for start in ("generated", "population"):
        for t in (1.3, 1.37, 1.45):
            res = fs.conditional_statistics(law, t, np.log(5000) / 256 * d, start, labels, g)
            assert np.allclose(res["sum_rule"], 1.0, atol=1e-9)
            assert np.all((res["phi_c"] > 0) & (res["phi_c"] <= 1 + 1e-9))


# ---------------------------------------------------------------- against Monte Carlo, d >= 200


def _mc(model, n, t, start, sets, per, seed):
    from validation import posterior_curves, posterior_summary

    rng = np.random.default_rng(seed)
    fe, pc = [], []
    for _ in range(sets):
        data = model.sample(n, rng)
        if start == "generated":
            r = posterior_curves(t, data, per, rng)
            fe.append(r["fe"].value)
            pc.append(r["phi_c"].value)
        else:
            x = model.noised(t).sample(per, rng)
            st = posterior_summary(x, t, data, want_mean=False)
            fe.append(st.entropy.mean() / model.d)
            pc.append(st.participation.mean())
    return [(np.mean(v), np.std(v, ddof=1) / np.sqrt(sets)) for v in (fe, pc)]


def _check_against_mc(model, n, ts, start, n_x, sets, per):
    th = finite_size_statistics(ts, model, n, start, n_x=n_x, rng=7)
    for i, t in enumerate(ts):
        (fm, fse), (pm, pse) = _mc(model, n, t, start, sets, per, 100 + i)
        zf = (th["fe"].value[i] - fm) / np.hypot(th["fe"].stderr[i], fse)
        zp = (th["phi_c"].value[i] - pm) / np.hypot(th["phi_c"].stderr[i], pse)
        assert abs(zf) < 3 and abs(zp) < 3, (t, zf, zp)


def test_mixture_d256_across_the_collapse():
    """f^e and phi_C of the symmetric mixture (d = 256, n = 5000, t_C = 1.37) from the generated law."""
    _check_against_mc(GaussianMixture.symmetric(256), 5000, [1.1, 1.35, 1.6, 2.0], "generated",
                      n_x=24, sets=4, per=384)


@pytest.mark.parametrize("start", ["generated", "population"])
def test_spread_spectrum_d200_across_the_collapse(start):
    ts = [0.5, 0.9] if start == "generated" else [0.3, 0.7]
    _check_against_mc(Gaussian(SPREAD), 3000, ts, start, n_x=12, sets=4, per=256)


# ---------------------------------------------------------------- large d at fixed alpha


def test_large_d_recovers_the_sharp_curves():
    """Symmetric mixture at alpha = log(5000)/256, d = 4096 (n = e^{138}): phi_C is a step at eq. 10
    and f^e/alpha the paper's curve above it."""
    from theory.gaussian_mixture import excess_entropy

    d = 4096
    alpha = np.log(5000) / 256
    n = float(np.exp(alpha * d))
    tc = float(collapse_time(d, n))
    gm = GaussianMixture.symmetric(d)
    st = finite_size_statistics([tc - 0.15, tc + 0.15, tc + 0.6], gm, n, n_x=8, rng=3)
    assert st["phi_c"].value[0] > 0.99 and st["phi_c"].value[1] < 0.01
    sharp = excess_entropy([tc + 0.15, tc + 0.6], d, n) / alpha
    assert np.allclose(st["fe"].value[1:] / alpha, sharp, atol=0.02)


@pytest.mark.slow
def test_window_narrows_towards_eq10():
    alpha = np.log(5000) / 256
    widths, centres = [], []
    for d in (256, 2048):
        n = float(np.exp(alpha * d))
        w = collapse_window(GaussianMixture.symmetric(d), n, (0.9, 0.1), n_x=8, rng=1)
        widths.append(w.value[1] - w.value[0])
        centres.append(abs(0.5 * (w.value[0] + w.value[1]) - collapse_time(d, n)))
    assert widths[1] < 0.5 * widths[0]
    assert centres[1] < centres[0] and centres[1] < 0.03


# ---------------------------------------------------------------- retention


@pytest.mark.parametrize("start", ["generated", "population"])
def test_retention_against_block_measurements(start):
    from validation import block_measurements, sample_test_points

    d, n, ts = 60, 100, [0.25, 0.4, 0.6]
    man = LinearManifold(d, [10, 50], [1.0, 0.04])
    vman = man
    th = retention(ts, man, n, start, n_x=24, rng=3)
    for i, t in enumerate(ts):
        rng = np.random.default_rng(50 + i)
        per = []
        for _ in range(6):
            data = man.sample(n, rng)
            x = sample_test_points(data, t, 48, rng, vman if start == "population" else None)
            per.append(block_measurements(x, t, data, vman)["retention"].mean(0))
        per = np.array(per)
        z = (th.value[i] - per.mean(0)) / np.hypot(th.stderr[i], per.std(0, ddof=1) / np.sqrt(6))
        assert np.all(np.abs(z) < 3), (t, z)


def test_retention_large_d_limit():
    """At d = 3840 (alpha = log(100)/60) the population-start retention is within 0.03 of the
    frozen-phase limit, and the generated start is a common step at the global t_C."""
    d = 3840
    n = float(np.exp(np.log(100) / 60 * d))
    man = LinearManifold(d, [d // 6, 5 * d // 6], [1.0, 0.04])
    ts = [0.05, 0.14, 0.25]
    pop = retention(ts, man, n, "population", n_x=6, rng=1)
    assert np.allclose(pop.value, retention_limit(ts, man, n, "population"), atol=0.03)
    tc = float(collapse_time_from_spectrum(man.covariance_spectrum(), n))
    gen = retention([tc - 0.05, tc + 0.05], man, n, n_x=6, rng=1).value
    assert np.all(gen[0] < 0.1) and np.all(gen[1] > 0.9)


def test_retention_limit_orders_the_blocks():
    man = LinearManifold(60, [10, 50], [1.0, 0.04])
    lim = retention_limit([0.05, 0.2], man, 100, "population")
    assert np.all(lim[:, 0] > lim[:, 1])                 # the low-variance block is lost first
    tc = float(collapse_time_from_spectrum(man.covariance_spectrum(), 100))
    gen = retention_limit([tc * 0.99, tc * 1.01], man, 100, "generated")
    assert gen.tolist() == [[0.0, 0.0], [1.0, 1.0]]


# ---------------------------------------------------------------- inputs


@pytest.mark.parametrize("call, message", [
    (lambda: phi_c(0.5, GaussianMixture.symmetric(8), 10, start="train"), "start must be"),
    (lambda: phi_c(0.5, GaussianMixture.symmetric(8), 0.5), "n must be"),
    (lambda: phi_c(-1.0, GaussianMixture.symmetric(8), 10), "t must be"),
    (lambda: phi_c(0.5, GaussianMixture.symmetric(8), 10, n_x=1), "n_x must be"),
    (lambda: phi_c(0.5, np.eye(3), 10), "model must be"),
    (lambda: collapse_window(GaussianMixture.symmetric(8), 5, (0.1,)), "levels must be"),
    (lambda: retention(0.5, Gaussian([1.0, 2.0]), 10), "model must be"),
    (lambda: retention(0.5, LinearManifold(8, [2], [1.0], embedding="random", rng=0), 10),
     "embedding='orthonormal'"),
])
def test_bad_inputs(call, message):
    with pytest.raises((ValueError, TypeError, NotImplementedError), match=message):
        call()


# ---------------------------------------------------------------- slow: the tables of the note


@pytest.mark.slow
@pytest.mark.parametrize("start", ["generated", "population"])
def test_mixture_full_transition(start):
    _check_against_mc(GaussianMixture.symmetric(256), 5000,
                      [0.9, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 2.0, 2.3, 2.7], start,
                      n_x=96, sets=8, per=1024)


@pytest.mark.slow
@pytest.mark.parametrize("start", ["generated", "population"])
def test_spread_full_transition(start):
    _check_against_mc(Gaussian(SPREAD), 3000, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5],
                      start, n_x=64, sets=8, per=1024)


# ---------------------------------------------------------------- collapse_times defaults


def test_collapse_times_default_describes_the_data():
    """Without options: the sphere formula with the effective variances of the normalized data
    (not the raw stds); Gaussian data: the raw variances."""
    from theory.manifold import collapse_times, effective_variances

    stds, dims = [1.0, 0.3, 0.01], [2, 5, 23]
    eff = np.sqrt(effective_variances(stds, dims))
    assert np.allclose(collapse_times(stds, dims, 1000),
                       collapse_times(eff, dims, 1000, effective=False), rtol=1e-12)
    assert np.allclose(collapse_times(stds, dims, 1000, normalized=False),
                       collapse_times(stds, dims, 1000, normalized=False, effective=False))
    # the authors' raw-std reading stays available and differs by the factor sigma^2 / sigma~^2
    ratio = collapse_times(stds, dims, 1000, effective=False, time="ve_variance") / collapse_times(
        stds, dims, 1000, time="ve_variance")
    assert np.allclose(ratio, np.asarray(stds) ** 2 / eff**2)


def test_figure_arrays():
    """validation.finite_size returns the arrays of the comparison figures (shapes, finite, |z| < 3)."""
    from validation import retention_curves, transition_curves

    c = transition_curves(GaussianMixture.symmetric(64), 300, [1.0, 2.0], sets=3, per=64, n_x=6)
    assert c["phi_c"].shape == (2,) and np.all(np.abs(c["z_phi_c"]) < 3)
    assert c["t_c"] == pytest.approx(collapse_time(64, 300), rel=1e-9)
    r = retention_curves(LinearManifold(24, [4, 20], [1.0, 0.04]), 50, [0.2, 0.5], sets=3, per=16,
                         n_x=6)
    assert r["retention"].shape == r["mc_retention"].shape == r["limit"].shape == (2, 2)
    assert np.all(np.abs(r["z"]) < 3) and r["t_c_direction"].shape == (2,)


def test_full_covariance_mixture_equals_its_eigenbasis():
    """A mixture with a full class covariance R diag(p) R^T and means R m is the diagonal mixture in
    the eigenbasis: same statistics (different x draws, so within the x-average errors)."""
    rng = np.random.default_rng(4)
    d, K = 16, 3
    p = np.sort(rng.uniform(0.3, 2.0, d))
    means = rng.normal(size=(K, d))
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    diag = GaussianMixture(means, [0.2, 0.3, 0.5], covariance=p)
    full = GaussianMixture(means @ q.T, [0.2, 0.3, 0.5], covariance=q @ np.diag(p) @ q.T)
    a = finite_size_statistics(0.6, diag, 40, n_x=32, rng=1)
    b = finite_size_statistics(0.6, full, 40, n_x=32, rng=2)
    for key in ("phi_c", "fe"):
        z = (a[key].value - b[key].value) / np.hypot(a[key].stderr, b[key].stderr)
        assert np.all(np.abs(z) < 3), (key, z)


def test_excess_entropy_finite_size_flag_is_the_finite_size_theory():
    """theory.collapse.excess_entropy(..., finite_size=True) is excess_entropy_finite_size."""
    from theory.collapse import excess_entropy, excess_entropy_finite_size
    from theory.models import Gaussian

    g = Gaussian(np.linspace(0.2, 2.0, 40))
    a = excess_entropy([0.5, 1.0], g, 300, finite_size=True, n_x=8, rng=1)
    b = excess_entropy_finite_size([0.5, 1.0], g, 300, n_x=8, rng=1)
    np.testing.assert_array_equal(a.value, b.value)
    assert np.all(a.value > 0) and np.all(a.value < np.log(300) / 40)


@pytest.mark.slow
def test_reproduce_finite_size_figure(tmp_path):
    """`regimes reproduce finite-size --quick`: every curve within 3.5 combined s.e. of Monte Carlo."""
    from regimes.reproduce_finite import reproduce_finite_size

    res = reproduce_finite_size(tmp_path, quick=True)
    assert res.png.exists() and res.csv.exists() and res.json.exists()
    for s in res.summary.values():
        for k, v in s.items():
            if k.startswith("max_abs_z"):
                assert v < 3.5, (k, v)
