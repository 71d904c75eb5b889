"""Cross-layer tests: every numeric function of the catalog marked "cross-checked" against its
derived expression on a grid of parameters (tests may import both layers).

Each test names the catalog entries it checks with ``@checks(...)``; ``test_catalog.py`` fails when
a cross-checked entry has no test here.  Derived expressions are evaluated with mpmath at 30 digits
(or lambdified to numpy where float64 suffices); the tolerances are float64 round-off of the
numeric functions (1e-12 relative unless said otherwise).
"""

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
    empirical_score_jacobian,
    gap_derivation,
    landau_expansion,
    landau_potential,
    linear_manifold_score,
    manifold_block_rem,
    marchenko_pastur,
    noised_mixture,
    regime_one_potential,
    rem_collapse,
    spectrum_rem,
    stieltjes_polynomial,
    subspace_rem,
)
from derivations import _symbols as S

CHECKED: set[str] = set()
SEED = 11


def checks(*names: str):
    """Register the catalog entries a test checks."""
    CHECKED.update(names)

    def wrap(fn):
        return fn
    return wrap


def mp_fn(expr, args):
    return sp.lambdify(args, expr, modules="mpmath")


def close(a, b, rtol=1e-12, atol=1e-300):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def grid(k, **ranges):
    rng = np.random.default_rng(SEED)
    return {name: rng.uniform(lo, hi, k) for name, (lo, hi) in ranges.items()}


def ref_values(expr, args, columns, dps=30):
    """Derived expression at each row of the columns, 30 digits, returned as float64."""
    f = mp_fn(expr, args)
    out = []
    with mp.workdps(dps):
        for row in zip(*columns, strict=True):
            out.append(float(f(*(mp.mpf(float(v)) for v in row))))
    return np.array(out)


# --- the mixture ------------------------------------------------------------------------------------

@checks("mixture.noised_variance")
def test_noised_variance():
    from theory.timemap import noised_variance

    nm = noised_mixture(SymbolicMixture([[1], [-1]], covariance=sp.Symbol("v", positive=True)))
    g = grid(20, t=(0.0, 6.0), v=(0.01, 10.0))
    ref = ref_values(nm.component_variances[0], (S.t, sp.Symbol("v", positive=True)),
                     (g["t"], g["v"]))
    close(noised_variance(g["v"], g["t"]), ref)


@checks("mixture.score", "mixture.log_density", "mixture.class_posterior")
@pytest.mark.parametrize("which", ["diagonal", "symmetric"])
def test_mixture_density_score_posterior(which):
    from theory.models import GaussianMixture

    if which == "diagonal":
        model = GaussianMixture([[2.0, 0.0], [-1.0, 1.0], [0.0, -2.0]], [0.5, 0.3, 0.2], [1.0, 0.25])
    else:
        model = GaussianMixture.symmetric(16, mu_tilde=0.5, sigma=1.3, weight=0.3)
    sym = SymbolicMixture.from_model(model)
    nm = noised_mixture(sym)
    args = (S.t, *nm.x)
    rng = np.random.default_rng(SEED)
    if which == "diagonal":
        basis = np.eye(2)
    else:
        basis = np.ones((1, 16)) / 4.0                    # the reduced coordinate is along m/|m|
    f_logp = mp_fn(nm.log_density, args)
    f_score = [mp_fn(si, args) for si in nm.score]
    f_post = [mp_fn(p, args) for p in nm.posterior]
    for tt in (0.1, 0.7, 2.5):
        coords = rng.normal(size=(4, sym.r)) * 2
        x = coords @ basis
        for c, xx in zip(coords, x, strict=True):
            with mp.workdps(30):
                vals = [mp.mpf(float(v)) for v in (tt, *c)]
                logp = float(f_logp(*vals))
                score = np.array([float(f(*vals)) for f in f_score])
                post = np.array([float(f(*vals)) for f in f_post])
            close(model.log_density(xx, tt), logp)
            close(model.score(xx, tt) @ basis.T, score, atol=1e-12)
            close(model.class_posterior(xx, tt), post, atol=1e-14)


# --- speciation ------------------------------------------------------------------------------------

