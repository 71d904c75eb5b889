r"""Exact finite-n, finite-d statistics of the posterior over training points (no training set sampled).

Setting (``docs/theory/finite-size.md``).  Training points :math:`a_1..a_n` i.i.d. from a Gaussian or a
Gaussian-mixture law, query :math:`x` at OU time t, energies :math:`E_i = |x - e^{-t}a_i|^2/(2\Delta_t)`,
weights :math:`w_i = e^{-E_i}/Z`.  Given x the energies of the training points that did not generate x
are i.i.d.; under the generated law :math:`P_t^e` one more energy is *planted*: that of the point that
generated x, whose conditional law given x is the energy of a draw from the population posterior
:math:`P(a \mid x_t = x)` (not the unconditional :math:`|z|^2/2`).  All laws are mixtures of
generalized non-central chi-squares,

.. math:: E = \sum_g \Big[\alpha_g\,\chi^2_{m_g}(\cdot) \Big],\qquad
          K_E(s) = \log E e^{sE} = \sum_g \Big[-\frac{m_g}{2}\log(1 - 2s\alpha_g)
          + \frac{s\,b_g}{1 - 2s\alpha_g}\Big],

(g a group of :math:`m_g` eigen-coordinates sharing one variance).  With :math:`u = e^v` and T, G_2
independent Exp(1) and Gamma(2) variables,

- :math:`1 - E[\exp(-u e^{-E})] = P(E + \log T \le v)`  (CDF of :math:`Y = E + \log T`),
- :math:`u^2 E[e^{-2E}\exp(-u e^{-E})]` = density of :math:`E + \log G_2` at v,
- :math:`u\,E[f\,e^{-E}\exp(-u e^{-E})] = E[f\,g_1(v - E)]`, :math:`g_1` the density of :math:`\log T`,

whose Laplace transforms are :math:`e^{K_E(s)}\Gamma(1+s)` times :math:`1/s`, :math:`(1+s)` or the tilted
mean of f.  Each is inverted on the steepest-descent contour through the saddle point of
:math:`K_E(s) + \log\Gamma(1+s) - sv` (a trapezoid rule after the substitution
:math:`\omega = a\sinh\tau`), exactly up to quadrature error, in logs (tails down to :math:`10^{-300}`
and below).  The identities

.. math:: E\log Z = \int_0^\infty \frac{e^{-u} - E e^{-uZ}}{u}du,\quad
          \frac{1}{Z} = \int_0^\infty e^{-uZ}du,\quad \frac{1}{Z^2} = \int_0^\infty u\,e^{-uZ}du

then give :math:`E[H(w)\mid x]`, :math:`E[\sum_i w_i^2 \mid x]` and the per-block posterior variance as
one-dimensional integrals over v (trapezoid, exponentially accurate).  The average over x is a Monte Carlo
average over draws of :math:`x \sim P_t` (its error is reported).

Examples
--------
>>> import numpy as np
>>> from theory import _finite_size as fs
>>> law = fs.make_law(np.zeros((1, 20)), [1.0], np.linspace(0.5, 2.0, 20))
>>> labels, g = fs.sample_eigen_draws(law, 3, 0)
>>> res = fs.conditional_statistics(law, 0.5, np.log(100), "generated", labels, g)
>>> bool(np.allclose(res["sum_rule"], 1.0, atol=1e-9))      # E[sum_i w_i | x] = 1
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._manifold_thresholds import effective_variances
from .models import Gaussian, GaussianMixture, LinearManifold
from .timemap import delta, noised_variance, ou_time_from_ve_variance

EULER_GAMMA = 0.57721566490153286061
STARTS = ("generated", "population")
_EPS = 1e-18            # neglected tail mass at the ends of the v-grid
_H_V = 0.3              # v step (integrands are analytic in |Im v| < pi/2)


# ---------------------------------------------------------------------------------------------------
# the data law in the eigenbasis of its class covariance


@dataclass
class EnergyLaw:
    """A Gaussian mixture :math:`\\sum_k w_k N(m_k, \\mathrm{diag}(p))` in an orthonormal eigenbasis.

    ``basis`` (d, d) maps eigen-coordinates to ambient ones (None: the standard basis);
    ``groups`` labels every coordinate with a group of equal variance (and equal block, if blocks are
    given); ``block_of_group`` the block of each group (-1: none).
    """

    means: np.ndarray          # (K, d), eigen-coordinates
    weights: np.ndarray        # (K,)
    p: np.ndarray              # (d,) class-covariance eigenvalues (>= 0)
    basis: np.ndarray | None
    groups: np.ndarray         # (d,) int group index
    group_p: np.ndarray        # (G,)
    group_mult: np.ndarray     # (G,) coordinates per group
    block_of_group: np.ndarray  # (G,)
    n_blocks: int
    block_dims: np.ndarray     # (n_blocks,)
    approximate: str = ""      # why the law only approximates the model ("" if exact)

    @property
    def d(self) -> int:
        return self.p.size

    @property
    def K(self) -> int:
        return self.weights.size


def make_law(means, weights, p, basis=None, blocks=None, approximate: str = "") -> EnergyLaw:
    """Group the eigen-coordinates by variance (and block) and build an :class:`EnergyLaw`."""
    means = np.atleast_2d(np.asarray(means, dtype=float))
    p = np.asarray(p, dtype=float)
    d = p.size
    blk = np.full(d, -1) if blocks is None else np.asarray(blocks, dtype=int)
    keys = np.stack([blk.astype(float), p], axis=1)
    uniq, groups = np.unique(keys, axis=0, return_inverse=True)
    groups = groups.reshape(-1)
    n_blocks = int(blk.max()) + 1 if blocks is not None else 0
    block_dims = np.bincount(blk[blk >= 0], minlength=n_blocks) if n_blocks else np.zeros(0, int)
    return EnergyLaw(means, np.asarray(weights, dtype=float), p, basis, groups, uniq[:, 1],
                     np.bincount(groups).astype(float), uniq[:, 0].astype(int), n_blocks, block_dims,
                     approximate)


def sample_eigen_draws(law: EnergyLaw, n_x: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Class labels and standard normal vectors that define the x sample at every t (common numbers)."""
    rng = np.random.default_rng(rng)
    labels = rng.choice(law.K, size=n_x, p=law.weights) if law.K > 1 else np.zeros(n_x, int)
    g = rng.standard_normal((n_x, law.d))
    return labels, g


# ---------------------------------------------------------------------------------------------------
# cumulant generating functions of generalized chi-squares


