r"""Any Gaussian mixture: the noised density and population score by Gaussian convolution, and
the Landau expansion of :math:`V(q,t) = -\log P_t(q u)` along the top between-class direction.

Conventions (``docs/theory/dynamical-regimes.md`` sec. 0): OU time t,
:math:`x_t = e^{-t}a + \sqrt{\Delta_t}z`; the stand-ins ``E`` (:math:`e^{-t}`) and ``Delta``
(:math:`\Delta_t`) of :mod:`derivations._symbols` are used while deriving and replaced by their
functions of t at the end.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S
from ._models import SymbolicMixture, as_symbolic_mixture

__all__ = ["NoisedMixture", "noised_mixture", "LandauPotential", "landau_potential", "CloningIntegrand",
           "cloning_integrand",
           "landau_coefficients", "cumulants_from_moments"]


# --- one coordinate of one component ------------------------------------------------------------

@functools.cache
def _noised_coordinate() -> tuple[sp.Symbol, sp.Symbol, sp.Symbol, sp.Expr, sp.Expr]:
    r"""Convolve one coordinate of one class with the OU kernel (sympy Gaussian integration).

    :math:`\int da\,N(a; m, v)\,N(x; aE, \Delta) = N(x; Em, E^2v + \Delta)`: mean and variance are
    read off the quadratic exponent, and the normalisation is checked.
    """
    x, a, m = sp.symbols("x_c a_c m_c", real=True)
    v = sp.Symbol("v_c", positive=True)
    kernel = S.normal_pdf(x, a * S.E, S.Delta)
    component = S.gaussian_expectation(kernel, a, m, v)
    log_1d = sp.expand(sp.expand_log(sp.log(component), force=True))
    poly = sp.Poly(log_1d, x)
    var = sp.factor(sp.simplify(-1 / (2 * poly.coeff_monomial(x**2))))
    mean = sp.simplify(poly.coeff_monomial(x) * var)
    if sp.simplify(sp.expand_log(sp.log(component) - sp.log(S.normal_pdf(x, mean, var)),
                                 force=True)) != 0:                    # pragma: no cover
        raise RuntimeError("the convolution is not the normal density read off its exponent")
    return x, m, v, mean, var


@dataclass(frozen=True)
class NoisedMixture:
    r"""The OU-noised mixture :math:`P_t` of a :class:`~derivations.SymbolicMixture`.

    Attributes
    ----------
    model : SymbolicMixture
    t : sympy.Symbol
    x : tuple of sympy.Symbol
        The r explicit coordinates (the d - r others, with zero means, factor out of every
        component alike and are set to 0: the density is given on the span of the means).
    component_means : sympy.Matrix (K, r)
        :math:`e^{-t}m_k`, read off the convolution.
    component_variances : tuple of sympy.Expr
        :math:`e^{-2t}v_i + \Delta_t` per explicit coordinate, read off the convolution.
    log_components : tuple of sympy.Expr
        :math:`\log w_k + \log N(x; e^{-t}m_k, \Sigma_t)` (the d - r other coordinates at 0).
    log_density : sympy.Expr
        :math:`\log P_t(x) = \log\sum_k e^{L_k}`.
    posterior : tuple of sympy.Expr
        :math:`P(k\mid x) = e^{L_k}/\sum_j e^{L_j}`.
    score : tuple of sympy.Expr
        :math:`\partial_{x_i}\log P_t = \sum_k P(k\mid x)\,[-(x_i - e^{-t}m_{ki})/\Sigma_{t,i}]`
        (equal to the derivative of ``log_density``; checked).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (noised law) and SI eq.
    ``scoregm``; ``docs/theory/models.md``.
    """

    model: SymbolicMixture
    t: sp.Symbol
    x: tuple
    component_means: sp.Matrix
    component_variances: tuple
    log_components: tuple
    log_density: sp.Expr
    posterior: tuple
    score: tuple


@functools.lru_cache(maxsize=64)
def _noised_standins(model: SymbolicMixture):
    x_c, m_c, v_c, mean_c, var_c = _noised_coordinate()
    xs = sp.symbols(f"x_1:{model.r + 1}", real=True)
    var_t = tuple(var_c.subs(v_c, v) for v in model.variances)
    means_t = sp.ImmutableMatrix(model.K, model.r,
                                 lambda k, i: mean_c.subs(m_c, model.means[k, i]))
    rest = model.d - model.r
    rest_log = sp.S.Zero
    if rest != 0:
        rest_log = -rest * sp.log(2 * sp.pi * var_c.subs(v_c, model.covariance)) / 2
    logs = []
    for k, w in enumerate(model.weights):
        total = sp.log(w) + rest_log
        for i in range(model.r):
            total += sp.log(S.normal_pdf(xs[i], means_t[k, i], var_t[i]))
        logs.append(sp.expand_log(total, force=True))
    return xs, means_t, var_t, tuple(logs)


def noised_mixture(model=None) -> NoisedMixture:
    r"""Derive the noised density, class posterior and population score of a Gaussian mixture.

    Parameters
    ----------
    model : SymbolicMixture or a numeric mixture, optional
        K classes, any weights, isotropic or diagonal class covariance, with symbols or numbers;
        default the paper's symmetric mixture.

    Returns
    -------
    NoisedMixture

    Notes
    -----
    Each coordinate of each class is convolved with the OU kernel by sympy,

    .. math:: \int da\,N(a; m_{ki}, v_i)\,N(x_i; a e^{-t}, \Delta_t)
              = N(x_i; e^{-t}m_{ki}, e^{-2t}v_i + \Delta_t),

    mean and variance being read off the exponent (so :math:`\Gamma_t = \Delta_t + \sigma^2e^{-2t}`
    is derived, not assumed); the classes keep their weights, and the score is
    :math:`\nabla\log\sum_k w_k N_k`.  Exact at any d.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 and SI eq. ``scoregm``
    (two symmetric classes; here K classes, weights and diagonal covariance);
    ``docs/theory/models.md``.

    Examples
    --------
    >>> from derivations import noised_mixture
    >>> noised_mixture().component_variances
    (sigma**2*exp(-2*t) + 1 - exp(-2*t),)
    """
    return _noised_mixture(as_symbolic_mixture(model))


@functools.lru_cache(maxsize=64)
def _noised_mixture(model: SymbolicMixture) -> NoisedMixture:
    xs, means_t, var_t, logs = _noised_standins(model)
    logs_t = tuple(S.to_time(L) for L in logs)
    # posterior as a softmax of the log-ratios to class 0 (the common normalisation cancels)
    ratios = [sp.S.Zero] + [sp.simplify(sp.expand(L - logs[0])) for L in logs[1:]]
    boltz = [sp.exp(S.to_time(r)) for r in ratios]
    denom = sum(boltz)
    post = tuple(b / denom for b in boltz)
    total = logs_t[0] + sp.log(denom)
    var_time = tuple(S.to_time(v) for v in var_t)
    means_time = means_t.applyfunc(S.to_time)
    score = tuple(sum(post[k] * (-(xs[i] - means_time[k, i]) / var_time[i]) for k in range(model.K))
                  for i in range(model.r))
    # the score is the gradient of the log-density: checked at a sample point, 30 digits
    point = _sample_point(set().union(*(sp.sympify(v).free_symbols for v in score)) - set(xs) - {S.t})
    point.update({S.t: sp.Rational(7, 10)})
    point.update({xi: sp.Rational(i + 2, 3) * (-1) ** i for i, xi in enumerate(xs)})
    for i in range(model.r):
        gap = sp.N((sp.diff(total, xs[i]) - score[i]).subs(point), 30)
        if abs(gap) > 1e-20:                                          # pragma: no cover
            raise RuntimeError(f"score {i} is not the gradient of the log-density ({gap})")
    return NoisedMixture(model=model, t=S.t, x=xs, component_means=means_time,
                         component_variances=var_time, log_components=logs_t, log_density=total,
                         posterior=post, score=score)


# --- the Landau expansion -------------------------------------------------------------------------

def cumulants_from_moments(moments: list[sp.Expr]) -> list[sp.Expr]:
    r"""Cumulants :math:`\kappa_1..\kappa_n` from raw moments :math:`\mu_1..\mu_n`.

    Parameters
    ----------
    moments : list of sympy.Expr
        :math:`[\mu_1, \dots, \mu_n]`.

    Returns
    -------
    list of sympy.Expr

    Notes
    -----
    :math:`\kappa_n = \mu_n - \sum_{m=1}^{n-1}\binom{n-1}{m-1}\kappa_m\mu_{n-m}`, the coefficients of
    :math:`\log\sum_k p_k e^{\beta_k q}` (checked against :func:`sympy.series` in the tests).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. A (cumulant expansion of
    :math:`\log P_t`).
    """
    kappas: list[sp.Expr] = []
    for n in range(1, len(moments) + 1):
        val = moments[n - 1] - sum(math.comb(n - 1, m - 1) * kappas[m - 1] * moments[n - m - 1]
                                   for m in range(1, n))
        kappas.append(val)
    return kappas


@dataclass(frozen=True)
class LandauPotential:
    r"""The potential :math:`V(q,t) = -\log P_t(q u) + \mathrm{const}` along the top between-class
    direction u and its Landau expansion.

    Attributes
    ----------
    model : SymbolicMixture
    q, t : sympy.Symbol
    direction : sympy.Matrix (r x 1)
        Unit vector u (top eigenvector of the between-class covariance, or the one given).
    potential : sympy.Expr
        :math:`V(q,t)` exactly, normalised to :math:`V(0,t) = 0`.
    coefficients : tuple of sympy.Expr
        :math:`c_1..c_n` of :math:`V = \sum_j c_j(t) q^j`.
    tilted_weights : tuple of sympy.Expr
        :math:`p_k = P(k \mid x = 0)`: the class weights seen from the origin.
    slopes : tuple of sympy.Expr
        :math:`\beta_k = e^{-t}\,u^T\Sigma_t^{-1}m_k`, the q-slope of each class's log-weight.
    field : sympy.Expr
        :math:`c_1` (zero for a symmetric mixture).
    nature : str
        ``"pitchfork"`` when :math:`c_1 \equiv c_3 \equiv 0` (symmetric: the well at q = 0 splits
        into two), ``"crossover"`` otherwise (a field tilts the potential: no symmetry to break,
        the minimum moves continuously to one class).
    instability_condition : sympy.Eq
        :math:`c_2(t) = 0`: the origin stops being a minimum of V along u.
    instability_time : sympy.Expr or None
        Its root: closed form when sympy finds one; a 30-digit number for a numeric model whose
        tilted weights move with t (the largest root); else None (see ``instability_condition``).
    drift_curvature : sympy.Expr
        :math:`\partial_q^2 U(0,t) = 4c_2 - 1` of the potential :math:`U = -q^2/2 + 2V` of the
        backward drift :math:`x + 2\nabla\log P_t` projected on u.
    t_star : sympy.Expr or None
        Root of ``drift_curvature`` (exact at any d).
    t_star_large_d : sympy.Expr or None
        Its regime-I limit (:math:`e^{-2t} = O(1/d)`, so :math:`\Sigma_t \to I`; the class
        variances drop out): the paper's :math:`t^* = \tfrac12\log(2d\tilde\mu^2)`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. A (Landau expansion),
    eqs. 7-8 (regime-I potential, :math:`t^*`) and SI App. B.1-B.2;
    ``docs/theory/dynamical-regimes.md`` secs. 2.1-2.3.
    """

    model: SymbolicMixture
    q: sp.Symbol
    t: sp.Symbol
    direction: sp.Matrix
    potential: sp.Expr
    coefficients: tuple
    tilted_weights: tuple
    slopes: tuple
    field: sp.Expr
    nature: str
    instability_condition: sp.Eq
    instability_time: sp.Expr | None
    drift_curvature: sp.Expr
    t_star: sp.Expr | None
    t_star_large_d: sp.Expr | None


_W = sp.Symbol("w_e2t", positive=True)          # e^{2t}


def _in_w(expr: sp.Expr) -> sp.Expr:
    """Stand-ins -> e^{2t} = w: E = w^{-1/2}, Delta = 1 - 1/w."""
    return sp.sympify(expr).subs({S.E: 1 / sp.sqrt(_W), S.Delta: 1 - 1 / _W})


def _sample_point(symbols) -> dict:
    """A parameter point inside the physical domain, used only to pick the physical root."""
    point = {}
    for k, sym in enumerate(sorted(symbols, key=lambda s: s.name)):
        name = sym.name
        if name == "d":
            point[sym] = 400.0
        elif name.startswith("w"):
            point[sym] = 0.3
        else:
            point[sym] = 1.0 + 0.1 * k
    return point


def _vanishes(expr: sp.Expr) -> bool:
    """Whether expr(E, Delta, parameters) is identically zero: numerically at sample points first
    (a nonzero value settles it), then symbolically."""
    expr = sp.sympify(expr)
    if expr == 0:
        return True
    params = _sample_point(expr.free_symbols - {S.E, S.Delta})
    for e2 in (sp.Rational(1, 5), sp.Rational(3, 5)):
        val = sp.N(expr.subs(params).subs({S.E: sp.sqrt(e2), S.Delta: 1 - e2}), 30)
        if abs(val) > 1e-20:
            return False
    return _tidy(expr) == 0 if not (expr.atoms(sp.Float) or expr.atoms(sp.exp)) else True


def _numeric_root(expr: sp.Expr) -> sp.Expr | None:
    """Root t > 0 of expr(E, Delta) = 0 at 30 digits when expr has no parameter left: the last
    sign change on a grid of t, refined by mpmath (the largest root, where the instability is met
    first in the backward dynamics)."""
    if expr.free_symbols - {S.E, S.Delta}:
        return None
    import mpmath as mp
    import numpy as np

    in_t = S.to_time(expr)
    grid = np.arange(1, 400) / 20.0
    with np.errstate(all="ignore"):
        vals = np.asarray(sp.lambdify(S.t, in_t, modules="numpy")(grid), dtype=float) * np.ones_like(grid)
    cross = np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]
    if cross.size == 0:
        return None
    i = int(cross[-1])
    f = sp.lambdify(S.t, in_t, modules="mpmath")
    with mp.workdps(30):
        root = mp.findroot(f, (mp.mpf(grid[i]), mp.mpf(grid[i + 1])), solver="anderson")
        return sp.Float(mp.nstr(root, 30), 30)


def _root_time(expr: sp.Expr, point: dict | None) -> sp.Expr | None:
    """Root t of expr(E, Delta) = 0 with e^{2t} > 1: closed form when sympy finds one, else a
    30-digit number when no parameter is left, else None."""
    if expr.atoms(sp.Float) or any(a.has(S.E, S.Delta) for a in expr.atoms(sp.exp)):
        return _numeric_root(expr)
    numer = sp.numer(sp.together(sp.simplify(_in_w(expr))))
    if numer.has(sp.exp) or not numer.has(_W):
        return None
    try:
        roots = sp.solve(numer, _W)
    except NotImplementedError:                     # pragma: no cover
        return None
    pts = _sample_point(numer.free_symbols - {_W}) if point is None else point
    good = []
    for root in roots:
        try:
            val = complex(root.evalf(30, subs=pts))
        except (TypeError, ValueError):             # pragma: no cover
            continue
        if abs(val.imag) < 1e-20 and val.real > 1:
            good.append(root)
    if len(good) != 1:
        return _numeric_root(expr)
    return sp.log(sp.factor(sp.simplify(good[0]))) / 2


def _tidy(expr: sp.Expr, factor: bool = False) -> sp.Expr:
    """simplify (and factor) exact expressions; leave alone those holding floats or exponentials
    of the time (tilted weights that move with t), where sympy's simplification does not end."""
    if expr.atoms(sp.Float) or any(a.has(S.E, S.Delta) for a in expr.atoms(sp.exp)):
        return expr
    out = sp.simplify(expr)
    return sp.factor(out) if factor else out


