"""Speciation of any Gaussian mixture: the cascade of speciation times and the exact cloning
probability phi(t) (K classes, any weights, isotropic, diagonal or full class covariance)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._gm_speciation import SPECIATION_CONVENTIONS
from ._mixture_posterior import as_result, centred_means, check_method, check_qmc, posterior_moments
from .checks import check_array
from .models import Gaussian, GaussianMixture, LinearManifold

__all__ = ["speciation_times", "speciation_directions", "phi"]

_MODELS = (GaussianMixture, Gaussian, LinearManifold)


def check_model(model, name: str = "model", mixture: bool = False):
    """TypeError unless ``model`` is one of the model objects (a GaussianMixture if ``mixture``)."""
    allowed = (GaussianMixture,) if mixture else _MODELS
    if not isinstance(model, allowed):
        names = " or ".join(f"theory.models.{c.__name__}" for c in allowed)
        raise TypeError(f"{name} must be a {names} (got {type(model).__name__})")
    return model


def check_groups(groups, K: int) -> np.ndarray | None:
    """Validate a class -> group map: K non-negative integers; relabelled to 0..G-1."""
    if groups is None:
        return None
    g = check_array(groups, "groups", lower=0.0, integer=True, ndim=1)
    if g.size != K:
        raise ValueError(f"groups must give one group per class, K = {K} entries (got {g.size})")
    return np.unique(g.astype(np.int64), return_inverse=True)[1]


def speciation_directions(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Between-class eigen-directions of a mixture and the class variance along each.

    Parameters
    ----------
    model : theory.models.GaussianMixture

    Returns
    -------
    lam : ndarray (J,)
        Nonzero eigenvalues :math:`\\lambda_j` of the between-class covariance
        :math:`B = \\sum_k w_k (m_k - \\bar m)(m_k - \\bar m)^T`, descending (J <= K - 1).
    directions : ndarray (J, d)
        Unit eigenvectors :math:`u_j`.
    class_variance : ndarray (J,)
        :math:`s_j = u_j^T S u_j`, the class variance along :math:`u_j`.

    Notes
    -----
    The eigenvectors of the d x d matrix B come from the K x K Gram matrix
    :math:`CC^T = V\\operatorname{diag}(\\lambda)V^T` of :math:`C_k = \\sqrt{w_k}(m_k - \\bar m)`:
    :math:`u_j = C^T v_j/\\sqrt{\\lambda_j}`.  Eigenvalues below :math:`10^{-12}` times the larger of
    :math:`\\lambda_1` and the largest class variance count as zero.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 4 (``crit-spec``) and eq. 11
    (forward covariance :math:`C(t) = C_0e^{-2t} + \\Delta_t I`); ``docs/theory/dynamical-regimes.md``.
    """
    check_model(model, mixture=True)
    c = np.sqrt(model.weights)[:, None] * centred_means(model)
    lam, v = np.linalg.eigh(c @ c.T)
    lam, v = lam[::-1], v[:, ::-1]
    s_max = float(np.max(model.class_covariance_spectrum()))
    keep = lam > 1e-12 * max(float(lam[0]), s_max)
    lam, v = lam[keep], v[:, keep]
    u = (c.T @ v / np.sqrt(lam)).T                                   # (J, d)
    kind = model.covariance_kind
    if kind == "isotropic":
        s = np.full(lam.size, float(model.covariance))
    elif kind == "diagonal":
        s = (u * u) @ np.asarray(model.covariance)
    else:
        s = np.einsum("ji,il,jl->j", u, np.asarray(model.covariance), u, optimize=True)
    return lam, u, s


