r"""Monte Carlo of Jacobian spectra for linear-manifold data: sampled embeddings, exact and empirical
scores, histograms against the theoretical density, and eigenvector overlaps with latent subspaces.

The manifold is :class:`theory.models.LinearManifold` with the random embedding
(``LinearManifold.from_fractions(d, fractions, variances, rng=...)``: :math:`F \in \mathbb R^{d\times
m}` with i.i.d. :math:`N(0, 1/d)` entries, :math:`m_k = \mathrm{round}(f_k d)` columns of variance
:math:`v_k`); its exact score :math:`-(e^{-2t}B + \Delta_t I)^{-1}x` and Jacobian
(``score_jacobian``) come from the thin SVD of :math:`F\Sigma^{1/2}` computed once.  The empirical
score of n points drawn from it uses the package's one kernel (:mod:`validation.jacobian`,
:mod:`validation.score`).

References
----------
Ventura et al. (2025), "Manifolds, random matrices and spectral gaps", arXiv:2410.05898, secs. 6-7
(Fig. 2: theory vs exact score; Fig. 3: the sigma_1 <-> sigma_2 swap; Algorithms 1-2);
docs/theory/spectral-gaps.md secs. 1.3, 2.7, 3.3 and 4.

Examples
--------
The nonzero eigenvalues of :math:`B = F\Sigma F^T` lie in the Marchenko-Pastur bulk:

>>> import numpy as np
>>> from theory.spectral import bulk_edges
>>> from validation.spectral import sample_b_eigenvalues
>>> ev = sample_b_eigenvalues(200, [0.1], [1.0], rng=0)
>>> ev.shape, int((ev > 1e-9).sum())
((1, 200), 20)
>>> lo, hi = bulk_edges([0.1], [1.0])
>>> bool(ev.max() < 1.1 * hi)
True
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from theory.checks import check_array, check_scalar
from theory.estimate import Estimate
from theory.models import LinearManifold
from theory.speciation import covariance_spectrum
from theory.spectral import as_groups, bulks, cumulative, estimate_dimensions, predict_jacobian_spectrum
from theory.timemap import delta, forward_noising, ve_variance

from .jacobian import empirical_score_jacobian

__all__ = ["sample_b_eigenvalues", "HistogramCheck", "histogram_check",
           "subspace_overlaps", "empirical_jacobian_spectra", "separated_cluster_overlaps",
           "spectrum_histogram_check", "counting_deviation", "sample_covariance_eigenvalues",
           "DatasetJacobianComparison",
           "compare_dataset_jacobian"]


def sample_b_eigenvalues(d: int, fractions, variances, n_draws: int = 1, rng=None) -> np.ndarray:
    r"""Eigenvalues of :math:`B = F\Sigma F^T` for independent draws of F (no eigenvectors).

    Parameters
    ----------
    d : int
        Dimension.
    fractions : array_like, shape (K,)
        Fraction :math:`f_k = d_k/d` of the latent dimensions of each group.
    variances : array_like, shape (K,)
        Latent variance of each group, ``> 0``.
    n_draws : int, default 1
        Number of independent draws of F.
    rng : int, None or numpy.random.Generator
        Random source.

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

    Parameters
    ----------
    vectors : array_like, shape (d, m)
        Unit vectors as columns.
    bases : list of ndarray
        Orthonormal basis (d, d_k) of each subspace.

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


