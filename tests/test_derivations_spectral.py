"""Symbolic derivations of the linear-manifold spectra (derivations.linear_manifold) against closed
forms written here, against the numeric polynomials of theory._stieltjes, and at 50 digits."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from derivations.linear_manifold import (
    empirical_score_jacobian,
    gap_derivation,
    linear_manifold_score,
    marchenko_pastur,
    stieltjes_polynomial,
)
from theory._stieltjes import edge_coefficients, self_consistent_coefficients

SEED = 20241008


def test_exact_score_normalized_spectrum():
    r = linear_manifold_score()
    t, lam, s = r.t, r.lam, r.s
    # Var(x_t) = e^{-2t} lambda + Delta_t, J = -1/Var, -Delta_t J = s/(s + lambda)
    assert sp.simplify(r.variance - (lam * sp.exp(-2 * t) + 1 - sp.exp(-2 * t))) == 0
    assert sp.simplify(r.jacobian * r.variance + 1) == 0
    assert sp.simplify(r.score + r.x / r.variance) == 0
    assert sp.simplify(r.normalized_s - s / (s + lam)) == 0
    assert r.spike == 1
    # the t-form and the s-form agree at s = e^{2t} - 1 (50 digits)
    for tv, lv in [("0.05", "0.3"), ("1.3", "2.0"), ("4.0", "0.001")]:
        tv, lv = sp.Float(tv, 50), sp.Float(lv, 50)
        a = r.normalized.subs({t: tv, lam: lv}).evalf(50)
        b = r.normalized_s.subs({s: sp.exp(2 * tv) - 1, lam: lv}).evalf(50)
        assert abs(a - b) < 1e-45


@pytest.mark.parametrize("K", [1, 2, 3, 4])
def test_stieltjes_polynomial_matches_numeric(K):
    sp_k = stieltjes_polynomial(K)
    rng = np.random.default_rng(SEED + K)
    f = rng.uniform(0.05, 0.9 / K, K)
    v = np.sort(rng.uniform(0.01, 3.0, K))
    zv = 0.7
    exact = sp.Rational                     # binary floats as exact rationals (mpmath reads them exactly)
    subs = {**{k: exact(x) for k, x in zip(sp_k.fractions, f, strict=True)},
            **{k: exact(x) for k, x in zip(sp_k.variances, v, strict=True)}, sp_k.z: exact(zv)}
    sym = np.array([float(c.subs(subs)) for c in sp_k.coefficients])
    a, c = self_consistent_coefficients(f, v)
    num = np.pad(a, (0, 1)) - zv * c
    np.testing.assert_allclose(sym, num, rtol=1e-12, atol=1e-14)
    sym_e = np.array([float(c.subs(subs)) for c in sp_k.edge_coefficients])
    np.testing.assert_allclose(sym_e, edge_coefficients(f, v), rtol=1e-12, atol=1e-14)
    # degree K + 1 in g, coefficients affine in z; the edge polynomial has degree 2K and is
    # z'(g) g^2 prod(1 + v g)^2
    assert sp.Poly(sp_k.polynomial, sp_k.g).degree() == K + 1
    assert all(sp.Poly(ci, sp_k.z).degree() <= 1 for ci in sp_k.coefficients)
    assert sp.Poly(sp_k.edge_polynomial, sp_k.g).degree() == 2 * K
    # a root of the polynomial (mpmath, 50 digits) solves g = 1/(-z + sum f v/(1 + v g))
    with mp.workdps(50):
        coeffs = [mp.mpf(str(sp.N(ci.subs(subs), 60))) for ci in sp_k.coefficients][::-1]
        for root in mp.polyroots(coeffs, maxsteps=200, extraprec=100):
            rhs = 1 / (-zv + sum(mp.mpf(fk) * mp.mpf(vk) / (1 + mp.mpf(vk) * root)
                                 for fk, vk in zip(f, v, strict=True)))
            assert abs(root - rhs) < mp.mpf(10) ** -35 * max(1, abs(root))


def test_stieltjes_invalid_k():
    with pytest.raises(ValueError, match="K must be"):
        stieltjes_polynomial(0)


def test_marchenko_pastur_edges_and_density():
    mpd = marchenko_pastur()
    f, v, lam = mpd.f, mpd.v, mpd.lam
    lo, hi = v * (1 - sp.sqrt(f)) ** 2, v * (1 + sp.sqrt(f)) ** 2
    assert sp.simplify(mpd.edges[0] - lo) == 0
    assert sp.simplify(mpd.edges[1] - hi) == 0
    closed = sp.sqrt((hi - lam) * (lam - lo)) / (2 * sp.pi * v * lam)
    assert sp.simplify(sp.expand(mpd.density**2 - closed**2)) == 0
    # the discriminant is (lambda - gamma_-)(lambda - gamma_+)
    assert sp.simplify(sp.expand(mpd.discriminant - (lam - lo) * (lam - hi))) == 0


def test_gap_derivation():
    gd = gap_derivation()
    a, b, s, thr, gam = gd.a, gd.b, gd.s, gd.threshold, gd.gamma
    assert sp.simplify(gd.intermediate - s * (b - a) / ((s + a) * (s + b))) == 0
    assert sp.simplify(gd.s_max - sp.sqrt(a * b)) == 0
    assert sp.simplify(gd.height - (sp.sqrt(b) - sp.sqrt(a)) / (sp.sqrt(b) + sp.sqrt(a))) == 0
    assert sp.simplify(gd.root_product - a * b) == 0
    assert sp.simplify(gd.manifold_open - gam * (1 - thr) / thr) == 0
    assert sp.simplify(gd.manifold_consolidated - gam * thr / (1 - thr)) == 0
    # the opening/closing roots give gap = threshold (50 digits at a sample point)
    pt = {a: sp.Rational(18, 1000), b: sp.Rational(3, 10), thr: sp.Rational(1, 10)}
    for root in (gd.s_open, gd.s_close):
        val = gd.intermediate.subs(pt).subs(s, root.subs(pt)).evalf(50)
        assert abs(val - sp.Rational(1, 10)) < 1e-45
    assert (gd.s_open * gd.s_close).subs(pt).evalf(50) - (a * b).subs(pt) < 1e-45
    # single bulk: width peaks at sqrt(g+ g-) = v(1 - f), W_max = sqrt(f) (docs/theory/spectral-gaps.md sec.
    # 2.3, row 5)
    fs, vs = sp.symbols("f v", positive=True)
    mp_edges = {sp.Symbol("gamma_p", positive=True): vs * (1 + sp.sqrt(fs)) ** 2,
                sp.Symbol("gamma_m", positive=True): vs * (1 - sp.sqrt(fs)) ** 2}
    at = {fs: sp.Rational(2, 5), vs: 1}
    assert abs(gd.width_peak.subs(mp_edges).subs(at).evalf(40) - sp.Rational(3, 5)) < 1e-35
    assert abs(gd.width_max.subs(mp_edges).subs(at).evalf(40) - sp.sqrt(sp.Rational(2, 5))) < 1e-35


def test_empirical_jacobian_derivation_against_finite_differences_and_kernel():
    """The derived closed form against an mpmath Hessian of log P_t^e and against the package's
    float64 kernel (validation.jacobian)."""
    from validation.jacobian import empirical_score_jacobian as numeric_jacobian

    der = empirical_score_jacobian(3, 2)
    rng = np.random.default_rng(SEED)
    pts = rng.standard_normal((3, 2))
    xv = rng.standard_normal(2) * 0.7
    t = 0.4
    e, delta = np.exp(-t), -np.expm1(-2 * t)
    q = -np.sum((xv - e * pts) ** 2, axis=1) / (2 * delta)
    u = np.exp(q - q.max())
    subs = {der.E: e, der.Delta: delta}
    subs.update({sym: float(val) for sym, val in zip(der.x, xv, strict=True)})
    for m, a in enumerate(der.points):
        subs.update({sym: float(val) for sym, val in zip(a, pts[m], strict=True)})
    subs.update({um: float(val) for um, val in zip(der.u, u, strict=True)})
    closed = np.array(der.jacobian_closed_form.subs(subs).evalf(30), dtype=float)

    with mp.workdps(40):
        def logp(x0, x1):
            return mp.log(sum(mp.exp(-((x0 - e * a[0]) ** 2 + (x1 - e * a[1]) ** 2) / (2 * delta))
                              for a in pts))
        # partial derivative orders (n_0, n_1) of d^2/dx_i dx_j
        ref = np.array([[float(mp.diff(logp, (xv[0], xv[1]),
                                       tuple(int(k == i) + int(k == j) for k in range(2))))
                         for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(closed, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(numeric_jacobian(xv[None, :], t, pts)[0], ref, rtol=1e-9, atol=1e-11)