@checks("speciation.t_paper", "speciation.t_lambda", "speciation.t_lambda_plus_one",
        "speciation.t_exact_hessian")
def test_speciation_time_readings():
    from theory.gaussian_mixture import speciation_time

    lx, lp = landau_expansion(), landau_potential()
    readings = {"paper": lx.gm_t_paper, "lambda": lx.gm_t_lambda,
                "lambda_plus_one": lx.gm_t_lambda_plus_one, "exact_hessian": lp.instability_time}
    g = grid(15, d=(16, 4096), mu=(0.3, 2.0), sigma=(0.2, 1.5))
    for conv, expr in readings.items():
        ref = ref_values(expr, (S.d, S.mu_tilde, S.sigma), (g["d"], g["mu"], g["sigma"]))
        close(speciation_time(g["d"], g["mu"], g["sigma"], convention=conv), ref)


@checks("speciation.landau_zero", "speciation.landau_zero_printed_m")
def test_speciation_time_from_eigenvalue():
    from theory.speciation import speciation_time_from_eigenvalue

    lx = landau_expansion()
    lam = np.geomspace(1.5, 1e4, 12)
    close(speciation_time_from_eigenvalue(lam, "lambda_plus_one"),
          ref_values(lx.t_consistent, (S.Lambda,), (lam,)))
    close(speciation_time_from_eigenvalue(lam, "paper"), ref_values(lx.t_si, (S.Lambda,), (lam,)))


@checks("speciation.cascade")
def test_speciation_cascade_is_the_landau_instability():
    """The first time of the cascade (exact-Hessian reading) is where c_2 of the Landau potential
    along the top between-class direction vanishes, for models whose origin sees the class weights
    (means +-m, or centred means of equal norm)."""
    from theory.models import GaussianMixture
    from theory.speciation import speciation_times

    u, v = np.eye(64)[0] * 8.0, np.eye(64)[1] * 2.0
    models = [GaussianMixture.symmetric(64, weight=0.3, sigma=1.2),
              GaussianMixture([u + v, u - v, -u + v, -u - v]),
              GaussianMixture([[4, 0, 0], [-2, 2 * 3**0.5, 0], [-2, -2 * 3**0.5, 0]], covariance=0.5)]
    for model in models:
        derived = landau_potential(model, order=3).instability_time
        close(speciation_times(model, "exact_hessian")[0], float(sp.N(derived, 30)), rtol=1e-11)


@checks("speciation.phi_integrand", "collapse.class_entropy_integrand")
def test_phi_and_class_entropy_integrands():
    from theory._gaussian_expectation import binary_entropy_of_tanh, sech2
    from theory.gaussian_mixture import class_entropy, phi

    ci = cloning_integrand()
    y = np.linspace(-30.0, 30.0, 121)
    close(1.0 - 0.5 * sech2(y), ref_values(ci.phi_integrand, (ci.y,), (y,)), atol=1e-15)
    close(binary_entropy_of_tanh(y), ref_values(ci.entropy_integrand, (ci.y,), (y,)), atol=1e-15)
    f_phi, f_ent = mp_fn(ci.phi_integrand, (ci.y,)), mp_fn(ci.entropy_integrand, (ci.y,))
    r_t = mp_fn(ci.signal_to_noise, (S.t, S.d, S.mu_tilde, S.sigma))
    for tt, dd, mm, ss in ((2.0, 256, 1.0, 1.0), (3.1, 1024, 0.7, 1.4), (0.9, 64, 1.3, 0.6)):
        with mp.workdps(20):
            r = r_t(mp.mpf(tt), dd, mp.mpf(mm), mp.mpf(ss))
            pts = [-mp.inf, r - 6 * mp.sqrt(r), -1, 0, 1, r, r + 6 * mp.sqrt(r), mp.inf]
            pts = sorted(set(pts))
            val = mp.quad(lambda x, r=r: f_phi(x) * mp.npdf(x, r, mp.sqrt(r)), pts)
            ent = mp.quad(lambda x, r=r: f_ent(x) * mp.npdf(x, r, mp.sqrt(r)), pts)
        close(phi(tt, dd, mm, ss), float(val), rtol=1e-10)
        close(class_entropy(float(r)), float(ent), rtol=1e-10, atol=1e-14)


