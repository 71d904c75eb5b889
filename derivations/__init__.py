"""Symbolic derivations (sympy) of the Gaussian-mixture results of "Dynamical Regimes of Diffusion
Models" (Biroli, Bonnaire, de Bortoli, Mezard, arXiv:2402.18491).

The derivations that take a model accept a :class:`SymbolicMixture` or :class:`SymbolicManifold`
(parameters as sympy symbols or numbers) or the numeric model objects of ``theory.models`` read by
duck typing; each returns a frozen dataclass of sympy expressions, cached per process.  The fixed
derivations of the papers' own models take no argument.  :func:`compiled` gives cached numpy
functions of derived expressions; ``python -m derivations.generate`` prints closed forms into
``theory/_generated_closed_forms.py`` (the numeric layer never imports sympy); :func:`catalog`
lists every result with the numeric function it feeds; :func:`verify` checks a user's expression
against a derived one.

Models and derivations that take them
-------------------------------------
SymbolicMixture, SymbolicManifold
    Symbolic models (``from_model`` reads the numeric ones).
noised_mixture
    Noised density, class posterior and population score of any Gaussian mixture (K classes,
    weights, isotropic or diagonal covariance) by Gaussian convolution.
landau_potential, landau_coefficients
    V(q, t) = -log P_t(q u) along the top between-class direction, its Landau coefficients, the
    instability time, pitchfork or crossover, t*.
cloning_integrand
    Class posterior of two classes in one Gaussian variable; integrands of phi and of the class
    entropy; the signal-to-noise ratio r_t.
spectrum_rem, collapse_time
    REM of the collapse for any within-class spectrum; eq. 10 as a function of alpha.
resolvent_cavity
    The resolvent identity and cavity step behind the Stieltjes equation of the linear manifold.
manifold_block_rem
    Per-block REM thresholds of a linear manifold from per-block energy statistics.

One source of truth
-------------------
catalog, catalog_entry, catalog_table
    Every derived result, the numeric function it feeds, its status (generated, cross-checked,
    derived) and its assumptions.
verify
    Whether a user's expression equals a derived result (symbolic, then 30-digit numeric).

Fixed derivations
-----------------
gm_score
    OU-noised mixture density and exact score (SI eq. ``scoregm``).
landau_expansion
    Landau expansion of log P_t around 0; speciation readings 1/2 log Lambda, 1/2 log(Lambda + 1),
    1/2 log(d mu~^2) (eq. 4, SI App. A, B.1).
regime_one_potential
    Regime-I potential V(q, t) and t* = 1/2 log(2 d mu~^2) (eqs. 7-8, SI App. B.2).
rem_collapse
    REM cumulant generating function, rate function, condensation and t_C (SI App. C, eq. 10).
linear_manifold_score, stieltjes_polynomial, marchenko_pastur, gap_derivation, empirical_score_jacobian
    Linear Gaussian manifold: exact score and Jacobian, the Stieltjes polynomial of K variance
    groups and its edge condition, Marchenko-Pastur, spectral gaps, the empirical-score Jacobian
    (Ventura et al. 2025; docs/theory/spectral-gaps.md).
direction_rem, subspace_rem, global_collapse_criterion
    Random-energy-model reading of the empirical score along one direction or subspace of manifold
    data: energy variances, condensation, per-subspace critical times and dataset sizes, the
    subspace-resolved extension (Achilli et al. 2024; docs/theory/losing-dimensions.md).
compiled
    Cached numpy functions of named derived expressions (names in ``COMPILED_NAMES``).

Examples
--------
The regime-I potential of the symmetric mixture and the time where its curvature at q = 0
vanishes (eqs. 7-8):

>>> from derivations import regime_one_potential
>>> r = regime_one_potential()
>>> r.curvature
-2*d*mu_tilde**2*exp(-2*t) + 1
>>> r.t_star
log(2*d*mu_tilde**2)/2
"""

