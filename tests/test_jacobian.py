"""validation.jacobian: the exact empirical-score Jacobian against a direct dense computation and
against finite differences of the empirical score; the probe against eigenvalues."""

from __future__ import annotations

import numpy as np
import pytest

from validation.jacobian import (
    empirical_score_jacobian,
    posterior_moments,
    probe_singular_values,
    random_orthogonal,
)
from validation.score import EmpiricalScore, empirical_score


def _direct(x, t, a):
    """Dense reference: all n weights at once, covariance from the definition (float64)."""
    e, delta = np.exp(-t), -np.expm1(-2 * t)
    logit = -((x[:, None, :] - e * a[None]) ** 2).sum(-1) / (2 * delta)
    w = np.exp(logit - logit.max(1, keepdims=True))
    w /= w.sum(1, keepdims=True)
    mean = w @ a
    dev = a[None] - mean[:, None]
    cov = np.einsum("bn,bni,bnj->bij", w, dev, dev)
    return mean, cov, -np.eye(a.shape[1]) / delta + e * e * cov / delta**2


@pytest.mark.parametrize("t", [0.02, 0.3, 2.0])
def test_moments_and_jacobian_match_dense(t):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((700, 5))
    x = np.exp(-t) * a[:4] + np.sqrt(-np.expm1(-2 * t)) * rng.standard_normal((4, 5))
    mean, cov = posterior_moments(x, t, a, chunk=97)      # several chunks
    m_ref, c_ref, j_ref = _direct(x, t, a)
    assert np.allclose(mean, m_ref, atol=1e-12)
    assert np.allclose(cov, c_ref, atol=1e-12)
    jac = empirical_score_jacobian(x, t, a)
    assert np.allclose(jac, j_ref, rtol=1e-10, atol=1e-9 / -np.expm1(-2 * t))
    assert np.allclose(jac, np.swapaxes(jac, 1, 2))


def test_jacobian_is_derivative_of_empirical_score():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 6))
    t, h = 0.4, 1e-5
    x = rng.standard_normal((1, 6)) * 0.8
    jac = empirical_score_jacobian(x, t, a)[0]
    eye = np.eye(6)
    fd = np.stack([(empirical_score(x + h * eye[i], t, a) - empirical_score(x - h * eye[i], t, a))[0]
                   / (2 * h) for i in range(6)], axis=1)
    # central differences: error O(h^2 |s'''|) + round-off O(eps |s| / h) ~ 1e-9 here
    assert np.allclose(jac, fd, atol=1e-6)


def test_collapsed_weights_give_minus_identity_over_delta():
    # deep in the collapse regime the posterior is one-hot: Cov_w -> 0, J -> -I/Delta exactly
    rng = np.random.default_rng(2)
    a = rng.standard_normal((50, 8)) * 3
    t = 1e-4
    x = np.exp(-t) * a[:3] + np.sqrt(-np.expm1(-2 * t)) * 0.1 * rng.standard_normal((3, 8))
    jac = empirical_score_jacobian(x, t, a)
    delta = -np.expm1(-2 * t)
    assert np.allclose(jac * delta, -np.eye(8), atol=1e-12)


def test_probe_matches_eigenvalues_of_empirical_jacobian():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((400, 7))
    t = 0.5
    x = rng.standard_normal((2, 7))
    sv = probe_singular_values(EmpiricalScore(a), x, t, rng=4)
    eig = np.sort(np.abs(np.linalg.eigvalsh(empirical_score_jacobian(x, t, a))), axis=1)[:, ::-1]
    assert sv.shape == (2, 7)
    assert np.allclose(sv, eig, rtol=1e-6)
    single = probe_singular_values(EmpiricalScore(a), x[0], t, rng=4, central=False)
    assert single.shape == (7,) and np.allclose(single, eig[0], rtol=1e-3)


def test_random_orthogonal_and_errors():
    q = random_orthogonal(6, 4, rng=0)
    assert np.allclose(q.T @ q, np.eye(4), atol=1e-12)
    with pytest.raises(ValueError, match="k must be"):
        random_orthogonal(3, 5)
    with pytest.raises(ValueError, match="t must be"):
        empirical_score_jacobian(np.zeros((1, 2)), 0.0, np.ones((3, 2)))
    with pytest.raises(ValueError, match="x must have shape"):
        posterior_moments(np.zeros((1, 3)), 0.5, np.ones((3, 2)))
    with pytest.raises(ValueError, match="score must return shape"):
        probe_singular_values(lambda p, t: p[:, :1], np.zeros(3), 0.5)