@functools.lru_cache(maxsize=64)
def _landau_standins(model: SymbolicMixture, order: int, direction: sp.Matrix | None):
    xs, _, var_t, logs = _noised_standins(model)
    u = model.top_direction() if direction is None else sp.ImmutableMatrix(direction)
    if u.shape != (model.r, 1):
        raise ValueError(f"direction must have r = {model.r} entries (got shape {u.shape})")
    q = S.q
    on_line = {xs[i]: q * u[i] for i in range(model.r)}
    const, slope, curv = [], [], []
    for L in logs:
        line = sp.expand(L.subs(on_line))
        if sp.diff(line, q, 3) != 0:                                  # pragma: no cover
            raise RuntimeError("log-component is not quadratic along the line")
        const.append(line.subs(q, 0))
        slope.append(_tidy(sp.diff(line, q).subs(q, 0)))
        curv.append(_tidy(sp.diff(line, q, 2).subs(q, 0) / 2))
    if any(_tidy(c - curv[0]) != 0 for c in curv[1:]):               # pragma: no cover
        raise RuntimeError("classes with different curvature along u (covariances differ?)")
    gamma = curv[0]
    shifts = [_tidy(sp.expand(c - const[0])) for c in const]
    boltz = [sp.exp(sh) for sh in shifts]
    z = sum(boltz)
    p = tuple(_tidy(b / z) for b in boltz)
    moments = [_tidy(sum(pk * bk**n for pk, bk in zip(p, slope, strict=True)))
               for n in range(1, order + 1)]
    kappas = cumulants_from_moments(moments)
    coeffs = []
    for n, kappa in enumerate(kappas, start=1):
        c = -kappa / math.factorial(n)
        if n == 2:
            c = c - gamma
        coeffs.append(_tidy(c, factor=True))
    potential = -gamma * q**2 - sp.log(sum(pk * sp.exp(bk * q) for pk, bk in zip(p, slope, strict=True)))
    return u, tuple(coeffs), p, tuple(slope), potential, var_t