def separated_cluster_overlaps(manifold: LinearManifold, t: float, threshold: float = 0.1,
                               jacobian=None) -> tuple[np.ndarray, int]:
    r"""Mean overlap, with each latent subspace, of the eigenvectors below the top gap of the spectrum.

    Parameters
    ----------
    manifold : theory.models.LinearManifold
        Gaussian (``on_sphere=False``); any embedding.
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
    jac = manifold.score_jacobian(t) if jacobian is None else check_array(jacobian, "jacobian", ndim=2)
    w, vec = np.linalg.eigh(0.5 * (jac + jac.T))
    mu = -w * delta(t)                                            # -Delta_t eig J, ascending
    est = estimate_dimensions(mu, threshold)
    if est.manifold_dimension == 0:
        return np.full(manifold.dims.size, np.nan), 0
    below = vec[:, w.size - est.manifold_dimension:]              # the smallest mu: largest w
    return subspace_overlaps(below, manifold.block_bases()).mean(axis=0), est.manifold_dimension


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


def empirical_jacobian_spectra(manifold: LinearManifold, n: int, times, n_points: int = 8,
                               rng=None) -> np.ndarray:
    r"""Spectra of the empirical-score Jacobian of n points of the manifold, at points x ~ P_t^e.

    Parameters
    ----------
    manifold : theory.models.LinearManifold
        Any model with ``d`` and ``sample(n, rng)``.
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


# --- continuous laws and real spectra ----------------------------------------------------------------

def spectrum_histogram_check(samples, cumulative, bulks, bins: int = 40, k: float = 4.0,
                             log: bool = False) -> HistogramCheck:
    r"""Compare histograms of sampled eigenvalues with a theoretical distribution function.

    Parameters
    ----------
    samples : array_like, shape (N, p)
        Eigenvalues of N independent draws of a p x p matrix (exact zeros are dropped).
    cumulative : callable
        ``cumulative(x)``: theoretical fraction of the p eigenvalues at or below x (vectorised), e.g.
        ``lambda x: theory.spectral.cumulative(x, f, v)`` (then p = d) or
        :func:`theory.spectral.sample_covariance_cumulative`.
    bulks : sequence of theory.spectral.Bulk
        The theoretical support (edges and masses per p) for the range and the edge allowances.
    bins : int
        Bins over [lowest edge, top edge] padded by 2% (equal width, or equal in log x with
        ``log=True``).
    k : float
        Standard errors allowed.
    log : bool
        Logarithmic bins (spectra spread over decades).

    Returns
    -------
    HistogramCheck
        ``bins`` are the bin edges in x.

    Notes
    -----
    Expected count :math:`E_i = Np\,[N(x_{i+1}) - N(x_i)]`; tolerance :math:`k\sqrt{E_i}` (Poisson,
    conservative for random-matrix eigenvalues, whose counts fluctuate less) plus, in the bins within
    one bin of an edge, :math:`N(2 + p\,w)` eigenvalues, w the theoretical mass within
    :math:`p^{-2/3}` times the bulk width of the edge (the Tracy-Widom scale of the finite-p edge).
    The same allowance as :func:`histogram_check`, in x instead of :math:`\mu`, with one evaluation
    of ``cumulative`` for all bins and edges.

    References
    ----------
    ``docs/theory/spectral-gaps.md`` secs. 3.3-4 (finite-size guidance); C. A. Tracy, H. Widom,
    Commun. Math. Phys. 177 (1996) 727 (edge scale :math:`p^{-2/3}`).
    """
    lam = np.atleast_2d(check_array(samples, "samples"))
    nb = int(check_scalar(bins, "bins", lower=1, integer=True))
    N, p = lam.shape
    lo = min(b.lower for b in bulks)
    hi = max(b.upper for b in bulks)
    if log:
        if not lo > 0:
            raise ValueError(f"log bins need a positive lowest edge (got {lo:g})")
        edges_x = np.geomspace(lo / 1.02, hi * 1.02, nb + 1)
    else:
        pad = 0.02 * (hi - lo)
        edges_x = np.linspace(max(lo - pad, 0.0), hi + pad, nb + 1)
    width = np.array([(b.upper - b.lower) * p ** (-2.0 / 3.0) for b in bulks])
    probes = np.concatenate([[b.lower, b.lower + w, b.upper - w, b.upper]
                             for b, w in zip(bulks, width, strict=True)])
    cdf = np.asarray(cumulative(np.r_[edges_x, probes]), dtype=float)
    expected = N * p * np.diff(cdf[:nb + 1])
    tail = cdf[nb + 1:].reshape(-1, 4)
    vals = lam[lam > 0]
    observed = np.histogram(vals, bins=edges_x)[0].astype(float)
    allowance = np.zeros(nb)
    centre = np.log(edges_x) if log else edges_x
    step = np.diff(centre)
    for b, (c_lo, c_lo_in, c_hi_in, c_hi) in zip(bulks, tail, strict=True):
        for edge, mass in ((b.lower, c_lo_in - c_lo), (b.upper, c_hi - c_hi_in)):
            e = np.log(edge) if log else edge
            hit = (centre[:-1] <= e + step) & (centre[1:] >= e - step)
            allowance[hit] += N * (2.0 + p * abs(mass))
    tol = k * np.sqrt(np.maximum(expected, 1.0)) + allowance
    return HistogramCheck(edges_x, observed, expected, tol,
                          bool(np.all(np.abs(observed - expected) <= tol)))


