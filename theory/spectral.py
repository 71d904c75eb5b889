r"""Jacobian spectra of linear-manifold data: bulk density, edges, gaps and the geometric phases.

Data :math:`x_0 = F z` with :math:`F \in \mathbb R^{d\times m}` of i.i.d. :math:`N(0, 1/d)` entries
and :math:`z \sim N(0, \Sigma)`, the latent variance :math:`v_k` on a fraction :math:`f_k = m_k/d` of
the dimensions (:math:`\sum_k f_k < 1`; we write :math:`f_k`, not :math:`\alpha_k`, since
:math:`\alpha = \log(n)/d` elsewhere in the package).  Under the OU process the exact score is
linear with the Jacobian

.. math:: J(t) = -(e^{-2t} B + \Delta_t I)^{-1}, \qquad B = F\Sigma F^T,

independent of x; the normalised Jacobian :math:`-\Delta_t J` has the eigenvalues
:math:`\mu = s/(s + \lambda)`, :math:`s = e^{2t} - 1`, for each eigenvalue :math:`\lambda` of B: a
spike at :math:`\mu = 1` of weight :math:`1 - \sum_k f_k` (normal directions) and tangent bulks in
(0, 1).  Every function sorts the groups by variance and merges equal variances; bad input raises
:class:`ValueError` naming the parameter.

Functions
---------
density, cumulative, zero_atom, jacobian_density, spike_weight
    Bulk density of B per dimension d (the atom at zero apart), its distribution function, and the
    density of the normalised Jacobian.
bulks, bulk_edges, jacobian_edges
    Detached bulks of B and their edges by the critical-point method; the same edges in mu at time t.
manifold_gap, intermediate_gaps, gap_heights, phase_boundaries, phases, separation_order
    Gap records (peak s_max, t_max, height; opening and closing for a threshold), gap heights
    against time, the trivial / coverage / consolidation phases (from :mod:`theory._spectral_gaps`).
estimate_dimensions
    Manifold and sub-manifold dimensions from an observed spectrum (:mod:`theory._dimension`).
ve_schedule_time
    Song et al.'s VE schedule time of a noise variance s, beside the OU time.

References
----------
E. Ventura, B. Achilli, G. Silvestri, C. Lucibello, L. Ambrogioni, "Manifolds, random matrices and
spectral gaps: the geometric phases of generative diffusion", ICLR 2025, arXiv:2410.05898,
secs. 4-6 (eqs. 9, 15-18, 22 as quoted by its reviews); docs/theory/spectral-gaps.md.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._dimension import DimensionEstimate, estimate_dimensions
from ._spectral_gaps import (
    GapHeights,
    IntermediateGap,
    ManifoldGap,
    PhaseBoundaries,
    SeparationOrder,
    gap_heights,
    intermediate_gaps,
    manifold_gap,
    phase_boundaries,
    phases,
    separation_order,
    ve_schedule_time,
)
from ._stieltjes import Bulk, as_groups, bulks_of, stieltjes_bulk
from .checks import check_array, restore_shape
from .timemap import _ve

__all__ = [
    "Bulk", "DimensionEstimate", "GapHeights", "IntermediateGap", "ManifoldGap", "PhaseBoundaries",
    "SeparationOrder",
    "density", "cumulative", "zero_atom", "jacobian_density", "spike_weight", "bulks", "bulk_edges",
    "jacobian_edges", "manifold_gap", "intermediate_gaps", "gap_heights", "phase_boundaries",
    "phases", "separation_order", "estimate_dimensions", "ve_schedule_time",
    "as_groups",
]


def _bulk_density(lam: np.ndarray, f: np.ndarray, v: np.ndarray) -> np.ndarray:
    """rho_B at real points (any shape), zero outside the support, computed only inside it."""
    out = np.zeros(lam.shape)
    inside = np.zeros(lam.shape, dtype=bool)
    for b in bulks_of(f, v)[0]:
        inside |= (lam > b.lower) & (lam < b.upper)
    if np.any(inside):
        out[inside] = np.maximum(stieltjes_bulk(lam[inside], f, v).imag, 0.0) / np.pi
    return out


def density(lam: ArrayLike, fractions: ArrayLike, variances: ArrayLike) -> np.ndarray | float:
    r"""Bulk spectral density of :math:`B = F\Sigma F^T` per dimension d (the atom at zero apart).

    Parameters
    ----------
    lam : array_like
        Points :math:`\lambda` (any shape, finite).
    fractions : array_like, shape (K,)
        :math:`f_k = m_k/d > 0`, with :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variances :math:`v_k > 0` (same length).

    Returns
    -------
    float or ndarray
        :math:`\rho_B(\lambda)`, zero outside the bulks (exactly: the points are masked with the
        critical-point edges of :func:`bulks`).  The bulk integrates to :math:`\sum_k f_k`; the atom
        :math:`(1 - \sum_k f_k)\,\delta(\lambda)` is :func:`zero_atom`.

    Raises
    ------
    ValueError
        Non-finite ``lam``; bad groups (see :func:`bulks`).

    Notes
    -----
    Stieltjes transform :math:`g(z) = \frac1d\operatorname{tr}(B - z)^{-1}`, self-consistent
    equation (Silverstein-Bai; the paper's replica result)

    .. math:: g = \Big(-z + \sum_k \frac{f_k v_k}{1 + v_k g}\Big)^{-1},

    cleared of denominators into a polynomial of degree K + 1 in g (derived by sympy in
    :func:`derivations.linear_manifold.stieltjes_polynomial`), solved at every point by a batch of
    companion-matrix eigenvalues; :math:`\rho_B(\lambda) = \frac1\pi \operatorname{Im} g(\lambda +
    i0^+)` from the unique root with Im g > 0 (the other K - 1 roots are real, one between each pair
    of poles :math:`-1/v_k`), polished by Newton steps.  One group gives Marchenko-Pastur,
    :math:`\rho_B = \sqrt{(\gamma_+ - \lambda)(\lambda - \gamma_-)}/(2\pi v\lambda)`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2-6.3 ("computed analytically via the replica
    method", Fig. 4); docs/theory/spectral-gaps.md sec. 2.2 [D];
    J. W. Silverstein, Z. D. Bai, J. Multivariate Anal. 54 (1995) 175.
    """
    g = as_groups(fractions, variances)
    lam_a = check_array(lam, "lam")
    return restore_shape(_bulk_density(lam_a, g.fractions, g.variances), lam)


_CDF_NODES = 1025


def cumulative(lam: ArrayLike, fractions: ArrayLike, variances: ArrayLike) -> np.ndarray | float:
    r"""Distribution function of the spectrum of B per dimension d, atom at zero included.

    Returns
    -------
    float or ndarray
        :math:`N(\lambda) = (1 - \sum_k f_k)[\lambda \ge 0] + \int_0^\lambda \rho_B`; 1 above the top
        edge.  Differences give the expected fraction of eigenvalues in an interval.

    Notes
    -----
    On each bulk :math:`[\gamma_-, \gamma_+]` the substitution
    :math:`\lambda = \gamma_- + (\gamma_+ - \gamma_-)(1 - \cos\theta)/2` removes the square-root
    edges (:math:`\rho_B\,d\lambda \propto \sin\theta\,\sqrt{\cdot}\,d\theta` is smooth), and
    :func:`scipy.integrate.cumulative_simpson` on 1025 nodes in :math:`\theta` integrates it, and a
    cubic spline in :math:`\theta` interpolates (error below 1e-9 against adaptive quadrature of the
    Marchenko-Pastur law in the tests); each bulk's total is its mass :math:`\sum f_k` within that
    error.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6; docs/theory/spectral-gaps.md sec. 2.2.
    """
    from scipy.integrate import cumulative_simpson
    from scipy.interpolate import CubicSpline

    grp = as_groups(fractions, variances)
    lam_a = check_array(lam, "lam")
    out = np.where(lam_a >= 0.0, 1.0 - np.sum(grp.fractions), 0.0)
    theta = np.linspace(0.0, np.pi, _CDF_NODES)
    for b in bulks_of(grp.fractions, grp.variances)[0]:
        half = 0.5 * (b.upper - b.lower)
        nodes = b.lower + half * (1.0 - np.cos(theta))
        rho = np.zeros_like(nodes)
        rho[1:-1] = _bulk_density(nodes[1:-1], grp.fractions, grp.variances)
        cdf = cumulative_simpson(rho * half * np.sin(theta), x=theta, initial=0.0)
        inside = (lam_a > b.lower) & (lam_a < b.upper)
        th = np.arccos(np.clip(1.0 - (lam_a[inside] - b.lower) / half, -1.0, 1.0))
        out[inside] += CubicSpline(theta, cdf)(th)
        out[lam_a >= b.upper] += cdf[-1]
    return restore_shape(out, lam)


def zero_atom(fractions: ArrayLike, variances: ArrayLike) -> float:
    r"""Weight :math:`1 - \sum_k f_k` of the atom of :math:`\rho_B` at :math:`\lambda = 0`.

    Notes
    -----
    B has rank :math:`m = d\sum_k f_k`, so :math:`d - m` eigenvalues vanish exactly.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2; docs/theory/spectral-gaps.md sec. 2.1-2.2.
    """
    return float(1.0 - np.sum(as_groups(fractions, variances).fractions))


def spike_weight(fractions: ArrayLike, variances: ArrayLike) -> float:
    r"""Weight :math:`1 - \sum_k f_k` of the spike of the normalised Jacobian at :math:`\mu = 1`.

    Notes
    -----
    The d - m normal directions have :math:`\lambda = 0`, hence :math:`\mu = s/(s + 0) = 1` at every
    t (the paper's "Dirac spike at -1" of sJ).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2 (line 246); docs/theory/spectral-gaps.md sec. 2.1 [D].
    """
    return zero_atom(fractions, variances)


def jacobian_density(mu: ArrayLike, t: ArrayLike, fractions: ArrayLike,
                     variances: ArrayLike) -> np.ndarray | float:
    r"""Density of the normalised Jacobian eigenvalues :math:`\mu` at OU time t (spike apart).

    Parameters
    ----------
    mu : array_like
        Points :math:`\mu` (finite); the density is zero outside (0, 1).
    t : array_like
        OU times, > 0; broadcasts against ``mu`` (e.g. ``mu[:, None]``, ``t[None, :]``).
    fractions, variances : array_like, shape (K,)
        As in :func:`density`.

    Returns
    -------
    float or ndarray
        :math:`\rho_\mu(\mu; t)` per dimension d; its integral over (0, 1) is :math:`\sum_k f_k`, and
        the spike :math:`(1 - \sum_k f_k)\,\delta(\mu - 1)` is :func:`spike_weight`.

    Notes
    -----
    With :math:`s = e^{2t} - 1` and :math:`\lambda(\mu) = s(1 - \mu)/\mu`,

    .. math:: \rho_\mu(\mu) = (1 - \textstyle\sum_k f_k)\,\delta(\mu - 1)
              + \rho_B\big(s(1-\mu)/\mu\big)\,\frac{s}{\mu^2}.

    Only the points inside the bulks are solved (the rest are exactly zero).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (spectrum of sJ, Fig. 2, 4);
    docs/theory/spectral-gaps.md sec. 2.1-2.2 [D].
    """
    g = as_groups(fractions, variances)
    mu_a = check_array(mu, "mu")
    t_a = check_array(t, "t", lower=0.0, lower_open=True)
    mu_b, t_b = np.broadcast_arrays(mu_a, t_a)
    s = _ve(t_b)
    ok = (mu_b > 0.0) & (mu_b < 1.0)
    out = np.zeros(mu_b.shape)
    lam = s[ok] * (1.0 - mu_b[ok]) / mu_b[ok]
    out[ok] = _bulk_density(lam, g.fractions, g.variances) * s[ok] / mu_b[ok] ** 2
    return restore_shape(out, mu, t)


def bulks(fractions: ArrayLike, variances: ArrayLike) -> list[Bulk]:
    r"""The detached bulks of the spectrum of B, in ascending order.

    Returns
    -------
    list of Bulk
        ``Bulk(lower, upper, mass, groups)``: edges, mass per dimension d (the sum of the fractions
        of its groups), and the indices of its groups in the sorted, merged list.

    Raises
    ------
    ValueError
        For :math:`f_k \le 0`, :math:`\sum_k f_k \ge 1`, :math:`v_k \le 0`, mismatched lengths or
        non-finite values.

    Notes
    -----
    The edges are :math:`z(g^*)` at the real critical points of

    .. math:: z(g) = -\frac1g + \sum_k \frac{f_k v_k}{1 + v_k g}, \qquad
              z'(g^*) = 0 \iff \frac{1}{g^{*2}} = \sum_k \frac{f_k v_k^2}{(1 + v_k g^*)^2},

    found as the real roots of the degree-2K polynomial obtained by clearing denominators (derived
    in :func:`derivations.linear_manifold.stieltjes_polynomial`, field ``edge_polynomial``),
    polished by Newton steps.  Each interval between consecutive poles :math:`-1/v_k, -1/v_{k+1}`
    holds two critical points iff the groups
    :math:`\le k` and :math:`> k` form separate bulks (Silverstein-Choi).  Not the per-bulk
    Marchenko-Pastur approximation :math:`v_k(1 \pm \sqrt{f_k})^2`, which docs/theory/spectral-gaps.md sec.
    2.2 shows is wrong by ~50% for the small bulk (table row 6).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 ("detached bulks"), eq. 16; docs/theory/spectral-gaps.md
    sec. 2.2 [D]; J. W. Silverstein, S.-I. Choi, J. Multivariate Anal. 54 (1995) 295.
    """
    g = as_groups(fractions, variances)
    return bulks_of(g.fractions, g.variances)[0]


def bulk_edges(fractions: ArrayLike, variances: ArrayLike) -> np.ndarray:
    r"""Edges of the bulks of B in ascending order, two per detached bulk.

    Returns
    -------
    ndarray, shape (2 * number of bulks,)
        :math:`[\gamma_-^{(1)}, \gamma_+^{(1)}, \gamma_-^{(2)}, \dots]`.  One group gives the
        Marchenko-Pastur edges :math:`v(1 \pm \sqrt f)^2`.

    Notes
    -----
    Critical-point method, see :func:`bulks`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eq. 16 (MP edges), sec. 6.3; docs/theory/spectral-gaps.md sec.
    2.2.
    """
    return np.array([e for b in bulks(fractions, variances) for e in (b.lower, b.upper)])


def jacobian_edges(t: ArrayLike, fractions: ArrayLike, variances: ArrayLike) -> np.ndarray:
    r"""Edges of the tangent bulks of the normalised Jacobian in :math:`\mu`, ascending, at times t.

    Returns
    -------
    ndarray, shape t.shape + (2 * number of bulks,)
        :math:`\mu = s/(s + \gamma)` of every edge :math:`\gamma` of B (the map reverses the order).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6; docs/theory/spectral-gaps.md sec. 2.3-2.4.
    """
    edges = bulk_edges(fractions, variances)[::-1]
    s = _ve(check_array(t, "t", lower=0.0, lower_open=True))[..., None]
    return s / (s + edges)

