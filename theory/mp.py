"""Element-wise mpmath evaluation for the ``precision=`` reference paths of the solvers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .checks import check_scalar

__all__ = ["mp_apply", "mp_digits"]


def mp_apply(fun: Callable[..., Any], precision: int, *args: Any) -> Any:
    """Evaluate ``fun`` on mpf arguments element-wise at ``precision`` significant digits.

    The arguments are broadcast like numpy arrays; the result is one ``mpf`` when every argument
    is a scalar, else an object array of ``mpf``.  ``fun`` runs inside ``mp.workdps(precision + 10)``
    (ten guard digits).
    """
    import mpmath as mp

    dps = int(check_scalar(precision, "precision", lower=1, integer=True))

    def one(*xs: Any) -> Any:
        with mp.workdps(dps + 10):
            return fun(*[mp.mpf(x) for x in xs])

    out = np.frompyfunc(one, len(args), 1)(*args)
    if isinstance(out, np.ndarray) and out.ndim == 0:
        return out[()]
    return out


def mp_digits(precision: int) -> int:
    """Working digits of the quadratures of a ``precision``-digit evaluation."""
    return int(precision) + 10
