r"""Shared sympy symbols, OU building blocks and small algebra helpers of the derivations.

Every derivation in this package uses the symbols defined here, so expressions produced by different
modules can be combined and substituted into one another.

Conventions (docs/theory/dynamical-regimes.md sec. 0): the forward process is the
Ornstein-Uhlenbeck process :math:`x_t = a e^{-t} + \sqrt{\Delta_t} z` with
:math:`\Delta_t = 1 - e^{-2t}`; the Gaussian mixture has
:math:`\Gamma_t = \Delta_t + \sigma^2 e^{-2t}` and :math:`|m|^2 = d\tilde\mu^2`;
:math:`\alpha = \log(n)/d`.

Positive *stand-ins* (``E``, ``Delta``, ``Gamma``, ``sigma_t2``) replace :math:`e^{-t}`,
:math:`\Delta_t`, :math:`\Gamma_t` and :math:`\sigma_t^2 = \sigma^2 e^{-2t}` while integrating,
solving and simplifying: sympy handles plain positive symbols much better than the exponentials.
:func:`to_time` substitutes the explicit functions of ``t`` back at the end.
"""

from __future__ import annotations

import functools

import sympy as sp

__all__ = [
    "t", "sigma", "mu_tilde", "d", "n", "alpha", "Lambda", "lam", "eps", "q", "h", "x_sq", "m_sq",
    "s", "c", "E", "Delta", "Gamma", "sigma_t2", "DELTA_T", "SIGMA_T2", "GAMMA_T",
    "to_time", "normal_pdf", "gaussian_integral", "gaussian_expectation", "sqrt_factor",
    "pick_real_root", "solve_time",
]

# --- model parameters -------------------------------------------------------------------------
t = sp.Symbol("t", positive=True)
"""OU (forward) time."""
sigma = sp.Symbol("sigma", positive=True)
"""Standard deviation of each Gaussian-mixture component."""
mu_tilde = sp.Symbol("mu_tilde", positive=True)
r"""Mixture mean per coordinate, :math:`|m|^2 = d\tilde\mu^2`."""
d = sp.Symbol("d", positive=True)
"""Dimension."""
n = sp.Symbol("n", positive=True)
"""Number of training points."""
alpha = sp.Symbol("alpha", positive=True)
r""":math:`\alpha = \log(n)/d`."""
Lambda = sp.Symbol("Lambda", positive=True)
"""Top eigenvalue of the data covariance."""

# --- variables --------------------------------------------------------------------------------
lam = sp.Symbol("lambda", real=True)
r"""Conjugate variable of the REM cumulant generating function (domain
:math:`\Delta_t + \lambda\sigma_t^2 > 0`; may be negative)."""
eps = sp.Symbol("epsilon", positive=True)
r"""REM energy density :math:`\varepsilon = E/d`."""
q = sp.Symbol("q", real=True)
r"""Regime-I order parameter :math:`q = m\cdot x/\sqrt d`."""
h = sp.Symbol("h", real=True)
r"""Projection :math:`h = x\cdot m`."""
x_sq = sp.Symbol("x_sq", nonnegative=True)
r""":math:`|x|^2`."""
m_sq = sp.Symbol("m_sq", positive=True)
r""":math:`|m|^2`."""
s = sp.Symbol("s", real=True)
"""Bookkeeping parameter of the Landau (cumulant) expansion."""
c = sp.Symbol("c", real=True)
r"""REM centred coordinate :math:`c = x_i - m_i e^{-t}`."""

# --- positive stand-ins -----------------------------------------------------------------------
E = sp.Symbol("E", positive=True)
r"""Stand-in for :math:`e^{-t}`."""
Delta = sp.Symbol("Delta", positive=True)
r"""Stand-in for :math:`\Delta_t = 1 - e^{-2t}`."""
Gamma = sp.Symbol("Gamma", positive=True)
r"""Stand-in for :math:`\Gamma_t = \Delta_t + \sigma^2 e^{-2t}`."""
sigma_t2 = sp.Symbol("sigma_t2", positive=True)
r"""Stand-in for :math:`\sigma_t^2 = \sigma^2 e^{-2t}`."""

