r"""Stieltjes transform and bulk edges of :math:`B = F\Sigma F^T` for K latent-variance groups.

Private machinery of :mod:`theory.spectral`: the self-consistent equation cleared of denominators
(a polynomial of degree K + 1 in g whose coefficients are affine in z), its roots for a batch of
points by companion-matrix eigenvalues, and the bulk edges by the critical-point method.  The
polynomials are the ones derived symbolically in :mod:`derivations.linear_manifold` (the tests
compare the two); they are rebuilt here with :mod:`numpy.polynomial` products so that importing
:mod:`theory` does not import sympy.

This polynomial route serves up to ``POLY_MAX_GROUPS`` groups; above, :func:`bulks_of` and
:func:`stieltjes_bulk` hand over to :mod:`theory._stieltjes_many` (pole-by-pole critical points and
Newton continuation in the imaginary part, O(K) per point), which agrees with this route to
~1e-14 where both apply (tests).

Conventions: :math:`F \in \mathbb R^{d\times m}` with i.i.d. :math:`N(0, 1/d)` entries, latent
variance :math:`v_k` on a fraction :math:`f_k = m_k/d` of the dimensions,
:math:`g(z) = \frac1d \operatorname{tr}(B - z)^{-1}` (``docs/theory/spectral-gaps.md`` sec. 1.3,
2.2).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.polynomial import polynomial as P

from ._stieltjes_many import Bulk, bulks_many, stieltjes_many
from .checks import check_array

__all__ = ["Groups", "as_groups", "self_consistent_coefficients", "edge_coefficients", "z_of_g",
           "stieltjes_bulk", "critical_points", "Bulk", "bulks_of", "bulk_density", "bulk_cumulative",
           "POLY_MAX_GROUPS"]

POLY_MAX_GROUPS = 6     # the polynomial route up to this many (merged) groups, the pole route above

_REAL_TOL = 1e-7        # relative imaginary part below which a polynomial root is taken as real
_NEWTON_STEPS = 3       # Newton polishing steps on the rational form of each root


class Groups(NamedTuple):
    """Validated latent-variance groups, sorted by ascending variance, equal variances merged.

    ``fractions``/``variances``: the merged groups; ``index``: for each group given by the user,
    the merged group it went to.
    """

    fractions: np.ndarray
    variances: np.ndarray
    index: np.ndarray


def as_groups(fractions, variances) -> Groups:
    """Validate ``(fractions, variances)``; sort by variance and merge equal variances.

    Parameters
    ----------
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d > 0` of the dimensions in each latent group, :math:`\\sum_k f_k < 1`.
    variances : array_like, shape (K,)
        Latent variance :math:`v_k > 0` of each group.

    Returns
    -------
    Groups
        Fractions and variances sorted by variance, equal variances merged, with the map to the
        user's indices.

    Raises
    ------
    ValueError
        For a fraction <= 0, a sum of fractions >= 1, a variance <= 0, non-finite values, empty or
        mismatched lengths; the message names the parameter and the accepted range.
    """
    f = np.atleast_1d(check_array(fractions, "fractions", lower=0.0, upper=1.0, lower_open=True,
                                  upper_open=True))
    v = np.atleast_1d(check_array(variances, "variances", lower=0.0, lower_open=True))
    if f.ndim != 1 or v.ndim != 1:
        raise ValueError(f"fractions and variances must be 1-dimensional (got shapes {f.shape} and "
                         f"{v.shape})")
    if f.size == 0:
        raise ValueError("fractions must hold at least one group (got an empty list)")
    if f.size != v.size:
        raise ValueError(f"fractions and variances must have the same length (got {f.size} and "
                         f"{v.size})")
    total = float(np.sum(f))
    if not total < 1.0:
        raise ValueError(f"sum of fractions must be < 1 (got {total:g}): the manifold dimension "
                         "m = d sum(f) must stay below d")
    uv, inverse = np.unique(v, return_inverse=True)
    uf = np.bincount(inverse, weights=f, minlength=uv.size)
    return Groups(uf, uv, inverse)


def _factors(v: np.ndarray) -> list[np.ndarray]:
    return [np.array([1.0, vk]) for vk in v]


def _product(polys: list[np.ndarray]) -> np.ndarray:
    out = np.array([1.0])
    for p in polys:
        out = P.polymul(out, p)
    return out


def self_consistent_coefficients(f: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Coefficients (ascending powers of g) of the cleared self-consistent equation.

    Returns ``(A, C)`` of lengths K + 1 and K + 2 with :math:`A(g) - z\,C(g) = 0`, where

    .. math::
        A(g) = g \sum_k f_k v_k \prod_{j\ne k}(1 + v_j g) - \prod_k (1 + v_k g),\qquad
        C(g) = g \prod_k (1 + v_k g),

    i.e. :math:`g\,[-z + \sum_k f_k v_k/(1 + v_k g)] = 1` times :math:`\prod_k(1 + v_k g)`.
    """
    fac = _factors(v)
    pi = _product(fac)
    s = np.zeros(len(v))
    for k in range(len(v)):
        s = P.polyadd(s, f[k] * v[k] * _product(fac[:k] + fac[k + 1:]))
    a = P.polysub(P.polymulx(s), pi)
    c = P.polymulx(pi)
    return np.pad(a, (0, len(v) + 1 - a.size)), c


def edge_coefficients(f: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""Coefficients (ascending) of the edge polynomial, :math:`z'(g) = 0` cleared of denominators.

    .. math::
        \prod_k (1 + v_k g)^2 - g^2 \sum_k f_k v_k^2 \prod_{j \ne k} (1 + v_j g)^2 = 0
        \iff \frac{1}{g^2} = \sum_k \frac{f_k v_k^2}{(1 + v_k g)^2}.
    """
    fac2 = [P.polymul(p, p) for p in _factors(v)]
    out = _product(fac2)
    for k in range(len(v)):
        term = f[k] * v[k] ** 2 * _product(fac2[:k] + fac2[k + 1:])
        out = P.polysub(out, P.polymulx(P.polymulx(term)))
    return out


def z_of_g(g, f: np.ndarray, v: np.ndarray, order: int = 0):
    r"""The inverse :math:`z(g) = -1/g + \sum_k f_k v_k/(1 + v_k g)` and its derivatives.

    ``order`` 0, 1, 2 gives z, z', z''.  ``g`` may be complex; broadcasts over ``g``.
    """
    g = np.asarray(g)
    w = 1.0 + v * g[..., None]
    if order == 0:
        return -1.0 / g + np.sum(f * v / w, axis=-1)
    if order == 1:
        return 1.0 / g**2 - np.sum(f * v**2 / w**2, axis=-1)
    return -2.0 / g**3 + 2.0 * np.sum(f * v**3 / w**3, axis=-1)


def _batch_roots(coeffs: np.ndarray) -> np.ndarray:
    """Roots of many polynomials at once (rows of ascending coefficients, nonzero leading one)."""
    n = coeffs.shape[-1] - 1
    comp = np.zeros(coeffs.shape[:-1] + (n, n))
    comp[..., np.arange(1, n), np.arange(n - 1)] = 1.0
    comp[..., :, -1] = -coeffs[..., :-1] / coeffs[..., -1:]
    return np.linalg.eigvals(comp)


def stieltjes_bulk(lam: np.ndarray, f: np.ndarray, v: np.ndarray, method: str = "auto") -> np.ndarray:
    r"""Stieltjes transform :math:`g(\lambda + i0^+)` (the root with Im g > 0) at points in the bulk.

    ``lam`` must lie strictly inside the support (the caller masks with the edges), where exactly one
    pair of complex-conjugate roots exists (the K - 1 real roots are forced by the sign changes of
    z(g) between the poles).  Each root is polished by Newton steps on :math:`z(g) - \lambda`.
    ``method``: "poly", "poles" (:func:`theory._stieltjes_many.stieltjes_many`) or "auto" (poly up
    to ``POLY_MAX_GROUPS`` groups).
    """
    lam = np.asarray(lam, dtype=np.float64)
    if method == "poles" or (method == "auto" and v.size > POLY_MAX_GROUPS):
        return stieltjes_many(lam.reshape(-1), f, v).reshape(lam.shape)
    a, c = self_consistent_coefficients(f, v)
    coeffs = np.pad(a, (0, 1))[None, :] - lam[:, None] * c[None, :]
    roots = _batch_roots(coeffs)
    g = roots[np.arange(lam.size), np.argmax(roots.imag, axis=-1)]
    for _ in range(_NEWTON_STEPS):
        step = (z_of_g(g, f, v) - lam) / z_of_g(g, f, v, order=1)
        g = np.where(np.isfinite(step), g - step, g)
    return np.where(g.imag > 0, g, np.conj(g))


def critical_points(f: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""Real critical points :math:`g^* < 0` of z(g) (roots of :func:`edge_coefficients`), ascending.

    Roots are taken as real when :math:`|\mathrm{Im}\, g| \le 10^{-7}|g|`, polished by Newton steps
    on :math:`z'(g) = 0`, and kept when negative and away from the poles :math:`-1/v_k` (for
    :math:`g > 0`, :math:`z'(g) > 0` has no root, and :math:`z(g) < 0` there).
    """
    roots = P.polyroots(edge_coefficients(f, v))
    real = roots[np.abs(roots.imag) <= _REAL_TOL * np.abs(roots)].real
    for _ in range(_NEWTON_STEPS):
        step = z_of_g(real, f, v, order=1) / z_of_g(real, f, v, order=2)
        real = np.where(np.isfinite(step), real - step, real)
    real = real[(real < 0) & np.all(np.abs(1.0 + np.outer(real, v)) > 1e-12, axis=1)]
    return np.unique(real)