def landau_potential(model=None, order: int = 4, direction=None) -> LandauPotential:
    r"""Derive :math:`V(q,t) = -\log P_t(qu)` along the top between-class direction, its Landau
    coefficients, the instability time, the nature of the transition and :math:`t^*`.

    Parameters
    ----------
    model : SymbolicMixture or a numeric mixture, optional
        Default: the paper's symmetric mixture.
    order : int
        Highest power of q kept (>= 2).
    direction : sympy.Matrix (r x 1), optional
        Unit direction u (default: :meth:`SymbolicMixture.top_direction`).

    Returns
    -------
    LandauPotential

    Notes
    -----
    Along the line :math:`x = qu` through the origin of the coordinates, each log-component of
    :func:`noised_mixture` is quadratic in q with the same curvature :math:`-\gamma` (shared
    covariance):

    .. math::
        V(q,t) = \gamma q^2 - \log\sum_k p_k e^{\beta_k q},\qquad
        p_k = P(k\mid x = 0),\quad \beta_k = e^{-t}u^T\Sigma_t^{-1}m_k,\quad
        \gamma = \tfrac12 u^T\Sigma_t^{-1}u,

    a cumulant generating function of the discrete law :math:`\{(\beta_k, p_k)\}`, so
    :math:`c_1 = -\kappa_1`, :math:`c_2 = \gamma - \kappa_2/2`, :math:`c_n = -\kappa_n/n!`
    (:func:`cumulants_from_moments`).  For the symmetric mixture :math:`\beta_\pm = \pm e^{-t}|m|/\Gamma_t`,
    :math:`p_\pm = w_\pm`: equal weights give :math:`c_1 = c_3 = 0` and a pitchfork at
    :math:`c_2 = 0`, :math:`t = \tfrac12\log(d\tilde\mu^2 + 1 - \sigma^2)` (the exact-Hessian
    reading of :math:`t_S`); unequal weights give a field :math:`c_1 = -(w_+ - w_-)e^{-t}|m|/\Gamma_t`
    and a cubic term, and the transition is a field-driven crossover (the instability of the origin
    still at :math:`\tfrac12\log(\lambda + 1 - \sigma^2)`, :math:`\lambda = 4w_+w_-|m|^2` the
    between-class eigenvalue).  The backward drift :math:`x + 2\nabla\log P_t` projected on u has
    the potential :math:`U = -q^2/2 + 2V`, of curvature :math:`4c_2 - 1` at 0; its zero is
    :math:`t^*`, :math:`\tfrac12\log(2d\tilde\mu^2)` in the regime-I limit (eqs. 7-8).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. A (Landau expansion),
    App. B.1, eqs. 7-8 and SI App. B.2; ``docs/theory/dynamical-regimes.md`` secs. 2.1-2.3.

    Examples
    --------
    >>> from derivations import landau_potential
    >>> lp = landau_potential()
    >>> lp.nature, lp.instability_time
    ('pitchfork', log(d*mu_tilde**2 - sigma**2 + 1)/2)
    """
    if not isinstance(order, int) or order < 2:
        raise ValueError(f"order must be an integer >= 2 (got {order!r})")
    return _landau_potential(as_symbolic_mixture(model), order,
                             None if direction is None else sp.ImmutableMatrix(direction))


