"""Collapse of any model: the large-d condensation time and the excess entropy with the class term.

Public through :mod:`theory.collapse` (``collapse_time``, ``excess_entropy``, ``class_information``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._finite_collapse import excess_entropy_finite_size
from ._gm_collapse import _log_delta_over_gamma
from ._gm_collapse import collapse_time as _collapse_time_eq10
from ._mixture_posterior import as_result, check_method, check_qmc, posterior_moments
from ._mixture_speciation import check_model
from ._spectrum_collapse import _log_sum, collapse_time_from_spectrum
from .checks import check_array, check_scalar, restore_shape
from .estimate import Estimate
from .models import GaussianMixture, LinearManifold
from .timemap import ve_variance

__all__ = ["collapse_spectrum", "collapse_time", "excess_entropy", "class_information"]


def collapse_spectrum(model) -> np.ndarray | float:
    """The spectrum that sets the large-d collapse of a model.

    The within-class covariance spectrum of a :class:`~theory.models.GaussianMixture` (its scalar
    variance when isotropic), the covariance spectrum of a :class:`~theory.models.Gaussian` or of a
    Gaussian :class:`~theory.models.LinearManifold` (zeros included: directions without data add
    nothing).

    Parameters
    ----------
    model : GaussianMixture, Gaussian or LinearManifold
        A model of :mod:`theory.models`.

    Returns
    -------
    float or ndarray
        The within-class (mixture) or total (Gaussian, linear manifold) covariance spectrum; a float
        for an isotropic mixture.

    Raises
    ------
    TypeError
        If ``model`` is not a model object.
    NotImplementedError
        For a LinearManifold with ``on_sphere=True`` (not Gaussian; see :mod:`theory.manifold`).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``) and SI
    App. C; ``docs/theory/dynamical-regimes.md``.
    """
    check_model(model)
    if isinstance(model, GaussianMixture):
        if model.covariance_kind == "isotropic":
            return float(model.covariance)
        return model.class_covariance_spectrum()
    if isinstance(model, LinearManifold) and model.on_sphere:
        raise NotImplementedError("collapse of a LinearManifold needs Gaussian data: on_sphere must be "
                                  "False (for data on the sphere see theory.manifold)")
    return model.covariance_spectrum()


def collapse_time(model, n: ArrayLike) -> np.ndarray | float:
    """Large-d collapse (condensation) time :math:`t_C` of a model trained on n points.

    Parameters
    ----------
    model : GaussianMixture, Gaussian or LinearManifold
        A model of :mod:`theory.models` (LinearManifold with ``on_sphere=False``).
    n : array_like
        Number of training points, ``n >= 2`` (any shape; one time per entry).

    Returns
    -------
    float or ndarray
        :math:`t_C` in OU time.

    Raises
    ------
    TypeError
        If ``model`` is not a model object.
    NotImplementedError
        For a LinearManifold projected on the sphere.
    ValueError
        For ``n < 2`` or NaN.

    Notes
    -----
    The training points condense when the within-class random energy model (SI App. C) freezes,
    :math:`\\alpha = \\frac{1}{2d}\\sum_i\\log(1 + s_i/(e^{2t}-1))`, :math:`\\alpha = \\log(n)/d`,
    where :math:`s_i` is the spectrum of :func:`collapse_spectrum`: the within-class covariance of a
    mixture, the covariance of Gaussian data.  The class means do not enter at this order; they
    shift the excess entropy by O(1/d) (:func:`excess_entropy`).  For isotropic classes
    :math:`s_i \\equiv \\sigma^2` it is the paper's eq. 10 (evaluated by
    :func:`theory.gaussian_mixture.collapse_time`, the fast path for the symmetric mixture),

    .. math:: t_C = \\tfrac12\\log\\big(1 + \\sigma^2/(n^{2/d} - 1)\\big);

    otherwise the root of :func:`theory.collapse.collapse_time_from_spectrum` (zero eigenvalues,
    e.g. a linear manifold of dimension below d, are allowed and add nothing).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``), eq. 10
    (``tc_GM``) and SI App. C; ``docs/theory/dynamical-regimes.md``.

    Examples
    --------
    >>> from theory.models import GaussianMixture, Gaussian
    >>> from theory.collapse import collapse_time
    >>> round(collapse_time(GaussianMixture.symmetric(1024), 20000), 6)      # eq. 10, Fig. 3
    1.977547
    >>> round(collapse_time(Gaussian([1.0] * 1024), 20000), 6)
    1.977547
    """
    spec = collapse_spectrum(model)
    if np.ndim(spec) == 0:
        return _collapse_time_eq10(model.d, n, np.sqrt(spec))
    return collapse_time_from_spectrum(spec, n, model.d)


def _entropy_part(ta: np.ndarray, spec, d: int, n: float) -> np.ndarray:
    """alpha - (1/2d) sum_i log(1 + s_i/(e^{2t} - 1)) (not clipped); -inf at t = 0."""
    out = np.full(ta.shape, -np.inf)
    pos = ta > 0
    if np.ndim(spec) == 0:
        with np.errstate(over="ignore"):
            out[pos] = np.log(n) / d + _log_delta_over_gamma(ta[pos], np.float64(np.sqrt(spec)))
        return out
    s = np.asarray(ve_variance(ta[pos]), dtype=np.float64).reshape(-1)
    with np.errstate(over="ignore"):
        out[pos] = np.log(n) / d - 0.5 * _log_sum(np.asarray(spec), s, d)
    return out


def class_information(t: ArrayLike, model, *, method: str = "auto", n_points: int = 4096,
                      replicates: int = 16, rng=0, return_error: bool = False):
    """Mutual information :math:`I(k; x_t)` (nats) between the class and the noised point.

    Parameters
    ----------
    t : array_like
        OU time(s), ``t >= 0`` (``inf`` allowed).
    model : theory.models.GaussianMixture
    method, n_points, replicates, rng, return_error
        As in :func:`theory.speciation.phi` (quadrature when the centred means span r <= 2
        dimensions, quasi-Monte-Carlo otherwise).

    Returns
    -------
    float or ndarray, or Estimate
        :math:`I(t) = H(w) - E_{x_t\\sim P_t} H(P(\\cdot\\mid x_t))`, from :math:`H(w)` at t = 0 for
        separated classes down to 0 as :math:`t\\to\\infty`.

    Notes
    -----
    :math:`H(w) = -\\sum_k w_k\\log w_k` and the class-posterior entropy is integrated exactly as
    in :func:`theory.speciation.phi` (whitened r-dimensional integral).  For the symmetric mixture
    :math:`I = \\log 2 - h(r_t)` with :math:`h` = :func:`theory.gaussian_mixture.class_entropy`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``) and eq. 6;
    K-class term derived in the Notes of :func:`theory.collapse.excess_entropy` (not in the paper);
    ``docs/theory/dynamical-regimes.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.models import GaussianMixture
    >>> from theory.collapse import class_information
    >>> gm = GaussianMixture.symmetric(256, weight=0.8)
    >>> round(class_information(0.0, gm), 6), round(class_information(np.inf, gm), 6)   # H(w), 0
    (0.500402, 0.0)
    """
    check_model(model, mixture=True)
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    n_points, replicates = check_qmc(n_points, replicates)
    vals, errs, n, _ = posterior_moments(ta.reshape(-1), model, ("entropy",), None,
                                         check_method(method), n_points, replicates, rng)
    w = np.asarray(model.weights)
    info = -(w * np.log(w)).sum() - vals["entropy"]
    return as_result(info, errs["entropy"], n, ta.shape, np.ndim(t) == 0, return_error)


def excess_entropy(t: ArrayLike, model, n: float, finite_d: bool = True, *, finite_size: bool = False,
                   start: str = "generated", n_x: int = 64, rng=0) -> np.ndarray | float | Estimate:
    """Excess entropy density :math:`f^e(t)` of n points of a model (not divided by alpha).

    Parameters
    ----------
    t : array_like
        OU time(s), ``t >= 0`` (``inf`` allowed), any shape.
    model : GaussianMixture, Gaussian or LinearManifold
        A model of :mod:`theory.models` (LinearManifold with ``on_sphere=False``).
    n : float
        Number of training points, ``n >= 2``.
    finite_d : bool, default True
        Subtract the class information :math:`I(k; x_t)/d` (mixtures only; see Notes).  With
        ``False`` the large-d curve of the paper, whose zero is :func:`collapse_time`.
    finite_size : bool, default False
        The exact finite-n, finite-d value instead (smooth through the collapse), from
        :func:`theory.collapse.excess_entropy_finite_size`, which returns an
        :class:`~theory.estimate.Estimate` (the error of its average over x_t); ``start``, ``n_x``
        and ``rng`` are passed to it (``start="generated"``: x_t from the generated law
        :math:`P_t^e`; ``"population"``: from :math:`P_t`).  ``finite_d`` is then ignored.
    start : {"generated", "population"}, default "generated"
        With ``finite_size=True``: the law of :math:`x_t` the average runs over.
    n_x : int, default 64
        With ``finite_size=True``: number of points :math:`x_t` of the average.
    rng : int, None or numpy.random.Generator, default 0
        With ``finite_size=True``: random source of the average.

    Returns
    -------
    float or ndarray (Estimate with ``finite_size=True``)
        :math:`f^e(t) \\ge 0`, zero below :math:`t_C`, :math:`\\alpha = \\log(n)/d` at
        :math:`t = \\infty`.

    Raises
    ------
    TypeError
        If ``model`` is not a model object.
    NotImplementedError
        For a LinearManifold projected on the sphere.

    Notes
    -----
    *Derivation (K classes, any weights).*  The excess entropy is exactly the posterior entropy of
    the training index, :math:`f^e = H(\\mu\\mid x_t)/d` for :math:`x_t\\sim P_t^e`.  Let c be the
    class of the index.  The chain rule splits it exactly:

    .. math:: H(\\mu\\mid x_t) = H(c\\mid x_t) + H(\\mu\\mid x_t, c).

    (i) Given its class, the index runs over the :math:`n_c \\approx n w_c` points of class c, whose
    energies :math:`|x - e^{-t}a^\\mu|^2/2\\Delta_t` form a random energy model with cumulant
    generating function :math:`g_t(\\lambda) = \\frac{1}{2d}\\sum_i[\\log\\frac{\\Delta_t}{\\Delta_t +
    \\lambda s_i e^{-2t}} - \\lambda\\frac{\\Delta_t + s_i e^{-2t}}{\\Delta_t + \\lambda s_i e^{-2t}}]`
    (:math:`s_i` the within-class spectrum, shared by the classes; the class mean cancels).  In the
    uncondensed phase the Gibbs entropy at :math:`\\lambda = 1` is
    :math:`\\log n_c + d[g_t(1) - g_t'(1)]`, with :math:`g_t'(1) = -\\tfrac12`:

    .. math:: \\frac1d H(\\mu\\mid x_t, c) = \\frac{\\log(n w_c)}{d}
              - \\frac{1}{2d}\\sum_i\\log\\Big(1 + \\frac{s_i}{e^{2t} - 1}\\Big).

    Averaged over :math:`c` (frequency :math:`w_c`), :math:`\\sum_c w_c\\log(nw_c) = \\log n - H(w)`.
    (ii) For :math:`t` above the collapse the empirical class mass :math:`\\sum_{\\mu\\in c}w_\\mu(x)`
    is the population posterior :math:`P(c\\mid x_t)`, so :math:`H(c\\mid x_t) =
    E_{x_t\\sim P_t}H(P(\\cdot\\mid x_t))`.  Together,

    .. math:: f^e(t) = \\max\\Big(0,\\ \\alpha - \\frac{1}{2d}\\sum_i\\log\\Big(1
              + \\frac{s_i}{e^{2t}-1}\\Big) - \\frac{I(k; x_t)}{d}\\Big),\\qquad
              I(k; x_t) = H(w) - E_{x_t}H(P(\\cdot\\mid x_t)),

    with :math:`I` from :func:`class_information` (``finite_d=True``).  The class term goes from
    :math:`H(w)/d` (classes resolved, :math:`t \\ll t_S`: each class is its own REM of
    :math:`nw_c` points) to 0 (:math:`t \\gg t_S`).  For the symmetric mixture
    :math:`H(w) = \\log 2` and :math:`E H = h(r_t)`, which is
    :func:`theory.gaussian_mixture.excess_entropy` with ``finite_d=True``; for isotropic classes the
    spectral part is :math:`\\alpha + \\tfrac12\\log(\\Delta_t/\\Gamma_t)` (Fig. 3).  What is exact:
    the chain rule, the class term (integrated exactly) and the spectral part at large d; what is
    not: the finite-n, finite-d smoothing of the REM near :math:`t_C` (f^e of a finite sample is
    positive there) and the per-class condensation shifts of order :math:`\\log(w_c)/d` in
    :math:`t_C`; the clip at zero stands for the condensed phase.  Models without classes have
    :math:`I = 0`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5 (``crit-coll``), SI App. C
    (REM) and Fig. 3; the K-class finite-d term is derived above (not in the paper; for two symmetric
    classes it is the class-entropy correction of ``theory.gaussian_mixture.excess_entropy``);
    ``docs/theory/dynamical-regimes.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.models import GaussianMixture
    >>> from theory.collapse import excess_entropy
    >>> gm = GaussianMixture.symmetric(256)
    >>> a = np.log(20000) / 256
    >>> round(float(excess_entropy(np.inf, gm, 20000) / a), 12)
    1.0
    >>> round(float(excess_entropy(2.904, gm, 20000) / a), 4)    # the saved Monte Carlo of Fig. 3: 0.9326
    0.9328
    """
    if finite_size:
        return excess_entropy_finite_size(t, model, n, start, n_x=n_x, rng=rng)
    spec = collapse_spectrum(model)
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    nn = check_scalar(n, "n", lower=2.0)
    if not isinstance(finite_d, (bool, np.bool_)):
        raise TypeError(f"finite_d must be True or False (got {finite_d!r})")
    flat = ta.reshape(-1)
    fe = _entropy_part(flat, spec, model.d, nn)
    if finite_d and isinstance(model, GaussianMixture):
        fe = fe - class_information(flat, model) / model.d
    return restore_shape(np.maximum(fe, 0.0).reshape(ta.shape), t)