def bulks_of(f: np.ndarray, v: np.ndarray,
             method: str = "auto") -> tuple[list[Bulk], dict[int, tuple[float, float]]]:
    r"""Detached bulks of B and the gaps between consecutive groups.

    ``method``: "poly" (roots of the edge polynomial), "poles" (critical points located pole by pole,
    :func:`theory._stieltjes_many.bulks_many`) or "auto" (poly up to ``POLY_MAX_GROUPS`` groups).

    Returns the bulks in ascending order and ``{k: (a, b)}`` for every pair of consecutive groups
    (k, k + 1) separated by a gap :math:`(a, b)` of the support.

    Notes
    -----
    Silverstein-Choi characterisation: a real :math:`x > 0` lies outside the support iff
    :math:`x = z(g)` with g real, off the poles :math:`0, -1/v_k`, and :math:`z'(g) > 0`.  z runs
    from :math:`0^+` up to a maximum and down to :math:`-\infty` on :math:`(-\infty, -1/v_1)` (the
    maximum is the lowest edge), from :math:`+\infty` to :math:`-\infty` on each interval
    :math:`(-1/v_k, -1/v_{k+1})` -- where a local minimum then maximum bound the gap that separates
    groups :math:`\le k` from groups :math:`> k` -- and from :math:`+\infty` down to a minimum (the
    top edge) and back up on :math:`(-1/v_K, 0)`.  A detached bulk carries the mass
    :math:`\sum f_k` of the groups between its gaps (exact separation).
    """
    if v[-1] / v[0] > _MAX_SPREAD:
        raise ValueError(f"variances must span at most a factor {_MAX_SPREAD:g} from the smallest to "
                         f"the largest (got {v[0]:g} to {v[-1]:g})")
    middle = np.sqrt(v[0]) * np.sqrt(v[-1])
    if middle < _SCALE_RANGE[0] or middle > _SCALE_RANGE[1]:
        return _bulks_rescaled(f, v, method)
    if method == "poles" or (method == "auto" and (v.size > POLY_MAX_GROUPS
                                                   or v[-1] / v[0] > _POLY_MAX_SPREAD
                                                   or np.any(v[1:] / v[:-1] < _POLY_MIN_RATIO))):
        return bulks_many(f, v)
    crit = critical_points(f, v)
    poles = -1.0 / v                                   # ascending, since v is ascending
    where = np.searchsorted(poles, crit)
    K = v.size
    low = crit[where == 0]
    top = crit[where == K]
    if low.size == 0 or top.size == 0:                 # pragma: no cover - guaranteed by the theory
        raise RuntimeError("critical-point edges not found; the edge polynomial is ill-conditioned")
    lowest, highest = float(np.max(z_of_g(low, f, v))), float(np.min(z_of_g(top, f, v)))
    gaps: dict[int, tuple[float, float]] = {}
    for k in range(1, K):
        c = crit[where == k]
        if c.size >= 2:
            a, b = float(z_of_g(c[0], f, v)), float(z_of_g(c[-1], f, v))
            if b > a * (1.0 + 1e-12):
                gaps[k - 1] = (a, b)
    out: list[Bulk] = []
    lo, first = lowest, 0
    for k in sorted(gaps):
        a, b = gaps[k]
        out.append(Bulk(lo, a, float(np.sum(f[first:k + 1])), tuple(range(first, k + 1))))
        lo, first = b, k + 1
    out.append(Bulk(lo, highest, float(np.sum(f[first:])), tuple(range(first, K))))
    return out, gaps


