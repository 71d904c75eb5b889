r"""Continuous laws of latent variances: the spectrum of B, its support and gaps, bulks against spread.

A :class:`VarianceLaw` describes how the latent variances of the :math:`m = f d` latent directions
(f = ``fraction``) are distributed: a mixture of components, each given by its quantile function
:math:`q_j(u)`, :math:`u \in (0, 1)`, and its weight.  :meth:`VarianceLaw.groups` discretises it by
quantiles into K groups of equal fraction (the midpoint rule in u: group i of component j has variance
:math:`q_j((i - 1/2)/K_j)` and fraction :math:`f w_j/K_j`), and every function of
:mod:`theory.spectral` applies to the groups.  The discretised law converges to the continuous one
as K grows (the edges move by O(1/K) near a hard edge of the law; checked in the tests and by
:func:`edge_convergence`); K = 1000-4000 is the working range of the pole solver
(:mod:`theory._stieltjes_many`).

Public names are re-exported by :mod:`theory.spectral`.

Examples
--------
>>> from theory.spectral import bulks_vs_spread, power_law, spread_law
>>> law = spread_law([0.2, 0.2], [0.01, 1.0], spread=1.0)    # two groups, each spread by e^(+-1)
>>> len(law.bulks())
2
>>> bulks_vs_spread(lambda s: spread_law([0.2, 0.2], [0.01, 1.0], s), [0.5, 1.5, 2.5]).tolist()
[2, 2, 1]
>>> pl = power_law(beta=1.0, count=400, fraction=0.4)        # lambda_k = 1/k, m = 400, d = 1000
>>> len(pl.bulks()), [len(b.groups) for b in pl.bulks()][:2]  # a merged tail and detached outliers
(10, [391, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._stieltjes import Bulk, as_groups, bulk_density, bulks_of
from .checks import check_array, check_scalar
from .timemap import ve_variance

__all__ = ["VarianceLaw", "LawGroups", "GapStructure", "uniform_law", "power_law", "from_quantile",
           "from_density", "from_values", "spread_law", "named_law", "LAWS", "gap_structure",
           "bulk_count", "bulks_vs_spread", "edge_convergence"]

DEFAULT_GROUPS = 2000          # groups of a continuous law when K is not given


class LawGroups(NamedTuple):
    """A law discretised into K groups: ``fractions`` and ``variances`` (unpack into the functions of
    :mod:`theory.spectral`: ``density(lam, *law.groups())``).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (bulks and gaps of the Jacobian spectrum);
    ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """

    fractions: np.ndarray
    variances: np.ndarray


def _check_fraction(fraction) -> float:
    return check_scalar(fraction, "fraction", lower=0.0, upper=1.0, lower_open=True,
                        upper_open=True)


def _check_k(K) -> int:
    return int(check_scalar(K, "K", lower=1, upper=100_000, integer=True))


class VarianceLaw:
    r"""Law of the latent variances of a linear manifold with :math:`m = f d` latent directions.

    Parameters
    ----------
    components : sequence of (weight, quantile)
        Mixture components: a weight > 0 (normalised to sum 1) and a quantile function
        :math:`q(u)`, vectorised over u in (0, 1), nondecreasing, with values > 0.
    fraction : float
        :math:`f = m/d \in (0, 1)`, the latent dimension over the ambient one (the total mass of
        the groups).
    name : str
        Label used in reports.
    count : int, optional
        The law is exactly discrete with this many atoms of equal weight (e.g. :func:`power_law`,
        :func:`from_values`): :meth:`groups` uses K = count by default, which reproduces the atoms.

    Notes
    -----
    The spectrum of :math:`B = F\Sigma F^T` (F: d x m, i.i.d. :math:`N(0, 1/d)`; :math:`\Sigma` the
    latent variances) solves :math:`g = (-z + f\int v\,dH(v)/(1 + v g))^{-1}` with H this law; the
    K-group quantile discretisation replaces H by K atoms of weight 1/K at its midpoint quantiles.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (right: a continuous variance distribution, the
    bulks merge) and Fig. 1a (orange: a realistic spectrum); J. W. Silverstein, Z. D. Bai,
    J. Multivariate Anal. 54 (1995) 175; ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """

    def __init__(self, components: Sequence[tuple[float, Callable]], fraction: float,
                 name: str = "custom", count: int | None = None):
        if len(components) == 0:
            raise ValueError("components must hold at least one (weight, quantile) pair (got none)")
        w = check_array([c[0] for c in components], "weights", lower=0.0, lower_open=True)
        for _, q in components:
            if not callable(q):
                raise TypeError(f"quantile must be callable (got {type(q).__name__})")
        self.weights = w / w.sum()
        self.quantiles = tuple(c[1] for c in components)
        self.fraction = _check_fraction(fraction)
        self.name = str(name)
        self.count = None if count is None else int(check_scalar(count, "count", lower=1,
                                                                  upper=100_000, integer=True))

    def __repr__(self) -> str:
        extra = "" if self.count is None else f", count={self.count}"
        return f"VarianceLaw({self.name!r}, fraction={self.fraction:g}{extra})"

    def groups(self, K: int | None = None) -> LawGroups:
        r"""Quantile discretisation into about K groups of equal fraction.

        Parameters
        ----------
        K : int, optional
            Number of groups (1 to 1e5); default ``count`` for an exactly discrete law, else 2000.
            A mixture gives component j :math:`\max(1, \mathrm{round}(K w_j))` groups.

        Returns
        -------
        LawGroups
            ``fractions`` (summing to ``fraction``) and ``variances``, ascending.

        Raises
        ------
        ValueError
            A quantile function returning values that are not finite and > 0, or that decrease.

        Notes
        -----
        Group i of component j: variance :math:`q_j((i - 1/2)/K_j)`, fraction
        :math:`f w_j / K_j` (the midpoint rule for :math:`\int \cdot\, dH = \int_0^1 \cdot(q(u))\,du`).

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (continuous variance law);
        ``docs/theory/spectral-gaps.md`` sec. 2.2.
        """
        K = (self.count or DEFAULT_GROUPS) if K is None else _check_k(K)
        fr, va = [], []
        for wj, q in zip(self.weights, self.quantiles, strict=True):
            kj = max(1, round(K * wj))
            u = (np.arange(kj) + 0.5) / kj
            vals = np.asarray(q(u), dtype=np.float64)
            if vals.shape != u.shape:
                vals = np.broadcast_to(vals, u.shape).astype(np.float64)
            vals = check_array(vals, "quantile values", lower=0.0, lower_open=True)
            if np.any(np.diff(vals) < 0):
                raise ValueError("quantile must be nondecreasing in u (got a decreasing step)")
            fr.append(np.full(kj, self.fraction * wj / kj))
            va.append(vals)
        f, v = np.concatenate(fr), np.concatenate(va)
        order = np.argsort(v, kind="stable")
        return LawGroups(f[order], v[order])

    def bulks(self, K: int | None = None) -> list[Bulk]:
        """Detached bulks of the spectrum of B for the law discretised into K groups.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 and Fig. 3; Silverstein, Choi (1995).
        """
        g = as_groups(*self.groups(K))
        return bulks_of(g.fractions, g.variances)[0]

    def support(self, K: int | None = None) -> np.ndarray:
        r"""Support intervals of the bulk density of B, shape (J, 2), ascending.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (merging bulks); Silverstein, Choi (1995).
        """
        return np.array([[b.lower, b.upper] for b in self.bulks(K)])

    def density(self, lam: ArrayLike, K: int | None = None) -> np.ndarray:
        r"""Bulk density :math:`\rho_B(\lambda)` per dimension d (atom :math:`1 - f` at 0 apart).

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6 and Fig. 3; Silverstein, Bai (1995).
        """
        g = as_groups(*self.groups(K))
        lam_a = check_array(lam, "lam")
        return bulk_density(lam_a, g.fractions, g.variances)

    def jacobian_density(self, mu: ArrayLike, t: ArrayLike, K: int | None = None) -> np.ndarray:
        r"""Density of the normalised Jacobian eigenvalues :math:`\mu = s/(s+\lambda)` at OU time t.

        Notes
        -----
        :math:`\rho_\mu(\mu) = \rho_B(s(1-\mu)/\mu)\,s/\mu^2` on (0, 1), spike :math:`1 - f` at 1.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6; ``docs/theory/spectral-gaps.md`` sec. 2.2.
        """
        g = as_groups(*self.groups(K))
        mu_b, t_b = np.broadcast_arrays(check_array(mu, "mu"),
                                        check_array(t, "t", lower=0.0, lower_open=True))
        s = np.asarray(ve_variance(t_b))
        ok = (mu_b > 0.0) & (mu_b < 1.0)
        out = np.zeros(mu_b.shape)
        lam = s[ok] * (1.0 - mu_b[ok]) / mu_b[ok]
        out[ok] = bulk_density(lam, g.fractions, g.variances) * s[ok] / mu_b[ok] ** 2
        return out

    def gap_structure(self, t: ArrayLike, threshold: float = 0.1,
                      K: int | None = None) -> GapStructure:
        """:func:`gap_structure` of the discretised law.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, eqs. 15, 18 and Fig. 3.
        """
        return gap_structure(t, *self.groups(K), threshold=threshold)


def uniform_law(low: float, high: float, fraction: float) -> VarianceLaw:
    r"""Latent variances uniform on [low, high].

    Parameters
    ----------
    low, high : float
        0 < low < high.
    fraction : float
        m/d in (0, 1).

    Returns
    -------
    VarianceLaw
        Quantile :math:`q(u) = \mathrm{low} + (\mathrm{high} - \mathrm{low})u`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (continuous variance distribution).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    lo = check_scalar(low, "low", lower=0.0, lower_open=True)
    hi = check_scalar(high, "high", lower=lo, lower_open=True)
    return VarianceLaw([(1.0, lambda u: lo + (hi - lo) * np.asarray(u))], fraction,
                       name=f"uniform[{lo:g}, {hi:g}]")


