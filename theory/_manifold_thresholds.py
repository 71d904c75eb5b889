r"""Per-direction condensation thresholds of the empirical score on a linear manifold.

Closed forms of the random-energy-model reading of Achilli et al. (2024) derived in
:mod:`derivations.manifold_rem` (docs/theory/losing-dimensions.md secs. 2.2-2.3): energy
variances, critical times, critical dataset sizes and critical alpha per subspace, the norm-driven
threshold of Gaussian data, the REM retention, and the exact effective per-coordinate variances of
sphere-normalized data.  The extension of sec. 2.4 and the global time are in
:mod:`theory._manifold_global`.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_array, check_scalar, restore_shape
from .timemap import _ou_from_ve, _ve

TIMES = ("ou", "ve_variance")
"""Accepted values of the ``time`` argument: OU time, or the VE noise variance e^{2t} - 1."""


# --- argument checks and time maps ------------------------------------------------------------------

def _check_time_kind(time: str) -> str:
    if time not in TIMES:
        raise ValueError(f"time must be one of {', '.join(repr(x) for x in TIMES)} (got {time!r})")
    return time


def _to_ve(t: np.ndarray, time: str) -> np.ndarray:
    """VE noise variance of a time given in the unit named by ``time``."""
    return _ve(t) if time == "ou" else t


def _from_ve(s: np.ndarray, time: str) -> np.ndarray:
    """A VE noise variance in the unit named by ``time`` (OU: t = log(1 + s)/2)."""
    return _ou_from_ve(s) if time == "ou" else s


def check_subspaces(stds: ArrayLike, dims: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Validate one standard deviation (> 0) and one dimension (integer >= 1) per subspace.

    Parameters
    ----------
    stds : array_like, shape (K,)
        Standard deviation of the coordinates of each subspace, ``> 0``.
    dims : array_like, shape (K,)
        Dimension of each subspace, integers ``>= 1``.

    Returns
    -------
    stds : ndarray (K,) float64
    dims : ndarray (K,) int64

    Raises
    ------
    ValueError
        A std <= 0, a dimension < 1 or not an integer, empty or mismatched lengths.
    """
    sd = check_array(stds, "stds", lower=0.0, lower_open=True)
    if sd.ndim != 1 or sd.size == 0:
        raise ValueError(f"stds must be a non-empty 1-dimensional array (got shape {sd.shape})")
    dm = check_array(dims, "dims", lower=1, upper=2**53, integer=True)
    if dm.ndim != 1:
        raise ValueError(f"dims must be a 1-dimensional array (got shape {dm.shape})")
    if dm.size != sd.size:
        raise ValueError(f"dims must have one entry per subspace, {sd.size} (got {dm.size})")
    return sd, dm.astype(np.int64)


def _check_n(n: ArrayLike) -> np.ndarray:
    return check_array(n, "n", lower=2.0)


def _variances(sd: np.ndarray, dm: np.ndarray, normalized: bool, effective: bool) -> np.ndarray:
    """Per-coordinate variance of each subspace as the formulas use it."""
    if effective:
        if not normalized:
            raise ValueError("effective must be False for Gaussian data (normalized=False): the "
                             "effective variances are those of sphere-normalized data (got True)")
        return effective_variances(sd, dm)
    top = 1e150 if normalized else 1e70      # stds^2 (sphere) or stds^4 summed (Gaussian) stay finite
    if float(np.max(sd)) > top:
        kind = "normalized data (the formulas use stds^2)" if normalized else \
            "Gaussian data (normalized=False: the formulas use stds^4)"
        raise ValueError(f"stds must be <= {top:g} for {kind} (got {float(np.max(sd)):g})")
    return sd**2


def _gate_q4(var: np.ndarray, dm: np.ndarray, normalized: bool) -> float:
    r"""g Q_4 = g sum_k d_k sigma_k^4 (g = 0 on the sphere, 1 for Gaussian data)."""
    return 0.0 if normalized else float(np.sum(dm * var**2))