_SCALE_RANGE = (1e-2, 1e2)       # geometric middle of the variances outside: edges from v / middle
_POLY_MAX_SPREAD = 1e8            # wider spreads: the degree-2K polynomial loses its roots
_MAX_SPREAD = 1e80                # the pole-by-pole search holds 1e-13 relative edges up to here
_POLY_MIN_RATIO = 1.0 + 1e-3      # nearly equal variances: near-double poles hide the polynomial's
                                  # critical points (a gap at 1 + 1e-7 was missed)


def _bulks_rescaled(f: np.ndarray, v: np.ndarray,
                    method: str) -> tuple[list[Bulk], dict[int, tuple[float, float]]]:
    r"""Bulks of variances far from 1, from those of :math:`v/c`, c the geometric middle of v.

    z(g) of the variances :math:`cv` is :math:`c\,z(cg)` of the variances v, so every edge scales by c
    (Silverstein, Choi (1995), J. Multivariate Anal. 54, 295, eq. 1.6: the support scales with the
    population spectrum); the float64 edge polynomial of 1e-300 variances would underflow.
    """
    c = float(np.exp(0.5 * (np.log(v[0]) + np.log(v[-1]))))
    w = v / c
    blist, gaps = bulks_of(f, w, method)
    scaled = [Bulk(b.lower * c, b.upper * c, b.mass, b.groups) for b in blist]
    return scaled, {k: (a * c, b * c) for k, (a, b) in gaps.items()}