@functools.lru_cache(maxsize=64)
def _landau_potential(model: SymbolicMixture, order: int, direction) -> LandauPotential:
    u, coeffs, p, slopes, potential, _ = _landau_standins(model, order, direction)
    c1 = coeffs[0]
    c3 = coeffs[2] if order >= 3 else sp.S.Zero
    symmetric = _vanishes(c1) and _vanishes(c3)
    t_inst = _root_time(coeffs[1], None)
    drift = sp.expand(4 * coeffs[1] - 1)
    t_star = _root_time(drift, None)
    t_star_large = _root_time(_unit_covariance_drift(model, order, direction), None)
    return LandauPotential(
        model=model, q=S.q, t=S.t, direction=u,
        potential=S.to_time(potential), coefficients=tuple(S.to_time(c) for c in coeffs),
        tilted_weights=tuple(S.to_time(v) for v in p), slopes=tuple(S.to_time(b) for b in slopes),
        field=S.to_time(c1), nature="pitchfork" if symmetric else "crossover",
        instability_condition=sp.Eq(S.to_time(coeffs[1]), 0), instability_time=t_inst,
        drift_curvature=S.to_time(drift), t_star=t_star, t_star_large_d=t_star_large,
    )


def _unit_covariance_drift(model: SymbolicMixture, order: int, direction) -> sp.Expr:
    """4 c_2 - 1 for the same means and weights with unit class covariance (Sigma_t = I)."""
    unit = SymbolicMixture(model.means.tolist(), model.weights, 1, d=model.d)
    _, coeffs, *_ = _landau_standins(unit, order, direction)
    return sp.expand(4 * coeffs[1] - 1)