def power_law(beta: float, count: int, fraction: float, top: float = 1.0) -> VarianceLaw:
    r"""Power-law spectrum :math:`\lambda_k = \mathrm{top}\,k^{-\beta}`, k = 1..count (m = count).

    Parameters
    ----------
    beta : float
        Exponent :math:`\beta \ge 0` (0: one variance).
    count : int
        Number of latent directions m (the law's atoms).
    fraction : float
        m/d in (0, 1), so the ambient dimension is d = count/fraction.
    top : float
        Largest variance.

    Returns
    -------
    VarianceLaw
        Exactly discrete (``count`` atoms), with the rank-interpolated quantile
        :math:`q(u) = \mathrm{top}\,(\mathrm{count}(1 - u) + 1/2)^{-\beta}`: K = count groups give
        the atoms exactly, K > count refines the ranks into a continuum between 1/2 and count + 1/2.

    Notes
    -----
    Image covariance spectra decay roughly as a power of the rank.  The top eigenvalues of a power
    law are far apart: their groups form detached bulks (outliers) while the tail merges.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 1a (realistic spectrum) and sec. 8 (images).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    b = check_scalar(beta, "beta", lower=0.0)
    n = int(check_scalar(count, "count", lower=1, upper=100_000, integer=True))
    tp = check_scalar(top, "top", lower=0.0, lower_open=True)

    def quantile(u):
        return tp * (n * (1.0 - np.asarray(u)) + 0.5) ** (-b)

    return VarianceLaw([(1.0, quantile)], fraction, name=f"power(beta={b:g}, m={n})", count=n)


def from_quantile(quantile: Callable, fraction: float, name: str = "quantile") -> VarianceLaw:
    r"""A law given by its quantile function :math:`q(u)` on (0, 1) (vectorised, nondecreasing, > 0).

    Parameters
    ----------
    quantile : callable
        Quantile function :math:`q(u)` of the variances on (0, 1), vectorised, nondecreasing, > 0.
    fraction : float
        Total latent fraction :math:`\sum_k f_k` in (0, 1).
    name : str, default "quantile"
        Label of the law.

    Returns
    -------
    VarianceLaw
        The law, discretised on demand.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (continuous variance distribution).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    return VarianceLaw([(1.0, quantile)], fraction, name=name)


