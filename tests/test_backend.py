"""Array backends: the torch CPU backend against numpy (float64 to 1e-10), with and without
array-api-compat; the Box-Muller noise; flushed float32 weights.

The torch tests skip when torch is not installed (it is the optional ``torch`` extra).
"""

import math
import sys

import numpy as np
import pytest

from validation import (
    Dataset,
    GaussianMixtureScore,
    clone_experiment,
    empirical_score,
    excess_entropy_posterior,
    gaussian_mixture_data,
    integrate_backward,
    nearest_points,
    posterior_moments,
    posterior_summary,
    posterior_weights,
)
from validation.backend import box_muller, get_backend

try:
    import torch
except ImportError:          # the optional extra is not installed
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (extra 'torch')")


@pytest.fixture(params=["array-api-compat", "internal shim"])
def namespace(request, monkeypatch):
    if request.param == "internal shim":
        monkeypatch.setitem(sys.modules, "array_api_compat", None)   # import fails -> shim
    elif pytest.importorskip("array_api_compat") is None:
        pytest.skip("array-api-compat missing")
    return request.param


def _points(t, rng, a, k=6, extra=4):
    x = math.exp(-t) * a[:k] + math.sqrt(-math.expm1(-2 * t)) * rng.standard_normal((k, a.shape[1]))
    return np.vstack([x, rng.standard_normal((extra, a.shape[1]))])