def landau_coefficients(model=None, order: int = 4, direction=None) -> tuple:
    r"""Coefficients :math:`c_1..c_{order}` of :math:`V(q,t) = -\log P_t(qu) + \mathrm{const}`.

    Parameters
    ----------
    model : SymbolicMixture or a numeric mixture, optional
        Default: the paper's symmetric mixture.
    order : int
        Number of coefficients (>= 2).
    direction : sympy.Matrix, optional
        Unit direction (default: the top eigenvector of the between-class covariance).

    Returns
    -------
    tuple of sympy.Expr
        Functions of the OU time t (and of the model's symbols).

    Notes
    -----
    See :func:`landau_potential`: :math:`c_1 = -\kappa_1`, :math:`c_2 = \tfrac12u^T\Sigma_t^{-1}u
    - \kappa_2/2`, :math:`c_n = -\kappa_n/n!` of the slopes :math:`\beta_k` under the weights
    :math:`P(k\mid 0)`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. A (Landau expansion);
    ``docs/theory/dynamical-regimes.md`` sec. 2.1.

    Examples
    --------
    >>> from derivations import SymbolicMixture, landau_coefficients
    >>> c = landau_coefficients(SymbolicMixture.symmetric(weight=0.3), order=3)
    >>> [ci == 0 for ci in c]
    [False, False, False]
    """
    return landau_potential(model, order, direction).coefficients


