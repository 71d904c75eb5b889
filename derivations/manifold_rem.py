r"""Geometric memorization: the random-energy-model (REM) reading of the empirical score on a
linear manifold, direction by direction and subspace by subspace.

Three derivations, each returning a frozen dataclass of sympy expressions (cached per process):

- :func:`direction_rem` -- the per-direction REM behind the authors' theory formula: Boltzmann
  weights over training points seen from a probe :math:`x = \sqrt t\,e_i`, the variance of their
  energies for data on the sphere (gate g = 0) and for Gaussian data (g = 1, with the norm term),
  the condensation condition (energy variance = 2 log n), and its solutions: the critical time of
  direction i and the critical dataset size at fixed time; VE variance and OU forms.
- :func:`subspace_rem` -- the subspace-resolved form in the :math:`n = e^{\alpha d}` regime
  (**an extension**: in neither the paper nor the authors' code; docs/theory/losing-dimensions.md sec. 2.4).
- :func:`global_collapse_criterion` -- the Biroli et al. global criterion (log n = mutual
  information between :math:`x_t` and :math:`x_0`) for comparison (docs/theory/losing-dimensions.md sec. 2.5).

Time variables: ``t_ve`` is the VE noise variance (the bare t of docs/theory/losing-dimensions.md secs. 1-4,
the authors' convention); ``t`` the project's OU time, with :math:`t_{VE} = e^{2t} - 1 = \Delta_t e^{2t}`.

References
----------
Achilli, Ventura, Silvestri, Pham, Raya, Krotov, Lucibello, Ambrogioni, "Losing dimensions:
geometric memorization in generative diffusion", arXiv:2410.08727 (2024); the authors' theory
notebook (``plots_synthetic_theory.ipynb``, final cell) as transcribed in
docs/theory/losing-dimensions.md secs. 2.1-2.5.  B. Derrida, "Random-energy model", Phys. Rev. B 24, 2613
(1981) (condensation at energy variance 2 log n; participation ratio in the frozen phase).

Examples
--------
The per-direction critical time on the sphere (g = 0), :math:`\sigma_i^2/(2\log n)` in VE
variance:

>>> from derivations.manifold_rem import direction_rem
>>> direction_rem().critical_time_sphere
sigma_i**2/(2*L)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S

__all__ = [
    "DirectionREM", "SubspaceREM", "GlobalCollapseCriterion",
    "direction_rem", "subspace_rem", "global_collapse_criterion",
]

# --- symbols of this subject (VE variance, per-direction parameters) ---------------------------------
t_ve = sp.Symbol("t_VE", positive=True)
r"""VE noise variance :math:`t_{VE} = e^{2t} - 1`."""
sigma_i = sp.Symbol("sigma_i", positive=True)
"""Standard deviation of the probed coordinate (of its subspace)."""
q4 = sp.Symbol("Q_4", positive=True)
r""":math:`Q_4 = \sum_j \sigma_j^4` over all d coordinates (:math:`\sum_k d_k\sigma_k^4`)."""
gate = sp.Symbol("g", nonnegative=True)
"""Gate: 0 for data on the sphere (constant norm), 1 for Gaussian data."""
log_n = sp.Symbol("L", positive=True)
r""":math:`L = \log n`."""
d_k = sp.Symbol("d_k", positive=True)
"""Dimension of subspace k."""
psi = sp.Symbol("psi_k", positive=True)
r"""Dimension fraction :math:`\psi_k = d_k/d`."""
y_i = sp.Symbol("y_i", real=True)
"""Coordinate i of a training point."""
y_sq = sp.Symbol("y_sq", nonnegative=True)
r""":math:`|y|^2` of a training point."""
zeta = sp.Symbol("zeta", real=True)
"""Standard normal variable (one coordinate of a Gaussian training point)."""


def _moment(expr: sp.Expr) -> sp.Expr:
    """E over zeta ~ N(0, 1) of a polynomial in zeta (sympy Gaussian integration)."""
    return sp.simplify(S.gaussian_expectation(expr, zeta, 0, 1))


def _linear_variance(energy: sp.Expr, var_yi: sp.Expr, var_ysq: sp.Expr, cov: sp.Expr) -> sp.Expr:
    """Variance of an energy linear in (y_i, |y|^2) from the variances and covariance."""
    a, b = sp.diff(energy, y_i), sp.diff(energy, y_sq)
    if sp.diff(a, y_i) != 0 or sp.diff(b, y_sq) != 0 or sp.diff(a, y_sq) != 0:
        raise RuntimeError(f"energy {energy} is not linear in y_i and |y|^2")
    return sp.factor(a**2 * var_yi + b**2 * var_ysq + 2 * a * b * cov)


@dataclass(frozen=True)
class DirectionREM:
    r"""Symbolic per-direction REM of the empirical score on a linear manifold.

    Attributes
    ----------
    t_ve, t, sigma_i, q4, gate, log_n, d, y_i, y_sq : sympy.Symbol
        VE variance, OU time, probed standard deviation, :math:`Q_4 = \sum_j\sigma_j^4`, gate g,
        :math:`L = \log n`, dimension, coordinate i and squared norm of a training point.
    log_weight : sympy.Expr
        :math:`-|x - y|^2/(2t_{VE})` at the probe :math:`x = \sqrt{t_{VE}}\,e_i`.
    energy : sympy.Expr
        :math:`E = -y_i/\sqrt{t_{VE}} + |y|^2/(2t_{VE})` (log-weight up to a y-independent constant,
        sign flipped; Boltzmann weights :math:`w_\mu \propto e^{-E_\mu}`, :math:`\beta = 1`).
    coordinate_variance, square_variance, cross_covariance : sympy.Expr
        :math:`\mathrm{Var}(\sigma\zeta) = \sigma^2`, :math:`\mathrm{Var}(\sigma^2\zeta^2) = 2\sigma^4`,
        :math:`\mathrm{Cov}(\sigma\zeta, \sigma^2\zeta^2) = 0`, integrated by sympy.
    energy_variance : sympy.Expr
        :math:`v_i(t_{VE}) = [g Q_4/2 + t_{VE}\sigma_i^2]/t_{VE}^2`.
    energy_variance_ou : sympy.Expr
        Same at the OU probe :math:`x = \sqrt{\Delta_t} e_i` with weights
        :math:`\propto e^{-|x - e^{-t}y|^2/(2\Delta_t)}`:
        :math:`[g Q_4 e^{-4t}/2 + \Delta_t\sigma_i^2 e^{-2t}]/\Delta_t^2`.
    condensation : sympy.Eq
        :math:`v_i(t_{VE}) = 2L`.
    critical_time : sympy.Expr
        :math:`t_C^{(i)}` (VE), the positive root of the condensation condition.
    critical_time_sphere : sympy.Expr
        g = 0: :math:`\sigma_i^2/(2L)`.
    norm_critical_time : sympy.Expr
        g = 1, norm term only: :math:`t_C^{(0)} = \sqrt{Q_4/(4L)}`.
    critical_time_ou : sympy.Expr
        :math:`\tfrac12\log(1 + t_C^{(i)})`.
    log_critical_size : sympy.Expr
        :math:`\log n_C^{(i)}(t_{VE}) = v_i/2`, the solution of the condensation condition for L.
    log_critical_size_ou : sympy.Expr
        Same in OU time.
    critical_alpha : sympy.Expr
        :math:`\alpha_C^{(i)} = \log n_C^{(i)}/d`.
    threshold_time : sympy.Expr
        The authors' ``t_c(t)`` = :math:`\sqrt{(gQ_4/2 + t\sigma_i^2)/(2L)} = t\sqrt{v_i/(2L)}`.
    rem_participation : sympy.Expr
        Frozen-phase participation ratio :math:`Y = 1 - \sqrt{2L/v_i}` (Derrida), valid for
        :math:`v_i > 2L`.
    amplitude : sympy.Expr
        The authors' ``phi`` = :math:`1/t - 1/t_c(t)` (before the max with 0), equal to
        :math:`Y/t` (checked by the tests).

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (the authors' theory formula for the figure); the REM
    reading of docs/theory/losing-dimensions.md secs. 2.2-2.3; Derrida (1981).
    """

    t_ve: sp.Symbol
    t: sp.Symbol
    sigma_i: sp.Symbol
    q4: sp.Symbol
    gate: sp.Symbol
    log_n: sp.Symbol
    d: sp.Symbol
    y_i: sp.Symbol
    y_sq: sp.Symbol
    log_weight: sp.Expr
    energy: sp.Expr
    coordinate_variance: sp.Expr
    square_variance: sp.Expr
    cross_covariance: sp.Expr
    energy_variance: sp.Expr
    energy_variance_ou: sp.Expr
    condensation: sp.Eq
    critical_time: sp.Expr
    critical_time_sphere: sp.Expr
    norm_critical_time: sp.Expr
    critical_time_ou: sp.Expr
    log_critical_size: sp.Expr
    log_critical_size_ou: sp.Expr
    critical_alpha: sp.Expr
    threshold_time: sp.Expr
    rem_participation: sp.Expr
    amplitude: sp.Expr


def _positive_root(roots: list[sp.Expr], var: sp.Symbol) -> sp.Expr:
    point = {sigma_i: 0.7, q4: 3.1, gate: 1, log_n: 6.9}
    good = [r for r in roots if complex(r.evalf(30, subs=point)).real > 0]
    if len(good) != 1:
        raise RuntimeError(f"no unique positive root for {var}: {roots}")
    return good[0]


@functools.cache
def direction_rem() -> DirectionREM:
    r"""Derive the per-direction REM of the empirical score and its condensation thresholds.

    Returns
    -------
    DirectionREM
        Derived once per process (cached).

    Notes
    -----
    (i) *Weights.*  The empirical measure at VE variance t is
    :math:`\hat p_t(x) = n^{-1}\sum_\mu N(x; y_\mu, tI)`; at the probe :math:`x = \sqrt t\,e_i`,

    .. math::
        \log w_\mu = -\frac{|x - y_\mu|^2}{2t} + \text{const}
        = \frac{y_{\mu i}}{\sqrt t} - \frac{|y_\mu|^2}{2t} + \text{const},

    a REM with energies :math:`E_\mu = -y_{\mu i}/\sqrt t + |y_\mu|^2/(2t)` at :math:`\beta = 1`.

    (ii) *Energy variance.*  With :math:`y_{\mu j} = \sigma_j\zeta_j` (independent coordinates),
    sympy integrates :math:`\mathrm{Var}(\sigma\zeta) = \sigma^2`,
    :math:`\mathrm{Var}(\sigma^2\zeta^2) = 2\sigma^4` and :math:`\mathrm{Cov} = E\zeta^3\sigma^3 = 0`;
    summing the squares over the d coordinates gives :math:`\mathrm{Var}|y|^2 = 2Q_4` for Gaussian
    data and 0 on the sphere (:math:`|y| = 1`), i.e. a gate g:

    .. math::
        v_i(t) = \frac{g\,Q_4/2 + t\sigma_i^2}{t^2},\qquad Q_4 = \sum_j \sigma_j^4.

    OU form (probe :math:`\sqrt{\Delta_t}e_i`, weights
    :math:`\propto e^{-|x - e^{-t}y|^2/(2\Delta_t)}`):
    :math:`v_i = [g Q_4 e^{-4t}/2 + \Delta_t\sigma_i^2e^{-2t}]/\Delta_t^2`, equal to the VE form at
    :math:`t_{VE} = e^{2t} - 1`.

    (iii) *Condensation* (Derrida's REM, energies treated as i.i.d. Gaussian): :math:`v_i = 2\log n`.
    Solved for t (the positive root of :math:`2Lt^2 - \sigma_i^2 t - gQ_4/2 = 0`):

    .. math::
        t_C^{(i)} = \tfrac12\Big[\frac{\sigma_i^2}{2L}
                    + \sqrt{\frac{\sigma_i^4}{4L^2} + \frac{g\,Q_4}{L}}\Big],

    :math:`\sigma_i^2/(2L)` on the sphere; the norm term alone gives :math:`t_C^{(0)} =
    \sqrt{Q_4/(4L)}`.  Solved for L: :math:`\log n_C^{(i)}(t) = v_i(t)/2`.

    (iv) The authors' threshold ``t_c(t)`` satisfies :math:`t_c(t)^2 = t^2 v_i/(2L)`, so their
    condensation amplitude ``phi`` :math:`= 1/t - 1/t_c(t) = Y/t` with the frozen-phase REM
    participation ratio :math:`Y = 1 - \sqrt{2L/v_i}`.

    Assumptions (docs/theory/losing-dimensions.md sec. 2.2): the energies are treated as i.i.d. *Gaussian*;
    sec. 2.6 shows by Monte Carlo that this is only qualitative for the paper's toy data (bounded tails on the
    sphere, chi-square norm term for Gaussian data).

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727, theory code of the paper's figure
    (docs/theory/losing-dimensions.md sec. 2.1, ``t_c``, ``t_c0``, ``phi``); derived readings:
    docs/theory/losing-dimensions.md secs. 2.2 (REM, [D]) and 2.3 (closed forms, [D]); Derrida (1981).
    """
    t, L, half = t_ve, log_n, sp.Rational(1, 2)
    probe = sp.sqrt(t)
    # |x - y|^2 with x = sqrt(t) e_i: |x|^2 - 2 x.y + |y|^2
    log_weight = -(probe**2 - 2 * probe * y_i + y_sq) / (2 * t)
    energy = sp.expand(-(log_weight - log_weight.subs({y_i: 0, y_sq: 0})))

    var_coord = _moment((sigma_i * zeta) ** 2) - _moment(sigma_i * zeta) ** 2
    var_square = sp.factor(_moment((sigma_i**2 * zeta**2) ** 2) - _moment(sigma_i**2 * zeta**2) ** 2)
    cov = _moment(sigma_i * zeta * sigma_i**2 * zeta**2) - _moment(sigma_i * zeta) * _moment(
        sigma_i**2 * zeta**2)
    # the squared norm sums independent squares: Var|y|^2 = sum_j var_square(sigma_j) = (2) Q_4
    per_sigma4 = sp.simplify(var_square / sigma_i**4)
    var_norm = gate * per_sigma4 * q4
    cov_norm = cov  # only coordinate i of |y|^2 correlates with y_i
    v = sp.factor(_linear_variance(energy, var_coord, var_norm, cov_norm))

    # OU: x = sqrt(Delta) e_i, weights exp(-|x - E y|^2 / (2 Delta)), E = e^{-t}
    D, E = S.Delta, S.E
    lw_ou = -(D - 2 * sp.sqrt(D) * E * y_i + E**2 * y_sq) / (2 * D)
    e_ou = sp.expand(-(lw_ou - lw_ou.subs({y_i: 0, y_sq: 0})))
    v_ou = sp.factor(_linear_variance(e_ou, var_coord, var_norm, cov_norm))

    cond = sp.Eq(v, 2 * L)
    t_c = sp.simplify(_positive_root(sp.solve(sp.numer(sp.together(v - 2 * L)), t), t))
    t_c_sphere = sp.simplify(t_c.subs(gate, 0))
    t_c0 = _positive_root(sp.solve(sp.Eq(v.subs(sigma_i, 0).subs(gate, 1), 2 * L), t), t)
    log_nc = sp.solve(cond, L)
    if len(log_nc) != 1:
        raise RuntimeError(f"condensation condition has no unique solution for L: {log_nc}")
    threshold = sp.sqrt(t**2 * v / (2 * L))
    participation = 1 - sp.sqrt(2 * L / v)
    return DirectionREM(
        t_ve=t_ve, t=S.t, sigma_i=sigma_i, q4=q4, gate=gate, log_n=L, d=S.d, y_i=y_i, y_sq=y_sq,
        log_weight=log_weight, energy=energy,
        coordinate_variance=var_coord, square_variance=var_square, cross_covariance=cov,
        energy_variance=v, energy_variance_ou=S.to_time(v_ou),
        condensation=cond, critical_time=t_c, critical_time_sphere=t_c_sphere,
        norm_critical_time=t_c0, critical_time_ou=sp.log(1 + t_c) * half,
        log_critical_size=log_nc[0], log_critical_size_ou=S.to_time(v_ou / 2),
        critical_alpha=log_nc[0] / S.d, threshold_time=threshold,
        rem_participation=participation, amplitude=1 / t - 1 / threshold,
    )


@dataclass(frozen=True)
class SubspaceREM:
    r"""Symbolic subspace-resolved REM in the :math:`n = e^{\alpha d}` regime (**extension**).

    Attributes
    ----------
    t_ve, t, sigma_k, d_k, psi, alpha, d : sympy.Symbol
        VE variance, OU time, standard deviation and dimension of subspace k, fraction
        :math:`\psi_k = d_k/d`, :math:`\alpha = \log(n)/d`, dimension.
    cross_energy_variance : sympy.Expr
        :math:`\mathrm{Var}_\mu(x\cdot y_\mu/t_{VE}) = d_k\sigma_k^2/t_{VE}` at the probe
        :math:`x = \sqrt{t_{VE}}\,\xi_k`, :math:`|\xi_k|^2 = d_k`.
    critical_time : sympy.Expr
        :math:`\psi_k\sigma_k^2/(2\alpha)` (VE).
    critical_time_ou : sympy.Expr
        :math:`\tfrac12\log(1 + \psi_k\sigma_k^2/(2\alpha))`.
    critical_alpha : sympy.Expr
        :math:`\alpha_C^{(k)}(t_{VE}) = \psi_k\sigma_k^2/(2t_{VE})`.
    critical_alpha_ou : sympy.Expr
        :math:`\psi_k\sigma_k^2e^{-2t}/(2\Delta_t)`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (setting); extension derived in
    docs/theory/losing-dimensions.md sec. 2.4; Derrida (1981).
    """

    t_ve: sp.Symbol
    t: sp.Symbol
    sigma_k: sp.Symbol
    d_k: sp.Symbol
    psi: sp.Symbol
    alpha: sp.Symbol
    d: sp.Symbol
    cross_energy_variance: sp.Expr
    critical_time: sp.Expr
    critical_time_ou: sp.Expr
    critical_alpha: sp.Expr
    critical_alpha_ou: sp.Expr


@functools.cache
def subspace_rem() -> SubspaceREM:
    r"""Derive the subspace-resolved condensation threshold (an extension,
    docs/theory/losing-dimensions.md sec. 2.4).

    Returns
    -------
    SubspaceREM

    Notes
    -----
    **Extension, not from the paper.**  Probe with a full-norm noise vector restricted to subspace
    k, :math:`x = \sqrt{t}\,\xi_k` with :math:`|\xi_k|^2 = d_k`.  For Gaussian data the cross term
    :math:`x\cdot y_\mu/t = \sum_{j\in k}\xi_j y_{\mu j}/\sqrt t` is exactly Gaussian over
    :math:`\mu` with variance :math:`\sum_{j\in k}\xi_j^2\sigma_k^2/t = d_k\sigma_k^2/t` (sympy sums
    the per-coordinate variance :math:`\xi_j^2\sigma_k^2/t`).  REM condensation at
    :math:`2\log n = 2\alpha d`, with :math:`d_k = \psi_k d`:

    .. math::
        t_C^{(k)} = \frac{\psi_k\sigma_k^2}{2\alpha}\ \text{(VE)},\qquad
        t_C^{(k)} = \tfrac12\log\Big(1 + \frac{\psi_k\sigma_k^2}{2\alpha}\Big)\ \text{(OU)},\qquad
        \alpha_C^{(k)}(t) = \frac{\psi_k\sigma_k^2}{2t}.

    Only the cross term is kept: the norm term :math:`|y_\mu|^2/(2t)` is constant for fixed-norm
    data but has variance :math:`Q_4/(2t^2) = O(d)` for Gaussian data (docs/theory/losing-dimensions.md sec.
    2.4, caveat); compare with :func:`global_collapse_criterion` when norms fluctuate.

    References
    ----------
    docs/theory/losing-dimensions.md sec. 2.4 (extension [D] of Achilli et al. 2024,
    arXiv:2410.08727); Derrida (1981).
    """
    t = t_ve
    sig = sp.Symbol("sigma_k", positive=True)
    xi = sp.Symbol("xi_j", real=True)   # one coordinate of the probe direction
    j, m = sp.symbols("j m", integer=True, positive=True)
    # variance of one cross-term coordinate, xi_j y_j / sqrt(t), y_j = sigma_k zeta
    per_coord = sp.simplify((_moment((xi * sig * zeta / sp.sqrt(t)) ** 2)
                             - _moment(xi * sig * zeta / sp.sqrt(t)) ** 2) / xi**2)
    # sum over the block of xi_j^2 per_coord, with sum_j xi_j^2 = |xi_k|^2 = d_k
    xi_j = sp.IndexedBase("xi")
    block = sp.Sum(xi_j[j] ** 2 * per_coord, (j, 1, m))
    variance = sp.factor(sp.factor_terms(block.doit()).subs(sp.Sum(xi_j[j] ** 2, (j, 1, m)), d_k))
    if variance.has(xi_j):
        raise RuntimeError(f"block sum did not reduce to |xi_k|^2: {variance}")
    alpha, d = S.alpha, S.d
    cond = sp.Eq(variance.subs(d_k, psi * d), 2 * alpha * d)
    roots = sp.solve(cond, t)
    if len(roots) != 1:
        raise RuntimeError(f"no unique critical time: {roots}")
    t_c = sp.simplify(roots[0])
    a_c = sp.solve(cond, alpha)[0]
    a_c_ou = sp.simplify(S.to_time(a_c.subs(t, S.Delta / S.E**2)))
    return SubspaceREM(
        t_ve=t, t=S.t, sigma_k=sig, d_k=d_k, psi=psi, alpha=alpha, d=d,
        cross_energy_variance=variance, critical_time=t_c,
        critical_time_ou=sp.log(1 + t_c) / 2, critical_alpha=a_c, critical_alpha_ou=a_c_ou,
    )


@dataclass(frozen=True)
class GlobalCollapseCriterion:
    r"""Symbolic global (Biroli et al.) collapse criterion for Gaussian data, for comparison.

    Attributes
    ----------
    t_ve, t, sigma, alpha : sympy.Symbol
    mutual_information : sympy.Expr
        Per coordinate, :math:`I(x;y) = H(x) - H(x|y) = \tfrac12\log(1 + \sigma^2/t_{VE})`.
    mutual_information_ou : sympy.Expr
        :math:`\tfrac12\log(1 + \sigma^2e^{-2t}/\Delta_t)`.
    isotropic_critical_time : sympy.Expr
        Root of :math:`\alpha = I` for one variance: :math:`\sigma^2/(e^{2\alpha} - 1)` (VE).
    isotropic_critical_time_ou : sympy.Expr
        :math:`\tfrac12\log(1 + \sigma^2/(e^{2\alpha} - 1))`.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eqs. 5 and 10; docs/theory/dynamical-regimes.md sec. 3.3 and
    docs/theory/losing-dimensions.md sec. 2.5.
    """

    t_ve: sp.Symbol
    t: sp.Symbol
    sigma: sp.Symbol
    alpha: sp.Symbol
    mutual_information: sp.Expr
    mutual_information_ou: sp.Expr
    isotropic_critical_time: sp.Expr
    isotropic_critical_time_ou: sp.Expr


@functools.cache
def global_collapse_criterion() -> GlobalCollapseCriterion:
    r"""Derive the global collapse criterion :math:`\log n = I(x_t; x_0)` for Gaussian data.

    Returns
    -------
    GlobalCollapseCriterion

    Notes
    -----
    Per coordinate, :math:`x = y + \sqrt{t}z` with :math:`y \sim N(0, \sigma^2)`; the Gaussian
    entropies :math:`H = \tfrac12\log(2\pi e\,\mathrm{var})` give
    :math:`I = H(x) - H(x|y) = \tfrac12\log(1 + \sigma^2/t)`, and the criterion
    :math:`\alpha = \log(n)/d = \frac{1}{2d}\sum_j\log(1 + \sigma_j^2/t_{VE})`, i.e. in OU time
    :math:`\frac1d\sum_j\log(1 + \sigma_j^2e^{-2t}/\Delta_t) = 2\alpha`.  For one variance its root
    is :math:`t_{VE} = \sigma^2/(e^{2\alpha} - 1)` (OU: :math:`\tfrac12\log(1 + \sigma^2/(e^{2\alpha}
    - 1))`, Biroli et al. eq. 10).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``) and
    eq. 10; docs/theory/dynamical-regimes.md sec. 3.3 and docs/theory/losing-dimensions.md sec. 2.5.
    """
    t, sig, alpha = t_ve, S.sigma, S.alpha
    entropy = lambda var: sp.log(2 * sp.pi * sp.E * var) / 2  # noqa: E731  (Gaussian entropy)
    mi = sp.simplify(sp.expand_log(entropy(sig**2 + t) - entropy(t), force=True))
    mi = sp.log(sp.simplify(sp.exp(2 * mi))) / 2
    mi_ou = S.to_time(mi.subs(t, S.Delta / S.E**2))
    roots = sp.solve(sp.Eq(mi, alpha), t)
    if len(roots) != 1:
        raise RuntimeError(f"no unique isotropic root: {roots}")
    t_c = sp.simplify(roots[0])
    return GlobalCollapseCriterion(
        t_ve=t, t=S.t, sigma=sig, alpha=alpha, mutual_information=mi, mutual_information_ou=mi_ou,
        isotropic_critical_time=t_c, isotropic_critical_time_ou=sp.log(1 + t_c) / 2,
    )
