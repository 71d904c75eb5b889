r"""Per-block memorization at finite n and d: the retention of each block of a linear manifold.

The finite-size theory of ``docs/theory/finite-size.md`` applied to the posterior covariance of the
training points: for Gaussian blocks the tilted moments of a training point given its energy are
closed-form, so :math:`E[\mathrm{tr}_k\mathrm{Cov}_w(a)]` reduces to the same one-dimensional
integrals as :math:`\phi_C` (:mod:`theory._finite_size`).

Examples
--------
>>> import numpy as np
>>> from theory.models import LinearManifold
>>> from theory.manifold import retention
>>> man = LinearManifold(24, dims=[4, 8], variances=[1.0, 0.1])
>>> r = retention([0.05, 3.0], man, 200, n_x=4)
>>> r.value.shape                                   # (times, blocks)
(2, 2)
>>> bool(np.all(r.value[1] > 0.99))                 # large t: the population posterior, kept
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _finite_size as _fs
from .checks import check_array, check_scalar
from .estimate import Estimate
from .models import LinearManifold
from .timemap import ve_variance

__all__ = ["retention", "retention_limit"]


def retention(t: ArrayLike, model, n: float, start: str = "generated", *, n_x: int = 64,
              rng=0) -> Estimate:
    r"""Expected fraction of each block's population posterior variance kept by the exact empirical
    score at finite n and d.

    Parameters
    ----------
    t : array_like
        OU times, ``> 0``.
    model : theory.models.LinearManifold
        Orthonormal embedding (the blocks are coordinate blocks).  With ``on_sphere=True`` the data
        are approximated by the Gaussian of the same covariance (effective variances, see Notes).
    n : float
        Number of training points, ``>= 1``.
    start : {"generated", "population"}
        Law of the test points: ``"generated"`` :math:`x = e^{-t}a^\nu + \sqrt{\Delta_t}\xi` with
        :math:`a^\nu` a training point (:math:`P_t^e`, the test points of
        :func:`validation.measure_memorization`), ``"population"`` a fresh population point
        (:math:`P_t`, ``fresh=True`` there).
    n_x : int
        Draws of x for the outer average, ``>= 2``.
    rng : int, None or numpy.random.Generator
        Source of the x draws.

    Returns
    -------
    Estimate
        Value and standard error of :math:`R_k(t)`, shape ``t.shape + (K,)`` (K blocks); 1 when the
        weights spread like the population posterior, 0 when they sit on one training point.

    Notes
    -----
    .. math::
        R_k(t) = \frac{E\,\mathrm{tr}_k\mathrm{Cov}_w(a)}{d_kV_k(t)},\qquad
        V_k(t) = \frac{\sigma_k^2\Delta_t}{\Delta_t + \sigma_k^2e^{-2t}},

    :math:`\mathrm{tr}_k\mathrm{Cov}_w = \sum_i w_i|a_i - c|_k^2 - \sum_i w_i^2|a_i - c|_k^2 -
    \sum_{i\ne l}w_iw_l(a_i - c)\cdot(a_l - c)` (c the population posterior mean), each term a
    one-dimensional integral with :math:`1/Z = \int e^{-uZ}du`, :math:`1/Z^2 = \int ue^{-uZ}du` and the
    tilted moments of a Gaussian training point given its energy (``docs/theory/finite-size.md``).
    Exact for Gaussian blocks at every n and d.

    **Where the per-subspace thresholds apply.**  At fixed :math:`\alpha = \log(n)/d` with block
    dimensions proportional to d, the weights of the generated start either spread over
    :math:`e^{O(d)}` points (every :math:`R_k \to 1`) or condense on the planted point (every
    :math:`R_k \to 0`), and the switch is the global collapse time
    (:func:`theory.manifold.global_collapse_time`) for every block: the blocks do not separate, and
    the per-direction times of :func:`theory.manifold.collapse_times` (derived for one probe
    direction at a fixed number of points) do not describe the retention.  At finite d the blocks
    differ inside the collapse window only (by an amount that shrinks as d grows); the population
    start keeps a block-dependent frozen phase below :math:`t_C` in which the lower-variance block
    has the lower retention.  Numbers: ``docs/theory/finite-size.md``.

    References
    ----------
    Achilli et al. (2024), "Losing dimensions", arXiv:2410.08727 (per-subspace memorization);
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 and SI App. C;
    ``docs/theory/finite-size.md``.
    """
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    nn = check_scalar(n, "n", lower=1.0)
    if start not in _fs.STARTS:
        raise ValueError(f"start must be one of {', '.join(map(repr, _fs.STARTS))} (got {start!r})")
    n_x = int(check_scalar(n_x, "n_x", lower=2, integer=True))
    law = _fs.law_from_model(model, blocks=True)
    res = _fs.averaged_statistics(law, ta.reshape(-1), float(np.log(nn)), start, n_x, rng,
                                  retention=True)
    m, se = _fs.mean_and_stderr(res["retention"], axis=1)
    shape = ta.shape + (law.n_blocks,)
    return Estimate(m.reshape(shape), se.reshape(shape), n_x)


def _lambda_min(c: np.ndarray, frac: np.ndarray, alpha: float) -> float:
    r"""Freezing slope of the random energy model: the root in (0, 1] of
    :math:`\lambda g'(\lambda) - g(\lambda) = \alpha` (1 when not frozen)."""
    from scipy.optimize import brentq

    def g(lam):
        return float(np.sum(frac * (-np.log1p(lam * c) * 0.5 - lam * (1 + c) / (2 * (1 + lam * c)))))

    def gp(lam):
        return float(np.sum(frac * (-c / (2 * (1 + lam * c)) - (1 + c) / (2 * (1 + lam * c) ** 2))))

    def h(lam):
        return lam * gp(lam) - g(lam) - alpha

    if h(1.0) <= 0.0:
        return 1.0
    return float(brentq(h, 1e-300, 1.0, xtol=1e-15, rtol=1e-14))


def retention_limit(t: ArrayLike, model, n: float, start: str = "generated") -> np.ndarray:
    r"""Large-d limit at fixed :math:`\alpha = \log(n)/d` of :func:`retention` (block fractions and
    variances fixed).

    Parameters
    ----------
    t : array_like
        OU times, ``> 0``.
    model : theory.models.LinearManifold
        Orthonormal embedding; only the block fractions :math:`d_k/d` and variances enter.
    n : float
        Training points (``> 1``); sets :math:`\alpha = \log(n)/d` with ``d = model.d``.
    start : {"generated", "population"}
        Law of the test points, as in :func:`retention`.

    Returns
    -------
    ndarray, shape ``t.shape + (K,)``

    Notes
    -----
    Random energy model of the energies given x, :math:`g(\lambda) = \lim\frac1d\log
    E[e^{-\lambda E}\mid x] = \frac1d\sum_j[-\frac12\log(1 + \lambda c_j) - \frac{\lambda(1 + c_j)}
    {2(1 + \lambda c_j)}]`, :math:`c_j = e^{-2t}\sigma_j^2/\Delta_t`.  It freezes below the global
    collapse time :math:`t_C` (:math:`\alpha = \frac1{2d}\sum_j\log(1 + c_j)`) at the slope
    :math:`\lambda_{min} < 1` solving :math:`\lambda g'(\lambda) - g(\lambda) = \alpha`.

    - generated start: the planted point takes all the weight below :math:`t_C`: :math:`R_k = 0`
      for :math:`t < t_C`, 1 above, for **every** block;
    - population start: Poisson-Dirichlet weights on points drawn from the
      :math:`\lambda_{min}`-tilted law, :math:`E\sum w^2 = 1 - \lambda_{min}` and

      .. math:: R_k = \lambda_{min}\,\frac{\Delta_t + \sigma_k^2e^{-2t}}{\Delta_t + \lambda_{min}
                \sigma_k^2e^{-2t}},

      which keeps a high-variance block (:math:`\lambda_{min}\sigma_k^2e^{-2t} \gg \Delta_t`) and
      loses a low-variance one first: the blocks separate, in the order opposite to the
      per-direction thresholds.

    Derived for this package (``docs/theory/finite-size.md``), checked against :func:`retention` at
    d up to 3840.

    References
    ----------
    B. Derrida, Phys. Rev. B 24, 2613 (1981) (random energy model, frozen phase); Biroli, Bonnaire,
    de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C; Achilli et al. (2024), arXiv:2410.08727;
    ``docs/theory/finite-size.md``.
    """

    if not isinstance(model, LinearManifold) or model.embedding != "orthonormal":
        raise TypeError("model must be a theory.models.LinearManifold with embedding='orthonormal' "
                        f"(got {model!r})")
    ta = check_array(t, "t", lower=0.0, lower_open=True)
    nn = check_scalar(n, "n", lower=1.0, lower_open=True)
    if start not in _fs.STARTS:
        raise ValueError(f"start must be one of {', '.join(map(repr, _fs.STARTS))} (got {start!r})")
    alpha = float(np.log(nn)) / model.d
    var = np.append(np.asarray(model.variances, float), 0.0)
    frac = np.append(model.dims / model.d, 1.0 - model.latent_dim / model.d)
    out = np.empty(ta.shape + (model.variances.size,))
    for idx, tt in np.ndenumerate(ta):
        r = var / float(ve_variance(tt))          # v e^{-2t} / Delta_t = v / s(t)
        lam = _lambda_min(r, frac, alpha)
        rk = r[:-1]
        if start == "generated":
            out[idx] = 0.0 if lam < 1.0 else 1.0
        else:
            out[idx] = lam * (1.0 + rk) / (1.0 + lam * rk)
    return out
