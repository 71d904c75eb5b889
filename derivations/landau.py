r"""Speciation: the Landau (cumulant) expansion of :math:`\log P_t` and the regime-I potential.

Two derivations:

* :func:`landau_expansion` expands :math:`\log P_t(x)` around :math:`x = 0` for any data law,
  finds where the quadratic form becomes unstable, and specialises to the Gaussian mixture, where
  the exact Hessian is available from :func:`derivations.gm_score`.
* :func:`regime_one_potential` derives the drift of :math:`q = m\cdot x/\sqrt d` from the exact
  mixture score, its potential :math:`V(q,t)`, and the time :math:`t^*` where the curvature of
  :math:`V` at :math:`q = 0` changes sign.

Examples
--------
>>> from derivations.landau import regime_one_potential
>>> regime_one_potential().t_star
log(2*d*mu_tilde**2)/2
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S
from .gaussian_mixture_score import gm_score

__all__ = ["LandauExpansion", "landau_expansion", "RegimeOnePotential", "regime_one_potential"]


@dataclass(frozen=True)
class LandauExpansion:
    r"""Second-order (Landau) expansion of :math:`\log P_t(x)` around :math:`x = 0`.

    Attributes
    ----------
    t, s, x_sq, Lambda : sympy.Symbol
        Time, bookkeeping parameter (:math:`x \to s x`), :math:`|x|^2`, top eigenvalue of the
        data covariance.
    mean_proj, second_proj : sympy.Symbol
        Tilted moments :math:`\langle x\cdot a\rangle` and :math:`\langle (x\cdot a)^2\rangle`.
    c : sympy.Symbol
        Tilted variance along a unit direction :math:`u`, :math:`u^T \tilde C u`.
    d, mu_tilde, sigma : sympy.Symbol
        Gaussian-mixture parameters.
    log_mgf_series : sympy.Expr
        :math:`\log\langle e^{s\, x\cdot a\, e^{-t}/\Delta_t}\rangle` through order :math:`s^2`.
    linear_coefficient : sympy.Expr
        Coefficient of :math:`s`: :math:`(e^{-t}/\Delta_t)\langle x\cdot a\rangle`.
    quadratic_coefficient : sympy.Expr
        Coefficient of :math:`s^2` in :math:`\log P_t(s x)`.
    m_direction : sympy.Expr
        :math:`u^T M u = 1 - (e^{-2t}/\Delta_t)\, c`.
    m_eigenvalue : sympy.Expr
        Lowest eigenvalue of :math:`M` with :math:`\tilde C \approx C_0`:
        :math:`1 - e^{-2t}\Lambda/\Delta_t`.
    t_consistent : sympy.Expr
        Its zero, :math:`\tfrac12\log(\Lambda + 1)`.
    m_si_eigenvalue : sympy.Expr
        Lowest eigenvalue of the SI's printed :math:`M_{SI} = I - e^{-2t} C_0`:
        :math:`1 - e^{-2t}\Lambda`.
    t_si : sympy.Expr
        Its zero, :math:`\tfrac12\log\Lambda` (the paper's convention :math:`t_S`).
    gm_hessian_parallel, gm_hessian_orthogonal : sympy.Expr
        Exact Hessian eigenvalues of :math:`\log P_t` at :math:`x = 0` for the mixture, along
        :math:`m` and orthogonal to it (from :func:`derivations.gm_score`).
    gm_t_hessian : sympy.Expr
        Zero of ``gm_hessian_parallel``: :math:`\tfrac12\log(d\tilde\mu^2 + 1 - \sigma^2)`.
    gm_tilted_variance_parallel, gm_tilted_variance_orthogonal : sympy.Expr
        Exact tilted variances :math:`\tilde C` of the mixture along and across :math:`m`.
    gm_hessian_parallel_landau : sympy.Expr
        :math:`-(1/\Delta_t)\,u^T M u` with the exact tilted variance; equals
        ``gm_hessian_parallel``.
    gm_Lambda : sympy.Expr
        Top covariance eigenvalue of the mixture, :math:`d\tilde\mu^2 + \sigma^2`.
    gm_t_paper : sympy.Expr
        :math:`\tfrac12\log(d\tilde\mu^2)`, the paper's GM speciation time (``gm_t_hessian`` at
        :math:`\sigma = 1`).
    gm_t_lambda, gm_t_lambda_plus_one : sympy.Expr
        :math:`\tfrac12\log\Lambda` and :math:`\tfrac12\log(\Lambda + 1)` at
        :math:`\Lambda = d\tilde\mu^2 + \sigma^2`.

    Notes
    -----
    .. math::
        \log P_t(x) = C + \frac{e^{-t}}{\Delta_t}\, x\cdot\langle a\rangle
                      - \frac{1}{2\Delta_t}\, x^T M x + O(x^3), \qquad
        M = I - \frac{e^{-2t}}{\Delta_t}\tilde C,

    where :math:`\tilde C` is the covariance under :math:`P_0(a)\,e^{-|a|^2 e^{-2t}/(2\Delta_t)}`.
    The SI prints :math:`M_{ij} = \delta_{ij} - e^{-2t}\tilde C_{ij}` (no :math:`1/\Delta_t`) and
    speaks of the "largest" eigenvalue crossing zero; both are misprints (lowest eigenvalue;
    factor :math:`1/\Delta_t`), flagged in docs/theory/dynamical-regimes.md (section 2.1 caveat, section 5).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), eq. 4 (``crit-spec``), SI App. A (Landau expansion) and SI App. B.1
    (GM spectral estimate); docs/theory/dynamical-regimes.md sections 2.1-2.2.
    """

    t: sp.Symbol
    s: sp.Symbol
    x_sq: sp.Symbol
    Lambda: sp.Symbol
    mean_proj: sp.Symbol
    second_proj: sp.Symbol
    c: sp.Symbol
    d: sp.Symbol
    mu_tilde: sp.Symbol
    sigma: sp.Symbol
    log_mgf_series: sp.Expr
    linear_coefficient: sp.Expr
    quadratic_coefficient: sp.Expr
    m_direction: sp.Expr
    m_eigenvalue: sp.Expr
    t_consistent: sp.Expr
    m_si_eigenvalue: sp.Expr
    t_si: sp.Expr
    gm_hessian_parallel: sp.Expr
    gm_hessian_orthogonal: sp.Expr
    gm_t_hessian: sp.Expr
    gm_tilted_variance_parallel: sp.Expr
    gm_tilted_variance_orthogonal: sp.Expr
    gm_hessian_parallel_landau: sp.Expr
    gm_Lambda: sp.Expr
    gm_t_paper: sp.Expr
    gm_t_lambda: sp.Expr
    gm_t_lambda_plus_one: sp.Expr


def _gm_tilted_variance(mean: sp.Expr) -> sp.Expr:
    r"""Variance along one coordinate of the tilted law of a symmetric pair of Gaussians.

    Each component :math:`N(\pm\mu, \sigma^2)` is multiplied by
    :math:`e^{-E^2 a^2/(2\Delta)}`; both keep the same weight (the weight depends on
    :math:`\mu^2`), so the tilted mixture has mean 0 and variance equal to the tilted second
    moment of one component.
    """
    a = sp.Symbol("a", real=True)
    tilt = sp.exp(-S.E**2 * a**2 / (2 * S.Delta))
    weight = S.gaussian_expectation(tilt, a, mean, S.sigma**2)
    second = S.gaussian_expectation(a**2 * tilt, a, mean, S.sigma**2)
    return sp.simplify(second / weight)


@functools.cache
def landau_expansion() -> LandauExpansion:
    r"""Derive the Landau expansion of :math:`\log P_t(x)` at :math:`x = 0` and its zero crossings.

    Returns
    -------
    LandauExpansion
        Derived once per process (cached).

    Notes
    -----
    Completing the square in :math:`|x - a e^{-t}|^2` gives

    .. math::
        \log P_t(x) = C - \frac{|x|^2}{2\Delta_t}
        + \log\Big\langle \exp\Big(\frac{e^{-t}}{\Delta_t}\,x\cdot a\Big)\Big\rangle_{\tilde P},
        \qquad \tilde P(a) \propto P_0(a)\, e^{-|a|^2 e^{-2t}/(2\Delta_t)}.

    Scaling :math:`x \to s x` and expanding the log-moment generating function of the scalar
    :math:`Y = x\cdot a` to order :math:`s^2` (sympy ``series``) gives the cumulants
    :math:`\langle Y\rangle` and :math:`\langle Y^2\rangle - \langle Y\rangle^2 = x^T\tilde C x`,
    hence :math:`M = I - (e^{-2t}/\Delta_t)\tilde C`.  Its lowest eigenvalue, with
    :math:`\tilde C \approx C_0` (top eigenvalue :math:`\Lambda`), vanishes when
    :math:`\Lambda e^{-2t} = \Delta_t`:

    .. math:: t = \tfrac12\log(\Lambda + 1).

    The SI's printed :math:`M_{SI} = I - e^{-2t} C_0` (a misprint: the factor :math:`1/\Delta_t`
    is missing) vanishes at :math:`t = \tfrac12\log\Lambda`, the paper's convention :math:`t_S`.

    For the Gaussian mixture the Hessian of :math:`\log P_t` at 0 is exact (from
    :func:`derivations.gm_score`):

    .. math::
        \partial^2 \log P_t\big|_{x=0} = -\frac{I}{\Gamma_t}
        + \frac{e^{-2t}}{\Gamma_t^2}\, m m^T,

    unstable along :math:`m` for :math:`t < \tfrac12\log(d\tilde\mu^2 + 1 - \sigma^2)`, which is
    :math:`\tfrac12\log(d\tilde\mu^2)` at :math:`\sigma = 1`.  The same Hessian follows from the
    Landau form with the *exact* tilted covariance (variance
    :math:`|m|^2\Delta_t^2/\Gamma_t^2 + \sigma^2\Delta_t/\Gamma_t` along :math:`m`), so the
    expansion is exact at second order; the readings :math:`\tfrac12\log\Lambda` and
    :math:`\tfrac12\log(\Lambda+1)` with :math:`\Lambda = d\tilde\mu^2 + \sigma^2` differ from it by
    :math:`O(1/d)`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), eq. 4 (``crit-spec``), eq. 11, SI App. A (Landau expansion; printed
    :math:`M` corrected) and SI App. B.1; docs/theory/dynamical-regimes.md sections 2.1-2.2.
    """
    E, Delta, t = S.E, S.Delta, S.t
    mean_proj, second_proj, third_proj = sp.symbols("mean_proj second_proj third_proj",
                                                    real=True)
    c_dir = sp.Symbol("c", positive=True)

    # log-mgf of Y = x.a under the tilted law, x -> s x, through s^2.
    k = E / Delta
    mgf = 1 + S.s * k * mean_proj + (S.s * k) ** 2 * second_proj / 2 \
        + (S.s * k) ** 3 * third_proj / 6
    log_mgf = sp.series(sp.log(mgf), S.s, 0, 3).removeO()
    log_p = -S.s**2 * S.x_sq / (2 * Delta) + log_mgf
    linear = sp.simplify(log_p.coeff(S.s, 1))
    quadratic = sp.simplify(log_p.coeff(S.s, 2))

    # u^T M u along a unit direction u: quadratic = -(1/(2 Delta)) u^T M u.
    m_dir = sp.simplify(-2 * Delta * quadratic.subs({S.x_sq: 1,
                                                     second_proj: c_dir + mean_proj**2}))
    m_eig = S.to_time(m_dir.subs(c_dir, S.Lambda))
    t_consistent = S.solve_time(m_eig, {S.Lambda: 3.0})
    m_si = S.to_time(1 - E**2 * S.Lambda)
    t_si = S.solve_time(m_si, {S.Lambda: 3.0})

    # Gaussian mixture: exact Hessian at x = 0 from the derived log-density.
    gm = gm_score()
    at_zero = {gm.x_sq: 0, gm.h: 0}
    f_x = sp.diff(gm.log_density, gm.x_sq).subs(at_zero)
    f_hh = sp.diff(gm.log_density, gm.h, 2).subs(at_zero)
    m_sq_gm = S.d * S.mu_tilde**2
    hess_par = sp.simplify(2 * f_x + m_sq_gm * f_hh)
    hess_orth = sp.simplify(2 * f_x)
    gm_point = {S.d: 64.0, S.mu_tilde: 1.0, S.sigma: 1.5}
    gm_t_hessian = S.solve_time(hess_par, gm_point)

    # Same Hessian from the Landau form with the exact tilted covariance.
    var_par = _gm_tilted_variance(S.mu_tilde * sp.sqrt(S.d))
    var_orth = _gm_tilted_variance(sp.S.Zero)
    hess_landau = -m_dir.subs(c_dir, var_par) / Delta
    gm_lambda = sp.simplify(var_par.subs(E, 0))

    return LandauExpansion(
        t=t, s=S.s, x_sq=S.x_sq, Lambda=S.Lambda, mean_proj=mean_proj, second_proj=second_proj,
        c=c_dir, d=S.d, mu_tilde=S.mu_tilde, sigma=S.sigma,
        log_mgf_series=S.to_time(sp.expand(log_mgf)),
        linear_coefficient=S.to_time(linear),
        quadratic_coefficient=S.to_time(quadratic),
        m_direction=S.to_time(m_dir),
        m_eigenvalue=m_eig,
        t_consistent=t_consistent,
        m_si_eigenvalue=m_si,
        t_si=t_si,
        gm_hessian_parallel=hess_par,
        gm_hessian_orthogonal=hess_orth,
        gm_t_hessian=gm_t_hessian,
        gm_tilted_variance_parallel=S.to_time(var_par),
        gm_tilted_variance_orthogonal=S.to_time(var_orth),
        gm_hessian_parallel_landau=S.to_time(hess_landau),
        gm_Lambda=gm_lambda,
        gm_t_paper=gm_t_hessian.subs(S.sigma, 1),
        gm_t_lambda=t_si.subs(S.Lambda, gm_lambda),
        gm_t_lambda_plus_one=t_consistent.subs(S.Lambda, gm_lambda),
    )


@dataclass(frozen=True)
class RegimeOnePotential:
    r"""Regime-I dynamics of :math:`q = m\cdot x/\sqrt d` and its potential :math:`V(q,t)`.

    Attributes
    ----------
    q, t, d, mu_tilde, sigma : sympy.Symbol
        Order parameter, time, dimension, mixture mean per coordinate, component standard
        deviation (``sigma`` enters only ``drift_exact``).
    theta : sympy.Symbol
        Scaling variable :math:`\theta = \sqrt d\, e^{-t}`, held fixed as :math:`d \to \infty`.
    drift_exact : sympy.Expr
        Exact drift of the backward SDE projected on :math:`m/\sqrt d` (any d, any sigma).
    drift : sympy.Expr
        Its large-d limit at fixed :math:`\theta`:
        :math:`-q + 2\tilde\mu^2\sqrt d e^{-t}\tanh(q\sqrt d e^{-t})`.
    potential : sympy.Expr
        :math:`V(q,t)` with :math:`-\partial_q V = ` ``drift`` and :math:`V(0,t) = 0`.
    curvature : sympy.Expr
        :math:`\partial_q^2 V(0,t) = 1 - 2 d\tilde\mu^2 e^{-2t}`.
    t_star : sympy.Expr
        Zero of the curvature, :math:`\tfrac12\log(2d\tilde\mu^2)`.
    noise_variance : sympy.Expr
        Variance rate of the noise on :math:`q`: :math:`2\tilde\mu^2` (i.e.
        :math:`2\tilde\mu^2\,dt`).

    Notes
    -----
    .. math::
        -dq = -\partial_q V(q,t)\,dt + d\eta, \qquad
        V(q,t) = \tfrac12 q^2 - 2\tilde\mu^2\log\cosh\big(q e^{-t}\sqrt d\big).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), eqs. 7-8 (``eq:qt``) and SI App. B.2; docs/theory/dynamical-regimes.md section
    2.3.
    """

    q: sp.Symbol
    t: sp.Symbol
    d: sp.Symbol
    mu_tilde: sp.Symbol
    sigma: sp.Symbol
    theta: sp.Symbol
    drift_exact: sp.Expr
    drift: sp.Expr
    potential: sp.Expr
    curvature: sp.Expr
    t_star: sp.Expr
    noise_variance: sp.Expr


@functools.cache
def regime_one_potential() -> RegimeOnePotential:
    r"""Derive the regime-I potential :math:`V(q,t)` from the exact mixture score, and :math:`t^*`.

    Returns
    -------
    RegimeOnePotential
        Derived once per process (cached).

    Notes
    -----
    Project the backward SDE :math:`-dx = [x + 2S(x,t)]dt + d\xi` on :math:`m/\sqrt d`, with the
    score of :func:`derivations.gm_score`, :math:`h = x\cdot m = q\sqrt d` and
    :math:`|m|^2 = d\tilde\mu^2`:

    .. math::
        -dq = \Big[q - \frac{2q}{\Gamma_t} + \frac{2\tilde\mu^2\sqrt d e^{-t}}{\Gamma_t}
        \tanh\Big(\frac{q\sqrt d e^{-t}}{\Gamma_t}\Big)\Big]dt + \frac{m\cdot d\xi}{\sqrt d}.

    Regime I is :math:`t = \tfrac12\log d + O(1)`, i.e. :math:`\theta = \sqrt d e^{-t} = O(1)`;
    there :math:`\Gamma_t = 1 + (\sigma^2 - 1)\theta^2/d \to 1` and sympy's limit
    :math:`d\to\infty` at fixed :math:`\theta` gives the drift :math:`-\partial_q V` with

    .. math:: V(q,t) = \tfrac12 q^2 - 2\tilde\mu^2\log\cosh\big(q e^{-t}\sqrt d\big),

    checked by differentiation (:math:`\partial_q V = -` drift, :math:`V(0) = 0`).  The curvature
    :math:`\partial_q^2 V(0,t) = 1 - 2d\tilde\mu^2 e^{-2t}` vanishes at

    .. math:: t^* = \tfrac12\log(2 d\tilde\mu^2).

    Corrections to the SI text (docs/theory/dynamical-regimes.md section 2.3 and section 5): the scaling
    variable printed "e^{-sqrt t} d" is a misprint for :math:`\sqrt d\, e^{-t}`; the noise :math:`m\cdot
    d\xi/\sqrt d` has variance :math:`\sum_i m_i^2/d \cdot 2\,dt = 2\tilde\mu^2\,dt`, so "sqrt 2 times a
    Brownian motion" holds only for :math:`\tilde\mu = 1`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), eqs. 7-8 (``eq:qt``), SI App. B.2 (scaling variable and noise
    corrected); docs/theory/dynamical-regimes.md section 2.3.
    """
    gm = gm_score()
    q, t, d, mu = S.q, S.t, S.d, S.mu_tilde
    theta = sp.Symbol("theta", positive=True)

    score_along_m = (gm.coef_x * q + gm.coef_m * gm.m_sq / sp.sqrt(d)).subs(
        {gm.h: q * sp.sqrt(d), gm.m_sq: d * mu**2})
    drift_exact = q + 2 * score_along_m
    scaled = drift_exact.subs(t, sp.log(sp.sqrt(d) / theta))
    drift = sp.limit(scaled, d, sp.oo).subs(theta, sp.sqrt(d) * sp.exp(-t))

    potential = q**2 / 2 - 2 * mu**2 * sp.log(sp.cosh(q * sp.exp(-t) * sp.sqrt(d)))
    if sp.simplify(sp.diff(potential, q) + drift) != 0 or potential.subs(q, 0) != 0:
        raise RuntimeError("V(q, t) is not the potential of the regime-I drift")

    curvature = sp.simplify(sp.diff(potential, q, 2).subs(q, 0))
    t_star = S.solve_time(curvature, {d: 64.0, mu: 1.0})
    noise_variance = sp.simplify((2 * gm.m_sq / d).subs(gm.m_sq, d * mu**2))

    return RegimeOnePotential(q=q, t=t, d=d, mu_tilde=mu, sigma=S.sigma, theta=theta,
                              drift_exact=drift_exact,
                              drift=drift, potential=potential, curvature=curvature,
                              t_star=t_star, noise_variance=noise_variance)
