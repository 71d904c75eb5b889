r"""Collapse at finite n and d: the expected posterior entropy, :math:`\phi_C` and the collapse window.

The exact finite-size theory of ``docs/theory/finite-size.md``: given the query point x the energies
:math:`E_i = |x - e^{-t}a_i|^2/(2\Delta_t)` of the training points are independent generalized
non-central chi-squares (one of them *planted* when x comes from the generated law :math:`P_t^e`),
and the Laplace-transform identities turn the expectations over the n training points into
one-dimensional integrals, evaluated by saddle-point contour inversion (:mod:`theory._finite_size`).
No training set is sampled; the only Monte Carlo is the average over x (its standard error is
reported).

Examples
--------
>>> import numpy as np
>>> from theory.models import GaussianMixture
>>> from theory.collapse import phi_c, excess_entropy_finite_size
>>> gm = GaussianMixture.symmetric(64)
>>> round(phi_c(0.5, gm, 1).value, 12)                  # one training point: w = (1,)
1.0
>>> est = phi_c(20.0, gm, 50, n_x=4)                    # t -> infinity: uniform weights, 1/n
>>> bool(abs(est.value - 1 / 50) < 1e-6)
True
>>> fe = excess_entropy_finite_size(20.0, gm, 50, n_x=4)   # f^e -> log(n)/d
>>> bool(abs(fe.value - np.log(50) / 64) < 1e-6)
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _finite_size as _fs
from .checks import check_array, check_scalar
from .estimate import Estimate

__all__ = ["finite_size_statistics", "excess_entropy_finite_size", "phi_c", "collapse_window"]


def _check_start(start: str) -> str:
    if start not in _fs.STARTS:
        raise ValueError(f"start must be one of {', '.join(map(repr, _fs.STARTS))} (got {start!r})")
    return start


def _check_common(t, n, start, n_x):
    ta = check_array(t, "t", lower=0.0, lower_open=True, allow_inf=True)
    nn = check_scalar(n, "n", lower=1.0)
    start = _check_start(start)
    n_x = int(check_scalar(n_x, "n_x", lower=2, integer=True))
    return ta, float(np.log(nn)), start, n_x


def _estimates(arr: np.ndarray, shape: tuple, scalar: bool, n_x: int) -> Estimate:
    """Mean and standard error over the x axis (axis 1) of an array (T, X, ...)."""
    m, se = _fs.mean_and_stderr(arr, axis=1)
    m = m.reshape(shape + m.shape[1:])
    se = se.reshape(shape + se.shape[1:])
    if scalar and m.ndim == 0:
        return Estimate(float(m), float(se), n_x)
    return Estimate(m, se, n_x)


def finite_size_statistics(t: ArrayLike, model, n: float, start: str = "generated", *,
                           n_x: int = 64, rng=0) -> dict[str, Estimate]:
    r"""Expected posterior entropy, :math:`\phi_C` and :math:`\log Z` at finite n and d (one pass).

    Parameters
    ----------
    t : array_like
        OU times, ``> 0`` (``inf`` allowed: the uniform-weight limit).
    model : theory.models.GaussianMixture, Gaussian or LinearManifold
        The data law (``LinearManifold(on_sphere=True)`` is approximated by the Gaussian of the same
        covariance, see Notes).
    n : float
        Number of training points, ``>= 1`` (any real value up to the float range: the theory never
        draws them).
    start : {"generated", "population"}
        Law of the query point: ``"generated"`` :math:`x \sim P_t^e` (noised training points: one
        energy is planted, as in :func:`validation.excess_entropy_posterior` and
        :func:`validation.phi_c_identity`), ``"population"`` :math:`x \sim P_t` (a fresh point).
    n_x : int
        Draws of x for the outer average (``>= 2``); the same draws serve every t, so the curves are
        smooth in t.
    rng : int, None or numpy.random.Generator
        Source of the x draws.

    Returns
    -------
    dict of Estimate
        ``"fe"``: :math:`f^e(t) = E[H(w)]/d` (posterior entropy per dimension, nats; divide by
        :math:`\alpha = \log(n)/d` for :math:`f^e/\alpha`), ``"entropy"``: :math:`E[H(w)]`,
        ``"phi_c"``: :math:`E\sum_i w_i^2`, ``"log_z"``: :math:`E\log\sum_i e^{-E_i}`.  Values have
        the shape of ``t`` (floats for a scalar t); the standard errors are those of the average over
        x (the expectation over training sets is exact).

    Notes
    -----
    With :math:`u = e^v`, T ~ Exp(1), :math:`\varphi(u) = E[e^{-ue^{-E}}] = 1 - P(E + \log T \le v)`
    for a non-planted energy and :math:`\varphi_J` for the planted one (the energy of a draw from the
    population posterior :math:`P(a\mid x)`, *not* the unconditional :math:`|z|^2/2`),

    .. math::
        E[\log Z\mid x] = -\gamma + \int_{-\infty}^{\infty}\big(\mathbf 1_{v<0}
        - \varphi(e^v)^{n-1}\varphi_J(e^v)\big)dv,

    .. math::
        E\Big[\sum_i w_iE_i\,\Big|\,x\Big] = \int\big[(n-1)C(v)\varphi^{n-2}\varphi_J
        + C_J(v)\varphi^{n-1}\big]dv,\qquad
        E\Big[\sum_i w_i^2\,\Big|\,x\Big] = \int\big[(n-1)B(v)\varphi^{n-2}\varphi_J
        + B_J(v)\varphi^{n-1}\big]dv,

    :math:`H = \log Z + \sum_i w_iE_i`, :math:`C(v) = E[E\,g_1(v - E)]` (:math:`g_1` the density of
    :math:`\log T`), :math:`B(v)` the density of :math:`E + \log G_2` (:math:`G_2` ~ Gamma(2));
    population start: :math:`\varphi_J \to \varphi`, :math:`n - 1 \to n`.  All of them are inverted
    from the closed-form Laplace transform of the generalized non-central chi-square energies
    (mixtures over classes for a Gaussian mixture) on saddle-point contours, with tails kept in
    logs; the quadrature errors are below 1e-10.  Exact for Gaussian and Gaussian-mixture data at
    every n and d; for ``LinearManifold(on_sphere=True)`` the energies are those of the Gaussian
    with the same (effective) covariance, an approximation.  ``n = 1`` gives H = 0 and
    :math:`\phi_C = 1`; :math:`t \to \infty` gives :math:`H \to \log n`, :math:`\phi_C \to 1/n`.
    Derivation, numerics and checks: ``docs/theory/finite-size.md``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``: f^e as the
    posterior entropy), eq. 10 and SI App. C (the random energy model whose finite-size form this
    is); Frullani's integral for :math:`E\log Z`; ``docs/theory/finite-size.md``.
    """
    ta, log_n, start, n_x = _check_common(t, n, start, n_x)
    law = _fs.law_from_model(model)
    res = _fs.averaged_statistics(law, ta.reshape(-1), log_n, start, n_x, rng)
    scalar = np.ndim(t) == 0
    out = {
        "fe": _estimates(res["entropy"] / law.d, ta.shape, scalar, n_x),
        "entropy": _estimates(res["entropy"], ta.shape, scalar, n_x),
        "phi_c": _estimates(res["phi_c"], ta.shape, scalar, n_x),
    }
    if not np.any(np.isnan(res["log_z"])):
        out["log_z"] = _estimates(res["log_z"], ta.shape, scalar, n_x)
    return out


def excess_entropy_finite_size(t: ArrayLike, model, n: float, start: str = "generated", *,
                               n_x: int = 64, rng=0) -> Estimate:
    r"""Excess entropy density :math:`f^e(t) = E[H(w)]/d` at finite n and d (not divided by alpha).

    Parameters
    ----------
    t, model, n, start, n_x, rng
        As in :func:`finite_size_statistics`.

    Returns
    -------
    Estimate
        :math:`f^e(t)` per dimension in nats (value and standard error of the average over x, with
        the shape of ``t``).  The quantity that :func:`validation.excess_entropy_posterior` measures
        for ``start="generated"`` (averaged over training sets).

    Notes
    -----
    :math:`f^e = s^{sep} - s^e = \frac1d E_{x\sim P_t^e}[-\sum_\mu w_\mu\log w_\mu]` exactly at finite
    n and d; computed by :func:`finite_size_statistics`.  Its large-d limit at fixed
    :math:`\alpha = \log(n)/d` is the paper's curve :math:`\max(0, \alpha + \frac12\log(\Delta_t/
    \Gamma_t))` (Gaussian mixture) and :func:`theory.collapse.excess_entropy_from_spectrum`
    (Gaussian data).  Unlike those it is positive at every t (the finite-size tail below
    :math:`t_C`) and carries the class entropy of a mixture.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 and Fig. 3;
    ``docs/theory/finite-size.md``.
    """
    return finite_size_statistics(t, model, n, start, n_x=n_x, rng=rng)["fe"]


def phi_c(t: ArrayLike, model, n: float, start: str = "generated", *, n_x: int = 64,
          rng=0) -> Estimate:
    r""":math:`\phi_C(t) = E\sum_i w_i(x, t)^2` at finite n and d: the probability that two clones of
    x end on the same training point.

    Parameters
    ----------
    t, model, n, start, n_x, rng
        As in :func:`finite_size_statistics`; ``start`` names the law of x the backward run starts
        from: :math:`P_t^e` (``"generated"``, the generation itself) or :math:`P_t` (``"population"``).

    Returns
    -------
    Estimate
        Value and standard error (average over x), with the shape of ``t``.

    Notes
    -----
    :math:`1/Z^2 = \int_0^\infty u e^{-uZ}du` gives
    :math:`E[\sum_iw_i^2\mid x] = \int[(n-1)B\varphi^{n-2}\varphi_J + B_J\varphi^{n-1}]dv`
    (:func:`finite_size_statistics`).  Large d at fixed alpha: a step from 1 to 0 at :math:`t_C`
    for the generated start; for the population start the random-energy-model frozen phase
    :math:`1 - \lambda_{min}(t)` below :math:`t_C` (a continuous curve), so the two starts give
    different collapse windows at finite size.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, Fig. 5 (:math:`\phi_C`) and SI
    App. C; B. Derrida, Phys. Rev. B 24, 2613 (1981) (frozen phase); ``docs/theory/finite-size.md``.
    """
    return finite_size_statistics(t, model, n, start, n_x=n_x, rng=rng)["phi_c"]


def collapse_window(model, n: float, levels: ArrayLike = (0.1, 0.5, 0.9), start: str = "generated",
                    *, n_x: int = 64, rng=0) -> Estimate:
    r"""The times at which :math:`\phi_C(t)` crosses ``levels``: the collapse window at finite n, d.

    Parameters
    ----------
    model, n, start, n_x, rng
        As in :func:`phi_c` (``n >= 2``).
    levels : array_like
        Levels in (0, 1) (default 0.1, 0.5, 0.9).

    Returns
    -------
    Estimate
        Crossing times (OU), one per level (decreasing as the level increases), with the standard
        error :math:`\mathrm{se}(\hat\phi_C(t^*))/|\hat\phi_C'(t^*)|` of the average over x.

    Notes
    -----
    :math:`\phi_C` decreases from 1 (t -> 0) to 1/n (t -> infinity); each crossing is found by
    Brent's method on the x-averaged curve (the same x draws at every t).  At fixed
    :math:`\alpha = \log(n)/d` the window shrinks as d grows and, for the generated start, all
    crossings converge to the sharp collapse time (eq. 10 for the symmetric mixture,
    :func:`theory.collapse.collapse_time_from_spectrum` for Gaussian data); at the sizes of
    simulations the window is as wide as the threshold's distance to the speciation time, so the
    sharp time says where the transition is centred only to that accuracy.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 10 (``tc_GM``) and Fig. 5;
    ``docs/theory/finite-size.md``.
    """
    nn = check_scalar(n, "n", lower=2.0)
    lev = check_array(levels, "levels", lower=0.0, upper=1.0, lower_open=True, upper_open=True,
                      ndim=1)
    if np.any(lev <= 1.0 / nn):
        raise ValueError(f"levels must be > 1/n = {1.0 / nn:g}, the large-t limit of phi_C "
                         f"(got {float(lev.min()):g})")
    start = _check_start(start)
    n_x = int(check_scalar(n_x, "n_x", lower=2, integer=True))
    law = _fs.law_from_model(model)
    times, se = _fs.crossing_times(law, float(np.log(nn)), lev, start, n_x, rng)
    return Estimate(times, se, n_x)
