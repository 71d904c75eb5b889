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
VarianceLaw, uniform_law, power_law, from_quantile, from_density, from_values, spread_law, named_law
    Continuous (or large discrete) laws of latent variances, discretised by quantiles into K groups
    (``law.groups(K)`` unpacks into every function above); ``law.density``, ``law.support``,
    ``law.jacobian_density``, ``law.gap_structure`` (:mod:`theory._spectral_continuous`).
gap_structure, bulk_count, bulks_vs_spread, edge_convergence
    Support intervals and gaps against time for any number of groups; surviving bulks as a law
    spreads; convergence of the discretisation in K.
gaussian_jacobian_spectrum, tangent_dimension_count, predict_jacobian_spectrum
    The Jacobian spectrum of the Gaussian model of a dataset (its covariance eigenvalues mapped),
    tangent-dimension counts and gaps against t (:mod:`theory._spectral_data`).
sample_covariance_bulks, sample_covariance_density, sample_covariance_cumulative
    Generalised Marchenko-Pastur law of the sample covariance of n Gaussian points.

Any number of groups: up to ``theory._stieltjes.POLY_MAX_GROUPS`` (6) the self-consistent equation
is solved as a polynomial, above by the pole solver of :mod:`theory._stieltjes_many` (critical
points located between consecutive poles, Newton continuation in the imaginary part): K = 1000
groups give the edges and a 400-point density in about 0.1-0.2 s, K = 1e4 in a few seconds.

References
----------
E. Ventura, B. Achilli, G. Silvestri, C. Lucibello, L. Ambrogioni, "Manifolds, random matrices and
spectral gaps: the geometric phases of generative diffusion", ICLR 2025, arXiv:2410.05898,
secs. 4-6 (eqs. 9, 15-18, 22 as quoted by its reviews); ``docs/theory/spectral-gaps.md``.

Examples
--------
>>> import numpy as np
>>> from theory.spectral import bulk_edges, uniform_law
>>> np.round(bulk_edges([0.4], [1.0]), 6)          # Marchenko-Pastur: (1 -+ sqrt(0.4))^2
array([0.135089, 2.664911])
>>> law = uniform_law(0.5, 1.5, fraction=0.4)      # 2000 groups by default
>>> np.round(law.support(), 5)
array([[0.11554, 2.94825]])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._dimension import DimensionEstimate, estimate_dimensions
from ._spectral_continuous import (
    LAWS,
    GapStructure,
    LawGroups,
    VarianceLaw,
    bulk_count,
    bulks_vs_spread,
    edge_convergence,
    from_density,
    from_quantile,
    from_values,
    gap_structure,
    named_law,
    power_law,
    spread_law,
    uniform_law,
)
from ._spectral_data import (
    DataSpectrumPrediction,
    gaussian_jacobian_spectrum,
    predict_jacobian_spectrum,
    sample_covariance_bulks,
    sample_covariance_cumulative,
    sample_covariance_density,
    tangent_dimension_count,
)
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
from ._stieltjes import Bulk, as_groups, bulk_cumulative, bulk_density, bulks_of
from .checks import check_array, restore_shape
from .timemap import ve_variance

