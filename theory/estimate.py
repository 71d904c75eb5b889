"""The one type for a Monte Carlo (or quasi-Monte-Carlo) estimate: a value with its standard error.

Every estimator of the package, in ``theory`` (quasi-Monte-Carlo integrals) and in ``validation``
(Monte Carlo with the exact empirical score), returns an :class:`Estimate`.

Examples
--------
>>> from theory.estimate import Estimate
>>> e = Estimate(0.5, 0.01, 400)
>>> value, stderr = e
>>> round(e.z(0.53), 6)
-3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Estimate"]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate: ``value`` +- ``stderr`` from ``n`` independent samples.

    Parameters
    ----------
    value : float or ndarray
        The estimate (an array for a curve or a spectrum estimated from the same samples).
    stderr : float or ndarray
        Its standard error (one standard deviation of the estimator), same shape as ``value``.
    n : int or None
        Number of independent samples behind it (None when not applicable).

    Notes
    -----
    Unpacks as ``value, stderr = estimate``.
    """

    value: float | np.ndarray
    stderr: float | np.ndarray
    n: int | None = None

    def __iter__(self):
        return iter((self.value, self.stderr))

    def z(self, reference: float) -> float:
        """Standard score ``(value - reference) / stderr`` of a reference value."""
        return (self.value - reference) / self.stderr
