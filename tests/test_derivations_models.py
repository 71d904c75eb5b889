"""Derivations that take a model (derivations._models, _mixture, _rem_spectrum, _manifold_blocks,
linear_manifold.resolvent_cavity) against closed forms written here and against direct mpmath
computations (a mixture density summed component by component, a numerical Legendre transform,
sympy's own series expansion)."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from derivations import (
    SymbolicManifold,
    SymbolicMixture,
    cloning_integrand,
    collapse_time,
    gm_score,
    landau_coefficients,
    landau_potential,
    manifold_block_rem,
    noised_mixture,
    regime_one_potential,
    rem_collapse,
    resolvent_cavity,
    spectrum_rem,
    stieltjes_polynomial,
)
from derivations._mixture import cumulants_from_moments

SEED = 20260411
t, sigma, d, mu, alpha = sp.symbols("t sigma d mu_tilde alpha", positive=True)
q = sp.Symbol("q", real=True)
w = sp.Symbol("w", positive=True)
GAMMA = 1 - sp.exp(-2 * t) + sigma**2 * sp.exp(-2 * t)
W2T = sp.Symbol("W", positive=True)


def zero(expr) -> bool:
    """Symbolic zero at t > 0: simplify, then again with e^{2t} = W (everything rational)."""
    expr = sp.sympify(expr)
    if sp.simplify(expr) == 0:
        return True
    in_w = sp.simplify(expr.subs(t, sp.log(W2T) / 2))
    return sp.simplify(sp.expand_log(in_w, force=True)) == 0


def mp_value(expr, point: dict, dps: int = 30):
    with mp.workdps(dps):
        f = sp.lambdify(tuple(point), expr, modules="mpmath")
        return f(*(mp.mpf(v) for v in point.values()))


# --- the model objects --------------------------------------------------------------------------

def test_symbolic_mixture_structure_and_errors():
    m = SymbolicMixture.symmetric()
    assert (m.K, m.r, m.d, m.covariance_kind) == (2, 1, d, "isotropic")
    assert m.top_direction() == sp.Matrix([1])
    assert zero(m.top_eigenvalue() - d * mu**2)
    un = SymbolicMixture([[2, 0], [-1, 1], [0, -2]], [0.5, 0.3, 0.2], [1, 0.25])
    assert un.weights == (sp.Rational(1, 2), sp.Rational(3, 10), sp.Rational(1, 5))
    assert un.variances == (1, sp.Rational(1, 4))
    b = un.between_class_covariance()
    assert b == b.T and un.mean == sp.Matrix([[sp.Rational(7, 10), -sp.Rational(1, 10)]])
    with pytest.raises(ValueError, match="sum to 1"):
        SymbolicMixture([[1], [-1]], [0.5, 0.6])
    with pytest.raises(ValueError, match="d must equal r"):
        SymbolicMixture([[1, 0], [-1, 0]], covariance=[1, 2], d=5)
    with pytest.raises(ValueError, match="d must be >= r"):
        SymbolicMixture([[1, 0], [-1, 0]], d=1)


def test_symbolic_models_from_numeric_objects():
    from theory.models import GaussianMixture, LinearManifold

    sym = SymbolicMixture.from_model(GaussianMixture.symmetric(64, mu_tilde=0.5, sigma=1.5, weight=0.8))
    assert (sym.K, sym.r, sym.d) == (2, 1, 64)
    assert sym.means == sp.Matrix([[4], [-4]]) and sym.weights == (sp.Rational(4, 5), sp.Rational(1, 5))
    assert sym.covariance == sp.Rational(9, 4)
    diag = SymbolicMixture.from_model(GaussianMixture([[1.0, 0.0], [-1.0, 0.5]], [0.3, 0.7], [0.5, 2.0]))
    assert diag.covariance_kind == "diagonal" and diag.variances == (sp.Rational(1, 2), 2)
    with pytest.raises(NotImplementedError, match="full"):
        SymbolicMixture.from_model(GaussianMixture([[1.0, 0.0], [-1.0, 0.0]], covariance=np.eye(2)))
    man = SymbolicManifold.from_model(LinearManifold(10, [2, 3], [1.0, 0.25], on_sphere=True))
    assert man.dims == (2, 3) and man.variances == (1, sp.Rational(1, 4)) and man.on_sphere
    assert man.fractions == (sp.Rational(1, 5), sp.Rational(3, 10))


# --- noised density and score --------------------------------------------------------------------

def test_noised_symmetric_mixture_reproduces_the_paper_score():
    nm = noised_mixture()
    assert zero(nm.component_variances[0] - GAMMA)
    assert zero(nm.component_means[0, 0] - sp.sqrt(d) * mu * sp.exp(-t))
    gm = gm_score()
    x1 = nm.x[0]
    m = sp.sqrt(d) * mu
    paper = (gm.coef_x * x1 + gm.coef_m * m).subs(gm.h, x1 * m)   # score along m/|m|
    rng = np.random.default_rng(SEED)
    for tt, ss, dd, mm, xx in rng.uniform([0.05, 0.3, 2, 0.2, -3], [3, 2.5, 50, 1.5, 3], (4, 5)):
        point = {t: tt, sigma: ss, d: dd, mu: mm, x1: xx}
        a = mp_value(nm.score[0], point)
        b = mp_value(paper, point)
        assert abs(a - b) < mp.mpf(10) ** -25 * (1 + abs(b))


def test_noised_mixture_three_classes_diagonal_against_direct_density():
    """K = 3, unequal weights, diagonal covariance: log-density and score against a direct mpmath
    mixture of Gaussians (noised means e^{-t} m_k, variances e^{-2t} v_i + Delta_t) and its
    numerical gradient."""
    means = [[2, 0], [-1, 1], [0, -2]]
    weights = [sp.Rational(1, 2), sp.Rational(3, 10), sp.Rational(1, 5)]
    var = [1, sp.Rational(1, 4)]
    nm = noised_mixture(SymbolicMixture(means, weights, var))
    rng = np.random.default_rng(SEED + 1)
    for tt, x1, x2 in rng.uniform([0.1, -2, -2], [2, 2, 2], (3, 3)):
        with mp.workdps(30):
            tm = mp.mpf(tt)
            e, delta = mp.exp(-tm), -mp.expm1(-2 * tm)
            vt = [mp.mpf(sp.Rational(v).p) / sp.Rational(v).q * e**2 + delta for v in var]

            def logp(a, b, e=e, vt=vt):
                tot = 0
                for k in range(3):
                    z = 1
                    for xi, mk, vi in ((a, means[k][0], vt[0]), (b, means[k][1], vt[1])):
                        z *= mp.exp(-(xi - e * mk) ** 2 / (2 * vi)) / mp.sqrt(2 * mp.pi * vi)
                    tot += mp.mpf(weights[k].p) / weights[k].q * z
                return mp.log(tot)

            point = {nm.t: tt, nm.x[0]: x1, nm.x[1]: x2}
            assert abs(mp_value(nm.log_density, point) - logp(mp.mpf(x1), mp.mpf(x2))) < 1e-25
            for i in range(2):
                order = (1, 0) if i == 0 else (0, 1)
                grad = mp.diff(logp, (mp.mpf(x1), mp.mpf(x2)), order)
                assert abs(mp_value(nm.score[i], point) - grad) < 1e-20
            assert abs(sum(mp_value(p, point) for p in nm.posterior) - 1) < 1e-25


# --- Landau expansion ------------------------------------------------------------------------------

def test_landau_symmetric_pitchfork():
    lp = landau_potential()
    c1, c2, c3, c4 = lp.coefficients
    e2 = sp.exp(-2 * t)
    assert c1 == 0 and c3 == 0 and lp.nature == "pitchfork"
    assert zero(c2 - (1 / GAMMA - d * mu**2 * e2 / GAMMA**2) / 2)
    assert zero(c4 - d**2 * mu**4 * e2**2 / (12 * GAMMA**4))        # log cosh x = x^2/2 - x^4/12
    assert zero(lp.instability_time - sp.log(d * mu**2 + 1 - sigma**2) / 2)
    assert zero(lp.t_star_large_d - sp.log(2 * d * mu**2) / 2)
    assert zero(lp.drift_curvature.subs(t, lp.t_star))
    assert zero(lp.t_star.subs(sigma, 1) - sp.log(2 * d * mu**2) / 2)
    # the exact potential: gamma q^2 - log cosh(beta q), beta = e^{-t}|m|/Gamma
    beta = sp.exp(-t) * sp.sqrt(d) * mu / GAMMA
    assert zero(lp.potential - (q**2 / (2 * GAMMA) - sp.log(sp.cosh(beta * q))).rewrite(sp.exp))


def test_landau_unequal_weights_field_and_cubic():
    lp = landau_potential(SymbolicMixture.symmetric(weight=w))
    c1, c2, c3, _ = lp.coefficients
    e1 = sp.exp(-t)
    assert lp.nature == "crossover"
    assert zero(c1 + (2 * w - 1) * e1 * sp.sqrt(d) * mu / GAMMA)      # c1 = -<beta>
    lam = 4 * w * (1 - w) * d * mu**2                                 # between-class eigenvalue
    assert zero(c2 - (1 / GAMMA - lam * e1**2 / GAMMA**2) / 2)
    kappa3 = 8 * w * (1 - w) * (1 - 2 * w) * (e1 * sp.sqrt(d) * mu / GAMMA) ** 3
    assert zero(c3 + kappa3 / 6)
    assert zero(lp.instability_time - sp.log(lam + 1 - sigma**2) / 2)
    assert landau_coefficients(SymbolicMixture.symmetric(weight=w), 3) == lp.coefficients[:3]
    assert zero(lp.field.subs(w, sp.Rational(1, 2)))


def test_landau_coefficients_match_derivatives_of_the_potential():
    """Independent of the cumulant recursion: V^(n)(0)/n! by mpmath differentiation of the exact
    potential of a K = 3 numeric mixture."""
    model = SymbolicMixture([[2, 0], [-1, 1], [0, -2]], [sp.Rational(1, 2), sp.Rational(3, 10),
                                                         sp.Rational(1, 5)], [1, sp.Rational(1, 4)])
    lp = landau_potential(model, order=5)
    tt = sp.Rational(3, 5)
    pot = sp.lambdify(q, lp.potential.subs(t, tt), "mpmath")
    with mp.workdps(40):
        for n, c in enumerate(lp.coefficients, start=1):
            ref = mp.diff(pot, 0, n) / mp.factorial(n)
            assert abs(mp.mpf(sp.N(c.subs(t, tt), 40)) - ref) < 1e-25
    assert lp.nature == "crossover"


def test_cumulants_from_moments_against_series():
    p, b = sp.symbols("p b_1:4", positive=True)[0], sp.symbols("b_1:4", real=True)
    weights = [p, (1 - p) / 2, (1 - p) / 2]
    s = sp.Symbol("s")
    logm = sp.log(sum(wk * sp.exp(bk * s) for wk, bk in zip(weights, b, strict=True)))
    ser = sp.series(logm, s, 0, 5).removeO()
    moments = [sum(wk * bk**n for wk, bk in zip(weights, b, strict=True)) for n in range(1, 5)]
    for n, kappa in enumerate(cumulants_from_moments(moments), start=1):
        assert sp.simplify(ser.coeff(s, n) * sp.factorial(n) - kappa) == 0


def test_landau_three_symmetric_classes_instability():
    """Equilateral means, equal weights: p_k = w_k at the origin, so the instability is at
    1/2 log(lambda + 1 - sigma^2) with lambda the (double) top between-class eigenvalue."""
    s3 = sp.sqrt(3)
    model = SymbolicMixture([[4, 0], [-2, 2 * s3], [-2, -2 * s3]], None, sp.Rational(1, 2))
    lp = landau_potential(model, order=3, direction=sp.Matrix([1, 0]))
    lam = model.top_eigenvalue()
    assert lam == 8
    assert zero(lp.instability_time - sp.log(lam + 1 - sp.Rational(1, 2)) / 2)
    assert lp.nature == "crossover"            # three classes: a cubic term along any direction


def test_regime_one_potential_from_the_landau_potential():
    """At sigma = 1 (Gamma_t = 1) the drift potential U = -y^2/2 + 2V along m/|m| is the paper's
    V(q, t)/mu~^2 at q = mu~ y."""
    lp = landau_potential()
    y = lp.q
    drift_pot = (-y**2 / 2 + 2 * lp.potential).subs(sigma, 1)
    paper = regime_one_potential().potential
    rng = np.random.default_rng(SEED + 2)
    for tt, dd, mm, yy in rng.uniform([0.5, 4, 0.3, -2], [3, 200, 1.5, 2], (4, 4)):
        with mp.workdps(30):
            a = mp_value(drift_pot, {t: tt, d: dd, mu: mm, y: yy})
            b = mp_value(paper, {q: mp.mpf(mm) * mp.mpf(yy), t: tt, d: dd, mu: mm}) / mp.mpf(mm) ** 2
            assert abs(a - b) < 1e-20 * (1 + abs(b))


def test_landau_bad_order():
    with pytest.raises(ValueError, match="order"):
        landau_potential(order=1)


# --- cloning integrand ---------------------------------------------------------------------------

def test_cloning_integrand_symmetric_and_weighted():
    ci = cloning_integrand()
    y = ci.y
    assert zero(ci.signal_to_noise - d * mu**2 * sp.exp(-2 * t) / GAMMA)
    assert ci.shift == 0
    assert sp.simplify((ci.phi_integrand - (1 + sp.tanh(y) ** 2) / 2).rewrite(sp.exp)) == 0
    ent = sp.log(2 * sp.cosh(y)) - y * sp.tanh(y)
    assert sp.simplify((ci.entropy_integrand - ent).rewrite(sp.exp)) == 0
    wi = cloning_integrand(SymbolicMixture.symmetric(weight=sp.Rational(4, 5)))
    assert sp.simplify(wi.shift - sp.log(4) / 2) == 0
    with pytest.raises(ValueError, match="K = 2"):
        cloning_integrand(SymbolicMixture([[1], [0], [-1]]))


def test_cloning_integrand_phi_at_the_crossing_level():
    """phi(1/2 log d) = 1/2[1 + E tanh^2(1 + z)] = 0.775200 at sigma = mu~ = 1 (r = 1)."""
    ci = cloning_integrand()
    r = ci.signal_to_noise.subs({sigma: 1, mu: 1, d: 1024}).subs(t, sp.log(1024) / 2)
    assert sp.simplify(r - 1) == 0
    f = sp.lambdify(ci.y, ci.phi_integrand, "mpmath")
    with mp.workdps(20):
        val = mp.quad(lambda yy: f(yy) * mp.npdf(yy, 1, 1), [-mp.inf, 0, 1, 2, mp.inf])
    assert abs(val - mp.mpf("0.775200")) < 5e-7


# --- REM of a spectrum ------------------------------------------------------------------------------

def test_spectrum_rem_one_group_is_the_paper_rem():
    rem = spectrum_rem()
    ref = rem_collapse()
    assert rem.energy_at_one == sp.Rational(1, 2)
    assert zero(rem.cgf - ref.cgf)
    assert zero(rem.rate_at_half - ref.rate_at_half)
    assert sp.simplify(sp.exp(2 * rem.collapse_time) - sp.exp(2 * ref.collapse_time)) == 0
    assert sp.simplify(rem.collapse_time - sp.log(1 + sigma**2 / (sp.exp(2 * alpha) - 1)) / 2) == 0
    assert zero(rem.excess_entropy.args[1] - (alpha - ref.rate_at_half)) or \
        zero(rem.excess_entropy.args[0] - (alpha - ref.rate_at_half))
    assert sp.simplify(collapse_time() - rem.collapse_time) == 0
    assert collapse_time(SymbolicMixture([[1], [-1], [3]], covariance=4)) == \
        sp.log(1 + 4 / (sp.exp(2 * alpha) - 1)) / 2


def test_spectrum_rem_two_groups_against_a_numerical_legendre_transform():
    rho, v1, v2 = sp.Rational(3, 10), sp.Rational(5, 2), sp.Rational(1, 5)
    rem = spectrum_rem(groups=[(rho, v1), (1 - rho, v2)])
    assert rem.collapse_time is None and rem.rate_function is None
    expected = (rho * sp.log(1 + v1 / (sp.exp(2 * t) - 1))
                + (1 - rho) * sp.log(1 + v2 / (sp.exp(2 * t) - 1))) / 2
    assert zero(rem.rate_at_half - expected)
    g = sp.lambdify((rem.lam, t), rem.cgf, "mpmath")
    with mp.workdps(30):
        for tt in (mp.mpf("0.3"), mp.mpf("1.7")):
            obj = lambda la, tt=tt: -la / 2 - g(la, tt)      # noqa: E731
            la_star = mp.findroot(lambda la, obj=obj: mp.diff(obj, la), 0.7)
            assert abs(la_star - 1) < 1e-20
            assert abs(obj(la_star) - mp_value(rem.rate_at_half, {t: tt})) < 1e-25
    with pytest.raises(ValueError, match="no closed form"):
        collapse_time(SymbolicMixture([[1, 0], [-1, 0]], covariance=[1, 2]))


def test_spectrum_rem_of_a_manifold_keeps_only_the_latent_blocks():
    rem = spectrum_rem(SymbolicManifold.generic(2))
    d1, d2 = sp.symbols("d_1 d_2", positive=True)
    v1, v2 = sp.symbols("v_1 v_2", positive=True)
    expected = (d1 * sp.log(1 + v1 / (sp.exp(2 * t) - 1))
                + d2 * sp.log(1 + v2 / (sp.exp(2 * t) - 1))) / (2 * d)
    assert zero(rem.rate_at_half - expected)


# --- Stieltjes cavity --------------------------------------------------------------------------

def test_resolvent_cavity_steps():
    cav = resolvent_cavity()
    assert cav.trace_identity == 0
    assert sp.simplify(cav.column_term - cav.sigma * cav.Q / (1 + cav.sigma * cav.Q)) == 0
    by_name = {s.name: s for s in cav.quadratic_variance.free_symbols}
    a11, a12, a22, dd = (by_name[n] for n in ("A_11", "A_12", "A_22", "d_f"))
    assert sp.simplify(cav.quadratic_mean - (a11 + a22) / dd) == 0
    assert sp.simplify(cav.quadratic_variance - 2 * (a11**2 + 2 * a12**2 + a22**2) / dd**2) == 0


@pytest.mark.parametrize("K", [1, 3])
def test_stieltjes_equation_derived_equals_silverstein_form(K):
    sp_k = stieltjes_polynomial(K)
    g, z = sp_k.g, sp_k.z
    typed = g * (-z + sum(f * v / (1 + v * g) for f, v in zip(sp_k.fractions, sp_k.variances,
                                                              strict=True))) - 1
    assert sp.simplify(sp_k.self_consistent - typed) == 0


# --- manifold block REM --------------------------------------------------------------------------

def test_manifold_block_rem_generic_and_sphere():
    rem = manifold_block_rem(SymbolicManifold.generic(3))
    dims = sp.symbols("d_1:4", positive=True)
    var = sp.symbols("v_1:4", positive=True)
    L, tv = sp.Symbol("L", positive=True), sp.Symbol("t_VE", positive=True)
    q4 = sum(dk * vk**2 for dk, vk in zip(dims, var, strict=True))
    assert sp.simplify(rem.q4 - q4) == 0
    for k in range(3):
        assert sp.simplify(rem.energy_variances[k] - (q4 / 2 + tv * var[k]) / tv**2) == 0
        assert sp.simplify(rem.energy_variances[k].subs(tv, rem.critical_times[k]) - 2 * L) == 0
        assert sp.simplify(rem.log_critical_sizes[k] - rem.energy_variances[k] / 2) == 0
    assert sp.simplify(rem.norm_critical_time - sp.sqrt(q4 / (4 * L))) == 0
    sphere = manifold_block_rem(SymbolicManifold([2, 5, 23], [1, sp.Rational(9, 100),
                                                              sp.Rational(1, 100)], 30, on_sphere=True))
    assert sphere.gate == 0
    assert sphere.critical_times[0] == 1 / (2 * L)
    assert abs(float(sphere.critical_times[1].subs(L, sp.log(1000))) - 0.006514) < 5e-7


def test_doctests_of_the_derivations():
    import doctest

    import derivations._catalog
    import derivations._manifold_blocks
    import derivations._mixture
    import derivations._models
    import derivations._rem_spectrum
    import derivations._verify

    for mod in (derivations._models, derivations._mixture, derivations._rem_spectrum,
                derivations._manifold_blocks, derivations._catalog, derivations._verify):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted > 0, mod.__name__
