r"""Collapse of the Gaussian mixture: the random-energy-model (REM) computation.

Write :math:`x = a^1 e^{-t} + \sqrt{\Delta_t}\, z` for a point generated from the training point
:math:`a^1`.  The other points of the same cluster give the energy levels
:math:`E^\mu = |x - a^\mu e^{-t}|^2/(2\Delta_t)`, i.e. a REM whose level statistics are set by the
cumulant generating function :math:`g_t(\lambda)`; its Legendre transform is the rate function
(log-density of levels) :math:`f_t(\varepsilon)`, and condensation onto :math:`a^1` (collapse)
happens when :math:`\alpha = f_t(1/2)`.

Examples
--------
Eq. 10, derived from the REM as a function of alpha and of (d, n):

>>> from derivations.rem import rem_collapse
>>> r = rem_collapse()
>>> r.collapse_time_n
log((n**(2/d) + sigma**2 - 1)/(n**(2/d) - 1))/2
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S

__all__ = ["REMCollapse", "rem_collapse"]


@dataclass(frozen=True)
class REMCollapse:
    r"""Symbolic REM description of the Gaussian-mixture collapse.

    Attributes
    ----------
    t, sigma, lam, eps, alpha, n, d, c : sympy.Symbol
        Time, component standard deviation, conjugate variable :math:`\lambda`, energy density
        :math:`\varepsilon`, :math:`\alpha = \log(n)/d`, number of points, dimension, centred
        coordinate :math:`c = x_i - m_i e^{-t}`.
    coordinate_mgf : sympy.Expr
        :math:`E_\zeta\, e^{-\lambda (c - \sigma_t\zeta)^2/(2\Delta_t)}`,
        :math:`\zeta \sim N(0,1)`, as a function of ``lam, c, t, sigma``.
    typical_c_sq : sympy.Expr
        Typical value of :math:`c^2`: :math:`\sigma_t^2 + \Delta_t`.
    cgf : sympy.Expr
        :math:`g_t(\lambda)`.
    energy : sympy.Expr
        :math:`\varepsilon^*(\lambda) = -g_t'(\lambda)`.
    lambda_star : sympy.Expr
        :math:`\lambda^*(\varepsilon)`, the inverse of ``energy``.
    rate_function : sympy.Expr
        :math:`f_t(\varepsilon) = -\lambda^*\varepsilon - g_t(\lambda^*)` (derived Legendre
        transform).
    rate_function_closed_form : sympy.Expr
        The corrected closed form of docs/theory/dynamical-regimes.md (see :func:`rem_collapse`).
    rate_at_half : sympy.Expr
        :math:`f_t(1/2) = -\tfrac12\log(\Delta_t/\Gamma_t)`, simplified by sympy.
    annealed_free_entropy : sympy.Expr
        :math:`\psi_+^{ann} = \alpha + g_t(1)
        = \alpha + \tfrac12\log(\Delta_t/\Gamma_t) - \tfrac12`.
    free_entropy : sympy.Expr
        :math:`\psi_+ = \max(-\tfrac12, \psi_+^{ann})`: annealed at large t, frozen at
        :math:`-\tfrac12` below :math:`t_C`.
    collapse_time : sympy.Expr
        :math:`t_C(\alpha, \sigma)`, the root of :math:`\alpha = f_t(1/2)`.
    collapse_time_n : sympy.Expr
        :math:`t_C(n, d, \sigma)`.
    excess_entropy : sympy.Expr
        :math:`f^e(t) = \max(0, \alpha - f_t(1/2))
        = \max(0, \alpha + \tfrac12\log(\Delta_t/\Gamma_t))`.

    Notes
    -----
    .. math::
        g_t(\lambda) = \tfrac12\log\frac{\Delta_t}{\Delta_t + \lambda\sigma_t^2}
                     - \frac{\lambda(\Delta_t + \sigma_t^2)}{2(\Delta_t + \lambda\sigma_t^2)},
        \qquad
        t_C = \tfrac12\log\Big(1 + \frac{\sigma^2}{n^{2/d} - 1}\Big).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), SI App. C (``fdef`` corrected) and eq. 10 (``tc_GM``);
    docs/theory/dynamical-regimes.md section 3.2.
    """

    t: sp.Symbol
    sigma: sp.Symbol
    lam: sp.Symbol
    eps: sp.Symbol
    alpha: sp.Symbol
    n: sp.Symbol
    d: sp.Symbol
    c: sp.Symbol
    coordinate_mgf: sp.Expr
    typical_c_sq: sp.Expr
    cgf: sp.Expr
    energy: sp.Expr
    lambda_star: sp.Expr
    rate_function: sp.Expr
    rate_function_closed_form: sp.Expr
    rate_at_half: sp.Expr
    annealed_free_entropy: sp.Expr
    free_entropy: sp.Expr
    collapse_time: sp.Expr
    collapse_time_n: sp.Expr
    excess_entropy: sp.Expr


def _cgf(delta: sp.Symbol, s2: sp.Symbol) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Per-coordinate mgf, typical c^2 and g(lambda), by Gaussian integration (stand-ins)."""
    lam_pos = sp.Symbol("lambda_pos", positive=True)
    zeta, zeta1, z = sp.symbols("zeta zeta_1 z", real=True)

    # E over a = m_i + sigma zeta of exp(-lambda (x_i - a e^{-t})^2 / (2 Delta)).
    boltzmann = sp.exp(-lam_pos * (S.c - sp.sqrt(s2) * zeta) ** 2 / (2 * delta))
    mgf = S.gaussian_expectation(boltzmann, zeta, 0, 1)
    log_mgf = sp.expand(sp.expand_log(sp.log(mgf), force=True))

    # Typical c^2: c = x_i - m_i e^{-t} = sigma_t zeta_1 + sqrt(Delta) z for x generated from a^1.
    c_gen = sp.sqrt(s2) * zeta1 + sp.sqrt(delta) * z
    typical = S.gaussian_expectation(S.gaussian_expectation(c_gen**2, zeta1, 0, 1), z, 0, 1)
    typical = sp.simplify(typical)

    poly = sp.Poly(log_mgf, S.c)
    if poly.degree() != 2 or poly.coeff_monomial(S.c) != 0:
        raise RuntimeError("log of the per-coordinate mgf is not even quadratic in c")
    g = sp.factor(poly.coeff_monomial(S.c**2) * typical) + poly.coeff_monomial(1)
    # Analytic continuation from lambda > 0 to the whole domain Delta + lambda sigma_t^2 > 0.
    g = g.subs(lam_pos, S.lam)
    return sp.simplify(mgf).subs(lam_pos, S.lam), typical, g


