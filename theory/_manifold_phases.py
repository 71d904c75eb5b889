r"""Ordering of the subspace losses, the window of geometric memorization, and the (t, log n) phase
diagram of surviving tangent dimensions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from ._manifold_global import global_collapse_time
from ._manifold_thresholds import (
    _check_time_kind,
    check_subspaces,
    collapse_times,
    norm_collapse_time,
)
from .checks import check_array, check_scalar
from .files import atomic_path
from .timemap import _ve

_CITATION = ("Achilli et al. 2024 (arXiv:2410.08727), theory formula t_c (docs/theory/losing-dimensions.md "
             "secs. 2.1, 2.3 [D]); global collapse: Biroli et al. 2024, eq. 5")


def _tangent_mask(tangent: ArrayLike | None, k: int) -> np.ndarray:
    if tangent is None:
        return np.ones(k, dtype=bool)
    mask = np.asarray(tangent)
    if mask.shape != (k,) or mask.dtype != bool:
        raise ValueError(f"tangent must be a boolean array with one entry per subspace, {k} "
                         f"(got {np.asarray(tangent).tolist()!r})")
    if not mask.any():
        raise ValueError("tangent must mark at least one subspace (got none)")
    return mask


@dataclass(frozen=True)
class GeometricMemorization:
    r"""Critical times of the subspaces of one dataset, their order, and the window between them.

    Attributes
    ----------
    stds, dims : ndarray (K,)
    n : float
    time : str
        Unit of every time ("ou" or "ve_variance").
    normalized, effective : bool
    tangent : ndarray of bool (K,)
        Subspaces counted as tangent (the window and the dimension counts use only these).
    critical_times : ndarray (K,)
        :math:`t_C^{(k)}` (:func:`theory.manifold.collapse_times`).
    loss_order : ndarray of int
        Tangent subspace indices in the order they are lost in generation (largest t first).
    window : tuple of float or None
        ``(lo, hi)`` = (smallest, largest) tangent critical time: for ``lo < t < hi`` some tangent
        subspaces are lost and others intact (geometric memorization).  ``None`` with one tangent
        subspace or equal times.
    window_width : float
        ``hi - lo`` (0 without a window).
    window_log_ratio : float
        ``log(hi/lo)`` of the window ends in VE variance (on the sphere
        :math:`\log(\sigma_1^2/\sigma_2^2)`, independent of n).
    norm_time : float or None
        :math:`t_C^{(0)}` for Gaussian data, ``None`` on the sphere.
    global_time : float
        The global (Biroli et al. eq. 5) collapse time with the same variances as the critical
        times: the nominal :math:`\sigma_k^2` (or the effective variances with ``effective=True``).
        For data on the sphere the data's own covariance is the effective one, so with
        ``effective=False`` this is the collapse time of Gaussian data of the nominal variances,
        not that of the sphere data (:func:`theory.manifold.global_collapse_time` with
        ``effective=True``).
    citation : str
        Where the numbers come from.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (per-subspace critical times, the window of geometric
    memorization); Biroli et al. (2024), arXiv:2402.18491, eq. 5 (the global time);
    docs/theory/losing-dimensions.md secs. 2.3 and 2.5.
    """

    stds: np.ndarray
    dims: np.ndarray
    n: float
    time: str
    normalized: bool
    effective: bool
    tangent: np.ndarray
    critical_times: np.ndarray
    loss_order: np.ndarray
    window: tuple[float, float] | None
    window_width: float
    window_log_ratio: float
    norm_time: float | None
    global_time: float
    citation: str = _CITATION

    def surviving_dimensions(self, t: ArrayLike) -> np.ndarray:
        """Number of tangent dimensions not yet lost at time(s) t (same unit as ``time``)."""
        ta = check_array(t, "t", lower=0.0, lower_open=True)
        alive = ta[..., None] > self.critical_times
        return np.sum(alive * (self.dims * self.tangent), axis=-1)

    def to_dict(self) -> dict:
        """Plain numbers for JSON."""
        return {
            "stds": self.stds.tolist(), "dims": self.dims.tolist(), "n": self.n, "time": self.time,
            "normalized": self.normalized, "effective": self.effective,
            "tangent": self.tangent.tolist(), "critical_times": self.critical_times.tolist(),
            "loss_order": self.loss_order.tolist(),
            "window": None if self.window is None else list(self.window),
            "window_width": self.window_width, "window_log_ratio": self.window_log_ratio,
            "norm_time": self.norm_time, "global_time": self.global_time,
            "citation": self.citation,
        }


def geometric_memorization(stds: ArrayLike, dims: ArrayLike, n: float, normalized: bool = True,
                           effective: bool = False, time: str = "ou",
                           tangent: ArrayLike | None = None) -> GeometricMemorization:
    r"""Critical time of every subspace, the order of the losses and the geometric-memorization window.

    Parameters
    ----------
    stds, dims : array_like, shape (K,)
        As in :func:`theory.manifold.collapse_times`.
    n : float
        ``>= 2``.
    normalized, effective, time
        As in :func:`theory.manifold.collapse_times`.
    tangent : array_like of bool (K,), optional
        Which subspaces are tangent to the manifold (default: all); a normal block of tiny
        variance is usually excluded.

    Returns
    -------
    GeometricMemorization

    Notes
    -----
    Generation runs from large to small t, so subspace k is lost when t crosses
    :math:`t_C^{(k)}` from above; the order of the losses is that of decreasing
    :math:`t_C^{(k)}`, i.e. of decreasing :math:`\sigma_k^2` ("higher variance lost first").  On the
    sphere :math:`t_C^{(k)}/\sigma_k^2 = 1/(2\log n)` for every k, so the window
    :math:`(t_C^{(2)}, t_C^{(1)})` has the n-independent VE log-ratio
    :math:`\log(\sigma_1^2/\sigma_2^2)`; the Gaussian norm term squeezes it.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (abstract [A]: "higher variance lost first"); theory
    docs/theory/losing-dimensions.md sec. 2.3 [D] (ordering, visibility window); Biroli et al. (2024)
    eq. 5 for the global time.
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    nn = check_scalar(n, "n", lower=2.0)
    mask = _tangent_mask(tangent, sd.size)
    tc = collapse_times(sd, dm, nn, normalized, effective, time)
    idx = np.flatnonzero(mask)
    order = idx[np.argsort(-tc[idx], kind="stable")]
    lo, hi = float(tc[idx].min()), float(tc[idx].max())
    window = (lo, hi) if hi > lo else None
    ve = tc if time == "ve_variance" else _ve(tc)
    log_ratio = float(np.log(ve[idx].max() / ve[idx].min()))
    norm_t = None if normalized else float(norm_collapse_time(sd, dm, nn, time))
    glob = float(global_collapse_time(sd, dm, nn, time, normalized, effective))
    return GeometricMemorization(sd, dm, nn, time, bool(normalized), bool(effective), mask, tc,
                                 order, window, hi - lo if window else 0.0, log_ratio, norm_t, glob)


