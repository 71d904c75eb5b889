"""Monte Carlo of linear-manifold Jacobian spectra (validation.spectral) against theory.spectral."""

from __future__ import annotations

import numpy as np
import pytest

from theory import timemap
from theory.models import LinearManifold
from theory.spectral import bulk_edges, gaussian_jacobian_spectrum, intermediate_gaps, separation_order
from validation.jacobian import empirical_score_jacobian, probe_singular_values
from validation.score import EmpiricalScore
from validation.spectral import (
    empirical_jacobian_spectra,
    histogram_check,
    sample_b_eigenvalues,
    separated_cluster_overlaps,
    subspace_overlaps,
)

TWO_F, TWO_V = [0.2, 0.2], [1.0, 0.01]
SEED = 4242


def _manifold(d, fractions, variances, rng=SEED):
    """The spectral-gap model: random embedding, round(f_k d) latent directions per group."""
    return LinearManifold.from_fractions(d, fractions, variances, rng=rng)


def _mu(man, t):
    """Exact spectrum mu = s / (s + lambda) of -Delta_t J, descending."""
    return gaussian_jacobian_spectrum(man.covariance_spectrum(), t)


@pytest.mark.parametrize(("f", "v"), [([0.4], [1.0]), (TWO_F, TWO_V)])
def test_histograms_against_density_several_times(f, v):
    """d = 1000, two draws: every bin within 4 Poisson standard errors plus the O(d^{-2/3}) edge
    allowance of validation.spectral.histogram_check, at four times across the phases."""
    lam = sample_b_eigenvalues(1000, f, v, n_draws=2, rng=SEED)
    for t in (0.005, 0.05, 0.3, 1.0):
        s = np.expm1(2 * t)
        check = histogram_check(s / (s + lam), t, f, v, bins=30)
        assert check.ok, (t, np.max(np.abs(check.observed - check.expected) / check.tolerance))
        # at most a few eigenvalues per draw fluctuate past the padded range of the bins
        assert check.expected.sum() - 3 * 2 <= check.observed.sum() <= check.expected.sum() + 1e-6


def test_two_group_edges_d4000_and_t_max():
    """One draw at d = 4000 (m = 1600): each edge within 2% of its bulk's width (the extreme eigenvalues
    fluctuate on the Tracy-Widom scale width x d^{-2/3} = 0.4% of the width, so 2% is 5 such units; the
    small bulk's lower edge, 0.002 for a width of 0.016, is thus held to ~2% of its own value), and
    t_max at the argmax of the simulated gap within 2%."""
    lam = sample_b_eigenvalues(4000, TWO_F, TWO_V, rng=SEED)[0][4000 - 1600:]
    low, high = lam[:800], lam[800:]
    sim = np.array([low.min(), low.max(), high.min(), high.max()])
    edges = bulk_edges(TWO_F, TWO_V)
    width = np.repeat(edges[1::2] - edges[::2], 2)
    assert np.all(np.abs(sim - edges) <= 0.02 * width)
    assert np.all(np.abs(sim[1:] / edges[1:] - 1) <= 0.02)
    s = np.geomspace(1e-4, 10, 20001)
    gap_sim = s / (s + low.max()) - s / (s + high.min())
    gap = intermediate_gaps(TWO_F, TWO_V)[0]
    assert s[np.argmax(gap_sim)] == pytest.approx(gap.s_max, rel=0.02)
    assert gap_sim.max() == pytest.approx(gap.height, rel=0.02)


@pytest.mark.slow
def test_two_group_edges_d4000_many_draws():
    """Four draws at d = 4000: the mean simulated edges within 1% of the bulk width (2.5 Tracy-Widom
    units width x d^{-2/3})."""
    lam = sample_b_eigenvalues(4000, TWO_F, TWO_V, n_draws=4, rng=SEED + 1)[:, 4000 - 1600:]
    sim = np.stack([lam[:, :800].min(1), lam[:, :800].max(1), lam[:, 800:].min(1),
                    lam[:, 800:].max(1)], axis=1).mean(0)
    edges = bulk_edges(TWO_F, TWO_V)
    assert np.all(np.abs(sim - edges) <= 0.01 * np.repeat(edges[1::2] - edges[::2], 2))


def test_swap_reverses_separation_order_monte_carlo():
    """f = (0.1, 0.3), d = 400.  Between the two separation times of the theory, the eigenvectors
    below the top gap span the high-variance subspace: mean overlap ~ 1 with it and ~ m_k/d (random)
    with the other; swapping the variances swaps the subspace."""
    f = [0.1, 0.3]
    for v, first in (([1.0, 0.01], 0), ([0.01, 1.0], 1)):
        sep = separation_order(f, v)
        assert sep.order[0] == first
        t = float(np.sqrt(sep.t_separation[0] * sep.t_separation[1]))
        man = _manifold(400, f, v)
        ov, count = separated_cluster_overlaps(man, t)
        assert count == round(400 * f[first])
        assert ov[first] > 0.99
        other = 1 - first
        # a random unit vector has E|P u|^2 = m_k/d; the separated vectors are inside span F_first,
        # whose overlap with span F_other is that of two random subspaces (same mean)
        assert ov[other] == pytest.approx(f[other], abs=0.05)