# --- the cloning probability of two classes ---------------------------------------------------------

@dataclass(frozen=True)
class CloningIntegrand:
    r"""The class posterior of a two-class mixture as a function of one Gaussian variable, and the
    integrands of the cloning probability :math:`\phi` and of the class entropy.

    Attributes
    ----------
    model : SymbolicMixture
    y : sympy.Symbol
        :math:`y = e^{-t}(m_0 - m_1)^T\Sigma_t^{-1}x/2 + \mathrm{const}`, centred so that
        :math:`P(0\mid x) = \tfrac12[1 + \tanh(y + a)]`.
    shift : sympy.Expr
        :math:`a = \tfrac12\log(w_0/w_1)`.
    posterior : sympy.Expr
        :math:`P(0\mid y) = \tfrac12[1 + \tanh(y + a)]` (derived from :func:`noised_mixture`).
    phi_integrand : sympy.Expr
        :math:`\sum_k P(k\mid y)^2 = 1 - \tfrac12\operatorname{sech}^2(y + a)`.
    entropy_integrand : sympy.Expr
        :math:`-\sum_k P\log P = \log(2\cosh(y + a)) - (y + a)\tanh(y + a)`.
    signal_to_noise : sympy.Expr
        :math:`r_t = e^{-2t}|m_0 - m_1|^2_{\Sigma_t^{-1}}/4` (:math:`d\tilde\mu^2e^{-2t}/\Gamma_t` for
        the symmetric mixture).
    class_means, class_variance : tuple of sympy.Expr, sympy.Expr
        y given class k is Gaussian with mean :math:`\pm r_t` (class 0: +) and variance :math:`r_t`.
    phi : sympy.Expr
        :math:`\phi(t) = \sum_k w_k E_{y\sim N(\pm r_t, r_t)}[\text{phi\_integrand}]` (unevaluated
        integrals).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 6 (``phi_GM``) and SI App. B.3;
    ``docs/theory/dynamical-regimes.md`` sec. 2.4.
    """

    model: SymbolicMixture
    y: sp.Symbol
    shift: sp.Expr
    posterior: sp.Expr
    phi_integrand: sp.Expr
    entropy_integrand: sp.Expr
    signal_to_noise: sp.Expr
    class_means: tuple
    class_variance: sp.Expr
    phi: sp.Expr


