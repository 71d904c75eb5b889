r"""Symbolic descriptions of the data models: a Gaussian mixture and a linear manifold whose
parameters are sympy symbols or numbers.

The derivations that take a model (:func:`derivations.noised_mixture`,
:func:`derivations.landau_potential`, :func:`derivations.spectrum_rem`,
:func:`derivations.manifold_block_rem`, ...) accept either these objects or the numeric model
objects of the package (``theory.models.GaussianMixture``, ``theory.models.LinearManifold``) read
by duck typing -- the attributes ``means``, ``weights``, ``covariance``/``covariance_kind``, ``d``,
``K`` of a mixture, ``d``, ``dims``, ``variances``, ``on_sphere`` of a manifold -- so that this
package never imports ``theory``.

A mixture may be written in *reduced coordinates*: ``means`` of shape (K, r) give the first r
coordinates of the class means in a space of dimension ``d`` (a symbol or an integer >= r), the
other d - r coordinates of every mean being 0.  With an isotropic class covariance nothing is lost:
the d - r remaining coordinates contribute the same factor to every component.  The paper's
symmetric mixture is ``SymbolicMixture.symmetric()``: ``means = [[mu_tilde sqrt(d)],
[-mu_tilde sqrt(d)]]`` in a space of symbolic dimension d, i.e. :math:`|m|^2 = d\tilde\mu^2`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy as sp

from . import _symbols as S

__all__ = ["SymbolicMixture", "SymbolicManifold", "as_symbolic_mixture", "as_symbolic_manifold",
           "exact_number"]


_HALF = sp.Rational(1, 2)


def exact_number(value) -> sp.Expr:
    """A sympy number from a Python/numpy number: integers stay integers, floats become the
    rational with the shortest decimal representation (0.8 -> 4/5); sympy objects pass through."""
    if isinstance(value, sp.Basic):
        return value
    if hasattr(value, "item"):                       # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, float):
        return sp.Rational(repr(value))
    return sp.sympify(value)


def _short(value) -> sp.Expr:
    """A float to 12 significant digits as an exact rational (round-off of numeric models)."""
    return exact_number(float(f"{float(value):.12g}"))


@dataclass(frozen=True)
class SymbolicMixture:
    r"""A Gaussian mixture :math:`\sum_k w_k N(m_k, S)` with symbolic or numeric parameters.

    Parameters
    ----------
    means : sequence of sequences, shape (K, r)
        Class means (their first r coordinates; see ``d``), sympy expressions or numbers.
    weights : sequence, shape (K,), optional
        Class weights (default 1/K each).  Numeric weights must sum to 1.
    covariance : expression or sequence of r expressions
        Class covariance shared by the classes: a scalar :math:`\sigma^2` (isotropic) or the r
        diagonal entries (diagonal; then ``d`` must be r).
    d : expression or int, optional
        Ambient dimension (default r).  With d > r the means have zeros beyond coordinate r.

    Attributes
    ----------
    K, r : int
        Number of classes and of explicit coordinates.
    d : sympy.Expr
    means : sympy.Matrix (K, r)
    weights : tuple of sympy.Expr
    covariance : sympy.Expr or tuple of sympy.Expr
    covariance_kind : {"isotropic", "diagonal"}
    variances : tuple of sympy.Expr
        The class variance of each explicit coordinate.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B (the Gaussian mixture);
    the K-class, weighted and diagonal forms are those of ``docs/theory/models.md``.

    Examples
    --------
    >>> from derivations import SymbolicMixture
    >>> m = SymbolicMixture.symmetric()
    >>> m.K, m.r, m.d, m.covariance
    (2, 1, d, sigma**2)
    """

    means: sp.Matrix
    weights: tuple
    covariance: object
    d: sp.Expr
    covariance_kind: str = field(init=False)
    K: int = field(init=False)
    r: int = field(init=False)

    def __init__(self, means, weights=None, covariance=S.sigma**2, d=None) -> None:
        rows = [[exact_number(v) for v in row] for row in means]
        if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
            raise ValueError(f"means must be a non-empty (K, r) table (got {means!r})")
        mat = sp.ImmutableMatrix(rows)
        K, r = mat.shape
        if weights is None:
            w = tuple(sp.Rational(1, K) for _ in range(K))
        else:
            w = tuple(exact_number(v) for v in weights)
            if len(w) != K:
                raise ValueError(f"weights must have one entry per class, K = {K} (got {len(w)})")
            total = sp.nsimplify(sum(w))
            if total.is_number and total != 1:
                raise ValueError(f"weights must sum to 1 (got {total})")
            if any(v.is_number and not v > 0 for v in w):
                raise ValueError(f"weights must be > 0 (got {w})")
        if isinstance(covariance, (list, tuple)) or (hasattr(covariance, "ndim")
                                                      and getattr(covariance, "ndim", 0) == 1):
            cov = tuple(exact_number(v) for v in covariance)
            if len(cov) != r:
                raise ValueError(f"a diagonal covariance needs one variance per coordinate, r = {r} "
                                 f"(got {len(cov)})")
            kind = "diagonal"
        elif hasattr(covariance, "ndim") and getattr(covariance, "ndim", 0) == 2:
            raise NotImplementedError("covariance: a full (d, d) class covariance is not supported; "
                                      "give a scalar (isotropic) or a vector (diagonal)")
        else:
            cov = exact_number(covariance)
            kind = "isotropic"
        dim = sp.Integer(r) if d is None else exact_number(d)
        if dim.is_number and dim < r:
            raise ValueError(f"d must be >= r = {r}, the number of explicit coordinates (got {dim})")
        if kind == "diagonal" and dim != r:
            raise ValueError(f"a diagonal covariance needs explicit coordinates: d must equal r = {r} "
                             f"(got {dim})")
        object.__setattr__(self, "means", mat)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "covariance", cov)
        object.__setattr__(self, "d", dim)
        object.__setattr__(self, "covariance_kind", kind)
        object.__setattr__(self, "K", K)
        object.__setattr__(self, "r", r)

    # -- constructors --------------------------------------------------------------------------

    @classmethod
    def symmetric(cls, mu_tilde=S.mu_tilde, sigma=S.sigma, weight=_HALF,
                  d=S.d) -> SymbolicMixture:
        r"""The paper's mixture :math:`w N(+m, \sigma^2 I) + (1-w) N(-m, \sigma^2 I)`,
        :math:`|m|^2 = d\tilde\mu^2`, in the reduced coordinate along m.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B.
        """
        mu, sg, w = exact_number(mu_tilde), exact_number(sigma), exact_number(weight)
        m = mu * sp.sqrt(exact_number(d))
        return cls([[m], [-m]], [w, 1 - w], sg**2, d=d)

    @classmethod
    def from_model(cls, model) -> SymbolicMixture:
        r"""Read a numeric mixture (duck typing: ``means``, ``weights``, ``covariance``,
        ``covariance_kind``, ``d``); numbers become exact rationals (:func:`exact_number`).

        An isotropic mixture is written in reduced coordinates: the means are expressed in an
        orthonormal basis whose first vectors span them when that makes r < d (a rotation about
        the origin, which keeps every section through the origin; the rotated coordinates are kept
        to 12 significant digits); otherwise and for a diagonal covariance the coordinates are kept.

        References
        ----------
        Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. B.
        """
        kind = getattr(model, "covariance_kind", None)
        if kind == "full":
            raise NotImplementedError("model: a full class covariance is not supported (isotropic or "
                                      "diagonal only)")
        if kind not in ("isotropic", "diagonal"):
            raise TypeError(f"model must be a Gaussian mixture with covariance_kind 'isotropic' or "
                            f"'diagonal' (got {type(model).__name__})")
        import numpy as np

        means = np.asarray(model.means, dtype=float)
        weights = [_short(w) for w in np.asarray(model.weights)]
        d = int(model.d)
        if kind == "isotropic":
            K = means.shape[0]
            if K < d:
                rank = np.linalg.matrix_rank(means)
                if rank == 0:
                    coords = np.zeros((K, 1))
                else:
                    basis = np.linalg.svd(means, full_matrices=False)[2][:rank]
                    pivots = np.argmax(np.abs(basis), axis=1)
                    basis *= np.sign(basis[np.arange(rank), pivots])[:, None]
                    coords = means @ basis.T
                if coords.shape[1] < d:
                    # the rotation costs ~1e-16: keep 12 significant digits (4.0000000000000009 -> 4)
                    coords = [[float(f"{v:.12g}") for v in row] for row in coords]
                    return cls(coords, weights, _short(model.covariance), d=d)
            return cls(means.tolist(), weights, _short(model.covariance))
        return cls(means.tolist(), weights, [_short(v) for v in np.asarray(model.covariance)])

    # -- structure -----------------------------------------------------------------------------

    @property
    def variances(self) -> tuple:
        """Class variance of every explicit coordinate."""
        if self.covariance_kind == "isotropic":
            return (self.covariance,) * self.r
        return self.covariance

    @property
    def mean(self) -> sp.Matrix:
        """Mixture mean :math:`\\sum_k w_k m_k` (1 x r)."""
        return sp.ImmutableMatrix(sum((w * self.means.row(k) for k, w in enumerate(self.weights)),
                                      sp.zeros(1, self.r)))

    def between_class_covariance(self) -> sp.Matrix:
        r""":math:`B = \sum_k w_k (m_k - \bar m)(m_k - \bar m)^T` on the explicit coordinates (r x r)."""
        mbar = self.mean
        out = sp.zeros(self.r, self.r)
        for k, w in enumerate(self.weights):
            dev = (self.means.row(k) - mbar).T
            out += w * dev * dev.T
        return sp.ImmutableMatrix(out.applyfunc(sp.simplify))

    def top_direction(self) -> sp.Matrix:
        r"""Unit eigenvector of the top eigenvalue of B (r x 1).

        Two classes: :math:`(m_1 - m_2)/|m_1 - m_2|` (B has rank one).  More classes: the
        eigenvector of the largest eigenvalue by :meth:`sympy.Matrix.eigenvects`, which needs
        numeric means (symbolic ones: pass ``direction=`` to the derivation); an eigenvector with
        nested radicals is returned as 30-digit floats.
        """
        if self.K == 2:
            diff = (self.means.row(0) - self.means.row(1)).T
            norm = sp.sqrt(sum(v**2 for v in diff))
            if norm.is_zero:
                raise ValueError("the two class means coincide: no between-class direction")
            return sp.ImmutableMatrix(diff / norm)
        b = self.between_class_covariance()
        if b.free_symbols:
            raise ValueError("top_direction: the means are symbolic; give direction= explicitly")
        best = None
        for val, _, vecs in b.eigenvects():
            if best is None or sp.N(val) > sp.N(best[0]):
                best = (val, vecs[0])
        if best is None or not sp.N(best[0]) > 0:
            raise ValueError("the class means coincide: no between-class direction")
        vec = best[1]
        vec = vec / sp.sqrt(sum(v**2 for v in vec))
        pivot = max(range(self.r), key=lambda i: abs(sp.N(vec[i])))
        if sp.N(vec[pivot]) < 0:
            vec = -vec
        vec = vec.applyfunc(sp.radsimp)
        if max(sp.count_ops(v) for v in vec) > 8:
            # nested radicals make every later step slow: 30 significant digits instead
            vec = vec.applyfunc(lambda v: sp.Float(sp.N(v, 35), 30))
        return sp.ImmutableMatrix(vec)

    def top_eigenvalue(self) -> sp.Expr:
        r"""Largest eigenvalue of B: :math:`u^T B u` along :meth:`top_direction`."""
        u = self.top_direction()
        return sp.simplify((u.T * self.between_class_covariance() * u)[0, 0])


@dataclass(frozen=True)
class SymbolicManifold:
    r"""A linear manifold of K latent blocks (dimension :math:`d_k`, variance :math:`v_k`) in d
    dimensions, with symbolic or numeric parameters.

    Parameters
    ----------
    dims : sequence of K expressions
        Latent dimensions :math:`d_k` of the blocks (symbols or integers).
    variances : sequence of K expressions
        Variance :math:`v_k` of every latent direction of block k.
    d : expression or int
        Ambient dimension; the fractions are :math:`f_k = d_k/d`.
    on_sphere : bool
        Data projected on a sphere (fixed norm; the REM gate g = 0) or Gaussian (g = 1).

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727 (blocks on the sphere); Ventura et al. (2025),
    arXiv:2410.05898, sec. 6 (x = Fz); ``docs/theory/models.md``.

    Examples
    --------
    >>> from derivations import SymbolicManifold
    >>> SymbolicManifold.generic(2).fractions
    (d_1/d, d_2/d)
    """

    dims: tuple
    variances: tuple
    d: sp.Expr
    on_sphere: bool = False

    def __init__(self, dims: Sequence, variances: Sequence, d=S.d, on_sphere: bool = False) -> None:
        dm = tuple(exact_number(v) for v in dims)
        var = tuple(exact_number(v) for v in variances)
        if not dm or len(dm) != len(var):
            raise ValueError(f"dims and variances must be non-empty and of equal length (got {len(dm)} "
                             f"and {len(var)})")
        object.__setattr__(self, "dims", dm)
        object.__setattr__(self, "variances", var)
        object.__setattr__(self, "d", exact_number(d))
        object.__setattr__(self, "on_sphere", bool(on_sphere))

    @classmethod
    def generic(cls, K: int, on_sphere: bool = False) -> SymbolicManifold:
        """K blocks with symbols ``d_k``, ``v_k`` and ambient dimension ``d``.

        References
        ----------
        Achilli et al. (2024), arXiv:2410.08727; Ventura et al. (2025), arXiv:2410.05898, sec. 6.
        """
        if not isinstance(K, int) or K < 1:
            raise ValueError(f"K must be an integer >= 1 (got {K!r})")
        dims = sp.symbols(f"d_1:{K + 1}", positive=True)
        var = sp.symbols(f"v_1:{K + 1}", positive=True)
        return cls(dims, var, S.d, on_sphere)

    @classmethod
    def from_model(cls, model) -> SymbolicManifold:
        """Read a numeric linear manifold (duck typing: ``d``, ``dims``, ``variances``,
        ``on_sphere``).

        References
        ----------
        Achilli et al. (2024), arXiv:2410.08727; Ventura et al. (2025), arXiv:2410.05898, sec. 6.
        """
        for name in ("d", "dims", "variances"):
            if not hasattr(model, name):
                raise TypeError(f"model must be a linear manifold with attribute {name!r} "
                                f"(got {type(model).__name__})")
        return cls([int(v) for v in model.dims], [float(v) for v in model.variances], int(model.d),
                   bool(getattr(model, "on_sphere", False)))

    @property
    def K(self) -> int:
        return len(self.dims)

    @property
    def fractions(self) -> tuple:
        """:math:`f_k = d_k/d`."""
        return tuple(dk / self.d for dk in self.dims)


def as_symbolic_mixture(model) -> SymbolicMixture:
    """A :class:`SymbolicMixture` from itself or from a numeric mixture (duck typing)."""
    if isinstance(model, SymbolicMixture):
        return model
    if model is None:
        return SymbolicMixture.symmetric()
    return SymbolicMixture.from_model(model)


def as_symbolic_manifold(model) -> SymbolicManifold:
    """A :class:`SymbolicManifold` from itself or from a numeric linear manifold (duck typing)."""
    if isinstance(model, SymbolicManifold):
        return model
    return SymbolicManifold.from_model(model)
