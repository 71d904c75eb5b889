"""Input validation shared by every public function of the package.

Every public entry point validates its arguments through :func:`check_array`, so that bad input
(negative variance, ``d < 1``, ``t <= 0`` where a positive time is needed, NaN or infinite values,
wrong shapes) raises a :class:`ValueError` whose message names the parameter and its accepted range,
never a silent NaN.  The command line prints the same message.

Examples
--------
>>> from theory.checks import check_scalar
>>> check_scalar(3, "d", lower=1, integer=True)
3.0
>>> check_scalar(-1.0, "sigma", lower=0.0, lower_open=True)
Traceback (most recent call last):
...
ValueError: sigma must be a finite number > 0 (got -1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_array", "check_scalar", "range_text", "restore_shape", "NotFoundError",
           "NoSpeciationError"]


class NotFoundError(ValueError):
    """The quantity asked for does not exist for these parameters (e.g. no positive speciation time).

    The package's one "not found" convention (docs/architecture.md): a function asked for one
    quantity that does not exist raises this error, whose message says why and, where one exists,
    which other reading does; an entry of an array or record result that does not exist is NaN; a
    JSON summary writes null.  Never 0, never a clipped value.  A subclass of ValueError, so
    ``except ValueError`` still catches it.
    """


class NoSpeciationError(NotFoundError):
    """The chosen reading of :math:`t_S` has no positive value (the argument of its log is <= 1)."""


def range_text(
    lower: float | None = None,
    upper: float | None = None,
    *,
    lower_open: bool = False,
    upper_open: bool = False,
    integer: bool = False,
    allow_inf: bool = False,
) -> str:
    """Describe an accepted range in words, e.g. ``"a finite number > 0"``.

    Parameters
    ----------
    lower, upper : float, optional
        Bounds of the range (``None``: unbounded on that side).
    lower_open, upper_open : bool, default False
        Strict inequality at that bound.
    integer : bool, default False
        The range holds integers.
    allow_inf : bool, default False
        Infinite values are accepted ("a number" instead of "a finite number").

    Returns
    -------
    str
        The range in words, e.g. ``"a finite number > 0"``.
    """
    kind = "an integer" if integer else ("a number" if allow_inf else "a finite number")
    parts = []
    if lower is not None:
        parts.append(f"{'>' if lower_open else '>='} {lower:g}")
    if upper is not None:
        parts.append(f"{'<' if upper_open else '<='} {upper:g}")
    return kind + (" " + " and ".join(parts) if parts else "")


def check_array(
    value: Any,
    name: str,
    *,
    lower: float | None = None,
    upper: float | None = None,
    lower_open: bool = False,
    upper_open: bool = False,
    integer: bool = False,
    allow_inf: bool = False,
    ndim: int | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Convert ``value`` to an array and check that every entry lies in the accepted range.

    Parameters
    ----------
    value : array_like
        The user's input.
    name : str
        Parameter name used in the error message.
    lower, upper : float, optional
        Bounds of the accepted range.
    lower_open, upper_open : bool
        Whether the bounds are strict.
    integer : bool
        Require integer values (the array keeps ``dtype``; integer-valued floats are accepted).
    allow_inf : bool
        Accept infinite values (NaN is never accepted).
    ndim : int, optional
        Required number of dimensions.
    dtype : numpy dtype
        Floating dtype of the returned array (float64 by default).

    Returns
    -------
    numpy.ndarray
        The validated array.

    Raises
    ------
    ValueError
        ``"<name> must be <range> (got <value>)"`` for the first offending entry.
    TypeError
        Strings, bytes, booleans, complex numbers or None where numbers are expected (numpy would
        turn ``"1.5"`` into 1.5, ``True`` into 1.0 and drop an imaginary part).
    """
    desc = range_text(lower, upper, lower_open=lower_open, upper_open=upper_open,
                      integer=integer, allow_inf=allow_inf)
    _check_kind(value, name, desc)
    try:
        arr = np.asarray(value, dtype=dtype)
    except TypeError:
        raise TypeError(f"{name} must be {desc} (got {_short(value)} of type "
                        f"{type(value).__name__})") from None
    except (ValueError, OverflowError):
        raise ValueError(f"{name} must be {desc} (got {_short(value)})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array (got shape {arr.shape})")
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if lower is not None:
        bad |= (arr <= lower) if lower_open else (arr < lower)
    if upper is not None:
        bad |= (arr >= upper) if upper_open else (arr > upper)
    if integer:
        with np.errstate(invalid="ignore"):
            bad |= np.isfinite(arr) & (arr != np.round(arr))
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else arr[()]
        raise ValueError(f"{name} must be {desc} (got {first:g})")
    return arr


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_kind(value: Any, name: str, desc: str) -> None:
    """TypeError for strings, booleans, complex numbers and None given where numbers are expected.

    numpy would convert ``"1.5"`` and ``True`` to 1.5 and 1.0 and drop the imaginary part of a
    complex number (with only a warning): each is refused here, naming the parameter.
    """
    if value is None:
        raise TypeError(f"{name} must be {desc} (got None)")
    if isinstance(value, (str, bytes, bool, complex, np.bool_, np.complexfloating)):
        raise TypeError(f"{name} must be {desc} (got {_short(value)} of type {type(value).__name__})")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind is None:
        try:
            kind = np.asarray(value).dtype.kind
        except (TypeError, ValueError):
            return                      # ragged or odd input: the conversion below reports it
    if kind in "USbc" or kind == "O" and _has_bad_item(value):
        what = {"U": "strings", "S": "bytes", "b": "booleans", "c": "complex numbers",
                "O": "strings, booleans, complex numbers or None"}[kind]
        raise TypeError(f"{name} must be {desc}, not {what} (got {_short(value)})")


def _has_bad_item(value: Any) -> bool:
    try:
        items = np.asarray(value, dtype=object).ravel()
    except (TypeError, ValueError):
        return False
    return any(v is None or isinstance(v, (str, bytes, bool, complex, np.bool_, np.complexfloating))
               for v in items[:100000])


def check_scalar(value: Any, name: str, **kwargs: Any) -> float:
    """Validate a scalar with :func:`check_array` and return it as a Python float.

    Parameters
    ----------
    value : float-like
        The value to check (a Python or numpy scalar; a 0-d array is accepted).
    name : str
        Parameter name used in the error message.
    **kwargs
        Range options of :func:`check_array` (``lower``, ``upper``, ``lower_open``, ``integer``, ...).

    Returns
    -------
    float
        ``value`` as a Python float.
    """
    arr = check_array(value, name, **kwargs)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar (got shape {arr.shape})")
    return float(arr)


def restore_shape(result: np.ndarray, *inputs: Any) -> Any:
    """Return a Python float when every input was a scalar, else the array.

    Parameters
    ----------
    result : ndarray
        The computed array.
    *inputs
        The caller's original inputs.

    Returns
    -------
    float or ndarray
        ``float(result)`` when every input was a scalar, else ``result``.
    """
    if all(np.ndim(x) == 0 for x in inputs):
        return float(np.asarray(result).reshape(()))
    return result