# --- explicit functions of t --------------------------------------------------------------------
DELTA_T = 1 - sp.exp(-2 * t)
r""":math:`\Delta_t = 1 - e^{-2t}`, the variance of the OU noise at time t."""
SIGMA_T2 = sigma**2 * sp.exp(-2 * t)
r""":math:`\sigma_t^2 = \sigma^2 e^{-2t}`."""
GAMMA_T = DELTA_T + SIGMA_T2
r""":math:`\Gamma_t = \Delta_t + \sigma^2 e^{-2t}` (docs/theory/dynamical-regimes.md sec. 2.2; also
*derived* by :func:`derivations.gm_score`)."""


def to_time(expr: sp.Expr) -> sp.Expr:
    r"""Replace the stand-ins ``E``, ``Delta``, ``Gamma``, ``sigma_t2`` by their functions of ``t``.

    Parameters
    ----------
    expr : sympy.Expr
        Expression in the stand-ins.

    Returns
    -------
    sympy.Expr
        The same expression with :math:`E = e^{-t}`, :math:`\Delta = \Delta_t`,
        :math:`\Gamma = \Gamma_t` and :math:`\sigma_t^2 = \sigma^2 e^{-2t}`.
    """
    return sp.sympify(expr).xreplace({Gamma: GAMMA_T, Delta: DELTA_T, sigma_t2: SIGMA_T2,
                                  E: sp.exp(-t)})


def normal_pdf(v: sp.Expr, mean: sp.Expr, var: sp.Expr) -> sp.Expr:
    r"""One-dimensional normal density :math:`(2\pi v)^{-1/2} e^{-(x-\mu)^2/(2v)}`.

    Parameters
    ----------
    v, mean, var : sympy.Expr
        Variable, mean and variance.

    Returns
    -------
    sympy.Expr
    """
    return sp.exp(-(v - mean) ** 2 / (2 * var)) / sp.sqrt(2 * sp.pi * var)


_A = sp.Symbol("A", positive=True)
_B = sp.Symbol("B", real=True)
_V = sp.Symbol("v", real=True)


@functools.cache
def _gaussian_master() -> sp.Expr:
    r"""Master Gaussian integral, computed once by sympy.

    :math:`\int_{\mathbb R} e^{-A v^2 + B v}\,dv = \sqrt{\pi/A}\, e^{B^2/(4A)}`.
    """
    return sp.simplify(sp.integrate(sp.exp(-_A * _V**2 + _B * _V), (_V, -sp.oo, sp.oo)))


