"""Collapse in the Gaussian mixture: t_C (eq. 10), the excess entropy and its finite-d correction, the REM
large deviations, and the general-spectrum solver of docs/theory/dynamical-regimes.md sec. 3.3.

References: published numbers of Biroli et al. (2024), Fig. 3 (docs/theory/dynamical-regimes.md secs. 3-4),
mpmath evaluations written here at 30-50 digits (closed forms, a root-find of the condensation condition, a
numerical Legendre transform and quadratures of the class entropy), and identities.
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np
import pytest

from theory.collapse import collapse_time_from_spectrum, excess_entropy_from_spectrum
from theory.gaussian_mixture import (
    alpha,
    annealed_free_entropy,
    class_entropy,
    collapse_time,
    excess_entropy,
    rate_function,
    rem_cgf,
    rem_energy,
    rem_free_entropy,
    rem_lambda,
    speciation_time,
)

N_FIG3 = 20000
FIG3 = [(256, 1.298790, 0.038685), (1024, 1.977547, 0.0096714), (4096, 2.667074, 0.0024178)]


# ---------------------------------------------------------------- mpmath references


def tc_closed_mp(d, n, sigma, dps=50):
    """eq. 10: t_C = 1/2 log(1 + sigma^2 / (n^{2/d} - 1)), written as printed; 40 guard digits absorb
    the cancellations in n^{2/d} - 1 (d up to 1e9) and log(1 + x) (x down to 1e-26)."""
    with mp.workdps(dps + 40):
        d, n, s = mp.mpf(d), mp.mpf(n), mp.mpf(sigma)
        return mp.log(1 + s**2 / (mp.power(n, 2 / d) - 1)) / 2


@functools.cache
def tc_root_mp(d, n, sigma, dps=50):
    """Root in t of the condensation condition 1/2 log(1 + sigma^2 e^{-2t}/Delta_t) = log(n)/d,
    found by mpmath.findroot in v = log t (t_C spans 1e-25 .. 10 over the grid)."""
    with mp.workdps(dps):
        a = mp.log(mp.mpf(n)) / mp.mpf(d)
        s2 = mp.mpf(sigma) ** 2

        def cond(v):
            t = mp.exp(v)
            return mp.log(1 + s2 * mp.exp(-2 * t) / -mp.expm1(-2 * t)) / 2 - a

        lo, hi = mp.log(mp.mpf(10) ** -40), mp.log(60)   # cond(lo) > 0 > cond(hi): cond decreases
        assert cond(lo) > 0 > cond(hi)
        for _ in range(60):  # bisection to a good start, then the secant iteration of findroot
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cond(mid) > 0 else (lo, mid)
        v = mp.findroot(cond, (lo + hi) / 2, tol=mp.mpf(10) ** (-2 * dps + 10), verify=False)
        assert abs(cond(v)) < mp.mpf(10) ** (-dps + 8) * (1 + a)
        t = mp.exp(v)
        return t


def fe_paper_mp(t, d, n, sigma=1.0, dps=40):
    """Paper curve max(0, alpha + 1/2 log(Delta_t / Gamma_t))."""
    with mp.workdps(dps):
        t, d, n, s = (mp.mpf(x) for x in (t, d, n, sigma))
        delta = 1 - mp.exp(-2 * t)
        gamma = delta + s**2 * mp.exp(-2 * t)
        return max(mp.mpf(0), mp.log(n) / d + mp.log(delta / gamma) / 2)


@functools.cache
def class_entropy_mp(r, dps=30):
    """h(r) = E_z H_b(p), p = 1/2 (1 + tanh(r + sqrt(r) z)) = 1/(1 + e^{-2y}), H_b in nats."""
    with mp.workdps(dps):
        r = mp.mpf(r)
        if r == 0:
            return mp.log(2)

        def hb(y):
            p, q = 1 / (1 + mp.exp(-2 * y)), 1 / (1 + mp.exp(2 * y))
            return -p * mp.log(p) - q * mp.log(q)

        sr = mp.sqrt(r)
        z0 = -sr  # y = 0
        pts = sorted({z0 - 2 / sr, z0, z0 + 2 / sr, mp.mpf(0)})
        return mp.quad(lambda z: hb(r + sr * z) * mp.npdf(z), [-mp.inf, *pts, mp.inf])


def _g_mp(lam, t, sigma):
    """Same-cluster REM cumulant generating function g_t(lambda) (SI App. C), lambda > -Delta/sigma_t^2."""
    t, s = mp.mpf(t), mp.mpf(sigma)
    delta = 1 - mp.exp(-2 * t)
    st2 = s**2 * mp.exp(-2 * t)
    return mp.log(delta / (delta + lam * st2)) / 2 - lam * (delta + st2) / (2 * (delta + lam * st2))


def legendre_mp(eps, t, sigma, dps=40):
    """sup_lambda [-lambda eps - g_t(lambda)]: root of the numerical derivative, then the value."""
    with mp.workdps(dps):
        eps = mp.mpf(eps)
        t, s = mp.mpf(t), mp.mpf(sigma)
        lam_min = -(1 - mp.exp(-2 * t)) / (s**2 * mp.exp(-2 * t))
        obj = lambda lam: -lam * eps - _g_mp(lam, t, s)  # noqa: E731
        dobj = lambda lam: mp.diff(obj, lam)  # noqa: E731
        lo, hi = lam_min * (1 - mp.mpf(10) ** -12), mp.mpf(1)
        while dobj(hi) > 0:
            hi *= 4
        for _ in range(40):  # dobj decreases (concave objective): bisect, then secant
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if dobj(mid) > 0 else (lo, mid)
        lam = mp.findroot(dobj, (lo + hi) / 2, tol=mp.mpf(10) ** (-2 * dps + 20))
        # it is a maximum of a concave function
        assert mp.diff(obj, lam, 2) < 0
        return obj(lam), lam


# ---------------------------------------------------------------- t_C: published values


@pytest.mark.parametrize(("d", "tc", "a"), FIG3)
def test_collapse_time_fig3(d, tc, a):
    assert collapse_time(d, N_FIG3) == pytest.approx(tc, abs=1e-6)
    assert collapse_time(d, N_FIG3, 1.0) == pytest.approx(tc, abs=1e-6)
    # alpha to five significant digits (dynamical-regimes.md sec. 4)
    assert alpha(d, N_FIG3) == pytest.approx(a, rel=5e-5)
    assert float(f"{alpha(d, N_FIG3):.5g}") == a


def test_collapse_time_vectorised_and_scalar_float():
    got = collapse_time(np.array([256.0, 1024.0, 4096.0]), N_FIG3)
    np.testing.assert_allclose(got, [tc for _, tc, _ in FIG3], atol=1e-6)
    assert type(collapse_time(256, 20000)) is float
    assert collapse_time(np.array([[256.0], [1024.0]]), np.array([100.0, 20000.0])).shape == (2, 2)


# ---------------------------------------------------------------- t_C: against mpmath

GRID_D = [1.0, 2.0, 7.5, 256.0, 1024.0, 4096.0, 16384.0, 1e6, 1e9]
GRID_N = [2.0, 100.0, 20000.0, 1e12]
GRID_SIGMA = [0.1, 1.0, 3.0]


@pytest.mark.parametrize("d", GRID_D)
@pytest.mark.parametrize("n", GRID_N)
def test_collapse_time_float64_vs_mpmath(d, n):
    for sigma in GRID_SIGMA:
        got = collapse_time(d, n, sigma)
        closed = tc_closed_mp(d, n, sigma)
        root = tc_root_mp(d, n, sigma)
        assert abs(closed - root) <= mp.mpf(10) ** -35 * root   # the two references agree
        assert got == pytest.approx(float(closed), rel=1e-10), (d, n, sigma)


@pytest.mark.parametrize(("d", "n", "sigma"), [(256.0, 20000.0, 1.0), (1e6, 20000.0, 0.5),
                                               (1.0, 1e12, 3.0), (16384.0, 2.0, 1.0)])
def test_collapse_time_precision_path(d, n, sigma):
    val = collapse_time(d, n, sigma, precision=30)
    assert isinstance(val, mp.mpf)
    assert abs(val - tc_root_mp(d, n, sigma)) < mp.mpf(10) ** -25 * max(1, abs(val))


def test_collapse_time_d16384_is_root_of_excess_entropy_and_alpha_form():
    d, n = 16384, 20000
    tc = collapse_time(d, n)
    # largest t with f^e(t) = 0, by bisection on the (clipped) paper curve
    lo, hi = 0.5, 10.0
    assert excess_entropy(lo, d, n) == 0 and excess_entropy(hi, d, n) > 0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (lo, mid) if excess_entropy(mid, d, n) > 0 else (mid, hi)
    assert tc == pytest.approx(hi, rel=1e-10)
    a = alpha(d, n)
    assert tc == pytest.approx(0.5 * np.log1p(1.0 / np.expm1(2.0 * a)), rel=1e-13)
    assert tc == pytest.approx(float(tc_root_mp(d, n, 1.0)), rel=1e-12)
    assert tc < speciation_time(d)


def test_collapse_time_large_and_small_alpha_asymptotes():
    """dynamical-regimes.md sec. 3.2: alpha -> 0: t_C ~ 1/2 log(sigma^2 d / (2 log n)); alpha -> inf: t_C ~
    sigma^2/2 n^{-2/d}."""
    d, n, s = 1e9, 20000.0, 1.3
    assert collapse_time(d, n, s) == pytest.approx(0.5 * np.log(s**2 * d / (2 * np.log(n))), abs=1e-6)
    d, n = 2.0, 1e10
    assert collapse_time(d, n, s) == pytest.approx(s**2 / 2 * n ** (-2 / d), rel=1e-6)


# ---------------------------------------------------------------- t_C from a covariance spectrum


@pytest.mark.parametrize("d", [1, 5, 256, 1024])
@pytest.mark.parametrize("n", [2.0, 20000.0, 1e8])
@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_spectrum_solver_isotropic_is_eq10(d, n, sigma):
    got = collapse_time_from_spectrum(np.full(d, sigma**2), n)
    assert got == pytest.approx(collapse_time(d, n, sigma), rel=1e-12)


def test_spectrum_solver_vector_n():
    ns = np.array([[2.0, 100.0], [1e4, 1e8]])
    got = collapse_time_from_spectrum(np.ones(64), ns)
    assert got.shape == (2, 2)
    np.testing.assert_allclose(got, collapse_time(64, ns), rtol=1e-12)


def test_spectrum_solver_zero_padding():
    lam = np.array([5.0, 3.0, 1.0, 0.2])
    for n in (10.0, 1e3, 1e6):
        padded = collapse_time_from_spectrum(np.concatenate([lam, np.zeros(60)]), n)
        assert collapse_time_from_spectrum(lam, n, d=64) == pytest.approx(padded, rel=1e-13)
        # the condition sum_i log(1 + lambda_i/s) = 2 log n does not involve d: zeros change nothing
        assert collapse_time_from_spectrum(lam, n, d=64) == pytest.approx(
            collapse_time_from_spectrum(lam, n), rel=1e-13)
    # ... but the excess entropy density is divided by d
    t = np.array([0.5, 1.0, 3.0])
    np.testing.assert_allclose(excess_entropy_from_spectrum(t, lam, 1e6, d=64),
                               excess_entropy_from_spectrum(t, np.concatenate([lam, np.zeros(60)]), 1e6),
                               rtol=1e-13)
    np.testing.assert_allclose(excess_entropy_from_spectrum(t, lam, 1e6, d=64) * 64,
                               excess_entropy_from_spectrum(t, lam, 1e6) * 4, rtol=1e-13)


def test_spectrum_solver_root_satisfies_condition():
    """(1/d) sum_i log(1 + lambda_i e^{-2t}/Delta_t) = 2 alpha at t_C, checked in mpmath."""
    rng = np.random.default_rng(3)
    lam = rng.gamma(0.7, 2.0, size=40)
    n, d = 5000.0, 50
    tc = collapse_time_from_spectrum(lam, n, d=d)
    with mp.workdps(40):
        t = mp.mpf(tc)
        lhs = mp.fsum(mp.log(1 + mp.mpf(x) * mp.exp(-2 * t) / (1 - mp.exp(-2 * t))) for x in lam) / d
        assert abs(lhs - 2 * mp.log(n) / d) < 1e-13


@pytest.mark.parametrize(("d", "mu"), [(256, 1.0), (1024, 1.0), (256, 0.5)])
def test_spiked_gm_spectrum(d, mu):
    """dynamical-regimes.md sec. 3.3: with the GM spike lambda_1 = d mu~^2 + sigma^2, t_C lies above tc_GM;
    the spectrum's
    excess entropy is 0 below that t_C and positive above."""
    sigma = 1.0
    lam = np.full(d, sigma**2)
    lam[0] = d * mu**2 + sigma**2
    tc = collapse_time_from_spectrum(lam, N_FIG3)
    tc_gm = collapse_time(d, N_FIG3, sigma)
    assert tc > tc_gm + 1e-3
    t_below = np.array([0.2, 0.5 * tc, tc * (1 - 1e-9)])
    t_above = np.array([tc * (1 + 1e-6), tc + 0.5, 8.0])
    assert np.all(excess_entropy_from_spectrum(t_below, lam, N_FIG3) == 0.0)
    assert np.all(excess_entropy_from_spectrum(t_above, lam, N_FIG3) > 0.0)
    # the GM curve is already positive between tc_GM and tc: the spike removes entropy
    mid = 0.5 * (tc + tc_gm)
    assert excess_entropy(mid, d, N_FIG3) > 0 == excess_entropy_from_spectrum(mid, lam, N_FIG3)


def test_spiked_shift_shrinks_at_fixed_alpha():
    """At fixed alpha the spike's share 1/d log(1 + lambda_1/s) of the condition vanishes as d grows.
    (At fixed n = 20000 it does not: the shift tends to a constant near 0.08.)"""
    a = alpha(256, N_FIG3)
    shifts = []
    for d in (256, 1024, 4096):
        lam = np.ones(d)
        lam[0] = d + 1.0
        n = np.exp(a * d)
        shifts.append(collapse_time_from_spectrum(lam, n) - collapse_time(d, n))
    assert np.all(np.diff(shifts) < 0) and shifts[0] > 0


def test_excess_entropy_from_spectrum_formula_and_isotropic_limit():
    lam = np.array([9.0, 2.0, 1.0, 0.5, 0.0, 0.0])
    n = 30.0
    for t in (0.05, 0.4, 1.0, 3.0):
        with mp.workdps(30):
            tt = mp.mpf(t)
            s = mp.expm1(2 * tt)
            ref = mp.log(n) / 6 - mp.fsum(mp.log(1 + mp.mpf(x) / s) for x in lam) / 12
        assert excess_entropy_from_spectrum(t, lam, n) == pytest.approx(float(max(ref, 0)), abs=1e-14)
    t = np.linspace(0.1, 6, 30)
    np.testing.assert_allclose(excess_entropy_from_spectrum(t, np.ones(128), 500.0),
                               excess_entropy(t, 128, 500.0), atol=1e-14)


# ---------------------------------------------------------------- excess entropy, paper curve


@pytest.mark.parametrize(("d", "tc", "a"), FIG3)
def test_excess_entropy_paper_curve_vs_mpmath(d, tc, a):
    t_c = collapse_time(d, N_FIG3)
    for t in (0.1, 0.5 * t_c, t_c, 1.05 * t_c, 2.5, 3.0, 4.0, 6.0, 8.0):
        ref = fe_paper_mp(t, d, N_FIG3)
        assert abs(excess_entropy(t, d, N_FIG3) - float(ref)) < 1e-10
        assert abs(excess_entropy(t, d, N_FIG3, precision=30) - ref) < mp.mpf(10) ** -25


@pytest.mark.parametrize(("d", "n", "sigma"), [(256, 20000, 1.0), (4096, 20000, 1.0), (10, 50, 2.0),
                                               (1e5, 1e3, 0.3)])
def test_excess_entropy_zero_up_to_collapse_and_alpha_at_large_t(d, n, sigma):
    tc = collapse_time(d, n, sigma)
    below = np.array([0.0, 1e-6, 0.3 * tc, 0.9 * tc, tc * (1 - 1e-7)])
    assert np.all(excess_entropy(below, d, n, sigma=sigma) == 0.0)
    assert excess_entropy(tc, d, n, sigma=sigma) <= 1e-15
    assert excess_entropy(tc * (1 + 1e-6), d, n, sigma=sigma) > 0
    a = alpha(d, n)
    assert excess_entropy(30.0, d, n, sigma=sigma) / a == pytest.approx(1.0, abs=1e-12)
    assert excess_entropy(np.inf, d, n, sigma=sigma) == pytest.approx(a, rel=1e-15)


# ---------------------------------------------------------------- finite-d correction


@pytest.mark.parametrize("r", [0.0, 1e-6, 0.1, 0.29, 0.31, 1.0, 3.0, 17.0, 80.0])
def test_class_entropy_vs_mpmath(r):
    assert class_entropy(r) == pytest.approx(float(class_entropy_mp(r)), abs=1e-12)


def test_class_entropy_limits_and_monotonicity():
    assert class_entropy(0.0) == pytest.approx(np.log(2), abs=1e-15)
    assert class_entropy(200.0) < 1e-20
    r = np.geomspace(1e-6, 200, 200)
    h = class_entropy(r)
    assert np.all(np.diff(h) < 0)
    assert np.all((h > 0) & (h < np.log(2)))


@pytest.mark.parametrize(("d", "t"), [(256, 1.5), (256, 2.0), (256, 2.772588722239781), (256, 4.0),
                                      (1024, 2.2), (1024, 3.465735902799727), (1024, 5.0)])
def test_finite_d_correction_is_class_entropy(d, t):
    """f^e(finite d) - f^e(paper) = -(log 2 - h(r_t))/d, r_t = d e^{-2t} (sigma = mu~ = 1)."""
    fin = excess_entropy(t, d, N_FIG3, finite_d=True)
    pap = excess_entropy(t, d, N_FIG3)
    assert fin > 0 and pap > 0
    with mp.workdps(30):
        r = mp.mpf(d) * mp.exp(-2 * mp.mpf(t))
        corr = -(mp.log(2) - class_entropy_mp(r)) / d
    assert abs((fin - pap) - float(corr)) < 1e-10
    ref = excess_entropy(t, d, N_FIG3, finite_d=True, precision=30)
    with mp.workdps(40):
        assert abs(ref - (fe_paper_mp(t, d, N_FIG3) + corr)) < mp.mpf(10) ** -25


def test_finite_d_precision_path_at_large_t():
    got = excess_entropy(100.0, 256, N_FIG3, finite_d=True, precision=30)
    with mp.workdps(40):   # at t = 100 both corrections are below e^{-190}: f^e = alpha
        assert abs(got - mp.log(N_FIG3) / 256) < mp.mpf(10) ** -25


@pytest.mark.parametrize(("d", "n", "mu", "sigma"), [(256, 20000, 1.0, 1.0), (1024, 20000, 1.0, 1.0),
                                                     (40, 1000, 0.7, 1.6)])
def test_finite_d_correction_is_bounded(d, n, mu, sigma):
    t = np.linspace(0.0, 12.0, 400)
    pap = excess_entropy(t, d, n, mu, sigma)
    fin = excess_entropy(t, d, n, mu, sigma, finite_d=True)
    diff = pap - fin
    assert np.all(diff >= -1e-15)
    assert np.all(diff <= np.log(2) / d + 1e-15)
    assert diff.max() > 0.5 * np.log(2) / d  # the correction is not negligible


def test_finite_d_correction_vanishes_without_signal():
    """mu~ = 0: the class carries no information, h = log 2 and the curves coincide."""
    t = np.linspace(0.5, 6, 12)
    np.testing.assert_allclose(excess_entropy(t, 256, N_FIG3, 0.0, finite_d=True),
                               excess_entropy(t, 256, N_FIG3, 0.0), atol=1e-15)


# Saved Monte Carlo of Fig. 3 (docs/theory/dynamical-regimes.md section 4 and section 7 row 6): (d, t,
# f^e/alpha, standard error)
MC_FIG3_D256 = [(256, 1.728, 0.5233, 0.0023), (256, 2.904, 0.9326, 0.0023)]
MC_FIG3_D1024 = [(1024, 2.12, 0.2572, 0.0046), (1024, 2.512, 0.5876, 0.0046)]


@pytest.mark.parametrize(("d", "t", "mc", "se"), MC_FIG3_D256)
def test_saved_monte_carlo_follows_finite_d_curve(d, t, mc, se):
    a = alpha(d, N_FIG3)
    fin = excess_entropy(t, d, N_FIG3, finite_d=True) / a
    pap = excess_entropy(t, d, N_FIG3) / a
    assert abs(fin - mc) < 4 * se
    assert abs(pap - mc) > 10 * se          # the paper's curve misses the saved numerics
    assert abs(fin - mc) < abs(pap - mc)


def test_saved_monte_carlo_d1024():
    """At t = 2.512 the finite-d curve fits; at t = 2.12, just above t_C = 1.978, neither curve fits
    (finite-d smoothing near t_C, docs/theory/dynamical-regimes.md section 4): the correction over-shoots,
    f^e(MC) lies between."""
    a = alpha(1024, N_FIG3)
    (_, t1, mc1, se1), (_, t2, mc2, se2) = MC_FIG3_D1024
    fin2 = excess_entropy(t2, 1024, N_FIG3, finite_d=True) / a
    pap2 = excess_entropy(t2, 1024, N_FIG3) / a
    assert abs(fin2 - mc2) < 4 * se2 < abs(pap2 - mc2)
    fin1 = excess_entropy(t1, 1024, N_FIG3, finite_d=True) / a
    pap1 = excess_entropy(t1, 1024, N_FIG3) / a
    assert fin1 < pap1 < mc1


# ---------------------------------------------------------------- REM large deviations


@pytest.mark.parametrize("eps", [0.3, 0.5, 0.8])
def test_rate_function_vs_numerical_legendre(eps):
    ref, lam = legendre_mp(eps, 1.0, 1.0)
    assert rate_function(eps, 1.0, 1.0) == pytest.approx(float(ref), abs=1e-10)
    assert rem_lambda(eps, 1.0, 1.0) == pytest.approx(float(lam), abs=1e-9)
    assert abs(rate_function(eps, 1.0, 1.0, precision=30) - ref) < mp.mpf(10) ** -25


def _random_rem_points(k=8):
    rng = np.random.default_rng(20240229)
    return [(float(rng.uniform(0.05, 3.0)), float(rng.uniform(0.05, 3.0)), float(rng.uniform(0.3, 2.0)))
            for _ in range(k)]


@pytest.mark.parametrize(("eps", "t", "sigma"), _random_rem_points())
def test_rate_function_random_points(eps, t, sigma):
    ref, lam = legendre_mp(eps, t, sigma)
    assert rate_function(eps, t, sigma) == pytest.approx(float(ref), abs=1e-10)
    assert rem_lambda(eps, t, sigma) == pytest.approx(float(lam), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("t", [0.05, 0.3, 1.0, 2.5, 4.0])
@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_rem_identities(t, sigma):
    delta = -np.expm1(-2 * t)
    gamma = delta + sigma**2 * np.exp(-2 * t)
    assert rate_function(0.5, t, sigma) == pytest.approx(-0.5 * np.log(delta / gamma), rel=1e-9)
    assert rem_energy(1.0, t, sigma) == pytest.approx(0.5, rel=1e-14)
    assert rem_lambda(0.5, t, sigma) == pytest.approx(1.0, rel=1e-9)
    lam = np.array([0.0, 0.2, 1.0, 3.0, 10.0])
    np.testing.assert_allclose(rem_lambda(rem_energy(lam, t, sigma), t, sigma), lam, rtol=1e-8, atol=1e-8)
    # epsilon up to epsilon*(0) = 1/2 + sigma_t^2/Delta_t, where lambda* = 0
    eps0 = rem_energy(0.0, t, sigma)
    assert eps0 == pytest.approx(0.5 + sigma**2 * np.exp(-2 * t) / delta, rel=1e-14)
    eps = np.array([0.1, 0.4, 0.5, 0.5 * (0.5 + eps0), (1 - 1e-9) * eps0])
    np.testing.assert_allclose(rem_energy(rem_lambda(eps, t, sigma), t, sigma), eps, rtol=1e-11)
    # epsilon above epsilon*(0): the supremum sits at lambda < 0 (outside the CGF's documented domain)
    assert rem_lambda(1.2 * eps0, t, sigma) < 0


@pytest.mark.parametrize("t", [8.0, 10.0])
def test_rem_lambda_relative_accuracy_at_large_t(t):
    assert rem_lambda(0.5, t, 1.0) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize(("lam", "t", "sigma"), [(0.0, 1.0, 1.0), (0.7, 0.4, 1.5), (2.5, 2.0, 0.6)])
def test_rem_cgf_and_energy_vs_mpmath(lam, t, sigma):
    with mp.workdps(30):
        g = _g_mp(mp.mpf(lam), t, sigma)
        dg = mp.diff(lambda x: _g_mp(x, t, sigma), mp.mpf(lam))
    assert rem_cgf(lam, t, sigma) == pytest.approx(float(g), abs=1e-14)
    assert rem_energy(lam, t, sigma) == pytest.approx(float(-dg), rel=1e-12)


@pytest.mark.parametrize(("d", "tc", "a"), FIG3)
def test_free_entropies(d, tc, a):
    t = np.array([0.3, 1.0, tc, 2.0, 3.0, 5.0])
    al = alpha(d, N_FIG3)
    ann = annealed_free_entropy(t, al)
    np.testing.assert_allclose(ann, al + rem_cgf(1.0, t), rtol=1e-13)
    for tt, v in zip(t, ann, strict=True):
        with mp.workdps(30):
            ref = mp.log(N_FIG3) / d + _g_mp(mp.mpf(1), tt, 1.0)
        assert v == pytest.approx(float(ref), abs=1e-13)
    q = rem_free_entropy(t, al)
    np.testing.assert_array_equal(q, np.maximum(ann, -0.5))
    np.testing.assert_allclose(q, -0.5 + excess_entropy(t, d, N_FIG3), atol=1e-14)
    # condensed (-1/2) below t_C, annealed (> -1/2) above: the SI's inequalities swapped back
    assert rem_free_entropy(0.9 * tc, al) == -0.5
    assert rem_free_entropy(1.1 * tc, al) > -0.5