@needs_torch
@pytest.mark.parametrize("t", [0.3, 1.5, 1e-5])
def test_torch_kernel_matches_numpy_float64(t, namespace):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((300, 20)) + (4.0 if t < 1e-3 else 0.0)
    lab = rng.integers(0, 3, 300)
    x = _points(t, rng, a)
    at, xt = torch.from_numpy(a), torch.from_numpy(x)
    ds, dst = Dataset(a, lab), Dataset(at, lab)

    f, ft = empirical_score(x, t, ds, chunk=41), empirical_score(xt, t, dst, chunk=41)
    assert isinstance(ft, torch.Tensor) and ft.dtype == torch.float64
    np.testing.assert_allclose(ft.numpy(), f, rtol=1e-10, atol=1e-10)

    s = posterior_summary(x, t, ds, want_classes=True, chunk=41)
    st = posterior_summary(xt, t, dst, want_classes=True, chunk=41)
    np.testing.assert_array_equal(st.refined.numpy(), s.refined)
    assert s.refined.any() == (t < 1e-3)
    np.testing.assert_allclose(st.log_z.numpy(), s.log_z, rtol=1e-12)
    for name in ("participation", "entropy", "mean", "class_mass"):
        np.testing.assert_allclose(getattr(st, name).numpy(), getattr(s, name), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(st.argmax.numpy(), s.argmax)

    np.testing.assert_allclose(posterior_weights(xt, t, at).numpy(), posterior_weights(x, t, a),
                               rtol=1e-10, atol=1e-14)
    mean, cov = posterior_moments(x, t, a, chunk=41)
    mt, ct = posterior_moments(xt, t, at, chunk=41)
    np.testing.assert_allclose(mt.numpy(), mean, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ct.numpy(), cov, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(nearest_points(xt, at, t).numpy(), nearest_points(x, a, t))


@needs_torch
def test_torch_float32_and_input_conversion():
    rng = np.random.default_rng(12)
    a = rng.standard_normal((400, 16))
    x = _points(0.8, rng, a)
    f64 = empirical_score(x, 0.8, a)
    f32 = empirical_score(torch.from_numpy(x.astype(np.float32)), 0.8,
                          torch.from_numpy(a.astype(np.float32)))
    assert f32.dtype == torch.float32
    np.testing.assert_allclose(f32.numpy(), f64, rtol=1e-4, atol=1e-4)
    # numpy points against torch data are moved to the data's device and library
    out = empirical_score(x, 0.8, torch.from_numpy(a))
    assert isinstance(out, torch.Tensor)
    np.testing.assert_allclose(out.numpy(), f64, rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="x must be finite"):
        bad = torch.from_numpy(x.copy())
        bad[0, 0] = float("nan")
        empirical_score(bad, 0.8, torch.from_numpy(a))
    with pytest.raises(ValueError, match="x must have shape"):
        empirical_score(torch.zeros(3, 5, dtype=torch.float64), 0.8, torch.from_numpy(a))


@needs_torch
def test_torch_estimators_sde_and_cloning_agree_with_numpy():
    ds, _ = gaussian_mixture_data(n=1500, d=32, rng=3)
    dst = Dataset(torch.from_numpy(ds.points), ds.labels)
    for t in (0.6, 2.0):
        e_np = excess_entropy_posterior(t, ds, 1000, rng=4)
        e_t = excess_entropy_posterior(t, dst, 1000, rng=5)
        z = (e_np.value - e_t.value) / math.hypot(e_np.stderr, e_t.stderr)
        assert abs(z) < 4
    sc = GaussianMixtureScore(np.ones(32))
    res = {}
    for name, like in [("numpy", None), ("torch", torch.empty(0, dtype=torch.float64)),
                       ("torch32", torch.empty(0, dtype=torch.float32))]:
        res[name] = clone_experiment(sc, 32, [1.0, 2.0], 800, {"c": sc.classify}, steps=60, rng=6,
                                     like=like)
    for name in ("torch", "torch32"):
        z = (res[name].same["c"] - res["numpy"].same["c"]) / np.hypot(res[name].stderr["c"],
                                                                      res["numpy"].stderr["c"])
        assert np.all(np.abs(z) < 4)
    run = integrate_backward(sc, torch.zeros(4, 32, dtype=torch.float32), 2.0, 0.5, 5, rng=1,
                             save_every=2)
    assert run.x.dtype == torch.float32 and isinstance(run.saved[0], torch.Tensor)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_box_muller_is_standard_normal(dtype):
    z = box_muller(np.random.default_rng(7), (500_001,), dtype).astype(np.float64)
    assert z.shape == (500_001,)
    n = z.size
    # mean, variance and fourth moment against N(0, 1), standard errors from its moments
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert abs(z.var() - 1) < 4 * math.sqrt(2 / n)
    assert abs((z**4).mean() - 3) < 4 * math.sqrt(96 / n)
    # the CDF at a few points (binomial standard errors)
    for q in (-2.5, -1.0, 0.3, 1.7):
        p = 0.5 * (1 + math.erf(q / math.sqrt(2)))
        assert abs((z <= q).mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
    # the two halves (cosine and sine parts) are uncorrelated
    h = n // 2
    assert abs(np.mean(z[:h] * z[h:2 * h])) < 4 / math.sqrt(h)


def test_float32_subnormal_weights_are_flushed():
    # logits 87-103 below the maximum give subnormal float32 weights; they are flushed to zero
    # and the float32 statistics still agree with float64 (whose weights there are ~1e-40)
    rng = np.random.default_rng(8)
    a = 4.0 * rng.standard_normal((2000, 64))     # logit spread ~ 40 around the maximum
    x = rng.standard_normal((32, 64))
    t = 0.4
    be = get_backend(a)
    e, delta = math.exp(-t), -math.expm1(-2 * t)
    lg = (x * e / delta) @ a.T - 0.5 * e * e / delta * (a * a).sum(1)
    lg -= lg.max(1, keepdims=True)
    band = (lg < -87.4) & (lg > -103)
    assert band.mean() > 0.01                      # the case is exercised
    w = np.exp(lg.astype(np.float32))
    assert np.any((w > 0) & (w < np.finfo(np.float32).tiny))
    be.flush_subnormal_(w)
    assert not np.any((w > 0) & (w < np.finfo(np.float32).tiny))
    s64 = posterior_summary(x, t, a)
    s32 = posterior_summary(x.astype(np.float32), t, a.astype(np.float32))
    np.testing.assert_allclose(s32.entropy, s64.entropy, atol=2e-3)
    np.testing.assert_allclose(s32.participation, s64.participation, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(s32.mean, s64.mean, atol=2e-3)


def test_get_backend_defaults_to_numpy():
    be = get_backend(np.zeros(3), None, [1.0])
    assert be.name == "numpy" and not be.is_gpu
    assert get_backend().name == "numpy"


def test_tf32_rows_refined_only_where_weights_condense(monkeypatch):
    # emulate a GPU backend on the CPU: the TF32 round-off bound (2^-10) then flags every row;
    # rows whose candidates are few (x near a training point, small t) get the exact pass, rows
    # whose weights spread over the data keep the streamed (here float32) values
    from validation.backend import _NUMPY

    monkeypatch.setattr(_NUMPY, "is_gpu", True)
    rng = np.random.default_rng(9)
    a = rng.standard_normal((3000, 16)).astype(np.float32)
    t_small, t_big = 0.02, 3.0
    x_c = (math.exp(-t_small) * a[:4] + math.sqrt(-math.expm1(-2 * t_small))
           * rng.standard_normal((4, 16))).astype(np.float32)
    st = posterior_summary(x_c, t_small, a, tf32=True)
    assert st.refined.all()
    ref = posterior_summary(x_c.astype(np.float64), t_small, a.astype(np.float64))
    np.testing.assert_allclose(st.entropy, ref.entropy, atol=1e-9)
    np.testing.assert_array_equal(st.argmax, ref.argmax)
    x_s = rng.standard_normal((4, 16)).astype(np.float32)
    st = posterior_summary(x_s, t_big, a, tf32=True)
    assert not st.refined.any()
    np.testing.assert_allclose(st.entropy, posterior_summary(x_s, t_big, a).entropy, rtol=1e-6)