def _k_real(theta, mult, alpha, b, r0):
    """K_Y(theta), K_Y'(theta), K_Y''(theta) for real theta (rows, V); b (rows, G).

    K_Y = K_E + log Gamma(r0 + theta) (r0 = 1)."""
    from scipy.special import gammaln, polygamma

    q = 1.0 - 2.0 * theta[..., None] * alpha          # (rows, V, G)
    rq = 1.0 / q
    bb = b[:, None, :]
    k = np.sum(-0.5 * mult * np.log(q) + theta[..., None] * bb * rq, axis=-1)
    k1 = np.sum(mult * alpha * rq + bb * rq**2, axis=-1)
    k2 = np.sum(2.0 * mult * alpha**2 * rq**2 + 4.0 * alpha * bb * rq**3, axis=-1)
    x = r0 + theta
    return (k + gammaln(x), k1 + polygamma(0, x), k2 + polygamma(1, x))


def _s_max(alpha):
    amax = float(np.max(alpha)) if alpha.size else 0.0
    return 1.0 / (2.0 * amax) if amax > 0 else 1e3


def chernoff_point(ell, mult, alpha, b, side: int, iters: int = 80):
    """v where the Chernoff exponent K_Y(theta) - theta K_Y'(theta) equals ``ell`` (< 0).

    ``side`` -1: theta in (-1, 0) (lower tail), +1: theta in (0, s_max) (upper tail).  The Chernoff
    bound makes the true tail probability beyond the returned v at most e^ell."""
    smax = _s_max(alpha)
    rows = b.shape[0]
    lo = np.full((rows, 1), -1.0 if side < 0 else 0.0)
    hi = np.full((rows, 1), 0.0 if side < 0 else smax)
    ell = np.asarray(ell, dtype=float).reshape(rows, 1)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            k, k1, _ = _k_real(mid, mult, alpha, b, 1.0)
            h = k - mid * k1
        # h decreases away from 0: on the lower side it increases with theta
        if side < 0:
            go_up = h < ell
            lo = np.where(go_up, mid, lo)
            hi = np.where(go_up, hi, mid)
        else:
            go_up = h > ell
            lo = np.where(go_up, mid, lo)
            hi = np.where(go_up, hi, mid)
    th = 0.5 * (lo + hi)
    _, k1, _ = _k_real(th, mult, alpha, b, 1.0)
    return k1[:, 0]


# ---------------------------------------------------------------------------------------------------
# contour inversion


@dataclass
class Inversion:
    """Per (row, v): log prefactor P, the CDF side used, and the real integrals (quantity / e^P)."""

    pref: np.ndarray       # (rows, V)
    lower: np.ndarray      # (rows, V)  bool: ``cdf`` is P(Y <= v) / e^P (else P(Y > v) / e^P)
    cdf: np.ndarray        # (rows, V)  (> 0)
    dens2: np.ndarray      # (rows, V)  density of E + log G2 at v / e^P
    eweight: np.ndarray    # (rows, V)  E[(E - shift) g1(v - E)] / e^P
    extra: dict            # name -> (rows, V, ...) E[f g1(v - E)] / e^P for further multipliers


def _k_at(s, mult, alpha, b):
    """K_E(s), K_E'(s) and rq = 1/(1 - 2 s alpha) at real or complex s (..., ) for one row (b (G,))."""
    q = 1.0 - 2.0 * s[..., None] * alpha
    rq = 1.0 / q
    ke = np.sum(-0.5 * mult * np.log(q) + s[..., None] * b * rq, axis=-1)
    k1 = np.sum(mult * alpha * rq + b * rq**2, axis=-1)
    return ke, k1, rq


_SERIES_TERMS = 40


def _series(v, mult, alpha, b, shift, extra_fn):
    r"""Lower tail by the series in :math:`u = e^{v - E}` (exact, truncated with a rigorous bound).

    :math:`P(Y \le v) = E[1 - e^{-u}] = \sum_{k\ge1} (-1)^{k+1} e^{kv} M_E(-k)/k!`; the Taylor
    remainder after m terms is at most the (m+1)-th term (all derivatives of :math:`1 - e^{-u}` are
    bounded by 1 on u >= 0), so the sum is truncated at the first term below 1e-14 of the partial sum.
    Likewise the density of :math:`E + \log G_2`, :math:`E[u^2e^{-u}] = \sum_{j\ge0}(-1)^j
    e^{(j+2)v}M_E(-j-2)/j!`, and :math:`E[f g_1(v - E)] = E[f u e^{-u}] = \sum_{j\ge0}(-1)^j
    e^{(j+1)v}E[f e^{-(j+1)E}]/j!`.  Values relative to :math:`e^{v + K_E(-1)}`; ``ok`` flags the
    points where the truncation happened within the computed terms and without cancellation."""
    from scipy.special import gammaln

    k = np.arange(1, _SERIES_TERMS + 2, dtype=float)
    ke, k1, rq = _k_at(-k, mult, alpha, b)
    base = v + ke[0]
    rel = (k[None, :] - 1.0) * v[:, None] + (ke - ke[0])[None, :]
    sign = np.where((k % 2) == 1, 1.0, -1.0)
    j = k - 2.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        t_cdf = sign * np.exp(rel - gammaln(k + 1.0))
        t_d2 = np.where(j >= 0, -sign * np.exp(rel - gammaln(np.maximum(j, 0.0) + 1.0)), 0.0)
        w1 = sign * np.exp(rel - gammaln(k))
        cs = np.cumsum(t_cdf, axis=1)
        small = np.abs(t_cdf[:, 1:]) < 1e-14 * np.abs(cs[:, :-1])     # term m+1 negligible
        found = small.any(axis=1)
        m = np.where(found, np.argmax(small, axis=1) + 1, k.size)       # number of terms kept
        keep = np.arange(k.size)[None, :] < m[:, None]
        # the density and the weighted sums need one more power of u: keep one extra term
        keep1 = np.arange(k.size)[None, :] < np.minimum(m + 1, k.size)[:, None]
        t_cdf = np.where(keep, t_cdf, 0.0)
        t_d2 = np.where(keep1, t_d2, 0.0)
        w1 = np.where(keep1, w1, 0.0)
        cdf = t_cdf.sum(-1)
        d2 = t_d2.sum(-1)
        ew = w1 @ (k1 - shift)
        big = np.max(np.abs(t_cdf), -1)
        ok = found & (m + 1 < k.size) & (big < 1e3 * np.abs(cdf)) & (cdf > 0)
        ok &= np.all(np.isfinite(w1), -1) & np.isfinite(ew) & np.isfinite(d2)
        ext = {}
        if extra_fn is not None:
            for name, val in extra_fn((-k).astype(complex), rq.astype(complex)).items():
                ext[name] = np.real(np.tensordot(w1, val, axes=(1, 0)))
                ok &= np.all(np.isfinite(ext[name].reshape(v.size, -1)), -1)
    return base, cdf, d2, ew, ext, ok


