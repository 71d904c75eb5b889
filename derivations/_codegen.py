r"""Code generation: print derived sympy expressions as numpy/mpmath functions of the time map.

The numeric layer may not write :math:`e^{2t} - 1`, :math:`1 - e^{-2t}` or :math:`\tfrac12\log(1 + s)`
inline (``docs/architecture.md``, "One source per formula"): every such piece is a call of the
time-map kernels of ``theory/timemap.py`` (``_ve``, ``_delta``, ``_alphabar``, ``_ou_from_ve``),
which accept numpy values and mpmath numbers alike.  The printer therefore rewrites a derived
expression in those kernels:

1. each time argument :math:`\tau` is replaced by the VE variance :math:`s = e^{2\tau} - 1`
   (``form="ve"``), or every :math:`e^{-2\tau}` by :math:`\bar a` and :math:`1 - \bar a` by
   :math:`\Delta` (``form="standins"``); the result is simplified as a function of those;
2. each :math:`\log X` becomes :math:`\operatorname{log1p}(X - 1)` or :math:`-\operatorname{log1p}(1/X - 1)`
   when that argument is simpler (preferring a sign-definite one: no cancellation inside), and
   :math:`\pm\tfrac12\operatorname{log1p}(Y)` becomes :math:`\pm` ``_ou_from_ve(Y)``;
3. :math:`s`, :math:`\Delta`, :math:`\bar a` are printed as ``_ve(tau)``, ``_delta(tau)``,
   ``_alphabar(tau)``, common subexpressions shared.

A function whose printed body uses only arithmetic and those kernels is backend-neutral (numpy
or mpmath); others use numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.printing.numpy import NumPyPrinter

__all__ = ["GeneratedFunction", "numeric_form", "function_source", "module_source"]


class _Kernel(sp.Function):
    """A time-map kernel of theory/timemap.py, printed as a call."""

    kernel = ""
    nargs = 1

    def _numpycode(self, printer) -> str:
        return f"{self.kernel}({printer._print(self.args[0])})"

    _pythoncode = _numpycode


class VE(_Kernel):
    r""":math:`e^{2x} - 1` (``theory.timemap._ve``)."""

    kernel = "_ve"


class Delta(_Kernel):
    r""":math:`1 - e^{-2x}` (``theory.timemap._delta``)."""

    kernel = "_delta"


class Alphabar(_Kernel):
    r""":math:`e^{-2x}` (``theory.timemap._alphabar``)."""

    kernel = "_alphabar"


class OUFromVE(_Kernel):
    r""":math:`\tfrac12\log(1 + x)` (``theory.timemap._ou_from_ve``)."""

    kernel = "_ou_from_ve"


KERNELS = (VE, Delta, Alphabar, OUFromVE)


@dataclass(frozen=True)
class GeneratedFunction:
    """One function of a generated module.

    ``derive`` returns the derived expression in the symbols named by ``args`` (sympy symbols whose
    names are the argument names); ``times`` names the arguments that are OU times (or, like
    alpha, enter through :math:`e^{2\\alpha}`); ``form`` is ``"ve"`` or ``"standins"``; ``source``
    names the derivation and field; ``summary`` and ``reference`` make the docstring.
    """

    name: str
    args: tuple[str, ...]
    derive: Callable[[], sp.Expr]
    times: tuple[str, ...]
    form: str
    source: str
    summary: str
    reference: str


def _ops(expr: sp.Expr) -> int:
    return int(sp.count_ops(expr))


def _log_rule(arg: sp.Expr) -> sp.Expr:
    """log(arg) as log1p(arg - 1), -log1p(1/arg - 1) or log(arg), whichever is safest."""
    arg = sp.cancel(arg)
    cands = [(sp.factor(sp.cancel(arg - 1)), 1), (sp.factor(sp.cancel(1 / arg - 1)), -1)]
    best = None
    for y, sign in cands:
        key = (0 if y.is_positive else 1, _ops(y))
        if best is None or key < best[0]:
            best = (key, y, sign)
    (definite, ops), y, sign = best
    if definite == 0 or ops <= _ops(arg):
        return sign * log1p(y)
    return sp.log(arg)


def _combine_logs(expr: sp.Expr) -> sp.Expr:
    """In every sum, c log X - c log Y -> c log(X/Y) (same |c|): one log of a ratio."""
    if expr.is_Atom:
        return expr
    expr = expr.func(*[_combine_logs(a) for a in expr.args])
    if not expr.is_Add:
        return expr
    groups: dict[sp.Expr, sp.Expr] = {}
    rest = []
    for term in expr.args:
        coeff, body = term.as_coeff_Mul()
        if isinstance(body, sp.log):
            key = abs(coeff)
            groups[key] = groups.get(key, sp.S.One) * body.args[0] ** sp.sign(coeff)
        else:
            rest.append(term)
    return sp.Add(*rest, *[c * sp.log(sp.cancel(arg)) for c, arg in groups.items()])


def _half_log1p(expr: sp.Expr) -> sp.Expr:
    """+-(1/2) log1p(Y) -> +-OUFromVE(Y), anywhere in the tree."""
    if expr.is_Atom:
        return expr
    args = [_half_log1p(a) for a in expr.args]
    expr = expr.func(*args) if args else expr
    if expr.is_Mul:
        coeff, rest = expr.as_coeff_Mul()
        if isinstance(rest, log1p) and abs(coeff) == sp.Rational(1, 2):
            return sp.sign(coeff) * OUFromVE(rest.args[0])
        if isinstance(rest, sp.Mul):
            logs = [a for a in rest.args if isinstance(a, log1p)]
            if len(logs) == 1 and abs(coeff) == sp.Rational(1, 2):
                other = rest / logs[0]
                return sp.sign(coeff) * other * OUFromVE(logs[0].args[0])
    return expr


def numeric_form(expr: sp.Expr, times: dict[str, sp.Symbol], form: str = "ve") -> sp.Expr:
    r"""Rewrite a derived expression in the time-map kernels.

    Parameters
    ----------
    expr : sympy.Expr
        Derived expression; its time arguments appear through exponentials.
    times : dict
        Argument name -> symbol of each time argument.
    form : {"ve", "standins"}
        Variables the expression is simplified in: the VE variance :math:`s = e^{2\tau} - 1`, or
        :math:`\Delta_\tau` and :math:`e^{-2\tau}`.

    Returns
    -------
    sympy.Expr
        An expression in the argument symbols and the kernel functions :class:`VE`,
        :class:`Delta`, :class:`Alphabar`, :class:`OUFromVE`, with ``log1p`` where it avoids
        cancellation.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 1-2 (OU time map);
    ``docs/architecture.md`` ("One source per formula").
    """
    if form not in ("ve", "standins"):
        raise ValueError(f"form must be 've' or 'standins' (got {form!r})")
    out = sp.sympify(expr)
    back = {}
    for name, tau in times.items():
        if form == "ve":
            s_var = sp.Symbol(f"_ve_{name}", positive=True)
            out = sp.simplify(out.subs(tau, sp.log(1 + s_var) / 2))
            back[s_var] = VE(tau)
        else:
            a_var = sp.Symbol(f"_alphabar_{name}", positive=True)
            d_var = sp.Symbol(f"_delta_{name}", positive=True)
            out = out.subs(sp.exp(-2 * tau), a_var).subs(1 - a_var, d_var)
            if out.has(tau):
                raise ValueError(f"{name} left after writing e^(-2 {name}) and Delta: {out}")
            back[a_var] = Alphabar(tau)
            back[d_var] = Delta(tau)
    out = _combine_logs(out)
    out = out.replace(lambda z: isinstance(z, sp.log), lambda z: _log_rule(z.args[0]))
    out = _half_log1p(out)
    return out.xreplace(back)


class _Printer(NumPyPrinter):
    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "inline": True})

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Half(self, expr):
        return "0.5"


def _print(expr: sp.Expr) -> str:
    return _Printer().doprint(expr).replace("numpy.", "np.")


def function_source(fn: GeneratedFunction) -> str:
    """Python source of one generated function (body from :func:`numeric_form`)."""
    symbols = {a: sp.Symbol(a) for a in fn.args}
    expr = fn.derive()
    by_name = {s.name: s for s in expr.free_symbols}
    extra = set(by_name) - set(fn.args)
    if extra:
        raise ValueError(f"{fn.name}: the derived expression has symbols {sorted(extra)} that are not "
                         f"arguments {fn.args}")
    plain = expr.xreplace({s: symbols[s.name] for s in expr.free_symbols})
    numeric = numeric_form(plain, {t: symbols[t] for t in fn.times}, fn.form)
    repl, (body,) = sp.cse(numeric, symbols=sp.numbered_symbols("_x"), optimizations=None)
    lines = [f"def {fn.name}({', '.join(fn.args)}):",
             f'    """{fn.summary}', "",
             f"    Generated from ``{fn.source}``.", "",
             "    References", "    ----------",
             f"    {fn.reference}", '    """']
    for sym, val in repl:
        lines.append(f"    {sym} = {_print(val)}")
    lines.append(f"    return {_print(body)}")
    return "\n".join(_wrap(line) for line in lines)


