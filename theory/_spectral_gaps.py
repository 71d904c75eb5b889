r"""Spectral gaps of the normalised Jacobian of linear-manifold data, and the three geometric phases.

In units of :math:`\mu = s/(s + \lambda)` (spectrum of :math:`-\Delta_t J`, :math:`s = e^{2t} - 1`)
the bulk of B on :math:`[\gamma_-, \gamma_+]` occupies :math:`[s/(s+\gamma_+), s/(s+\gamma_-)]` and
the normal directions sit at :math:`\mu = 1`.  Public names are re-exported by
:mod:`theory.spectral`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._stieltjes import as_groups, bulks_of
from .checks import check_array, check_scalar
from .timemap import _ou_from_ve, ve_schedule_time, ve_variance
from .timemap import _ve_schedule_tau as _ve_tau

__all__ = ["IntermediateGap", "ManifoldGap", "PhaseBoundaries", "GapHeights", "SeparationOrder",
           "intermediate_gaps", "manifold_gap", "gap_heights", "phase_boundaries", "phases",
           "separation_order", "ve_schedule_time"]

_NAN = float("nan")


def _ou_time(s):
    """OU time t = 1/2 log(1 + s) of a noise ratio (NaN passes through; timemap validates)."""
    return _ou_from_ve(s)


def _threshold(threshold, upper: float = 1.0) -> float | None:
    if threshold is None:
        return None
    return check_scalar(threshold, "threshold", lower=0.0, upper=upper, lower_open=True,
                        upper_open=True)


class IntermediateGap(NamedTuple):
    r"""The gap between the bulks of two consecutive variance groups (in ascending variance).

    ``a`` is the upper edge of the lower-variance bulk of B and ``b`` the lower edge of the
    higher-variance bulk; ``s_max``/``t_max``/``tau_ve_max`` locate the peak as the noise ratio, the
    OU time :math:`\tfrac12\log(1 + s_{max})` and the VE schedule time; ``height`` is the peak in
    units of :math:`\mu`.  With a threshold, ``s_open > s_close`` bound the s where the gap exceeds
    it (generation runs from large to small s).  NaN where the two bulks have merged, or the
    threshold is never reached.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 9, 18, 20-22 and 25; docs/theory/spectral-gaps.md
    secs. 2.4-2.5.
    """

    lower_group: int
    variances: tuple[float, float]
    detached: bool
    a: float
    b: float
    s_max: float
    t_max: float
    tau_ve_max: float
    height: float
    threshold: float
    s_open: float
    s_close: float
    t_open: float
    t_close: float


class ManifoldGap(NamedTuple):
    r"""The gap between the spike at :math:`\mu = 1` and the tangent bulks.

    ``edge`` is the lowest edge :math:`\gamma_-` of B; the gap is :math:`\gamma_-/(s + \gamma_-)`.
    With a threshold :math:`\Delta`: it exceeds :math:`\Delta` below ``s_open`` and
    :math:`1 - \Delta` below ``s_consolidated``.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15-17; docs/theory/spectral-gaps.md sec. 2.3.
    """

    edge: float
    threshold: float
    s_open: float
    t_open: float
    s_consolidated: float
    t_consolidated: float


class PhaseBoundaries(NamedTuple):
    """Boundaries of the trivial (I), manifold-coverage (II) and consolidation (III) phases.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 5.1-5.3 (the three geometric phases); boundaries
    derived in docs/theory/spectral-gaps.md sec. 2.6.
    """

    threshold: float
    s_coverage: float
    t_coverage: float
    tau_ve_coverage: float
    s_consolidation: float
    t_consolidation: float
    tau_ve_consolidation: float


class GapHeights(NamedTuple):
    """Gap heights (units of mu) against OU time: manifold gap (T,), intermediate gaps (K-1, T).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15 and 18; docs/theory/spectral-gaps.md secs. 2.3-2.5.
    """

    t: np.ndarray
    s: np.ndarray
    manifold: np.ndarray
    intermediate: np.ndarray


class SeparationOrder(NamedTuple):
    """Order (user's group indices) in which the latent subspaces separate, and at which s / t.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 and Fig. 3 (which subspace separates first).
    docs/theory/spectral-gaps.md sec. 2.4.
    """

    order: tuple[int, ...]
    s_separation: np.ndarray
    t_separation: np.ndarray


def _open_close(a: float, b: float, delta: float) -> tuple[float, float]:
    r"""Roots :math:`s_+ > s_-` of :math:`\Delta s^2 + (\Delta(a+b) - (b-a))s + \Delta ab = 0`."""
    if not 1e-100 < b < 1e100:       # the roots scale with (a, b): solve for (a/b, 1), no underflow
        sp, sm = _open_close(a / b, 1.0, delta)
        return sp * b, sm * b
    p = (b - a) - delta * (a + b)
    disc = p * p - 4.0 * delta**2 * a * b
    if p <= 0.0 or disc <= 0.0:
        return _NAN, _NAN
    s_plus = (p + np.sqrt(disc)) / (2.0 * delta)
    return float(s_plus), float(a * b / s_plus)          # s_+ s_- = ab, without cancellation


def intermediate_gaps(fractions: ArrayLike, variances: ArrayLike,
                      threshold: float | None = None) -> tuple[IntermediateGap, ...]:
    r"""Records of the gaps between the bulks of consecutive variance groups.

    Parameters
    ----------
    fractions, variances : array_like, shape (K,)
        Groups as in :func:`theory.spectral.density` (sorted by variance, equal variances merged).
    threshold : float, optional
        Visibility threshold :math:`\Delta \in (0, 1)` in units of :math:`\mu`.

    Returns
    -------
    tuple of IntermediateGap
        K - 1 records (for the merged groups), ordered by ascending variance.

    Notes
    -----
    With :math:`a = \gamma_+(v_k)`, :math:`b = \gamma_-(v_{k+1})` (critical-point edges),

    .. math::
        \Delta_{inter}(s) = \frac{s}{s+a} - \frac{s}{s+b} = \frac{s(b-a)}{(s+a)(s+b)},\qquad
        s_{max} = \sqrt{ab},\qquad \Delta_{max} = \frac{\sqrt b - \sqrt a}{\sqrt b + \sqrt a},

    and :math:`\Delta_{inter}(s) = \Delta` at

    .. math:: s_\pm = \frac{(b-a) - \Delta(a+b) \pm \sqrt{((b-a) - \Delta(a+b))^2 - 4\Delta^2 ab}}
              {2\Delta},\qquad s_+ s_- = ab = s_{max}^2,

    real iff :math:`\Delta < \Delta_{max}`.  The geometric-mean identity holds in s, not in OU
    time.  The paper's "t_max" (eqs. 9, 22) is this :math:`s_{max}`, a noise variance (an open
    reading, ``docs/theory/spectral-gaps.md``); ``t_max`` here is the OU time :math:`\tfrac12\log(1 +
    s_{max})`.  Formulas derived in
    :func:`derivations.linear_manifold.gap_derivation`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eq. 18 (intermediate gap), eqs. 20-22 and 25
    (:math:`t_{max} = \sqrt{\gamma_-(\sigma_1)\gamma_+(\sigma_2)}`), eq. 9 (K groups:
    :math:`\sqrt{\gamma_+(\sigma_k)\gamma_-(\sigma_{k+1})}`), as quoted by the reviews;
    ``docs/theory/spectral-gaps.md`` secs. 2.4-2.5 [D].
    """
    grp = as_groups(fractions, variances)
    delta = _threshold(threshold)
    _, gaps = bulks_of(grp.fractions, grp.variances)
    out = []
    for k in range(grp.variances.size - 1):
        pair = (float(grp.variances[k]), float(grp.variances[k + 1]))
        if k not in gaps:
            out.append(IntermediateGap(k, pair, False, *([_NAN] * 6),
                                       _NAN if delta is None else delta, *([_NAN] * 4)))
            continue
        a, b = gaps[k]
        s_max = float(np.sqrt(a) * np.sqrt(b))          # sqrt(ab) without underflow of ab
        height = float((np.sqrt(b) - np.sqrt(a)) / (np.sqrt(b) + np.sqrt(a)))
        s_open, s_close = (_NAN, _NAN) if delta is None else _open_close(a, b, delta)
        out.append(IntermediateGap(k, pair, True, a, b, s_max, float(_ou_time(s_max)),
                                   float(_ve_tau(s_max)), height, _NAN if delta is None else delta,
                                   s_open, s_close, float(_ou_time(s_open)),
                                   float(_ou_time(s_close))))
    return tuple(out)


def manifold_gap(fractions: ArrayLike, variances: ArrayLike,
                 threshold: float | None = None) -> ManifoldGap:
    r"""The manifold gap: its edge, and where it opens and consolidates for a threshold.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.
    threshold : float, optional
        Gap height :math:`\Delta` in (0, 1) at which the gap counts as open; default: the module's
        threshold (0.1).

    Returns
    -------
    ManifoldGap
        Lowest edge :math:`\gamma_-` of B and the noise ratios (and OU times) where the gap opens
        and consolidates.

    Notes
    -----
    With :math:`\gamma_-` the lowest edge of B,

    .. math:: \Delta^{GAP}(s) = 1 - \frac{s}{s + \gamma_-} = \frac{\gamma_-}{s + \gamma_-},\qquad
              s_{open} = \gamma_-\frac{1-\Delta}{\Delta},\qquad
              s_{consolidated} = \gamma_-\frac{\Delta}{1-\Delta},

    rising monotonically from 0 (:math:`s\to\infty`) to 1 (:math:`s \to 0`); it is set by the
    smallest variance.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15 and 17 (gap and its threshold, as quoted by the
    reviews), sec. 4.1; ``docs/theory/spectral-gaps.md`` secs. 2.3, 2.6 [D].
    """
    grp = as_groups(fractions, variances)
    delta = _threshold(threshold)
    edge = bulks_of(grp.fractions, grp.variances)[0][0].lower
    if delta is None:
        return ManifoldGap(edge, _NAN, _NAN, _NAN, _NAN, _NAN)
    s_open = edge * (1.0 - delta) / delta
    s_cons = edge * delta / (1.0 - delta)
    return ManifoldGap(edge, delta, s_open, float(_ou_time(s_open)), s_cons,
                       float(_ou_time(s_cons)))


def gap_heights(t: ArrayLike, fractions: ArrayLike, variances: ArrayLike) -> GapHeights:
    r"""The manifold gap and every intermediate gap (units of :math:`\mu`) at OU times t.

    Parameters
    ----------
    t : array_like
        OU time(s), ``t > 0``.
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

    Returns
    -------
    GapHeights
        ``t`` and ``s = e^{2t} - 1`` (flattened), ``manifold`` :math:`\gamma_-/(s+\gamma_-)`, and
        ``intermediate`` of shape (K - 1, T): :math:`s(b-a)/((s+a)(s+b))`, NaN rows for merged
        bulks.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15 and 18; ``docs/theory/spectral-gaps.md`` secs. 2.3-2.5.
    """
    ta = check_array(t, "t", lower=0.0, lower_open=True).reshape(-1)
    s = np.asarray(ve_variance(ta))
    grp = as_groups(fractions, variances)
    blist, gaps = bulks_of(grp.fractions, grp.variances)
    edge = blist[0].lower
    inter = np.full((grp.variances.size - 1, s.size), np.nan)
    for k, (a, b) in gaps.items():
        inter[k] = s * (b - a) / ((s + a) * (s + b))
    return GapHeights(ta, s, edge / (s + edge), inter)


def phase_boundaries(fractions: ArrayLike, variances: ArrayLike,
                     threshold: float = 0.1) -> PhaseBoundaries:
    r"""Boundaries of the three geometric phases for a visibility threshold :math:`\Delta`.

    Parameters
    ----------
    fractions, variances : array_like, shape (K,)
    threshold : float
        :math:`\Delta \in (0, 1/2)` (default 0.1, the example of ``docs/theory/spectral-gaps.md``).

    Returns
    -------
    PhaseBoundaries
        ``s_coverage`` (I -> II) and ``s_consolidation`` (II -> III) as noise ratios, OU times and
        VE schedule times (:func:`ve_schedule_time`, default schedule).

    Notes
    -----
    I (trivial, large s): no gap exceeds :math:`\Delta`.  I -> II when the first gap opens:
    :math:`s_{coverage} = \max(\max_k s_+^{(k)}, \gamma_-(1-\Delta)/\Delta)` over the intermediate
    gaps that ever exceed :math:`\Delta` and the manifold gap.  III (consolidation): every
    intermediate gap has closed and the manifold gap exceeds :math:`1 - \Delta`:
    :math:`s_{consolidation} = \min(\min_k s_-^{(k)}, \gamma_-\Delta/(1-\Delta))`.  These are
    crossovers (the paper's own wording), the boundaries are derived [D] definitions
    (``docs/theory/spectral-gaps.md``).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 5.1-5.3 (phase names and descriptions) and
    Fig. 1c; ``docs/theory/spectral-gaps.md`` sec. 2.6 [D].
    """
    delta = _threshold(threshold, upper=0.5)
    mg = manifold_gap(fractions, variances, delta)
    gaps = intermediate_gaps(fractions, variances, delta)
    opens = [mg.s_open] + [g.s_open for g in gaps if np.isfinite(g.s_open)]
    closes = [mg.s_consolidated] + [g.s_close for g in gaps if np.isfinite(g.s_close)]
    s_cov, s_con = float(max(opens)), float(min(closes))
    return PhaseBoundaries(delta, s_cov, float(_ou_time(s_cov)), float(_ve_tau(s_cov)),
                           s_con, float(_ou_time(s_con)), float(_ve_tau(s_con)))


def phases(t: ArrayLike, fractions: ArrayLike, variances: ArrayLike,
           threshold: float = 0.1) -> np.ndarray | int:
    """Phase (1 trivial, 2 manifold coverage, 3 consolidation) at OU times t.

    Parameters
    ----------
    t : array_like
        OU time(s), ``t > 0``.
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.
    threshold : float, default 0.1
        Gap height :math:`\\Delta` at which a gap counts as open.

    Returns
    -------
    int or ndarray of int (shape of ``t``)
        1, 2 or 3.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 5; ``docs/theory/spectral-gaps.md`` sec. 2.6 (see
    :func:`phase_boundaries`).
    """
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    pb = phase_boundaries(fractions, variances, threshold)
    s = np.asarray(ve_variance(ta))
    out = np.where(s > pb.s_coverage, 1, np.where(s < pb.s_consolidation, 3, 2))
    return int(out) if np.ndim(t) == 0 else out


def separation_order(fractions: ArrayLike, variances: ArrayLike,
                     threshold: float = 0.1) -> SeparationOrder:
    r"""Order in which the latent subspaces separate during generation (large s to small s).

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.
    threshold : float, default 0.1
        Gap height :math:`\Delta` at which a gap counts as open.

    Returns
    -------
    SeparationOrder
        ``order``: the user's group indices, first separated first; ``s_separation`` and
        ``t_separation`` per user group (NaN: never separated by more than the threshold).

    Notes
    -----
    The subspace of a group is resolved once the gaps on both sides of its bulk exceed
    :math:`\Delta`: the intermediate gaps to its neighbours in variance (none above the highest
    variance) and, for the lowest variance, the manifold gap.  Its separation noise ratio is the
    smaller of the two opening s.  The highest-variance subspace separates first; swapping the
    variances of two groups swaps the order [Q].

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3, Fig. 3 (the sigma_1 <-> sigma_2 swap);
    ``docs/theory/spectral-gaps.md`` sec. 2.4 [D].
    """
    delta = _threshold(threshold)
    grp = as_groups(fractions, variances)
    gaps = intermediate_gaps(fractions, variances, delta)
    K = grp.variances.size
    below = [manifold_gap(fractions, variances, delta).s_open] + [g.s_open for g in gaps]
    above = [g.s_open for g in gaps] + [np.inf]
    s_sep = np.array([min(below[k], above[k]) for k in range(K)])    # min() keeps a NaN first arg
    s_sep = np.where(np.isnan(below) | np.isnan(above), np.nan, s_sep)
    s_user = s_sep[grp.index]
    key = np.where(np.isnan(s_user), -np.inf, s_user)
    order = tuple(int(i) for i in np.argsort(-key, kind="stable"))
    return SeparationOrder(order, s_user, _ou_time(s_user))
