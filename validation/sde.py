"""Backward-SDE integrators in OU time (generation runs from t = T down to t_min).

The backward process of the paper, eq. 3, with a score ``F = score(y, t)``:

.. math:: -dy = [\\,y + 2F(y,t)\\,]\\,dt + d\\xi,\\qquad \\langle d\\xi^2\\rangle = 2\\,dt.

Two one-step maps from t to t - h are offered:

- ``"euler"``: the Euler-Maruyama step of the paper (SI App. D),
  :math:`y \\leftarrow y + h[y + 2F(y,t)] + \\sqrt{2h}\\,\\xi`;
- ``"exponential"``: the linear part integrated exactly (exponential integrator; the score frozen
  over the step), :math:`y \\leftarrow e^{h} y + 2(e^{h}-1)F(y,t) + \\sqrt{e^{2h}-1}\\,\\xi`.

Both have weak order 1 (measured in ``tests/test_validation_sde.py``).  Everything is deterministic
given a :class:`numpy.random.Generator`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theory.checks import check_array, check_scalar
from theory.progress import Progress

__all__ = ["METHODS", "time_grid", "backward_step", "integrate_backward", "BackwardRun"]

METHODS = ("euler", "exponential")
Score = Callable[[np.ndarray, float], np.ndarray]


def time_grid(T: float, t_min: float, steps: int) -> np.ndarray:
    """Uniform grid ``T = t_0 > t_1 > ... > t_steps = t_min`` (length ``steps + 1``).

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 3 (backward SDE) and SI App. D (T = 10, L = 1000 steps).
    """
    T = check_scalar(T, "T", lower=0.0, lower_open=True)
    t_min = check_scalar(t_min, "t_min", lower=0.0, upper=T, upper_open=True)
    steps = int(check_scalar(steps, "steps", lower=1, integer=True))
    return np.linspace(T, t_min, steps + 1)


def backward_step(score: Score, y: np.ndarray, t: float, h: float, rng: np.random.Generator,
                  method: str = "euler") -> np.ndarray:
    """One backward step from t to t - h (see the module docstring for the two maps).

    References
    ----------
    Biroli et al. (2024), eq. 3 (``eq:tr``) and SI App. D (Euler-Maruyama discretisation).
    """
    f = score(y, t)
    noise = rng.standard_normal(y.shape, dtype=y.dtype) if y.dtype == np.float32 \
        else rng.standard_normal(y.shape)
    if method == "euler":
        return y + h * (y + 2.0 * f) + np.sqrt(2.0 * h) * noise
    if method == "exponential":
        g = np.expm1(h)
        return (1.0 + g) * y + 2.0 * g * f + np.sqrt(g * (g + 2.0)) * noise
    raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")


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

    References
    ----------
    Biroli et al. (2024), eq. 3 and SI App. D.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    y = check_array(x_T, "x_T")
    if y.ndim != 2:
        raise ValueError(f"x_T must have shape (B, d) (got shape {y.shape})")
    grid = time_grid(T, t_min, steps)
    rng = np.random.default_rng(rng)
    record = record or (lambda z, _t: z.copy())
    saved, saved_t = [], []
    with Progress(steps, "backward SDE", enabled=progress) as bar:
        for k in range(steps):
            t, h = grid[k], grid[k] - grid[k + 1]
            if save_every and k % save_every == 0:
                saved.append(record(y, t))
                saved_t.append(t)
            y = backward_step(score, y, t, h, rng, method)
            bar.update()
    if save_every:
        saved.append(record(y, grid[-1]))
        saved_t.append(grid[-1])
    return BackwardRun(y, grid, np.asarray(saved_t), saved)
