"""theory.models: input checks, sample moments, exact scores against finite differences and the
closed forms, noised models against forward sampling, and the linear manifold against the former
data generators (tests/_legacy_manifold.py).  Monte Carlo checks are z-tests with fixed seeds."""

from __future__ import annotations

import doctest
import re

import numpy as np
import pytest
from _legacy_manifold import RandomManifold, axis_manifold_points

import theory.models
from theory.manifold import effective_variances
from theory.models import Gaussian, GaussianMixture, LinearManifold
from theory.timemap import delta
from validation import GaussianMixtureScore, linear_manifold_data

Z_MAX = 4.0      # max |z| over the ~10-30 moments of one z-test (fixed seeds)


def test_doctests():
    res = doctest.testmod(theory.models)
    assert res.failed == 0 and res.attempted > 10


# --- input errors -----------------------------------------------------------------------------------

SPD_BAD = np.array([[1.0, 2.0], [2.0, 1.0]])            # symmetric, eigenvalues 3 and -1
ASYM = np.array([[1.0, 0.1], [0.0, 1.0]])
ERRORS = [
    (lambda: GaussianMixture([1.0, 2.0]), "means", "2-dimensional"),
    (lambda: GaussianMixture([[1.0, np.nan]]), "means", "finite"),
    (lambda: GaussianMixture([[1.0], [2.0]], weights=[0.5, 0.6]), "weights", "sum to 1"),
    (lambda: GaussianMixture([[1.0], [2.0]], weights=[1.2, -0.2]), "weights", "> 0"),
    (lambda: GaussianMixture([[1.0], [2.0]], weights=[1.0, 0.0]), "weights", "> 0"),
    (lambda: GaussianMixture([[1.0], [2.0]], weights=[1.0]), "weights", "one entry per class"),
    (lambda: GaussianMixture([[1.0], [2.0]], weights=[0.5, 0.5 + 1e-10]), "weights", "sum to 1"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=0.0), "covariance", "> 0"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=[1.0, -1.0]), "covariance", "> 0"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=[1.0, 1.0, 1.0]), "covariance", "length-2"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=np.eye(3)), "covariance", "(2, 2)"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=ASYM), "covariance", "symmetric"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=SPD_BAD), "covariance", "positive-definite"),
    (lambda: GaussianMixture([[1.0, 0.0]], covariance=np.zeros((2, 2, 2))), "covariance", "(2, 2)"),
    (lambda: GaussianMixture.symmetric(0), "d", ">= 1"),
    (lambda: GaussianMixture.symmetric(4, mu_tilde=-1.0), "mu_tilde", ">= 0"),
    (lambda: GaussianMixture.symmetric(4, sigma=0.0), "sigma", "> 0"),
    (lambda: GaussianMixture.symmetric(4, weight=1.0), "weight", "< 1"),
    (lambda: GaussianMixture.symmetric(4).score(np.ones((3, 5)), 1.0), "x", "(..., 4)"),
    (lambda: GaussianMixture.symmetric(4).score(np.ones(4), -1.0), "t", ">= 0"),
    (lambda: GaussianMixture.symmetric(4).class_posterior(np.ones(4), np.nan), "t", ">= 0"),
    (lambda: GaussianMixture.symmetric(4).sample(0), "n", ">= 1"),
    (lambda: GaussianMixture.symmetric(4).noised(-0.1), "t", ">= 0"),
    (lambda: GaussianMixture.simplex(2, 4), "d", ">= 3"),
    (lambda: GaussianMixture.simplex(4, 1), "K", ">= 2"),
    (lambda: GaussianMixture.simplex(4, 3, weights=[0.5, 0.5]), "weights", "one entry per class"),
    (lambda: Gaussian([1.0, -1.0]), "spectrum", ">= 0"),
    (lambda: Gaussian([]), "spectrum", "at least one"),
    (lambda: Gaussian([1.0, 0.0]).score(np.ones(2), 0.0), "t", "> 0"),
    (lambda: LinearManifold(0, [1], [1.0]), "d", ">= 1"),
    (lambda: LinearManifold(10, [0, 2], [1.0, 1.0]), "dims", ">= 1"),
    (lambda: LinearManifold(10, [1.5], [1.0]), "dims", "integer"),
    (lambda: LinearManifold(10, [2, 2], [1.0, 0.0]), "variances", "> 0"),
    (lambda: LinearManifold(10, [2, 2], [1.0]), "variances", "one entry per block"),
    (lambda: LinearManifold(3, [2, 2], [1.0, 1.0]), "d", "sum(dims)"),
    (lambda: LinearManifold(10, [2], [1.0], embedding="axis"), "embedding", "orthonormal"),
    (lambda: LinearManifold(3, [2, 2], [1.0, 1.0], embedding="rotated"), "d", "sum(dims)"),
    (lambda: LinearManifold(10, [2], [1.0], on_sphere=True, radius=0.0), "radius", "> 0"),
    (lambda: LinearManifold.from_fractions(10, [0.0], [1.0]), "fractions", "> 0"),
    (lambda: LinearManifold(10, [2], [1.0]).score(np.ones(10), 0.0), "t", "> 0"),
]


