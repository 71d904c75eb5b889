"""Exact moments of the class posterior of a Gaussian mixture under the noised population law.

For :math:`P_0 = \\sum_k w_k N(m_k, S)` the noised law is :math:`P_t = \\sum_k w_k N(e^{-t}m_k,
\\Sigma_t)`, :math:`\\Sigma_t = e^{-2t}S + \\Delta_t I` (one covariance shared by the classes), and the
class posterior is a softmax of logits that are affine in x:

.. math:: P(k\\mid x) = \\operatorname{softmax}_k\\big(\\log w_k + \\beta_k\\cdot v
          - \\tfrac12|\\beta_k|^2\\big),\\qquad
          v = \\Sigma_t^{-1/2}(x - e^{-t}\\bar m),\\quad \\beta_k = e^{-t}\\Sigma_t^{-1/2}(m_k - \\bar m).

In the whitened coordinate v the class k is :math:`N(\\beta_k, I_d)`.  The posterior depends on v
only through its projection on :math:`\\mathrm{span}\\{\\beta_k\\}` (dimension r = rank of the
centred means, at most K - 1); the orthogonal part is common to every logit and cancels.  Every
expectation :math:`E_{x_t\\sim P_t}[F(P(\\cdot\\mid x_t))]` is therefore an r-dimensional Gaussian
integral that depends on the means only through the Gram matrix

.. math:: G_{kl}(t) = \\beta_k\\cdot\\beta_l = e^{-2t}(m_k - \\bar m)^T\\Sigma_t^{-1}(m_l - \\bar m),

(with :math:`\\Sigma_t^{-1}` diagonal in the eigenbasis of S), and is computed as
:math:`\\sum_j w_j E_{z\\sim N(0, I_r)} F(P(\\cdot\\mid \\beta_j + z))` in coordinates
:math:`\\beta = V_r\\Lambda_r^{1/2}` from the eigendecomposition of G.  This reduction is exact at
any d; it does not assume isotropic classes.

Rules (all evaluated in float64):

- K = 2 (r = 1): with :math:`r_t = |\\beta_1 - \\beta_2|^2/4` and :math:`a = \\tfrac12\\log(w_1/w_2)`,
  the half-logit is :math:`\\pm a + y` with :math:`y \\sim N(r_t, r_t)` and the rule of
  :mod:`theory._gaussian_expectation` (Gauss-Hermite for small r, composite Gauss-Legendre in y)
  shifted by a; for the symmetric mixture it is term by term the rule of eq. 6;
- r = 1 or 2: while every pair of classes is within 1.5 noise units (:math:`|\\beta_k - \\beta_l| \\le 1.5`,
  the softmax is analytic in a wide strip) a tensor Gauss-Hermite rule of 64 nodes a side; otherwise a
  composite Gauss-Legendre tensor grid in z over :math:`[-9, 9]^r` (panels of width 1, 16 nodes
  each, so that the class boundaries, of width :math:`1/|\\beta_k - \\beta_l|`, are resolved;
  Gaussian mass outside below 1e-18).  Absolute error below 1e-11 (measured against mpmath and
  QUADPACK references, ``tests/_precompute_mixture.py``, and against the K = 2 rule);
- r >= 3: randomized quasi-Monte-Carlo (scrambled Sobol points mapped by the normal quantile,
  ``replicates`` independent scramblings of ``n_points`` points; the standard error is the spread of
  the replicate means).
"""

from __future__ import annotations

import functools

import numpy as np

from ._gaussian_expectation import binary_entropy_of_tanh, sech2
from .checks import check_scalar
from .estimate import Estimate
from .timemap import ve_variance

_GRID_HALF_WIDTH = 9.0
_PANEL_NODES = 16
_HERMITE_NODES = 80
_R_SWITCH = 0.3
_SMOOTH_NODES = 64      # Gauss-Hermite per axis when every pair of classes is within _SMOOTH_SEPARATION
_SMOOTH_SEPARATION = 1.5
_Y_HALF_WIDTH = 20.0
_Y_PANEL_NODES = 12     # the rule of theory._gaussian_expectation (eq. 6), shifted
_CHUNK_BYTES = 16_000_000
METHODS = ("auto", "quadrature", "qmc")


# ------------------------------------------------------------------------------- geometry