def counting_deviation(eigenvalues, cumulative) -> float:
    r"""Largest deviation of the eigenvalue counting function from theory, in eigenvalues.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        One draw's eigenvalues (all of them, zeros included).
    cumulative : callable
        Theoretical fraction of the p eigenvalues at or below x (vectorised).

    Returns
    -------
    float
        :math:`\max_i |p\,N(\lambda_{(i)}) - (i - 1/2)|` over the sorted eigenvalues
        :math:`\lambda_{(i)}`: the count at each jump of the empirical counting function, taken at the
        middle of the jump.  Zeros are skipped (the atom).

    Notes
    -----
    Eigenvalues of random matrices are rigid: the counting function fluctuates by
    :math:`O(\sqrt{\log p})` eigenvalues (about 1 at p = 4000), far less than the Poisson
    :math:`\sqrt{pN}` of independent points, so this statistic resolves a 5% change of the law
    where a histogram with Poisson errors does not.

    References
    ----------
    L. Erdos, H.-T. Yau, J. Yin, Adv. Math. 229 (2012) 1435 (rigidity of eigenvalues);
    ``docs/theory/spectral-gaps.md`` sec. 3.3.
    """
    lam = np.sort(check_array(eigenvalues, "eigenvalues", ndim=1))
    p = lam.size
    k = np.arange(1, p + 1) - 0.5
    keep = lam > 0
    theory = p * np.asarray(cumulative(lam[keep]), dtype=float)
    return float(np.max(np.abs(theory - k[keep])))


def sample_covariance_eigenvalues(eigenvalues, n: int, n_draws: int = 1, rng=None) -> np.ndarray:
    r"""Eigenvalues of the sample covariance of n Gaussian points with a population spectrum.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        Population eigenvalues >= 0 (the covariance is taken diagonal: the spectrum of a sample
        covariance of Gaussian data does not depend on the population eigenvectors); values below
        :math:`p\,\epsilon\max` are round-off of exact zeros and stay 0, as in
        :func:`theory.spectral.sample_covariance_bulks`.
    n : int
        Number of independent points (no centring: :math:`\hat C = \frac1n\sum_i x_ix_i^T`).
    n_draws : int
    rng : int, None or numpy.random.Generator

    Returns
    -------
    ndarray, shape (n_draws, p)
        Ascending; zeros for the zero population eigenvalues and, when p > n, the p - n others.

    References
    ----------
    Silverstein, Bai (1995); ``docs/theory/spectral-gaps.md`` sec. 3.3.
    """
    lam = np.sort(check_array(eigenvalues, "eigenvalues", lower=0.0, ndim=1))
    lam[lam <= lam.size * np.finfo(float).eps * lam.max()] = 0.0
    nn = int(check_scalar(n, "n", lower=1, integer=True))
    nd = int(check_scalar(n_draws, "n_draws", lower=1, integer=True))
    rng = np.random.default_rng(rng)
    root = np.sqrt(lam[lam > 0])
    out = np.zeros((nd, lam.size))
    for i in range(nd):
        z = rng.standard_normal((nn, root.size)) * root
        sv = np.linalg.svd(z, compute_uv=False) ** 2 / nn
        out[i, lam.size - sv.size:] = np.sort(sv)
    return out