@dataclass(frozen=True)
class ManifoldPhaseDiagram:
    r"""Number of surviving tangent dimensions over a grid of time (columns) and log n (rows).

    Attributes
    ----------
    t : ndarray (T,)
        Times (unit ``time``).
    log_n : ndarray (N,)
        :math:`\log n` values.
    surviving : ndarray of int, shape (N, T)
        Tangent dimensions intact at (t, log n): :math:`\sum_{k\ \mathrm{tangent}} d_k[t > t_C^{(k)}]`.
    critical_times : ndarray, shape (N, K)
        :math:`t_C^{(k)}(n)` on the rows.
    global_time : ndarray (N,)
        The global collapse time on the rows.
    params : dict
        stds, dims, tangent, normalized, effective, time.
    citation : str
        Where the numbers come from.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727; Biroli et al. (2024), arXiv:2402.18491, eq. 5 (the global
    collapse line); docs/theory/losing-dimensions.md secs. 2.3 and 2.5.
    """

    t: np.ndarray
    log_n: np.ndarray
    surviving: np.ndarray
    critical_times: np.ndarray
    global_time: np.ndarray
    params: dict = field(default_factory=dict)
    citation: str = _CITATION

    def regions(self) -> list[int]:
        """The distinct surviving-dimension counts present on the grid (one region each)."""
        return sorted(int(v) for v in np.unique(self.surviving))

    def save(self, path: str | Path) -> Path:
        """Write the arrays to a ``.npz`` file atomically."""
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez(tmp, t=self.t, log_n=self.log_n, surviving=self.surviving,
                     critical_times=self.critical_times, global_time=self.global_time,
                     params=repr(self.params), citation=self.citation)
        return Path(path)

    def plot(self, ax=None):
        """Filled regions (one colour per surviving count), critical-time and global-collapse lines."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 4.5))
        levels = self.regions()
        cmap = plt.get_cmap("viridis", max(len(levels), 2))
        code = np.searchsorted(levels, self.surviving)
        ax.pcolormesh(self.t, self.log_n, code, cmap=cmap, vmin=-0.5, vmax=len(levels) - 0.5,
                      shading="nearest", rasterized=True)
        for i, lv in enumerate(levels):
            ax.fill_between([], [], color=cmap(i), label=f"{lv} tangent dims intact")
        for k in range(self.critical_times.shape[1]):
            ax.plot(self.critical_times[:, k], self.log_n, color="w", lw=1, ls="--")
        ax.plot(self.global_time, self.log_n, color="C3", lw=1.5, label="global collapse")
        ax.set_xlim(self.t.min(), self.t.max())
        ax.set_xlabel("OU time t" if self.params.get("time") == "ou" else "VE noise variance")
        ax.set_ylabel("log n")
        ax.legend(loc="best", fontsize=7)
        return ax


def manifold_phase_diagram(stds: ArrayLike, dims: ArrayLike, t: ArrayLike, log_n: ArrayLike,
                           normalized: bool = True, effective: bool = False, time: str = "ou",
                           tangent: ArrayLike | None = None) -> ManifoldPhaseDiagram:
    r"""Phase diagram over (t, log n): a region for each number of surviving tangent dimensions.

    Parameters
    ----------
    stds, dims : array_like, shape (K,)
    t : array_like, shape (T,)
        Times ``> 0`` (unit ``time``).
    log_n : array_like, shape (N,)
        :math:`\log n`, between :math:`\log 2` and 700.
    normalized, effective, time, tangent
        As in :func:`geometric_memorization`.

    Returns
    -------
    ManifoldPhaseDiagram

    Notes
    -----
    Subspace k is intact at (t, n) iff :math:`t > t_C^{(k)}(n)`, equivalently
    :math:`\log n > \log n_C^{(k)}(t)` (docs/theory/losing-dimensions.md sec. 2.3 [D]).

    References
    ----------
    docs/theory/losing-dimensions.md sec. 2.3 [D] (from Achilli et al. 2024); Biroli et al.
    (2024) eq. 5 (global line).
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    ta = check_array(t, "t", lower=0.0, lower_open=True, ndim=1)
    ln = check_array(log_n, "log_n", lower=float(np.log(2.0)), upper=700.0, ndim=1)
    mask = _tangent_mask(tangent, sd.size)
    nn = np.exp(ln)
    tc = collapse_times(sd, dm, nn, normalized, effective, time)           # (N, K)
    alive = ta[None, :, None] > tc[:, None, :]                              # (N, T, K)
    surviving = np.sum(alive * (dm * mask), axis=-1).astype(np.int64)
    glob = np.asarray(global_collapse_time(sd, dm, nn, time, normalized, effective))
    params = {"stds": sd.tolist(), "dims": dm.tolist(), "tangent": mask.tolist(),
              "normalized": bool(normalized), "effective": bool(effective), "time": time}
    return ManifoldPhaseDiagram(ta, ln, surviving, tc, glob, params)
