"""Tests of the geometric-memorization derivations (derivations/manifold_rem.py) against the closed
forms of the theory expected docs/theory/losing-dimensions.md (secs. 2.1-2.5), written here independently."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import sympy as sp

from derivations.manifold_rem import direction_rem, global_collapse_criterion, subspace_rem
from derivations.rem import rem_collapse

t_ve = sp.Symbol("t_VE", positive=True)
t = sp.Symbol("t", positive=True)
sig = sp.Symbol("sigma_i", positive=True)
Q4 = sp.Symbol("Q_4", positive=True)
g = sp.Symbol("g", nonnegative=True)
L = sp.Symbol("L", positive=True)
DELTA = 1 - sp.exp(-2 * t)


def zero(expr) -> bool:
    """Symbolic zero at t > 0, also after e^{2t} = 1 + w (w > 0) makes everything rational."""
    expr = sp.sympify(expr)
    if sp.simplify(expr) == 0:
        return True
    w = sp.Symbol("w", positive=True)
    return sp.simplify(sp.expand_log(expr.subs(t, sp.log(1 + w) / 2), force=True)) == 0


# --- per-direction REM (expected secs. 2.2-2.3) ------------------------------------------------------

def test_energy_is_the_log_weight_up_to_a_constant():
    r = direction_rem()
    # expected 2.2: w ∝ exp(y_i/sqrt t - |y|^2/(2t)), E = -y_i/sqrt t + |y|^2/(2t)
    assert zero(r.energy - (-r.y_i / sp.sqrt(t_ve) + r.y_sq / (2 * t_ve)))
    assert zero(sp.diff(r.log_weight + r.energy, r.y_i)) and zero(sp.diff(r.log_weight + r.energy,
                                                                          r.y_sq))


def test_gaussian_moments():
    r = direction_rem()
    assert zero(r.coordinate_variance - sig**2)
    assert zero(r.square_variance - 2 * sig**4)     # Var(sigma^2 zeta^2) = sigma^4 (3 - 1)
    assert r.cross_covariance == 0                   # odd moment


def test_energy_variance_matches_the_docs():
    r = direction_rem()
    expected = (g * Q4 / 2 + t_ve * sig**2) / t_ve**2
    assert zero(r.energy_variance - expected)
    expected_ou = (g * Q4 * sp.exp(-4 * t) / 2 + DELTA * sig**2 * sp.exp(-2 * t)) / DELTA**2
    assert zero(r.energy_variance_ou - expected_ou)
    # the OU and VE forms are one function under t_VE = e^{2t} - 1
    assert zero(r.energy_variance.subs(t_ve, sp.exp(2 * t) - 1) - r.energy_variance_ou)


def test_critical_times_match_the_docs():
    r = direction_rem()
    expected = (sig**2 / (2 * L) + sp.sqrt(sig**4 / (4 * L**2) + g * Q4 / L)) / 2
    assert sp.simplify(r.critical_time - expected) == 0
    assert sp.simplify(r.critical_time_sphere - sig**2 / (2 * L)) == 0
    assert sp.simplify(r.norm_critical_time - sp.sqrt(Q4 / (4 * L))) == 0
    # it solves the condensation condition v = 2L
    assert sp.simplify(r.energy_variance.subs(t_ve, r.critical_time) - 2 * L) == 0
    # t_C^(i) >= t_C^(0) for Gaussian data (g = 1)
    diff = (r.critical_time.subs(g, 1) - r.norm_critical_time)
    rng = np.random.default_rng(5)
    for s, q, ell in rng.uniform(0.05, 3.0, (20, 3)):
        assert float(diff.subs({sig: s, Q4: q + s**4, L: 2 * ell})) >= 0
    assert sp.simplify(r.critical_time_ou - sp.log(1 + r.critical_time) / 2) == 0


def test_critical_size_and_alpha():
    r = direction_rem()
    assert sp.simplify(r.log_critical_size - (g * Q4 / 2 + t_ve * sig**2) / (2 * t_ve**2)) == 0
    # round trip: log n_C(t_C(L)) = L
    assert sp.simplify(r.log_critical_size.subs(t_ve, r.critical_time) - L) == 0
    expected_ou = (g * Q4 * sp.exp(-4 * t) / 2 + DELTA * sig**2 * sp.exp(-2 * t)) / (2 * DELTA**2)
    assert zero(r.log_critical_size_ou - expected_ou)
    assert sp.simplify(r.critical_alpha - r.log_critical_size / r.d) == 0


def test_authors_amplitude_is_rem_participation_over_t():
    r = direction_rem()
    # phi = 1/t - 1/t_c(t) = Y_REM / t with Y = 1 - sqrt(2L/v)   (expected 2.2)
    assert sp.simplify(r.amplitude - r.rem_participation / t_ve) == 0
    # the authors' t_c(t)^2 = (g Q4/2 + t sigma^2)/(2L), and t_c(t) = t exactly at t_C
    assert sp.simplify(r.threshold_time**2 - (g * Q4 / 2 + t_ve * sig**2) / (2 * L)) == 0
    at_tc = r.threshold_time.subs(t_ve, r.critical_time) - r.critical_time
    for point in ({sig: 1, Q4: 2.5, g: 1, L: 6.9}, {sig: 0.3, Q4: 1, g: 0, L: 5.5}):
        assert abs(float(at_tc.subs(point))) < 1e-14


def test_reference_row_1_numbers_at_50_digits():
    r = direction_rem()
    with mp.workdps(50):
        for s, ref in (("1", "0.072382"), ("0.3", "0.006514")):
            val = r.critical_time_sphere.subs({sig: sp.Rational(s), L: sp.log(1000)}).evalf(50)
            exact = mp.mpf(s) ** 2 / (2 * mp.log(1000))
            assert abs(mp.mpf(str(val)) - exact) < mp.mpf("1e-45")
            assert abs(float(val) - float(ref)) < 5e-7


# --- the extension (expected sec. 2.4) ----------------------------------------------------------------

def test_subspace_extension_matches_the_docs():
    s = subspace_rem()
    alpha, psi, sk = s.alpha, s.psi, s.sigma_k
    assert sp.simplify(s.cross_energy_variance - s.d_k * sk**2 / s.t_ve) == 0
    assert sp.simplify(s.critical_time - psi * sk**2 / (2 * alpha)) == 0
    assert sp.simplify(s.critical_time_ou - sp.log(1 + psi * sk**2 / (2 * alpha)) / 2) == 0
    assert sp.simplify(s.critical_alpha - psi * sk**2 / (2 * s.t_ve)) == 0
    ou = psi * sk**2 * sp.exp(-2 * t) / (2 * DELTA)
    assert zero(s.critical_alpha_ou.subs(s.t, t) - ou)


def test_extension_reduces_to_per_direction_for_one_coordinate():
    # d_k = 1 and log n = alpha d: the extension's threshold is the sphere per-direction one
    s, r = subspace_rem(), direction_rem()
    one = s.critical_time.subs(s.psi, 1 / s.d).subs(s.alpha, L / s.d)
    assert sp.simplify(one - r.critical_time_sphere.subs(sig, s.sigma_k)) == 0


# --- the global criterion (expected sec. 2.5) ---------------------------------------------------------

def test_global_criterion_matches_biroli():
    gc = global_collapse_criterion()
    sigma, alpha = gc.sigma, gc.alpha
    assert zero(gc.mutual_information - sp.log(1 + sigma**2 / t_ve) / 2)
    assert zero(gc.mutual_information_ou.subs(gc.t, t)
                - sp.log(1 + sigma**2 * sp.exp(-2 * t) / DELTA) / 2)
    assert sp.simplify(gc.isotropic_critical_time - sigma**2 / (sp.exp(2 * alpha) - 1)) == 0
    # the OU form is Biroli et al.'s eq. 10 as derived by derivations.rem
    assert sp.simplify(gc.isotropic_critical_time_ou - rem_collapse().collapse_time) == 0


def test_global_vs_per_direction_ordering_numbers():
    # one variance, d coordinates: the per-direction sphere threshold sigma^2/(2 alpha d) is below
    # the global sigma^2/(e^{2 alpha} - 1) only when e^{2 alpha} - 1 < 2 alpha d, i.e. always for d >= 2
    gc, r = global_collapse_criterion(), direction_rem()
    for a, d in ((0.1, 30), (0.5, 2), (0.05, 150)):
        glob = float(gc.isotropic_critical_time.subs({gc.sigma: 1, gc.alpha: a}))
        per = float(r.critical_time_sphere.subs({sig: 1, L: a * d}))
        assert per < glob
        assert abs(glob - 1 / mp.expm1(2 * a)) < 1e-12