@checks("speciation.phi_scaling")
def test_phi_scaling_is_the_large_d_limit_from_half_log_d():
    """phi_scaling(tau, mu~) is the limit of phi at t = 1/2 log d + tau: r_t -> mu~^2 e^{-2 tau}
    (derived by sympy's limit).  Measured from the paper's t_S = 1/2 log(d mu~^2) instead, the
    limit would be e^{-2 tau}: the two agree only at mu~ = 1."""
    from derivations import catalog_entry
    from theory.gaussian_mixture import phi_scaling

    ci = cloning_integrand()
    limit = catalog_entry("speciation.phi_scaling").expression()
    tau = sp.Symbol("tau", real=True)
    assert sp.simplify(limit - S.mu_tilde**2 * sp.exp(-2 * tau)) == 0
    f, r_of = mp_fn(ci.phi_integrand, (ci.y,)), mp_fn(limit, (tau, S.mu_tilde))
    for tt, mm in ((-0.5, 0.5), (0.0, 1.0), (0.7, 2.0), (1.5, 1.3)):
        with mp.workdps(20):
            r = r_of(mp.mpf(tt), mp.mpf(mm))
            pts = sorted({-mp.inf, r - 8 * mp.sqrt(r), -2, 0, 2, r, r + 8 * mp.sqrt(r), mp.inf})
            val = mp.quad(lambda x, r=r: f(x) * mp.npdf(x, r, mp.sqrt(r)), pts)
        close(phi_scaling(tt, mm), float(val), rtol=1e-10)


@checks("speciation.phi_two_classes")
def test_phi_of_two_weighted_classes():
    from theory.models import GaussianMixture
    from theory.speciation import phi

    models = [GaussianMixture.symmetric(64, mu_tilde=0.5, weight=0.8),
              GaussianMixture([[1.5, 0.0], [-0.5, 1.0]], [0.35, 0.65], [1.0, 0.5])]
    for model in models:
        ci = cloning_integrand(model)
        f = mp_fn(ci.phi_integrand, (ci.y,))
        r_t = mp_fn(ci.signal_to_noise, (S.t,))
        w0 = float(model.weights[0])
        for tt in (0.3, 1.2, 2.4):
            with mp.workdps(20):
                r = r_t(mp.mpf(tt))
                total = 0
                for wk, sign in ((w0, 1), (1 - w0, -1)):
                    m = sign * r
                    pts = sorted({-mp.inf, m - 8 * mp.sqrt(r), -2, 0, 2, m, m + 8 * mp.sqrt(r), mp.inf})
                    total += wk * mp.quad(lambda x, m=m, r=r, f=f: f(x) * mp.npdf(x, m, mp.sqrt(r)),
                                          pts)
            close(phi(tt, model), float(total), rtol=1e-10)


@checks("collapse.class_information")
def test_class_information_of_two_weighted_classes():
    """I(k; x_t) = H(w) - sum_k w_k E_{y ~ N(+-r, r)} H(P(.|y)), the entropy integrand derived with
    the weight shift a = 1/2 log(w_0/w_1)."""
    from theory.collapse import class_information
    from theory.models import GaussianMixture

    model = GaussianMixture.symmetric(64, mu_tilde=0.5, weight=0.8)
    ci = cloning_integrand(model)
    f = mp_fn(ci.entropy_integrand, (ci.y,))
    r_t = mp_fn(ci.signal_to_noise, (S.t,))
    w = (0.8, 0.2)
    for tt in (0.4, 1.5, 3.0):
        with mp.workdps(20):
            r = r_t(mp.mpf(tt))
            h = -sum(mp.mpf(wk) * mp.log(wk) for wk in w)
            for wk, sign in ((w[0], 1), (w[1], -1)):
                m = sign * r
                pts = sorted({-mp.inf, m - 8 * mp.sqrt(r), -2, 0, 2, m, m + 8 * mp.sqrt(r), mp.inf})
                h -= wk * mp.quad(lambda x, m=m, r=r: f(x) * mp.npdf(x, m, mp.sqrt(r)), pts)
        close(class_information(tt, model), float(h), rtol=1e-9, atol=1e-13)