@pytest.mark.parametrize("call, name, text", ERRORS)
def test_bad_input_names_parameter(call, name, text):
    with pytest.raises(ValueError, match=re.escape(name)) as err:
        call()
    assert text in str(err.value), str(err.value)


def test_sphere_score_not_implemented():
    man = LinearManifold(10, [2], [1.0], on_sphere=True)
    for call in (lambda: man.score(np.ones(10), 1.0), lambda: man.noised(1.0),
                 lambda: man.log_density(np.ones(10), 1.0)):
        with pytest.raises(NotImplementedError, match="on_sphere"):
            call()
    with pytest.raises(NotImplementedError, match="on_sphere"):
        LinearManifold(10, [2], [1.0], embedding="random", on_sphere=True, rng=0).covariance_spectrum()
    with pytest.raises(TypeError, match="on_sphere"):
        LinearManifold(10, [2], [1.0], on_sphere="yes")


# --- fixtures -----------------------------------------------------------------------------------------

def _spd(d, rng):
    q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    return (q * np.linspace(0.3, 2.0, d)) @ q.T


def mixtures():
    rng = np.random.default_rng(0)
    d = 4
    means = rng.standard_normal((3, d)) * 1.5
    w = np.array([0.5, 0.3, 0.2])
    return {
        "isotropic": GaussianMixture(means, w, 0.7),
        "diagonal": GaussianMixture(means, w, np.array([0.3, 1.0, 2.0, 0.5])),
        "full": GaussianMixture(means, w, _spd(d, rng)),
    }


def _z_moments(x, mean, cov):
    """z-scores of the sample mean and of every second moment about the true mean."""
    n = x.shape[0]
    zs = list((x.mean(0) - mean) / (x.std(0, ddof=1) / np.sqrt(n)))
    c = x - mean
    iu = np.triu_indices(x.shape[1])
    prods = c[:, iu[0]] * c[:, iu[1]]
    zs += list((prods.mean(0) - cov[iu]) / (prods.std(0, ddof=1) / np.sqrt(n)))
    return np.array(zs)


# --- structure ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["isotropic", "diagonal", "full"])
def test_structure_and_spectra(kind):
    gm = mixtures()[kind]
    assert gm.covariance_kind == kind and gm.K == 3 and gm.d == 4
    c = gm.means - gm.mean
    b = (gm.weights[:, None, None] * c[:, :, None] * c[:, None, :]).sum(0)
    np.testing.assert_allclose(gm.between_class_covariance(), b, atol=1e-13)
    ev = np.linalg.eigvalsh(b)[::-1]
    np.testing.assert_allclose(gm.between_class_spectrum(), ev[:2], atol=1e-12)
    s = gm.class_covariance_matrix()
    np.testing.assert_allclose(gm.class_covariance_spectrum(), np.linalg.eigvalsh(s)[::-1], atol=1e-12)
    np.testing.assert_allclose(gm.covariance_spectrum(), np.linalg.eigvalsh(s + b)[::-1], atol=1e-12)
    np.testing.assert_allclose(gm.total_covariance(), s + b, atol=1e-13)


