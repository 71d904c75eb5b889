r"""Generate the closed forms of ``theory/_generated_closed_forms.py`` from the derivations.

Run ``python -m derivations.generate`` to (re)write the module, ``python -m derivations.generate
--check`` to compare it with a fresh generation (exit status 1 on any difference).  The numeric
layer imports the generated functions and never sympy: the module needs numpy and
:mod:`theory.timemap` only.

References
----------
Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 6, 10, SI App. B-C; the
derivation behind each function is named in its docstring.

Examples
--------
>>> from derivations.generate import generated_functions
>>> [f.name for f in generated_functions()][:3]
['collapse_time_of_alpha', 'half_log_delta_over_gamma', 'signal_to_noise']
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sympy as sp

from . import _symbols as S
from ._codegen import GeneratedFunction, module_source
from ._mixture import cloning_integrand, landau_potential
from ._rem_spectrum import spectrum_rem
from .rem import rem_collapse

__all__ = ["TARGET", "generated_functions", "generated_source", "main"]

TARGET = Path(__file__).resolve().parents[1] / "theory" / "_generated_closed_forms.py"
"""The generated module."""

_BIROLI = "Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491"


def _renamed(expr: sp.Expr, names: dict[sp.Symbol, str]) -> sp.Expr:
    return expr.xreplace({sym: sp.Symbol(name) for sym, name in names.items()})


def generated_functions() -> list[GeneratedFunction]:
    """The functions of the generated module, each with its derivation.

    Returns
    -------
    list of GeneratedFunction

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 6, 7-8, 10 and SI App. C.
    docs/theory/derivations.md sec. 2.
    """
    lam = {S.lam: "lam"}
    return [
        GeneratedFunction(
            "collapse_time_of_alpha", ("alpha", "sigma"),
            lambda: spectrum_rem().collapse_time, ("alpha",), "ve",
            "derivations.spectrum_rem().collapse_time",
            "Collapse time t_C(alpha, sigma) of the isotropic mixture, eq. 10.",
            f"{_BIROLI}, eq. 10 (``tc_GM``) and SI App. C."),
        GeneratedFunction(
            "half_log_delta_over_gamma", ("t", "sigma"),
            lambda: -spectrum_rem().rate_at_half, ("t",), "ve",
            "-derivations.spectrum_rem().rate_at_half",
            "1/2 log(Delta_t/Gamma_t) = -f_t(1/2); f^e = max(0, alpha + this).",
            f"{_BIROLI}, SI App. C and eq. 5 (``crit-coll``)."),
        GeneratedFunction(
            "signal_to_noise", ("t", "d", "mu_tilde", "sigma"),
            lambda: cloning_integrand().signal_to_noise, ("t",), "ve",
            "derivations.cloning_integrand().signal_to_noise",
            "r_t = d mu~^2 e^{-2t}/Gamma_t, mean and variance of the class logit (eq. 6).",
            f"{_BIROLI}, eq. 6 (``phi_GM``)."),
        GeneratedFunction(
            "rem_cgf", ("lam", "t", "sigma"),
            lambda: _renamed(rem_collapse().cgf, lam), ("t",), "standins",
            "derivations.rem_collapse().cgf",
            "REM cumulant generating function g_t(lambda).",
            f"{_BIROLI}, SI App. C."),
        GeneratedFunction(
            "rem_energy", ("lam", "t", "sigma"),
            lambda: _renamed(rem_collapse().energy, lam), ("t",), "standins",
            "derivations.rem_collapse().energy",
            "Saddle-point energy epsilon*(lambda) = -g_t'(lambda) (corrected numerator).",
            f"{_BIROLI}, SI App. C (lambda sigma_t^4 corrected)."),
        GeneratedFunction(
            "t_star", ("d", "mu_tilde"),
            lambda: landau_potential().t_star_large_d, (), "ve",
            "derivations.landau_potential().t_star_large_d",
            "t* = 1/2 log(2 d mu~^2), where the regime-I drift potential loses its curvature.",
            f"{_BIROLI}, eqs. 7-8 and SI App. B.2."),
    ]


def generated_source() -> str:
    """Source text of the generated module, freshly printed from the derivations.

    Returns
    -------
    str

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491 (the derivations printed).
    docs/theory/derivations.md sec. 2.
    """
    return module_source(generated_functions())


def main(argv: list[str] | None = None) -> int:
    """Write the generated module, or check it (``--check``) against a fresh generation.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``--check``, ``--output PATH``).

    Returns
    -------
    int
        0, or 1 when ``--check`` finds a difference.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491 (the derivations printed).
    docs/theory/derivations.md sec. 2.
    """
    parser = argparse.ArgumentParser(prog="python -m derivations.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=TARGET, help="module to write or check")
    args = parser.parse_args(argv)
    text = generated_source()
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} differs from a fresh generation; run python -m derivations.generate",
                  file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":                                             # pragma: no cover
    raise SystemExit(main())