def speciation_times(model, convention: str = "lambda") -> np.ndarray:
    """Speciation cascade of a model: one time per between-class direction, decreasing.

    Parameters
    ----------
    model : GaussianMixture, Gaussian or LinearManifold
        A model of :mod:`theory.models`.  Models without classes (Gaussian, LinearManifold) have no
        speciation: the result is empty.
    convention : {"lambda", "paper", "lambda_plus_one", "lambda_minus_one", "exact_hessian"}
        Reading of the speciation criterion (the same names as
        :func:`theory.gaussian_mixture.speciation_time`), with :math:`\\lambda_j` the j-th eigenvalue
        of the between-class covariance, :math:`s_j` the class variance along its eigenvector and
        :math:`\\Lambda_j = \\lambda_j + s_j`:

        - ``"lambda"`` (default): :math:`\\tfrac12\\log\\Lambda_j`, the total-covariance eigenvalue
          along that direction (eq. 4 applied direction by direction);
        - ``"paper"``: :math:`\\tfrac12\\log\\lambda_j` (the paper's :math:`\\tfrac12\\log(d\\tilde\\mu^2)`);
        - ``"lambda_plus_one"``: :math:`\\tfrac12\\log(\\Lambda_j + 1)` (consistent Landau expansion);
        - ``"lambda_minus_one"``: :math:`\\tfrac12\\log(\\Lambda_j - 1)`;
        - ``"exact_hessian"``: :math:`\\tfrac12\\log(\\lambda_j + 1 - s_j)`.

    Returns
    -------
    ndarray (J,)
        The speciation times that exist in this reading (argument of the log above 1), in
        decreasing order (the first speciation of the backward dynamics comes first).  Empty when no
        direction speciates; unlike the single-time functions, which raise
        :class:`theory.speciation.NoSpeciationError`, the cascade returns the times that exist.

    Raises
    ------
    TypeError
        If ``model`` is not a model object.
    ValueError
        For an unknown convention.

    Notes
    -----
    The forward covariance is :math:`C(t) = e^{-2t}(B + S) + \\Delta_t I` (eq. 11).  Along an
    eigenvector :math:`u_j` of B the signal :math:`e^{-2t}\\Lambda_j` crosses the noise at
    :math:`\\Lambda_j e^{-2t} = 1` (eq. 4), one crossing per direction: a mixture whose classes are
    organised hierarchically (super-classes split into sub-classes) has one speciation per level.

    *Exact and reading.*  For isotropic classes :math:`S = \\sigma^2 I` every :math:`u_j` is an
    eigenvector of the total covariance with eigenvalue :math:`\\lambda_j + \\sigma^2`, so
    ``"lambda"`` is exactly eq. 4 direction by direction, and for the symmetric mixture it is
    :math:`\\tfrac12\\log(d\\tilde\\mu^2 + \\sigma^2)` (``theory.gaussian_mixture.speciation_time``).
    ``"exact_hessian"`` is the zero of the Hessian of :math:`\\log P_t` along :math:`u_j`,
    :math:`-\\Sigma_t^{-1} + e^{-2t}\\Sigma_t^{-1}B\\Sigma_t^{-1}`, at the point where the class
    posterior equals the weights (the centre of the symmetric mixture).  For a diagonal or full S
    that does not commute with B, :math:`u_j` is not an eigenvector of :math:`B + S` and
    :math:`s_j = u_j^T S u_j` is the Rayleigh quotient: the times are then the reading "eq. 4 along
    the between-class direction", exact only when S and B share eigenvectors.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 4 (``crit-spec``), eq. 11 and
    SI App. A-B.1; ``docs/theory/dynamical-regimes.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.models import GaussianMixture
    >>> from theory.speciation import speciation_times
    >>> u, v = np.eye(64)[0] * 8.0, np.eye(64)[1] * 2.0
    >>> gm = GaussianMixture([u + v, u - v, -u + v, -u - v])     # 2 super-classes x 2 sub-classes
    >>> speciation_times(gm).round(4)                           # 1/2 log(64 + 1), 1/2 log(4 + 1)
    array([2.0872, 0.8047])
    """
    check_model(model)
    if convention not in SPECIATION_CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(SPECIATION_CONVENTIONS)} "
                         f"(got {convention!r})")
    if not isinstance(model, GaussianMixture):
        return np.empty(0)
    lam, _, s = speciation_directions(model)
    total = lam + s
    arg = {"paper": lam, "lambda": total, "lambda_plus_one": total + 1.0,
           "lambda_minus_one": total - 1.0, "exact_hessian": lam + 1.0 - s}[convention]
    arg = arg[arg > 1.0]
    return np.sort(0.5 * np.log(arg))[::-1]


