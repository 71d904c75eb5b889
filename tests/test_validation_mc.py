"""Monte Carlo validation: SDE convergence order, cloning against eq. 6 and the identities, the
excess entropy against the closed forms.  Tolerances are k standard errors with fixed seeds."""

import numpy as np
import pytest

from theory.gaussian_mixture import collapse_time, excess_entropy, phi
from validation import (
    EmpiricalScore,
    GaussianMixtureScore,
    GaussianScore,
    clone_experiment,
    collapse_time_from_entropy,
    excess_entropy_loglik,
    excess_entropy_posterior,
    gaussian_mixture_data,
    integrate_backward,
    last_changing_index_time,
    nearest_points,
    phi_c_identity,
    phi_identity,
)


@pytest.mark.parametrize("method", ["euler", "exponential"])
def test_weak_convergence_order(method):
    """E|y|^2 at t = 0 for Gaussian data N(0, c): exact answer c; weak order 1 for both schemes."""
    c, T, B = 4.0, 2.0, 1_000_000
    score = GaussianScore(np.zeros(1), np.array([c]))
    v_T = c * np.exp(-2 * T) - np.expm1(-2 * T)
    steps = np.array([4, 8, 16, 32])
    errs, ses = [], []
    for L in steps:
        rng = np.random.default_rng(int(L))
        y = integrate_backward(score, np.sqrt(v_T) * rng.standard_normal((B, 1)), T, 0.0, int(L),
                               method=method, rng=rng).x[:, 0]
        errs.append(np.mean(y**2) - c)
        ses.append(np.std(y**2) / np.sqrt(B))
    errs, ses = np.abs(errs), np.array(ses)
    assert np.all(errs > 4 * ses)                      # the bias is resolved above the MC noise
    order = -np.polyfit(np.log(steps), np.log(errs), 1)[0]
    assert 0.75 < order < 1.5, order


def test_integrator_is_deterministic_given_seed():
    score = GaussianScore(np.zeros(3), np.ones(3))
    x = np.ones((5, 3))
    a = integrate_backward(score, x, 2.0, 0.1, 20, rng=7).x
    b = integrate_backward(score, x, 2.0, 0.1, 20, rng=7).x
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("d, projected", [(64, False), (256, True)])
def test_cloning_population_score_matches_eq6(d, projected):
    ts = 0.5 * np.log(d)
    times = ts * np.array([0.85, 1.0, 1.15])
    if projected:   # exact 1-D projection q = x.m/|m| of the d-dimensional SDE
        score, dim = GaussianMixtureScore(np.array([np.sqrt(d)])), 1
    else:
        score, dim = GaussianMixtureScore(np.ones(d)), d
    res = clone_experiment(score, dim, times, 2500, {"class": score.classify}, T=ts + 3.0,
                           steps=int(100 * (ts + 3.0)), rng=232)
    z = (res.same["class"] - phi(res.times, d)) / res.stderr["class"]
    assert np.all(np.abs(z) < 3), z


def test_cloning_empirical_score_matches_identities():
    ds, _ = gaussian_mixture_data(8, 100, rng=11)
    score = EmpiricalScore(ds)
    obs = {"class": lambda x: ds.labels[nearest_points(x, ds)],
           "point": lambda x: nearest_points(x, ds)}
    res = clone_experiment(score, 8, [0.2, 0.6, 1.2], 2000, obs, T=3.0, steps=600, rng=3)
    for k, t in enumerate(res.times):
        p = phi_identity(t, ds, n_samples=8000, rng=5)
        pc = phi_c_identity(t, ds, n_samples=8000, rng=6)
        for name, est in (("class", p), ("point", pc)):
            se = np.hypot(res.stderr[name][k], est.stderr)
            assert abs(res.same[name][k] - est.value) < 3 * se + 1e-3, (name, t)


def test_excess_entropy_matches_finite_d_theory():
    d, n = 64, 2000
    ds, _ = gaussian_mixture_data(d, n, rng=0)
    a = np.log(n) / d
    tc = collapse_time(d, n)
    worst_paper = 0.0
    for t in (1.5 * tc, 2.0 * tc, 3.0 * tc, 5.0 * tc):
        est = excess_entropy_posterior(t, ds, 3000, rng=1)
        fin = excess_entropy(t, d, n, finite_d=True) / a
        pap = excess_entropy(t, d, n) / a
        assert abs(est.value / a - fin) < 3 * est.stderr / a + 0.01
        worst_paper = max(worst_paper, abs(est.value / a - pap))
    # the paper's curve (no class-entropy term) is off by several hundredths
    assert worst_paper > 0.03
    # limits: 1 at large t, 0 below t_C
    assert excess_entropy_posterior(12.0, ds, 500, rng=2).value / a == pytest.approx(1, abs=1e-3)
    assert excess_entropy_posterior(0.3 * tc, ds, 500, rng=3).value / a < 1e-3


def test_loglik_estimator_agrees_with_posterior_entropy_and_is_noisier():
    ds, _ = gaussian_mixture_data(32, 1000, rng=4)
    t = 1.5
    post = excess_entropy_posterior(t, ds, 4000, rng=5)
    ll = excess_entropy_loglik(t, ds, 4000, rng=5)
    assert abs(post.value - ll.value) < 3 * np.hypot(post.stderr, ll.stderr)
    assert ll.stderr > 3 * post.stderr


def test_collapse_time_estimate_converges_with_d():
    """At fixed alpha the f^e-based t_C approaches the closed form as d grows."""
    alpha = 0.2
    gaps = []
    for d in (8, 16, 32):
        n = int(round(np.exp(alpha * d)))
        ds, _ = gaussian_mixture_data(d, n, rng=d)
        tc = collapse_time(d, n)
        times = tc * np.linspace(0.2, 1.6, 29)
        est = [excess_entropy_posterior(t, ds, 1500, rng=int(1000 * t)) for t in times]
        tc_hat = collapse_time_from_entropy(times, [e.value / alpha for e in est],
                                            [e.stderr / alpha for e in est], atol=0.02)
        gaps.append(abs(tc_hat - tc) / tc)
    assert gaps[0] > gaps[1] > gaps[2], gaps


def test_last_changing_index():
    times = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    idx = np.array([[1, 2, 3], [1, 2, 4], [1, 5, 4], [1, 5, 4], [1, 5, 4]])
    np.testing.assert_array_equal(last_changing_index_time(times, idx), [5.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="indices must have shape"):
        last_changing_index_time(times, idx[:3])
