"""Element-wise mpmath evaluation for the ``precision=`` reference paths of the solvers.

Examples
--------
>>> import mpmath
>>> from theory.mp import mp_apply
>>> x = mp_apply(mpmath.sqrt, 30, 2.0)
>>> mpmath.nstr(x, 30)
'1.41421356237309504880168872421'
"""

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

    Parameters
    ----------
    fun : callable
        Function of mpmath numbers.
    precision : int
        Significant digits of the result.
    *args : array_like
        Arguments, converted to ``mpf`` and broadcast element-wise.

    Returns
    -------
    mpf or ndarray of object
        One ``mpf`` for scalar arguments, else an object array of ``mpf``.
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
    """Working digits of the quadratures of a ``precision``-digit evaluation.

    Parameters
    ----------
    precision : int
        Requested significant digits.

    Returns
    -------
    int
        ``precision + 10`` (ten guard digits).
    """
    return int(precision) + 10