def from_density(pdf: Callable, support: tuple[float, float], fraction: float,
                 nodes: int = 20001, name: str = "density") -> VarianceLaw:
    r"""A law given by a (not necessarily normalised) density on a bounded support.

    Parameters
    ----------
    pdf : callable
        Density :math:`p(v) \ge 0`, vectorised; integrable singularities at the ends are allowed.
    support : (float, float)
        0 < a < b.
    fraction : float
    nodes : int
        Nodes of the tabulated distribution function.
    name : str, default "density"
        Label of the law.

    Returns
    -------
    VarianceLaw
        The law, discretised on demand.

    Notes
    -----
    The distribution function is tabulated on nodes :math:`v = a + (b - a)(1 - \cos\theta)/2`
    (clustered at both ends) by the trapezoid rule in :math:`\theta`, normalised, and inverted by
    linear interpolation: the quantile is accurate to O(nodes^-2).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (continuous variance distribution).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    if not callable(pdf):
        raise TypeError(f"pdf must be callable (got {type(pdf).__name__})")
    a = check_scalar(support[0], "support[0]", lower=0.0, lower_open=True)
    b = check_scalar(support[1], "support[1]", lower=a, lower_open=True)
    n = int(check_scalar(nodes, "nodes", lower=101, upper=10**7, integer=True))
    theta = np.linspace(0.0, np.pi, n)
    half = 0.5 * (b - a)
    v = a + half * (1.0 - np.cos(theta))
    mid = 0.5 * (theta[1:] + theta[:-1])
    vm = a + half * (1.0 - np.cos(mid))
    p = check_array(pdf(vm), "pdf values", lower=0.0)
    cdf = np.r_[0.0, np.cumsum(p * half * np.sin(mid) * np.diff(theta))]
    if not cdf[-1] > 0:
        raise ValueError("pdf must have a positive integral over the support (got 0)")
    cdf /= cdf[-1]

    def quantile(u):
        return np.interp(np.asarray(u), cdf, v)

    return VarianceLaw([(1.0, quantile)], fraction, name=name)


def from_values(values: ArrayLike, fraction: float, name: str = "values") -> VarianceLaw:
    r"""The empirical law of given variances (e.g. a covariance spectrum), one atom each.

    Parameters
    ----------
    values : array_like, shape (m,)
        Variances > 0 (zeros must be dropped: they belong to the atom of B at 0).
    fraction : float
        m/d in (0, 1).
    name : str, default "values"
        Label of the law.

    Returns
    -------
    VarianceLaw
        The law, discretised on demand.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 8 (image spectra).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    vals = np.sort(check_array(values, "values", lower=0.0, lower_open=True, ndim=1))
    if vals.size == 0:
        raise ValueError("values must hold at least one variance (got none)")
    m = vals.size

    def quantile(u):
        return vals[np.minimum((np.asarray(u) * m).astype(int), m - 1)]

    return VarianceLaw([(1.0, quantile)], fraction, name=name, count=m)


