"""Backward-SDE integrators in OU time (generation runs from t = T down to t_min).

The backward process of the paper, eq. 3, with a score ``F = score(y, t)``:

.. math:: -dy = [\\,y + 2F(y,t)\\,]\\,dt + d\\xi,\\qquad \\langle d\\xi^2\\rangle = 2\\,dt.

Two one-step maps from t to t - h are offered:

- ``"euler"``: the Euler-Maruyama step of the paper (SI App. D),
  :math:`y \\leftarrow y + h[y + 2F(y,t)] + \\sqrt{2h}\\,\\xi`;
- ``"exponential"``: the linear part integrated exactly (exponential integrator; the score frozen
  over the step), :math:`y \\leftarrow e^{h} y + 2(e^{h}-1)F(y,t) + \\sqrt{e^{2h}-1}\\,\\xi`.

Both have weak order 1 (measured in ``tests/test_validation_sde.py``).  Everything is deterministic
given a :class:`numpy.random.Generator`.  The states may be numpy, torch or CuPy arrays (float64 or
float32): the step runs on their device, with noise from a device generator seeded from the numpy
one (see :meth:`validation.backend.Backend.standard_normal`).

Examples
--------
>>> import numpy as np
>>> from validation import GaussianScore
>>> run = integrate_backward(GaussianScore(np.zeros(3)), np.ones((2, 3)), 1.0, 0.5, 10, rng=0)
>>> run.x.shape
(2, 3)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theory.checks import check_array, check_scalar
from theory.progress import Progress

from .backend import _BM_BLOCK, _BoxMullerScratch, _library, get_backend

__all__ = ["METHODS", "time_grid", "backward_step", "integrate_backward", "BackwardRun"]

METHODS = ("euler", "exponential")
Score = Callable[[np.ndarray, float], np.ndarray]


def time_grid(T: float, t_min: float, steps: int) -> np.ndarray:
    """Uniform decreasing grid from ``t_0 = T`` to ``t_steps = t_min`` (length ``steps + 1``).

    Parameters
    ----------
    T : float
        Start time.
    t_min : float
        End time, ``0 <= t_min < T``.
    steps : int
        Number of steps, ``>= 1``.

    Returns
    -------
    ndarray, shape (steps + 1,)
        Decreasing times from T to t_min.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 3 (backward SDE) and SI App. D (T = 10, L = 1000 steps).
    docs/theory/dynamical-regimes.md sec. 1.
    """
    T = check_scalar(T, "T", lower=0.0, lower_open=True)
    t_min = check_scalar(t_min, "t_min", lower=0.0, upper=T, upper_open=True)
    steps = int(check_scalar(steps, "steps", lower=1, upper=10**8, integer=True))
    return np.linspace(T, t_min, steps + 1)


def _step_coefficients(h: float, method: str) -> tuple[float, float, float]:
    """(c_y, c_F, c_noise) of y <- c_y y + c_F F + c_noise xi for one step of size h."""
    if method == "euler":
        return 1.0 + h, 2.0 * h, math.sqrt(2.0 * h)
    if method == "exponential":
        g = math.expm1(h)
        return 1.0 + g, 2.0 * g, math.sqrt(g * (g + 2.0))
    raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")


def backward_step(score: Score, y, t: float, h: float, rng: np.random.Generator,
                  method: str = "euler", *, out=None):
    """One backward step from t to t - h (see the module docstring for the two maps).

    Parameters
    ----------
    score : callable
        ``score(y, t)``.
    y : array, shape (B, d)
        States (numpy, torch or CuPy; float64 or float32), left unchanged.
    t, h : float
        Current time and step size.
    rng : numpy.random.Generator
        Source of the noise.
    method : {"euler", "exponential"}
    out : array, optional
        Where to write the new states (may be ``y`` itself); a new array by default.

    Returns
    -------
    array, shape (B, d)
        ``c_y y + c_F F(y, t) + c_noise xi`` with (c_y, c_F, c_noise) = (1 + h, 2h, sqrt(2h))
        (Euler) or (e^h, 2(e^h - 1), sqrt(e^{2h} - 1)) (exponential).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 3 and SI App. D
    (Euler-Maruyama discretisation).
    docs/theory/dynamical-regimes.md sec. 1.
    """
    c_y, c_f, c_n = _step_coefficients(h, method)
    be = get_backend(y)
    if be.name == "numpy" and hasattr(score, "prepare") and y.dtype in (np.float32, np.float64) \
            and y.ndim == 2 and y.flags.c_contiguous:
        return _numpy_step(y, score.prepare(t, y.dtype), c_y, c_f, c_n, rng, out)
    f = score(y, t)
    if be.name == "numpy":
        return _numpy_step(y, f, c_y, c_f, c_n, rng, out)
    noise = be.standard_normal(rng, tuple(y.shape), y.dtype, scale=c_n)
    if be.name == "torch":                      # fused in-place updates, no temporaries
        noise.add_(f, alpha=c_f)
        if out is None:
            return noise.add_(y, alpha=c_y)
        return be._torch.add(noise, y, alpha=c_y, out=out)
    noise += f * c_f
    noise += y * c_y
    if out is None:
        return noise
    out[...] = noise
    return out


def _numpy_step(y: np.ndarray, f, c_y: float, c_f: float, c_n: float, rng: np.random.Generator,
                out: np.ndarray | None) -> np.ndarray:
    """c_y y + c_F F + c_noise xi in row blocks that stay in cache: y read once, the result
    written once, the noise made inside each block (see :func:`validation.backend.box_muller`).
    ``f`` is the score array, or the ``drift(x, out, c_score, c_x)`` function of a row-local score
    (``score.prepare(t)``), then evaluated block by block, fused with the step."""
    blockwise = callable(f)
    if not blockwise:
        f = np.asarray(f)
        if f.shape != y.shape:
            raise ValueError(f"score must return an array of the states' shape {y.shape} "
                             f"(got {f.shape})")
    res = np.empty_like(y) if out is None else out
    target = res if (res.flags.c_contiguous and y.flags.c_contiguous) else np.empty_like(y)
    yy = y if y.flags.c_contiguous else np.ascontiguousarray(y)
    B = yy.shape[0] if yy.ndim else 1
    y2, t2 = yy.reshape(B, -1), target.reshape(B, -1)
    width = max(y2.shape[1], 1)
    rows = max(1, (2 * _BM_BLOCK) // width)
    n_words = sum((min(rows, B - r0) * width + 1) // 2 for r0 in range(0, B, rows))
    words = rng.bit_generator.random_raw(n_words)
    scratch = _BoxMullerScratch(min(_BM_BLOCK, (min(rows, B) * width + 1) // 2), y.dtype)
    ty = np.empty((min(rows, B), y2.shape[1]), dtype=y.dtype)
    tf = np.empty_like(ty)
    f2 = None if blockwise else f.reshape(B, -1)
    w0 = 0
    for r0 in range(0, B, rows):
        yb = y2[r0:r0 + rows]
        nb = yb.shape[0]
        fb = tf[:nb]
        if blockwise:
            f(yb, fb, c_f, c_y)                       # c_F F + c_y y of the block, in the cache
        else:
            np.multiply(f2[r0:r0 + rows], c_f, out=fb, casting="same_kind")
            np.multiply(yb, c_y, out=ty[:nb])
            fb += ty[:nb]
        nz = ty[:nb]
        k = (nz.size + 1) // 2
        scratch.fill(words[w0:w0 + k], nz.reshape(-1), c_n)
        w0 += k
        np.add(nz, fb, out=t2[r0:r0 + rows])          # y was read: ``target`` may be ``y`` itself
    if target is not res:
        res[...] = target
    return res


@dataclass
class BackwardRun:
    """End state of a backward integration and the states saved on the way.

    Attributes
    ----------
    x : ndarray (B, d)
        State at the last grid time.
    times : ndarray
        The grid (decreasing).
    saved_times : ndarray
        Times at which ``saved`` was recorded.
    saved : list
        What ``record(y, t)`` returned at each saved time (the state itself by default).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 3 (backward SDE) and SI App. D (discretisation).
    docs/theory/dynamical-regimes.md sec. 1.
    """

    x: np.ndarray
    times: np.ndarray
    saved_times: np.ndarray
    saved: list


def integrate_backward(score: Score, x_T, T: float, t_min: float, steps: int, *,
                       method: str = "euler", rng: np.random.Generator | int | None = None,
                       save_every: int | None = None,
                       record: Callable[[np.ndarray, float], object] | None = None,
                       progress: bool | None = None) -> BackwardRun:
    """Integrate the backward SDE from ``x_T`` at time ``T`` down to ``t_min``.

    Parameters
    ----------
    score : callable
        ``score(y, t)`` returning an array of y's shape (exact empirical score, a population score,
        or a trained network's).
    x_T : array_like, shape (B, d)
        Initial states (e.g. ``rng.standard_normal((B, d))``, the stationary law).
    T, t_min : float
        Start and end OU times, ``T > t_min >= 0`` (the score is evaluated at t > t_min only).
    steps : int
        Number of steps of size ``(T - t_min)/steps``.
    method : {"euler", "exponential"}
    rng : Generator or int, optional
        Source of the noise (a seed makes the run deterministic).
    save_every : int, optional
        Record every ``save_every`` steps (and the last state).
    record : callable, optional
        ``record(y, t)`` -> what to keep at saved times (default: a copy of y).
    progress : bool, optional
        Show a progress bar (default: only on a terminal).

    Returns
    -------
    BackwardRun
        Final states, saved times and saved records.

    References
    ----------
    Biroli et al. (2024), eq. 3 and SI App. D.
    docs/theory/dynamical-regimes.md sec. 1.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    if _library(x_T) == "numpy":
        y = np.asarray(x_T)
        y = check_array(y, "x_T", dtype=y.dtype if y.dtype in (np.float32, np.float64) else np.float64)
    else:
        be = get_backend(x_T)
        y = x_T if str(x_T.dtype).endswith(("float32", "float64")) else be.xp.astype(x_T, be.xp.float64)
        if not bool(be.xp.all(be.xp.isfinite(y))):
            raise ValueError("x_T must be finite (got non-finite values)")
    if y.ndim != 2:
        raise ValueError(f"x_T must have shape (B, d) (got shape {tuple(y.shape)})")
    grid = time_grid(T, t_min, steps)
    rng = np.random.default_rng(rng)
    xp = get_backend(y).xp
    # two state buffers used in turn (no fresh allocation per step) unless a user's ``record`` might
    # keep references to the states it is given
    buffers = [None, None] if record is None else None
    record = record or (lambda z, _t: xp.asarray(z, copy=True))
    saved, saved_t = [], []
    with Progress(steps, "backward SDE", enabled=progress) as bar:
        for k in range(steps):
            t, h = grid[k], grid[k] - grid[k + 1]
            if save_every and k % save_every == 0:
                saved.append(record(y, t))
                saved_t.append(t)
            if buffers is None:
                y = backward_step(score, y, t, h, rng, method)
            else:
                if buffers[k % 2] is None:
                    buffers[k % 2] = xp.empty(tuple(y.shape), dtype=y.dtype,
                                              **({} if _library(y) == "numpy" else {"device": y.device}))
                y = backward_step(score, y, t, h, rng, method, out=buffers[k % 2])
            bar.update()
    if save_every:
        saved.append(record(y, grid[-1]))
        saved_t.append(grid[-1])
    return BackwardRun(y, grid, np.asarray(saved_t), saved)
