"""The empirical-score kernel against dense formulas, limits and the population score."""

import numpy as np
import pytest

from validation import (
    Dataset,
    EmpiricalScore,
    GaussianMixtureScore,
    GaussianScore,
    empirical_score,
    gaussian_mixture_data,
    nearest_points,
    posterior_summary,
    posterior_weights,
)


def dense(x, t, a):
    """Direct dense formula with explicit differences (no cancellation), float64."""
    e, delta = np.exp(-t), -np.expm1(-2 * t)
    logits = -((x[:, None, :] - e * a[None]) ** 2).sum(-1) / (2 * delta)
    mx = logits.max(1, keepdims=True)
    w = np.exp(logits - mx)
    z = w.sum(1, keepdims=True)
    w /= z
    return w, (e * w @ a - x) / delta, (mx + np.log(z))[:, 0]


@pytest.mark.parametrize("t", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("chunk", [None, 37])
def test_score_matches_dense_formula(t, chunk):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((400, 24))
    x = np.exp(-t) * a[:6] + np.sqrt(-np.expm1(-2 * t)) * rng.standard_normal((6, 24))
    x = np.vstack([x, rng.standard_normal((4, 24))])
    w, f, logz = dense(x, t, a)
    np.testing.assert_allclose(posterior_weights(x, t, a, chunk=chunk), w, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(empirical_score(x, t, a, chunk=chunk), f, rtol=1e-10, atol=1e-10)
    st = posterior_summary(x, t, a, chunk=chunk)
    np.testing.assert_allclose(st.log_z, logz, rtol=1e-12)
    np.testing.assert_allclose(st.participation, (w**2).sum(1), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(st.entropy, -(w * np.log(np.where(w > 0, w, 1))).sum(1), atol=1e-10)
    np.testing.assert_array_equal(st.argmax, w.argmax(1))


@pytest.mark.parametrize("t", [1e-3, 1e-5, 1e-7])
def test_collapse_regime_stays_exact(t):
    # Delta_t -> 0: the matrix-product logits lose ~|x||a|/Delta_t; the refined pass must not.
    rng = np.random.default_rng(2)
    a = 5.0 + rng.standard_normal((300, 40))          # large |a| makes cancellation visible
    x = np.exp(-t) * a[:5] + np.sqrt(-np.expm1(-2 * t)) * rng.standard_normal((5, 40))
    # two nearly equidistant points: weights of order one on both
    mid = 0.5 * np.exp(-t) * (a[7] + a[8])
    x = np.vstack([x, mid])
    w, f, _ = dense(x, t, a)
    st = posterior_summary(x, t, a)
    assert st.refined.all()
    # conditioning of the problem itself: logits of size |x - a e^{-t}|^2 / (2 Delta) carry a
    # relative round-off u, so weights are determined to ~u * logit and the score to that times
    # |a| / Delta (the dense reference has the same limit)
    u = np.finfo(float).eps
    logit = ((x - np.exp(-t) * a[w.argmax(1)]) ** 2).sum(1) / (2 * -np.expm1(-2 * t))
    wtol = 20 * u * max(logit.max(), 1.0)
    np.testing.assert_allclose(posterior_weights(x, t, a), w, rtol=max(wtol, 1e-9), atol=1e-300)
    ftol = wtol * np.abs(a).max() * np.sqrt(a.shape[1]) / -np.expm1(-2 * t)
    np.testing.assert_allclose(empirical_score(x, t, a), f, rtol=1e-9, atol=max(ftol, 1e-6))
    np.testing.assert_allclose(st.entropy, -(w * np.log(np.where(w > 0, w, 1))).sum(1), atol=1e-9)


def test_n_equals_one_is_the_gaussian_score():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((1, 16))
    x = rng.standard_normal((8, 16))
    for t in (0.1, 1.0, 4.0):
        np.testing.assert_allclose(empirical_score(x, t, a), GaussianScore(a[0])(x, t), rtol=1e-12,
                                   atol=1e-12)


def test_large_n_approaches_population_score():
    d, t = 4, 1.0
    rng = np.random.default_rng(4)
    x = rng.standard_normal((200, d))
    errs = []
    for n in (100, 3000, 100000):
        ds, m = gaussian_mixture_data(d, n, direction="ones", rng=5)
        pop = GaussianMixtureScore(m)(x, t)
        errs.append(np.sqrt(np.mean((empirical_score(x, t, ds) - pop) ** 2)))
    # Monte Carlo error of a posterior mean over n points: ~ n^{-1/2}
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 0.03
    assert errs[0] / errs[2] > 0.3 * np.sqrt(1000)


def test_float32_on_request():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((500, 32))
    x = rng.standard_normal((10, 32))
    f64 = EmpiricalScore(a)(x, 0.7)
    f32 = EmpiricalScore(a, dtype=np.float32)(x.astype(np.float32), 0.7)
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32, f64, rtol=2e-4, atol=2e-4)


def test_class_mass_and_nearest_points():
    rng = np.random.default_rng(7)
    a = rng.standard_normal((250, 10))
    lab = rng.integers(0, 3, 250)
    x = rng.standard_normal((12, 10))
    w, _, _ = dense(x, 0.4, a)
    st = posterior_summary(x, 0.4, Dataset(a, lab), want_classes=True, chunk=50)
    expect = np.stack([w[:, lab == k].sum(1) for k in range(3)], 1)
    np.testing.assert_allclose(st.class_mass, expect, rtol=1e-10, atol=1e-14)
    d2 = ((x[:, None] - np.exp(-0.4) * a[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(nearest_points(x, a, 0.4, chunk=33), d2.argmin(1))


@pytest.mark.parametrize("bad, match", [
    (dict(x=np.zeros((3, 5))), "x must have shape"),
    (dict(t=0.0), "t must be"),
    (dict(t=np.nan), "t must be"),
    (dict(data=np.zeros(5)), "data must be a 2-dimensional"),
])
def test_bad_input(bad, match):
    args = dict(x=np.zeros((3, 4)), t=1.0, data=np.ones((6, 4)))
    args.update(bad)
    with pytest.raises(ValueError, match=match):
        empirical_score(args["x"], args["t"], args["data"])
    x_nan = np.zeros((2, 4))
    x_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="x must be"):
        empirical_score(x_nan, 1.0, np.ones((6, 4)))