from ._catalog import ASSUMPTIONS as ASSUMPTIONS
from ._catalog import STATUSES as STATUSES
from ._catalog import CatalogEntry as CatalogEntry
from ._catalog import catalog as catalog
from ._catalog import catalog_entry as catalog_entry
from ._catalog import catalog_table as catalog_table
from ._compile import COMPILED_NAMES as COMPILED_NAMES
from ._compile import compiled as compiled
from ._compile import compiled_arguments as compiled_arguments
from ._manifold_blocks import BlockREM as BlockREM
from ._manifold_blocks import manifold_block_rem as manifold_block_rem
from ._mixture import CloningIntegrand as CloningIntegrand
from ._mixture import LandauPotential as LandauPotential
from ._mixture import NoisedMixture as NoisedMixture
from ._mixture import cloning_integrand as cloning_integrand
from ._mixture import landau_coefficients as landau_coefficients
from ._mixture import landau_potential as landau_potential
from ._mixture import noised_mixture as noised_mixture
from ._models import SymbolicManifold as SymbolicManifold
from ._models import SymbolicMixture as SymbolicMixture
from ._rem_spectrum import SpectrumREM as SpectrumREM
from ._rem_spectrum import collapse_time as collapse_time
from ._rem_spectrum import spectrum_rem as spectrum_rem
from ._verify import DifferingPoint as DifferingPoint
from ._verify import Verification as Verification
from ._verify import verify as verify
from .gaussian_mixture_score import GaussianMixtureScoreDerivation as GaussianMixtureScoreDerivation
from .gaussian_mixture_score import gm_score as gm_score
from .landau import LandauExpansion as LandauExpansion
from .landau import RegimeOnePotential as RegimeOnePotential
from .landau import landau_expansion as landau_expansion
from .landau import regime_one_potential as regime_one_potential
from .linear_manifold import ResolventCavity as ResolventCavity
from .linear_manifold import empirical_score_jacobian as empirical_score_jacobian
from .linear_manifold import gap_derivation as gap_derivation
from .linear_manifold import linear_manifold_score as linear_manifold_score
from .linear_manifold import marchenko_pastur as marchenko_pastur
from .linear_manifold import resolvent_cavity as resolvent_cavity
from .linear_manifold import stieltjes_polynomial as stieltjes_polynomial
from .manifold_rem import DirectionREM as DirectionREM
from .manifold_rem import GlobalCollapseCriterion as GlobalCollapseCriterion
from .manifold_rem import SubspaceREM as SubspaceREM
from .manifold_rem import direction_rem as direction_rem
from .manifold_rem import global_collapse_criterion as global_collapse_criterion
from .manifold_rem import subspace_rem as subspace_rem
from .rem import REMCollapse as REMCollapse
from .rem import rem_collapse as rem_collapse

__all__ = [
    "SymbolicMixture", "SymbolicManifold",
    "NoisedMixture", "noised_mixture", "LandauPotential", "landau_potential", "landau_coefficients",
    "CloningIntegrand", "cloning_integrand", "SpectrumREM", "spectrum_rem", "collapse_time",
    "ResolventCavity", "resolvent_cavity", "BlockREM", "manifold_block_rem",
    "CatalogEntry", "catalog", "catalog_entry", "catalog_table", "STATUSES", "ASSUMPTIONS",
    "Verification", "DifferingPoint", "verify",
    "COMPILED_NAMES",
    "DirectionREM",
    "GlobalCollapseCriterion",
    "SubspaceREM",
    "direction_rem",
    "global_collapse_criterion",
    "subspace_rem",
    "GaussianMixtureScoreDerivation",
    "LandauExpansion",
    "REMCollapse",
    "RegimeOnePotential",
    "compiled",
    "compiled_arguments",
    "empirical_score_jacobian",
    "gap_derivation",
    "linear_manifold_score",
    "marchenko_pastur",
    "stieltjes_polynomial",
    "gm_score",
    "landau_expansion",
    "regime_one_potential",
    "rem_collapse",
]
