r"""Monte Carlo of Jacobian spectra for linear-manifold data: sampled embeddings, exact and empirical
scores, histograms against the theoretical density, and eigenvector overlaps with latent subspaces.

A :class:`RandomLinearManifold` draws :math:`F \in \mathbb R^{d\times m}` with i.i.d. :math:`N(0, 1/d)`
entries and the latent variances of K groups (:math:`m_k = \mathrm{round}(f_k d)` columns of
variance :math:`v_k`); its exact score :math:`-(e^{-2t}B + \Delta_t I)^{-1}x` and Jacobian come from
the thin SVD of :math:`F\Sigma^{1/2}` computed once.  The empirical score of n points drawn from it
uses the package's one kernel (:mod:`validation.jacobian`, :mod:`validation.score`).

References
----------
Ventura et al. (2025), "Manifolds, random matrices and spectral gaps", arXiv:2410.05898, secs. 6-7
(Fig. 2: theory vs exact score; Fig. 3: the sigma_1 <-> sigma_2 swap; Algorithms 1-2);
docs/theory/spectral-gaps.md secs. 1.3, 2.7, 3.3 and 4.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from theory.checks import check_array, check_scalar
from theory.spectral import as_groups, bulks, cumulative, estimate_dimensions
from theory.timemap import delta, forward_noising, noised_variance, ve_variance

from .jacobian import empirical_score_jacobian

__all__ = ["RandomLinearManifold", "sample_b_eigenvalues", "HistogramCheck", "histogram_check",
           "subspace_overlaps", "empirical_jacobian_spectra", "separated_cluster_overlaps"]


class RandomLinearManifold:
    r"""One draw of the linear Gaussian manifold :math:`x_0 = Fz`, :math:`z \sim N(0, \Sigma)`.

    Parameters
    ----------
    d : int
        Ambient dimension (>= 2).
    fractions, variances : array_like, shape (K,)
        :math:`f_k = m_k/d` and latent variances :math:`v_k`, as in :func:`theory.spectral.density`
        (the user's group order is kept in ``groups``; each group needs ``round(f_k d) >= 1``).
    rng : seed or numpy.random.Generator

    Attributes
    ----------
    F : ndarray (d, m)
    column_variances : ndarray (m,)
    groups : ndarray (m,) of int
        The user's group index of each latent column.
    eigenvalues : ndarray (d,)
        Eigenvalues of :math:`B = F\Sigma F^T`, ascending (d - m exact zeros first).
    eigenvectors : ndarray (d, m)
        Orthonormal eigenvectors of the m nonzero eigenvalues (same order as ``eigenvalues[d-m:]``).

    Notes
    -----
    The nonzero eigenvalues of B are the squared singular values of :math:`F\Sigma^{1/2}` (an SVD of
    a d x m matrix instead of an eigendecomposition of d x d); the d - m others vanish exactly.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (random linear manifold);
    docs/theory/spectral-gaps.md sec. 1.3 (model) and sec. 3.3 (protocol) [D].
    """

    def __init__(self, d: int, fractions, variances, rng=None):
        self.d = int(check_scalar(d, "d", lower=2, integer=True))
        as_groups(fractions, variances)                       # validation only
        f = np.atleast_1d(np.asarray(fractions, dtype=float))
        v = np.atleast_1d(np.asarray(variances, dtype=float))
        counts = np.rint(f * self.d).astype(int)
        if np.any(counts < 1):
            raise ValueError(f"d must give every group at least one latent direction: round(f_k d) "
                             f"must be >= 1 (got {counts.tolist()} for d = {self.d})")
        rng = np.random.default_rng(rng)
        self.m = int(counts.sum())
        self.groups = np.repeat(np.arange(f.size), counts)
        self.column_variances = v[self.groups]
        self.F = rng.standard_normal((self.d, self.m)) / np.sqrt(self.d)
        u, sv, _ = np.linalg.svd(self.F * np.sqrt(self.column_variances), full_matrices=False)
        order = np.argsort(sv)
        self.eigenvectors = u[:, order]
        self.eigenvalues = np.r_[np.zeros(self.d - self.m), sv[order] ** 2]

    def normalized_spectrum(self, t: float) -> np.ndarray:
        r"""Eigenvalues :math:`\mu = s/(s+\lambda)` of :math:`-\Delta_t J(t)`, descending (spike first)."""
        t = check_scalar(t, "t", lower=0.0, lower_open=True)
        s = ve_variance(t)
        return s / (s + self.eigenvalues)

    def jacobian(self, t: float) -> np.ndarray:
        r"""The exact Jacobian :math:`J(t) = -(e^{-2t}B + \Delta_t I)^{-1}` (d x d)."""
        t = check_scalar(t, "t", lower=0.0, lower_open=True)
        lam = self.eigenvalues[self.d - self.m:]
        u = self.eigenvectors
        jac = -(np.eye(self.d) - u @ u.T) / delta(t)
        return jac - (u / noised_variance(lam, t)) @ u.T

    def score(self, x, t: float) -> np.ndarray:
        r"""Exact score :math:`-(e^{-2t}B + \Delta_t I)^{-1}x` for x of shape (B, d) (or (d,))."""
        t = check_scalar(t, "t", lower=0.0, lower_open=True)
        xa = np.asarray(x, dtype=np.float64)
        if xa.shape[-1] != self.d:
            raise ValueError(f"x must have last dimension d = {self.d} (got shape {xa.shape})")
        lam = self.eigenvalues[self.d - self.m:]
        dt = delta(t)
        proj = xa @ self.eigenvectors
        tangent = (proj * (1.0 / noised_variance(lam, t) - 1.0 / dt)) @ self.eigenvectors.T
        return -xa / dt - tangent

    def sample(self, n: int, rng=None) -> np.ndarray:
        """n data points :math:`x_0 = Fz`, shape (n, d)."""
        n = int(check_scalar(n, "n", lower=1, integer=True))
        z = np.random.default_rng(rng).standard_normal((n, self.m)) * np.sqrt(self.column_variances)
        return z @ self.F.T

    def subspace_bases(self) -> list[np.ndarray]:
        """Orthonormal bases (d, m_k) of the latent subspaces span(F_k), in the user's group order."""
        return [np.linalg.qr(self.F[:, self.groups == k])[0] for k in range(int(self.groups.max()) + 1)]


def sample_b_eigenvalues(d: int, fractions, variances, n_draws: int = 1, rng=None) -> np.ndarray:
    r"""Eigenvalues of :math:`B = F\Sigma F^T` for independent draws of F (no eigenvectors).

    Returns
    -------
    ndarray, shape (n_draws, d)
        Ascending, d - m exact zeros first.

    Notes
    -----
    The nonzero eigenvalues of B are those of the m x m Gram matrix
    :math:`\Sigma^{1/2}F^TF\Sigma^{1/2}` (:func:`numpy.linalg.eigvalsh`), cheaper than a d x d
    eigendecomposition when m < d (at d = 4000, m = 1600 about 1 s per draw).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (random linear manifold);
    docs/theory/spectral-gaps.md sec. 3.3 [D].
    """
    d = int(check_scalar(d, "d", lower=2, integer=True))
    nd = int(check_scalar(n_draws, "n_draws", lower=1, integer=True))
    as_groups(fractions, variances)
    f = np.atleast_1d(np.asarray(fractions, dtype=float))
    v = np.atleast_1d(np.asarray(variances, dtype=float))
    counts = np.rint(f * d).astype(int)
    root = np.sqrt(np.repeat(v, counts))
    m = root.size
    rng = np.random.default_rng(rng)
    out = np.zeros((nd, d))
    for i in range(nd):
        x = rng.standard_normal((d, m)) * (root / np.sqrt(d))
        out[i, d - m:] = np.clip(np.linalg.eigvalsh(x.T @ x), 0.0, None)
    return out


def subspace_overlaps(vectors, bases: list[np.ndarray]) -> np.ndarray:
    r"""Squared overlaps :math:`|P_k u|^2` of unit vectors (columns of ``vectors``) with subspaces.

    Returns
    -------
    ndarray, shape (number of vectors, K)
        Each row sums to at most 1 (to 1 for vectors inside the manifold).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 (which subspace separates first);
    docs/theory/spectral-gaps.md sec. 2.4.
    """
    u = check_array(vectors, "vectors", ndim=2)
    return np.stack([np.sum((b.T @ u) ** 2, axis=0) for b in bases], axis=1)


def separated_cluster_overlaps(manifold: RandomLinearManifold, t: float, threshold: float = 0.1,
                               jacobian=None) -> tuple[np.ndarray, int]:
    r"""Mean overlap, with each latent subspace, of the eigenvectors below the top gap of the spectrum.

    Parameters
    ----------
    manifold : RandomLinearManifold
    t : float
        OU time.
    threshold : float
        Gap threshold of :func:`theory.spectral.estimate_dimensions`.
    jacobian : ndarray (d, d), optional
        A Jacobian to analyse instead of the exact one (e.g. an empirical-score Jacobian).

    Returns
    -------
    overlaps : ndarray, shape (K,)
        Mean :math:`|P_k u|^2` over the eigenvectors u below the first gap from the top (the
        subspace that has separated from the normal cluster); NaN without a gap.
    count : int
        Number of those eigenvectors.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.3 and Fig. 3 (which subspace separates first);
    docs/theory/spectral-gaps.md sec. 2.4 [Q].
    """
    jac = manifold.jacobian(t) if jacobian is None else check_array(jacobian, "jacobian", ndim=2)
    w, vec = np.linalg.eigh(0.5 * (jac + jac.T))
    mu = -w * delta(t)                                            # -Delta_t eig J, ascending
    est = estimate_dimensions(mu, threshold)
    if est.manifold_dimension == 0:
        return np.full(len(manifold.subspace_bases()), np.nan), 0
    below = vec[:, w.size - est.manifold_dimension:]              # the smallest mu: largest w
    return subspace_overlaps(below, manifold.subspace_bases()).mean(axis=0), est.manifold_dimension


class HistogramCheck(NamedTuple):
    """Observed and expected counts per bin, and the tolerance of each bin (see histogram_check).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, Fig. 4 (theory against sampled spectra);
    docs/theory/spectral-gaps.md sec. 3.3.
    """

    bins: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    tolerance: np.ndarray
    ok: bool


def histogram_check(mu_spectra, t: float, fractions, variances, bins: int = 30,
                    k: float = 4.0) -> HistogramCheck:
    r"""Compare histograms of normalised Jacobian eigenvalues with the theoretical density.

    Parameters
    ----------
    mu_spectra : array_like, shape (N, d) or (d,)
        :math:`\mu` values of N independent draws (spike included; values >= 1 - 1e-12 are the spike
        and are excluded).
    t : float
        OU time.
    fractions, variances : array_like
    bins : int
        Equal-width bins over the range of the tangent bulks in :math:`\mu`.
    k : float
        Number of standard errors allowed.

    Returns
    -------
    HistogramCheck

    Notes
    -----
    Expected count of bin i: :math:`E_i = N d\,[N_B(\lambda_{lo}) - N_B(\lambda_{hi})]` from
    :func:`theory.spectral.cumulative` (bins in :math:`\mu` map to intervals of
    :math:`\lambda = s(1-\mu)/\mu`).  Tolerance: :math:`k\sqrt{E_i}` (a Poisson error, conservative:
    eigenvalue counts of random matrices fluctuate less, their variance grows like log d) plus, for
    bins that contain an edge, an allowance of :math:`N(2 + d\,w)` eigenvalues with w the theoretical
    mass within :math:`d^{-2/3}` times the bulk width of the edge (Tracy-Widom scale; the finite-d edge
    moves by O(d^{-2/3}), which shifts O(1) eigenvalues across it).

    References
    ----------
    docs/theory/spectral-gaps.md sec. 3.3 (finite-size guidance: edge fluctuations O(d^{-2/3}))
    and sec. 4; Ventura et al. (2025), arXiv:2410.05898, Fig. 2.
    """
    mu = np.atleast_2d(check_array(mu_spectra, "mu_spectra"))
    t = check_scalar(t, "t", lower=0.0, lower_open=True)
    nb = int(check_scalar(bins, "bins", lower=1, integer=True))
    N, d = mu.shape
    s = ve_variance(t)
    blist = bulks(fractions, variances)
    lo_mu, hi_mu = s / (s + blist[-1].upper), s / (s + blist[0].lower)
    pad = 0.02 * (hi_mu - lo_mu)
    edges_mu = np.linspace(max(lo_mu - pad, 1e-12), min(hi_mu + pad, 1.0 - 1e-9), nb + 1)
    lam_edges = s * (1.0 - edges_mu) / edges_mu
    cdf = np.asarray(cumulative(lam_edges, fractions, variances))
    expected = N * d * (cdf[:-1] - cdf[1:])
    observed = np.histogram(mu[mu < 1.0 - 1e-12], bins=edges_mu)[0].astype(float)
    allowance = np.zeros(nb)
    for b in blist:
        width = (b.upper - b.lower) * d ** (-2.0 / 3.0)
        for edge, sign in ((b.lower, 1.0), (b.upper, -1.0)):
            mass = abs(float(cumulative(edge + sign * width, fractions, variances))
                       - float(cumulative(edge, fractions, variances)))
            m_edge = s / (s + edge)
            step = (hi_mu - lo_mu) / nb                           # the bin holding the edge and
            hit = (edges_mu[:-1] <= m_edge + step) & (edges_mu[1:] >= m_edge - step)   # neighbours
            allowance[hit] += N * (2.0 + d * mass)
    tol = k * np.sqrt(np.maximum(expected, 1.0)) + allowance
    return HistogramCheck(edges_mu, observed, expected, tol, bool(np.all(np.abs(observed - expected)
                                                                         <= tol)))


def empirical_jacobian_spectra(manifold: RandomLinearManifold, n: int, times, n_points: int = 8,
                               rng=None) -> np.ndarray:
    r"""Spectra of the empirical-score Jacobian of n points of the manifold, at points x ~ P_t^e.

    Parameters
    ----------
    manifold : RandomLinearManifold
    n : int
        Number of training points :math:`a^\mu = F z^\mu`.
    times : array_like, shape (T,)
        OU times.
    n_points : int
        Points x per time, :math:`x = e^{-t}a^\nu + \sqrt{\Delta_t}\xi` with :math:`\nu` uniform
        (a draw from the noised empirical distribution :math:`P_t^e`).
    rng : seed or Generator

    Returns
    -------
    ndarray, shape (T, n_points, d)
        Eigenvalues :math:`\mu` of :math:`-\Delta_t J(x)` in descending order (1 = a lost direction).
        Average over axis 1 for the mean sorted spectrum.

    Notes
    -----
    :math:`J(x) = -I/\Delta_t + e^{-2t}\operatorname{Cov}_w(a)/\Delta_t^2`
    (:func:`validation.jacobian.empirical_score_jacobian`), so
    :math:`\mu = 1 - e^{-2t}\,\mathrm{eig}\,\mathrm{Cov}_w(a)/\Delta_t \in [0, 1]`.  At large t and
    n the spectrum approaches the exact score's; at small t the weights condense, Cov_w -> 0 and
    every :math:`\mu \to 1`: the tangent directions are lost (memorization).

    References
    ----------
    docs/theory/spectral-gaps.md sec. 2.7 [D]; Achilli et al. (2024), "Losing dimensions",
    arXiv:2410.08727.
    """
    rng = np.random.default_rng(rng)
    n = int(check_scalar(n, "n", lower=1, integer=True))
    npts = int(check_scalar(n_points, "n_points", lower=1, integer=True))
    ts = np.atleast_1d(check_array(times, "times", lower=0.0, lower_open=True))
    data = manifold.sample(n, rng)
    out = np.empty((ts.size, npts, manifold.d))
    for i, t in enumerate(ts):
        x = forward_noising(data[rng.integers(n, size=npts)], t,
                            rng.standard_normal((npts, manifold.d)))
        jac = empirical_score_jacobian(x, float(t), data)
        out[i] = np.clip(-delta(t) * np.linalg.eigvalsh(jac), 0.0, None)   # eigvalsh ascending: mu descending
    return out