def _saddles(v, mult, alpha, b, smax, iters: int = 100):
    """Saddle points theta(v) of K_E(s) + log Gamma(1 + s) - s v for a vector v (one row), and
    Lambda(v) = K_Y(theta) - theta v (the saddle-point exponent)."""
    from scipy.special import gammaln, polygamma

    lo = np.full(v.shape, -1.0)
    hi = np.full(v.shape, smax)
    # Gaussian first guess
    m1 = float(np.sum(mult * alpha + b)) - EULER_GAMMA
    m2 = float(np.sum(2.0 * mult * alpha**2 + 4.0 * alpha * b)) + np.pi**2 / 6.0
    th = np.clip((v - m1) / m2, -0.5, 0.5 * min(smax, 1e3))
    act = np.arange(v.size)
    for _ in range(iters):
        t_ = th[act]
        q = 1.0 - 2.0 * t_[:, None] * alpha
        k1 = np.sum(mult * alpha / q + b / q**2, axis=1) + polygamma(0, 1.0 + t_)
        k2 = np.sum(2.0 * mult * alpha**2 / q**2 + 4.0 * alpha * b / q**3, axis=1) + polygamma(1, 1.0 + t_)
        f = k1 - v[act]
        lo[act] = np.where(f < 0, t_, lo[act])
        hi[act] = np.where(f >= 0, t_, hi[act])
        new = t_ - f / k2
        out = ~((new > lo[act]) & (new < hi[act]))
        new = np.where(out, 0.5 * (lo[act] + hi[act]), new)
        conv = np.abs(new - t_) <= 1e-12 * (1.0 + np.abs(t_))
        th[act] = new
        act = act[~conv]
        if act.size == 0:
            break
    q = 1.0 - 2.0 * th[:, None] * alpha
    k = np.sum(-0.5 * mult * np.log(q) + th[:, None] * b / q, axis=1) + gammaln(1.0 + th)
    return th, k - th * v


def _k2_at(theta, mult, alpha, b):
    from scipy.special import polygamma

    q = 1.0 - 2.0 * theta * alpha
    return float(np.sum(2.0 * mult * alpha**2 / q**2 + 4.0 * alpha * b / q**3)) + float(
        polygamma(1, 1.0 + theta))


def _omega_cut(theta, mult, alpha, log_tol: float = 45.0):
    """Frequency beyond which the integrand is below e^-45 of its value at the saddle.

    Bound: the non-central chi-square factor has modulus at most the central one,
    prod_g |1 - 2 s alpha_g|^{-m_g/2} / (1 - 2 theta alpha_g)^{-m_g/2}, and
    |Gamma(1+theta+i w)/Gamma(1+theta)| <= exp(-(pi/2)|w| + (theta + 1/2) log(1 + |w|) + 2)."""
    w = np.geomspace(1e-3, 1e5, 161)
    q = 1.0 - 2.0 * theta * alpha
    r = (2.0 * w[:, None] * alpha / q) ** 2
    decay = np.sum(0.25 * mult * np.log1p(r), axis=-1)
    decay = decay + np.maximum(0.5 * np.pi * w - (max(theta, 0.0) + 0.5) * np.log1p(w) - 2.0, 0.0)
    ok = decay >= log_tol
    return float(w[np.argmax(ok)] if ok.any() else w[-1])


_ALIAS = 40.0     # e^-40: neglected aliases of the trapezoid rule in omega


def _contour_block(v, theta, mult, alpha, b, smax, shift, extra_fn, dv=None):
    r"""Integrals for the points v of one block on the vertical line Re s = theta (trapezoid in omega).

    The trapezoid rule with step h on :math:`\int F(\omega)e^{-i\omega u}d\omega` adds the aliases
    :math:`f(u + 2\pi k/h)` of the tilted function f; h is chosen so that they are below
    :math:`e^{-40}` (Gaussian bulk of width sd and exponential sides at rates |theta|, theta + 1,
    smax - theta).  On a uniform v-grid of step ``dv`` the sums over the nodes are one FFT (h is then
    lowered to :math:`2\pi/(M\,dv)`, M an integer)."""
    from scipy.special import loggamma

    sd = np.sqrt(_k2_at(theta, mult, alpha, b))     # sd of the tilted law of Y
    ke0, k10, _ = _k_at(np.array(theta), mult, alpha, b)
    kc = float(ke0) + float(loggamma(1.0 + theta).real)
    vc = float(k10) + float(_digamma(1.0 + theta))      # centre of the tilted law
    span = float(np.max(np.abs(v - vc)))
    dist = min(abs(theta), theta + 1.0, smax - theta)
    period = max(np.sqrt(2.0 * _ALIAS) * sd, _ALIAS / dist) + span + 2.0 * sd
    wmax = _omega_cut(theta, mult, alpha)
    use_fft = dv is not None and v.size * wmax * period / (2.0 * np.pi) > 4096
    if use_fft:
        idx = np.rint((v - v[0]) / dv).astype(np.int64)
        M = int(np.ceil(max(period, (idx[-1] + 1) * dv + span) / dv))
        M = int(2 ** np.ceil(np.log2(M))) if M > 64 else M
        h = 2.0 * np.pi / (M * dv)
    else:
        h = 2.0 * np.pi / period
    n = int(np.ceil(wmax / h)) + 1
    om = h * np.arange(n)
    s = theta + 1j * om
    ke, k1, rq = _k_at(s, mult, alpha, b)
    lg = ke + loggamma(1.0 + s) - kc                           # (N,)
    wts = np.full(n, h / np.pi)
    wts[0] *= 0.5
    mults = {"cdf": 1.0 / s, "d2": 1.0 + s, "ew": k1 - shift}
    if extra_fn is not None:
        for name, val in extra_fn(s, rq).items():
            mults["x_" + name] = val
    if use_fft:
        # e^{K(s) - s v_i} / e^{K(theta) - theta v_i} = e^{lg} e^{-i w_j v_0} e^{-2 pi i j idx_i / M}
        base = np.exp(lg - 1j * om * v[0]) * wts
        fold = np.arange(n) % M
        res = {}
        for name, mv in mults.items():
            c = base.reshape((n,) + (1,) * (np.ndim(mv) - 1)) * mv
            cf = np.zeros((M,) + c.shape[1:], complex)
            np.add.at(cf, fold, c)
            res[name] = np.real(np.fft.fft(cf, axis=0)[idx])
    else:
        mat = np.exp(lg[None, :] - 1j * np.outer(v, om)) * wts    # (Vb, N)
        res = {name: np.real(np.tensordot(mat, mv, axes=(1, 0))) for name, mv in mults.items()}
    pref = kc - theta * v
    cdf = -res["cdf"] if theta < 0 else res["cdf"]
    ext = {name[2:]: val for name, val in res.items() if name.startswith("x_")}
    return pref, cdf, res["d2"], res["ew"], ext