# --- the REM ------------------------------------------------------------------------------------

@checks("rem.lambda_star", "rem.rate_function")
def test_rem_legendre_pair():
    from theory.gaussian_mixture import rate_function, rem_lambda

    rem = rem_collapse()
    g = grid(25, e=(0.05, 3.0), t=(0.05, 6.0), s=(0.2, 3.0))
    args = (S.eps, S.t, S.sigma)
    cols = (g["e"], g["t"], g["s"])
    close(rem_lambda(g["e"], g["t"], g["s"]), ref_values(rem.lambda_star, args, cols), rtol=1e-11)
    close(rate_function(g["e"], g["t"], g["s"]), ref_values(rem.rate_function, args, cols),
          rtol=1e-10, atol=1e-13)


@checks("rem.annealed_free_entropy", "rem.free_entropy")
def test_rem_free_entropies():
    from theory.gaussian_mixture import annealed_free_entropy, rem_free_entropy

    rem = rem_collapse()
    g = grid(25, t=(0.05, 6.0), a=(0.001, 1.0), s=(0.2, 3.0))
    args, cols = (S.t, S.sigma, S.alpha), (g["t"], g["s"], g["a"])
    close(annealed_free_entropy(g["t"], g["a"], g["s"]), ref_values(rem.annealed_free_entropy, args,
                                                                    cols))
    close(rem_free_entropy(g["t"], g["a"], g["s"]), ref_values(rem.free_entropy, args, cols))


def _condensation_root(rem, alpha_value: float) -> float:
    f = mp_fn(rem.rate_at_half, (S.t,))
    with mp.workdps(30):
        # in u = log t: the condensation function is monotone and smooth there
        root = mp.exp(mp.findroot(lambda u: f(mp.exp(u)) - alpha_value, (mp.mpf(-12), mp.mpf(3)),
                                  solver="illinois"))
    return float(root)


@checks("collapse.model_time", "collapse.spectrum_condensation")
def test_collapse_time_of_models_and_spectra():
    from theory.collapse import collapse_time as numeric_collapse_time
    from theory.collapse import collapse_time_from_spectrum
    from theory.models import Gaussian, GaussianMixture

    iso = GaussianMixture.symmetric(128, sigma=1.3)
    expr = collapse_time(iso)
    for n in (100, 20000, 1e9):
        a = np.log(n) / 128
        close(numeric_collapse_time(iso, n), ref_values(expr, (S.alpha,), ([a],))[0])
    diag = GaussianMixture([[1.0, 0.0, 0.0, 0.0], [-1.0, 0.0, 0.0, 0.0]], covariance=[2.0, 2.0, 0.5, 0.1])
    rem = spectrum_rem(diag)
    assert len(rem.groups) == 3
    for n in (5, 40):
        close(numeric_collapse_time(diag, n), _condensation_root(rem, np.log(n) / 4), rtol=1e-10)
    spec = [3.0, 1.0, 1.0, 0.2, 0.2, 0.2]
    rem = spectrum_rem(Gaussian(spec))
    for n in (10, 300):
        close(collapse_time_from_spectrum(spec, n), _condensation_root(rem, np.log(n) / 6), rtol=1e-10)


@checks("collapse.spectrum_excess_entropy")
def test_excess_entropy_of_a_spectrum():
    from theory.collapse import excess_entropy_from_spectrum
    from theory.models import Gaussian

    spec = [3.0, 1.0, 1.0, 0.2, 0.2, 0.2]
    rem = spectrum_rem(Gaussian(spec))
    t = np.linspace(0.05, 4.0, 15)
    a = np.log(300) / 6
    ref = ref_values(rem.excess_entropy, (S.t, S.alpha), (t, np.full_like(t, a)))
    close(excess_entropy_from_spectrum(t, spec, 300), ref, atol=1e-15)


# --- losing dimensions ----------------------------------------------------------------------------

@checks("manifold.energy_variances", "manifold.collapse_times", "manifold.norm_collapse_time",
        "manifold.log_critical_sizes", "manifold.critical_alphas", "manifold.rem_retention")
