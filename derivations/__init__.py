"""Symbolic derivations (sympy) of the Gaussian-mixture results of "Dynamical Regimes of Diffusion
Models" (Biroli, Bonnaire, de Bortoli, Mezard, arXiv:2402.18491).

Each derivation is a function without arguments, cached per process, returning a frozen dataclass
of sympy expressions together with the symbols they use; :func:`compiled` gives cached numpy
functions of the derived expressions for numeric code.

Functions
---------
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
"""

from ._compile import COMPILED_NAMES as COMPILED_NAMES
from ._compile import compiled as compiled
from ._compile import compiled_arguments as compiled_arguments
from .gaussian_mixture_score import GaussianMixtureScoreDerivation as GaussianMixtureScoreDerivation
from .gaussian_mixture_score import gm_score as gm_score
from .landau import LandauExpansion as LandauExpansion
from .landau import RegimeOnePotential as RegimeOnePotential
from .landau import landau_expansion as landau_expansion
from .landau import regime_one_potential as regime_one_potential
from .linear_manifold import empirical_score_jacobian as empirical_score_jacobian
from .linear_manifold import gap_derivation as gap_derivation
from .linear_manifold import linear_manifold_score as linear_manifold_score
from .linear_manifold import marchenko_pastur as marchenko_pastur
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