def _wrap(line: str, width: int = 110) -> str:
    return line if len(line) <= width else line + "  # noqa: E501"


_HEADER = '''"""Closed forms printed from the sympy derivations (generated: do not edit).

Regenerate with ``python -m derivations.generate``; ``tests/test_generated.py`` regenerates this
module and fails on any difference.  Every time enters through the time-map kernels of
:mod:`theory.timemap`; a body made only of arithmetic and those kernels accepts numpy values and
mpmath numbers alike.
"""

from __future__ import annotations
'''


def module_source(functions: list[GeneratedFunction]) -> str:
    """Source text of a generated module holding ``functions``."""
    bodies = [function_source(fn) for fn in functions]
    text = "\n".join(bodies)
    kernels = sorted({k.kernel for k in KERNELS if f"{k.kernel}(" in text})
    imports = []
    if "np." in text:
        imports.append("import numpy as np")
    head = _HEADER + "\n"
    if imports:
        head += "\n".join(imports) + "\n\n"
    if kernels:
        head += f"from .timemap import {', '.join(kernels)}\n"
    names = [f'"{fn.name}"' for fn in functions]
    rows, row = [], "__all__ = ["
    for i, name in enumerate(names):
        piece = name + (", " if i < len(names) - 1 else "]")
        if len(row) + len(piece) > 100:
            rows.append(row.rstrip())
            row = "           "
        row += piece
    rows.append(row)
    head += "\n" + "\n".join(rows) + "\n"
    return head + "\n\n" + "\n\n\n".join(bodies) + "\n"