def phi(t: ArrayLike, model, *, groups: ArrayLike | None = None, method: str = "auto",
        n_points: int = 4096, replicates: int = 16, rng=0, return_error: bool = False):
    """Exact finite-d cloning probability :math:`\\phi(t)` of a Gaussian mixture.

    Probability that two backward continuations from the same :math:`x_t`, run with the exact
    population score, end in the same class: :math:`\\phi(t) = E_{x_t\\sim P_t}\\sum_k P(k\\mid x_t)^2`.

    Parameters
    ----------
    t : array_like
        OU time(s), ``t >= 0`` (``inf`` allowed), any shape.
    model : theory.models.GaussianMixture
        K classes, any weights, isotropic, diagonal or full class covariance.
    groups : array_like of int, shape (K,), optional
        Group of every class (e.g. the super-class of a hierarchical mixture): then
        :math:`\\phi` counts two clones as alike when they end in the same group,
        :math:`\\sum_g P(g\\mid x_t)^2` with :math:`P(g\\mid x) = \\sum_{k\\in g}P(k\\mid x)`.
    method : {"auto", "quadrature", "qmc"}
        ``"auto"``: quadrature when the centred means span r <= 2 dimensions, quasi-Monte-Carlo
        otherwise; ``"qmc"`` forces quasi-Monte-Carlo (any r); ``"quadrature"`` needs r <= 2.
    n_points, replicates : int
        Quasi-Monte-Carlo: ``replicates`` (>= 2) independent scramblings of ``n_points`` Sobol points
        (a power of 2).
    rng : int, None or numpy.random.Generator, default 0
        Scrambling seed (fixed by default, so the result is reproducible).
    return_error : bool, default False
        Return an :class:`theory.estimate.Estimate` ``(value, stderr, n)`` instead of the value.

    Returns
    -------
    float or ndarray, or Estimate
        :math:`\\phi(t) \\in [\\sum_k w_k^2, 1]` with the shape of ``t``.  With ``return_error`` an
        Estimate whose ``value`` and ``stderr`` have that shape: the standard error of the
        quasi-Monte-Carlo mean (spread of the replicate means), or ``0.0`` with ``n = None`` for the
        quadratures, whose absolute error is below 1e-11.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`theory.models.GaussianMixture`.
    ValueError
        For ``t < 0`` or NaN, a bad ``groups``, ``method``, ``n_points`` or ``replicates``.

    Notes
    -----
    With the whitened coordinate :math:`v = \\Sigma_t^{-1/2}(x - e^{-t}\\bar m)`,
    :math:`\\Sigma_t = e^{-2t}S + \\Delta_t I`, class k is :math:`N(\\beta_k, I)` with
    :math:`\\beta_k = e^{-t}\\Sigma_t^{-1/2}(m_k - \\bar m)`, and
    :math:`P(k\\mid x) = \\operatorname{softmax}_k(\\log w_k + \\beta_k\\cdot v - |\\beta_k|^2/2)`.  The
    posterior sees v only through its projection on the r-dimensional span of the
    :math:`\\beta_k` (r <= K - 1), so, exactly at any d and for any class covariance,

    .. math:: \\phi(t) = \\sum_j w_j\\, E_{z\\sim N(0, I_r)}\\sum_k
              P(k\\mid \\beta_j + z)^2,

    an r-dimensional integral that depends on the model only through the Gram matrix
    :math:`G_{kl} = e^{-2t}(m_k - \\bar m)^T\\Sigma_t^{-1}(m_l - \\bar m)`.  For K = 2 it reduces to
    :math:`\\phi = 1 - \\tfrac12\\sum_\\pm w_\\pm E\\,\\mathrm{sech}^2(y \\pm a)`,
    :math:`y\\sim N(r_t, r_t)`, :math:`a = \\tfrac12\\log(w_1/w_2)`,
    :math:`r_t = |\\beta_1 - \\beta_2|^2/4`: for the symmetric mixture :math:`a = 0`,
    :math:`r_t = d\\tilde\\mu^2e^{-2t}/\\Gamma_t` and this is the paper's eq. 6
    (:func:`theory.gaussian_mixture.phi`).  Limits: :math:`\\phi \\to \\sum_k w_k^2` as
    :math:`t\\to\\infty` (G -> 0) and :math:`\\phi \\to 1` as :math:`t \\to 0` for classes separated
    on the scale of S.  Rules: K = 2, the shifted eq.-6 rule (error below 1e-14); r <= 2, tensor
    Gauss-Hermite (64 nodes a side) while every pair of classes is within 1.5 noise units, else a
    composite Gauss-Legendre grid on [-9, 9]^r (panels of width 1, 16 nodes), absolute error below
    1e-11 against reference quadratures; r >= 3, randomized Sobol quasi-Monte-Carlo, whose replicate
    spread understates the error when 1 - phi is a rare-event probability (below about
    1/(n_points replicates)).

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 6 (``phi_GM``) and SI App. B.3
    (two symmetric classes; generalised here to K classes, any weights and class covariance);
    ``docs/theory/dynamical-regimes.md``.

    Examples
    --------
    >>> import numpy as np
    >>> from theory.models import GaussianMixture
    >>> from theory.speciation import phi
    >>> gm = GaussianMixture.symmetric(256, weight=0.8)
    >>> round(phi(np.inf, gm), 12)                          # 0.8^2 + 0.2^2
    0.68
    >>> round(phi(0.5 * np.log(256), GaussianMixture.symmetric(256)), 6)
    0.7752
    """
    check_model(model, mixture=True)
    ta = check_array(t, "t", lower=0.0, allow_inf=True)
    grp = check_groups(groups, model.K)
    n_points, replicates = check_qmc(n_points, replicates)
    vals, errs, n, _ = posterior_moments(ta.reshape(-1), model, ("phi",), grp, check_method(method),
                                         n_points, replicates, rng)
    return as_result(vals["phi"], errs["phi"], n, ta.shape, np.ndim(t) == 0, return_error)
