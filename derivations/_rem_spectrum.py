r"""The random energy model of the collapse for any within-class spectrum.

A point generated from the training point :math:`a^1` sees the other points of its class at the
energies :math:`E^\mu = |x - a^\mu e^{-t}|^2/(2\Delta_t)`.  When the within-class covariance has
eigenvalues :math:`v_j` on fractions :math:`\rho_j` of the d coordinates, the energies are sums of
independent per-coordinate terms, so the cumulant generating function is the
:math:`\rho`-weighted sum of the one-variance one derived in :func:`derivations.rem_collapse`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S
from ._models import SymbolicManifold, SymbolicMixture, as_symbolic_mixture, exact_number
from .rem import _cgf, rem_collapse

__all__ = ["SpectrumREM", "spectrum_rem", "collapse_time", "spectrum_groups"]

_V = sp.Symbol("v", positive=True)            # one within-class variance
_ST2 = sp.Symbol("st2_v", positive=True)      # its stand-in v e^{-2t}
_W = sp.Symbol("w_e2t", positive=True)        # e^{2t}


@functools.cache
def _group_cgf() -> sp.Expr:
    """Per-coordinate cgf of one variance v, in the stand-ins (Delta, E)."""
    _, _, g = _cgf(S.Delta, _ST2)
    return g.subs(_ST2, _V * S.E**2)


def _merge(groups: list[tuple[sp.Expr, sp.Expr]]) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
    out: dict[sp.Expr, sp.Expr] = {}
    for frac, var in groups:
        out[var] = out.get(var, sp.S.Zero) + frac
    return tuple((sp.nsimplify(f) if f.is_number else f, v) for v, f in out.items())


def spectrum_groups(model=None, groups: Sequence | None = None) -> tuple[tuple[sp.Expr, sp.Expr], ...]:
    r"""Within-class spectrum as groups :math:`(\rho_j, v_j)` (fractions of the d coordinates).

    Parameters
    ----------
    model : SymbolicMixture, SymbolicManifold or a numeric model, optional
        A mixture (its class covariance), a linear manifold (its blocks, and the d - m normal
        directions at variance 0), or a Gaussian with a ``spectrum`` attribute.
    groups : sequence of (fraction, variance), optional
        Given directly instead of a model.

    Returns
    -------
    tuple of (sympy.Expr, sympy.Expr)
        Equal variances merged.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``) and SI
    App. C; ``docs/theory/dynamical-regimes.md`` sec. 3.3.
    """
    if groups is not None:
        return _merge([(exact_number(f), exact_number(v)) for f, v in groups])
    if isinstance(model, SymbolicManifold) or (model is not None and hasattr(model, "dims")):
        man = model if isinstance(model, SymbolicManifold) else SymbolicManifold.from_model(model)
        gs = [(f, v) for f, v in zip(man.fractions, man.variances, strict=True)]
        rest = sp.simplify(1 - sum(man.fractions))
        if rest != 0:
            gs.append((rest, sp.S.Zero))
        return _merge(gs)
    if model is not None and hasattr(model, "spectrum") and not hasattr(model, "means"):
        vals = [exact_number(float(v)) for v in model.spectrum]
        return _merge([(sp.Rational(1, len(vals)), v) for v in vals])
    mix = as_symbolic_mixture(model)
    if mix.covariance_kind == "isotropic":
        return ((sp.S.One, mix.covariance),)
    return _merge([(sp.Rational(1, mix.r), v) for v in mix.variances])


@dataclass(frozen=True)
class SpectrumREM:
    r"""Random energy model of the collapse for a within-class spectrum :math:`\{(\rho_j, v_j)\}`.

    Attributes
    ----------
    groups : tuple of (sympy.Expr, sympy.Expr)
    t, lam, eps, alpha : sympy.Symbol
    group_cgf : sympy.Expr
        One coordinate of variance v: :math:`\tfrac12\log\frac{\Delta_t}{\Delta_t + \lambda v e^{-2t}}
        - \frac{\lambda(\Delta_t + ve^{-2t})}{2(\Delta_t + \lambda ve^{-2t})}` (integrated, with v the
        symbol ``v``).
    cgf : sympy.Expr
        :math:`g_t(\lambda) = \sum_j \rho_j g^{(1)}_t(\lambda; v_j)`.
    energy : sympy.Expr
        :math:`\varepsilon^*(\lambda) = -g_t'(\lambda)`.
    energy_at_one : sympy.Expr
        :math:`\varepsilon^*(1)`, simplified: :math:`\tfrac12\sum_j\rho_j` (1/2 when the fractions sum
        to 1).
    convexity : sympy.Expr
        :math:`g_t''(\lambda)`, a sum of positive terms (so :math:`\lambda^*(\varepsilon)` is unique).
    legendre_condition : sympy.Eq
        :math:`\varepsilon^*(\lambda) = \varepsilon`, which defines :math:`\lambda^*(\varepsilon)`.
    rate_function : sympy.Expr or None
        :math:`f_t(\varepsilon)` in closed form (one group), else None.
    rate_at_half : sympy.Expr
        :math:`f_t(\tfrac12) = -\tfrac12 - g_t(1) = \tfrac12\sum_j\rho_j\log(1 + v_j/(e^{2t}-1))`.
    condensation : sympy.Eq
        :math:`\alpha = f_t(\tfrac12)`: the t_C equation.
    excess_entropy : sympy.Expr
        :math:`f^e(t) = \max(0, \alpha - f_t(\tfrac12))`.
    collapse_time : sympy.Expr or None
        Root of the condensation equation in closed form (one group: eq. 10), else None.
    assumptions : tuple of str

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C, eq. 5
    (``crit-coll``) and eq. 10 (``tc_GM``); ``docs/theory/dynamical-regimes.md`` secs. 3.2-3.3.
    """

    groups: tuple
    t: sp.Symbol
    lam: sp.Symbol
    eps: sp.Symbol
    alpha: sp.Symbol
    group_cgf: sp.Expr
    cgf: sp.Expr
    energy: sp.Expr
    energy_at_one: sp.Expr
    convexity: sp.Expr
    legendre_condition: sp.Eq
    rate_function: sp.Expr | None
    rate_at_half: sp.Expr
    condensation: sp.Eq
    excess_entropy: sp.Expr
    collapse_time: sp.Expr | None
    assumptions: tuple


_U = sp.Symbol("u_e2alpha", positive=True)   # e^{2 alpha}


@functools.cache
def _group_rate_at_half() -> sp.Expr:
    r"""One variance v: :math:`-\tfrac12 - g^{(1)}_t(1; v)`, simplified to
    :math:`\tfrac12\log(1 + v/(e^{2t} - 1))` (its log argument written as 1 + (A - 1))."""
    g1 = _group_cgf()
    h = sp.simplify((-sp.Rational(1, 2) - g1.subs(S.lam, 1)).subs(
        {S.E: 1 / sp.sqrt(_W), S.Delta: 1 - 1 / _W}))
    h = sp.logcombine(sp.expand_log(h, force=True), force=True)
    coeff, log_part = h.as_independent(_W, _V, as_Add=True)
    factor, log_term = log_part.as_coeff_Mul()
    if coeff != 0 or not isinstance(log_term, sp.log):               # pragma: no cover
        raise RuntimeError(f"f_t(1/2) of one variance is not a logarithm: {h}")
    arg = sp.cancel(log_term.args[0])
    squared = sp.cancel(sp.expand(arg**2))
    if arg.atoms(sp.Pow) and not any(p.exp == sp.S.Half for p in squared.atoms(sp.Pow)):
        factor, arg = factor / 2, squared            # log sqrt(A) = log(A)/2
    return factor * sp.log(1 + sp.factor(sp.cancel(arg - 1)))


def spectrum_rem(model=None, groups: Sequence | None = None) -> SpectrumREM:
    r"""Derive the REM of the collapse for any within-class spectrum.

    Parameters
    ----------
    model : SymbolicMixture, SymbolicManifold or a numeric model, optional
        See :func:`spectrum_groups`; default the paper's symmetric mixture (one group
        :math:`\sigma^2`).
    groups : sequence of (fraction, variance), optional
        The spectrum directly.

    Returns
    -------
    SpectrumREM

    Notes
    -----
    (i) The energy of a point of the class is a sum over coordinates; per coordinate of variance
    v the mgf is integrated by sympy (:func:`derivations.rem_collapse`), and the typical squared
    distance :math:`|x - m e^{-t}|^2/d \to \sum_j\rho_j(v_je^{-2t} + \Delta_t)` is its mean (self-
    averaging at large d):

    .. math:: g_t(\lambda) = \sum_j\rho_j\Big[\tfrac12\log\frac{\Delta_t}{\Delta_t + \lambda v_je^{-2t}}
              - \frac{\lambda(\Delta_t + v_je^{-2t})}{2(\Delta_t + \lambda v_je^{-2t})}\Big].

    (ii) :math:`\varepsilon^*(\lambda) = -g'` has :math:`\varepsilon^*(1) = \tfrac12` for every
    spectrum and :math:`g'' > 0`, so :math:`\lambda^*(\tfrac12) = 1` and

    .. math:: f_t(\tfrac12) = -\tfrac12 - g_t(1)
              = \tfrac12\sum_j\rho_j\log\Big(1 + \frac{v_j}{e^{2t} - 1}\Big).

    (iii) Condensation :math:`\alpha = f_t(\tfrac12)` is the t_C equation of
    ``docs/theory/dynamical-regimes.md`` sec. 3.3; one group gives eq. 10,
    :math:`t_C = \tfrac12\log(1 + v/(e^{2\alpha} - 1))`, and :math:`f^e = \max(0, \alpha - f_t(\tfrac12))`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C (REM), eq. 5
    (``crit-coll``) and eq. 10 (``tc_GM``); Derrida (1981), Phys. Rev. B 24, 2613;
    ``docs/theory/dynamical-regimes.md`` secs. 3.2-3.3.

    Examples
    --------
    >>> from derivations import spectrum_rem
    >>> spectrum_rem().collapse_time
    log(sigma**2/(exp(2*alpha) - 1) + 1)/2
    """
    return _spectrum_rem(spectrum_groups(model, groups))


@functools.lru_cache(maxsize=64)
def _spectrum_rem(groups: tuple) -> SpectrumREM:
    g1 = _group_cgf()
    cgf = sum(f * g1.subs(_V, v) for f, v in groups)
    energy = -sp.diff(cgf, S.lam)
    at_one = sp.simplify(energy.subs(S.lam, 1))
    total = sp.simplify(sum(f for f, _ in groups))
    if sp.simplify(at_one - total / 2) != 0:                       # pragma: no cover
        raise RuntimeError(f"epsilon*(1) = {at_one}, not half the total fraction {total}")
    convexity = sp.diff(cgf, S.lam, 2)
    per_group = sp.factor(sp.diff(g1, S.lam, 2))
    if not (per_group.subs(_V, 1).subs(S.lam, 1).is_positive or per_group.is_positive):
        raise RuntimeError(f"g'' = {per_group} is not positive")     # pragma: no cover
    h = _group_rate_at_half()
    rate_half = sum(f * h.subs(_V, v) for f, v in groups).subs(_W, sp.exp(2 * S.t))
    check = sp.simplify((-total / 2 - cgf.subs(S.lam, 1)).subs(
        {S.E: 1 / sp.sqrt(_W), S.Delta: 1 - 1 / _W}) - rate_half.subs(sp.exp(2 * S.t), _W))
    if sp.simplify(sp.expand_log(check, force=True)) != 0:          # pragma: no cover
        raise RuntimeError(f"f_t(1/2) differs from -1/2 - g_t(1): {check}")
    condensation = sp.Eq(S.alpha, rate_half)
    t_c = None
    rate_fn = None
    if len(groups) == 1:
        frac, var = groups[0]
        rem = rem_collapse()
        sigma_sub = {S.sigma: sp.sqrt(var)}
        rate_fn = rem.rate_function.subs(sigma_sub)
        if frac == 1:
            w_root = sp.solve(sp.Eq(_U, sp.exp(2 * rate_half).subs(sp.exp(2 * S.t), _W)), _W)
            if len(w_root) == 1:
                t_c = sp.log(1 + sp.cancel(w_root[0] - 1).subs(_U, sp.exp(2 * S.alpha))) / 2
    return SpectrumREM(
        groups=groups, t=S.t, lam=S.lam, eps=S.eps, alpha=S.alpha,
        group_cgf=S.to_time(g1), cgf=S.to_time(cgf), energy=S.to_time(energy),
        energy_at_one=at_one, convexity=S.to_time(convexity),
        legendre_condition=sp.Eq(S.to_time(energy), S.eps), rate_function=rate_fn,
        rate_at_half=rate_half, condensation=condensation,
        excess_entropy=sp.Max(0, S.alpha - rate_half), collapse_time=t_c,
        assumptions=("large-d limit", "self-averaging", "REM (independent energies)",
                     "annealed approximation above t_C"),
    )


def collapse_time(model=None) -> sp.Expr:
    r"""Collapse time :math:`t_C(\alpha)` of a mixture with isotropic classes: eq. 10.

    Parameters
    ----------
    model : SymbolicMixture or a numeric mixture, optional
        Isotropic class covariance :math:`\sigma^2 I` (symbol or number); default the paper's
        mixture.

    Returns
    -------
    sympy.Expr
        :math:`\tfrac12\log\big(1 + \sigma^2/(e^{2\alpha} - 1)\big)`, an expression of
        :math:`\alpha = \log(n)/d` (and of the model's symbols).

    Raises
    ------
    ValueError
        For a within-class spectrum with more than one variance (then the t_C equation
        ``spectrum_rem(model).condensation`` has no closed form).

    Notes
    -----
    The root of :math:`\alpha = f_t(\tfrac12) = \tfrac12\log(1 + \sigma^2/(e^{2t}-1))`
    (:func:`spectrum_rem`); the class means do not enter at this order.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 10 (``tc_GM``) and SI App. C;
    ``docs/theory/dynamical-regimes.md`` sec. 3.2.

    Examples
    --------
    >>> from derivations import SymbolicMixture, collapse_time
    >>> collapse_time(SymbolicMixture([[1], [-1], [3]], covariance=4))
    log(1 + 4/(exp(2*alpha) - 1))/2
    """
    mix = model if isinstance(model, SymbolicMixture) else (
        SymbolicMixture.symmetric() if model is None else SymbolicMixture.from_model(model))
    rem = spectrum_rem(mix)
    if rem.collapse_time is None:
        raise ValueError(f"collapse_time: the within-class spectrum has {len(rem.groups)} distinct "
                         "variances; t_C has no closed form, solve spectrum_rem(model).condensation")
    return rem.collapse_time