def spread_law(fractions: ArrayLike, variances: ArrayLike, spread: float) -> VarianceLaw:
    r"""Variance groups each spread log-uniformly over :math:`[v_k e^{-\sigma}, v_k e^{\sigma}]`.

    Parameters
    ----------
    fractions, variances : array_like, shape (K,)
        As in :func:`theory.spectral.density`.
    spread : float
        :math:`\sigma \ge 0` (0: the atoms themselves).

    Returns
    -------
    VarianceLaw
        Components of weight :math:`f_k/\sum f` with quantile :math:`v_k e^{\sigma(2u - 1)}`.

    Notes
    -----
    As :math:`\sigma` grows the bulks of neighbouring groups merge: :func:`bulks_vs_spread` counts
    them.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (right: continuous variances smooth the gaps).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    g = as_groups(fractions, variances)
    sig = check_scalar(spread, "spread", lower=0.0)
    comps = [(float(fk), (lambda u, vk=float(vk): vk * np.exp(sig * (2.0 * np.asarray(u) - 1.0))))
             for fk, vk in zip(g.fractions, g.variances, strict=True)]
    return VarianceLaw(comps, float(np.sum(g.fractions)), name=f"spread({sig:g})")


#: named laws for the command line: name -> (constructor, its parameters)
LAWS = {
    "uniform": ("uniform_law", ("low", "high", "fraction")),
    "power": ("power_law", ("beta", "count", "fraction", "top")),
    "spread": ("spread_law", ("fractions", "variances", "spread")),
}


def named_law(name: str, **params) -> VarianceLaw:
    r"""A law by name with keyword parameters: ``"uniform"`` (low, high, fraction), ``"power"``
    (beta, count, fraction[, top]) or ``"spread"`` (fractions, variances, spread).

    Parameters
    ----------
    name : {"uniform", "power", "spread"}
        The family.
    **params
        Its parameters (see above).

    Returns
    -------
    VarianceLaw
        The law.

    Raises
    ------
    ValueError
        Unknown name, or a missing or unknown parameter (the message lists the accepted ones).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (continuous variance laws).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    if name not in LAWS:
        raise ValueError(f"law must be one of {', '.join(LAWS)} (got {name!r})")
    fun_name, allowed = LAWS[name]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"law {name!r} takes the parameters {', '.join(allowed)} (got {', '.join(unknown)})")
    fun = {"uniform_law": uniform_law, "power_law": power_law, "spread_law": spread_law}[fun_name]
    try:
        return fun(**params)
    except TypeError as exc:
        raise ValueError(f"law {name!r} needs the parameters {', '.join(allowed)} ({exc})") from None