@pytest.mark.parametrize("normalized", [True, False])
def test_manifold_block_thresholds(normalized):
    import theory.manifold as tm

    stds, dims = np.array([1.0, 0.3, 0.1]), np.array([2, 5, 23])
    rem = manifold_block_rem(SymbolicManifold(dims.tolist(), (stds**2).tolist(), int(dims.sum()),
                                              on_sphere=normalized))
    tv, L = rem.t_ve, rem.log_n
    ts = np.geomspace(0.01, 5.0, 9)
    for time, tarr in (("ve_variance", ts), ("ou", 0.5 * np.log1p(ts))):
        ev = tm.energy_variances(stds, dims, tarr, normalized=normalized, time=time)
        sizes = tm.log_critical_sizes(stds, dims, tarr, normalized=normalized, time=time)
        alphas = tm.critical_alphas(stds, dims, tarr, normalized=normalized, time=time)
        ret = tm.rem_retention(stds, dims, 1000, tarr, normalized=normalized, time=time)
        for k in range(3):
            close(ev[:, k], ref_values(rem.energy_variances[k], (tv,), (ts,)))
            close(sizes[:, k], ref_values(rem.log_critical_sizes[k], (tv,), (ts,)))
            close(alphas[:, k], ref_values(rem.critical_alphas[k], (tv,), (ts,)))
            close(ret[:, k], ref_values(rem.retentions[k], (tv, L), (ts, np.full_like(ts, np.log(1000)))))
    ns = np.array([10.0, 1000.0, 1e6])
    # the derived thresholds use the block variances as given (effective=False); the default of
    # collapse_times on the sphere uses the effective variances of the normalized data
    tc = tm.collapse_times(stds, dims, ns, normalized=normalized, effective=False, time="ve_variance")
    tc_ou = tm.collapse_times(stds, dims, ns, normalized=normalized, effective=False, time="ou")
    for k in range(3):
        close(tc[:, k], ref_values(rem.critical_times[k], (L,), (np.log(ns),)))
        close(tc_ou[:, k], ref_values(rem.critical_times_ou[k], (L,), (np.log(ns),)))
    if not normalized:
        close(tm.norm_collapse_time(stds, dims, ns, time="ve_variance"),
              ref_values(rem.norm_critical_time, (L,), (np.log(ns),)))


@checks("manifold.subspace_collapse_times")
def test_subspace_extension():
    from theory.manifold import subspace_collapse_times

    sr = subspace_rem()
    psi, var = np.array([0.1, 0.3, 0.6]), np.array([2.0, 0.5, 0.05])
    alphas = np.array([0.01, 0.2, 1.5])
    got = subspace_collapse_times(psi, var, alphas)
    for k in range(3):
        ref = ref_values(sr.critical_time_ou, (sr.psi, sr.sigma_k, sr.alpha),
                         (np.full(3, psi[k]), np.full(3, np.sqrt(var[k])), alphas))
        close(got[:, k], ref)


@checks("manifold.global_collapse_time")
def test_global_collapse_time_of_a_manifold():
    from theory.manifold import global_collapse_time

    stds, dims = np.array([1.0, 0.3]), np.array([3, 9])
    rem = spectrum_rem(groups=[(sp.Rational(3, 12), 1), (sp.Rational(9, 12), sp.Rational(9, 100))])
    for n in (20, 500):
        close(global_collapse_time(stds, dims, n), _condensation_root(rem, np.log(n) / 12), rtol=1e-10)


# --- spectral gaps -----------------------------------------------------------------------------

@checks("spectral.normalized_jacobian", "spectral.marchenko_pastur_edges",
        "spectral.marchenko_pastur_density")
