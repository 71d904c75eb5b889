"""Speciation in the symmetric Gaussian mixture: phi(t), phi_scaling, t_S in every convention, t*.

Reference values come from the paper / docs/theory/dynamical-regimes.md (sections 2.4, 4 and 7) or from mpmath
computations written here, independently of the package: the paper's integral form eq. 6 (``phi_GM``) rather
than the one-parameter r-form that ``theory`` uses.
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np
import pytest

from theory.gaussian_mixture import (
    SPECIATION_CONVENTIONS,
    phi,
    phi_scaling,
    signal_to_noise,
    speciation_time,
    t_star,
)

PHI_AT_TS = 0.775200          # docs/theory/dynamical-regimes.md sec. 2.4 and section 7 row 3
NISHIMORI = 0.5504005         # docs/theory/dynamical-regimes.md section 7 row 8: E tanh(1+z) = E tanh^2(1+z)
FIG2_D = (256, 1024, 4096, 16384)


# ---------------------------------------------------------------- independent mpmath references


@functools.cache
def phi_eq6(t: float, d: float, mu_tilde: float = 1.0, sigma: float = 1.0, dps: int = 40):
    """Paper eq. 6: 1/2 int dy [G(y,+a,Gamma)^2 + G(y,-a,Gamma)^2] / [G(y,+a,Gamma) + G(y,-a,Gamma)],
    a = mu~ sqrt(d) e^{-t}, Gamma = 1 - e^{-2t} + sigma^2 e^{-2t}; tanh-sinh with breakpoints."""
    with mp.workdps(dps):
        t, d, mu, s = (mp.mpf(x) for x in (t, d, mu_tilde, sigma))
        a = mu * mp.sqrt(d) * mp.exp(-t)
        gam = 1 - mp.exp(-2 * t) + s**2 * mp.exp(-2 * t)
        norm = 1 / mp.sqrt(2 * mp.pi * gam)

        def integrand(y):
            gp = norm * mp.exp(-(y - a) ** 2 / (2 * gam))
            gm = norm * mp.exp(-(y + a) ** 2 / (2 * gam))
            return (gp**2 + gm**2) / (gp + gm)

        w = mp.sqrt(gam)
        pts = sorted({-a - 12 * w, -a - 4 * w, -a, -a + 4 * w, mp.mpf(0), a - 4 * w, a, a + 4 * w,
                      a + 12 * w})
        val, err = mp.quad(integrand, [-mp.inf, *pts, mp.inf], error=True)
        assert err < mp.mpf(10) ** (-(dps - 5))
        return val / 2


def gauss_expect(f, loc, scale, dps: int = 40):
    """E f(loc + scale z), z ~ N(0, 1), by mpmath quadrature in z (breakpoint where the argument is 0)."""
    with mp.workdps(dps):
        loc, scale = mp.mpf(loc), mp.mpf(scale)
        z0 = -loc / scale
        pts = sorted({mp.mpf(0), z0, z0 - 3, z0 + 3})
        return mp.quad(lambda z: f(loc + scale * z) * mp.npdf(z), [-mp.inf, *pts, mp.inf])


def phi_scaling_mp(tau: float, mu_tilde: float = 1.0, dps: int = 40):
    """phi_inf(tau) = 1/2 [1 + E tanh^2(mu~^2 e^{-2 tau} + mu~ e^{-tau} z)] (dynamical-regimes.md sec.
    2.4)."""
    with mp.workdps(dps):
        tau, mu = mp.mpf(tau), mp.mpf(mu_tilde)
        e = gauss_expect(lambda y: mp.tanh(y) ** 2, mu**2 * mp.exp(-2 * tau), mu * mp.exp(-tau), dps)
        return (1 + e) / 2


# ---------------------------------------------------------------- the reference itself


def test_eq6_reference_is_converged():
    """Two quadrature rules (tanh-sinh and Gauss-Legendre) agree on the eq. 6 reference."""
    t, d = 0.9 * 0.5 * np.log(1024), 1024.0
    with mp.workdps(40):
        a = mp.sqrt(d) * mp.exp(-mp.mpf(t))
        f = lambda y: (mp.npdf(y, a) ** 2 + mp.npdf(y, -a) ** 2) / (mp.npdf(y, a) + mp.npdf(y, -a))  # noqa: E731
        # finite range: beyond |y| = a + 15 the integrand is below e^{-112}
        gl = mp.quad(f, [-a - 15, -a, 0, a, a + 15], method="gauss-legendre") / 2
        assert abs(gl - phi_eq6(t, d)) < mp.mpf(10) ** -30


def test_eq6_reference_reaches_published_threshold():
    assert abs(float(phi_eq6(0.5 * np.log(4096), 4096.0)) - PHI_AT_TS) < 1e-6


# ---------------------------------------------------------------- phi: published numbers


@pytest.mark.parametrize("d", [256, 1024, 4096, 16384, 1e6])
def test_phi_at_paper_speciation_time(d):
    """All finite-d curves cross at t = 1/2 log d with phi = 0.775200 when sigma = mu~ = 1."""
    assert phi(0.5 * np.log(d), d) == pytest.approx(PHI_AT_TS, abs=1e-6)


@pytest.mark.parametrize(("d", "t", "theory"), [(1024, 3.5, 0.7644), (16384, 5.0, 0.7297)])
def test_phi_saved_theory_values(d, t, theory):
    """docs/theory/dynamical-regimes.md section 7 row 5: theory values next to the saved Monte Carlo."""
    assert abs(phi(t, d) - theory) < 1e-4


def test_nishimori_identity_and_phi_scaling_at_zero():
    with mp.workdps(35):
        e1 = gauss_expect(mp.tanh, 1, 1, 35)
        e2 = gauss_expect(lambda y: mp.tanh(y) ** 2, 1, 1, 35)
        assert abs(e1 - e2) < mp.mpf(10) ** -28
        assert abs(e1 - mp.mpf(NISHIMORI)) < 1e-7
    assert phi_scaling(0.0) == pytest.approx((1 + NISHIMORI) / 2, abs=1e-7)
    assert phi_scaling(0.0) == pytest.approx(PHI_AT_TS, abs=1e-6)


# ---------------------------------------------------------------- phi: against eq. 6


@pytest.mark.parametrize("d", FIG2_D)
@pytest.mark.parametrize("factor", [0.9, 1.0, 1.2])
def test_phi_float64_matches_eq6_quadrature(d, factor):
    t = factor * 0.5 * np.log(d)
    ref = float(phi_eq6(t, float(d)))
    assert phi(t, d) == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("d", FIG2_D)
@pytest.mark.parametrize("factor", [0.9, 1.2])
def test_phi_precision_path_matches_eq6_quadrature(d, factor):
    t = factor * 0.5 * np.log(d)
    val = phi(t, d, precision=30)
    assert isinstance(val, mp.mpf)
    assert abs(val - phi_eq6(t, float(d))) < mp.mpf(10) ** -25


def test_phi_sigma_squared_two_shifts_away_from_threshold():
    """dynamical-regimes.md sec. 2.4: for sigma^2 != 1 the value at t = 1/2 log d moves away from 0.775200
    at finite d."""
    d, sigma = 256, float(np.sqrt(2.0))
    t = 0.5 * np.log(d)
    ref = phi_eq6(t, float(d), 1.0, sigma)
    val = phi(t, d, sigma=sigma)
    assert val == pytest.approx(float(ref), rel=1e-10)
    assert abs(val - 0.7752) > 1e-4
    assert abs(phi(t, d, sigma=sigma, precision=30) - ref) < mp.mpf(10) ** -25


@pytest.mark.parametrize(("t", "d", "mu_tilde", "sigma"),
                         [(0.3, 10.0, 0.5, 0.7), (2.0, 50.0, 1.7, 2.5), (1.1, 3.0, 2.0, 0.2)])
def test_phi_off_default_parameters_matches_eq6(t, d, mu_tilde, sigma):
    ref = phi_eq6(t, d, mu_tilde, sigma)
    assert phi(t, d, mu_tilde, sigma) == pytest.approx(float(ref), rel=1e-10)
    assert abs(phi(t, d, mu_tilde, sigma, precision=30) - ref) < mp.mpf(10) ** -25


@pytest.mark.parametrize("r", [1e-4, 0.29, 0.31, 5.0])
def test_phi_across_the_quadrature_switch(r):
    """The float64 path changes rule at r = 0.3 (Gauss-Hermite below, Gauss-Legendre in y above)."""
    d = 256.0
    t = 0.5 * np.log(d / r)          # sigma = 1: r_t = d e^{-2t}
    assert phi(t, d) == pytest.approx(float(phi_eq6(t, d)), rel=1e-10)


@pytest.mark.parametrize("t", [50.0, 100.0])
def test_phi_precision_path_at_large_t(t):
    with mp.workdps(40):
        r = 256 * mp.exp(-2 * mp.mpf(t))
        ref = mp.mpf(1) / 2 + r / 2          # 1/2[1 + E tanh^2] = 1/2 + r/2 + O(r^2)
        assert abs(phi(t, 256, precision=30) - ref) < mp.mpf(10) ** -25


def test_phi_scaling_precision_path_at_large_tau():
    assert abs(phi_scaling(60.0, precision=30) - (0.5 + mp.exp(-120) / 2)) < mp.mpf(10) ** -25


# ---------------------------------------------------------------- phi: limits, shapes


@pytest.mark.parametrize("d", [1e3, 1e4, 1e6])
def test_phi_limits(d):
    assert abs(phi(50.0, d) - 0.5) < 1e-15
    assert phi(np.inf, d) == 0.5
    assert phi(0.0, d) == pytest.approx(1.0, abs=1e-12)


def test_phi_at_zero_small_d_matches_eq6():
    """At t = 0 and small d the curve does not reach 1 (phi(0) = 1/2[1 + E tanh^2(d + sqrt d z)])."""
    assert phi(0.0, 2.0) == pytest.approx(float(phi_eq6(0.0, 2.0)), rel=1e-10)
    assert phi(0.0, 2.0) < 0.99


def test_phi_mu_zero_is_one_half():
    assert phi([0.0, 1.0, 3.0], 100.0, mu_tilde=0.0) == pytest.approx([0.5, 0.5, 0.5], abs=1e-15)


def test_phi_shapes():
    assert type(phi(1.0, 256)) is float
    t = np.linspace(0.1, 6, 7)
    assert phi(t, 256).shape == (7,)
    grid = phi(t.reshape(7, 1), np.array([256.0, 1024.0, 4096.0]))
    assert grid.shape == (7, 3)
    for j, d in enumerate([256.0, 1024.0, 4096.0]):
        np.testing.assert_allclose(grid[:, j], [phi(float(tt), d) for tt in t], rtol=1e-14)
    assert phi(np.ones((2, 3)), 256).shape == (2, 3)
    mp_arr = phi(np.array([1.0, 2.0]), 256, precision=20)
    assert mp_arr.shape == (2,)
    assert float(mp_arr[1]) == pytest.approx(phi(2.0, 256), rel=1e-12)


def test_signal_to_noise_formula():
    t, d, mu, sigma = 1.3, 300.0, 0.8, 1.7
    gamma = 1 - np.exp(-2 * t) + sigma**2 * np.exp(-2 * t)
    assert signal_to_noise(t, d, mu, sigma) == pytest.approx(d * mu**2 * np.exp(-2 * t) / gamma, rel=1e-14)


# ---------------------------------------------------------------- phi_scaling


@pytest.mark.parametrize("tau", [-2.0, -0.5, 0.0, 0.3, 0.5, 1.0, 3.0])
@pytest.mark.parametrize("mu_tilde", [1.0, 0.6])
def test_phi_scaling_matches_mpmath(tau, mu_tilde):
    ref = phi_scaling_mp(tau, mu_tilde)
    assert phi_scaling(tau, mu_tilde) == pytest.approx(float(ref), rel=1e-11)
    assert abs(phi_scaling(tau, mu_tilde, precision=30) - ref) < mp.mpf(10) ** -25


def test_phi_scaling_limits():
    assert phi_scaling(-5.0) > 0.999999
    assert abs(phi_scaling(10.0) - 0.5) < 1e-8
    assert phi_scaling(0.0) == pytest.approx(PHI_AT_TS, abs=1e-6)
    assert type(phi_scaling(0.2)) is float
    assert phi_scaling(np.zeros((3, 2))).shape == (3, 2)


def test_phi_is_exactly_the_scaling_form_when_sigma_is_one():
    """Gamma_t = 1 for sigma = 1, so r_t = d e^{-2t} = e^{-2 tau}: no finite-d deviation at all."""
    tau = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    for d in (256, 16384):
        np.testing.assert_allclose(phi(0.5 * np.log(d) + tau, d), phi_scaling(tau), rtol=1e-12)


@pytest.mark.parametrize("tau", [-0.5, 0.5])
def test_phi_converges_to_scaling_form(tau):
    """With sigma^2 = 2 the finite-d curve differs at O(1/d); the error falls as d grows."""
    sigma = float(np.sqrt(2.0))
    ds = np.array([64.0, 256.0, 1024.0, 4096.0, 16384.0, 1e6])
    err = np.abs(np.array([phi(0.5 * np.log(d) + tau, d, sigma=sigma) for d in ds]) - phi_scaling(tau))
    assert np.all(np.diff(err) < 0)
    assert err[0] > 1e-4
    assert err[-1] < 1e-5
    # O(1/d): d * err settles to a constant
    assert (ds * err)[-1] == pytest.approx((ds * err)[-2], rel=0.05)


def test_phi_scaling_mu_tilde_is_a_time_shift():
    """r = mu~^2 e^{-2 tau} = e^{-2 (tau - log mu~)}."""
    tau = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(phi_scaling(tau, 1.7), phi_scaling(tau - np.log(1.7)), rtol=1e-13)


# ---------------------------------------------------------------- speciation times


def _ts_reference(convention, d, mu, sigma):
    with mp.workdps(30):
        d, mu, s = mp.mpf(d), mp.mpf(mu), mp.mpf(sigma)
        lam = d * mu**2 + s**2
        arg = {"paper": d * mu**2, "lambda": lam, "lambda_plus_one": lam + 1,
               "lambda_minus_one": lam - 1, "exact_hessian": d * mu**2 + 1 - s**2}[convention]
        return float(mp.log(arg) / 2)


@pytest.mark.parametrize("convention", SPECIATION_CONVENTIONS)
@pytest.mark.parametrize(("d", "mu", "sigma"), [(1024, 1.0, 1.0), (256, 0.5, 2.0), (10, 2.0, 0.3)])
def test_speciation_time_conventions(convention, d, mu, sigma):
    got = speciation_time(d, mu, sigma, convention)
    assert got == pytest.approx(_ts_reference(convention, d, mu, sigma), rel=1e-14)


def test_speciation_time_default_is_paper_and_vectorised():
    d = np.array([256.0, 1024.0, 4096.0, 16384.0])
    np.testing.assert_allclose(speciation_time(d), 0.5 * np.log(d), rtol=1e-15)
    assert speciation_time(1024) == pytest.approx(3.465736, abs=1e-6)
    assert speciation_time(d).shape == (4,)
    assert type(speciation_time(1024.0)) is float


def test_exact_hessian_convention_is_the_sign_change_of_the_hessian():
    """d^2/dq^2 log P_t along m-hat at x = 0 vanishes at the 'exact_hessian' time (sigma != 1)."""
    d, mu, sigma = 50.0, 0.9, 1.8
    t = speciation_time(d, mu, sigma, "exact_hessian")
    with mp.workdps(30):
        tt = mp.mpf(t)
        m = mu * mp.sqrt(d)
        gam = 1 - mp.exp(-2 * tt) + sigma**2 * mp.exp(-2 * tt)

        def log_p(q):  # log of the 1-D marginal of P_t along m-hat, up to a constant
            a = m * mp.exp(-tt)
            return mp.log(mp.exp(-(q - a) ** 2 / (2 * gam)) + mp.exp(-(q + a) ** 2 / (2 * gam)))

        curv = mp.diff(log_p, 0, 2)
        assert abs(curv) < 1e-12
    assert speciation_time(d, mu, 1.0, "exact_hessian") == pytest.approx(speciation_time(d, mu, 1.0))


def test_lambda_plus_one_is_where_lambda_e2t_equals_delta():
    d, mu, sigma = 300.0, 1.2, 0.7
    t = speciation_time(d, mu, sigma, "lambda_plus_one")
    lam = d * mu**2 + sigma**2
    assert lam * np.exp(-2 * t) == pytest.approx(-np.expm1(-2 * t), rel=1e-13)


@pytest.mark.parametrize(("d", "mu"), [(1024, 1.0), (16384, 1.0), (100, 0.3)])
def test_t_star(d, mu):
    ts = t_star(d, mu)
    assert ts == pytest.approx(0.5 * np.log(2 * d * mu**2), rel=1e-15)
    # curvature of V(q, t) = q^2/2 - 2 mu~^2 log cosh(q e^{-t} sqrt d) at q = 0 vanishes at t*
    with mp.workdps(30):
        v = lambda q: q**2 / 2 - 2 * mu**2 * mp.log(mp.cosh(q * mp.exp(-mp.mpf(ts)) * mp.sqrt(d)))  # noqa: E731
        assert abs(mp.diff(v, 0, 2)) < 1e-12
    assert ts - speciation_time(d, mu) == pytest.approx(0.5 * np.log(2), rel=1e-12)