def test_overlaps_of_eigenvectors_sum_to_one():
    man = _manifold(200, TWO_F, TWO_V)
    f = man.embedding_matrix
    _, vec = np.linalg.eigh((f * np.repeat(TWO_V, man.dims)) @ f.T)       # ascending eigenvalues of B
    ov = subspace_overlaps(vec[:, 200 - man.latent_dim:], man.block_bases())
    # the eigenvectors lie in the manifold span(F) = span(F_1) + span(F_2) (not orthogonal), so each
    # overlap is <= 1; the top bulk lies mostly in the high-variance subspace
    assert np.all(ov <= 1 + 1e-12)
    assert ov[-40:, 0].mean() > 0.9 > ov[:40, 0].mean()


def test_probe_equals_abs_eig_exact_linear_score():
    """spectral-gaps.md sec. 4 row 8: d = 100, m = 40, s = 0.1, central differences, h = 1e-3: singular
    values equal
    |eig J| within 1e-10 (the exact score is linear, so the differences have no O(h^2) error)."""
    man = _manifold(100, [0.4], [1.0])
    t = float(timemap.ou_time_from_ve_variance(0.1))
    x = man.sample(1, rng=1)[0]
    sv = probe_singular_values(man.score, x, t, h=1e-3, rng=2)
    ref = np.sort(np.abs(np.linalg.eigvalsh(man.score_jacobian(t))))[::-1]
    np.testing.assert_allclose(sv, ref, rtol=0, atol=1e-10 * ref.max())
    # the analytic Jacobian agrees with the normalised spectrum mu = s/(s + lambda)
    np.testing.assert_allclose(np.sort(-timemap.delta(t) * np.linalg.eigvalsh(man.score_jacobian(t))),
                               np.sort(_mu(man, t)), rtol=1e-12)


def test_probe_with_empirical_score_and_user_callable():
    rng = np.random.default_rng(SEED)
    man = _manifold(12, [0.25], [2.0], rng=rng)
    data = man.sample(300, rng)
    t = 0.4
    x = np.exp(-t) * data[:2] + np.sqrt(timemap.delta(t)) * rng.standard_normal((2, 12))
    sv = probe_singular_values(EmpiricalScore(data), x, t, rng=3)
    jac = empirical_score_jacobian(x, t, data)
    ref = np.sort(np.abs(np.linalg.eigvalsh(jac)), axis=1)[:, ::-1]
    # default h = 1e-4 sqrt(Delta_t): O(h^2 |third derivative|) + round-off eps |s| / h, ~1e-8 relative
    np.testing.assert_allclose(sv, ref, rtol=1e-6)
    a = rng.standard_normal((12, 12))
    sym = a + a.T

    def linear(points, time):
        return -points @ sym

    sv = probe_singular_values(linear, np.zeros(12), 1.0, rng=4)
    np.testing.assert_allclose(sv, np.sort(np.abs(np.linalg.eigvalsh(sym)))[::-1], rtol=1e-8)


def test_empirical_jacobian_spectra_large_and_small_t():
    """n = 5000 points of a 4-dimensional manifold in d = 10.  At t = 1 the mean sorted spectrum of
    -Delta_t J(x) matches the exact score's within 4 standard errors over the 16 points plus 0.03 (one
    dataset: a sample-covariance eigenvalue from n_eff >~ 2000 weighted points fluctuates by
    sqrt(2/n_eff) ~ 3% relative).  At t = 0.01 with n = 200 every tangent direction is lost (mu > 0.99
    where the exact score has mu < 0.02)."""
    man = _manifold(10, [0.4], [10.0])
    spec = empirical_jacobian_spectra(man, 5000, [1.0], n_points=16, rng=5)[0]
    mean, se = spec.mean(0), spec.std(0, ddof=1) / 4
    exact = _mu(man, 1.0)
    assert np.all(np.abs(mean - exact) <= 4 * se + 0.03)
    small = empirical_jacobian_spectra(man, 200, [0.01], n_points=4, rng=6)[0]
    assert np.all(small > 0.99) and np.all(_mu(man, 0.01)[-4:] < 0.02)


def test_bad_input_validation():
    with pytest.raises(ValueError, match="at least one latent direction"):
        _manifold(10, [0.01], [1.0])
    with pytest.raises(ValueError, match="sum of fractions"):
        sample_b_eigenvalues(100, [0.5, 0.6], [1, 2])
    with pytest.raises(ValueError, match="t must be"):
        _manifold(10, [0.4], [1.0]).score_jacobian(0.0)