def centred_means(model) -> np.ndarray:
    """Means minus the mixture mean, shape (K, d)."""
    return model.means - model.mean


def mean_rank(model) -> int:
    """Rank r of the centred means (dimension of the span the posterior depends on)."""
    c = centred_means(model)
    if c.size == 0:
        return 0
    sv = np.linalg.svd(c, compute_uv=False)
    scale = max(float(sv[0]), float(np.sqrt(np.max(model.class_covariance_spectrum()))))
    return int(np.sum(sv > 1e-10 * scale))


def _whitening(model):
    """(class covariance eigenvalues s (d,) or scalar, means rotated to the eigenbasis of S)."""
    c = centred_means(model)
    kind = model.covariance_kind
    if kind == "isotropic":
        return float(model.covariance), c
    if kind == "diagonal":
        return np.asarray(model.covariance, dtype=np.float64), c
    # theory.models keeps the eigendecomposition of a full S (same package); recompute otherwise
    s, q = getattr(model, "_evals", None), getattr(model, "_evecs", None)
    if s is None or q is None:
        s, q = np.linalg.eigh(model.class_covariance_matrix())
    return np.asarray(s, dtype=np.float64), c @ q


def gram(t: np.ndarray, model) -> np.ndarray:
    """Whitened Gram matrices :math:`G(t)`, shape (T, K, K), for a 1-D array of times."""
    # e^{-2t} / (Delta_t + s e^{-2t}) = 1 / (s + s(t)), s(t) = e^{2t} - 1 the VE variance
    vt = np.asarray(ve_variance(t), dtype=np.float64).reshape(t.shape)
    s, c = _whitening(model)
    if np.ndim(s) == 0:
        return (1.0 / (vt + s))[:, None, None] * (c @ c.T)[None]
    scale = 1.0 / (vt[:, None] + s[None, :])       # (T, d)
    return np.einsum("ki,ti,li->tkl", c, scale, c, optimize=True)


def coordinates(g: np.ndarray, r: int) -> np.ndarray:
    """Points beta_k in R^r with Gram matrix g: (T, K, K) -> (T, K, r)."""
    lam, vec = np.linalg.eigh(g)
    lam, vec = lam[..., ::-1][..., :r], vec[..., ::-1][..., :r]
    return vec * np.sqrt(np.clip(lam, 0.0, None))[..., None, :]


# ------------------------------------------------------------------------------- rules