class GapStructure(NamedTuple):
    r"""Support of B and the gaps of the normalised Jacobian spectrum against OU time.

    ``intervals`` (J, 2): support intervals of B (ascending :math:`\lambda`); ``masses`` (J,);
    ``t``, ``s`` (T,); ``mu_intervals`` (T, J, 2): the same intervals in :math:`\mu = s/(s+\lambda)`
    (interval j keeps its index; its lower :math:`\mu` edge comes from its upper :math:`\lambda`
    edge); ``manifold`` (T,): the gap between the spike at :math:`\mu = 1` and the tangent spectrum;
    ``gaps`` (J - 1, T): the gap between intervals j and j + 1 in :math:`\mu`; ``visible`` (T,):
    the number of gaps (manifold gap included) larger than ``threshold``, so the spectrum shows
    ``visible + 1`` separated clusters.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (bulks and gaps of the Jacobian spectrum);
    ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """

    intervals: np.ndarray
    masses: np.ndarray
    t: np.ndarray
    s: np.ndarray
    mu_intervals: np.ndarray
    manifold: np.ndarray
    gaps: np.ndarray
    threshold: float
    visible: np.ndarray


def gap_structure(t: ArrayLike, fractions: ArrayLike, variances: ArrayLike,
                  threshold: float = 0.1) -> GapStructure:
    r"""Support intervals, gaps and the number of visible gaps of the Jacobian spectrum at times t.

    Parameters
    ----------
    t : array_like
        OU times > 0 (flattened).
    fractions, variances : array_like, shape (K,)
        Any number of groups (e.g. ``*law.groups()``).
    threshold : float
        Visibility threshold :math:`\Delta \in (0, 1)` in units of :math:`\mu`.

    Returns
    -------
    GapStructure

    Notes
    -----
    With the support intervals :math:`[l_j, u_j]` of B (critical-point edges),
    :math:`s = e^{2t} - 1`: manifold gap :math:`l_1/(s + l_1)`, gap between intervals j and j + 1
    :math:`s(l_{j+1} - u_j)/((s + u_j)(s + l_{j+1}))` (eqs. 15 and 18 of the paper for any number of
    bulks).  Unlike :func:`theory.spectral.gap_heights`, which has one row per pair of consecutive
    groups, the rows here are the actual gaps of the support, so K = 1000 groups of a continuous law
    give a handful of rows.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15, 18 and Fig. 3; ``docs/theory/spectral-gaps.md``
    secs. 2.3-2.5.
    """
    grp = as_groups(fractions, variances)
    ta = check_array(t, "t", lower=0.0, lower_open=True).reshape(-1)
    delta = check_scalar(threshold, "threshold", lower=0.0, upper=1.0, lower_open=True,
                         upper_open=True)
    blist = bulks_of(grp.fractions, grp.variances)[0]
    iv = np.array([[b.lower, b.upper] for b in blist])
    s = np.asarray(ve_variance(ta))[:, None]
    mu_iv = np.stack([s / (s + iv[:, 1]), s / (s + iv[:, 0])], axis=-1)
    manifold = iv[0, 0] / (s[:, 0] + iv[0, 0])
    a, b = iv[:-1, 1], iv[1:, 0]
    gaps = (s * (b - a) / ((s + a) * (s + b))).T
    visible = (manifold > delta).astype(int) + np.sum(gaps > delta, axis=0)
    return GapStructure(iv, np.array([bl.mass for bl in blist]), ta, s[:, 0], mu_iv, manifold, gaps,
                        delta, visible)