def cloning_integrand(model=None) -> CloningIntegrand:
    r"""Derive the integrands of :math:`\phi(t)` and of the class entropy of a two-class mixture.

    Parameters
    ----------
    model : SymbolicMixture or a numeric two-class mixture, optional
        Default the paper's symmetric mixture.

    Returns
    -------
    CloningIntegrand

    Notes
    -----
    The log-ratio of the two noised components (:func:`noised_mixture`) is affine in x,
    :math:`\log\frac{P(1\mid x)}{P(0\mid x)} = -2(y + a)` with :math:`a = \tfrac12\log(w_0/w_1)`, so
    :math:`P(0\mid x) = \tfrac12[1 + \tanh(y + a)]` and sympy simplifies

    .. math:: P_0^2 + P_1^2 = 1 - \tfrac12\operatorname{sech}^2(y + a),\qquad
              H = \log(2\cosh(y + a)) - (y + a)\tanh(y + a).

    Given class k, :math:`x \sim N(e^{-t}m_k, \Sigma_t)` and y is Gaussian with mean
    :math:`\pm r_t` and variance :math:`r_t = e^{-2t}|m_0 - m_1|^2_{\Sigma_t^{-1}}/4` (integrated
    coordinate by coordinate).  Two clones split at t end in the same class with probability
    :math:`\sum_k P(k\mid x_t)^2` averaged over :math:`x_t`: the paper's eq. 6 in one variable.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 6 (``phi_GM``) and SI App. B.3;
    ``docs/theory/dynamical-regimes.md`` sec. 2.4.

    Examples
    --------
    >>> from derivations import cloning_integrand
    >>> cloning_integrand().phi_integrand
    1 - sech(y)**2/2
    """
    return _cloning_integrand(as_symbolic_mixture(model))


