r"""Check a user's expression against a derived result: symbolic simplification first, then a
high-precision numeric comparison at random parameter points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from . import _symbols as S
from ._catalog import catalog_entry

__all__ = ["Verification", "DifferingPoint", "verify"]

_ALIASES = {"lam": "lambda", "eps": "epsilon", "mu": "mu_tilde", "Delta_t": None}


@dataclass(frozen=True)
class DifferingPoint:
    """A parameter point where the two expressions differ.

    Attributes
    ----------
    point : dict
        Parameter values of the point.
    expression_value, reference_value : str
        The two expressions evaluated there (30 digits).
    relative_difference : float
        :math:`|a - b|/\\max(|a|, |b|)`.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491 (the results being verified).
    docs/theory/derivations.md sec. 5.
    """

    point: dict
    expression_value: str
    reference_value: str
    relative_difference: float


@dataclass(frozen=True)
class Verification:
    r"""The outcome of :func:`verify`.

    Attributes
    ----------
    result_name : str
    verdict : {"equal", "different", "inconclusive"}
    method : {"symbolic", "numeric"}
        How the verdict was reached (symbolic zero of the difference, or the numeric points).
    expression, reference : sympy.Expr
        The user's expression (symbols matched by name) and the derived one.
    points : int
        Parameter points evaluated (0 when the symbolic step settled it).
    differences : tuple of DifferingPoint
        Points where the relative difference exceeds ``rtol``.
    max_relative_difference : float
    skipped : int
        Points where an expression could not be evaluated (outside its domain).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491 (the results being verified).
    docs/theory/derivations.md sec. 5.
    """

    result_name: str
    verdict: str
    method: str
    expression: sp.Expr
    reference: sp.Expr
    points: int
    differences: tuple
    max_relative_difference: float
    skipped: int

    def __bool__(self) -> bool:
        return self.verdict == "equal"


def _match_symbols(expr, reference: sp.Expr) -> sp.Expr:
    """A sympy expression from ``expr`` (a string or an expression) with the reference's symbols."""
    by_name = {s.name: s for s in reference.free_symbols}
    for name in ("t", "sigma", "d", "mu_tilde", "alpha", "n", "lambda", "epsilon", "q", "Lambda"):
        by_name.setdefault(name, getattr(S, {"lambda": "lam", "epsilon": "eps"}.get(name, name)))
    local = dict(by_name)
    for alias, target in _ALIASES.items():
        if target is not None and target in by_name:
            local[alias] = by_name[target]
    local.update({"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh, "cosh": sp.cosh,
                  "sech": sp.sech, "pi": sp.pi, "E": sp.E, "Max": sp.Max, "Min": sp.Min})
    if isinstance(expr, str):
        parsed = sp.parse_expr(expr, local_dict=local)
    else:
        parsed = sp.sympify(expr)
    return parsed.xreplace({s: local[s.name] for s in parsed.free_symbols if s.name in local})


def _symbolic_zero(diff: sp.Expr) -> bool:
    diff = sp.sympify(diff)
    if diff == 0:
        return True
    if diff.has(sp.Max, sp.Min, sp.Integral):
        return False
    try:
        if sp.simplify(diff) == 0:
            return True
        w = sp.Symbol("w_e2t", positive=True)
        in_w = sp.expand_log(diff.subs(S.t, sp.log(w) / 2), force=True)
        in_w = S.sqrt_factor(sp.simplify(in_w))
        return sp.simplify(in_w) == 0
    except (TypeError, ValueError, NotImplementedError):        # pragma: no cover
        return False


def verify(expression, result_name: str, model=None, *, points: int = 12, dps: int = 30,
           rtol: float = 1e-20, seed: int = 0, domain: dict | None = None) -> Verification:
    r"""Tell whether a user's expression equals the package's derived result.

    Parameters
    ----------
    expression : str or sympy.Expr
        The user's expression; symbols are matched to the derived result's by name (``t``,
        ``sigma``, ``d``, ``mu_tilde`` or ``mu``, ``alpha``, ``lambda`` as ``lam``, ``epsilon`` as
        ``eps``, ...).
    result_name : str
        A catalog name (:func:`derivations.catalog`), e.g. ``"rem.rate_function"``.
    model : optional
        The model the derived result is taken for (default: the paper's).
    points : int
        Random parameter points of the numeric comparison.
    dps : int
        mpmath digits of the numeric comparison.
    rtol : float
        Relative difference above which a point counts as differing.
    seed : int
        Seed of the random points (reproducible).
    domain : dict, optional
        Sampling range ``(low, high)`` per symbol name, overriding the catalog's.

    Returns
    -------
    Verification
        ``verdict`` "equal" (symbolically, or at every point), "different" (with the points), or
        "inconclusive" (no point could be evaluated).

    Notes
    -----
    1. Symbolic: the difference is simplified, then again with :math:`e^{2t} = w` (every function
       of the OU time rational in w) and perfect-square radicands factored.
    2. Numeric: at ``points`` random points of the catalog's domain, both expressions are
       evaluated with mpmath at ``dps`` digits; a relative difference above ``rtol`` is a
       difference (round-off at 30 digits is ~1e-29).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C (the misprinted
    ``fdef`` and :math:`\varepsilon^*` that the examples check); ``docs/theory/derivations.md``.

    Examples
    --------
    >>> from derivations import verify
    >>> printed = "((1-exp(-2*t))**2 + 2*(1-exp(-2*t))*sigma**2*exp(-2*t) + lam*sigma**2*exp(-2*t))" \
    ...           "/(2*(1-exp(-2*t) + lam*sigma**2*exp(-2*t))**2)"
    >>> verify(printed, "rem.energy").verdict
    'different'
    """
    entry = catalog_entry(result_name)
    if entry.expression is None:
        raise ValueError(f"result {result_name!r} has no single derived expression to compare with")
    reference = sp.sympify(entry.expression(model))
    expr = _match_symbols(expression, reference)
    if _symbolic_zero(expr - reference):
        return Verification(result_name, "equal", "symbolic", expr, reference, 0, (), 0.0, 0)
    ranges = dict(entry.domain)
    if domain:
        ranges.update(domain)
    symbols = sorted(expr.free_symbols | reference.free_symbols, key=lambda s: s.name)
    rng = np.random.default_rng(seed)
    import mpmath as mp

    f_user = sp.lambdify(symbols, expr, modules="mpmath")
    f_ref = sp.lambdify(symbols, reference, modules="mpmath")
    diffs, worst, done, skipped = [], 0.0, 0, 0
    with mp.workdps(dps):
        for _ in range(points):
            values = {}
            for sym in symbols:
                lo, hi = ranges.get(sym.name, (0.1, 3.0) if sym.is_positive else (-3.0, 3.0))
                values[sym] = mp.mpf(float(rng.uniform(lo, hi)))
            try:
                a = f_user(*values.values())
                b = f_ref(*values.values())
                a_c, b_c = mp.mpc(a), mp.mpc(b)
            except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                skipped += 1
                continue
            done += 1
            scale = max(abs(a_c), abs(b_c), mp.mpf(10) ** (-dps + 5))
            rel = float(abs(a_c - b_c) / scale)
            worst = max(worst, rel)
            if rel > rtol:
                diffs.append(DifferingPoint({s.name: float(v) for s, v in values.items()},
                                            mp.nstr(a, 15), mp.nstr(b, 15), rel))
    verdict = "inconclusive" if done == 0 else ("different" if diffs else "equal")
    return Verification(result_name, verdict, "numeric", expr, reference, done, tuple(diffs), worst,
                        skipped)