# --- effective variances of sphere-normalized data --------------------------------------------------

@functools.lru_cache(maxsize=256)
def _effective_cached(sd: tuple[float, ...], dm: tuple[int, ...]) -> tuple[float, ...]:
    from scipy.integrate import quad

    dims = np.asarray(dm, dtype=float)
    # the values depend on the ratios of the stds only: divide by their geometric middle, so that
    # no scale of the stds overflows; mpmath where even the ratios leave float64
    log_sd = np.log(np.asarray(sd, dtype=float))
    log_ratio = log_sd - 0.5 * (log_sd.min() + log_sd.max())
    if np.max(np.abs(2.0 * log_ratio)) > 700.0:
        return _effective_mp(sd, dm)
    var = np.exp(2.0 * log_ratio)
    # u = e^v: the integrand is a smooth bump in v on any scale of the variances; pieces split at
    # v_j = -log(2 sigma_j^2) (where factor j turns over), with extra nodes every 8 units between
    breaks = np.unique(-(np.log(2.0) + 2.0 * log_ratio))
    nodes = [breaks[0]]
    for a, b in zip(breaks[:-1], breaks[1:], strict=True):
        nodes.extend(np.linspace(a, b, int(np.ceil((b - a) / 8.0)) + 1)[1:].tolist())
    pieces = [(-np.inf, nodes[0])] + list(zip(nodes[:-1], nodes[1:], strict=True)) + [(nodes[-1], np.inf)]

    log2var = np.log(2.0) + 2.0 * log_ratio

    def integrand(v: float, k: int) -> float:
        # sigma_k^2 e^v (1 + 2 e^v sigma_k^2)^{-1} prod_j (1 + 2 e^v sigma_j^2)^{-d_j/2}, in logs
        lg = np.logaddexp(0.0, v + log2var)
        return float(np.exp(2.0 * log_ratio[k] + v - 0.5 * float(np.sum(dims * lg)) - lg[k]))

    out = []
    for k in range(var.size):
        out.append(sum(quad(integrand, a, b, args=(k,), epsabs=0.0, epsrel=1e-12, limit=200)[0]
                       for a, b in pieces))
    # the exact values satisfy sum_k d_k sigma~_k^2 = 1; a miss flags a failed quadrature
    if abs(float(np.dot(dims, out)) - 1.0) > 1e-9:
        return _effective_mp(sd, dm)
    return tuple(out)


def _effective_mp(sd: tuple[float, ...], dm: tuple[int, ...]) -> tuple[float, ...]:
    """The same integral with mpmath (variances of any magnitude; the fallback of the float64 rule)."""
    import mpmath as mp

    with mp.workdps(25):
        var = [mp.mpf(x) ** 2 for x in sd]
        dims = [mp.mpf(int(x)) for x in dm]
        breaks = sorted({-mp.log(2 * v) for v in var})
        lo, hi = breaks[0], breaks[-1]
        steps = max(1, int((hi - lo) / 4))                       # nodes every ~4 units of log u,
        inner = {lo + i * (hi - lo) / steps for i in range(1, steps)}
        tails = {lo - 4 * 2**i for i in range(6)} | {hi + 4 * 2**i for i in range(8)}  # and tails
        pts = [mp.ninf] + sorted(set(breaks) | inner | tails) + [mp.inf]
        out = []
        for vk in var:
            def f(v, vk=vk):
                u = mp.exp(v)
                lp = -sum(d * mp.log1p(2 * u * w) for d, w in zip(dims, var, strict=True)) / 2
                return vk * u * mp.exp(lp - mp.log1p(2 * u * vk))
            out.append(float(mp.quad(f, pts)))
    return tuple(out)