def bulk_density(lam: np.ndarray, f: np.ndarray, v: np.ndarray, blist: list[Bulk] | None = None,
                 method: str = "auto") -> np.ndarray:
    """rho_B at real points (any shape), zero outside the support, computed only inside it.

    ``blist``: the bulks of (f, v) when the caller has them already; ``method`` as in
    :func:`bulks_of` ("poles" is the only route for sum(f) >= 1).
    """
    shape = np.shape(lam)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    out = np.zeros(lam.shape)
    inside = np.zeros(lam.shape, dtype=bool)
    for b in (bulks_of(f, v, method)[0] if blist is None else blist):
        inside |= (lam > b.lower) & (lam < b.upper)
    if np.any(inside):
        out[inside] = np.maximum(stieltjes_bulk(lam[inside], f, v, method).imag, 0.0) / np.pi
    return out.reshape(shape)


def bulk_cumulative(lam: np.ndarray, f: np.ndarray, v: np.ndarray, blist: list[Bulk] | None = None,
                    method: str = "auto") -> np.ndarray:
    r"""Distribution function :math:`N(\lambda)` of the spectrum of B per d (atom at 0 included).

    Exact, without quadrature: with :math:`w = -1/g(\lambda + i0^+)`,

    .. math::
        N(\lambda) = 1 - \frac1\pi\Big[(1 - \textstyle\sum_k f_k)\arg w
        + \sum_k f_k \arg(w - v_k) - \operatorname{Im} w \sum_k \frac{f_k v_k}{|w - v_k|^2}\Big].

    Derivation: :math:`\int\rho_B\,d\lambda = \frac1\pi\operatorname{Im}\int g\,dz` and, along
    the curve :math:`z = z(w)`, :math:`g\,dz = -z'(w)\,dw/w` with
    :math:`z'(w) = 1 - \sum_k f_kv_k^2/(w - v_k)^2`, whose antiderivative by partial fractions is
    :math:`G(w) = -(1 - \sum f)\log w - \sum_k f_k\log(w - v_k) - \sum_k f_kv_k/(w - v_k)`;
    w stays in the closed upper half plane, where the principal arguments are continuous, and the
    constant follows from :math:`N = 0` below the spectrum (every argument :math:`\pi`).  In a gap
    (w real between two poles) the formula gives the exact-separation value
    :math:`1 - \sum_{\text{groups above}} f`, which is used there directly.  Valid for any
    :math:`\sum_k f_k` (no atom when it is >= 1).
    """
    shape = np.shape(lam)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    blist = bulks_of(f, v, method)[0] if blist is None else blist
    out = np.where(lam >= 0.0, max(0.0, 1.0 - float(np.sum(f))), 0.0)
    inside = np.zeros(lam.shape, dtype=bool)
    for b in blist:
        out = out + np.where(lam >= b.upper, b.mass, 0.0)
        inside |= (lam > b.lower) & (lam < b.upper)
    if np.any(inside):
        w = -1.0 / stieltjes_bulk(lam[inside], f, v, method)
        dw = w[:, None] - v[None, :]
        bracket = ((1.0 - np.sum(f)) * np.angle(w) + np.angle(dw) @ f
                   - w.imag * ((1.0 / np.abs(dw) ** 2) @ (f * v)))
        out[inside] = 1.0 - bracket / np.pi
    return out.reshape(shape)
