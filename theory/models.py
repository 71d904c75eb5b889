r"""Model objects: the data distributions every solver and every Monte Carlo of the package takes.

Three models, each with its dimension ``d``, its covariance spectrum, ``sample(n, rng)`` and the exact
population score ``score(x, t)`` of the data noised by the Ornstein-Uhlenbeck process to time t,

.. math:: x_t = e^{-t} a + \sqrt{\Delta_t}\, z, \qquad \Delta_t = 1 - e^{-2t}
          \quad (:func:`theory.timemap.delta`).

- :class:`GaussianMixture`: :math:`\sum_k w_k N(m_k, S)`, K classes sharing one class covariance S
  (isotropic, diagonal or full); :meth:`GaussianMixture.symmetric` is the :math:`\pm m` mixture of
  Biroli et al. (2024).
- :class:`Gaussian`: zero-mean Gaussian data with a given covariance spectrum (axis-aligned).
- :class:`LinearManifold`: Gaussian latent blocks of ``dims[k]`` directions with variance
  ``variances[k]``, embedded by axis-aligned orthonormal blocks (Achilli et al. 2024), by the same
  blocks in a Haar-random orientation, or by a random matrix F with i.i.d. N(0, 1/d) entries (Ventura
  et al. 2025), optionally projected on a sphere.  It is the one manifold object of the package:
  ``validation`` draws its data and measures memorization and Jacobian spectra on it.

The models, their noised versions and their scores are derived in ``docs/theory/models.md``.

Examples
--------
>>> import numpy as np
>>> from theory.models import GaussianMixture, Gaussian, LinearManifold
>>> gm = GaussianMixture([[2.0, 0.0], [-1.0, 1.0], [0.0, -2.0]], weights=[0.5, 0.3, 0.2])
>>> gm.K, gm.d, gm.covariance_kind
(3, 2, 'isotropic')
>>> x, labels = gm.sample(4, rng=0, return_labels=True)
>>> x.shape, labels.shape
((4, 2), (4,))
>>> bool(np.allclose(gm.class_posterior(x, 0.5).sum(axis=-1), 1.0))
True
>>> sym = GaussianMixture.symmetric(64, mu_tilde=1.0)
>>> round(float(sym.between_class_spectrum()[0]), 6)       # |m|^2 = d mu~^2
64.0
>>> Gaussian([4.0, 1.0]).noised(0.5).spectrum.round(4)      # e^{-2t} lambda + Delta_t
array([2.1036, 1.    ])
>>> man = LinearManifold(10, dims=[2, 3], variances=[1.0, 0.25])
>>> man.latent_dim, man.fractions.tolist(), man.covariance_spectrum()[:6].tolist()
(5, [0.2, 0.3], [1.0, 1.0, 0.25, 0.25, 0.25, 0.0])

References
----------
.. [1] G. Biroli, T. Bonnaire, V. de Bortoli, M. Mezard, "Dynamical regimes of diffusion models",
   arXiv:2402.18491 (2024), eq. 2 (noised distribution) and SI App. B (Gaussian mixtures).
.. [2] B. Achilli, E. Ventura, G. Silvestri, B. Pham, G. Raya, D. Krotov, C. Lucibello, L. Ambrogioni,
   "Losing dimensions: geometric memorization in generative diffusion", arXiv:2410.08727 (2024),
   synthetic linear-manifold data.
.. [3] E. Ventura, B. Achilli, G. Silvestri, C. Lucibello, L. Ambrogioni, "Manifolds, random matrices
   and spectral gaps: the geometric phases of generative diffusion", arXiv:2410.05898 (2025), sec. 6
   (linear manifold x = Fz with F_ij ~ N(0, 1/d)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._manifold_thresholds import effective_variances
from .checks import check_array, check_scalar
from .timemap import delta

MAX_DIMENSION = 10**9      # models store d-vectors (8 GB each beyond): larger d is refused up front


def _squared(sigma: float, name: str) -> float:
    """sigma^2 as a finite positive float64, or a ValueError naming ``name``."""
    sq = sigma * sigma
    if not (np.finfo(np.float64).tiny <= sq < float("inf")):
        raise ValueError(f"{name} must lie in [1e-154, 1e154] so that {name}^2 is a finite positive "
                         f"float64 (got {sigma:g})")
    return sq


__all__ = ["GaussianMixture", "Gaussian", "LinearManifold"]

COVARIANCE_KINDS = ("isotropic", "diagonal", "full")
EMBEDDINGS = ("orthonormal", "rotated", "random")
_WEIGHT_TOL = 1e-12
_LOG_2PI = float(np.log(2.0 * np.pi))


# --- shared helpers ---------------------------------------------------------------------------------

def _check_time(t: ArrayLike) -> tuple[float, float, float]:
    """Validate a scalar OU time and return ``(e^{-t}, e^{-2t}, Delta_t)``."""
    tt = check_scalar(t, "t", lower=0.0, allow_inf=True)
    e = float(np.exp(-tt))
    return e, e * e, float(delta(tt))


def _check_x(x: ArrayLike, d: int) -> np.ndarray:
    """Validate points of shape (..., d)."""
    arr = check_array(x, "x")
    if arr.ndim < 1 or arr.shape[-1] != d:
        raise ValueError(f"x must have shape (..., {d}) with last axis d = {d} (got shape {arr.shape})")
    return arr


def _check_n(n: ArrayLike) -> int:
    return int(check_scalar(n, "n", lower=1, integer=True))


def _frozen(arr: np.ndarray) -> np.ndarray:
    """A read-only copy (models are immutable: cached decompositions stay valid)."""
    out = np.array(arr, dtype=arr.dtype, copy=True)
    out.flags.writeable = False
    return out


def _scalar_out(arr: np.ndarray) -> np.ndarray | float:
    return float(arr) if arr.ndim == 0 else arr


def _check_spd(cov: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Check that ``cov`` is a symmetric positive-definite (d, d) matrix; return its eigenpairs."""
    if cov.shape != (d, d):
        raise ValueError(f"covariance must be a scalar, a length-{d} vector or a ({d}, {d}) matrix "
                         f"(got shape {cov.shape})")
    scale = float(np.max(np.abs(cov)))
    asym = float(np.max(np.abs(cov - cov.T)))
    if asym > 1e-12 * max(scale, np.finfo(float).tiny):
        raise ValueError(f"covariance must be symmetric: max |C - C^T| = {asym:g} exceeds 1e-12 "
                         f"max |C| = {1e-12 * scale:g}")
    evals, evecs = np.linalg.eigh(0.5 * (cov + cov.T))
    if not evals[0] > d * np.finfo(float).eps * evals[-1]:
        raise ValueError(f"covariance must be positive-definite (got smallest eigenvalue "
                         f"{evals[0]:g}, largest {evals[-1]:g})")
    return evals, evecs


