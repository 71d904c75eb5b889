r"""Linear Gaussian manifold: exact score and Jacobian, Stieltjes equation, bulk edges, gaps, and the
Jacobian of the empirical score.

Data :math:`x_0 = F z` with :math:`F \in \mathbb R^{d\times m}` of i.i.d. :math:`N(0, 1/d)` entries and
:math:`z \sim N(0, \Sigma)`: latent variance :math:`v_k` on a fraction :math:`f_k = m_k/d` of the
dimensions (K groups; :math:`f_k` rather than the paper's :math:`\alpha_k`, since
:math:`\alpha = \log(n)/d` elsewhere in the package).  Under the OU process
:math:`x_t = e^{-t}x_0 + \sqrt{\Delta_t}\,\xi` and :math:`B = F\Sigma F^T`.  Each derivation is cached
and returns a frozen dataclass of sympy expressions; the numeric solvers of :mod:`theory.spectral`
rebuild the same polynomials with numpy and the tests compare the two.

Symbols local to this module: ``lam`` (an eigenvalue :math:`\lambda \ge 0` of B), ``s`` (the noise
ratio :math:`e^{2t} - 1`), ``g``/``z`` (Stieltjes variable and spectral parameter), ``f_k``/``v_k``;
the OU stand-ins ``E`` (:math:`e^{-t}`) and ``Delta`` (:math:`\Delta_t`) come from
:mod:`derivations._symbols`.

References
----------
E. Ventura, B. Achilli, G. Silvestri, C. Lucibello, L. Ambrogioni, "Manifolds, random matrices and
spectral gaps: the geometric phases of generative diffusion", ICLR 2025, arXiv:2410.05898; theory
docs/theory/spectral-gaps.md secs. 1.3, 2.1-2.5, 2.7.

Examples
--------
The Marchenko-Pastur edges of one latent group (fraction :math:`f_1`, variance :math:`v_1`):

>>> from derivations.linear_manifold import marchenko_pastur
>>> marchenko_pastur().edges
(v_1*(sqrt(f_1) - 1)**2, v_1*(sqrt(f_1) + 1)**2)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S

__all__ = [
    "ResolventCavity", "resolvent_cavity",
    "LinearManifoldScore", "linear_manifold_score",
    "StieltjesPolynomial", "stieltjes_polynomial",
    "MarchenkoPastur", "marchenko_pastur",
    "GapDerivation", "gap_derivation",
    "EmpiricalScoreJacobian", "empirical_score_jacobian",
]

lam = sp.Symbol("lambda_B", positive=True)
r"""A nonzero eigenvalue of :math:`B = F\Sigma F^T` (the results continue to 0, the normal directions)."""
s = sp.Symbol("s", positive=True)
r"""Noise-to-signal ratio :math:`s = e^{2t} - 1` (VE noise variance)."""
x = sp.Symbol("x", real=True)
"""Coordinate of a point along an eigenvector of B."""
g = sp.Symbol("g")
"""Stieltjes variable :math:`g(z) = \\frac1d \\operatorname{tr}(B - z)^{-1}`."""
z = sp.Symbol("z")
"""Spectral parameter."""


def _via_squares(expr: sp.Expr, symbols: tuple[sp.Symbol, ...]) -> sp.Expr:
    """Simplify with every positive symbol written as a square, :math:`f = r^2` (so that
    :math:`\\sqrt f` is rational), factor, and substitute back."""
    roots = {sym: sp.Symbol(f"_r_{sym.name}", positive=True) for sym in symbols}
    out = sp.factor(sp.simplify(sp.sympify(expr).subs({sym: r**2 for sym, r in roots.items()})))
    return out.subs({r: sp.sqrt(sym) for sym, r in roots.items()})


# --- exact score ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearManifoldScore:
    r"""Exact score and Jacobian of the linear manifold along one eigenvector of B.

    Attributes
    ----------
    t, s, lam, x : sympy.Symbol
        OU time, noise ratio, eigenvalue of B, coordinate.
    variance : sympy.Expr
        :math:`\mathrm{Var}(x_t) = e^{-2t}\lambda + \Delta_t` along the eigenvector (integrated).
    log_density, score : sympy.Expr
        :math:`\log N(x; 0, \mathrm{variance})` and its derivative :math:`-x/\mathrm{variance}`.
    jacobian : sympy.Expr
        :math:`-1/(e^{-2t}\lambda + \Delta_t)`: the eigenvalue of :math:`J(t)` on that eigenvector.
    normalized : sympy.Expr
        :math:`\mu = -\Delta_t J` as a function of t.
    normalized_s : sympy.Expr
        :math:`\mu = s/(s + \lambda)` (t eliminated through :math:`s = e^{2t} - 1`).
    spike : sympy.Expr
        ``normalized_s`` at :math:`\lambda = 0`: 1.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (linear model); docs/theory/spectral-gaps.md sec.
    2.1.
    """

    t: sp.Symbol
    s: sp.Symbol
    lam: sp.Symbol
    x: sp.Symbol
    variance: sp.Expr
    log_density: sp.Expr
    score: sp.Expr
    jacobian: sp.Expr
    normalized: sp.Expr
    normalized_s: sp.Expr
    spike: sp.Expr


@functools.cache
def linear_manifold_score() -> LinearManifoldScore:
    r"""Derive the exact score, Jacobian and normalised Jacobian spectrum of the linear manifold.

    Returns
    -------
    LinearManifoldScore

    Notes
    -----
    :math:`x_t = e^{-t}Fz + \sqrt{\Delta_t}\xi` is Gaussian with covariance
    :math:`C_t = e^{-2t}B + \Delta_t I`, so :math:`s(x, t) = -C_t^{-1}x` and

    .. math:: J(t) = -(e^{-2t}B + \Delta_t I)^{-1},

    independent of x and diagonal in the eigenbasis of B.  Along an eigenvector with eigenvalue
    :math:`\lambda` the coordinate is :math:`e^{-t}a + \sqrt{\Delta_t}\,\xi`,
    :math:`a \sim N(0, \lambda)`; sympy integrates its variance, differentiates the log-density
    twice and eliminates t with :math:`e^{-2t} = 1/(1+s)`, :math:`\Delta_t = s/(1+s)`:

    .. math:: -\Delta_t J = \frac{\Delta_t}{e^{-2t}\lambda + \Delta_t} = \frac{s}{s + \lambda}.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (linear model; "Dirac spike at -1" of sJ);
    docs/theory/spectral-gaps.md sec. 2.1 [D].
    """
    a, xi = sp.symbols("a xi", real=True)
    coord = S.E * a + sp.sqrt(S.Delta) * xi
    second = S.gaussian_expectation(S.gaussian_expectation(coord**2, xi, 0, 1), a, 0, lam)
    var = sp.factor(sp.simplify(second))
    logp = -x**2 / (2 * var) - sp.log(2 * sp.pi * var) / 2
    score = sp.simplify(sp.diff(logp, x))
    jac = sp.simplify(sp.diff(score, x))
    normalized = sp.simplify(-S.Delta * jac)
    in_s = sp.factor(sp.simplify(normalized.subs({S.E: 1 / sp.sqrt(1 + s), S.Delta: s / (1 + s)})))
    return LinearManifoldScore(
        t=S.t, s=s, lam=lam, x=x, variance=S.to_time(var), log_density=S.to_time(logp),
        score=S.to_time(score), jacobian=S.to_time(jac), normalized=S.to_time(normalized),
        normalized_s=in_s, spike=sp.simplify(in_s.subs(lam, 0)),
    )


# --- the resolvent identity and the cavity step ----------------------------------------------------

@dataclass(frozen=True)
class ResolventCavity:
    r"""The steps from :math:`B = F\Sigma F^T` to the self-consistent equation of its Stieltjes
    transform, each one checked by sympy on explicit symbolic matrices.

    Attributes
    ----------
    trace_identity : sympy.Expr
        :math:`\frac1d\operatorname{tr}[G(B - z)] - 1` with
        :math:`\operatorname{tr}GB = \sum_\mu \sigma_\mu f_\mu^TGf_\mu` (checked zero on a 2 x 2
        instance with two columns).
    sigma, Q : sympy.Symbol
        Variance of one column and the cavity quadratic form :math:`Q = f^TG_\mu f`.
    sherman_morrison : sympy.Expr
        :math:`f^TGf = Q/(1 + \sigma Q)`, :math:`G = (G_\mu^{-1} + \sigma ff^T)^{-1}` (checked on a
        generic symmetric 2 x 2 :math:`G_\mu`).
    column_term : sympy.Expr
        :math:`\sigma f^TGf = \sigma Q/(1 + \sigma Q)`.
    quadratic_mean, quadratic_variance : sympy.Expr
        :math:`E f^TAf = \operatorname{tr}A/d` and
        :math:`\mathrm{Var} f^TAf = 2\operatorname{tr}A^2/d^2` for :math:`f \sim N(0, I/d)` (Gaussian
        integrals on a symmetric 2 x 2 A): the quadratic form concentrates on
        :math:`\operatorname{tr}A/d`, so :math:`Q \to g` (self-averaging; :math:`G_\mu` and G
        differ by a rank-one term, O(1/d) in the normalised trace).
    assumptions : tuple of str

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (spectrum of B); J. W. Silverstein,
    Z. D. Bai, J. Multivariate Anal. 54 (1995) 175 (the resolvent argument);
    ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """

    trace_identity: sp.Expr
    sigma: sp.Symbol
    Q: sp.Symbol
    sherman_morrison: sp.Expr
    column_term: sp.Expr
    quadratic_mean: sp.Expr
    quadratic_variance: sp.Expr
    assumptions: tuple


@functools.cache
def resolvent_cavity() -> ResolventCavity:
    r"""Derive the cavity (Sherman-Morrison) step behind the Stieltjes equation of B.

    Returns
    -------
    ResolventCavity

    Notes
    -----
    With :math:`B = \sum_\mu \sigma_\mu f_\mu f_\mu^T` (columns :math:`f_\mu` of F, i.i.d.
    :math:`N(0, I/d)`) and :math:`G = (B - z)^{-1}`, the identity :math:`G(B - z) = I` traced gives

    .. math:: \frac1d\sum_\mu\sigma_\mu f_\mu^TGf_\mu - z\,g = 1,\qquad
              g = \tfrac1d\operatorname{tr}G.

    Removing column :math:`\mu` (resolvent :math:`G_\mu`), Sherman-Morrison gives
    :math:`f_\mu^TGf_\mu = Q_\mu/(1 + \sigma_\mu Q_\mu)`, :math:`Q_\mu = f_\mu^TG_\mu f_\mu`, and
    :math:`Q_\mu \to \tfrac1d\operatorname{tr}G_\mu \to g` (mean :math:`\operatorname{tr}A/d`,
    variance :math:`2\operatorname{tr}A^2/d^2`).  Each identity is checked by sympy on explicit
    2 x 2 symbolic matrices; :func:`stieltjes_polynomial` assembles the equation from
    ``column_term``.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3; Silverstein and Bai (1995), J.
    Multivariate Anal. 54, 175; ``docs/theory/spectral-gaps.md`` sec. 2.2.
    """
    zz = sp.Symbol("z")
    sig1, sig2 = sp.symbols("sigma_a sigma_b", positive=True)
    f1 = sp.Matrix(sp.symbols("f_a1 f_a2", real=True))
    f2 = sp.Matrix(sp.symbols("f_b1 f_b2", real=True))
    bmat = sig1 * f1 * f1.T + sig2 * f2 * f2.T
    res = (bmat - zz * sp.eye(2)).inv()
    dim = 2
    tr_gb = sum((sig * (f.T * res * f)[0, 0] for sig, f in ((sig1, f1), (sig2, f2))), sp.S.Zero)
    trace_identity = sp.cancel((tr_gb - zz * res.trace()) / dim - 1)
    if trace_identity != 0 or sp.cancel(tr_gb - (res * bmat).trace()) != 0:      # pragma: no cover
        raise RuntimeError("the traced resolvent identity does not hold")

    sig, qq = sp.Symbol("sigma", positive=True), sp.Symbol("Q")
    a11, a12, a22 = sp.symbols("A_11 A_12 A_22")
    g_mu = sp.Matrix([[a11, a12], [a12, a22]])
    g_full = (g_mu.inv() + sig * f1 * f1.T).inv()
    q_mu = (f1.T * g_mu * f1)[0, 0]
    sm = qq / (1 + sig * qq)
    if sp.cancel((f1.T * g_full * f1)[0, 0] - sm.subs(qq, q_mu)) != 0:            # pragma: no cover
        raise RuntimeError("Sherman-Morrison step failed")

    dd = sp.Symbol("d_f", positive=True)
    xs = list(f1)
    form = (f1.T * g_mu * f1)[0, 0]
    mean = form
    second = form**2
    for xi in xs:
        mean = S.gaussian_expectation(mean, xi, 0, 1 / dd)
        second = S.gaussian_expectation(second, xi, 0, 1 / dd)
    mean = sp.simplify(mean)
    variance = sp.factor(sp.simplify(second - mean**2))
    if sp.simplify(mean - g_mu.trace() / dd) != 0 or \
            sp.simplify(variance - 2 * (g_mu * g_mu).trace() / dd**2) != 0:      # pragma: no cover
        raise RuntimeError(f"quadratic-form moments: {mean}, {variance}")
    return ResolventCavity(
        trace_identity=trace_identity, sigma=sig, Q=qq, sherman_morrison=sm,
        column_term=sp.simplify(sig * sm), quadratic_mean=mean, quadratic_variance=variance,
        assumptions=("large-d limit", "self-averaging (quadratic forms concentrate)",
                     "i.i.d. Gaussian embedding F"),
    )


# --- Stieltjes equation and edges -------------------------------------------------------------------

@dataclass(frozen=True)
class StieltjesPolynomial:
    r"""The self-consistent equation of :math:`\rho_B` for K variance groups, and its edge condition.

    Attributes
    ----------
    K : int
    g, z : sympy.Symbol
    fractions, variances : tuple of sympy.Symbol
        :math:`f_1..f_K`, :math:`v_1..v_K` (positive).
    self_consistent : sympy.Expr
        :math:`g\,(-z + \sum_k f_k v_k/(1 + v_k g)) - 1` (= 0).
    polynomial : sympy.Expr
        ``self_consistent`` times :math:`\prod_k(1 + v_k g)`, expanded: degree K + 1 in g.
    coefficients : tuple of sympy.Expr
        Its coefficients in ascending powers of g (each affine in z).
    z_of_g : sympy.Expr
        :math:`z(g) = -1/g + \sum_k f_k v_k/(1 + v_k g)`, the functional inverse of g(z).
    edge_condition : sympy.Expr
        :math:`z'(g)`.
    edge_polynomial : sympy.Expr
        :math:`z'(g)\, g^2 \prod_k (1 + v_k g)^2`, expanded: degree 2K in g.
    edge_coefficients : tuple of sympy.Expr
        Its coefficients in ascending powers of g.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (replica spectrum);
    docs/theory/spectral-gaps.md sec. 2.2; Silverstein and Bai (1995).
    """

    K: int
    g: sp.Symbol
    z: sp.Symbol
    fractions: tuple[sp.Symbol, ...]
    variances: tuple[sp.Symbol, ...]
    self_consistent: sp.Expr
    polynomial: sp.Expr
    coefficients: tuple[sp.Expr, ...]
    z_of_g: sp.Expr
    edge_condition: sp.Expr
    edge_polynomial: sp.Expr
    edge_coefficients: tuple[sp.Expr, ...]


@functools.cache
def stieltjes_polynomial(K: int) -> StieltjesPolynomial:
    r"""Derive the Stieltjes polynomial of :math:`B = F\Sigma F^T` and its edge polynomial for K groups.

    Parameters
    ----------
    K : int
        Number of variance groups, >= 1.

    Returns
    -------
    StieltjesPolynomial

    Raises
    ------
    ValueError
        For K < 1 or a non-integer K.

    Notes
    -----
    Derived from the traced resolvent identity and the cavity step of :func:`resolvent_cavity`:
    :math:`\frac1d\sum_\mu \sigma_\mu Q_\mu/(1 + \sigma_\mu Q_\mu) - zg = 1` with
    :math:`Q_\mu \to g`, the columns grouped by variance (fraction :math:`f_k` of d at variance
    :math:`v_k`).  This is the companion form of Silverstein's sample-covariance model
    (:math:`B = \frac1d X^T\Sigma X`, X standard Gaussian):
    :math:`g(z) = \frac1d\operatorname{tr}(B - z)^{-1}` solves

    .. math:: g = \Big(-z + \sum_k \frac{f_k v_k}{1 + v_k g}\Big)^{-1}
              \iff z(g) = -\frac1g + \sum_k \frac{f_k v_k}{1 + v_k g}.

    sympy clears the denominators (:func:`sympy.cancel` of the product with
    :math:`\prod_k(1 + v_k g)`) into a polynomial of degree K + 1 in g whose coefficients are affine
    in z, e.g. for K = 2 the cubic of docs/theory/spectral-gaps.md sec. 2.2,

    .. math:: g[-z(1+v_1g)(1+v_2g) + f_1v_1(1+v_2g) + f_2v_2(1+v_1g)] - (1+v_1g)(1+v_2g) = 0.

    The edges of the support are :math:`z(g^*)` at the real critical points,

    .. math:: z'(g^*) = 0 \iff \frac{1}{g^{*2}} = \sum_k \frac{f_k v_k^2}{(1 + v_k g^*)^2},

    cleared into a polynomial of degree 2K; the poles :math:`g = 0, -1/v_k` are not roots of it
    (its value there is 1 and :math:`-f_k v_k^2 g^2\prod_{j\ne k}(1 + v_j g)^2 \ne 0`).

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3 (replica computation of the spectrum);
    docs/theory/spectral-gaps.md sec. 2.2 [D]; J. W. Silverstein, Z. D. Bai, J. Multivariate
    Anal. 54 (1995) 175; J. W. Silverstein, S.-I. Choi, J. Multivariate Anal. 54 (1995) 295.
    """
    if not isinstance(K, int) or K < 1:
        raise ValueError(f"K must be an integer >= 1 (got {K!r})")
    fs = sp.symbols(f"f_1:{K + 1}", positive=True)
    vs = sp.symbols(f"v_1:{K + 1}", positive=True)
    cav = resolvent_cavity()
    # (1/d) sum over the columns, grouped by variance: sum_k f_k sigma Q/(1 + sigma Q) at Q = g
    column_sum = sum(fk * cav.column_term.subs({cav.sigma: vk, cav.Q: g})
                     for fk, vk in zip(fs, vs, strict=True))
    self_consistent = sp.expand(column_sum - z * g - 1)
    sigma_sum = sp.expand(column_sum / g)
    denominators = sp.Mul(*[(1 + vk * g) for vk in vs])
    poly = sp.expand(sp.cancel(self_consistent * denominators))
    coeffs = tuple(sp.Poly(poly, g).all_coeffs()[::-1])
    z_of_g = -1 / g + sigma_sum
    dz = sp.diff(z_of_g, g)
    edge = sp.expand(sp.cancel(dz * g**2 * denominators**2))
    edge_coeffs = tuple(sp.Poly(edge, g).all_coeffs()[::-1])
    if len(coeffs) != K + 2 or len(edge_coeffs) != 2 * K + 1:      # pragma: no cover
        raise RuntimeError(f"unexpected degrees {len(coeffs) - 1}, {len(edge_coeffs) - 1} for K={K}")
    return StieltjesPolynomial(K, g, z, fs, vs, self_consistent, poly, coeffs, z_of_g, dz, edge,
                               edge_coeffs)


@dataclass(frozen=True)
class MarchenkoPastur:
    r"""One variance group (K = 1): the Marchenko-Pastur law of B.

    Attributes
    ----------
    f, v, lam : sympy.Symbol
    critical_points : tuple of sympy.Expr
        The two roots :math:`g^* = -1/(v(1 \mp \sqrt f))` of the edge polynomial.
    edges : tuple of sympy.Expr
        :math:`(\gamma_-, \gamma_+) = (v(1 - \sqrt f)^2, v(1 + \sqrt f)^2)`.
    discriminant : sympy.Expr
        Discriminant of the quadratic in g at :math:`z = \lambda`; negative inside the bulk.
    density : sympy.Expr
        :math:`\frac1\pi\operatorname{Im} g = \sqrt{-\mathrm{disc}}/(2\pi v\lambda)
        = \sqrt{(\gamma_+ - \lambda)(\lambda - \gamma_-)}/(2\pi v\lambda)`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2, eq. 16; Marchenko and Pastur (1967).
    docs/theory/spectral-gaps.md sec. 2.2.
    """

    f: sp.Symbol
    v: sp.Symbol
    lam: sp.Symbol
    critical_points: tuple[sp.Expr, ...]
    edges: tuple[sp.Expr, sp.Expr]
    discriminant: sp.Expr
    density: sp.Expr


@functools.cache
def marchenko_pastur() -> MarchenkoPastur:
    r"""Derive the Marchenko-Pastur edges and density of B from the K = 1 polynomials.

    Notes
    -----
    The edge polynomial :math:`(1 + vg)^2 - fv^2g^2` has the roots :math:`g^* = -1/(v(1 \mp \sqrt
    f))`, and :math:`z(g^*) = v(1 \mp \sqrt f)^2` (the paper's eq. 16 with :math:`\tau = v`).  The
    quadratic :math:`-zvg^2 + (fv - z - v)g - 1 = 0` has the discriminant
    :math:`(z + v - fv)^2 - 4zv = (z - \gamma_-)(z - \gamma_+)`; inside the bulk the root with
    Im g > 0 has :math:`\operatorname{Im} g = \sqrt{-\mathrm{disc}}/(2v\lambda)`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6.2, eq. 16 (as quoted by the reviews); theory
    docs/theory/spectral-gaps.md sec. 2.2; V. A. Marchenko, L. A. Pastur, Mat. Sb. 72 (1967) 507.
    """
    sp1 = stieltjes_polynomial(1)
    f, v = sp1.fractions[0], sp1.variances[0]
    crit = tuple(sp.solve(sp1.edge_polynomial, g))
    edges = sorted((_via_squares(sp1.z_of_g.subs(g, c), (f,)) for c in crit),
                   key=lambda e: float(e.subs({f: sp.Rational(1, 4), v: 1})))
    quad = sp.Poly(sp1.polynomial.subs(z, lam), g)
    a2, a1, a0 = quad.all_coeffs()
    disc = sp.factor(sp.expand(a1**2 - 4 * a2 * a0))
    if sp.simplify(a2 + v * lam) != 0:                                  # pragma: no cover
        raise RuntimeError(f"unexpected leading coefficient {a2} of the K = 1 quadratic")
    density = sp.sqrt(_via_squares(-disc, (f,))) / (2 * sp.pi * v * lam)
    return MarchenkoPastur(f, v, lam, crit, (edges[0], edges[1]), disc, density)


# --- gaps ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GapDerivation:
    r"""Gap heights in units of :math:`\mu = s/(s+\lambda)` and their extremal and threshold points.

    Attributes
    ----------
    s, a, b, gamma, threshold : sympy.Symbol
        Noise ratio, gap edges a < b of B, lowest edge :math:`\gamma_-`, threshold :math:`\Delta`.
    intermediate : sympy.Expr
        :math:`s/(s+a) - s/(s+b)`, factored: :math:`s(b-a)/((s+a)(s+b))`.
    s_max : sympy.Expr
        The stationary point :math:`\sqrt{ab}` (the paper's eqs. 9/22 "t_max").
    height : sympy.Expr
        :math:`(\sqrt b - \sqrt a)/(\sqrt b + \sqrt a)`.
    threshold_quadratic : sympy.Expr
        :math:`\Delta s^2 + (\Delta(a+b) - (b-a))s + \Delta ab` (= 0 where the gap equals
        :math:`\Delta`).
    s_open, s_close : sympy.Expr
        Its larger and smaller root.
    root_product : sympy.Expr
        :math:`s_+ s_- = ab` (Vieta; :math:`= s_{max}^2`).
    manifold : sympy.Expr
        :math:`1 - s/(s+\gamma_-) = \gamma_-/(s+\gamma_-)`.
    manifold_open, manifold_consolidated : sympy.Expr
        Solutions of manifold = :math:`\Delta` and = :math:`1 - \Delta`.
    width, width_peak, width_max : sympy.Expr
        Single-bulk width :math:`s/(s+\gamma_-) - s/(s+\gamma_+)` on :math:`[\gamma_-, \gamma_+]`,
        its stationary point :math:`\sqrt{\gamma_+\gamma_-}` and maximum.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15, 17, 18, 20-22 and 25; docs/theory/spectral-gaps.md
    secs. 2.3-2.5.
    """

    s: sp.Symbol
    a: sp.Symbol
    b: sp.Symbol
    gamma: sp.Symbol
    threshold: sp.Symbol
    intermediate: sp.Expr
    s_max: sp.Expr
    height: sp.Expr
    threshold_quadratic: sp.Expr
    s_open: sp.Expr
    s_close: sp.Expr
    root_product: sp.Expr
    manifold: sp.Expr
    manifold_open: sp.Expr
    manifold_consolidated: sp.Expr
    width: sp.Expr
    width_peak: sp.Expr
    width_max: sp.Expr


@functools.cache
def gap_derivation() -> GapDerivation:
    r"""Derive the intermediate and manifold gaps, their peak, height and threshold crossings.

    Notes
    -----
    A bulk of B on :math:`[\gamma_-, \gamma_+]` occupies :math:`[s/(s+\gamma_+), s/(s+\gamma_-)]`
    in :math:`\mu`.  Between a lower bulk ending at a and a higher bulk starting at b > a:

    .. math:: \Delta_{inter}(s) = \frac{s(b-a)}{(s+a)(s+b)},\quad
              \partial_s\Delta_{inter} = 0 \Rightarrow s_{max} = \sqrt{ab},\quad
              \Delta_{max} = \frac{\sqrt b - \sqrt a}{\sqrt b + \sqrt a};

    :math:`\Delta_{inter} = \Delta` is the quadratic
    :math:`\Delta s^2 + (\Delta(a+b) - (b-a))s + \Delta ab = 0` with :math:`s_+ s_- = ab`.
    The manifold gap :math:`\gamma_-/(s+\gamma_-)` equals :math:`\Delta` at
    :math:`\gamma_-(1-\Delta)/\Delta` and :math:`1-\Delta` at :math:`\gamma_-\Delta/(1-\Delta)`.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15, 17, 18, 20-22, 25 (as quoted by the reviews;
    eq. 22's "t_max" is a noise variance); docs/theory/spectral-gaps.md secs. 2.3-2.5 [D].
    """
    a, b, gam, thr = sp.symbols("a b gamma Delta_thr", positive=True)
    inter = sp.factor(s / (s + a) - s / (s + b))
    crit = [r for r in sp.solve(sp.diff(inter, s), s) if r.is_positive is not False]
    s_max = S.pick_real_root(crit, {a: 0.3, b: 2.0})
    height = _via_squares(inter.subs(s, s_max), (a, b))
    num, _ = sp.fraction(sp.together(inter - thr))
    quad = sp.expand(-num)
    roots = sp.solve(quad, s)
    point = {a: 0.3, b: 2.0, thr: 0.1}
    roots = sorted(roots, key=lambda r: float(r.evalf(subs=point)))
    product = sp.factor(sp.simplify(sp.expand(roots[0] * roots[1])))
    manifold = sp.factor(1 - s / (s + gam))
    m_open = sp.solve(manifold - thr, s)[0]
    m_cons = sp.solve(manifold - (1 - thr), s)[0]
    gp, gm = sp.symbols("gamma_p gamma_m", positive=True)
    width = sp.factor(s / (s + gm) - s / (s + gp))
    w_peak = S.pick_real_root(sp.solve(sp.diff(width, s), s), {gp: 2.0, gm: 0.3})
    w_max = _via_squares(width.subs(s, w_peak), (gp, gm))
    return GapDerivation(s, a, b, gam, thr, inter, s_max, height, quad, roots[1], roots[0], product,
                         manifold, m_open, m_cons, width, w_peak, w_max)


# --- empirical score -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmpiricalScoreJacobian:
    r"""Score and Jacobian of the empirical score for n symbolic points in d dimensions.

    Attributes
    ----------
    n, d : int
    x : sympy.Matrix
        The point (d x 1).
    points : tuple of sympy.Matrix
        Training points :math:`a^\mu` (d x 1 each).
    E, Delta : sympy.Symbol
        Stand-ins for :math:`e^{-t}` and :math:`\Delta_t`.
    weights : tuple of sympy.Expr
        :math:`w_\mu = u_\mu/\sum_\nu u_\nu` in the symbols ``u`` standing for
        :math:`\exp(-|x - e^{-t}a^\mu|^2/(2\Delta_t))`.
    u : tuple of sympy.Symbol
    score : sympy.Matrix
        :math:`\nabla_x \log\sum_\mu u_\mu`, with the exponentials replaced by ``u``.
    hessian : sympy.Matrix
        Its Jacobian (the Hessian of :math:`\log P_t^e`).
    score_closed_form : sympy.Matrix
        :math:`(e^{-t}\sum_\mu w_\mu a^\mu - x)/\Delta_t`.
    jacobian_closed_form : sympy.Matrix
        :math:`-I/\Delta_t + e^{-2t}\operatorname{Cov}_w(a)/\Delta_t^2`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (empirical-score Jacobian); Biroli et al. (2024),
    arXiv:2402.18491, eq. 2; docs/theory/spectral-gaps.md sec. 2.7.
    """

    n: int
    d: int
    x: sp.Matrix
    points: tuple[sp.Matrix, ...]
    E: sp.Symbol
    Delta: sp.Symbol
    u: tuple[sp.Symbol, ...]
    weights: tuple[sp.Expr, ...]
    score: sp.Matrix
    hessian: sp.Matrix
    score_closed_form: sp.Matrix
    jacobian_closed_form: sp.Matrix


@functools.cache
def empirical_score_jacobian(n: int = 3, d: int = 2) -> EmpiricalScoreJacobian:
    r"""Derive the Jacobian of the empirical score from its weights, for n points in d dimensions.

    Parameters
    ----------
    n, d : int
        Number of symbolic training points (>= 1) and dimension (>= 1); the result holds for any
        n, d (the derivation is index by index); small values keep sympy fast.

    Returns
    -------
    EmpiricalScoreJacobian
        Raises RuntimeError if sympy finds the Hessian different from the closed form.

    Notes
    -----
    :math:`\log P_t^e(x) = \log\sum_\mu e^{q_\mu(x)} + \mathrm{const}`,
    :math:`q_\mu = -|x - e^{-t}a^\mu|^2/(2\Delta_t)`.  sympy differentiates with the :math:`q_\mu`
    as undefined functions, then inserts :math:`\partial_i q_\mu = (e^{-t}a^\mu_i - x_i)/\Delta_t`,
    :math:`\partial_i\partial_j q_\mu = -\delta_{ij}/\Delta_t` and :math:`e^{q_\mu} = u_\mu`, and
    checks (:func:`sympy.cancel`) that

    .. math:: \nabla s = \sum_\mu w_\mu\partial^2 q_\mu + \mathrm{Cov}_w(\nabla q)
              = -\frac{I}{\Delta_t} + \frac{e^{-2t}}{\Delta_t^2}\operatorname{Cov}_w(a),\qquad
              \partial_j w_\mu = w_\mu\, e^{-t}(a^\mu_j - \bar a_j)/\Delta_t.

    In VE variables (:math:`x \to e^{t}x`, :math:`s = e^{2t} - 1`) this is the form of
    docs/theory/spectral-gaps.md sec. 2.7, :math:`J = -I/s + \mathrm{Cov}_w(a)/s^2`.

    References
    ----------
    docs/theory/spectral-gaps.md sec. 2.7 [D]; Achilli et al. (2024), "Losing dimensions",
    arXiv:2410.08727 (empirical-score Jacobian); Biroli et al. (2024), eq. 2.
    """
    for name, val in (("n", n), ("d", d)):
        if not isinstance(val, int) or val < 1:
            raise ValueError(f"{name} must be an integer >= 1 (got {val!r})")
    E, D = S.E, S.Delta
    xs = sp.symbols(f"x_0:{d}", real=True)
    xv = sp.Matrix(xs)
    pts = tuple(sp.Matrix(sp.symbols(f"a{m}_0:{d}", real=True)) for m in range(n))
    q = [sp.Function(f"q{m}")(*xs) for m in range(n)]
    u = sp.symbols(f"u_0:{n}", positive=True)
    log_z = sp.log(sum(sp.exp(qm) for qm in q))
    explicit = [-(xv - E * a).dot(xv - E * a) / (2 * D) for a in pts]
    rules = {}
    for m in range(n):
        for i in range(d):
            rules[sp.Derivative(q[m], xs[i])] = sp.diff(explicit[m], xs[i])
            for j in range(d):
                rules[sp.Derivative(q[m], xs[i], xs[j])] = sp.diff(explicit[m], xs[i], xs[j])
    to_u = {sp.exp(q[m]): u[m] for m in range(n)}

    def reduce(expr):
        return sp.cancel(expr.subs(rules).subs(to_u))

    score = sp.Matrix([sp.diff(log_z, xi) for xi in xs]).applyfunc(reduce)
    hess = sp.hessian(log_z, xs).applyfunc(reduce)
    total = sum(u)
    w = tuple(um / total for um in u)
    mean = sum((wm * a for wm, a in zip(w, pts, strict=True)), sp.zeros(d, 1))
    cov = sum((wm * (a - mean) * (a - mean).T for wm, a in zip(w, pts, strict=True)), sp.zeros(d, d))
    score_cf = (E * mean - xv) / D
    jac_cf = -sp.eye(d) / D + E**2 * cov / D**2
    if (hess - jac_cf).applyfunc(sp.cancel) != sp.zeros(d, d) or \
            (score - score_cf).applyfunc(sp.cancel) != sp.zeros(d, 1):   # pragma: no cover
        raise RuntimeError("Hessian of log P_t^e differs from -I/Delta + e^{-2t} Cov_w/Delta^2")
    return EmpiricalScoreJacobian(n, d, xv, pts, E, D, u, w, score, hess, score_cf, jac_cf)