@functools.cache
def _panel_rule(half_width: float, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(nodes)
    edges = np.arange(-half_width, half_width, 1.0)
    z = (edges[:, None] + 0.5 + 0.5 * x[None, :]).ravel()
    return z, np.tile(0.5 * w, edges.size)


@functools.cache
def grid_rule(r: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (N, r) and weights (N,) of E_{z ~ N(0, I_r)} on the tensor Gauss-Legendre grid."""
    z1, w1 = _panel_rule(_GRID_HALF_WIDTH, _PANEL_NODES)
    w1 = w1 * np.exp(-0.5 * z1 * z1) / np.sqrt(2.0 * np.pi)
    if r == 1:
        return z1[:, None], w1
    zz = np.stack(np.meshgrid(z1, z1, indexing="ij"), axis=-1).reshape(-1, 2)
    ww = np.outer(w1, w1).ravel()
    keep = ww > 1e-18 * ww.max()
    return zz[keep], ww[keep]


@functools.cache
def hermite_rule(r: int) -> tuple[np.ndarray, np.ndarray]:
    """Tensor Gauss-Hermite rule for E_{z ~ N(0, I_r)}: nodes (N, r), weights (N,)."""
    x, w = np.polynomial.hermite_e.hermegauss(_SMOOTH_NODES)
    w = w / np.sqrt(2.0 * np.pi)
    if r == 1:
        return x[:, None], w
    zz = np.stack(np.meshgrid(x, x, indexing="ij"), axis=-1).reshape(-1, 2)
    return zz, np.outer(w, w).ravel()


def max_separation(g: np.ndarray) -> np.ndarray:
    """max_{k,l} |beta_k - beta_l| for each t, from the Gram matrices (T, K, K)."""
    dg = np.diagonal(g, axis1=1, axis2=2)
    return np.sqrt(np.clip(dg[:, :, None] + dg[:, None, :] - 2.0 * g, 0.0, None)).max(axis=(1, 2))


def sobol_normal(r: int, n_points: int, rng: np.random.Generator) -> np.ndarray:
    """One scrambled Sobol sequence of n_points points mapped to N(0, I_r), shape (n_points, r)."""
    from scipy.special import ndtri
    from scipy.stats import qmc

    m = int(np.log2(n_points))
    u = qmc.Sobol(d=r, scramble=True, seed=rng).random_base2(m)
    u = np.clip(u, 2.0**-60, 1.0 - 2.0**-53)
    return ndtri(u)


def _expect_shifted(f, r: np.ndarray, a: np.ndarray) -> np.ndarray:
    """:math:`E_{y\\sim N(r, r)} f(y + a)` for arrays r >= 0 and a (same shape), f localized at 0."""
    out = np.empty(r.shape)
    small = r < _R_SWITCH
    if np.any(small):
        z, w = np.polynomial.hermite_e.hermegauss(_HERMITE_NODES)
        rs, as_ = r[small][:, None], a[small][:, None]
        out[small] = f(rs + np.sqrt(rs) * z[None, :] + as_) @ (w / np.sqrt(2.0 * np.pi))
    if np.any(~small):
        u, wu = _panel_rule(_Y_HALF_WIDTH, _Y_PANEL_NODES)         # f's variable y + a
        rl, al = r[~small][:, None], a[~small][:, None]
        y = u[None, :] - al
        gauss = np.exp(-((y - rl) ** 2) / (2.0 * rl)) / np.sqrt(2.0 * np.pi * rl)
        out[~small] = (gauss * (f(u) * wu)[None, :]).sum(axis=1)
    return out


def _two_class(g: np.ndarray, w: np.ndarray, want: tuple[str, ...]) -> dict[str, np.ndarray]:
    """K = 2 closed reduction: phi = 1 - 1/2 E sech^2(L/2), H = E H_b, L/2 = +-a + y."""
    r = np.clip((g[:, 0, 0] + g[:, 1, 1] - 2.0 * g[:, 0, 1]) / 4.0, 0.0, None)
    a = np.full(r.shape, 0.5 * np.log(w[0] / w[1]))
    out = {}
    if "phi" in want:
        out["phi"] = 1.0 - 0.5 * (w[0] * _expect_shifted(sech2, r, a)
                                  + w[1] * _expect_shifted(sech2, r, -a))
    if "entropy" in want:
        out["entropy"] = (w[0] * _expect_shifted(binary_entropy_of_tanh, r, a)
                          + w[1] * _expect_shifted(binary_entropy_of_tanh, r, -a))
    return out


def _integrand(beta: np.ndarray, g: np.ndarray, logw: np.ndarray, z: np.ndarray,
               groups: np.ndarray, want: tuple[str, ...]) -> dict[str, np.ndarray]:
    """sum_j w_j F(P(.|beta_j + z)) per node: beta (T, K, r), g (T, K, K), z (N, r) -> (T, N).

    The class index k of the logits is kept as a Python loop (K is small) so that every array
    operation runs on contiguous (T, K, N) blocks.
    """
    K = logw.size
    # logit_k[t, j, n] = log w_k + G_kj - G_kk / 2 + beta_k . z_n
    base = logw[None, None, :] + g - 0.5 * np.diagonal(g, axis1=1, axis2=2)[:, None, :]   # (T, j, k)
    proj = np.einsum("nr,tkr->ktn", z, beta)                                               # (k, T, N)
    lg = [base[:, :, k, None] + proj[k][:, None, :] for k in range(K)]                     # (T, j, N)
    mx = functools.reduce(np.maximum, lg)
    ex = [np.exp(x - mx) for x in lg]
    zs = functools.reduce(np.add, ex)
    inv = 1.0 / zs
    wj = np.exp(logw)
    out = {}
    if "phi" in want:
        acc = np.zeros_like(zs)
        for grp in range(int(groups.max()) + 1):
            members = np.flatnonzero(groups == grp)
            pg = functools.reduce(np.add, [ex[k] for k in members]) * inv
            acc += pg * pg
        out["phi"] = np.einsum("j,tjn->tn", wj, acc)
    if "entropy" in want:
        h = np.log(zs) + mx - functools.reduce(np.add, [e * x for e, x in zip(ex, lg, strict=True)]) * inv
        out["entropy"] = np.einsum("j,tjn->tn", wj, h)
    return out


def _chunks(T: int, per_t: int):
    step = max(1, _CHUNK_BYTES // max(8 * per_t, 1))
    for i in range(0, T, step):
        yield slice(i, min(T, i + step))


def posterior_moments(t: np.ndarray, model, want: tuple[str, ...], groups: np.ndarray | None = None,
                      method: str = "auto", n_points: int = 4096, replicates: int = 16,
                      rng=0) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], int | None, int]:
    """E_{x_t ~ P_t} of sum_g P(g|x)^2 ("phi") and of H(P(.|x)) ("entropy", classes) on a 1-D t.

    Returns (values, stderrs, n, r): dicts of arrays shaped like t; stderr is zero and n is None for
    the quadrature rules; r is the rank of the centred means.
    """
    K = model.K
    w = np.asarray(model.weights, dtype=np.float64)
    logw = np.log(w)
    grp = np.arange(K) if groups is None else groups
    r = mean_rank(model)
    T = t.size
    zero = {k: np.zeros(T) for k in want}
    if r == 0 or K == 1:
        wg = np.bincount(grp, weights=w)
        vals = {}
        if "phi" in want:
            vals["phi"] = np.full(T, float((wg * wg).sum()))
        if "entropy" in want:
            vals["entropy"] = np.full(T, float(-(w * logw).sum()))
        return vals, zero, None, r
    if method == "quadrature" and r > 2:
        raise ValueError(f"method 'quadrature' needs the centred means to span r <= 2 dimensions "
                         f"(got r = {r}); use method='qmc' or 'auto'")
    use_qmc = method == "qmc" or (method == "auto" and r > 2)
    g = gram(t, model)
    if not use_qmc and K == 2:
        vals = _two_class(g, w, want)
        if "phi" in want and grp[0] == grp[1]:
            vals["phi"] = np.ones(T)
        return vals, zero, None, r
    beta = coordinates(g, r)
    if not use_qmc:
        vals = {k: np.empty(T) for k in want}
        smooth = max_separation(g) <= _SMOOTH_SEPARATION
        for mask, (z, wz) in ((smooth, hermite_rule(r)), (~smooth, grid_rule(r))):
            idx = np.flatnonzero(mask)
            for sl in _chunks(idx.size, K * K * z.shape[0]):
                part = _integrand(beta[idx[sl]], g[idx[sl]], logw, z, grp, want)
                for k in want:
                    vals[k][idx[sl]] = part[k] @ wz
        return vals, zero, None, r
    gen = np.random.default_rng(rng)
    reps = {k: np.empty((replicates, T)) for k in want}
    for i in range(replicates):
        z = sobol_normal(r, n_points, gen)
        for sl in _chunks(T, K * K * n_points):
            part = _integrand(beta[sl], g[sl], logw, z, grp, want)
            for k in want:
                reps[k][i, sl] = part[k].mean(axis=1)
    vals = {k: v.mean(axis=0) for k, v in reps.items()}
    errs = {k: v.std(axis=0, ddof=1) / np.sqrt(replicates) for k, v in reps.items()}
    return vals, errs, n_points * replicates, r


def check_qmc(n_points, replicates) -> tuple[int, int]:
    """Validate the quasi-Monte-Carlo sizes: n_points a power of 2 (>= 2), replicates >= 2."""
    n_points = int(check_scalar(n_points, "n_points", lower=2, integer=True))
    if n_points & (n_points - 1):
        raise ValueError(f"n_points must be a power of 2 (got {n_points})")
    return n_points, int(check_scalar(replicates, "replicates", lower=2, integer=True))


def check_method(method) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    return method


def as_result(value: np.ndarray, stderr: np.ndarray, n: int | None, shape: tuple, scalar: bool,
              return_error: bool):
    """Shape the output: float/ndarray, or an Estimate of them with ``return_error``."""
    v = value.reshape(shape)
    if scalar:
        v = float(v.reshape(()))
    if not return_error:
        return v
    e = stderr.reshape(shape)
    if scalar:
        e = float(e.reshape(()))
    return Estimate(v, e, n)