# --- Gaussian mixture -------------------------------------------------------------------------------

class GaussianMixture:
    r"""Mixture of K Gaussian classes with one shared class covariance, :math:`\sum_k w_k N(m_k, S)`.

    Parameters
    ----------
    means : array_like, shape (K, d)
        Class means :math:`m_k`, finite.
    weights : array_like, shape (K,), optional
        Class weights :math:`w_k > 0` summing to 1 within 1e-12; equal weights 1/K by default.
    covariance : float, array_like (d,) or array_like (d, d)
        Class covariance S shared by all classes: a scalar variance :math:`\sigma^2 > 0` (isotropic),
        a vector of d variances > 0 (diagonal), or a symmetric positive-definite (d, d) matrix.

    Attributes
    ----------
    d, K : int
        Dimension and number of classes.
    means : ndarray (K, d)
    weights : ndarray (K,)
    covariance : float or ndarray
        The class covariance as given (a float, a (d,) vector or a (d, d) matrix).
    covariance_kind : {"isotropic", "diagonal", "full"}
    mean : ndarray (d,)
        :math:`\bar m = \sum_k w_k m_k`.

    Notes
    -----
    The OU process maps the mixture to the mixture of the same weights with means :math:`e^{-t}m_k`
    and covariance :math:`\Sigma_t = e^{-2t}S + \Delta_t I` (:meth:`noised`).  Its score is

    .. math:: \nabla\log P_t(x) = \sum_k P(k\mid x)\,\big[-\Sigma_t^{-1}(x - e^{-t}m_k)\big],
              \qquad P(k\mid x) = \operatorname{softmax}_k\Big(\log w_k
              + e^{-t} m_k^T\Sigma_t^{-1}x - \tfrac12 e^{-2t} m_k^T\Sigma_t^{-1}m_k\Big),

    the posterior evaluated with a log-sum-exp.  A full S is diagonalised once,
    :math:`S = V\operatorname{diag}(s)V^T`, and every time uses :math:`\Sigma_t = V
    \operatorname{diag}(e^{-2t}s + \Delta_t)V^T`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2 (noised distribution) and
    SI App. B (Gaussian mixtures, score eq. ``scoregm``); ``docs/theory/models.md``.

    Examples
    --------
    >>> gm = GaussianMixture([[1.0, 0.0], [-1.0, 0.0]], weights=[0.8, 0.2], covariance=[0.5, 2.0])
    >>> gm.covariance_kind, gm.mean.tolist()
    ('diagonal', [0.6000000000000001, 0.0])
    >>> gm.between_class_spectrum().round(6).tolist()      # 4 w (1 - w) |m|^2
    [0.64]
    """

    def __init__(self, means: ArrayLike, weights: ArrayLike | None = None,
                 covariance: ArrayLike = 1.0) -> None:
        mu = check_array(means, "means", ndim=2)
        K, d = mu.shape
        if K < 1 or d < 1:
            raise ValueError(f"means must have shape (K, d) with K >= 1 and d >= 1 (got shape {mu.shape})")
        if weights is None:
            w = np.full(K, 1.0 / K)
        else:
            w = check_array(weights, "weights", lower=0.0, lower_open=True, ndim=1)
            if w.size != K:
                raise ValueError(f"weights must have one entry per class, K = {K} (got {w.size})")
            if abs(float(w.sum()) - 1.0) > _WEIGHT_TOL:
                raise ValueError(f"weights must sum to 1 within {_WEIGHT_TOL:g} "
                                 f"(got sum {float(w.sum())!r})")
        self.means = _frozen(mu)
        self.weights = _frozen(w)
        self.K, self.d = K, d
        self._set_covariance(covariance)
        self._log_w = np.log(w)

    def _set_covariance(self, covariance: ArrayLike, eig: tuple[np.ndarray, np.ndarray] | None = None):
        d = self.d
        c = np.asarray(covariance) if not isinstance(covariance, (int, float)) else covariance
        if np.ndim(c) == 0:
            self.covariance = check_scalar(c, "covariance", lower=0.0, lower_open=True)
            self.covariance_kind = "isotropic"
            self._evals, self._evecs = None, None
        elif np.ndim(c) == 1:
            v = check_array(c, "covariance", lower=0.0, lower_open=True)
            if v.size != d:
                raise ValueError(f"covariance must be a scalar, a length-{d} vector or a ({d}, {d}) "
                                 f"matrix (got a vector of length {v.size})")
            self.covariance, self.covariance_kind = _frozen(v), "diagonal"
            self._evals, self._evecs = None, None
        else:
            m = check_array(c, "covariance")
            self._evals, self._evecs = eig if eig is not None else _check_spd(m, d)
            self.covariance, self.covariance_kind = _frozen(m), "full"
        # means in the eigenbasis of S (the standard basis unless S is full)
        self._rot_means = self.means if self._evecs is None else self.means @ self._evecs

    # -- constructors ---------------------------------------------------------------------------------

    @classmethod
    def symmetric(cls, d: int, mu_tilde: float = 1.0, sigma: float = 1.0,
                  weight: float = 0.5) -> GaussianMixture:
        r"""The two-class mixture of the paper, :math:`w N(+m, \sigma^2 I) + (1-w) N(-m, \sigma^2 I)`.

        Parameters
        ----------
        d : int
            Dimension, ``>= 1``.
        mu_tilde : float
            :math:`m = \tilde\mu(1, \dots, 1)`, so :math:`|m|^2 = d\tilde\mu^2`; ``>= 0``.
        sigma : float
            Class standard deviation, ``> 0`` (class covariance :math:`\sigma^2 I`).
        weight : float
            Weight of the class +m (class 0), in (0, 1); class 1 is -m.

        Returns
        -------
        GaussianMixture

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, sec. "Gaussian mixtures"
        (:math:`m = \tilde\mu(1,\dots,1)`, Fig. 2) and SI App. B.
        """
        d = int(check_scalar(d, "d", lower=1, upper=MAX_DIMENSION, integer=True))
        mt = check_scalar(mu_tilde, "mu_tilde", lower=0.0)
        sg = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
        w = check_scalar(weight, "weight", lower=0.0, upper=1.0, lower_open=True, upper_open=True)
        m = np.full(d, mt)
        return cls(np.stack([m, -m]), np.array([w, 1.0 - w]), _squared(sg, "sigma"))

    @classmethod
    def simplex(cls, d: int, K: int, mu_tilde: float = 1.0, sigma: float = 1.0,
                weights: ArrayLike | None = None) -> GaussianMixture:
        r"""K equidistant classes: means on a regular simplex, each of norm :math:`\sqrt d\,\tilde\mu`.

        Parameters
        ----------
        d : int
            Dimension, ``>= K - 1``.
        K : int
            Number of classes, ``>= 2``.
        mu_tilde : float
            Every mean has norm :math:`\sqrt d\,\tilde\mu` (as :meth:`symmetric`); ``>= 0``.
        sigma : float
            Class standard deviation, ``> 0``.
        weights : array_like (K,), optional
            Class weights (equal by default).

        Returns
        -------
        GaussianMixture

        Notes
        -----
        The K vertices :math:`x_k \in \mathbb R^{K-1}` of the centred regular simplex with unit norm
        are the columns of the Helmert matrix scaled by :math:`\sqrt{K/(K-1)}`
        (:math:`x_k\cdot x_l = -1/(K-1)` for :math:`k \ne l`).  They are embedded by the first K - 1
        vectors of the orthonormal cosine (DCT-II) basis,
        :math:`u_j(i) = \sqrt{c_j/d}\cos(\pi j(i + \tfrac12)/d)`, :math:`c_0 = 1`, :math:`c_j = 2`,
        which spread every mean over all coordinates, and :math:`m_k = \sqrt d\,\tilde\mu\sum_j
        x_{kj}u_j`.  For K = 2, :math:`u_0 = (1, \dots, 1)/\sqrt d` and the means are
        :math:`\pm\tilde\mu(1, \dots, 1)` of :meth:`symmetric` (up to round-off).  With equal weights
        the between-class covariance has K - 1 equal eigenvalues :math:`d\tilde\mu^2/(K - 1)`: the
        K - 1 speciation times coincide.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, sec. "Gaussian mixtures"
        (:math:`|m|^2 = d\tilde\mu^2`) and SI App. B, extended to K equidistant classes;
        ``docs/theory/models.md``.

        Examples
        --------
        >>> gm = GaussianMixture.simplex(64, 3)
        >>> gm.between_class_spectrum().round(6).tolist()        # d mu~^2 / (K - 1), twice
        [32.0, 32.0]
        >>> bool(np.allclose(GaussianMixture.simplex(8, 2).means, GaussianMixture.symmetric(8).means))
        True
        """
        K = int(check_scalar(K, "K", lower=2, integer=True))
        d = int(check_scalar(d, "d", lower=K - 1, upper=MAX_DIMENSION, integer=True))
        mt = check_scalar(mu_tilde, "mu_tilde", lower=0.0)
        sg = check_scalar(sigma, "sigma", lower=0.0, lower_open=True)
        j = np.arange(1, K)[:, None]
        k = np.arange(K)[None, :]
        helmert = np.where(k < j, 1.0, np.where(k == j, -j * 1.0, 0.0)) / np.sqrt(j * (j + 1.0))
        vertices = helmert.T * np.sqrt(K / (K - 1.0))                        # (K, K - 1), unit rows
        jj = np.arange(K - 1)[:, None]
        basis = np.cos(np.pi * jj * (np.arange(d)[None, :] + 0.5) / d)
        basis *= np.sqrt(np.where(jj == 0, 1.0, 2.0) / d)                    # (K - 1, d), orthonormal
        return cls(np.sqrt(d) * mt * (vertices @ basis), weights, _squared(sg, "sigma"))

    # -- structure ------------------------------------------------------------------------------------

    @property
    def mean(self) -> np.ndarray:
        r"""Mixture mean :math:`\bar m = \sum_k w_k m_k`, shape (d,).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B; ``docs/theory/models.md``.
        """
        return self.weights @ self.means

    def _centred(self) -> np.ndarray:
        """Rows sqrt(w_k) (m_k - mbar), shape (K, d)."""
        return np.sqrt(self.weights)[:, None] * (self.means - self.mean)

    def between_class_covariance(self) -> np.ndarray:
        r"""Between-class covariance :math:`B = \sum_k w_k (m_k - \bar m)(m_k - \bar m)^T`, (d, d).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 7 (the data covariance
        whose top eigenvalue sets t_S); ``docs/theory/models.md``.
        """
        c = self._centred()
        return c.T @ c

    def between_class_spectrum(self) -> np.ndarray:
        r"""Nonzero part of the spectrum of :math:`B`: the top min(K - 1, d) eigenvalues, descending.

        Notes
        -----
        The nonzero eigenvalues of :math:`B = C^T C`, :math:`C_{k\cdot} = \sqrt{w_k}(m_k - \bar m)`,
        are those of the K x K Gram matrix :math:`C C^T`; the rank is at most K - 1 because
        :math:`\sum_k \sqrt{w_k} C_{k\cdot} = 0`.  Eigenvalues are clipped at 0 (round-off).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 7; ``docs/theory/models.md``.
        """
        c = self._centred()
        ev = np.linalg.eigvalsh(c @ c.T)[::-1]
        return np.clip(ev[:min(self.K - 1, self.d)], 0.0, None)

    def class_covariance_matrix(self) -> np.ndarray:
        """The class covariance S as a (d, d) matrix.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B; ``docs/theory/models.md``.
        """
        if self.covariance_kind == "isotropic":
            return self.covariance * np.eye(self.d)
        if self.covariance_kind == "diagonal":
            return np.diag(self.covariance)
        return np.array(self.covariance)

    def total_covariance(self) -> np.ndarray:
        r"""Covariance of the data, :math:`S + B`, shape (d, d).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B; ``docs/theory/models.md``.
        """
        return self.class_covariance_matrix() + self.between_class_covariance()

    def class_covariance_spectrum(self) -> np.ndarray:
        """Eigenvalues of the class covariance S, length d, descending.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B; ``docs/theory/models.md``.
        """
        if self.covariance_kind == "isotropic":
            return np.full(self.d, self.covariance)
        if self.covariance_kind == "diagonal":
            return np.sort(self.covariance)[::-1]
        return self._evals[::-1].copy()

    def covariance_spectrum(self) -> np.ndarray:
        r"""Eigenvalues of the data covariance :math:`S + B`, length d, descending.

        Notes
        -----
        For isotropic :math:`S = \sigma^2 I` they are :math:`\sigma^2 + \lambda_j` (the between-class
        eigenvalues, zero-padded); otherwise one symmetric eigendecomposition of :math:`S + B`.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 7; ``docs/theory/models.md``.
        """
        if self.covariance_kind == "isotropic":
            lam = np.zeros(self.d)
            b = self.between_class_spectrum()
            lam[:b.size] = b
            return self.covariance + lam
        return np.linalg.eigvalsh(self.total_covariance())[::-1]

    # -- dynamics -------------------------------------------------------------------------------------

    def noised(self, t: float) -> GaussianMixture:
        r"""The mixture :math:`P_t` of OU time t: means :math:`e^{-t}m_k`, covariance
        :math:`e^{-2t}S + \Delta_t I`, same weights.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2.
        """
        e, e2, dl = _check_time(t)
        out = object.__new__(GaussianMixture)
        out.means, out.weights, out.K, out.d = _frozen(e * self.means), self.weights, self.K, self.d
        out._log_w = self._log_w
        if self.covariance_kind == "full":
            cov = e2 * np.asarray(self.covariance) + dl * np.eye(self.d)
            out._set_covariance(cov, eig=(e2 * self._evals + dl, self._evecs))
        else:
            out._set_covariance(e2 * self.covariance + dl)
        return out

    def _frame(self, t: float):
        """(e^{-t}, eigenvalues of Sigma_t in the eigenbasis of S, rotated means)."""
        e, e2, dl = _check_time(t)
        if self.covariance_kind == "isotropic":
            lam = np.float64(e2 * self.covariance + dl)
        elif self.covariance_kind == "diagonal":
            lam = e2 * self.covariance + dl
        else:
            lam = e2 * self._evals + dl
        return e, lam, self._rot_means

    def _rotate(self, x: np.ndarray) -> np.ndarray:
        return x if self._evecs is None else x @ self._evecs

    def _unrotate(self, y: np.ndarray) -> np.ndarray:
        return y if self._evecs is None else y @ self._evecs.T

    def _logits(self, y: np.ndarray, e: float, lam, mu: np.ndarray) -> np.ndarray:
        """log w_k + e m_k^T Sigma^{-1} x - e^2/2 m_k^T Sigma^{-1} m_k, shape (..., K)."""
        pm = mu / lam                                            # Sigma^{-1} m_k in the eigenbasis
        quad = np.einsum("kd,kd->k", mu, pm)
        return self._log_w + e * (y @ pm.T) - 0.5 * e * e * quad

    @staticmethod
    def _softmax(lg: np.ndarray) -> np.ndarray:
        p = np.exp(lg - lg.max(axis=-1, keepdims=True))
        return p / p.sum(axis=-1, keepdims=True)

    def class_posterior(self, x: ArrayLike, t: float) -> np.ndarray:
        r"""Posterior class probabilities :math:`P(k \mid x_t = x)`, x (..., d) -> (..., K).

        Parameters
        ----------
        x : array_like, shape (..., d)
        t : float
            OU time, ``>= 0``.

        Returns
        -------
        ndarray, shape (..., K)
            Rows sum to 1.

        Notes
        -----
        .. math:: P(k\mid x) = \operatorname{softmax}_k\big(\log w_k + e^{-t}m_k^T\Sigma_t^{-1}x
                  - \tfrac12 e^{-2t}m_k^T\Sigma_t^{-1}m_k\big),\quad
                  \Sigma_t = e^{-2t}S + \Delta_t I.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 6 (probability that two
        clones end in the same class) and SI App. B; ``docs/theory/models.md``.
        """
        xa = _check_x(x, self.d)
        e, lam, mu = self._frame(t)
        return self._softmax(self._logits(self._rotate(xa), e, lam, mu))

    def score(self, x: ArrayLike, t: float) -> np.ndarray:
        r"""Exact population score :math:`\nabla_x \log P_t(x)`, x (..., d) -> (..., d).

        Parameters
        ----------
        x : array_like, shape (..., d)
        t : float
            OU time, ``>= 0``.

        Returns
        -------
        ndarray, shape (..., d)

        Notes
        -----
        .. math:: \nabla\log P_t(x) = -\Sigma_t^{-1}\Big(x - e^{-t}\sum_k P(k\mid x)\,m_k\Big),
                  \quad \Sigma_t = e^{-2t}S + \Delta_t I.

        For the symmetric mixture it is the paper's
        :math:`-x/\Gamma_t + (e^{-t}m/\Gamma_t)\tanh(e^{-t}x\cdot m/\Gamma_t)`,
        :math:`\Gamma_t = \Delta_t + \sigma^2e^{-2t}`.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B, eq. ``scoregm``
        (symmetric case); ``docs/theory/models.md`` (K classes).
        """
        xa = _check_x(x, self.d)
        e, lam, mu = self._frame(t)
        y = self._rotate(xa)
        p = self._softmax(self._logits(y, e, lam, mu))
        return self._unrotate(-(y - e * (p @ mu)) / lam)

    def log_density(self, x: ArrayLike, t: float) -> np.ndarray | float:
        r"""Log density :math:`\log P_t(x)`, x (..., d) -> (...).

        Notes
        -----
        .. math:: \log P_t(x) = \log\sum_k w_k N(x;\, e^{-t}m_k,\, \Sigma_t),

        evaluated with a log-sum-exp over the classes.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 2; ``docs/theory/models.md``.
        """
        xa = _check_x(x, self.d)
        e, lam, mu = self._frame(t)
        y = self._rotate(xa)
        lg = self._logits(y, e, lam, mu)
        mx = lg.max(axis=-1)
        lse = mx + np.log(np.exp(lg - mx[..., None]).sum(axis=-1))
        logdet = self.d * np.log(lam) if np.ndim(lam) == 0 else np.sum(np.log(lam))
        out = lse - 0.5 * np.sum(y * y / lam, axis=-1) - 0.5 * (logdet + self.d * _LOG_2PI)
        return _scalar_out(out)

    def sample(self, n: int, rng=None, return_labels: bool = False):
        """n points of the mixture, (n, d) float64, and optionally their classes (n,) in 0..K-1.

        Parameters
        ----------
        n : int
            Number of points, ``>= 1``.
        rng : int, None or numpy.random.Generator
        return_labels : bool
            Also return the class of every point.

        Returns
        -------
        x : ndarray (n, d)
        labels : ndarray (n,) of int, only with ``return_labels=True``

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, sec. "Gaussian mixtures".
        """
        n = _check_n(n)
        rng = np.random.default_rng(rng)
        labels = rng.choice(self.K, size=n, p=self.weights)
        z = rng.standard_normal((n, self.d))
        if self.covariance_kind == "isotropic":
            z *= np.sqrt(self.covariance)
        elif self.covariance_kind == "diagonal":
            z *= np.sqrt(self.covariance)
        else:
            z = (z * np.sqrt(self._evals)) @ self._evecs.T
        x = self.means[labels] + z
        return (x, labels) if return_labels else x

    def __repr__(self) -> str:
        w = np.array2string(self.weights, precision=4)
        return (f"GaussianMixture(K={self.K}, d={self.d}, weights={w}, "
                f"covariance_kind={self.covariance_kind!r})")


