r"""The catalog of derived results: what each one feeds in the numeric layer, how the two are tied
(generated code or a cross-layer test), and the physical assumptions it rests on.

Statuses:

- ``"generated"``: the numeric function's formula is printed from the derived expression into
  ``theory/_generated_closed_forms.py`` (``python -m derivations.generate``); a test regenerates
  it and fails on any difference;
- ``"cross-checked"``: the numeric function is hand-tuned (stable forms, root finders,
  quadratures, K-group polynomials) and a test in ``tests/test_cross_layer.py`` compares it with
  the derived expression on a grid of parameters;
- ``"derived"``: derived only; no numeric function of the package evaluates it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from . import _symbols as S
from ._manifold_blocks import manifold_block_rem
from ._mixture import cloning_integrand, landau_potential, noised_mixture
from ._models import SymbolicManifold
from ._rem_spectrum import spectrum_rem
from .landau import landau_expansion, regime_one_potential
from .linear_manifold import gap_derivation, linear_manifold_score, marchenko_pastur, stieltjes_polynomial
from .manifold_rem import global_collapse_criterion, subspace_rem
from .rem import rem_collapse

__all__ = ["CatalogEntry", "catalog", "catalog_entry", "catalog_table", "STATUSES", "ASSUMPTIONS"]

STATUSES = ("generated", "cross-checked", "derived")
"""The ways a derived result is tied to the numeric layer."""

ASSUMPTIONS = {
    "exact": "exact at any d (no approximation)",
    "large-d limit": "leading order as d -> infinity",
    "self-averaging": "sums over coordinates replaced by their means (concentration at large d)",
    "annealed approximation": "log E Z used for E log Z (valid in the liquid phase, above t_C)",
    "REM": "energies of different training points treated as independent (random energy model)",
    "Gaussian energies": "energies treated as Gaussian (only their variance enters)",
    "Landau truncation": "log P_t expanded to second order around the origin",
    "regime-I scaling": "e^{-2t} = O(1/d), so Sigma_t -> I",
    "convention": "a reading of an O(1)-ambiguous criterion",
    "extension": "not in the paper (derived in this package)",
}
"""The assumptions an entry may name, with their meaning."""

_BIROLI = "Biroli et al. (2024), arXiv:2402.18491"
_ACHILLI = "Achilli et al. (2024), arXiv:2410.08727"
_VENTURA = "Ventura et al. (2025), arXiv:2410.05898"


@dataclass(frozen=True)
class CatalogEntry:
    r"""One derived result.

    Attributes
    ----------
    name : str
        Catalog name, ``"<subject>.<result>"``.
    numeric : str or None
        Qualified name of the numeric function it feeds (None for ``"derived"``).
    status : {"generated", "cross-checked", "derived"}
    assumptions : tuple of str
        Keys of :data:`ASSUMPTIONS`.
    derivation : str
        The derivation and field that produce it.
    paper : str
        Paper and equation.
    expression : callable or None
        ``expression(model)`` -> the derived sympy expression (model None: the paper's model), used
        by :func:`derivations.verify`.
    domain : dict
        Sampling range ``(low, high)`` of each free symbol (by name) for the numeric comparison of
        :func:`derivations.verify`.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491; Achilli et al. (2024), arXiv:2410.08727; Ventura et al.
    (2025), arXiv:2410.05898 (the papers whose closed forms are catalogued).
    docs/theory/derivations.md sec. 3.
    """

    name: str
    numeric: str | None
    status: str
    assumptions: tuple
    derivation: str
    paper: str
    expression: Callable | None = field(default=None, compare=False, repr=False)
    domain: dict = field(default_factory=dict, compare=False, repr=False)


# --- expressions used by verify ------------------------------------------------------------------

def _rem(field_name: str) -> Callable:
    def get(model=None):
        if model is None:
            return getattr(rem_collapse(), field_name)
        rem = spectrum_rem(model)
        if len(rem.groups) != 1:
            raise ValueError(f"{field_name}: one within-class variance needed (got {rem.groups})")
        return getattr(rem_collapse(), field_name).subs(S.sigma, sp.sqrt(rem.groups[0][1]))
    return get


def _spectrum(field_name: str) -> Callable:
    def get(model=None):
        return getattr(spectrum_rem(model), field_name)
    return get


def _landau(field_name: str) -> Callable:
    def get(model=None):
        return getattr(landau_expansion(), field_name)
    return get


def _potential(field_name: str) -> Callable:
    def get(model=None):
        return getattr(landau_potential(model), field_name)
    return get


def _regime_one(field_name: str) -> Callable:
    def get(model=None):
        return getattr(regime_one_potential(), field_name)
    return get


def _cloning(field_name: str) -> Callable:
    def get(model=None):
        return getattr(cloning_integrand(model), field_name)
    return get


def _phi_scaling_snr(model=None):
    """Large-d limit of r_t at t = 1/2 log d + tau (regime-I scaling): mu~^2 e^{-2 tau}."""
    tau = sp.Symbol("tau", real=True)
    r_t = cloning_integrand(model).signal_to_noise.subs(S.t, sp.log(S.d) / 2 + tau)
    return sp.limit(r_t, S.d, sp.oo)


def _score(model=None):
    return noised_mixture(model).score[0]


def _gamma(model=None):
    return noised_mixture(model).component_variances[0]


def _manifold(field_name: str, index: int | None = 0) -> Callable:
    def get(model=None):
        rem = manifold_block_rem(SymbolicManifold.generic(2) if model is None else model)
        val = getattr(rem, field_name)
        return val if index is None else val[index]
    return get


def _subspace(field_name: str) -> Callable:
    def get(model=None):
        return getattr(subspace_rem(), field_name)
    return get


def _global(field_name: str) -> Callable:
    def get(model=None):
        return getattr(global_collapse_criterion(), field_name)
    return get


def _lm(field_name: str) -> Callable:
    def get(model=None):
        return getattr(linear_manifold_score(), field_name)
    return get


def _mp(field_name: str, index: int | None = None) -> Callable:
    def get(model=None):
        val = getattr(marchenko_pastur(), field_name)
        return val if index is None else val[index]
    return get


def _gap(field_name: str) -> Callable:
    def get(model=None):
        return getattr(gap_derivation(), field_name)
    return get


def _stieltjes(model=None):
    return stieltjes_polynomial(2).self_consistent


_T = {"t": (0.05, 3.0), "sigma": (0.2, 3.0)}
_GM = {"d": (16.0, 1000.0), "mu_tilde": (0.3, 2.0), "sigma": (0.2, 1.5), "t": (0.05, 5.0)}
_MAN = {"t_VE": (0.01, 5.0), "L": (1.0, 12.0), "d_1": (1.0, 50.0), "d_2": (1.0, 50.0),
        "v_1": (0.1, 3.0), "v_2": (0.1, 3.0), "d": (100.0, 200.0), "t": (0.05, 3.0)}


def _entries() -> tuple[CatalogEntry, ...]:
    E = CatalogEntry
    return (
        # --- dynamical regimes: the mixture ---------------------------------------------------------
        E("mixture.noised_variance", "theory.timemap.noised_variance", "cross-checked", ("exact",),
          "derivations.noised_mixture(model).component_variances", f"{_BIROLI}, eq. 2, SI App. B",
          _gamma, _GM),
        E("mixture.score", "theory.models.GaussianMixture.score", "cross-checked", ("exact",),
          "derivations.noised_mixture(model).score", f"{_BIROLI}, SI eq. scoregm", _score,
          {**_GM, "x_1": (-5.0, 5.0)}),
        E("mixture.log_density", "theory.models.GaussianMixture.log_density", "cross-checked",
          ("exact",), "derivations.noised_mixture(model).log_density", f"{_BIROLI}, eq. 2"),
        E("mixture.class_posterior", "theory.models.GaussianMixture.class_posterior",
          "cross-checked", ("exact",), "derivations.noised_mixture(model).posterior",
          f"{_BIROLI}, SI App. B"),
        # --- speciation ------------------------------------------------------------------------------
        E("speciation.landau_coefficients", None, "derived", ("exact",),
          "derivations.landau_coefficients(model)", f"{_BIROLI}, SI App. A",
          lambda model=None: _potential("coefficients")(model)[1], _GM),
        E("speciation.landau_zero", "theory.speciation.speciation_time_from_eigenvalue",
          "cross-checked", ("Landau truncation", "convention"),
          "derivations.landau_expansion().t_consistent", f"{_BIROLI}, eq. 4 and SI App. A",
          _landau("t_consistent"), {"Lambda": (1.5, 100.0)}),
        E("speciation.landau_zero_printed_m", "theory.speciation.speciation_time_from_eigenvalue",
          "cross-checked", ("Landau truncation", "convention"),
          "derivations.landau_expansion().t_si", f"{_BIROLI}, eq. 4 (printed M of SI App. A)",
          _landau("t_si"), {"Lambda": (1.5, 100.0)}),
        E("speciation.t_paper", "theory.gaussian_mixture.speciation_time", "cross-checked",
          ("large-d limit", "convention"), "derivations.landau_expansion().gm_t_paper",
          f"{_BIROLI}, SI App. B.1", _landau("gm_t_paper"), _GM),
        E("speciation.t_lambda", "theory.gaussian_mixture.speciation_time", "cross-checked",
          ("convention",), "derivations.landau_expansion().gm_t_lambda", f"{_BIROLI}, eq. 4",
          _landau("gm_t_lambda"), _GM),
        E("speciation.t_lambda_plus_one", "theory.gaussian_mixture.speciation_time",
          "cross-checked", ("Landau truncation", "convention"),
          "derivations.landau_expansion().gm_t_lambda_plus_one", f"{_BIROLI}, eq. 4, SI App. A",
          _landau("gm_t_lambda_plus_one"), _GM),
        E("speciation.t_exact_hessian", "theory.gaussian_mixture.speciation_time", "cross-checked",
          ("exact",), "derivations.landau_potential(model).instability_time",
          f"{_BIROLI}, SI App. A-B.1", _potential("instability_time"), _GM),
        E("speciation.cascade", "theory.speciation.speciation_times", "cross-checked", ("exact",),
          "derivations.landau_potential(model).instability_time", f"{_BIROLI}, eq. 4 and eq. 11",
          _potential("instability_time"), _GM),
        E("speciation.t_star", "theory.gaussian_mixture.t_star", "generated",
          ("regime-I scaling",), "derivations.landau_potential().t_star_large_d",
          f"{_BIROLI}, eqs. 7-8, SI App. B.2", _potential("t_star_large_d"), _GM),
        E("speciation.regime_one_potential", None, "derived", ("regime-I scaling",),
          "derivations.regime_one_potential().potential", f"{_BIROLI}, eqs. 7-8",
          _regime_one("potential"), {**_GM, "q": (-2.0, 2.0)}),
        E("speciation.regime_one_noise_variance", None, "derived", ("exact",),
          "derivations.regime_one_potential().noise_variance", f"{_BIROLI}, SI App. B.2",
          _regime_one("noise_variance"), _GM),
        E("speciation.signal_to_noise", "theory.gaussian_mixture.signal_to_noise", "generated",
          ("exact",), "derivations.cloning_integrand().signal_to_noise", f"{_BIROLI}, eq. 6",
          _cloning("signal_to_noise"), _GM),
        E("speciation.phi_scaling", "theory.gaussian_mixture.phi_scaling", "cross-checked",
          ("large-d limit", "regime-I scaling"),
          "derivations.cloning_integrand().signal_to_noise, d -> oo at t = 1/2 log d + tau",
          f"{_BIROLI}, eq. 6 and SI App. B.2 (scaling variable sqrt(d) e^-t)", _phi_scaling_snr,
          {"tau": (-1.0, 2.0), "mu_tilde": (0.3, 2.0)}),
        E("speciation.phi_integrand", "theory.gaussian_mixture.phi", "cross-checked", ("exact",),
          "derivations.cloning_integrand().phi_integrand", f"{_BIROLI}, eq. 6, SI App. B.3",
          _cloning("phi_integrand"), {"y": (-4.0, 4.0)}),
        E("speciation.phi_two_classes", "theory.speciation.phi", "cross-checked", ("exact",),
          "derivations.cloning_integrand(model).phi", f"{_BIROLI}, eq. 6 (weights added)"),
        E("collapse.class_entropy_integrand", "theory.gaussian_mixture.class_entropy",
          "cross-checked", ("exact",), "derivations.cloning_integrand().entropy_integrand",
          f"{_BIROLI}, eq. 6 (class posterior)", _cloning("entropy_integrand"), {"y": (-4.0, 4.0)}),
        E("collapse.class_information", "theory.collapse.class_information", "cross-checked",
          ("exact",), "derivations.cloning_integrand(model).entropy_integrand",
          f"{_BIROLI}, eq. 6 (class posterior; K-class term derived in this package)"),
        # --- collapse: the REM ---------------------------------------------------------------------
        E("rem.cgf", "theory.gaussian_mixture.rem_cgf", "generated",
          ("self-averaging", "large-d limit"), "derivations.rem_collapse().cgf",
          f"{_BIROLI}, SI App. C", _rem("cgf"), {**_T, "lambda": (0.0, 4.0)}),
        E("rem.energy", "theory.gaussian_mixture.rem_energy", "generated",
          ("self-averaging", "large-d limit"), "derivations.rem_collapse().energy",
          f"{_BIROLI}, SI App. C (numerator corrected)", _rem("energy"),
          {**_T, "lambda": (0.0, 4.0)}),
        E("rem.lambda_star", "theory.gaussian_mixture.rem_lambda", "cross-checked",
          ("self-averaging", "large-d limit"), "derivations.rem_collapse().lambda_star",
          f"{_BIROLI}, SI App. C", _rem("lambda_star"), {**_T, "epsilon": (0.05, 3.0)}),
        E("rem.rate_function", "theory.gaussian_mixture.rate_function", "cross-checked",
          ("self-averaging", "large-d limit"), "derivations.rem_collapse().rate_function",
          f"{_BIROLI}, SI App. C, eq. fdef (corrected)", _rem("rate_function"),
          {**_T, "epsilon": (0.05, 3.0)}),
        E("rem.annealed_free_entropy", "theory.gaussian_mixture.annealed_free_entropy",
          "cross-checked", ("annealed approximation", "REM", "large-d limit"),
          "derivations.rem_collapse().annealed_free_entropy", f"{_BIROLI}, SI App. C",
          _rem("annealed_free_entropy"), {**_T, "alpha": (0.001, 1.0)}),
        E("rem.free_entropy", "theory.gaussian_mixture.rem_free_entropy", "cross-checked",
          ("REM", "large-d limit"), "derivations.rem_collapse().free_entropy",
          f"{_BIROLI}, SI App. C (phases corrected)", _rem("free_entropy"),
          {**_T, "alpha": (0.001, 1.0)}),
        E("collapse.time_of_alpha", "theory.gaussian_mixture.collapse_time", "generated",
          ("REM", "self-averaging", "large-d limit"), "derivations.spectrum_rem().collapse_time",
          f"{_BIROLI}, eq. 10", _spectrum("collapse_time"),
          {"alpha": (0.001, 2.0), "sigma": (0.2, 3.0)}),
        E("collapse.excess_entropy", "theory.gaussian_mixture.excess_entropy", "generated",
          ("annealed approximation", "REM", "large-d limit"),
          "derivations.spectrum_rem().excess_entropy", f"{_BIROLI}, eq. 5 and Fig. 3",
          _spectrum("excess_entropy"), {**_T, "alpha": (0.001, 1.0)}),
        E("collapse.model_time", "theory.collapse.collapse_time", "cross-checked",
          ("REM", "self-averaging", "large-d limit"), "derivations.collapse_time(model)",
          f"{_BIROLI}, eq. 5 and eq. 10", _spectrum("collapse_time"),
          {"alpha": (0.001, 2.0), "sigma": (0.2, 3.0)}),
        E("collapse.spectrum_condensation", "theory.collapse.collapse_time_from_spectrum",
          "cross-checked", ("REM", "self-averaging", "large-d limit", "extension"),
          "derivations.spectrum_rem(model).condensation", f"{_BIROLI}, eq. 5 (Gaussian spectrum)",
          _spectrum("rate_at_half"), _T),
        E("collapse.spectrum_excess_entropy", "theory.collapse.excess_entropy_from_spectrum",
          "cross-checked", ("annealed approximation", "REM", "large-d limit", "extension"),
          "derivations.spectrum_rem(model).excess_entropy", f"{_BIROLI}, eq. 5",
          _spectrum("excess_entropy"), {**_T, "alpha": (0.001, 1.0)}),
        # --- losing dimensions ----------------------------------------------------------------------
        E("manifold.energy_variances", "theory.manifold.energy_variances", "cross-checked",
          ("REM", "Gaussian energies"), "derivations.manifold_block_rem(model).energy_variances",
          f"{_ACHILLI}, theory formula", _manifold("energy_variances"), _MAN),
        E("manifold.collapse_times", "theory.manifold.collapse_times", "cross-checked",
          ("REM", "Gaussian energies"), "derivations.manifold_block_rem(model).critical_times",
          f"{_ACHILLI}, theory formula t_c", _manifold("critical_times"), _MAN),
        E("manifold.norm_collapse_time", "theory.manifold.norm_collapse_time", "cross-checked",
          ("REM", "Gaussian energies"), "derivations.manifold_block_rem(model).norm_critical_time",
          f"{_ACHILLI}, theory formula t_c0", _manifold("norm_critical_time", None), _MAN),
        E("manifold.log_critical_sizes", "theory.manifold.log_critical_sizes", "cross-checked",
          ("REM", "Gaussian energies"), "derivations.manifold_block_rem(model).log_critical_sizes",
          f"{_ACHILLI}, abstract (critical sizes)", _manifold("log_critical_sizes"), _MAN),
        E("manifold.critical_alphas", "theory.manifold.critical_alphas", "cross-checked",
          ("REM", "Gaussian energies"), "derivations.manifold_block_rem(model).critical_alphas",
          f"{_ACHILLI}", _manifold("critical_alphas"), _MAN),
        E("manifold.rem_retention", "theory.manifold.rem_retention", "cross-checked",
          ("REM", "Gaussian energies"), "derivations.manifold_block_rem(model).retentions",
          f"{_ACHILLI}; Derrida (1981)", _manifold("retentions"), _MAN),
        E("manifold.subspace_collapse_times", "theory.manifold.subspace_collapse_times",
          "cross-checked", ("REM", "Gaussian energies", "extension"),
          "derivations.subspace_rem().critical_time_ou", f"{_ACHILLI} (extension)",
          _subspace("critical_time_ou"),
          {"psi_k": (0.01, 1.0), "sigma_k": (0.1, 3.0), "alpha": (0.01, 2.0)}),
        E("manifold.global_collapse_time", "theory.manifold.global_collapse_time",
          "cross-checked", ("REM", "self-averaging", "large-d limit"),
          "derivations.spectrum_rem(model).condensation", f"{_BIROLI}, eq. 5; {_ACHILLI}",
          _global("isotropic_critical_time_ou"), {"alpha": (0.001, 2.0), "sigma": (0.2, 3.0)}),
        # --- spectral gaps ----------------------------------------------------------------------------
        E("spectral.normalized_jacobian", "theory.spectral.jacobian_edges", "cross-checked",
          ("exact",), "derivations.linear_manifold_score().normalized_s", f"{_VENTURA}, sec. 6",
          _lm("normalized_s"), {"s": (0.01, 10.0), "lambda_B": (0.01, 10.0)}),
        E("spectral.stieltjes_coefficients", "theory._stieltjes.self_consistent_coefficients",
          "cross-checked", ("large-d limit", "self-averaging"),
          "derivations.stieltjes_polynomial(K).coefficients", f"{_VENTURA}, secs. 6.2-6.3",
          _stieltjes, {"g": (-3.0, 3.0), "z": (0.1, 5.0), "f_1": (0.05, 0.4),
                       "f_2": (0.05, 0.4), "v_1": (0.1, 3.0), "v_2": (0.1, 3.0)}),
        E("spectral.edge_coefficients", "theory._stieltjes.edge_coefficients", "cross-checked",
          ("large-d limit", "self-averaging"), "derivations.stieltjes_polynomial(K).edge_coefficients",
          f"{_VENTURA}, sec. 6.3; Silverstein and Choi (1995)"),
        E("spectral.marchenko_pastur_edges", "theory.spectral.bulk_edges", "cross-checked",
          ("large-d limit",), "derivations.marchenko_pastur().edges", f"{_VENTURA}, eq. 16",
          _mp("edges", 1), {"f": (0.01, 0.95), "v": (0.1, 3.0)}),
        E("spectral.marchenko_pastur_density", "theory.spectral.density", "cross-checked",
          ("large-d limit",), "derivations.marchenko_pastur().density", f"{_VENTURA}, eq. 16",
          _mp("density")),
        E("spectral.intermediate_gap", "theory.spectral.intermediate_gaps", "cross-checked",
          ("large-d limit",), "derivations.gap_derivation()", f"{_VENTURA}, eqs. 18, 20-22, 25",
          _gap("height"), {"a": (0.01, 1.0), "b": (1.0, 5.0)}),
        E("spectral.manifold_gap", "theory.spectral.manifold_gap", "cross-checked",
          ("large-d limit",), "derivations.gap_derivation().manifold_open",
          f"{_VENTURA}, eqs. 15, 17", _gap("manifold_open"),
          {"gamma": (0.01, 3.0), "Delta_thr": (0.01, 0.99)}),
        E("spectral.empirical_jacobian", "validation.jacobian.empirical_score_jacobian",
          "cross-checked", ("exact",), "derivations.empirical_score_jacobian(n, d)",
          f"{_ACHILLI}; {_BIROLI}, eq. 2"),
    )


_CACHE: dict[str, tuple[CatalogEntry, ...]] = {}


def catalog() -> tuple[CatalogEntry, ...]:
    r"""Every derived result: its numeric function, status and assumptions.

    Returns
    -------
    tuple of CatalogEntry
        In the order of the papers (dynamical regimes, losing dimensions, spectral gaps).

    Notes
    -----
    A ``"generated"`` entry's numeric function calls a function of
    ``theory/_generated_closed_forms.py`` printed from the derivation; a ``"cross-checked"`` entry
    has a test in ``tests/test_cross_layer.py`` comparing the numeric function with the derivation;
    ``tests/test_catalog.py`` checks that every numeric function exists and every cross-checked
    entry has its test.  See ``docs/theory/derivations.md`` for the table.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491; Achilli et al. (2024), arXiv:2410.08727; Ventura et al.
    (2025), arXiv:2410.05898.
    docs/theory/derivations.md sec. 3.

    Examples
    --------
    >>> from derivations import catalog
    >>> [e.status for e in catalog() if e.name == "collapse.time_of_alpha"]
    ['generated']
    """
    if "all" not in _CACHE:
        entries = _entries()
        names = [e.name for e in entries]
        if len(set(names)) != len(names):                             # pragma: no cover
            raise RuntimeError("duplicate catalog names")
        for e in entries:
            if e.status not in STATUSES or any(a not in ASSUMPTIONS for a in e.assumptions):
                raise RuntimeError(f"bad catalog entry {e.name}")      # pragma: no cover
        _CACHE["all"] = entries
    return _CACHE["all"]


def catalog_entry(name: str) -> CatalogEntry:
    """The catalog entry called ``name``.

    Parameters
    ----------
    name : str
        Name of a result (see :func:`catalog`).

    Returns
    -------
    CatalogEntry
        The entry.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491 (see the entry's ``paper``).
    docs/theory/derivations.md sec. 3.
    """
    for entry in catalog():
        if entry.name == name:
            return entry
    raise ValueError(f"unknown result {name!r}; valid names: {', '.join(e.name for e in catalog())}")


def catalog_table() -> str:
    """The catalog as a Markdown table (name, numeric function, status, assumptions, derivation).

    Returns
    -------
    str
        Markdown table, one row per result.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491; Achilli et al. (2024), arXiv:2410.08727; Ventura et al.
    (2025), arXiv:2410.05898.
    docs/theory/derivations.md sec. 3.
    """
    rows = ["| result | numeric function | status | assumptions | derivation | paper |",
            "|---|---|---|---|---|---|"]
    for e in catalog():
        rows.append(f"| `{e.name}` | {'`' + e.numeric + '`' if e.numeric else '-'} | {e.status} | "
                    f"{', '.join(e.assumptions)} | `{e.derivation}` | {e.paper} |")
    return "\n".join(rows)
