"""Closed-form theory of the symmetric Gaussian mixture 1/2 N(+m, sigma^2 I) + 1/2 N(-m, sigma^2 I).

Speciation (the cloning probability :func:`phi`, its scaling form :func:`phi_scaling`, the
speciation time :func:`speciation_time` in each of its readings, the curvature time :func:`t_star`)
and collapse (:func:`collapse_time`, :func:`excess_entropy`, the random-energy-model large
deviations :func:`rem_cgf`, :func:`rem_energy`, :func:`rem_lambda`, :func:`rate_function`, and the
free entropies).  All functions broadcast over their array arguments and take ``precision=`` (mpmath
digits) where a high-precision reference is useful.

References
----------
G. Biroli, T. Bonnaire, V. de Bortoli, M. Mezard, "Dynamical regimes of diffusion models",
arXiv:2402.18491; Nature Communications 15, 9957 (2024).

Examples
--------
The three times of the paper's Fig. 2-3 setting (d = 256, n = 20000, unit means and variance):

>>> from theory.gaussian_mixture import collapse_time, speciation_time, t_star
>>> print(f"{speciation_time(256):.4f} {t_star(256):.4f} {collapse_time(256, 20000):.4f}")
2.7726 3.1192 1.2988
"""

from ._gm_collapse import alpha as alpha
from ._gm_collapse import annealed_free_entropy as annealed_free_entropy
from ._gm_collapse import class_entropy as class_entropy
from ._gm_collapse import collapse_time as collapse_time
from ._gm_collapse import excess_entropy as excess_entropy
from ._gm_collapse import rate_function as rate_function
from ._gm_collapse import rem_cgf as rem_cgf
from ._gm_collapse import rem_energy as rem_energy
from ._gm_collapse import rem_free_entropy as rem_free_entropy
from ._gm_collapse import rem_lambda as rem_lambda
from ._gm_speciation import SPECIATION_CONVENTIONS as SPECIATION_CONVENTIONS
from ._gm_speciation import phi as phi
from ._gm_speciation import phi_scaling as phi_scaling
from ._gm_speciation import signal_to_noise as signal_to_noise
from ._gm_speciation import speciation_time as speciation_time
from ._gm_speciation import t_star as t_star

__all__ = [
    "alpha", "annealed_free_entropy", "class_entropy", "collapse_time", "excess_entropy",
    "rate_function", "rem_cgf", "rem_energy", "rem_free_entropy", "rem_lambda",
    "SPECIATION_CONVENTIONS", "phi", "phi_scaling", "signal_to_noise", "speciation_time", "t_star",
]