class DatasetJacobianComparison(NamedTuple):
    r"""Gaussian-model prediction against the exact empirical score's Jacobian, at OU times t.

    ``predicted_mu`` (T, d) and ``measured_mu`` (T, P, d): eigenvalues of :math:`-\Delta_t J`,
    descending (measured ones can be negative: J > 0 where the weights split between distant
    training points); ``predicted_count`` (T,) and ``measured_count`` (T,) of
    :class:`~theory.estimate.Estimate` (mean over the P points and its standard error): directions
    with :math:`|\mu| <` ``threshold`` (:math:`|J| < \theta/\Delta_t`, as
    :func:`validation.memorization.dimension_count`); ``predicted_gap_dimension`` /
    ``measured_gap_dimension``: the
    manifold dimension of :func:`theory.spectral.estimate_dimensions` at ``gap_threshold`` (the
    measured one as an Estimate over points, read off :math:`\max(\mu, 0)` as
    :func:`empirical_jacobian_spectra` does, so that negative :math:`\mu` do not rescale it);
    ``spectrum_distance`` (T,): mean over the d sorted
    positions of :math:`|\bar\mu_{meas} - \mu_{pred}|`; ``collapse_time``: :math:`t_C` of n Gaussian
    points with the data's spectrum.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (bulks and gaps of the Jacobian spectrum);
    ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """

    t: np.ndarray
    collapse_time: float
    n: int
    d: int
    threshold: float
    gap_threshold: float
    eigenvalues: np.ndarray
    predicted_mu: np.ndarray
    measured_mu: np.ndarray
    predicted_count: np.ndarray
    measured_count: tuple
    predicted_gap_dimension: np.ndarray
    measured_gap_dimension: tuple
    spectrum_distance: np.ndarray

    def rows(self) -> list[dict]:
        """One dict per time (JSON-ready)."""
        out = []
        for i, t in enumerate(self.t):
            mc, mg = self.measured_count[i], self.measured_gap_dimension[i]
            out.append({"t": float(t), "t_over_tC": float(t / self.collapse_time),
                        "side": "below t_C" if t < self.collapse_time else "above t_C",
                        "predicted_count": int(self.predicted_count[i]),
                        "measured_count": float(mc.value), "measured_count_se": float(mc.stderr),
                        "predicted_gap_dimension": int(self.predicted_gap_dimension[i]),
                        "measured_gap_dimension": float(mg.value),
                        "measured_gap_dimension_se": float(mg.stderr),
                        "spectrum_distance": float(self.spectrum_distance[i])})
        return out

    def table(self) -> str:
        """The comparison as a plain-text table."""
        head = (f"t_C = {self.collapse_time:.4f} (n = {self.n}, d = {self.d}); count: mu < "
                f"{self.threshold:g}; gap dimension: estimate_dimensions(threshold = "
                f"{self.gap_threshold:g})\n"
                f"{'t':>8} {'t/t_C':>6} {'count pred':>10} {'count meas':>15} {'gapdim pred':>11} "
                f"{'gapdim meas':>15} {'<|dmu|>':>8}")
        lines = [head]
        for r in self.rows():
            lines.append(f"{r['t']:8.4f} {r['t_over_tC']:6.3f} {r['predicted_count']:10d} "
                         f"{r['measured_count']:8.2f} +-{r['measured_count_se']:4.2f} "
                         f"{r['predicted_gap_dimension']:11d} {r['measured_gap_dimension']:8.2f} "
                         f"+-{r['measured_gap_dimension_se']:4.2f} {r['spectrum_distance']:8.4f}")
        return "\n".join(lines)


def _stderr(v: np.ndarray) -> float:
    return float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