# --- centred Gaussian -------------------------------------------------------------------------------

class Gaussian:
    r"""Zero-mean Gaussian data :math:`N(0, \operatorname{diag}(\lambda))`.

    Parameters
    ----------
    spectrum : array_like, shape (d,)
        Covariance eigenvalues :math:`\lambda_i \ge 0` (the eigenbasis is the standard basis).  Zero
        eigenvalues (data on a subspace) are allowed; the score then needs t > 0.

    Attributes
    ----------
    d : int
    spectrum : ndarray (d,)
        The eigenvalues, in the order of the eigenbasis.

    Notes
    -----
    :math:`x_t \sim N(0, e^{-2t}\Lambda + \Delta_t I)`, so
    :math:`\nabla\log P_t(x) = -(e^{-2t}\Lambda + \Delta_t I)^{-1}x`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11 (forward covariance
    :math:`C(t) = C_0e^{-2t} + \Delta_t I`); ``docs/theory/models.md``.

    Examples
    --------
    >>> g = Gaussian([2.0, 0.5, 0.5])
    >>> g.score([[1.0, 1.0, 1.0]], 0.0).tolist()
    [[-0.5, -2.0, -2.0]]
    """

    def __init__(self, spectrum: ArrayLike) -> None:
        lam = check_array(spectrum, "spectrum", lower=0.0, ndim=1)
        if lam.size < 1:
            raise ValueError("spectrum must hold at least one eigenvalue (got an empty array)")
        self.d = lam.size
        self.spectrum = _frozen(lam)
        # general eigenbasis: columns of _basis (d, r) carry _eig; the complement carries _rest
        self._basis: np.ndarray | None = None
        self._eig = lam
        self._rest = 0.0

    @classmethod
    def _from_basis(cls, d: int, basis: np.ndarray, eig: np.ndarray, rest: float) -> Gaussian:
        """Zero-mean Gaussian with covariance U diag(eig) U^T + rest (I - U U^T), U (d, r) orthonormal."""
        out = object.__new__(cls)
        out.d = d
        out._basis, out._eig, out._rest = basis, eig, float(rest)
        out.spectrum = np.concatenate([eig, np.full(d - eig.size, out._rest)])
        return out

    @property
    def mean(self) -> np.ndarray:
        """The mean, zero, shape (d,).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11.
        """
        return np.zeros(self.d)

    def covariance_spectrum(self) -> np.ndarray:
        """Covariance eigenvalues, length d, descending.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11.
        """
        return np.sort(self.spectrum)[::-1]

    def noised(self, t: float) -> Gaussian:
        r"""The Gaussian :math:`P_t`: eigenvalues :math:`e^{-2t}\lambda_i + \Delta_t`, same eigenbasis.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11.
        """
        _, e2, dl = _check_time(t)
        if self._basis is None:
            return Gaussian(e2 * self.spectrum + dl)
        return Gaussian._from_basis(self.d, self._basis, e2 * self._eig + dl, e2 * self._rest + dl)

    def _variances_t(self, t: float):
        _, e2, dl = _check_time(t)
        eig = e2 * self._eig + dl
        rest = e2 * self._rest + dl
        full = self._basis is not None and self._eig.size < self.d
        if np.any(eig <= 0) or (full and rest <= 0):
            raise ValueError(f"t must be > 0 for data with zero-variance directions (got t = {t!r}): "
                             "the density of P_0 is singular")
        return eig, rest

    def score(self, x: ArrayLike, t: float) -> np.ndarray:
        r"""Exact score :math:`-(e^{-2t}\Lambda + \Delta_t I)^{-1}x`, x (..., d) -> (..., d).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11.
        """
        xa = _check_x(x, self.d)
        eig, rest = self._variances_t(t)
        if self._basis is None:
            return -xa / eig
        u = self._basis
        y = xa @ u
        out = (y * (1.0 / eig)) @ u.T
        if eig.size < self.d:
            out += (xa - y @ u.T) / rest
        return -out

    def score_jacobian(self, t: float) -> np.ndarray:
        r"""Jacobian of the score, :math:`-(e^{-2t}C + \Delta_t I)^{-1}` (the same at every x), (d, d).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11; Ventura et al. (2025),
        arXiv:2410.05898, sec. 6 (Jacobian of a linear Gaussian model).
        """
        eig, rest = self._variances_t(t)
        if self._basis is None:
            return np.diag(-1.0 / eig)
        u = self._basis
        out = -(u / eig) @ u.T
        if eig.size < self.d:
            out -= (np.eye(self.d) - u @ u.T) / rest
        return out

    def log_density(self, x: ArrayLike, t: float) -> np.ndarray | float:
        r"""Log density of :math:`N(0, e^{-2t}\Lambda + \Delta_t I)`, x (..., d) -> (...).

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11.
        """
        xa = _check_x(x, self.d)
        eig, rest = self._variances_t(t)
        if self._basis is None:
            q = np.sum(xa * xa / eig, axis=-1)
            logdet = np.sum(np.log(eig))
        else:
            y = xa @ self._basis
            q = np.sum(y * y / eig, axis=-1)
            logdet = np.sum(np.log(eig))
            if eig.size < self.d:
                perp = np.sum(xa * xa, axis=-1) - np.sum(y * y, axis=-1)
                q = q + np.clip(perp, 0.0, None) / rest
                logdet += (self.d - eig.size) * np.log(rest)
        return _scalar_out(-0.5 * (q + logdet + self.d * _LOG_2PI))

    def sample(self, n: int, rng=None) -> np.ndarray:
        """n points, (n, d) float64.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 11 (Gaussian data).
        """
        n = _check_n(n)
        rng = np.random.default_rng(rng)
        z = rng.standard_normal((n, self.d))
        if self._basis is None:
            return z * np.sqrt(self.spectrum)
        # coordinates of z on the eigenbasis and its orthogonal complement are independent
        c = z @ self._basis
        out = (c * np.sqrt(self._eig)) @ self._basis.T
        if self._rest > 0 and self._eig.size < self.d:
            out += np.sqrt(self._rest) * (z - c @ self._basis.T)
        return out

    def __repr__(self) -> str:
        return f"Gaussian(d={self.d})"