def _digamma(x):
    from scipy.special import polygamma

    return polygamma(0, x)


_LOG_NEGLIGIBLE = float(np.log(1e-30))


def _zero_extra(efn, m):
    if efn is None:
        return {}
    val = efn(np.array([0.5 + 0j]), np.ones((1, 1), complex) * 0)
    return {k: np.zeros((m,) + np.asarray(x).shape[1:]) for k, x in val.items()}


_GAP = 12.0       # e-folds of conditioning a shared contour may lose at the points of its block
_THETA_FLOOR = -0.75   # contours stay this far from the pole of Gamma(1 + s) at s = -1 (the trapezoid
# step scales with the distance to it); the lost conditioning is bounded by _GAP


def _block_gap(theta, v, lam, mult, alpha, b):
    """K_Y(theta) - theta v - Lambda(v) >= 0 for the points v."""
    from scipy.special import gammaln

    q = 1.0 - 2.0 * theta * alpha
    k = float(np.sum(-0.5 * mult * np.log(q) + theta * b / q)) + float(gammaln(1.0 + theta))
    return k - theta * v - lam


def _with_one(user):
    """Add the multiplier 1 (the density of E + log T itself, for the sum rule E sum_i w_i = 1)."""
    def fn(s, rq):
        out = {"one": np.ones(s.shape, complex)}
        if user is not None:
            out.update(user(s, rq))
        return out
    return fn


