"""The two manifold generators the package had before theory.models.LinearManifold replaced them,
kept here only as references: the tests check that the one manifold object draws the same numbers
for the same seed.

- :func:`axis_manifold_points`: ``validation.linear_manifold_data(d, n, stds, dims, normalized,
  embedding, radius, rng)`` (per-coordinate standard deviations; axis-aligned or Haar-rotated blocks;
  projection of the latent point on the sphere of radius ``radius``, 1 by default);
- :class:`RandomManifold`: ``validation.RandomLinearManifold(d, fractions, variances, rng)``
  (F with i.i.d. N(0, 1/d) entries, round(f_k d) columns per group).
"""

from __future__ import annotations

import numpy as np


def axis_manifold_points(d, n, stds, dims, normalized=False, embedding="axis", radius=1.0, rng=None):
    """Points (n, d) and bases of the former ``validation.linear_manifold_data``."""
    rng = np.random.default_rng(rng)
    stds, dims = np.asarray(stds, dtype=float), np.asarray(dims, dtype=int)
    total = int(dims.sum())
    if embedding == "axis":
        frame = np.eye(d)[:, :total]
    else:                                       # Haar: QR of a Gaussian matrix with the sign fix
        q, r = np.linalg.qr(rng.standard_normal((d, total)))
        frame = q * np.sign(np.diag(r))
    bases = np.split(frame, np.cumsum(dims)[:-1], axis=1)
    coords = rng.standard_normal((n, total)) * np.repeat(stds, dims)
    if normalized:
        coords *= radius / np.linalg.norm(coords, axis=1, keepdims=True)
    return coords @ frame.T, bases


class RandomManifold:
    """The former ``validation.RandomLinearManifold`` (F, eigenvalues ascending, sample)."""

    def __init__(self, d, fractions, variances, rng=None):
        f = np.atleast_1d(np.asarray(fractions, dtype=float))
        v = np.atleast_1d(np.asarray(variances, dtype=float))
        counts = np.rint(f * d).astype(int)
        rng = np.random.default_rng(rng)
        self.d, self.m = d, int(counts.sum())
        self.groups = np.repeat(np.arange(f.size), counts)
        self.column_variances = v[self.groups]
        self.F = rng.standard_normal((d, self.m)) / np.sqrt(d)
        u, sv, _ = np.linalg.svd(self.F * np.sqrt(self.column_variances), full_matrices=False)
        order = np.argsort(sv)
        self.eigenvectors = u[:, order]
        self.eigenvalues = np.r_[np.zeros(d - self.m), sv[order] ** 2]

    def sample(self, n, rng=None):
        z = np.random.default_rng(rng).standard_normal((n, self.m)) * np.sqrt(self.column_variances)
        return z @ self.F.T

    def subspace_bases(self):
        return [np.linalg.qr(self.F[:, self.groups == k])[0] for k in range(int(self.groups.max()) + 1)]
