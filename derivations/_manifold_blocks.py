r"""Per-block REM thresholds of a linear manifold, from the energy statistics of each block.

The empirical score at VE variance :math:`t` seen from the probe :math:`x = \sqrt t\,e_i` (i a
coordinate of block k) weighs the training points by :math:`e^{-E_\mu}`,
:math:`E_\mu = -y_{\mu i}/\sqrt t + |y_\mu|^2/(2t)`; the squared norm is a sum over the blocks of
the squares of their coordinates, and every moment is integrated per block.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from . import _symbols as S
from ._models import SymbolicManifold, as_symbolic_manifold
from .manifold_rem import direction_rem, gate, log_n, q4, sigma_i, t_ve, y_i, y_sq, zeta

__all__ = ["BlockREM", "manifold_block_rem"]


@dataclass(frozen=True)
class BlockREM:
    r"""Per-block REM of the empirical score on a linear manifold.

    Attributes
    ----------
    model : SymbolicManifold
    t_ve, t, log_n : sympy.Symbol
        VE variance, OU time, :math:`L = \log n`.
    gate : sympy.Expr
        0 on the sphere, 1 for Gaussian data.
    norm_variance : sympy.Expr
        :math:`\mathrm{Var}|y|^2 = g\sum_l d_l\,\mathrm{Var}(y_j^2) = 2g\sum_l d_l v_l^2` (per-block
        Gaussian integrals).
    q4 : sympy.Expr
        :math:`Q_4 = \sum_l d_l v_l^2`, read off ``norm_variance``.
    energy_variances : tuple of sympy.Expr
        :math:`v_k(t_{VE}) = [gQ_4/2 + t_{VE}v_k]/t_{VE}^2`, one per block.
    energy_variances_ou : tuple of sympy.Expr
        The same in OU time (:math:`t_{VE} = e^{2t} - 1`).
    critical_times : tuple of sympy.Expr
        :math:`t_C^{(k)}` (VE), the positive root of :math:`v_k = 2L`.
    critical_times_ou : tuple of sympy.Expr
        :math:`\tfrac12\log(1 + t_C^{(k)})`.
    norm_critical_time : sympy.Expr
        :math:`\sqrt{Q_4/(4L)}` (Gaussian data; the norm term alone).
    log_critical_sizes : tuple of sympy.Expr
        :math:`\log n_C^{(k)}(t_{VE}) = v_k/2`.
    critical_alphas : tuple of sympy.Expr
        :math:`\log n_C^{(k)}/D`, :math:`D = \sum_l d_l`.
    retentions : tuple of sympy.Expr
        :math:`\min(1, \sqrt{2L/v_k})` (one minus the frozen-phase participation ratio).
    assumptions : tuple of str

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (theory formula of the figure);
    ``docs/theory/losing-dimensions.md`` secs. 2.2-2.3; Derrida (1981), Phys. Rev. B 24, 2613.
    """

    model: SymbolicManifold
    t_ve: sp.Symbol
    t: sp.Symbol
    log_n: sp.Symbol
    gate: sp.Expr
    norm_variance: sp.Expr
    q4: sp.Expr
    energy_variances: tuple
    energy_variances_ou: tuple
    critical_times: tuple
    critical_times_ou: tuple
    norm_critical_time: sp.Expr
    log_critical_sizes: tuple
    critical_alphas: tuple
    retentions: tuple
    assumptions: tuple


def _moment(expr: sp.Expr) -> sp.Expr:
    return sp.simplify(S.gaussian_expectation(expr, zeta, 0, 1))


@functools.cache
def _block_moments() -> tuple[sp.Symbol, sp.Expr, sp.Expr, sp.Expr]:
    """Var(y), Var(y^2), Cov(y, y^2) of one coordinate y = sqrt(v) zeta of a block of variance v."""
    v = sp.Symbol("v_block", positive=True)
    y = sp.sqrt(v) * zeta
    var_y = _moment(y**2) - _moment(y) ** 2
    var_y2 = sp.factor(_moment(y**4) - _moment(y**2) ** 2)
    cov = sp.simplify(_moment(y**3) - _moment(y) * _moment(y**2))
    return v, var_y, var_y2, cov


def manifold_block_rem(model) -> BlockREM:
    r"""Derive the per-block REM thresholds of a linear manifold from per-block energy statistics.

    Parameters
    ----------
    model : SymbolicManifold or a numeric linear manifold
        Blocks :math:`(d_k, v_k)`; ``on_sphere`` sets the gate (0 on the sphere, 1 Gaussian).

    Returns
    -------
    BlockREM

    Notes
    -----
    Per block l, one coordinate :math:`y = \sqrt{v_l}\zeta` has (sympy Gaussian integrals)
    :math:`\mathrm{Var}\,y = v_l`, :math:`\mathrm{Var}\,y^2 = 2v_l^2`, :math:`\mathrm{Cov}(y, y^2) = 0`.
    The energy :math:`E = -y_i/\sqrt t + |y|^2/(2t)`, :math:`|y|^2 = \sum_l\sum_{j\in l}y_j^2`, has

    .. math:: \mathrm{Var}\,E = \frac{v_k}{t} + \frac{g\sum_l d_l\,2v_l^2}{4t^2}
              = \frac{gQ_4/2 + tv_k}{t^2},\qquad Q_4 = \sum_l d_lv_l^2,

    (g = 0 on the sphere, where :math:`|y|` is fixed), which is :func:`derivations.direction_rem`'s
    energy variance with :math:`Q_4` now summed from the blocks (checked).  Condensation of a REM
    with Gaussian energies at :math:`\mathrm{Var}\,E = 2\log n` gives the per-block critical times,
    sizes and alphas.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (theory formula ``t_c``, ``t_c0``);
    ``docs/theory/losing-dimensions.md`` secs. 2.2-2.3; Derrida (1981), Phys. Rev. B 24, 2613.

    Examples
    --------
    >>> from derivations import SymbolicManifold, manifold_block_rem
    >>> manifold_block_rem(SymbolicManifold([2, 5], [1, 0.09], 7, on_sphere=True)).critical_times
    (1/(2*L), 9/(200*L))
    """
    return _manifold_block_rem(as_symbolic_manifold(model))


@functools.lru_cache(maxsize=32)
def _manifold_block_rem(man: SymbolicManifold) -> BlockREM:
    v, var_y, var_y2, cov = _block_moments()
    g = sp.S.Zero if man.on_sphere else sp.S.One
    norm_var = g * sum(dl * var_y2.subs(v, vl) for dl, vl in zip(man.dims, man.variances, strict=True))
    q4_blocks = sp.simplify(norm_var / (2 * g)) if g != 0 else sp.simplify(
        sum(dl * var_y2.subs(v, vl) for dl, vl in zip(man.dims, man.variances, strict=True)) / 2)
    t = t_ve
    energy = -y_i / sp.sqrt(t) + y_sq / (2 * t)
    a, b = sp.diff(energy, y_i), sp.diff(energy, y_sq)
    ref = direction_rem()
    variances, variances_ou, times, sizes, alphas, ret = [], [], [], [], [], []
    total_dim = sum(man.dims)
    for vk in man.variances:
        var_e = sp.factor(a**2 * var_y.subs(v, vk) + b**2 * norm_var + 2 * a * b * cov.subs(v, vk))
        check = ref.energy_variance.subs({sigma_i: sp.sqrt(vk), q4: q4_blocks, gate: g}) - var_e
        if sp.simplify(check) != 0:                                   # pragma: no cover
            raise RuntimeError(f"block energy variance {var_e} differs from direction_rem's")
        variances.append(var_e)
        variances_ou.append(sp.simplify(var_e.subs(t, sp.exp(2 * S.t) - 1)))
        roots = sp.solve(sp.numer(sp.together(var_e - 2 * log_n)), t)
        point = {log_n: 6.9, **{s: 0.7 for s in var_e.free_symbols - {t, log_n}}}
        good = [r for r in roots if complex(r.evalf(30, subs=point)).real > 0]
        if len(good) != 1:                                            # pragma: no cover
            raise RuntimeError(f"no unique positive critical time among {roots}")
        times.append(sp.simplify(good[0]))
        sizes.append(sp.factor(var_e / 2))
        alphas.append(sp.factor(var_e / (2 * total_dim)))
        ret.append(sp.Min(1, sp.sqrt(2 * log_n / var_e)))
    norm_time = sp.sqrt(q4_blocks / (4 * log_n))
    return BlockREM(
        model=man, t_ve=t, t=S.t, log_n=log_n, gate=g, norm_variance=norm_var, q4=q4_blocks,
        energy_variances=tuple(variances), energy_variances_ou=tuple(variances_ou),
        critical_times=tuple(times), critical_times_ou=tuple(sp.log(1 + tc) / 2 for tc in times),
        norm_critical_time=norm_time, log_critical_sizes=tuple(sizes),
        critical_alphas=tuple(alphas), retentions=tuple(ret),
        assumptions=("REM (independent energies)", "Gaussian energies", "large-n condensation"),
    )