def effective_variances(stds: ArrayLike, dims: ArrayLike) -> np.ndarray:
    r"""Per-coordinate variance of each subspace after projecting Gaussian data onto the unit sphere.

    Parameters
    ----------
    stds : array_like, shape (K,)
        Standard deviation of every coordinate of subspace k before normalization, ``> 0``.
    dims : array_like, shape (K,)
        Dimension of each subspace, integers ``>= 1`` (all subspaces together span the data).

    Returns
    -------
    ndarray, shape (K,)
        :math:`\tilde\sigma_k^2 = E[y_j^2/|y|^2]` for a coordinate j of subspace k, y Gaussian with
        per-coordinate standard deviations ``stds``; they satisfy :math:`\sum_k d_k\tilde\sigma_k^2 = 1`.

    Notes
    -----
    With :math:`1/|y|^2 = \int_0^\infty e^{-u|y|^2}du` and Gaussian integrals per coordinate,

    .. math::
        \tilde\sigma_k^2 = \int_0^\infty \frac{\sigma_k^2}{1 + 2u\sigma_k^2}
        \prod_j (1 + 2u\sigma_j^2)^{-d_j/2}\,du ,

    evaluated by :func:`scipy.integrate.quad` in :math:`v = \log u` (pieces split at
    :math:`u = 1/(2\sigma_j^2)`), checked against :math:`\sum_k d_k\tilde\sigma_k^2 = 1` with an
    mpmath fallback.  The
    docs/theory/losing-dimensions.md quotes the large-d approximation :math:`\sigma_k^2/\sum_j d_j\sigma_j^2`
    (0.408 and 0.0367 for the paper's 2/5/23 configuration, [D]); this is its exact value.  The authors'
    theory ignores the normalization and uses the raw stds (docs/theory/losing-dimensions.md sec. 1.2).

    References
    ----------
    docs/theory/losing-dimensions.md sec. 1.2 (effective variances, [D]); Achilli et al.
    (2024), arXiv:2410.08727 (data projected onto the sphere).
    """
    sd, dm = check_subspaces(stds, dims)
    return np.array(_effective_cached(tuple(sd.tolist()), tuple(int(x) for x in dm)))


# --- per-direction REM -----------------------------------------------------------------------------