__all__ = [
    "Bulk", "DimensionEstimate", "GapHeights", "IntermediateGap", "ManifoldGap", "PhaseBoundaries",
    "SeparationOrder",
    "density", "cumulative", "zero_atom", "jacobian_density", "spike_weight", "bulks", "bulk_edges",
    "jacobian_edges", "manifold_gap", "intermediate_gaps", "gap_heights", "phase_boundaries",
    "phases", "separation_order", "estimate_dimensions", "ve_schedule_time",
    "as_groups",
    # continuous laws of latent variances (theory._spectral_continuous)
    "VarianceLaw", "LawGroups", "GapStructure", "uniform_law", "power_law", "from_quantile",
    "from_density", "from_values", "spread_law", "named_law", "LAWS", "gap_structure", "bulk_count",
    "bulks_vs_spread", "edge_convergence",
    # covariance spectra of data (theory._spectral_data)
    "DataSpectrumPrediction", "gaussian_jacobian_spectrum", "tangent_dimension_count",
    "predict_jacobian_spectrum", "sample_covariance_bulks", "sample_covariance_density",
    "sample_covariance_cumulative",
]


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
    method", Fig. 4); ``docs/theory/spectral-gaps.md`` sec. 2.2 [D];
    J. W. Silverstein, Z. D. Bai, J. Multivariate Anal. 54 (1995) 175.
    """
    g = as_groups(fractions, variances)
    lam_a = check_array(lam, "lam")
    return restore_shape(bulk_density(lam_a, g.fractions, g.variances), lam)


def cumulative(lam: ArrayLike, fractions: ArrayLike, variances: ArrayLike) -> np.ndarray | float:
    r"""Distribution function of the spectrum of B per dimension d, atom at zero included.

    Parameters
    ----------
    lam : array_like
        Eigenvalue(s) :math:`\lambda` of B.
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

    Returns
    -------
    float or ndarray
        :math:`N(\lambda) = (1 - \sum_k f_k)[\lambda \ge 0] + \int_0^\lambda \rho_B`; 1 above the top
        edge.  Differences give the expected fraction of eigenvalues in an interval.

    Notes
    -----
    In closed form from the Stieltjes transform, without quadrature: with
    :math:`w = -1/g(\lambda + i0^+)` inside a bulk,

    .. math::
        N(\lambda) = 1 - \frac1\pi\Big[(1 - \textstyle\sum_k f_k)\arg w
        + \sum_k f_k \arg(w - v_k) - \operatorname{Im} w \sum_k \frac{f_k v_k}{|w - v_k|^2}\Big],

    the imaginary part of the antiderivative of :math:`g\,dz` along :math:`z = z(w)` (derived in
    :func:`theory._stieltjes.bulk_cumulative`); in a gap it is the exact-separation value
    :math:`1 - \sum_{\text{groups above}} f_k`.  Agrees with adaptive quadrature of the
    Marchenko-Pastur law to 1e-12 (tests).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6; J. W. Silverstein, S.-I. Choi, J. Multivariate
    Anal. 54 (1995) 295; Z. D. Bai, J. W. Silverstein, Ann. Probab. 26 (1998) 316 (exact
    separation); ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """
    grp = as_groups(fractions, variances)
    lam_a = check_array(lam, "lam")
    return restore_shape(bulk_cumulative(lam_a, grp.fractions, grp.variances), lam)


def zero_atom(fractions: ArrayLike, variances: ArrayLike) -> float:
    r"""Weight :math:`1 - \sum_k f_k` of the atom of :math:`\rho_B` at :math:`\lambda = 0`.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

    Returns
    -------
    float
        :math:`1 - \sum_k f_k`.

    Notes
    -----
    B has rank :math:`m = d\sum_k f_k`, so :math:`d - m` eigenvalues vanish exactly.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2; ``docs/theory/spectral-gaps.md`` sec. 2.1-2.2.
    """
    return float(1.0 - np.sum(as_groups(fractions, variances).fractions))


def spike_weight(fractions: ArrayLike, variances: ArrayLike) -> float:
    r"""Weight :math:`1 - \sum_k f_k` of the spike of the normalised Jacobian at :math:`\mu = 1`.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

    Returns
    -------
    float
        :math:`1 - \sum_k f_k`.

    Notes
    -----
    The d - m normal directions have :math:`\lambda = 0`, hence :math:`\mu = s/(s + 0) = 1` at every
    t (the paper's "Dirac spike at -1" of sJ).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2 (line 246); ``docs/theory/spectral-gaps.md`` sec.
    2.1 [D].
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
    ``docs/theory/spectral-gaps.md`` sec. 2.1-2.2 [D].
    """
    g = as_groups(fractions, variances)
    mu_a = check_array(mu, "mu")
    t_a = check_array(t, "t", lower=0.0, lower_open=True)
    mu_b, t_b = np.broadcast_arrays(mu_a, t_a)
    s = np.asarray(ve_variance(t_b))
    ok = (mu_b > 0.0) & (mu_b < 1.0)
    out = np.zeros(mu_b.shape)
    lam = s[ok] * (1.0 - mu_b[ok]) / mu_b[ok]
    out[ok] = bulk_density(lam, g.fractions, g.variances) * s[ok] / mu_b[ok] ** 2
    return restore_shape(out, mu, t)


def bulks(fractions: ArrayLike, variances: ArrayLike) -> list[Bulk]:
    r"""The detached bulks of the spectrum of B, in ascending order.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

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
    Marchenko-Pastur approximation :math:`v_k(1 \pm \sqrt{f_k})^2`, which is wrong
    by ~50% for the small bulk (table row 6).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 ("detached bulks"), eq. 16;
    ``docs/theory/spectral-gaps.md``
    sec. 2.2 [D]; J. W. Silverstein, S.-I. Choi, J. Multivariate Anal. 54 (1995) 295.
    """
    g = as_groups(fractions, variances)
    return bulks_of(g.fractions, g.variances)[0]


def bulk_edges(fractions: ArrayLike, variances: ArrayLike) -> np.ndarray:
    r"""Edges of the bulks of B in ascending order, two per detached bulk.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

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
    Ventura et al. (2025), arXiv:2410.05898, eq. 16 (MP edges), sec. 6.3;
    ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """
    return np.array([e for b in bulks(fractions, variances) for e in (b.lower, b.upper)])


def jacobian_edges(t: ArrayLike, fractions: ArrayLike, variances: ArrayLike) -> np.ndarray:
    r"""Edges of the tangent bulks of the normalised Jacobian in :math:`\mu`, ascending, at times t.

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
    ndarray, shape t.shape + (2 * number of bulks,)
        :math:`\mu = s/(s + \gamma)` of every edge :math:`\gamma` of B (the map reverses the order).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6; ``docs/theory/spectral-gaps.md`` sec. 2.3-2.4.
    """
    edges = bulk_edges(fractions, variances)[::-1]
    with np.errstate(over="ignore"):
        s = np.asarray(ve_variance(check_array(t, "t", lower=0.0, lower_open=True)))[..., None]
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(s), 1.0, s / (s + edges))     # e^{2t} beyond float64: the limit 1