def test_marchenko_pastur_and_normalized_jacobian():
    from theory.spectral import bulk_edges, density, jacobian_edges

    mpd, lms = marchenko_pastur(), linear_manifold_score()
    for f, v in ((0.25, 1.0), (0.6, 0.3)):
        edges = bulk_edges([f], [v])
        ref = [float(sp.N(e.subs({mpd.f: sp.Rational(f), mpd.v: sp.Rational(v)}), 30))
               for e in mpd.edges]
        close(edges, ref)
        lam = np.linspace(ref[0], ref[1], 9)[1:-1]
        dens = ref_values(mpd.density.subs({mpd.f: sp.Rational(f), mpd.v: sp.Rational(v)}),
                          (mpd.lam,), (lam,))
        close(density(lam, [f], [v]), dens, rtol=1e-9)
        t = np.array([0.05, 0.7, 2.0])
        s = np.expm1(2 * t)
        for j, e in enumerate(edges[::-1]):
            ref_mu = ref_values(lms.normalized_s, (lms.s, lms.lam), (s, np.full_like(s, e)))
            close(jacobian_edges(t, [f], [v])[:, j], ref_mu)


@checks("spectral.stieltjes_coefficients", "spectral.edge_coefficients")
@pytest.mark.parametrize("K", [1, 2, 3, 4])
def test_stieltjes_coefficients(K):
    from theory._stieltjes import edge_coefficients, self_consistent_coefficients

    sp_k = stieltjes_polynomial(K)
    rng = np.random.default_rng(SEED + K)
    f = rng.uniform(0.05, 0.9 / K, K)
    v = np.sort(rng.uniform(0.01, 3.0, K))
    for zv in (0.3, 2.7):
        subs = {**{a: sp.Rational(x) for a, x in zip(sp_k.fractions, f, strict=True)},
                **{a: sp.Rational(x) for a, x in zip(sp_k.variances, v, strict=True)},
                sp_k.z: sp.Rational(zv)}
        a, c = self_consistent_coefficients(f, v)
        close(np.pad(a, (0, 1)) - zv * c, [float(ci.subs(subs)) for ci in sp_k.coefficients],
              atol=1e-14)
        close(edge_coefficients(f, v), [float(ci.subs(subs)) for ci in sp_k.edge_coefficients],
              atol=1e-14)


@checks("spectral.intermediate_gap", "spectral.manifold_gap")
def test_spectral_gaps():
    from theory.spectral import intermediate_gaps, manifold_gap

    gd = gap_derivation()
    f, v, thr = [0.1, 0.3], [0.01, 1.0], 0.1
    (gap,) = intermediate_gaps(f, v, threshold=thr)
    at = {gd.a: gap.a, gd.b: gap.b, gd.threshold: thr}
    close(gap.height, float(gd.height.subs(at)))
    close(gap.s_max, float(gd.s_max.subs(at)))
    close(gap.s_open, float(gd.s_open.subs(at)))
    close(gap.s_close, float(gd.s_close.subs(at)))
    mg = manifold_gap(f, v, threshold=thr)
    at = {gd.gamma: mg.edge, gd.threshold: thr}
    close(mg.s_open, float(gd.manifold_open.subs(at)))
    close(mg.s_consolidated, float(gd.manifold_consolidated.subs(at)))


@checks("spectral.empirical_jacobian")
def test_empirical_jacobian():
    from validation.jacobian import empirical_score_jacobian as numeric_jacobian

    der = empirical_score_jacobian(3, 2)
    rng = np.random.default_rng(SEED)
    pts, x = rng.standard_normal((3, 2)), rng.standard_normal(2) * 0.7
    for t in (0.2, 1.1):
        e, delta = np.exp(-t), -np.expm1(-2 * t)
        q = -np.sum((x - e * pts) ** 2, axis=1) / (2 * delta)
        u = np.exp(q - q.max())
        subs = {der.E: e, der.Delta: delta}
        subs.update({s: float(val) for s, val in zip(der.x, x, strict=True)})
        for m, a in enumerate(der.points):
            subs.update({s: float(val) for s, val in zip(a, pts[m], strict=True)})
        subs.update({um: float(val) for um, val in zip(der.u, u, strict=True)})
        ref = np.array(der.jacobian_closed_form.subs(subs).evalf(30), dtype=float)
        close(numeric_jacobian(x[None, :], t, pts)[0], ref, rtol=1e-9, atol=1e-11)


def test_regime_one_noise_is_two_mu_squared():
    """Not a numeric function: the derivation's own check that m.dxi/sqrt(d) has variance 2 mu~^2."""
    assert sp.simplify(regime_one_potential().noise_variance - 2 * S.mu_tilde**2) == 0