def bulk_count(fractions: ArrayLike, variances: ArrayLike) -> int:
    r"""Number of support intervals (detached bulks) of the spectrum of B.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

    Returns
    -------
    int
        Number of detached bulks.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 ("detached bulks"); Silverstein, Choi (1995).
    docs/theory/spectral-gaps.md secs. 2.2 and 2.5.
    """
    g = as_groups(fractions, variances)
    return len(bulks_of(g.fractions, g.variances)[0])


def bulks_vs_spread(law_at: Callable[[float], VarianceLaw], spreads: ArrayLike,
                    K: int | None = None) -> np.ndarray:
    r"""Number of surviving bulks of B for each value of a spread parameter.

    Parameters
    ----------
    law_at : callable
        ``law_at(spread)`` returns a :class:`VarianceLaw` (e.g.
        ``lambda s: spread_law(f, v, s)`` or ``lambda b: power_law(b, 400, 0.4)``).
    spreads : array_like
        Values of the parameter.
    K : int, optional
        Groups of the discretisation (the law's default if None).

    Returns
    -------
    ndarray of int, shape of ``spreads``

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (right: the bulks merge as the law spreads).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    sp = check_array(spreads, "spreads")
    out = np.array([len(law_at(float(x)).bulks(K)) for x in sp.reshape(-1)], dtype=int)
    return out.reshape(sp.shape)


def edge_convergence(law: VarianceLaw, ks: Sequence[int] = (1000, 2000, 4000)) -> dict:
    r"""Edges of the discretised law for several K, and their relative change.

    Parameters
    ----------
    law : VarianceLaw
        A continuous variance law.
    ks : sequence of int, default (1000, 2000, 4000)
        Numbers K of atoms of the discretisations compared.

    Returns
    -------
    dict
        ``{"K": [...], "bulks": [...], "edges": [array, ...], "change": [...]}``; ``change[i]`` is the
        largest relative change of the edges from ``K[i-1]`` to ``K[i]`` in units of the total
        support width (NaN when the number of bulks changed).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 3 (continuous variance law).
    docs/theory/spectral-gaps.md sec. 2.5.
    """
    ks = [_check_k(k) for k in ks]
    edges = [law.support(k) for k in ks]
    change = [float("nan")]
    for prev, cur in zip(edges[:-1], edges[1:], strict=True):
        if prev.shape != cur.shape:
            change.append(float("nan"))
            continue
        width = cur[-1, 1] - cur[0, 0]
        change.append(float(np.max(np.abs(cur - prev)) / width))
    return {"K": ks, "bulks": [e.shape[0] for e in edges], "edges": edges, "change": change}