def energy_variances(stds: ArrayLike, dims: ArrayLike, t: ArrayLike, normalized: bool = True,
                     effective: bool = False, time: str = "ou") -> np.ndarray:
    r"""Variance :math:`v_k(t)` of the REM energies seen by a probe along a direction of subspace k.

    Parameters
    ----------
    stds, dims : array_like, shape (K,)
        One standard deviation (``> 0``) and one dimension (integer ``>= 1``) per subspace.
    t : array_like
        Time, ``> 0``, in the unit named by ``time``.
    normalized : bool
        Data on the unit sphere (gate g = 0, default) or Gaussian data (g = 1, with the norm term).
    effective : bool
        Use the effective variances of sphere-normalized data (:func:`effective_variances`) instead
        of the raw stds (the authors' choice).
    time : {"ou", "ve_variance"}
        Unit of ``t``: OU time (default) or the VE noise variance :math:`e^{2t} - 1`.

    Returns
    -------
    ndarray, shape ``t.shape + (K,)``

    Notes
    -----
    .. math::
        v_k(t) = \frac{g\,Q_4/2 + t\sigma_k^2}{t^2},\qquad Q_4 = \sum_j d_j\sigma_j^4
        \quad(t = t_{VE});

    OU: :math:`[gQ_4e^{-4t}/2 + \Delta_t\sigma_k^2e^{-2t}]/\Delta_t^2`, the same number.  The
    energies are treated as i.i.d. Gaussian (the REM approximation; only qualitative for the
    paper's toy data, docs/theory/losing-dimensions.md sec. 2.6).

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727, theory formula (docs/theory/losing-dimensions.md sec. 2.1);
    derived REM reading, docs/theory/losing-dimensions.md sec. 2.2 [D];
    :func:`derivations.manifold_rem.direction_rem`.
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    var = _variances(sd, dm, normalized, effective)
    with np.errstate(over="ignore"):
        s = _to_ve(ta, time)[..., None]
    q4 = _gate_q4(var, dm, normalized)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # (g Q_4/2 + s sigma_k^2)/s^2 written so that s -> inf gives 0 and s^2 never underflows
        out = var / s + (0.5 * q4 / s / s if q4 > 0 else 0.0)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"t must be larger: the REM energy variances at t = {float(np.min(ta)):g} are "
                         "beyond the float64 range (they grow as stds^2/t, or stds^4/t^2 for Gaussian "
                         "data)")
    return out


def collapse_times(stds: ArrayLike, dims: ArrayLike, n: ArrayLike, normalized: bool = True,
                   effective: bool | None = None, time: str = "ou") -> np.ndarray:
    r"""Critical time of every subspace: below it the empirical score has lost that subspace.

    Parameters
    ----------
    stds : array_like, shape (K,)
        Standard deviation of the coordinates of each subspace (including any normal block), ``> 0``.
    dims : array_like, shape (K,)
        Dimension of each subspace, integers ``>= 1``; the Gaussian norm term sums
        :math:`\sigma_k^4` over all :math:`d_k` coordinates of every subspace.
    n : array_like
        Number of training points, ``>= 2`` (scalar or array).
    normalized : bool
        Data projected onto the unit sphere (default, as in the paper) or Gaussian data.
    effective : bool, optional
        Which per-coordinate variances enter the formula.  Default (None): those of the data
        described -- the effective variances :math:`\tilde\sigma_k^2` (:func:`effective_variances`)
        of the sphere-normalized data when ``normalized=True``, :math:`\sigma_k^2` for Gaussian data.
        ``effective=False`` with ``normalized=True`` is the authors' theory panel (sphere formula with
        the raw stds, which are not the variances of the normalized data); ``effective=True`` needs
        ``normalized=True``.
    time : {"ou", "ve_variance"}
        Return OU times (default) or VE noise variances.

    Returns
    -------
    ndarray, shape ``n.shape + (K,)``
        :math:`t_C^{(k)}`, one per subspace; the higher the variance, the larger the time (lost first
        in generation, which runs from large to small t).  These per-direction random-energy-model
        thresholds hold for a probe along one direction at a fixed number of points; for test points
        drawn from the data at fixed :math:`\alpha = \log(n)/d` with blocks of dimension
        proportional to d every block is lost at the global collapse time (generated start) or the
        lower-variance block first (population start): :func:`theory.manifold.retention`,
        ``docs/theory/finite-size.md``.

    Raises
    ------
    ValueError
        For a std ``<= 0``, a dimension that is not a positive integer, mismatched lengths,
        ``n < 2``, an unknown ``time``, or ``effective=True`` with Gaussian data.

    Notes
    -----
    The positive root of :math:`v_k(t) = 2L`, :math:`L = \log n` (VE variance):

    .. math::
        t_C^{(k)} = \tfrac12\Big[\frac{\sigma_k^2}{2L}
        + \sqrt{\frac{\sigma_k^4}{4L^2} + \frac{g\,Q_4}{L}}\Big],\qquad
        Q_4 = \sum_j d_j\sigma_j^4,

    i.e. :math:`\sigma_k^2/(2\log n)` on the sphere (g = 0); OU time
    :math:`t = \tfrac12\log(1 + t_C^{(k)})`.  The REM threshold marks where condensation along the
    direction *starts*; Monte Carlo (docs/theory/losing-dimensions.md sec. 2.6) shows it is only qualitative
    for the paper's toy data.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727, theory formula ``t_c`` (docs/theory/losing-dimensions.md sec.
    2.1, [C]); closed form: docs/theory/losing-dimensions.md sec. 2.3 [D];
    :func:`derivations.manifold_rem.direction_rem`.

    Examples
    --------
    >>> from theory.manifold import collapse_times
    >>> collapse_times([1.0, 0.3], [2, 5], 1000, effective=False, time="ve_variance").round(6)
    array([0.072382, 0.006514])
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    nn = _check_n(n)
    if effective is None:
        effective = bool(normalized)
    var = _variances(sd, dm, normalized, effective)
    L = np.log(nn)[..., None]
    # (var + sqrt(var^2 + 4 L g Q_4))/(4L), written without var^2 (which overflows for var > 1e154)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(var > 0, 4.0 * L * _gate_q4(var, dm, normalized) / var / var, 0.0)
        s = np.where(var > 0, var * (1.0 + np.sqrt(1.0 + ratio)) / (4.0 * L), 0.0)
        if _gate_q4(var, dm, normalized) > 0:       # var -> 0: the root sqrt(g Q_4 / 4L)
            s = np.where(var > 0, s, np.sqrt(_gate_q4(var, dm, normalized) / (4.0 * L)))
    return _from_ve(s, time)


