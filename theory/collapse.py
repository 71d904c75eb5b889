"""Collapse time of Gaussian data with any covariance spectrum (theory sheet 3.3)."""

from __future__ import annotations

from ._spectrum_collapse import collapse_time_from_spectrum as collapse_time_from_spectrum
from ._spectrum_collapse import excess_entropy_from_spectrum as excess_entropy_from_spectrum

__all__ = ["collapse_time_from_spectrum", "excess_entropy_from_spectrum"]

from ._mixture_collapse import class_information as class_information  # noqa: E402
from ._mixture_collapse import collapse_spectrum as collapse_spectrum  # noqa: E402
from ._mixture_collapse import collapse_time as collapse_time  # noqa: E402
from ._mixture_collapse import excess_entropy as excess_entropy  # noqa: E402

__all__ += ["collapse_time", "excess_entropy", "class_information", "collapse_spectrum"]