@functools.lru_cache(maxsize=32)
def _cloning_integrand(model: SymbolicMixture) -> CloningIntegrand:
    if model.K != 2:
        raise ValueError(f"cloning_integrand: model must have K = 2 classes (got K = {model.K}); "
                         "more classes are integrated numerically by theory.speciation.phi")
    xs, means_t, var_t, logs = _noised_standins(model)
    delta = sp.expand(logs[1] - logs[0])                    # log P(1|x)/P(0|x), affine in x
    at_zero = delta.subs({xi: 0 for xi in xs})
    lin = sp.expand(delta - at_zero)
    y = sp.Symbol("y", real=True)
    w0, w1 = model.weights
    shift = sp.log(w0 / w1) / 2
    centre = sp.simplify(-at_zero / 2 - shift)               # y = -lin/2 + centre
    u = y + shift
    post = 1 / (1 + sp.exp(-2 * u))
    tanh_form = (1 + sp.tanh(u)) / 2
    if sp.simplify((post - tanh_form).rewrite(sp.exp)) != 0:          # pragma: no cover
        raise RuntimeError("P(0|y) is not (1 + tanh(y + a))/2")
    square = sp.simplify(tanh_form**2 + (1 - tanh_form) ** 2)
    phi_int = 1 - sp.sech(u) ** 2 / 2
    if sp.simplify((square - phi_int).rewrite(sp.exp)) != 0:          # pragma: no cover
        raise RuntimeError("P_0^2 + P_1^2 is not 1 - sech^2/2")
    ent = -(tanh_form * sp.log(tanh_form) + (1 - tanh_form) * sp.log(1 - tanh_form))
    ent_closed = sp.log(2 * sp.cosh(u)) - u * sp.tanh(u)
    probe = {y: sp.Rational(3, 7)}
    if shift.free_symbols:
        probe.update({s: sp.Rational(2, 5) for s in shift.free_symbols})
    if abs(sp.N((ent - ent_closed).subs(probe), 40)) > 1e-35:          # pragma: no cover
        raise RuntimeError("binary entropy is not log(2 cosh u) - u tanh u")
    # law of y = -lin/2 + centre given class k: y is affine in independent Gaussian coordinates,
    # whose first two moments are integrated one by one
    y_of_x = sp.expand(-lin / 2 + centre)
    coef = [y_of_x.coeff(xi) for xi in xs]
    const = sp.simplify(y_of_x.subs({xi: 0 for xi in xs}))
    means, second = [], []
    for k in range(2):
        mom1 = [sp.simplify(S.gaussian_expectation(xi, xi, means_t[k, i], var_t[i]))
                for i, xi in enumerate(xs)]
        mom2 = [sp.simplify(S.gaussian_expectation(xi**2, xi, means_t[k, i], var_t[i]))
                for i, xi in enumerate(xs)]
        means.append(sp.simplify(const + sum(c * m for c, m in zip(coef, mom1, strict=True))))
        second.append(sp.simplify(sum(c**2 * (m2 - m1**2)
                                      for c, m1, m2 in zip(coef, mom1, mom2, strict=True))))
    r = sp.factor(sp.simplify(second[0]))
    if sp.simplify(second[1] - r) != 0 or sp.simplify(means[0] - r) != 0 \
            or sp.simplify(means[1] + r) != 0:                          # pragma: no cover
        raise RuntimeError(f"y | class is not N(+-r, r): {means}, {second}")
    r_t = S.to_time(r)
    phi = sum(wk * sp.Integral(phi_int * S.normal_pdf(y, sign * r_t, r_t), (y, -sp.oo, sp.oo))
              for wk, sign in ((w0, 1), (w1, -1)))
    return CloningIntegrand(model=model, y=y, shift=shift, posterior=tanh_form, phi_integrand=phi_int,
                            entropy_integrand=ent_closed, signal_to_noise=r_t,
                            class_means=(r_t, -r_t), class_variance=r_t, phi=phi)