@functools.cache
def rem_collapse() -> REMCollapse:
    r"""Derive the REM large deviations of the Gaussian mixture and the collapse time.

    Returns
    -------
    REMCollapse
        Derived once per process (cached).

    Notes
    -----
    (i) *Cumulant generating function.*  Per coordinate, with :math:`a = m_i + \sigma\zeta`,
    :math:`c = x_i - m_i e^{-t}` and :math:`\sigma_t^2 = \sigma^2 e^{-2t}`, sympy integrates

    .. math::
        E_\zeta\, e^{-\lambda (c - \sigma_t\zeta)^2/(2\Delta_t)}
        = \sqrt{\frac{\Delta_t}{\Delta_t + \lambda\sigma_t^2}}\,
          e^{-\lambda c^2/(2(\Delta_t + \lambda\sigma_t^2))};

    the typical :math:`c^2` (also integrated: :math:`c = \sigma_t\zeta_1 + \sqrt{\Delta_t} z`) is
    :math:`\sigma_t^2 + \Delta_t`, whence

    .. math::
        g_t(\lambda) = \tfrac12\log\frac{\Delta_t}{\Delta_t + \lambda\sigma_t^2}
        - \frac{\lambda(\Delta_t + \sigma_t^2)}{2(\Delta_t + \lambda\sigma_t^2)},

    valid for :math:`\Delta_t + \lambda\sigma_t^2 > 0` (the integral, done for
    :math:`\lambda > 0`, continues analytically).

    (ii) The energy at which the tilted measure concentrates:

    .. math::
        \varepsilon^*(\lambda) = -g_t'(\lambda)
        = \frac{\Delta_t^2 + 2\Delta_t\sigma_t^2 + \lambda\sigma_t^4}
               {2(\Delta_t + \lambda\sigma_t^2)^2}.

    The SI prints :math:`\lambda\sigma_t^2` in the numerator; :math:`\lambda\sigma_t^4` is correct
    and gives :math:`\varepsilon^*(1) = 1/2`.

    (iii) :math:`\lambda^*(\varepsilon)` solves the quadratic
    :math:`\varepsilon^*(\lambda) = \varepsilon`;
    the root kept is the one with :math:`\Delta_t + \lambda\sigma_t^2 > 0` (the other has
    :math:`\Delta_t + \lambda\sigma_t^2 = (\sigma_t^2 - A)/(4\varepsilon) < 0`), the one through
    :math:`\lambda^*(1/2) = 1`.

    (iv) :math:`f_t(\varepsilon) = \sup_\lambda[-\lambda\varepsilon - g_t(\lambda)]
    = -\lambda^*\varepsilon - g_t(\lambda^*)`.  The closed form printed as SI eq. ``fdef`` is
    wrong (docs/theory/dynamical-regimes.md: at :math:`t = 1`, :math:`\sigma = 1`, :math:`\varepsilon = 1/2`
    it gives -1.308); the corrected form is

    .. math::
        A = \sqrt{\sigma_t^4 + 8\varepsilon\Delta_t(\Delta_t + \sigma_t^2)},\quad
        u = \frac{\sigma_t^2 + A}{4\varepsilon},\quad
        \lambda^* = \frac{u - \Delta_t}{\sigma_t^2},

    .. math::
        f_t(\varepsilon) = -\tfrac12\log\frac{4\varepsilon\Delta_t}{\sigma_t^2 + A}
        + \frac{(u - \Delta_t)\,[(\Delta_t + \sigma_t^2) - 2\varepsilon u]}{2\sigma_t^2 u},

    and sympy simplifies :math:`f_t(1/2) = -\tfrac12\log(\Delta_t/\Gamma_t)`.

    (v) :math:`\psi_+^{ann} = \alpha + g_t(1)`.  (vi) Condensation at :math:`\alpha = f_t(1/2)`,
    solved for t by sympy:

    .. math::
        t_C = \tfrac12\log\Big(1 + \frac{\sigma^2}{e^{2\alpha} - 1}\Big)
            = \tfrac12\log\Big(1 + \frac{\sigma^2}{n^{2/d} - 1}\Big).

    The SI states the phases the wrong way round ("annealed if t < t_cond"): the annealed
    (liquid) phase, :math:`\psi_+ = \psi_+^{ann} > -1/2`, is at *large* t, :math:`t > t_C`; below
    :math:`t_C`, :math:`\psi_+ = -1/2` and the planted term dominates (collapse).

    (vii) :math:`f^e(t) = \max(0, \alpha + \tfrac12\log(\Delta_t/\Gamma_t))
    = \max(0, \alpha - f_t(1/2))`,
    zero exactly at and below :math:`t_C`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), SI App. C (cumulant generating function; :math:`\varepsilon^*`
    corrected; eq. ``fdef`` corrected; phase inequalities corrected), eq. 5 (``crit-coll``) and
    eq. 10 (``tc_GM``); docs/theory/dynamical-regimes.md section 3.2.
    """
    D, S2, half = S.Delta, S.sigma_t2, sp.Rational(1, 2)

    mgf, typical, g = _cgf(D, S2)
    energy = sp.factor(sp.together(-sp.diff(g, S.lam)))

    roots = sp.solve(sp.Eq(energy, S.eps), S.lam)
    through_one = [r for r in roots if sp.simplify(S.sqrt_factor(r.subs(S.eps, half)) - 1) == 0]
    if len(through_one) != 1:
        raise RuntimeError(f"no unique branch lambda*(epsilon) through lambda*(1/2) = 1: {roots}")
    lambda_star = through_one[0]

    rate = -lambda_star * S.eps - g.subs(S.lam, lambda_star)
    rate_at_half = sp.simplify(S.sqrt_factor(rate.subs(S.eps, half)))

    A = sp.sqrt(S2**2 + 8 * S.eps * D * (D + S2))
    u = (S2 + A) / (4 * S.eps)
    closed = (-sp.log(4 * S.eps * D / (S2 + A)) / 2
              + (u - D) * ((D + S2) - 2 * S.eps * u) / (2 * S2 * u))

    annealed = S.alpha + sp.expand(g.subs(S.lam, 1))
    rate_at_half_t = S.to_time(rate_at_half)
    t_c = S.solve_time(S.alpha - rate_at_half_t, {S.alpha: 0.05, S.sigma: 1.0})
    t_c_n = t_c.subs(sp.exp(2 * S.alpha), S.n ** (2 / S.d)).subs(S.alpha, sp.log(S.n) / S.d)

    return REMCollapse(
        t=S.t, sigma=S.sigma, lam=S.lam, eps=S.eps, alpha=S.alpha, n=S.n, d=S.d, c=S.c,
        coordinate_mgf=S.to_time(mgf),
        typical_c_sq=S.to_time(typical),
        cgf=S.to_time(g),
        energy=S.to_time(energy),
        lambda_star=S.to_time(lambda_star),
        rate_function=S.to_time(rate),
        rate_function_closed_form=S.to_time(closed),
        rate_at_half=rate_at_half_t,
        annealed_free_entropy=S.to_time(annealed),
        free_entropy=sp.Max(-half, S.to_time(annealed)),
        collapse_time=t_c,
        collapse_time_n=t_c_n,
        excess_entropy=sp.Max(0, S.alpha - rate_at_half_t),
    )
