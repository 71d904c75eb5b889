r"""Numpy functions of the derived expressions, lambdified once per process.

Tests and interactive work call :func:`compiled` instead of re-deriving or re-lambdifying: the
derivation of each subject is cached (``functools.cache``) and so is each lambdified function.  The
numeric layer (``theory``) never calls it (it would import sympy): its closed forms are printed
into ``theory/_generated_closed_forms.py`` by ``python -m derivations.generate`` or checked against
the derivations by ``tests/test_cross_layer.py`` (``docs/theory/derivations.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import sympy as sp
from sympy.codegen.rewriting import optimize, optims_c99

from . import _symbols as S
from .gaussian_mixture_score import gm_score
from .landau import landau_expansion, regime_one_potential
from .rem import rem_collapse

__all__ = ["compiled", "COMPILED_NAMES", "compiled_arguments"]


class _Entry(NamedTuple):
    derive: Callable[[], object]
    fields: str | tuple[str, ...]
    args: tuple[str, ...]
    c99: bool = False


# name -> (derivation, dataclass field(s), argument symbols in order, rewrite with expm1/log1p)
_ENTRIES: dict[str, _Entry] = {
    "gm_score": _Entry(gm_score, ("coef_x", "coef_m"), ("t", "sigma", "h")),
    "gm_score.gamma": _Entry(gm_score, "Gamma", ("t", "sigma")),
    "landau.m_eigenvalue": _Entry(landau_expansion, "m_eigenvalue", ("t", "Lambda")),
    "landau.m_si_eigenvalue": _Entry(landau_expansion, "m_si_eigenvalue", ("t", "Lambda")),
    "landau.t_consistent": _Entry(landau_expansion, "t_consistent", ("Lambda",)),
    "landau.t_si": _Entry(landau_expansion, "t_si", ("Lambda",)),
    "landau.gm_hessian": _Entry(landau_expansion, ("gm_hessian_parallel", "gm_hessian_orthogonal"),
                                ("t", "sigma", "d", "mu_tilde")),
    "landau.gm_t_hessian": _Entry(landau_expansion, "gm_t_hessian", ("d", "mu_tilde", "sigma")),
    "landau.gm_lambda": _Entry(landau_expansion, "gm_Lambda", ("d", "mu_tilde", "sigma")),
    "landau.gm_t_paper": _Entry(landau_expansion, "gm_t_paper", ("d", "mu_tilde")),
    "landau.potential": _Entry(regime_one_potential, "potential", ("q", "t", "d", "mu_tilde")),
    "landau.curvature": _Entry(regime_one_potential, "curvature", ("t", "d", "mu_tilde")),
    "landau.t_star": _Entry(regime_one_potential, "t_star", ("d", "mu_tilde")),
    "rem.cgf": _Entry(rem_collapse, "cgf", ("lam", "t", "sigma")),
    "rem.energy": _Entry(rem_collapse, "energy", ("lam", "t", "sigma")),
    "rem.lambda_star": _Entry(rem_collapse, "lambda_star", ("eps", "t", "sigma")),
    "rem.rate_function": _Entry(rem_collapse, "rate_function", ("eps", "t", "sigma")),
    "rem.annealed_free_entropy": _Entry(rem_collapse, "annealed_free_entropy",
                                        ("t", "sigma", "alpha")),
    "rem.free_entropy": _Entry(rem_collapse, "free_entropy", ("t", "sigma", "alpha")),
    "rem.collapse_time": _Entry(rem_collapse, "collapse_time", ("alpha", "sigma"), c99=True),
    "rem.collapse_time_n": _Entry(rem_collapse, "collapse_time_n", ("n", "d", "sigma"), c99=True),
    "rem.excess_entropy": _Entry(rem_collapse, "excess_entropy", ("t", "sigma", "alpha")),
}

COMPILED_NAMES: tuple[str, ...] = tuple(_ENTRIES)
"""The names accepted by :func:`compiled`."""


def _check(name: str) -> _Entry:
    try:
        return _ENTRIES[name]
    except KeyError:
        raise ValueError(f"unknown derived expression {name!r}; valid names: "
                         f"{', '.join(COMPILED_NAMES)}") from None


def compiled_arguments(name: str) -> tuple[str, ...]:
    r"""Argument names, in order, of the function returned by :func:`compiled`.

    Parameters
    ----------
    name : str
        One of :data:`COMPILED_NAMES`.

    Returns
    -------
    tuple of str

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).

    Notes
    -----
    The order is the one listed in :func:`compiled`; e.g. ``rem.rate_function`` takes
    :math:`(\varepsilon, t, \sigma)` and returns :math:`f_t(\varepsilon)`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024); see the derivation behind each name.
    docs/theory/derivations.md sec. 2.

    Examples
    --------
    >>> from derivations import compiled_arguments
    >>> compiled_arguments("rem.rate_function")
    ('eps', 't', 'sigma')
    """
    return _check(name).args


@functools.cache
def compiled(name: str) -> Callable[..., object]:
    r"""Numpy function of a named derived expression, lambdified once and cached.

    Parameters
    ----------
    name : str
        Which expression.  Each entry reads ``name (arguments in order)``: value.

        - ``gm_score (t, sigma, h)``: tuple ``(coef_x, coef_m)`` with
          :math:`S(x,t) = \mathrm{coef\_x}\,x + \mathrm{coef\_m}\,m` and :math:`h = x\cdot m`.
        - ``gm_score.gamma (t, sigma)``: :math:`\Gamma_t = \Delta_t + \sigma^2 e^{-2t}`.
        - ``landau.m_eigenvalue (t, Lambda)``: :math:`1 - e^{-2t}\Lambda/\Delta_t`.
        - ``landau.m_si_eigenvalue (t, Lambda)``: :math:`1 - e^{-2t}\Lambda` (SI's printed M).
        - ``landau.t_consistent (Lambda)``: :math:`\tfrac12\log(\Lambda + 1)`.
        - ``landau.t_si (Lambda)``: :math:`\tfrac12\log\Lambda`.
        - ``landau.gm_hessian (t, sigma, d, mu_tilde)``: tuple (along m, orthogonal to m) of the
          Hessian eigenvalues of :math:`\log P_t` at 0 for the mixture.
        - ``landau.gm_t_hessian (d, mu_tilde, sigma)``:
          :math:`\tfrac12\log(d\tilde\mu^2 + 1 - \sigma^2)`.
        - ``landau.gm_lambda (d, mu_tilde, sigma)``: :math:`d\tilde\mu^2 + \sigma^2`.
        - ``landau.gm_t_paper (d, mu_tilde)``: :math:`\tfrac12\log(d\tilde\mu^2)`.
        - ``landau.potential (q, t, d, mu_tilde)``: :math:`V(q,t)`.
        - ``landau.curvature (t, d, mu_tilde)``: :math:`\partial_q^2 V(0,t)`.
        - ``landau.t_star (d, mu_tilde)``: :math:`\tfrac12\log(2d\tilde\mu^2)`.
        - ``rem.cgf (lam, t, sigma)``: :math:`g_t(\lambda)`.
        - ``rem.energy (lam, t, sigma)``: :math:`\varepsilon^*(\lambda) = -g_t'(\lambda)`.
        - ``rem.lambda_star (eps, t, sigma)``: :math:`\lambda^*(\varepsilon)`.
        - ``rem.rate_function (eps, t, sigma)``: :math:`f_t(\varepsilon)`.
        - ``rem.annealed_free_entropy (t, sigma, alpha)``: :math:`\alpha + g_t(1)`.
        - ``rem.free_entropy (t, sigma, alpha)``: :math:`\max(-\tfrac12, \alpha + g_t(1))`.
        - ``rem.collapse_time (alpha, sigma)``: :math:`t_C` (expm1 form).
        - ``rem.collapse_time_n (n, d, sigma)``: :math:`t_C` (expm1 form).
        - ``rem.excess_entropy (t, sigma, alpha)``: :math:`f^e(t)`.

    Returns
    -------
    callable
        A :func:`sympy.lambdify` function (numpy backend, common subexpressions shared) that
        broadcasts over array arguments; the same object on every call with the same name.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Notes
    -----
    The functions evaluate the derived expressions as they are, in float64; only ``t_C`` is
    rewritten with ``expm1``/``log1p`` (:data:`sympy.codegen.rewriting.optims_c99`) because
    :math:`n^{2/d} - 1` is tiny at large d.  Arguments must lie in the physical domain
    (e.g. :math:`t > 0`, :math:`\Delta_t + \lambda\sigma_t^2 > 0`).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard, "Dynamical Regimes of Diffusion Models",
    arXiv:2402.18491 (2024); the equation behind each name is cited by the derivation that
    produces it (:func:`derivations.gm_score`, :func:`derivations.landau_expansion`,
    :func:`derivations.regime_one_potential`, :func:`derivations.rem_collapse`).
    docs/theory/derivations.md sec. 2.

    Examples
    --------
    >>> from derivations import compiled
    >>> t_c = compiled("rem.collapse_time_n")
    >>> round(float(t_c(20000, 1024, 1.0)), 6)
    1.977547
    """
    entry = _check(name)
    derived = entry.derive()
    fields = (entry.fields,) if isinstance(entry.fields, str) else entry.fields
    exprs = [getattr(derived, f) for f in fields]
    if entry.c99:
        exprs = [optimize(e.subs(S.n ** (2 / S.d), sp.exp(2 * sp.log(S.n) / S.d)), optims_c99)
                 for e in exprs]
    args = tuple(getattr(S, a) for a in entry.args)
    target = exprs[0] if isinstance(entry.fields, str) else tuple(exprs)
    return sp.lambdify(args, target, modules="numpy", cse=True)
