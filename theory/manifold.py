r"""Geometric memorization on linear-manifold data: per-subspace memorization times.

Data on a linear manifold: K subspaces (blocks), subspace k of dimension :math:`d_k` whose
coordinates have standard deviation :math:`\sigma_k` (a normal block of tiny variance included),
:math:`d = \sum_k d_k`, n training points, Gaussian or projected onto the unit sphere.  The
empirical score loses subspace k (its Jacobian eigenvalues return to the normal bulk) when the
Boltzmann weights over training points condense along it; read as a random energy model, that
happens below a critical time :math:`t_C^{(k)} \propto \sigma_k^2` -- higher-variance subspaces are
lost first, with a window of geometric memorization in between.

Contents
--------
collapse_times, norm_collapse_time, log_critical_sizes, critical_alphas, energy_variances, rem_retention
    The per-direction REM thresholds (the authors' formula, docs/theory/losing-dimensions.md secs. 2.1-2.3).
subspace_collapse_times, subspace_rem_retention
    The subspace-resolved **extension** in the :math:`n = e^{\alpha d}` regime
    (docs/theory/losing-dimensions.md sec. 2.4).
global_collapse_time
    The Biroli et al. collapse time beside them (docs/theory/losing-dimensions.md sec. 2.5).
effective_variances
    Exact per-coordinate variances of sphere-normalized data.
geometric_memorization, GeometricMemorization
    Order of the losses, window of geometric memorization, its width.
manifold_phase_diagram, ManifoldPhaseDiagram
    Surviving tangent dimensions over (t, log n).
theory_spectrum, normalized_spectrum, theory_dimension_count
    The theory spectrum of the paper's figure (population Jacobian plus the memorization term).

Time: ``time="ou"`` (default) is the project's OU time; ``time="ve_variance"`` the VE noise variance
:math:`e^{2t} - 1` of the paper and its code.

References
----------
B. Achilli, E. Ventura, G. Silvestri, B. Pham, G. Raya, D. Krotov, C. Lucibello, L. Ambrogioni,
"Losing dimensions: geometric memorization in generative diffusion", arXiv:2410.08727 (2024); theory
docs/theory/losing-dimensions.md.

Examples
--------
>>> from theory.manifold import collapse_times
>>> t = collapse_times([2.0, 1.0], [8, 8], 1000, normalized=False)
>>> print([round(float(x), 4) for x in t])    # the higher variance is lost first (larger t)
[0.6072, 0.5901]
"""

from ._manifold_global import global_collapse_time as global_collapse_time
from ._manifold_global import subspace_collapse_times as subspace_collapse_times
from ._manifold_global import subspace_rem_retention as subspace_rem_retention
from ._manifold_phases import GeometricMemorization as GeometricMemorization
from ._manifold_phases import ManifoldPhaseDiagram as ManifoldPhaseDiagram
from ._manifold_phases import geometric_memorization as geometric_memorization
from ._manifold_phases import manifold_phase_diagram as manifold_phase_diagram
from ._manifold_spectrum import normalized_spectrum as normalized_spectrum
from ._manifold_spectrum import theory_dimension_count as theory_dimension_count
from ._manifold_spectrum import theory_spectrum as theory_spectrum
from ._manifold_thresholds import TIMES as TIMES
from ._manifold_thresholds import check_subspaces as check_subspaces
from ._manifold_thresholds import collapse_times as collapse_times
from ._manifold_thresholds import critical_alphas as critical_alphas
from ._manifold_thresholds import effective_variances as effective_variances
from ._manifold_thresholds import energy_variances as energy_variances
from ._manifold_thresholds import log_critical_sizes as log_critical_sizes
from ._manifold_thresholds import norm_collapse_time as norm_collapse_time
from ._manifold_thresholds import rem_retention as rem_retention
from ._retention import retention as retention
from ._retention import retention_limit as retention_limit

__all__ = [
    "TIMES", "collapse_times", "norm_collapse_time", "log_critical_sizes", "critical_alphas",
    "energy_variances", "rem_retention", "subspace_collapse_times", "subspace_rem_retention",
    "global_collapse_time", "effective_variances", "geometric_memorization", "GeometricMemorization",
    "manifold_phase_diagram", "ManifoldPhaseDiagram", "theory_spectrum", "normalized_spectrum",
    "theory_dimension_count", "check_subspaces", "retention", "retention_limit",
]