def norm_collapse_time(stds: ArrayLike, dims: ArrayLike, n: ArrayLike,
                       time: str = "ou") -> np.ndarray | float:
    r"""Norm-driven global threshold :math:`t_C^{(0)}` of Gaussian data (zero on the sphere).

    Parameters
    ----------
    stds : array_like, shape (K,)
        Standard deviation of the coordinates of each subspace, ``> 0``.
    dims : array_like, shape (K,)
        Dimension of each subspace, integers ``>= 1``.
    n : array_like
        Number of training points, ``n >= 2``.
    time : {"ou", "ve_variance"}, default "ou"
        Unit of the times: OU time or VE noise variance.

    Returns
    -------
    float or ndarray (shape of ``n``)

    Notes
    -----
    The norm term alone condenses at :math:`Q_4/(2t^2) = 2\log n`:
    :math:`t_C^{(0)} = \sqrt{Q_4/(4\log n)}` (VE), :math:`Q_4 = \sum_j d_j\sigma_j^4`; always
    :math:`t_C^{(k)} \ge t_C^{(0)}`.

    References
    ----------
    Achilli et al. (2024), theory formula ``t_c0`` (docs/theory/losing-dimensions.md sec. 2.1, [C]);
    docs/theory/losing-dimensions.md sec. 2.3 [D].
    """
    time = _check_time_kind(time)
    sd, dm = check_subspaces(stds, dims)
    nn = _check_n(n)
    top = float(np.max(sd))         # sum d_j sigma_j^4 scaled by the largest sigma: no overflow
    with np.errstate(over="ignore"):
        s = top * top * np.sqrt(float(np.sum(dm * (sd / top) ** 4)) / (4.0 * np.log(nn)))
    if not np.all(np.isfinite(s)):
        raise ValueError(f"stds must be <= 1e150: t_C^(0) = sqrt(Q_4/4 log n) is beyond the float64 "
                         f"range (got {top:g})")
    return restore_shape(_from_ve(s, time), n)


def log_critical_sizes(stds: ArrayLike, dims: ArrayLike, t: ArrayLike, normalized: bool = True,
                       time: str = "ou", effective: bool = False) -> np.ndarray:
    r"""Log of the critical dataset size of every subspace at fixed time.

    Parameters
    ----------
    stds, dims : array_like, shape (K,)
        As in :func:`collapse_times`.
    t : array_like
        Time, ``> 0``, in the unit named by ``time``.
    normalized : bool
        Sphere (default) or Gaussian data.
    time : {"ou", "ve_variance"}
        Unit of ``t``.
    effective : bool
        As in :func:`collapse_times`.

    Returns
    -------
    ndarray, shape ``t.shape + (K,)``
        :math:`\log n_C^{(k)}(t)`; subspace k is condensed (lost) at time t iff
        :math:`n < n_C^{(k)}` (:math:`n_C` itself overflows float64 at small t).

    Notes
    -----
    Solving :math:`v_k(t) = 2\log n` for n:

    .. math::
        \log n_C^{(k)}(t) = \frac{g\,Q_4/2 + t\sigma_k^2}{2t^2}\ \text{(VE)},\qquad
        \frac{gQ_4e^{-4t}/2 + \Delta_t\sigma_k^2e^{-2t}}{2\Delta_t^2}\ \text{(OU)},

    :math:`\sigma_k^2/(2t)` on the sphere.  Inverse of :func:`collapse_times` at fixed n.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 ("critical times and dataset sizes", abstract [A]);
    docs/theory/losing-dimensions.md sec. 2.3 [D].
    """
    return 0.5 * energy_variances(stds, dims, t, normalized, effective, time)


