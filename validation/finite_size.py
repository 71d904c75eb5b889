r"""Finite-size theory against Monte Carlo with the exact empirical score: the arrays of the figures.

Two functions return everything a figure (or a table) of the finite-size comparison needs, as
arrays: :func:`transition_curves` (:math:`f^e/\alpha` and :math:`\phi_C` across the collapse, theory of
:func:`theory.collapse.finite_size_statistics`, Monte Carlo over several training sets, and the sharp
large-d curves) and :func:`retention_curves` (per-block retention, theory of
:func:`theory.manifold.retention`, Monte Carlo with :func:`validation.block_measurements`, the large-d
limit and the package's thresholds to mark).

Monte Carlo protocol: ``sets`` training sets drawn from the model; for each, ``per`` query points from
the stated law; value = mean of the per-set means, standard error = their spread / sqrt(sets) (so the
training-set fluctuations the theory averages over are included).

Examples
--------
>>> import numpy as np
>>> from theory.models import GaussianMixture
>>> from validation.finite_size import transition_curves
>>> c = transition_curves(GaussianMixture.symmetric(32), 200, [0.8, 2.0], sets=2, per=64, n_x=4)
>>> sorted(k for k in c if k.startswith("mc_"))
['mc_fe_over_alpha', 'mc_fe_over_alpha_se', 'mc_phi_c', 'mc_phi_c_se']
>>> bool(np.all(np.abs(c["z_phi_c"]) < 5))
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from theory.checks import check_array, check_scalar
from theory.collapse import (
    collapse_time_from_spectrum,
    excess_entropy_from_spectrum,
    finite_size_statistics,
)
from theory.manifold import collapse_times, retention, retention_limit, subspace_collapse_times

from ._posterior import posterior_stats
from .estimators import sample_noised_data
from .memorization import block_measurements, sample_test_points

__all__ = ["transition_curves", "retention_curves"]


def _sets_per(sets, per):
    sets = int(check_scalar(sets, "sets", lower=2, integer=True))
    per = int(check_scalar(per, "per", lower=2, integer=True))
    return sets, per


def transition_curves(model, n: int, t: ArrayLike, start: str = "generated", *, sets: int = 8,
                      per: int = 1024, n_x: int = 128, rng=0) -> dict[str, np.ndarray]:
    r""":math:`f^e/\alpha` and :math:`\phi_C` across the collapse: finite-size theory, Monte Carlo, sharp.

    Parameters
    ----------
    model : theory.models.GaussianMixture, Gaussian or LinearManifold
    n : int
        Training points, ``>= 2``.
    t : array_like (T,)
        OU times, ``> 0``.
    start : {"generated", "population"}
        Law of the query points (:math:`P_t^e` or :math:`P_t`).
    sets, per : int
        Monte Carlo training sets and query points per set (``>= 2``).
    n_x : int
        Draws of x of the theory's outer average.
    rng : int, None or numpy.random.Generator

    Returns
    -------
    dict of ndarray (T,)
        ``t``; ``fe_over_alpha``, ``fe_over_alpha_se``, ``phi_c``, ``phi_c_se`` (theory);
        ``mc_fe_over_alpha``, ``mc_fe_over_alpha_se``, ``mc_phi_c``, ``mc_phi_c_se``; ``z_fe``,
        ``z_phi_c``; ``sharp_fe_over_alpha`` (:func:`theory.collapse.excess_entropy_from_spectrum` of the
        class-covariance spectrum; for the isotropic mixture the paper's eq.-10 curve) and the scalar
        ``t_c`` (its zero, to mark).

    Notes
    -----
    :math:`f^e = E[H(w)]/d`, :math:`\alpha = \log(n)/d`; Monte Carlo per set:
    :func:`validation.excess_entropy_posterior` and :func:`validation.phi_c_identity` (generated) or
    the same posterior statistics at fresh points of :math:`P_t` (population).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 5, eq. 10, Figs. 3 and 5;
    ``docs/theory/finite-size.md``.
    """
    ta = check_array(t, "t", lower=0.0, lower_open=True, ndim=1)
    nn = int(check_scalar(n, "n", lower=2, integer=True))
    sets, per = _sets_per(sets, per)
    gen = np.random.default_rng(rng)
    d = model.d
    alpha = np.log(nn) / d
    th = finite_size_statistics(ta, model, nn, start, n_x=n_x, rng=gen)
    fe, pc = np.empty((ta.size, sets)), np.empty((ta.size, sets))
    for j in range(sets):
        data = model.sample(nn, gen)
        for i, ti in enumerate(ta):
            if start == "generated":
                x, _ = sample_noised_data(data, float(ti), per, gen)
            else:
                x = model.noised(float(ti)).sample(per, gen)
            st = posterior_stats(x, float(ti), data, want_mean=False)
            fe[i, j] = st.entropy.mean() / d
            pc[i, j] = st.participation.mean()
    out = {"t": ta,
           "fe_over_alpha": th["fe"].value / alpha, "fe_over_alpha_se": th["fe"].stderr / alpha,
           "phi_c": th["phi_c"].value, "phi_c_se": th["phi_c"].stderr,
           "mc_fe_over_alpha": fe.mean(1) / alpha,
           "mc_fe_over_alpha_se": fe.std(1, ddof=1) / np.sqrt(sets) / alpha,
           "mc_phi_c": pc.mean(1), "mc_phi_c_se": pc.std(1, ddof=1) / np.sqrt(sets)}
    out["z_fe"] = (out["fe_over_alpha"] - out["mc_fe_over_alpha"]) / np.hypot(
        out["fe_over_alpha_se"], out["mc_fe_over_alpha_se"])
    out["z_phi_c"] = (out["phi_c"] - out["mc_phi_c"]) / np.hypot(out["phi_c_se"], out["mc_phi_c_se"])
    spec = _class_spectrum(model)
    out["sharp_fe_over_alpha"] = np.asarray(excess_entropy_from_spectrum(ta, spec, nn)) / alpha
    out["t_c"] = float(collapse_time_from_spectrum(spec, nn))
    return out


def _class_spectrum(model) -> np.ndarray:
    """Within-class covariance spectrum (the whole spectrum for Gaussian data)."""
    if hasattr(model, "class_covariance_spectrum"):
        return np.asarray(model.class_covariance_spectrum(), float)
    return np.asarray(model.covariance_spectrum(), float)


def retention_curves(model, n: int, t: ArrayLike, start: str = "generated", *, sets: int = 8,
                     per: int = 96, n_x: int = 48, rng=0) -> dict[str, np.ndarray]:
    r"""Per-block retention: finite-size theory, Monte Carlo, large-d limit and thresholds to mark.

    Parameters
    ----------
    model : theory.models.LinearManifold
        Orthonormal embedding, Gaussian blocks (no ``on_sphere``).
    n : int
        Training points, ``>= 2``.
    t : array_like (T,)
        OU times, ``> 0``.
    start : {"generated", "population"}
        Test points on training points (:math:`P_t^e`) or on fresh population points (:math:`P_t`).
    sets, per, n_x, rng
        As in :func:`transition_curves`.

    Returns
    -------
    dict
        ``t``; ``retention``, ``retention_se`` (T, K) theory; ``mc_retention``, ``mc_retention_se``
        (T, K); ``z`` (T, K); ``limit`` (T, K) (:func:`theory.manifold.retention_limit`);
        ``t_c_global`` (:func:`theory.collapse.collapse_time_from_spectrum`), ``t_c_direction``
        (K,) (:func:`theory.manifold.collapse_times`, Gaussian data) and ``t_c_subspace`` (K,)
        (:func:`theory.manifold.subspace_collapse_times`), OU times.

    Notes
    -----
    :math:`R_k = E\,\mathrm{tr}_k\mathrm{Cov}_w(a)/(d_kV_k(t))`; Monte Carlo per set:
    :func:`validation.block_measurements` at the points of :func:`validation.sample_test_points`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (per-subspace memorization); ``docs/theory/finite-size.md``.
    """
    if getattr(model, "on_sphere", False) or getattr(model, "embedding", None) != "orthonormal":
        raise ValueError("model must be a theory.models.LinearManifold with embedding='orthonormal' "
                         f"and on_sphere=False (got {model!r})")
    ta = check_array(t, "t", lower=0.0, lower_open=True, ndim=1)
    nn = int(check_scalar(n, "n", lower=2, integer=True))
    sets, per = _sets_per(sets, per)
    gen = np.random.default_rng(rng)
    stds, dims = np.sqrt(model.variances), model.dims
    extra = model.d - model.latent_dim
    if extra:
        raise ValueError(f"model must have no normal coordinates for the Monte Carlo (d = sum(dims)); "
                         f"got d - sum(dims) = {extra}")
    vman = model
    th = retention(ta, model, nn, start, n_x=n_x, rng=gen)
    mc = np.empty((ta.size, sets, dims.size))
    for j in range(sets):
        data = model.sample(nn, gen)
        for i, ti in enumerate(ta):
            x = sample_test_points(data, float(ti), per, gen, vman if start == "population" else None)
            mc[i, j] = block_measurements(x, float(ti), data, vman)["retention"].mean(0)
    out = {"t": ta, "retention": th.value, "retention_se": th.stderr,
           "mc_retention": mc.mean(1), "mc_retention_se": mc.std(1, ddof=1) / np.sqrt(sets)}
    out["z"] = (out["retention"] - out["mc_retention"]) / np.hypot(out["retention_se"],
                                                                   out["mc_retention_se"])
    out["limit"] = retention_limit(ta, model, nn, start)
    out["t_c_global"] = float(collapse_time_from_spectrum(model.covariance_spectrum(), nn))
    out["t_c_direction"] = collapse_times(stds, dims, nn, normalized=False)
    out["t_c_subspace"] = subspace_collapse_times(model.fractions, model.variances,
                                                  np.log(nn) / model.d)
    return out
