r"""Derivation of the OU-noised density and the exact score of the symmetric Gaussian mixture.

The data law is :math:`P_0 = \tfrac12 N(+m, \sigma^2 I_d) + \tfrac12 N(-m, \sigma^2 I_d)`.  Its OU
transition kernel is :math:`N(x; a e^{-t}, \Delta_t I_d)`, so each component is convolved with a
Gaussian; the convolution factorises over coordinates and one coordinate suffices.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S

__all__ = ["GaussianMixtureScoreDerivation", "gm_score"]


@dataclass(frozen=True)
class GaussianMixtureScoreDerivation:
    r"""Symbolic OU-noised density and score of the symmetric Gaussian mixture.

    Attributes
    ----------
    t, sigma, d : sympy.Symbol
        OU time, component standard deviation, dimension.
    h, x_sq, m_sq : sympy.Symbol
        :math:`h = x\cdot m`, :math:`|x|^2`, :math:`|m|^2`.
    x, a, m : sympy.Symbol
        One coordinate of the noised point, of the clean point and of the mean.
    component_density : sympy.Expr
        :math:`\int da\, N(a; m, \sigma^2)\, N(x; a e^{-t}, \Delta_t)` as computed by sympy
        (one coordinate, one component), a function of ``x, m, t, sigma``.
    mean : sympy.Expr
        Mean of that noised component read off the exponent: :math:`m e^{-t}`.
    Gamma : sympy.Expr
        Variance of that noised component read off the exponent:
        :math:`\Gamma_t = \Delta_t + \sigma^2 e^{-2t}`.
    log_density : sympy.Expr
        :math:`\log P_t(x)` of the d-dimensional mixture as a function of
        ``x_sq, h, m_sq, d, t, sigma``.
    coef_x, coef_m : sympy.Expr
        The score is :math:`S(x,t) = \mathrm{coef\_x}\, x + \mathrm{coef\_m}\, m`; both are
        functions of ``t, sigma, h`` only.

    Notes
    -----
    .. math::
        S(x,t) = -\frac{x}{\Gamma_t}
                 + \frac{m e^{-t}}{\Gamma_t}\tanh\Big(\frac{x\cdot m\, e^{-t}}{\Gamma_t}\Big),
        \qquad \Gamma_t = \Delta_t + \sigma^2 e^{-2t}.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), SI eq. ``scoregm``; docs/theory/dynamical-regimes.md section 2.2.
    """

    t: sp.Symbol
    sigma: sp.Symbol
    d: sp.Symbol
    h: sp.Symbol
    x_sq: sp.Symbol
    m_sq: sp.Symbol
    x: sp.Symbol
    a: sp.Symbol
    m: sp.Symbol
    component_density: sp.Expr
    mean: sp.Expr
    Gamma: sp.Expr
    log_density: sp.Expr
    coef_x: sp.Expr
    coef_m: sp.Expr


def _sum_over_coordinates(log_1d: sp.Expr, x1: sp.Symbol, m1: sp.Symbol, sign: int) -> sp.Expr:
    """Turn the one-coordinate log-density (quadratic in x1, m1) into its d-coordinate sum.

    Monomials map as 1 -> d, x1**2 -> |x|^2, x1*m1 -> x.m, m1**2 -> |m|^2; ``sign`` = -1 gives the
    component centred on -m (m1 -> -m1).
    """
    images = {(0, 0): S.d, (2, 0): S.x_sq, (1, 1): sign * S.h, (0, 2): S.m_sq}
    total = sp.S.Zero
    for monom, coeff in sp.Poly(log_1d, x1, m1).terms():
        if monom not in images:
            raise RuntimeError(f"unexpected monomial x^{monom[0]} m^{monom[1]} in log density")
        total += coeff * images[monom]
    return total


@functools.cache
def gm_score() -> GaussianMixtureScoreDerivation:
    r"""Derive the noised density and the exact score of the symmetric Gaussian mixture.

    Returns
    -------
    GaussianMixtureScoreDerivation
        Derived once per process (cached); calling again returns the same object.

    Notes
    -----
    1. One coordinate, one component: sympy integrates

       .. math:: \int da\, N(a; m_i, \sigma^2)\, N(x_i; a e^{-t}, \Delta_t)
                 = N(x_i; m_i e^{-t}, \Gamma_t),

       and the mean and variance are read off the quadratic exponent, which *derives*
       :math:`\Gamma_t = \Delta_t + \sigma^2 e^{-2t}`.
    2. The log of the one-coordinate density is a quadratic polynomial in :math:`(x_i, m_i)`;
       summing it over coordinates maps :math:`x_i^2 \to |x|^2`, :math:`x_i m_i \to h = x\cdot m`,
       :math:`m_i^2 \to |m|^2`, :math:`1 \to d`.  The mixture is

       .. math:: \log P_t(x) = \log\tfrac12\big[e^{L_+} + e^{L_-}\big],\quad
                 L_\pm = -\tfrac d2 \log(2\pi\Gamma_t)
                         - \frac{|x|^2 \mp 2 h e^{-t} + |m|^2 e^{-2t}}{2\Gamma_t}.

    3. With :math:`\nabla_x |x|^2 = 2x` and :math:`\nabla_x h = m`, the score is
       :math:`S = 2\,\partial_{|x|^2}\log P_t\; x + \partial_h \log P_t\; m`; sympy simplifies the
       two coefficients to the closed form of SI eq. ``scoregm``:

       .. math:: S(x,t) = -\frac{x}{\Gamma_t}
                 + \frac{m e^{-t}}{\Gamma_t}\tanh\Big(\frac{h e^{-t}}{\Gamma_t}\Big).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024), SI eq. ``scoregm`` and the GM density of the main text (section
    "Gaussian mixtures"); docs/theory/dynamical-regimes.md section 2.2.

    Examples
    --------
    >>> from derivations import gm_score
    >>> gm_score().coef_x
    -1/(sigma**2*exp(-2*t) + 1 - exp(-2*t))
    """
    x1, a1, m1 = sp.symbols("x a m", real=True)
    E, Delta, Gamma, sigma = S.E, S.Delta, S.Gamma, S.sigma

    # 1. Gaussian convolution of one coordinate of one component.
    kernel = S.normal_pdf(x1, a1 * E, Delta)
    component = S.gaussian_expectation(kernel, a1, m1, sigma**2)
    log_1d = sp.expand(sp.expand_log(sp.log(component), force=True))
    poly = sp.Poly(log_1d, x1)
    gamma_derived = sp.factor(sp.simplify(-1 / (2 * poly.coeff_monomial(x1**2))))
    mean_derived = sp.simplify(poly.coeff_monomial(x1) * gamma_derived)

    # Express the exponent through the stand-in Gamma (Delta = Gamma - sigma^2 E^2).
    log_1d_gamma = sp.expand(sp.simplify(log_1d.subs(Delta, Gamma - sigma**2 * E**2)))
    if sp.simplify(gamma_derived.subs(Delta, Gamma - sigma**2 * E**2) - Gamma) != 0:
        raise RuntimeError("the convolution variance is not Delta + sigma^2 E^2")

    # 2. Sum over coordinates, then mix the two components.
    log_plus = _sum_over_coordinates(log_1d_gamma, x1, m1, +1)
    log_minus = _sum_over_coordinates(log_1d_gamma, x1, m1, -1)
    log_density = sp.log((sp.exp(log_plus) + sp.exp(log_minus)) / 2)

    # 3. Score coefficients.
    coef_x = sp.simplify(2 * sp.diff(log_density, S.x_sq))
    coef_m = sp.simplify(sp.diff(log_density, S.h))

    return GaussianMixtureScoreDerivation(
        t=S.t, sigma=S.sigma, d=S.d, h=S.h, x_sq=S.x_sq, m_sq=S.m_sq, x=x1, a=a1, m=m1,
        component_density=S.to_time(sp.simplify(sp.exp(log_1d_gamma))),
        mean=S.to_time(mean_derived),
        Gamma=S.to_time(gamma_derived),
        log_density=S.to_time(log_density),
        coef_x=S.to_time(coef_x),
        coef_m=S.to_time(coef_m),
    )