def critical_alphas(stds: ArrayLike, dims: ArrayLike, t: ArrayLike, normalized: bool = True,
                    time: str = "ou", effective: bool = False) -> np.ndarray:
    r"""Critical :math:`\alpha_C^{(k)}(t) = \log n_C^{(k)}(t)/d`, :math:`d = \sum_k d_k`.

    Parameters
    ----------
    stds : array_like, shape (K,)
        Standard deviation of the coordinates of each subspace, ``> 0``.
    dims : array_like, shape (K,)
        Dimension of each subspace, integers ``>= 1``.
    t : array_like
        Times (unit ``time``), ``t > 0``.
    normalized : bool, default True
        Data projected onto the unit sphere (as in the paper) or Gaussian data.
    effective : bool, default False
        Use the effective variances of sphere-normalized data (:func:`effective_variances`); see
        :func:`collapse_times`.
    time : {"ou", "ve_variance"}, default "ou"
        Unit of the times: OU time or VE noise variance.

    Returns
    -------
    ndarray, shape ``t.shape + (K,)``
        Subspace k is lost at time t iff :math:`\alpha < \alpha_C^{(k)}`.

    Notes
    -----
    :math:`\alpha_C^{(k)} = [gQ_4/2 + t\sigma_k^2]/(2dt^2)` (VE), :math:`\sigma_k^2/(2dt)` on the
    sphere.

    References
    ----------
    docs/theory/losing-dimensions.md sec. 2.3 [D] (from the formula of Achilli et al. 2024).
    """
    _, dm = check_subspaces(stds, dims)
    return log_critical_sizes(stds, dims, t, normalized, time, effective) / float(dm.sum())


def rem_retention(stds: ArrayLike, dims: ArrayLike, n: float, t: ArrayLike,
                  normalized: bool = True, effective: bool = False,
                  time: str = "ou") -> np.ndarray:
    r"""REM prediction of the retention of each subspace, :math:`\min(1, \sqrt{2\log n/v_k(t)})`.

    Parameters
    ----------
    stds : array_like, shape (K,)
        Standard deviation of the coordinates of each subspace, ``> 0``.
    dims : array_like, shape (K,)
        Dimension of each subspace, integers ``>= 1``.
    n : float
        Number of training points, ``n >= 2``.
    t : array_like
        Times (unit ``time``), ``t > 0``.
    normalized : bool, default True
        Data projected onto the unit sphere (as in the paper) or Gaussian data.
    effective : bool, default False
        Use the effective variances of sphere-normalized data (:func:`effective_variances`); see
        :func:`collapse_times`.
    time : {"ou", "ve_variance"}, default "ou"
        Unit of the times: OU time or VE noise variance.

    Returns
    -------
    ndarray, shape ``t.shape + (K,)``

    Notes
    -----
    In the frozen phase of the REM the participation ratio is :math:`Y = 1 - \sqrt{2\log n/v}`
    (Derrida); the fraction of the posterior variance that survives along the direction is read as
    :math:`1 - Y`.  The threshold (value 1 -> below 1) marks where condensation *starts*, not where
    the retention is one half.  A heuristic reading [D]; Monte Carlo comparisons in
    :mod:`validation.memorization`.

    References
    ----------
    docs/theory/losing-dimensions.md sec. 2.2 [D]; B. Derrida, Phys. Rev. B 24, 2613 (1981).
    """
    nn = check_scalar(n, "n", lower=2.0)
    v = energy_variances(stds, dims, t, normalized, effective, time)
    return np.minimum(1.0, np.sqrt(2.0 * np.log(nn) / v))
