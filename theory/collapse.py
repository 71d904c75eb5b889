"""Collapse: the condensation time t_C and the excess entropy f^e for any data model.

- :func:`collapse_time` and :func:`excess_entropy` take a model of :mod:`theory.models`;
- :func:`collapse_time_from_spectrum` and :func:`excess_entropy_from_spectrum` take a Gaussian
  covariance spectrum (docs/theory/dynamical-regimes.md sec. 3.3);
- :func:`class_information` is the class-x_t mutual information that carries the class structure
  into f^e at order 1/d (docs/theory/models.md).

Examples
--------
>>> from theory.models import GaussianMixture
>>> from theory.collapse import collapse_time
>>> round(float(collapse_time(GaussianMixture.symmetric(1024), 20000)), 6)
1.977547
"""

from __future__ import annotations

from ._finite_collapse import collapse_window as collapse_window
from ._finite_collapse import excess_entropy_finite_size as excess_entropy_finite_size
from ._finite_collapse import finite_size_statistics as finite_size_statistics
from ._finite_collapse import phi_c as phi_c
from ._mixture_collapse import class_information as class_information
from ._mixture_collapse import collapse_spectrum as collapse_spectrum
from ._mixture_collapse import collapse_time as collapse_time
from ._mixture_collapse import excess_entropy as excess_entropy
from ._spectrum_collapse import collapse_time_from_spectrum as collapse_time_from_spectrum
from ._spectrum_collapse import excess_entropy_from_spectrum as excess_entropy_from_spectrum

__all__ = ["collapse_time", "excess_entropy", "class_information", "collapse_spectrum",
           "collapse_time_from_spectrum", "excess_entropy_from_spectrum",
           "excess_entropy_finite_size", "phi_c", "collapse_window", "finite_size_statistics"]
