"""Properties (hypothesis): bounds, monotonicity, scale and rotation invariances."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from theory.collapse import collapse_time_from_spectrum
from theory.gaussian_mixture import (
    collapse_time,
    excess_entropy,
    phi,
    phi_scaling,
    rate_function,
    signal_to_noise,
)
from theory.speciation import top_covariance_eigenvalue

SETTINGS = settings(max_examples=60, deadline=None, database=None)

dims = st.floats(1.0, 1e6)
mus = st.floats(1e-6, 3.0)
sigmas = st.floats(0.1, 3.0)
ns = st.floats(2.0, 1e12)
times = arrays(np.float64, st.integers(2, 40), elements=st.floats(0.0, 30.0))


@SETTINGS
@given(t=times, d=dims, mu=mus, sigma=sigmas)
def test_phi_bounds_and_monotone(t, d, mu, sigma):
    t = np.sort(t)
    p = phi(t, d, mu, sigma)
    assert np.all(p >= 0.5 - 1e-15) and np.all(p <= 1.0 + 1e-15)
    assert np.all(np.diff(p) <= 1e-12)


@SETTINGS
@given(t=st.floats(0.0, 20.0), d=dims, mu=mus, sigma=sigmas, c=st.floats(0.2, 5.0))
def test_phi_depends_on_d_mu_only_through_d_mu2(t, d, mu, sigma, c):
    """|m|^2 = d mu~^2: (d, mu~) and (d c^2, mu~ / c) describe the same mixture."""
    d2 = d * c**2
    if d2 < 1.0:
        return
    assert np.isclose(phi(t, d, mu, sigma), phi(t, d2, mu / c, sigma), rtol=1e-12, atol=1e-14)


@SETTINGS
@given(t1=st.floats(0.0, 10.0), t2=st.floats(0.0, 10.0), d=dims, mu=mus, sigma=sigmas)
def test_phi_is_a_function_of_r_only(t1, t2, d, mu, sigma):
    """Find the dimension d2 that gives the same r at t2 as d at t1: phi must agree."""
    r = signal_to_noise(t1, d, mu, sigma)
    d2 = r * (np.expm1(2 * t2) + sigma**2) / mu**2
    if not (1.0 <= d2 < 1e12):
        return
    assert np.isclose(phi(t1, d, mu, sigma), phi(t2, d2, mu, sigma), rtol=1e-11, atol=1e-13)


@SETTINGS
@given(tau=arrays(np.float64, st.integers(2, 30), elements=st.floats(-6.0, 20.0)), mu=mus)
def test_phi_scaling_bounds_and_monotone(tau, mu):
    tau = np.sort(tau)
    p = phi_scaling(tau, mu)
    assert np.all((p >= 0.5 - 1e-15) & (p <= 1 + 1e-15))
    assert np.all(np.diff(p) <= 1e-12)


@SETTINGS
@given(t=times, d=dims, n=ns, mu=mus, sigma=sigmas)
def test_excess_entropy_nonnegative_and_nondecreasing(t, d, n, mu, sigma):
    t = np.sort(t)
    for finite_d in (False, True):
        fe = excess_entropy(t, d, n, mu, sigma, finite_d=finite_d)
        assert np.all(fe >= 0.0)
        assert np.all(np.diff(fe) >= -1e-14), (finite_d, fe)
        assert np.all(fe <= np.log(n) / d * (1 + 1e-12))


@SETTINGS
@given(d=st.floats(1.0, 1e5), n=st.floats(2.0, 1e9), mu=mus, sigma=sigmas)
def test_finite_d_curve_is_below_paper_curve(d, n, mu, sigma):
    t = np.linspace(0.0, 15.0, 61)
    pap = excess_entropy(t, d, n, mu, sigma)
    fin = excess_entropy(t, d, n, mu, sigma, finite_d=True)
    assert np.all(fin <= pap + 1e-15)
    assert np.all(pap - fin <= np.log(2) / d + 1e-15)


@SETTINGS
@given(d1=st.floats(1.0, 1e8), d2=st.floats(1.0, 1e8), n=ns, sigma=sigmas)
def test_collapse_time_increases_with_d(d1, d2, n, sigma):
    lo, hi = sorted((d1, d2))
    if hi <= lo * (1 + 1e-9):
        return
    assert collapse_time(lo, n, sigma) < collapse_time(hi, n, sigma)


@SETTINGS
@given(n1=ns, n2=ns, d=st.floats(1.0, 1e8), sigma=sigmas)
def test_collapse_time_decreases_with_n(n1, n2, d, sigma):
    lo, hi = sorted((n1, n2))
    if hi <= lo * (1 + 1e-9):
        return
    assert collapse_time(d, lo, sigma) > collapse_time(d, hi, sigma)


@SETTINGS
@given(d=st.integers(1, 600), n=ns, sigma=sigmas)
def test_spectrum_solver_isotropic(d, n, sigma):
    assert np.isclose(collapse_time_from_spectrum(np.full(d, sigma**2), n), collapse_time(d, n, sigma),
                      rtol=1e-11, atol=0)


@SETTINGS
@given(lam=arrays(np.float64, st.integers(1, 50), elements=st.floats(0.01, 100.0)), n=ns,
       c=st.floats(0.1, 10.0))
def test_spectrum_solver_monotone_in_the_spectrum(lam, n, c):
    """Scaling every eigenvalue up (c > 1) keeps the samples apart longer: t_C rises, and vice versa;
    the solver is also blind to the order of the eigenvalues."""
    tc = collapse_time_from_spectrum(lam, n)
    tc_c = collapse_time_from_spectrum(c * lam, n)
    if c > 1.0 + 1e-9:
        assert tc_c > tc
    elif c < 1.0 - 1e-9:
        assert tc_c < tc
    assert np.isclose(collapse_time_from_spectrum(lam[::-1], n), tc, rtol=1e-12)


@SETTINGS
@given(eps=st.floats(0.01, 5.0), t=st.floats(0.01, 4.0), sigma=sigmas)
def test_rate_function_minimum_at_typical_energy(eps, t, sigma):
    """f_t >= 0 with its zero at the typical energy epsilon*(0) = 1/2 + sigma_t^2/Delta_t (Cramer)."""
    delta = -np.expm1(-2 * t)
    eps0 = 0.5 + sigma**2 * np.exp(-2 * t) / delta
    f = rate_function(eps, t, sigma)
    assert f >= -1e-12 * max(1.0, eps0)
    assert abs(rate_function(eps0, t, sigma)) < 1e-10 * max(1.0, eps0)


@settings(max_examples=25, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 40), d=st.integers(1, 12),
       scale=st.floats(0.1, 10.0), shift=st.floats(-100.0, 100.0))
def test_top_eigenvalue_equivariance(seed, n, d, scale, shift):
    """Lambda is invariant under rotations and translations of the data and scales like scale^2."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = top_covariance_eigenvalue(x)
    assert np.isclose(top_covariance_eigenvalue(x @ q), lam, rtol=1e-9)
    assert np.isclose(top_covariance_eigenvalue(scale * x + shift), scale**2 * lam, rtol=1e-8)