def invert(v, mult, alpha, b, shift, extra=None, log_weight=None) -> Inversion:
    """Invert the transforms of one generalized chi-square law at the points v (rows, V).

    Parameters
    ----------
    v : (rows, V) increasing in V
    mult, alpha : (G,)
    b : (rows, G)
    shift : (rows,) energy shift c in the multiplier K_E'(s) - c
    extra : callable(row) -> callable(s (N,), rq (N, G)) -> dict name -> (N, ...) complex, or None
        Further multipliers (tilted moments :math:`E_s[f]`), integrated like the density of
        :math:`E + \\log T`.
    log_weight : (rows,), optional
        Log of the factor that multiplies every quantity of this law in the final integrals (e.g.
        log(n - 1) + log w_k).  Points whose Chernoff bound :math:`e^{\\Lambda(v)}` times that factor is
        below :math:`10^{-30}` are not inverted: their tail is set to the bound and their densities to
        zero (their contribution to every integral is below 1e-30).
    """
    rows, V = v.shape
    smax = _s_max(alpha)
    steps = np.diff(v, axis=1)
    dv = float(steps[0, 0]) if V > 1 and np.allclose(steps, steps[0, 0], rtol=1e-9, atol=0) else None
    pref = np.empty((rows, V))
    lower = np.zeros((rows, V), bool)
    cdf = np.empty((rows, V))
    d2 = np.empty((rows, V))
    ew = np.empty((rows, V))
    ext: dict = {}
    for r in range(rows):
        br = b[r]
        efn = _with_one(extra(r) if extra is not None else None)
        base, c_s, d_s, e_s, x_s, ok = _series(v[r], mult, alpha, br, shift[r], efn)

        def put(idx, p_, low, c_, d_, e_, x_, r=r):
            pref[r, idx], lower[r, idx], cdf[r, idx], d2[r, idx], ew[r, idx] = p_, low, c_, d_, e_
            for name, val in x_.items():
                if name not in ext:
                    ext[name] = np.empty((rows, V) + val.shape[1:])
                ext[name][r, idx] = val

        if np.any(ok):
            put(ok, base[ok], True, c_s[ok], d_s[ok], e_s[ok], {k: x[ok] for k, x in x_s.items()})
        todo = np.flatnonzero(~ok)
        if todo.size == 0:
            continue
        vt = v[r, todo]
        # saddles on every 6th point; Lambda(v) (convex) interpolated in between
        sub = np.unique(np.append(np.arange(0, todo.size, 6), todo.size - 1))
        th_s, lam_s = _saddles(vt[sub], mult, alpha, br, smax)
        th_v = np.interp(vt, vt[sub], th_s)
        lam_v = np.interp(vt, vt[sub], lam_s)
        if log_weight is not None:
            neg = lam_v + log_weight[r] < _LOG_NEGLIGIBLE
            if np.any(neg):
                z = np.zeros(int(neg.sum()))
                put(todo[neg], lam_v[neg], th_v[neg] < 0, z + 1.0, z, z,
                    {k: np.zeros((z.size,) + x.shape[1:]) for k, x in x_s.items()} if x_s else
                    _zero_extra(efn, z.size))
                keep = ~neg
                todo, vt, th_v, lam_v = todo[keep], vt[keep], th_v[keep], lam_v[keep]
        # conditioning budget: a lower-tail point of weighted size e^{Lambda + log_weight} needs
        # only a relative accuracy 1e-14 / that size (absolute 1e-14 in every final integral)
        gmax = np.full(vt.size, _GAP)
        if log_weight is not None:
            gmax = np.where(th_v < 0, np.maximum(_GAP, np.log(100.0) - (lam_v + log_weight[r])), _GAP)
        i = 0
        while i < todo.size:
            # one contour for a run of points: the exponent K(theta_b) - theta_b v may exceed the
            # optimal Lambda(v) by at most gmax e-folds (conditioning), any theta_b being exact
            th = th_v[i]
            gap = _block_gap(th, vt[i:], lam_v[i:], mult, alpha, br)
            far = gap > 0.5 * gmax[i:]
            run = int(np.argmax(far)) if np.any(far) else gap.size
            th_mid = th_v[i + max(run - 1, 0) // 2]
            th = max(th_mid, _THETA_FLOOR)
            sd = np.sqrt(_k2_at(th, mult, alpha, br))
            tmin = min(2.0 / sd, 0.5 if th < 0 else 0.5 * smax)
            if abs(th) < tmin:
                th = -tmin if th < 0 else tmin
            gap = _block_gap(th, vt[i:], lam_v[i:], mult, alpha, br)
            if gap[0] > gmax[i]:            # the floor costs too much here: use the saddle itself
                th = th_v[i]
                gap = _block_gap(th, vt[i:], lam_v[i:], mult, alpha, br)
            far = gap > gmax[i:]
            m = int(np.argmax(far)) if np.any(far) else gap.size
            m = max(m, 1)
            sel = todo[i:i + m]
            out = _contour_block(v[r, sel], th, mult, alpha, br, smax, shift[r], efn, dv)
            put(sel, out[0], th < 0, out[1], out[2], out[3], out[4])
            i += m
    return Inversion(pref, lower, cdf, d2, ew, ext)


# ---------------------------------------------------------------------------------------------------
# per-x laws of the energies


@dataclass
class _Laws:
    """Energy laws of one batch of x (rows): the non-planted mixture and the planted (posterior) one."""

    mult: np.ndarray          # (G,)
    alpha: np.ndarray         # (G,)  non-planted  e^{-2t} p_g / (2 Delta)
    alpha_post: np.ndarray    # (G,)  planted      e^{-2t} p'_g / (2 Delta)
    b: np.ndarray             # (rows, K, G)
    b_post: np.ndarray        # (rows, K, G)
    lw: np.ndarray            # (K,)   log class weights
    lw_post: np.ndarray       # (rows, K) log class posterior of x
    y2: np.ndarray            # (rows, G) sum of y_j^2 per group (retention)
    kappa: tuple = ()         # (e, Delta, p_g, Gamma_g) for the retention multipliers


def _laws(law: EnergyLaw, t: float, labels: np.ndarray, g: np.ndarray) -> _Laws:
    e = float(np.exp(-t))
    dl = float(delta(t))
    gam = e * e * law.p + dl                                  # (d,)
    y = e * law.means[labels] + np.sqrt(gam) * g              # (X, d) eigen-coordinates of x ~ P_t
    G = law.group_mult.size
    ind = np.zeros((law.d, G))
    ind[np.arange(law.d), law.groups] = 1.0
    diff2 = (y[:, None, :] - e * law.means[None, :, :]) ** 2  # (X, K, d)
    b = diff2 @ ind / (2.0 * dl)                               # (X, K, G)
    gam_g = e * e * law.group_p + dl
    shrink = dl / gam_g
    lw = np.log(law.weights)
    logit = lw[None, :] - np.einsum("xkd,d->xk", diff2, 1.0 / (2.0 * gam))
    lw_post = logit - _logsumexp(logit, axis=1)[:, None]
    p_post = law.group_p * shrink
    return _Laws(law.group_mult, e * e * law.group_p / (2.0 * dl), e * e * p_post / (2.0 * dl),
                 b, b * shrink**2, lw, lw_post, (y**2) @ ind, (e, dl, law.group_p, gam_g))


def _logsumexp(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def _log_n_minus(log_n: float, k: int) -> float:
    """log(n - k) for n = exp(log_n) >= k (-inf when n == k)."""
    if log_n > 700:
        return log_n
    n = np.exp(log_n)
    r = n - k
    return float(np.log(r)) if r > 0 else -np.inf


# ---------------------------------------------------------------------------------------------------
# the v-integrals


@dataclass
class _LawOnGrid:
    """One law (mixture) evaluated on the v-grid of every row."""

    log_lower: np.ndarray     # (rows, V) log P(Y <= v)
    log_upper: np.ndarray     # (rows, V) log P(Y > v)
    lp: np.ndarray            # (rows, V) common log prefactor of the densities
    dens2: np.ndarray         # (rows, V)
    eweight: np.ndarray       # (rows, V)
    extra: dict


def _on_grid(v, mult, alpha, b, lw, shift, extra_fn=None, log_mult=0.0) -> _LawOnGrid:
    """Invert every class component and combine with the (log) class weights ``lw`` (rows, K);
    ``log_mult`` is the log of the number of such energies (for the negligibility test)."""
    rows, V = v.shape
    K = b.shape[1]
    lo_k, up_k, lp_k, d2_k, ew_k, ex_k = [], [], [], [], [], []
    for k in range(K):
        extra = extra_fn(k) if extra_fn is not None else None
        inv = invert(v, mult, alpha, b[:, k, :], shift, extra, log_weight=log_mult + lw[:, k])
        with np.errstate(divide="ignore", invalid="ignore"):
            lc = inv.pref + np.log(np.maximum(inv.cdf, 1e-300))
            other = np.log(-np.expm1(np.minimum(lc, -1e-300)))
        lo_k.append(np.where(inv.lower, lc, other) + lw[:, k, None])
        up_k.append(np.where(inv.lower, other, lc) + lw[:, k, None])
        lp_k.append(inv.pref + lw[:, k, None])
        d2_k.append(inv.dens2)
        ew_k.append(inv.eweight)
        ex_k.append(inv.extra)
    lo = _logsumexp(np.stack(lo_k), axis=0)
    up = _logsumexp(np.stack(up_k), axis=0)
    lps = np.stack(lp_k)
    lp = np.max(lps, axis=0)
    lp = np.where(np.isfinite(lp), lp, 0.0)
    sc = np.exp(lps - lp)
    extra = {}
    for name in ex_k[0]:
        arrs = [ex[name] * sc[k].reshape(sc[k].shape + (1,) * (ex[name].ndim - 2)) for k, ex in
                enumerate(ex_k)]
        extra[name] = np.sum(arrs, axis=0)
    return _LawOnGrid(lo, up, lp, np.sum(sc * np.stack(d2_k), 0), np.sum(sc * np.stack(ew_k), 0), extra)


def _m_phi(log_m: float, g: _LawOnGrid) -> np.ndarray:
    """m * log(1 - A) with A = P(Y <= v), accurate for tiny A and huge m (m = exp(log_m))."""
    if log_m == -np.inf:
        return np.zeros_like(g.log_lower)
    A = np.exp(np.minimum(g.log_lower, 0.0))
    small = g.log_lower < -25.0
    with np.errstate(over="ignore"):
        tiny = -np.exp(np.minimum(log_m + g.log_lower, 700.0)) * (1.0 + 0.5 * A)
    m = np.exp(min(log_m, 700.0))
    phi = np.where(g.log_lower < np.log(0.5), np.log1p(-np.minimum(A, 0.5)), g.log_upper)
    return np.where(small, tiny, m * phi)


def _grid_range(lws: _Laws, log_n: float, generated: bool):
    """Initial [v_lo, v_hi] per row from Chernoff bounds (tails beyond carry < ~_EPS of every term)."""
    rows, K, _ = lws.b.shape
    leps = np.log(_EPS)
    m_np = _log_n_minus(log_n, 1) if generated else log_n
    los, his_p = [], []
    for k in range(K):
        ell = np.full(rows, leps - m_np - lws.lw[k])
        if np.all(ell < -0.7):
            los.append(chernoff_point(ell, lws.mult, lws.alpha, lws.b[:, k], -1))
        if generated:
            ellp = leps - lws.lw_post[:, k]
            okp = ellp < -0.7
            vk = chernoff_point(np.minimum(ellp, -0.7), lws.mult, lws.alpha_post, lws.b_post[:, k], -1)
            los.append(np.where(okp, vk, np.inf))
            ellu = leps - log_n - np.log(K) - lws.lw_post[:, k]
            vu = chernoff_point(np.minimum(ellu, -0.7), lws.mult, lws.alpha_post, lws.b_post[:, k], +1)
            his_p.append(np.where(ellu < -0.7, vu, -np.inf))
    v_lo = np.min(los, axis=0)
    # non-planted suppression: (n - 2) log(1 - A) below log eps - log n - 10
    m2 = _log_n_minus(log_n, 2 if generated else 1)
    v_hi_np = np.full(rows, np.inf)
    if m2 > -np.inf:
        target = (leps - log_n - 10.0) / np.exp(min(m2, 700.0))
        a_t = -target * 1e4
        if target < np.log(0.5) or a_t >= 0.3:
            # log S <= target (or S <= 1/2 when that suffices): upper-side Chernoff points are
            # safe (S_k <= e^ell for every class, hence for the mixture)
            ell = np.full(rows, min(target, np.log(0.5)))
            v_hi_np = np.max([chernoff_point(ell, lws.mult, lws.alpha, lws.b[:, k], +1)
                              for k in range(K)], axis=0)
        else:
            # A >= a_t: one class suffices (A >= w_k A_k); the Chernoff point is only a guess
            # here, the truncation check of conditional_statistics extends the grid if needed
            for k in range(K):
                ell = np.log(a_t) - lws.lw[k]
                if ell < -0.7:
                    v_hi_np = np.minimum(v_hi_np, chernoff_point(np.full(rows, ell), lws.mult,
                                                                 lws.alpha, lws.b[:, k], -1))
    if generated:
        v_hi = np.minimum(np.max(his_p, axis=0), v_hi_np)
    else:
        v_hi = np.where(np.isfinite(v_hi_np), v_hi_np, v_lo + 50.0)
    return v_lo, np.maximum(v_hi, v_lo + 4.0)


def _integrate(lws: _Laws, log_n: float, generated: bool, v_lo, v_hi, blocks=None):
    """The v-integrals on uniform grids [v_lo, v_hi] (per row).  Returns per-row results and the
    magnitude of the integrands at both ends (to check the truncation)."""
    rows = v_lo.size
    nv = int(np.ceil(np.max(v_hi - v_lo) / _H_V)) + 1
    h = _H_V
    v = v_lo[:, None] + h * np.arange(nv)[None, :]
    shift = 0.5 * (v_lo + v_hi)
    lw_np = np.broadcast_to(lws.lw, (rows, lws.lw.size))
    extra_np, extra_p = _retention_extras(lws) if blocks is not None else (None, None)
    g_np = _on_grid(v, lws.mult, lws.alpha, lws.b, lw_np, shift, extra_np,
                    log_mult=_log_n_minus(log_n, 1) if generated else log_n)
    wt = np.full(nv, h)
    wt[0] = wt[-1] = 0.5 * h
    out = {}
    if generated:
        g_p = _on_grid(v, lws.mult, lws.alpha_post, lws.b_post, lws.lw_post, shift, extra_p)
        phi_p = np.where(g_p.log_lower < np.log(0.5),
                         np.log1p(-np.exp(np.minimum(g_p.log_lower, np.log(0.5)))), g_p.log_upper)
        L = _m_phi(_log_n_minus(log_n, 1), g_np) + phi_p
        w_np = _log_n_minus(log_n, 1) + _m_phi(_log_n_minus(log_n, 2), g_np) + phi_p + g_np.lp
        w_p = _m_phi(_log_n_minus(log_n, 1), g_np) + g_p.lp
    else:
        L = _m_phi(log_n, g_np)
        w_np = log_n + _m_phi(_log_n_minus(log_n, 1), g_np) + g_np.lp
        w_p = None
    with np.errstate(under="ignore", over="ignore"):
        eL = np.exp(L)
        f_np = np.exp(np.minimum(w_np, 700.0))
        f_p = np.exp(np.minimum(w_p, 700.0)) if generated else None
    # E log Z = -gamma + int (1{v<0} - e^L) dv = -gamma - v_hi + int_{v_lo}^{v_hi} (1 - e^L) dv
    v_end = v[:, -1]
    logz = -EULER_GAMMA + (shift - v_end) + np.sum((1.0 - eL) * wt, axis=1)
    s1 = np.sum(f_np * g_np.eweight * wt, axis=1)
    pc = np.sum(f_np * g_np.dens2 * wt, axis=1)
    norm = np.sum(f_np * g_np.extra["one"] * wt, axis=1)
    if generated:
        s1 = s1 + np.sum(f_p * g_p.eweight * wt, axis=1)
        pc = pc + np.sum(f_p * g_p.dens2 * wt, axis=1)
        norm = norm + np.sum(f_p * g_p.extra["one"] * wt, axis=1)
    out["log_z"] = logz - shift
    out["entropy"] = logz + s1
    out["phi_c"] = pc
    out["sum_rule"] = norm            # E[sum_i w_i | x] = 1: a check of the whole computation
    # truncation check: integrand sizes at the two ends
    ends_lo = np.abs(1.0 - eL[:, 0]) + f_np[:, 0] * (np.abs(g_np.dens2[:, 0]) + np.abs(g_np.eweight[:, 0]))
    ends_hi = eL[:, -1] + f_np[:, -1] * (np.abs(g_np.dens2[:, -1]) + np.abs(g_np.eweight[:, -1]))
    if generated:
        ends_lo = ends_lo + f_p[:, 0] * (np.abs(g_p.dens2[:, 0]) + np.abs(g_p.eweight[:, 0]))
        ends_hi = ends_hi + f_p[:, -1] * (np.abs(g_p.dens2[:, -1]) + np.abs(g_p.eweight[:, -1]))
    out["_ends"] = (ends_lo, ends_hi)
    if blocks is not None:
        out["retention"] = _block_variance(lws, log_n, generated, blocks, wt, g_np,
                                           g_p if generated else None, f_np, f_p)
    return out


def _block_variance(lws, log_n, generated, blocks, wt, g_np, g_p, f_np, f_p):
    r"""E[tr_k Cov_w(a) | x] per block: T1 - T2 - T3 with (ordered pairs i != l)

    T1 = E sum_i w_i |a_i - c|_k^2, T2 = E sum_i w_i^2 |a_i - c|_k^2,
    T3 = E sum_{i != l} w_i w_l (a_i - c).(a_l - c) restricted to block k."""
    gb, nb = blocks
    ind = np.zeros((gb.size, nb))
    ok = gb >= 0
    ind[np.flatnonzero(ok), gb[ok]] = 1.0                       # (G, nb)
    y2 = lws.y2                                                  # (rows, G)
    ln1, ln2 = _log_n_minus(log_n, 1), _log_n_minus(log_n, 2)
    with np.errstate(under="ignore", over="ignore"):
        if generated:
            phi_p = np.where(g_p.log_lower < np.log(0.5),
                             np.log1p(-np.exp(np.minimum(g_p.log_lower, np.log(0.5)))), g_p.log_upper)
            d_x = g_np.extra["D"] @ ind
            d2_x = g_np.extra["D2"] @ ind
            d_j = g_p.extra["D"] @ ind
            d2_j = g_p.extra["D2"] @ ind
            t1 = np.einsum("rv,rvk,v->rk", f_np, d_x, wt) + np.einsum("rv,rvk,v->rk", f_p, d_j, wt)
            t2 = np.einsum("rv,rvk,v->rk", f_np, d2_x, wt) + np.einsum("rv,rvk,v->rk", f_p, d2_j, wt)
            qx, qj = g_np.extra["Q"], g_p.extra["Q"]
            qq = np.einsum("rvg,rg,gk->rvk", qx * qx, y2, ind)
            qxj = np.einsum("rvg,rg,gk->rvk", qx * qj, y2, ind)
            w3 = np.exp(np.minimum(ln1 + ln2 + _m_phi(_log_n_minus(log_n, 3), g_np) + phi_p
                                   + 2 * g_np.lp, 700))
            w4 = np.exp(np.minimum(np.log(2.0) + ln1 + _m_phi(ln2, g_np) + g_np.lp + g_p.lp, 700))
            t3 = np.einsum("rv,rvk,v->rk", w3, qq, wt) + np.einsum("rv,rvk,v->rk", w4, qxj, wt)
        else:
            d_x = g_np.extra["D"] @ ind
            d2_x = g_np.extra["D2"] @ ind
            t1 = np.einsum("rv,rvk,v->rk", f_np, d_x, wt)
            t2 = np.einsum("rv,rvk,v->rk", f_np, d2_x, wt)
            qx = g_np.extra["Q"]
            qq = np.einsum("rvg,rg,gk->rvk", qx * qx, y2, ind)
            w3 = np.exp(np.minimum(log_n + ln1 + _m_phi(ln2, g_np) + 2 * g_np.lp, 700))
            t3 = np.einsum("rv,rvk,v->rk", w3, qq, wt)
    return t1 - t2 - t3


def conditional_statistics(law: EnergyLaw, t: float, log_n: float, start: str, labels, g,
                           tol: float = 1e-12, retention: bool = False) -> dict:
    """E[H | x], E[sum w^2 | x], E[log Z | x] (and E[tr_k Cov_w | x] per block) for every x of the
    sample (arrays of length X)."""
    generated = start == "generated"
    X = labels.size
    if generated and log_n == 0.0:
        out = {"entropy": np.zeros(X), "phi_c": np.ones(X), "log_z": np.full(X, np.nan)}
        if retention:
            out["retention"] = np.zeros((X, law.n_blocks))
        return out
    blocks = (law.block_of_group, law.n_blocks) if retention else None
    lws = _laws(law, t, labels, g)
    v_lo, v_hi = _grid_range(lws, log_n, generated)
    res = None
    todo = np.arange(X)
    for _ in range(6):
        sub = _select(lws, todo)
        r = _integrate(sub, log_n, generated, v_lo[todo], v_hi[todo], blocks)
        if res is None:
            res = {k: np.empty((X,) + r[k].shape[1:]) for k in r if not k.startswith("_")}
        for k in res:
            res[k][todo] = r[k]
        lo_bad = r["_ends"][0] > tol
        hi_bad = r["_ends"][1] > tol
        bad = lo_bad | hi_bad
        if not np.any(bad):
            break
        span = v_hi[todo] - v_lo[todo]
        v_lo[todo[lo_bad]] -= 0.5 * span[lo_bad] + 5.0
        v_hi[todo[hi_bad]] += 0.5 * span[hi_bad] + 5.0
        todo = todo[bad]
    return res


def _select(lws: _Laws, idx) -> _Laws:
    return _Laws(lws.mult, lws.alpha, lws.alpha_post, lws.b[idx], lws.b_post[idx], lws.lw,
                 lws.lw_post[idx], lws.y2[idx], lws.kappa)


def _retention_extras(lws: _Laws):
    r"""Multipliers (tilted moments of a - c, c the population posterior mean of a given x) for the
    per-block posterior variance; single-class, zero-mean Gaussian data.

    Non-planted, coordinate j of group g: tilted mean minus c_j is :math:`y_j\kappa_g(s)`,
    :math:`\kappa_g = -rac{s e p_g}{\Delta(1 - 2slpha_g)} - rac{e p_g}{\Gamma_g}`, tilted variance
    :math:`p_g/(1 - 2slpha_g)`.  Planted (posterior N(c, p_g\Delta/\Gamma_g)):
    :math:`\kappa'_g = -rac{s e p_g\Delta}{\Gamma_g^2(1 - 2slpha'_g)}`, variance
    :math:`p'_g/(1 - 2slpha'_g)`."""
    e, dl, p, gam = lws.kappa
    m = lws.mult
    p_post = p * dl / gam

    def make(planted):
        def per_row(r):
            y2 = lws.y2[r]

            def fn(s, rq):
                s2 = s[:, None]
                if planted:
                    kap = -s2 * e * p * dl / gam**2 * rq
                    var = p_post * rq
                else:
                    kap = -s2 * e * p / dl * rq - e * p / gam
                    var = p * rq
                dd = kap**2 * y2 + m * var
                return {"Q": kap, "D": dd, "D2": (1.0 + s2) * dd}
            return fn
        return per_row

    np_fn, p_fn = make(False), make(True)
    return (lambda k: np_fn), (lambda k: p_fn)



# ---------------------------------------------------------------------------------------------------
# models -> laws, averages over x, crossing times


SPHERE_NOTE = ("on_sphere=True: the data projected on the sphere are not Gaussian; their energies are "
               "approximated by those of the Gaussian with the same covariance (effective variances)")


def law_from_model(model, *, blocks: bool = False) -> EnergyLaw:
    """The :class:`EnergyLaw` of a :class:`theory.models.GaussianMixture`, ``Gaussian`` or
    ``LinearManifold`` (``blocks=True``: label the coordinates of each block of an orthonormal
    ``LinearManifold``)."""

    if isinstance(model, GaussianMixture):
        if blocks:
            raise TypeError("model must be a theory.models.LinearManifold for per-block quantities "
                            "(got GaussianMixture)")
        kind = model.covariance_kind
        if kind == "isotropic":
            p, means = np.full(model.d, float(model.covariance)), model.means
        elif kind == "diagonal":
            p, means = np.asarray(model.covariance, float), model.means
        else:
            p, means = model._evals, model._rot_means
        return make_law(means, model.weights, p)
    if isinstance(model, Gaussian):
        if blocks:
            raise TypeError("model must be a theory.models.LinearManifold for per-block quantities "
                            "(got Gaussian)")
        return make_law(np.zeros((1, model.d)), [1.0], np.asarray(model.spectrum, float))
    if isinstance(model, LinearManifold):
        if model.embedding != "orthonormal":
            if blocks:
                raise NotImplementedError("per-block quantities need embedding='orthonormal' (the "
                                          "blocks of a random embedding are not eigen-directions of "
                                          "the covariance; got embedding='random')")
            if model.on_sphere:
                raise NotImplementedError("on_sphere=True is supported for embedding='orthonormal' "
                                          "only (got embedding='random')")
            return make_law(np.zeros((1, model.d)), [1.0], np.asarray(model._gaussian().spectrum))
        per_block = np.asarray(model.variances, float)
        note = ""
        if model.on_sphere:

            per_block = model.radius**2 * effective_variances(np.sqrt(model.variances), model.dims)
            note = SPHERE_NOTE
        p = np.zeros(model.d)
        lab = np.full(model.d, -1)
        for k, sl in enumerate(model.block_slices):
            p[sl] = per_block[k]
            lab[sl] = k
        return make_law(np.zeros((1, model.d)), [1.0], p, blocks=lab if blocks else None,
                        approximate=note)
    raise TypeError("model must be a theory.models.GaussianMixture, Gaussian or LinearManifold "
                    f"(got {type(model).__name__})")


def block_posterior_variance(law: EnergyLaw, t: float) -> np.ndarray:
    r"""Population posterior variance per coordinate of each block, :math:`p_k\Delta_t/(e^{-2t}p_k +
    \Delta_t)` (one value per block)."""
    dl = float(delta(t))
    out = np.empty(law.n_blocks)
    for k in range(law.n_blocks):
        pk = law.group_p[law.block_of_group == k][0]
        out[k] = pk * dl / float(noised_variance(pk, t))
    return out


def averaged_statistics(law: EnergyLaw, t: np.ndarray, log_n: float, start: str, n_x: int, rng,
                        retention: bool = False) -> dict:
    """Per-x conditional statistics at every t (common x draws), arrays (T, X[, blocks])."""
    labels, g = sample_eigen_draws(law, n_x, rng)
    out: dict = {}
    for ti in np.asarray(t, float).reshape(-1):
        if np.isinf(ti):
            r = {"entropy": np.full(n_x, log_n), "phi_c": np.full(n_x, np.exp(-log_n)),
                 "log_z": np.full(n_x, np.nan)}
            if retention:
                r["retention"] = np.ones((n_x, law.n_blocks)) * (1.0 - np.exp(-log_n))
        else:
            r = conditional_statistics(law, float(ti), log_n, start, labels, g, retention=retention)
            if retention:
                r["retention"] = r["retention"] / (law.block_dims * block_posterior_variance(law, ti))
        for k, val in r.items():
            out.setdefault(k, []).append(val)
    return {k: np.stack(v) for k, v in out.items()}


def mean_and_stderr(a: np.ndarray, axis: int = 1):
    m = a.shape[axis]
    return a.mean(axis=axis), a.std(axis=axis, ddof=1) / np.sqrt(m)


def sharp_guess(law: EnergyLaw, log_n: float) -> float:
    """Large-d collapse time of the class-covariance spectrum (bracket start for the crossings)."""
    lam = law.p[law.p > 0]
    if lam.size == 0 or log_n <= 0:
        return 1.0
    from scipy.optimize import brentq

    target = 2.0 * log_n

    def f(log_s):
        return float(np.logaddexp(0.0, np.log(lam) - log_s).sum() - target)

    lo, hi = -60.0, float(np.log(lam.sum() / target) + 5.0)
    if f(lo) < 0:
        return 1e-6
    if f(hi) > 0:
        return 5.0
    return float(ou_time_from_ve_variance(np.exp(brentq(f, lo, hi))))


def crossing_times(law: EnergyLaw, log_n: float, levels, start: str, n_x: int, rng,
                   xtol: float = 1e-4):
    r"""Times where the x-averaged :math:`\phi_C(t)` crosses each level, with the delta-method
    standard error :math:`\mathrm{se}(\hat\phi_C(t^*))/|\hat\phi_C'(t^*)|` (common x draws at every t,
    so :math:`\hat\phi_C` is a smooth, decreasing function of t)."""
    from scipy.optimize import brentq

    labels, g = sample_eigen_draws(law, n_x, rng)
    cache: dict = {}

    def stats(t):
        if t not in cache:
            cache[t] = conditional_statistics(law, t, log_n, start, labels, g)["phi_c"]
        return cache[t]

    def f(t):
        return float(stats(t).mean())

    levels = np.asarray(levels, float)
    t0 = sharp_guess(law, log_n)
    lo, hi = t0, t0
    for _ in range(40):
        if f(lo) > levels.max():
            break
        lo *= 0.5
    for _ in range(40):
        if f(hi) < levels.min():
            break
        hi *= 1.6
    grid = np.geomspace(lo, hi, 9)
    vals = np.array([f(t) for t in grid])
    times, ses = [], []
    for lev in levels:
        j = int(np.flatnonzero(vals < lev)[0])
        a, b = grid[j - 1], grid[j]
        ts = brentq(lambda t, lev=lev: f(t) - lev, a, b, xtol=xtol * a, rtol=1e-10)
        dt = 0.01 * ts
        slope = (f(ts + dt) - f(ts - dt)) / (2.0 * dt)
        _, se = mean_and_stderr(stats(ts)[None, :])
        times.append(ts)
        ses.append(float(se[0]) / abs(slope) if slope != 0 else np.inf)
    return np.array(times), np.array(ses)