# --- linear manifold --------------------------------------------------------------------------------

class LinearManifold:
    r"""Linear-manifold data: K Gaussian latent blocks embedded in d dimensions.

    Parameters
    ----------
    d : int
        Ambient dimension, ``>= 1`` (``>= sum(dims)`` for the orthonormal and rotated embeddings).
    dims : array_like of int, shape (K,)
        Latent directions per block, ``>= 1``.
    variances : array_like, shape (K,)
        Variance of every latent direction of block k, ``> 0`` (variances, not standard deviations).
    embedding : {"orthonormal", "rotated", "random"}
        ``"orthonormal"``: axis-aligned blocks, block k on consecutive coordinates (Achilli et al.);
        ``"rotated"``: the same orthonormal blocks turned by a Haar-random rotation (F has m
        orthonormal columns, the QR of a Gaussian d x m matrix with the signs of R's diagonal
        absorbed, drawn from ``rng``); ``"random"``: :math:`x = Fz` with :math:`F_{ij}` i.i.d.
        :math:`N(0, 1/d)` drawn from ``rng`` (Ventura et al.; the blocks are not orthogonal).
    on_sphere : bool
        Project every data point on the sphere of radius ``radius``.
    rng : int, None or numpy.random.Generator
        Source of the random embedding (unused for ``"orthonormal"``).
    radius : float, optional
        Sphere radius with ``on_sphere``, ``> 0``; default :math:`r = \sqrt{\sum_k d_k v_k}` (the
        norm the Gaussian data have on average).  The paper's data live on the unit sphere
        (``radius=1``).

    Attributes
    ----------
    d : int
    dims : ndarray of int (K,)
    variances : ndarray (K,)
    fractions : ndarray (K,)
        :math:`f_k = d_k / d`.
    latent_dim : int
        :math:`m = \sum_k d_k`.
    embedding_matrix : ndarray (d, latent_dim)
        F (columns: latent directions in block order).
    block_slices : tuple of slice
        Columns of F (latent coordinates) of each block; with the orthonormal embedding also the
        ambient coordinates of each block.
    radius : float
        The sphere radius with ``on_sphere=True`` (:math:`\sqrt{\sum_k d_k v_k}` unless given).

    Notes
    -----
    :math:`x = Fz`, :math:`z \sim N(0, \Sigma)` with :math:`\Sigma` diagonal (:math:`v_k` on the
    :math:`d_k` columns of block k).  Without projection the data are Gaussian with covariance
    :math:`B = F\Sigma F^T`, whose nonzero eigenvalues are the squared singular values of
    :math:`F\Sigma^{1/2}` (one SVD, cached; with orthonormal columns simply the :math:`v_k`), and
    the score is :math:`-(e^{-2t}B + \Delta_t I)^{-1}x`.  On the sphere (orthonormal or rotated
    blocks) the covariance is :math:`r^2\tilde\sigma_k^2` per direction of block k,
    :math:`\tilde\sigma_k^2 = E[y_j^2/|y|^2]` (:func:`theory.manifold.effective_variances`): the
    projection :math:`r\,x/|x|` does not depend on the scale of the variances, only on their ratios
    and on r.

    References
    ----------
    Achilli et al. (2024), "Losing dimensions: geometric memorization in generative diffusion",
    arXiv:2410.08727, synthetic data (axis-aligned blocks projected on the sphere); Ventura et al.
    (2025), "Manifolds, random matrices and spectral gaps", arXiv:2410.05898, sec. 6 (x = Fz, F_ij ~
    N(0, 1/d)); ``docs/theory/models.md``.

    Examples
    --------
    >>> man = LinearManifold(8, [2, 2], [1.0, 0.1], embedding="random", rng=0)
    >>> man.embedding_matrix.shape, man.covariance_spectrum().shape
    ((8, 4), (8,))
    >>> paper = LinearManifold(30, [2, 5, 23], [1.0, 0.09, 1e-4], on_sphere=True, radius=1.0)
    >>> paper.block_variances().round(4).tolist()     # the paper's data on the unit sphere
    [0.3516, 0.059, 0.0001]
    """

    def __init__(self, d: int, dims: ArrayLike, variances: ArrayLike, embedding: str = "orthonormal",
                 on_sphere: bool = False, rng=None, radius: float | None = None) -> None:
        self.d = int(check_scalar(d, "d", lower=1, upper=MAX_DIMENSION, integer=True))
        dm = check_array(dims, "dims", lower=1, upper=MAX_DIMENSION, integer=True)
        if dm.ndim != 1 or dm.size == 0:
            raise ValueError(f"dims must be a non-empty 1-dimensional array (got shape {dm.shape})")
        var = check_array(variances, "variances", lower=0.0, lower_open=True)
        if var.ndim != 1 or var.size != dm.size:
            raise ValueError(f"variances must have one entry per block, {dm.size} (got shape {var.shape})")
        if embedding not in EMBEDDINGS:
            raise ValueError(f"embedding must be one of {', '.join(map(repr, EMBEDDINGS))} "
                             f"(got {embedding!r})")
        if not isinstance(on_sphere, (bool, np.bool_)):
            raise TypeError(f"on_sphere must be True or False (got {on_sphere!r})")
        self.dims = _frozen(dm.astype(np.int64))
        self.variances = _frozen(var)
        self.embedding = embedding
        self.on_sphere = bool(on_sphere)
        self.latent_dim = int(self.dims.sum())
        if embedding != "random" and self.latent_dim > self.d:
            raise ValueError(f"d must be >= sum(dims) = {self.latent_dim} for the {embedding} embedding "
                             f"(got {self.d})")
        self.fractions = self.dims / self.d
        if radius is None:
            self.radius = float(np.sqrt(np.sum(self.dims * var)))
        else:
            self.radius = check_scalar(radius, "radius", lower=0.0, lower_open=True)
        ends = np.cumsum(self.dims)
        self.block_slices = tuple(slice(int(b - k), int(b)) for b, k in zip(ends, self.dims, strict=True))
        self._column_variances = np.repeat(var, self.dims)
        if embedding == "orthonormal":
            self.embedding_matrix = _frozen(np.eye(self.d)[:, :self.latent_dim])
        elif embedding == "rotated":
            g = np.random.default_rng(rng)
            q, r = np.linalg.qr(g.standard_normal((self.d, self.latent_dim)))
            self.embedding_matrix = _frozen(q * np.sign(np.diag(r)))
        else:
            g = np.random.default_rng(rng)
            self.embedding_matrix = _frozen(g.standard_normal((self.d, self.latent_dim)) / np.sqrt(self.d))
        self._gauss: Gaussian | None = None

    @classmethod
    def from_fractions(cls, d: int, fractions: ArrayLike, variances: ArrayLike,
                       embedding: str = "random", on_sphere: bool = False, rng=None,
                       radius: float | None = None) -> LinearManifold:
        r"""The manifold with :math:`d_k = \mathrm{round}(f_k d)` latent directions per block.

        The parameterization of the spectral-gap theory (:mod:`theory.spectral`: fractions
        :math:`f_k` and variances :math:`v_k`); random embedding by default.

        Parameters
        ----------
        d : int
            Ambient dimension, ``>= 1``.
        fractions : array_like (K,)
            :math:`f_k > 0`; every block needs :math:`\mathrm{round}(f_k d) \ge 1`.
        variances, embedding, on_sphere, rng, radius
            As in :class:`LinearManifold`.

        Returns
        -------
        LinearManifold

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6 (fractions :math:`f_k = m_k/d`);
        ``docs/theory/models.md``.
        """
        d = int(check_scalar(d, "d", lower=1, upper=MAX_DIMENSION, integer=True))
        f = np.atleast_1d(check_array(fractions, "fractions", lower=0.0, lower_open=True))
        dims = np.rint(f * d).astype(np.int64)
        if np.any(dims < 1):
            raise ValueError(f"d must give every block at least one latent direction: round(f_k d) "
                             f"must be >= 1 (got {dims.tolist()} for d = {d})")
        return cls(d, dims, variances, embedding=embedding, on_sphere=on_sphere, rng=rng, radius=radius)

    def _gaussian(self) -> Gaussian:
        """The Gaussian x = Fz without projection (eigenbasis from one thin SVD, cached)."""
        if self._gauss is None:
            if self.embedding == "orthonormal":
                spec = np.zeros(self.d)
                spec[:self.latent_dim] = self._column_variances
                self._gauss = Gaussian(spec)
            elif self.embedding == "rotated":
                self._gauss = Gaussian._from_basis(self.d, np.asarray(self.embedding_matrix),
                                                   self._column_variances.copy(), 0.0)
            else:
                u, sv, _ = np.linalg.svd(self.embedding_matrix * np.sqrt(self._column_variances),
                                         full_matrices=False)
                self._gauss = Gaussian._from_basis(self.d, u, sv**2, 0.0)
        return self._gauss

    def _gaussian_only(self, what: str) -> Gaussian:
        if self.on_sphere:
            raise NotImplementedError(f"{what} is exact for Gaussian data only: on_sphere must be False "
                                      "(the data projected on the sphere are not Gaussian)")
        return self._gaussian()

    def block_bases(self) -> tuple[np.ndarray, ...]:
        r"""Orthonormal basis (d, d_k) of the span of each block, in block order.

        With the orthonormal and rotated embeddings these are the columns of F of block k (the
        blocks are mutually orthogonal); with the random embedding the Q factor of the QR
        decomposition of :math:`F_k` (the blocks' spans then overlap).

        References
        ----------
        Achilli et al. (2024), arXiv:2410.08727 (subspaces of the linear manifold); Ventura et al.
        (2025), arXiv:2410.05898, sec. 6.3 (latent subspaces span F_k).
        """
        f = np.asarray(self.embedding_matrix)
        if self.embedding == "random":
            return tuple(np.linalg.qr(f[:, sl])[0] for sl in self.block_slices)
        return tuple(np.ascontiguousarray(f[:, sl]) for sl in self.block_slices)

    def block_variances(self) -> np.ndarray:
        r"""Variance of the data along every direction of block k, shape (K,).

        Gaussian data: the latent variances :math:`v_k`.  On the sphere: :math:`r^2\tilde\sigma_k^2`,
        :math:`\tilde\sigma_k^2 = E[y_j^2/|y|^2]` (:func:`theory.manifold.effective_variances`, exact),
        with :math:`\sum_k d_k r^2\tilde\sigma_k^2 = r^2`.

        Raises
        ------
        NotImplementedError
            For the random embedding (its block directions are not orthonormal, so a block has no
            single per-direction variance).

        References
        ----------
        Achilli et al. (2024), arXiv:2410.08727 (data projected on the sphere);
        ``docs/theory/losing-dimensions.md`` (effective variances).
        """
        if self.embedding == "random":
            raise NotImplementedError("block_variances needs orthonormal blocks: embedding must be "
                                      "'orthonormal' or 'rotated' (got 'random')")
        if not self.on_sphere:
            return np.array(self.variances)
        return self.radius**2 * effective_variances(np.sqrt(self.variances), self.dims)

    def covariance_spectrum(self) -> np.ndarray:
        r"""Eigenvalues of the data covariance, length d, descending.

        Notes
        -----
        Gaussian data: eigenvalues of :math:`F\Sigma F^T` (d - m zeros when m < d).  On the sphere
        with orthonormal or rotated blocks: :math:`r^2\tilde\sigma_k^2` (d_k times each) and zeros.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6 (spectrum of :math:`F\Sigma F^T`); Achilli
        et al. (2024), arXiv:2410.08727 (sphere-projected data); ``docs/theory/models.md``.
        """
        if not self.on_sphere:
            return self._gaussian().covariance_spectrum()
        if self.embedding == "random":
            raise NotImplementedError("covariance_spectrum with on_sphere=True is known in closed form "
                                      "for orthonormal blocks only: embedding must be 'orthonormal' or "
                                      "'rotated' (got embedding='random')")
        spec = np.zeros(self.d)
        spec[:self.latent_dim] = np.repeat(self.block_variances(), self.dims)
        return np.sort(spec)[::-1]

    def sample(self, n: int, rng=None) -> np.ndarray:
        """n points, (n, d) float64: :math:`x = Fz`, projected on the sphere with ``on_sphere``.

        The latent draw is ``rng.standard_normal((n, latent_dim))`` scaled per block; with
        orthonormal or rotated blocks the projection on the sphere acts on z (``|Fz| = |z|``).

        References
        ----------
        Achilli et al. (2024), arXiv:2410.08727, synthetic data; Ventura et al. (2025),
        arXiv:2410.05898, sec. 6.
        """
        n = _check_n(n)
        rng = np.random.default_rng(rng)
        z = rng.standard_normal((n, self.latent_dim)) * np.sqrt(self._column_variances)
        if self.on_sphere and self.embedding != "random":
            z *= self.radius / np.linalg.norm(z, axis=1, keepdims=True)
        if self.embedding == "orthonormal":
            x = np.zeros((n, self.d))
            x[:, :self.latent_dim] = z
        else:
            x = z @ self.embedding_matrix.T
        if self.on_sphere and self.embedding == "random":
            x *= self.radius / np.linalg.norm(x, axis=1, keepdims=True)
        return x

    def noised(self, t: float) -> Gaussian:
        r"""The Gaussian :math:`P_t`, covariance :math:`e^{-2t}F\Sigma F^T + \Delta_t I` (Gaussian case).

        Raises
        ------
        NotImplementedError
            With ``on_sphere=True``.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6; Biroli et al. (2024), eq. 11.
        """
        return self._gaussian_only("noised").noised(t)

    def score(self, x: ArrayLike, t: float) -> np.ndarray:
        r"""Exact score :math:`-(e^{-2t}F\Sigma F^T + \Delta_t I)^{-1}x` (Gaussian case, t > 0).

        Raises
        ------
        NotImplementedError
            With ``on_sphere=True``.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6 (exact score of the linear manifold).
        """
        return self._gaussian_only("score").score(x, t)

    def score_jacobian(self, t: float) -> np.ndarray:
        r"""Jacobian of the exact score, :math:`-(e^{-2t}F\Sigma F^T + \Delta_t I)^{-1}` (d, d), t > 0.

        Raises
        ------
        NotImplementedError
            With ``on_sphere=True``.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6 (Jacobian of the linear Gaussian model).
        """
        return self._gaussian_only("score_jacobian").score_jacobian(t)

    def log_density(self, x: ArrayLike, t: float) -> np.ndarray | float:
        """Log density of :math:`P_t` (Gaussian case, t > 0); see :meth:`score`.

        References
        ----------
        Ventura et al. (2025), arXiv:2410.05898, sec. 6.
        """
        return self._gaussian_only("log_density").log_density(x, t)

    def __repr__(self) -> str:
        sphere = f", on_sphere=True, radius={self.radius:g}" if self.on_sphere else ""
        return (f"LinearManifold(d={self.d}, dims={self.dims.tolist()}, variances={self.variances.tolist()}, "
                f"embedding={self.embedding!r}{sphere})")