def test_symmetric_mixture():
    gm = GaussianMixture.symmetric(16, mu_tilde=0.5, sigma=2.0, weight=0.8)
    np.testing.assert_array_equal(gm.means[0], np.full(16, 0.5))
    np.testing.assert_array_equal(gm.means[1], -np.full(16, 0.5))
    assert gm.covariance == 4.0 and gm.covariance_kind == "isotropic"
    # between-class eigenvalue 4 w (1-w) |m|^2, the only nonzero one (K - 1 = 1)
    np.testing.assert_allclose(gm.between_class_spectrum(), [4 * 0.8 * 0.2 * 16 * 0.25], rtol=1e-13)
    np.testing.assert_allclose(gm.covariance_spectrum()[1:], 4.0)


def test_full_covariance_equals_diagonal_kind():
    rng = np.random.default_rng(3)
    v = np.array([0.3, 1.0, 2.0, 0.5])
    means = rng.standard_normal((3, 4))
    a = GaussianMixture(means, [0.2, 0.3, 0.5], v)
    b = GaussianMixture(means, [0.2, 0.3, 0.5], np.diag(v))
    x = rng.standard_normal((7, 4)) * 2
    for t in (0.0, 0.4, 2.0):
        np.testing.assert_allclose(a.score(x, t), b.score(x, t), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(a.log_density(x, t), b.log_density(x, t), rtol=1e-12)
        np.testing.assert_allclose(a.class_posterior(x, t), b.class_posterior(x, t), atol=1e-13)


# --- sampling -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["isotropic", "diagonal", "full"])
def test_sample_moments(kind):
    gm = mixtures()[kind]
    x, lab = gm.sample(200_000, rng=11, return_labels=True)
    assert x.shape == (200_000, 4) and x.dtype == np.float64 and lab.min() >= 0 and lab.max() <= 2
    z = _z_moments(x, gm.mean, gm.total_covariance())
    assert np.max(np.abs(z)) < Z_MAX, z
    # class frequencies: binomial z-scores
    p = np.bincount(lab, minlength=3) / lab.size
    zw = (p - gm.weights) / np.sqrt(gm.weights * (1 - gm.weights) / lab.size)
    assert np.max(np.abs(zw)) < Z_MAX, zw
    # within-class covariance of class 0
    x0 = x[lab == 0]
    z0 = _z_moments(x0, gm.means[0], gm.class_covariance_matrix())
    assert np.max(np.abs(z0)) < Z_MAX, z0


def test_sample_is_reproducible():
    gm = mixtures()["full"]
    np.testing.assert_array_equal(gm.sample(10, rng=5), gm.sample(10, rng=np.random.default_rng(5)))


@pytest.mark.parametrize("kind", ["isotropic", "diagonal", "full"])
@pytest.mark.parametrize("t", [0.3, 1.2])
def test_noised_matches_forward_sampling(kind, t):
    """x_t = e^{-t} a + sqrt(Delta_t) z has the moments of model.noised(t)."""
    gm = mixtures()[kind]
    rng = np.random.default_rng(21)
    a = gm.sample(200_000, rng)
    xt = np.exp(-t) * a + np.sqrt(delta(t)) * rng.standard_normal(a.shape)
    nt = gm.noised(t)
    np.testing.assert_allclose(nt.means, np.exp(-t) * gm.means, rtol=1e-15)
    np.testing.assert_allclose(nt.class_covariance_matrix(),
                               np.exp(-2 * t) * gm.class_covariance_matrix() + delta(t) * np.eye(4),
                               rtol=1e-13, atol=1e-15)
    z = _z_moments(xt, nt.mean, nt.total_covariance())
    assert np.max(np.abs(z)) < Z_MAX, z
    # the noised model evaluated at time 0 is the model at time t
    x = xt[:5]
    np.testing.assert_allclose(nt.score(x, 0.0), gm.score(x, t), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(nt.log_density(x, 0.0), gm.log_density(x, t), rtol=1e-12)


def test_noised_limits():
    gm = mixtures()["full"]
    inf = gm.noised(np.inf)
    np.testing.assert_array_equal(inf.means, 0.0)
    np.testing.assert_allclose(inf.class_covariance_matrix(), np.eye(4), atol=1e-15)
    same = gm.noised(0.0)
    np.testing.assert_allclose(same.class_covariance_matrix(), gm.class_covariance_matrix(), atol=1e-15)


# --- scores -------------------------------------------------------------------------------------------

def _fd_gradient(f, x, h=1e-5):
    """Central differences of a scalar function of x (..., d), accurate to O(h^2)."""
    g = np.empty_like(x)
    for i in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[i] = h
        g[..., i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("kind", ["isotropic", "diagonal", "full"])
@pytest.mark.parametrize("t", [0.0, 0.2, 1.0, 3.0])
def test_mixture_score_is_gradient_of_log_density(kind, t):
    gm = mixtures()[kind]
    x = gm.noised(t).sample(6, rng=4)
    fd = _fd_gradient(lambda y: gm.log_density(y, t), x)
    np.testing.assert_allclose(gm.score(x, t), fd, rtol=1e-7, atol=1e-7)


def test_log_density_normalised():
    """Monte Carlo of E_{x ~ N(0, I)}[P_t(x) / N(x; 0, I)] = 1 (importance sampling) in d = 2."""
    gm = GaussianMixture([[1.0, 0.0], [-0.5, 0.8]], [0.6, 0.4], [[0.8, 0.2], [0.2, 0.5]])
    rng = np.random.default_rng(8)
    x = 2.0 * rng.standard_normal((400_000, 2))
    logq = -0.5 * np.sum(x * x, 1) / 4.0 - np.log(2 * np.pi * 4.0)
    r = np.exp(gm.log_density(x, 0.5) - logq)
    assert abs(r.mean() - 1.0) < 3 * r.std() / np.sqrt(r.size)


@pytest.mark.parametrize("t", [0.05, 0.5, 1.5, 4.0])
def test_symmetric_score_equals_closed_form(t):
    d = 64
    gm = GaussianMixture.symmetric(d, mu_tilde=0.8, sigma=1.3)
    ref = GaussianMixtureScore(np.full(d, 0.8), sigma=1.3)
    x = gm.noised(t).sample(50, rng=2)
    np.testing.assert_allclose(gm.score(x, t), ref(x, t), rtol=1e-12, atol=1e-12 * np.abs(ref(x, t)).max())
    # class 0 is +m: its posterior is the paper's (1 + tanh(e^{-t} x.m / Gamma_t)) / 2
    gamma = delta(t) + 1.3**2 * np.exp(-2 * t)
    p_plus = 0.5 * (1 + np.tanh(np.exp(-t) * (x @ np.full(d, 0.8)) / gamma))
    np.testing.assert_allclose(gm.class_posterior(x, t)[:, 0], p_plus, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(gm.class_posterior(x, t).argmax(1) == 0, ref.classify(x) == 1)


def test_unequal_weight_symmetric_score_closed_form():
    """With weights w, 1-w the tanh argument shifts by atanh(2w - 1) = 1/2 log(w/(1-w))."""
    d, w, t = 32, 0.8, 0.7
    gm = GaussianMixture.symmetric(d, mu_tilde=1.0, sigma=0.5, weight=w)
    m = np.ones(d)
    x = gm.noised(t).sample(20, rng=9)
    e, gamma = np.exp(-t), delta(t) + 0.25 * np.exp(-2 * t)
    ref = -x / gamma + (e / gamma) * np.tanh(e * (x @ m) / gamma + 0.5 * np.log(w / (1 - w)))[:, None] * m
    np.testing.assert_allclose(gm.score(x, t), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("kind", ["isotropic", "diagonal", "full"])
def test_class_posterior_sums_to_one_and_is_calibrated(kind):
    gm = mixtures()[kind]
    t = 0.6
    rng = np.random.default_rng(31)
    a, lab = gm.sample(100_000, rng, return_labels=True)
    xt = np.exp(-t) * a + np.sqrt(delta(t)) * rng.standard_normal(a.shape)
    p = gm.class_posterior(xt, t)
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-14)
    assert p.shape == (100_000, 3) and np.all(p >= 0)
    # Bayes: E[1{label = k} - P(k | x_t)] = 0 (z-test per class)
    r = (lab[:, None] == np.arange(3)) - p
    z = r.mean(0) / (r.std(0, ddof=1) / np.sqrt(r.shape[0]))
    assert np.max(np.abs(z)) < Z_MAX, z


def test_leading_axes_and_scalar_output():
    gm = mixtures()["full"]
    x = gm.sample(12, rng=1).reshape(3, 4, 4)
    assert gm.score(x, 0.5).shape == (3, 4, 4)
    assert gm.class_posterior(x, 0.5).shape == (3, 4, 3)
    assert gm.log_density(x, 0.5).shape == (3, 4)
    assert isinstance(gm.log_density(x[0, 0], 0.5), float)
    np.testing.assert_allclose(gm.score(x, 0.5)[1], gm.score(x[1], 0.5), rtol=1e-15)


def test_posterior_stable_far_from_means():
    gm = GaussianMixture([[0.0, 0.0], [50.0, 0.0]], covariance=1e-3)
    x = np.array([[1e3, 0.0], [-1e3, 5.0]])
    p = gm.class_posterior(x, 0.01)
    assert np.all(np.isfinite(p)) and np.allclose(p, [[0.0, 1.0], [1.0, 0.0]])
    assert np.all(np.isfinite(gm.score(x, 0.01))) and np.all(np.isfinite(gm.log_density(x, 0.01)))


# --- Gaussian -----------------------------------------------------------------------------------------

def test_gaussian_model():
    spec = np.array([3.0, 1.0, 0.2, 0.0])
    g = Gaussian(spec)
    assert g.d == 4
    np.testing.assert_array_equal(g.covariance_spectrum(), [3.0, 1.0, 0.2, 0.0])
    t = 0.4
    np.testing.assert_allclose(g.noised(t).spectrum, np.exp(-2 * t) * spec + delta(t), rtol=1e-15)
    x = g.sample(300_000, rng=3)
    assert np.max(np.abs(_z_moments(x[:, :3], np.zeros(3), np.diag(spec[:3])))) < Z_MAX
    assert np.all(x[:, 3] == 0.0)
    y = g.noised(t).sample(5, rng=1)
    np.testing.assert_allclose(g.score(y, t), _fd_gradient(lambda v: g.log_density(v, t), y),
                               rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(g.score(y, t), -y / (np.exp(-2 * t) * spec + delta(t)), rtol=1e-15)


# --- linear manifold ----------------------------------------------------------------------------------

def test_orthonormal_manifold_matches_former_data_generator():
    """Same seed, the same points bit for bit as the former validation.linear_manifold_data(d, n, stds,
    dims) (tests/_legacy_manifold.py; axis blocks, variances = stds^2, default radius)."""
    stds, dims, d = np.array([1.0, 0.3, 0.01]), [2, 5, 23], 40
    for sphere in (False, True):
        man = LinearManifold(d, dims, stds**2, on_sphere=sphere)
        radius = np.sqrt(np.sum(np.array(dims) * stds**2))
        assert man.radius == radius
        old, bases = axis_manifold_points(d, 500, stds, dims, sphere, "axis", radius, rng=4)
        # the former generator drew from the same generator after building the (axis) frame
        np.testing.assert_array_equal(man.sample(500, rng=4), old)
        for k, b in enumerate(man.block_bases()):
            np.testing.assert_array_equal(b, bases[k])
            np.testing.assert_array_equal(man.embedding_matrix[:, man.block_slices[k]], bases[k])
    assert man.latent_dim == 30
    np.testing.assert_allclose(man.fractions, np.array(dims) / d)
    data, man = linear_manifold_data(d, 500, stds**2, dims, on_sphere=True, radius=1.0, rng=4)
    np.testing.assert_array_equal(data.points, axis_manifold_points(d, 500, stds, dims, True, rng=4)[0])


def test_orthonormal_spectra():
    stds, dims, d = np.array([1.0, 0.3, 0.01]), np.array([2, 5, 23]), 40
    man = LinearManifold(d, dims, stds**2)
    np.testing.assert_array_equal(man.covariance_spectrum(),
                                  np.r_[np.repeat(stds**2, dims), np.zeros(d - 30)])
    np.testing.assert_array_equal(man.block_variances(), stds**2)
    sph = LinearManifold(d, dims, stds**2, on_sphere=True)
    # the projected data: r^2 E[y_j^2 / |y|^2] per direction of block k
    eff = sph.radius**2 * effective_variances(stds, dims)
    np.testing.assert_allclose(sph.block_variances(), eff, rtol=1e-14)
    np.testing.assert_allclose(sph.covariance_spectrum(), np.r_[np.repeat(eff, dims), np.zeros(d - 30)],
                               rtol=1e-12)
    # the projection sees only the ratios of the variances and the radius
    scaled = LinearManifold(d, dims, 4.0 * stds**2, on_sphere=True, radius=sph.radius)
    np.testing.assert_allclose(scaled.block_variances(), sph.block_variances(), rtol=1e-12)
    # and against the sample covariance of the projected data
    x = sph.sample(200_000, rng=6)
    z = _z_moments(x[:, [0, 2, 7, 29]], np.zeros(4), np.diag(sph.covariance_spectrum()[[0, 2, 7, 29]]))
    assert np.max(np.abs(z)) < Z_MAX, z
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), sph.radius, rtol=1e-13)


def test_rotated_manifold():
    """Haar-rotated orthonormal blocks: the former embedding="random" of validation.linear_manifold_data
    bit for bit; spectrum and block variances as for axis blocks; score and Jacobian exact."""
    stds, dims, d = np.array([1.0, 0.5]), [2, 3], 9
    g = np.random.default_rng(8)
    man = LinearManifold(d, dims, stds**2, embedding="rotated", rng=g)
    old, bases = axis_manifold_points(d, 50, stds, dims, False, "random", rng=8)
    np.testing.assert_array_equal(man.sample(50, g), old)
    for b, ob in zip(man.block_bases(), bases, strict=True):
        np.testing.assert_array_equal(b, ob)
    f = man.embedding_matrix
    np.testing.assert_allclose(f.T @ f, np.eye(5), atol=1e-14)
    np.testing.assert_allclose(man.covariance_spectrum(), np.r_[1.0, 1.0, 0.25, 0.25, 0.25, [0.0] * 4],
                               atol=1e-15)
    np.testing.assert_array_equal(man.block_variances(), stds**2)
    t = 0.4
    cov = (f * np.repeat(stds**2, dims)) @ f.T
    exact = -np.linalg.inv(np.exp(-2 * t) * cov + delta(t) * np.eye(d))
    np.testing.assert_allclose(man.score_jacobian(t), exact, rtol=1e-12, atol=1e-13)
    x = np.random.default_rng(1).standard_normal((3, d))
    np.testing.assert_allclose(man.score(x, t), x @ exact, rtol=1e-12, atol=1e-13)
    sph = LinearManifold(d, dims, stds**2, embedding="rotated", on_sphere=True, radius=1.0, rng=8)
    np.testing.assert_allclose(np.linalg.norm(sph.sample(10, rng=2), axis=1), 1.0, rtol=1e-14)


def test_random_manifold_matches_former_spectral_generator():
    """Same seed: the same F, spectrum, samples and subspace bases as the former
    validation.RandomLinearManifold(d, fractions, variances) (tests/_legacy_manifold.py)."""
    d, dims, var = 200, np.array([20, 60]), np.array([4.0, 0.5])
    man = LinearManifold(d, dims, var, embedding="random", rng=17)
    ref = RandomManifold(d, dims / d, var, rng=17)
    np.testing.assert_array_equal(man.embedding_matrix, ref.F)
    np.testing.assert_array_equal(man.covariance_spectrum(), ref.eigenvalues[::-1])
    same = LinearManifold.from_fractions(d, dims / d, var, rng=17)
    np.testing.assert_array_equal(same.embedding_matrix, ref.F)
    np.testing.assert_array_equal(same.dims, dims)
    for b, ob in zip(man.block_bases(), ref.subspace_bases(), strict=True):
        np.testing.assert_array_equal(b, ob)
    y = man.sample(4, rng=3)
    np.testing.assert_array_equal(y, ref.sample(4, rng=3))
    # exact score and Jacobian against the dense inverse
    t = 0.8
    f = man.embedding_matrix
    cov = (f * np.repeat(var, dims)) @ f.T
    exact = -np.linalg.inv(np.exp(-2 * t) * cov + delta(t) * np.eye(d))
    np.testing.assert_allclose(man.score_jacobian(t), exact, rtol=1e-10, atol=1e-12)
    x = man.noised(t).sample(7, rng=2)
    np.testing.assert_allclose(man.score(x, t), x @ exact, rtol=1e-10, atol=1e-12)
    with pytest.raises(NotImplementedError, match="orthonormal"):
        man.block_variances()
    with pytest.raises(ValueError, match="at least one latent direction"):
        LinearManifold.from_fractions(10, [0.01], [1.0])


def test_random_manifold_moments_and_score():
    d, dims, var = 6, np.array([1, 2]), np.array([2.0, 0.5])
    man = LinearManifold(d, dims, var, embedding="random", rng=5)
    f = man.embedding_matrix
    cov = (f * np.repeat(var, dims)) @ f.T
    t = 0.5
    rng = np.random.default_rng(12)
    a = man.sample(300_000, rng)
    assert np.max(np.abs(_z_moments(a, np.zeros(d), cov))) < Z_MAX
    xt = np.exp(-t) * a + np.sqrt(delta(t)) * rng.standard_normal(a.shape)
    nt = man.noised(t)
    np.testing.assert_allclose(nt.covariance_spectrum(),
                               np.linalg.eigvalsh(np.exp(-2 * t) * cov + delta(t) * np.eye(d))[::-1],
                               rtol=1e-12)
    assert np.max(np.abs(_z_moments(xt, np.zeros(d), np.exp(-2 * t) * cov + delta(t) * np.eye(d)))) < Z_MAX
    # noised sample: moments of the noised model
    y = nt.sample(300_000, rng=13)
    assert np.max(np.abs(_z_moments(y, np.zeros(d), np.exp(-2 * t) * cov + delta(t) * np.eye(d)))) < Z_MAX
    x = xt[:5]
    np.testing.assert_allclose(man.score(x, t), _fd_gradient(lambda v: man.log_density(v, t), x),
                               rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(man.score(x, t),
                               -np.linalg.solve(np.exp(-2 * t) * cov + delta(t) * np.eye(d), x.T).T,
                               rtol=1e-10)


def test_import_theory_models_is_numpy_only():
    import subprocess
    import sys
    code = ("import theory.models, sys; "
            "print([m for m in ('scipy','sympy','mpmath','matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_method_cites_a_reference():
    missing = []
    for cname in theory.models.__all__:
        cls = getattr(theory.models, cname)
        assert "References" in (cls.__doc__ or ""), cname
        for name, obj in vars(cls).items():
            if name.startswith("_"):
                continue
            f = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
            if callable(f) and "References" not in (f.__doc__ or ""):
                missing.append(f"{cname}.{name}")
    assert not missing, missing


def test_models_are_immutable():
    means = np.array([[1.0, 0.0], [0.0, 1.0]])
    cov = np.array([[1.0, 0.2], [0.2, 1.0]])
    gm = GaussianMixture(means, covariance=cov)
    x = np.array([[0.3, -0.2]])
    before = gm.score(x, 0.5)
    means[0, 0], cov[0, 0] = 5.0, 3.0                # the model holds copies
    np.testing.assert_array_equal(gm.score(x, 0.5), before)
    for arr in (gm.means, gm.weights, gm.covariance, gm.noised(0.3).means,
                LinearManifold(4, [2], [1.0]).embedding_matrix, Gaussian([1.0]).spectrum):
        with pytest.raises(ValueError, match="read-only"):
            arr[..., 0] = 0.0