def gaussian_integral(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    r"""Integrate (polynomial in ``var``) x exp(quadratic in ``var``) over the real line.

    Parameters
    ----------
    expr : sympy.Expr
        A product of factors; the exponentials combine into :math:`e^{-A v^2 + B v + C}` and the
        other factors form a polynomial :math:`p(v)`.
    var : sympy.Symbol
        Real integration variable :math:`v`.

    Returns
    -------
    sympy.Expr
        :math:`\int p(v) e^{-Av^2+Bv+C} dv = e^C\, p(\partial_B)\, \sqrt{\pi/A}\,e^{B^2/(4A)}`.

    Raises
    ------
    ValueError
        If ``expr`` does not have that form, or if :math:`A > 0` cannot be established from the
        symbols' assumptions (the integral would diverge).

    Notes
    -----
    :func:`sympy.integrate` applied directly to such integrands returns erf-laden forms that
    cancel only after heavy simplification, and takes seconds; here sympy integrates the master
    Gaussian once (:func:`_gaussian_master`), and the moments follow by differentiating it with
    respect to :math:`B`.
    """
    exponent, prefactor = sp.S.Zero, sp.S.One
    for factor in sp.Mul.make_args(sp.powsimp(sp.sympify(expr), combine="exp")):
        if isinstance(factor, sp.exp):
            exponent += factor.args[0]
        else:
            prefactor *= factor
    quad = sp.Poly(sp.expand(exponent), var)
    if quad.degree() > 2:
        raise ValueError(f"exponent {exponent} is not quadratic in {var}")
    a_coef = sp.factor(-quad.coeff_monomial(var**2))
    if a_coef.is_positive is not True:
        raise ValueError(f"cannot establish convergence: coefficient -{a_coef} of {var}^2")
    b_coef, c_coef = quad.coeff_monomial(var), quad.coeff_monomial(1)
    master = _gaussian_master()
    total = sp.S.Zero
    for (k,), coeff in sp.Poly(sp.expand(prefactor), var).terms():
        total += coeff * sp.diff(master, _B, k)
    out = sp.powsimp(sp.exp(c_coef) * total.subs({_A: a_coef, _B: b_coef}), combine="exp")
    # cancel inside the exponentials, where the completed squares of several steps meet
    return out.replace(lambda z: isinstance(z, sp.exp), lambda z: sp.exp(sp.cancel(z.args[0])))


def gaussian_expectation(expr: sp.Expr, var: sp.Symbol, mean: sp.Expr, variance: sp.Expr
                         ) -> sp.Expr:
    r"""Expectation of ``expr`` over ``var`` ~ N(``mean``, ``variance``), computed with sympy.

    Parameters
    ----------
    expr : sympy.Expr
        Integrand, (polynomial) x exp(quadratic) in ``var``.
    var : sympy.Symbol
        Real integration variable.
    mean, variance : sympy.Expr
        Mean and variance of the Gaussian law of ``var``.

    Returns
    -------
    sympy.Expr
        :math:`\int \mathrm{expr}(v)\, N(v; \mathrm{mean}, \mathrm{variance})\, dv`
        (see :func:`gaussian_integral`).
    """
    return gaussian_integral(expr * normal_pdf(var, mean, variance), var)


def sqrt_factor(expr: sp.Expr) -> sp.Expr:
    r"""Factor the radicand of every square root, so that :math:`\sqrt{(a+b)^2} \to a + b`.

    Parameters
    ----------
    expr : sympy.Expr

    Returns
    -------
    sympy.Expr
        ``expr`` with each ``sqrt(u)`` replaced by ``sqrt(factor(u))``; with positive symbols a
        perfect-square radicand then leaves the root.
    """
    return expr.replace(lambda z: z.is_Pow and z.exp == sp.S.Half,
                        lambda z: sp.sqrt(sp.factor(z.base)))


def pick_real_root(roots: list[sp.Expr], point: dict[sp.Symbol, float]) -> sp.Expr:
    """Return the unique root that is real and positive at a sample parameter point.

    Parameters
    ----------
    roots : list of sympy.Expr
        Candidate solutions returned by :func:`sympy.solve`.
    point : dict
        A parameter point inside the physical domain.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    RuntimeError
        If not exactly one root is real and positive at ``point``.
    """
    good = []
    for root in roots:
        value = complex(root.evalf(30, subs=point))
        if abs(value.imag) < 1e-20 and value.real > 0:
            good.append(root)
    if len(good) != 1:
        raise RuntimeError(f"expected one real positive root among {roots}, got {good}")
    return good[0]


def solve_time(expr: sp.Expr, point: dict[sp.Symbol, float]) -> sp.Expr:
    r"""Solve ``expr = 0`` for ``t`` with sympy and return the physical root.

    Parameters
    ----------
    expr : sympy.Expr
        Expression in ``t`` (and parameters).
    point : dict
        Parameter point used to pick the real positive root (:func:`pick_real_root`).

    Returns
    -------
    sympy.Expr
        The root written as :math:`\tfrac12\log(e^{2t})` with :math:`e^{2t}` simplified, e.g.
        ``log(Lambda + 1)/2`` rather than ``log(sqrt(Lambda + 1))``.
    """
    root = pick_real_root(sp.solve(expr, t), point)
    return sp.log(sp.simplify(sp.exp(2 * root))) / 2
