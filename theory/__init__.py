"""diffusion-regimes numeric solvers: speciation, collapse, time maps and phase diagrams.

Submodules
----------
gaussian_mixture
    Closed forms for the symmetric Gaussian mixture (phi, t_S, t*, t_C, excess entropy, REM).
models
    Model objects (GaussianMixture, Gaussian, LinearManifold): spectra, samples, exact scores.
speciation
    t_S of any dataset from its covariance spectrum.
collapse
    t_C of Gaussian data with any covariance spectrum.
timemap
    OU time <-> VE variance, VE/VP/DDPM/EDM schedules.
manifold
    Geometric memorization: per-subspace memorization times on linear manifolds (Achilli et al. 2024).
phase_diagram
    Regimes I/II/III over (t, alpha) or (d, n).
spectral
    Jacobian spectra of linear-manifold data: densities, bulk edges, spectral gaps, geometric phases.
citation
    Which papers and equations a number comes from.

The ground floor, used by every layer above (public names, no science in them):

checks
    Input validation (``check_scalar``, ``check_array``): bad input raises a ValueError naming it.
files
    Atomic writes of result files (CSV, JSON, text) and of checkpoints (schema, version, checksum).
progress
    A progress bar on a terminal; off a terminal silent, or log lines inside ``log_lines()``.
mp
    Element-wise mpmath evaluation for the ``precision=`` reference paths (mpmath imported lazily).

``import theory`` loads numpy only; scipy, mpmath, sympy and matplotlib are imported when a function
needs them.

Examples
--------
>>> import theory
>>> from theory.models import GaussianMixture
>>> gm = GaussianMixture.symmetric(256)
>>> print(f"{theory.gaussian_mixture.speciation_time(256):.4f}")
2.7726
>>> print(f"{theory.collapse.collapse_time(gm, 20000):.4f}")
1.2988
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _metadata_version

from . import collapse as collapse
from . import gaussian_mixture as gaussian_mixture
from . import manifold as manifold
from . import models as models
from . import phase_diagram as phase_diagram
from . import speciation as speciation
from . import spectral as spectral
from . import timemap as timemap
from .citation import citation as citation

try:                                  # one version source: pyproject.toml, through the package metadata
    __version__: str = _metadata_version("diffusion-regimes")
except _PackageNotFoundError:         # a source tree on sys.path that was never installed
    __version__ = "0+unknown"

__all__ = ["collapse", "gaussian_mixture", "manifold", "phase_diagram", "speciation", "spectral", "timemap",
           "models", "citation",
           "__version__"]