def compare_dataset_jacobian(data, times, n_points: int = 4, threshold: float = 0.5,
                             gap_threshold: float = 0.1, rng=None,
                             chunk: int | None = None) -> DatasetJacobianComparison:
    r"""Jacobian spectra of the exact empirical score of a dataset against its Gaussian model.

    Parameters
    ----------
    data : array_like (n, d), validation.Dataset or validation.ImageData
        The training points (e.g. ``load_dataset("mnist5k")``).
    times : array_like, shape (T,)
        OU times > 0, below and above the collapse time.
    n_points : int
        Points :math:`x = e^{-t}a^\nu + \sqrt{\Delta_t}\xi` per time (:math:`\nu` uniform: draws of
        the noised empirical distribution).
    threshold : float
        Count threshold in (0, 1): a direction counts as tangent when :math:`\mu < \theta` (0.5:
        the convention of :func:`validation.memorization.dimension_count`).
    gap_threshold : float
        Threshold of :func:`theory.spectral.estimate_dimensions`.
    rng : int, None or numpy.random.Generator
    chunk : int, optional
        Passed to :func:`validation.jacobian.empirical_score_jacobian`.

    Returns
    -------
    DatasetJacobianComparison

    Notes
    -----
    What is tested.  The prediction is the population Gaussian model with the data's own
    covariance C: :math:`\mu_i = s/(s + \lambda_i)` (:func:`theory.spectral.
    predict_jacobian_spectrum`).  No random matrix enters: the empirical score's Jacobian is
    :math:`-\Delta_t J = I - e^{-2t}\mathrm{Cov}_w(a)/\Delta_t` with :math:`\mathrm{Cov}_w` the
    posterior covariance of the training points, which tends to C (biased, 1/n) at large t: the
    comparison measures (i) how far the data's local posterior covariance is from the Gaussian one
    at intermediate t (non-Gaussian data: clusters, curved manifolds) and (ii) the collapse below
    :math:`t_C`, where the weights condense on one training point, :math:`\mathrm{Cov}_w \to 0`,
    and every :math:`\mu \to 1` (no tangent direction left).  The random-matrix statement (the
    spectrum of C itself, estimated from n points) is tested by
    :func:`theory.spectral.sample_covariance_bulks` against :func:`sample_covariance_eigenvalues`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 8 (image Jacobian spectra); Achilli et al. (2024),
    arXiv:2410.08727 (dimensions lost by the empirical score); Biroli et al. (2024),
    arXiv:2402.18491, eq. 5 (t_C); ``docs/theory/spectral-gaps.md`` sec. 2.7.
    """
    points = data.dataset.points if hasattr(data, "dataset") else getattr(data, "points", data)
    x0 = check_array(points, "data", ndim=2)
    n, d = x0.shape
    ts = np.atleast_1d(check_array(times, "times", lower=0.0, lower_open=True)).reshape(-1)
    npts = int(check_scalar(n_points, "n_points", lower=1, integer=True))
    rng = np.random.default_rng(rng)
    lam = covariance_spectrum(x0)
    pred = predict_jacobian_spectrum(lam, ts, n=n, d=d, threshold=threshold,
                                     gap_threshold=gap_threshold)
    measured = np.empty((ts.size, npts, d))
    counts, gdims = [], []
    for i, t in enumerate(ts):
        dlt = float(delta(t))
        x = forward_noising(x0[rng.integers(n, size=npts)], float(t), rng.standard_normal((npts, d)))
        jac = empirical_score_jacobian(x, float(t), x0, chunk=chunk)
        measured[i] = (-dlt * np.linalg.eigvalsh(jac))            # ascending eig J: descending mu
        c = np.sum(np.abs(measured[i]) < pred.threshold, axis=1).astype(float)
        g = np.array([estimate_dimensions(np.clip(m, 0.0, None), pred.gap_threshold).manifold_dimension
                      for m in measured[i]], dtype=float)
        counts.append(Estimate(float(c.mean()), _stderr(c), npts))
        gdims.append(Estimate(float(g.mean()), _stderr(g), npts))
    dist = np.mean(np.abs(measured.mean(axis=1) - pred.mu), axis=1)
    return DatasetJacobianComparison(ts, pred.collapse_time, n, d, pred.threshold, pred.gap_threshold,
                                     lam, pred.mu, measured, pred.count, tuple(counts),
                                     pred.gap_dimension, tuple(gdims), dist)
