"""The four mixtures of the K-class tests (d = 256), shared by tests/test_mixture_theory.py and the
reference script tests/_precompute_mixture.py.

- ``unequal``: the paper's +-m mixture (|m|^2 = d) with weights 0.8 / 0.2;
- ``hierarchical``: 2 super-classes +-u (|u|^2 = 1024) each split into 2 sub-classes +-v (|v|^2 = 16),
  u and v orthogonal, equal weights; speciation times 1/2 log(1025) and 1/2 log(17);
- ``triangle``: 3 classes with means at 120 degrees on a circle of radius 16 in a plane;
- ``diagonal``: +-m (|m|^2 = d) with a diagonal class covariance spread geometrically over
  [0.01, 100] (shuffled over the coordinates).
"""

import numpy as np

from theory.models import GaussianMixture

D = 256
A2, B2 = 1024.0, 16.0           # hierarchical: |u|^2 and |v|^2
R2 = 256.0                      # triangle: squared radius
ANGLES = np.deg2rad([90.0, 210.0, 330.0])


def basis() -> tuple[np.ndarray, np.ndarray]:
    """Two orthonormal directions of R^D: (1, ..., 1)/sqrt(D) and (1, -1, 1, ...)/sqrt(D)."""
    e1 = np.full(D, 1.0 / np.sqrt(D))
    e2 = np.where(np.arange(D) % 2 == 0, 1.0, -1.0) / np.sqrt(D)
    return e1, e2


def unequal() -> GaussianMixture:
    return GaussianMixture.symmetric(D, 1.0, 1.0, weight=0.8)


def hierarchical() -> GaussianMixture:
    e1, e2 = basis()
    u, v = np.sqrt(A2) * e1, np.sqrt(B2) * e2
    return GaussianMixture(np.stack([u + v, u - v, -u + v, -u - v]))


HIERARCHY = [0, 0, 1, 1]        # super-class of each class of hierarchical()


def triangle() -> GaussianMixture:
    e1, e2 = basis()
    means = np.sqrt(R2) * (np.cos(ANGLES)[:, None] * e1 + np.sin(ANGLES)[:, None] * e2)
    return GaussianMixture(means)


def diagonal_spectrum() -> np.ndarray:
    spec = np.geomspace(0.01, 100.0, D)
    np.random.default_rng(0).shuffle(spec)
    return spec


def diagonal() -> GaussianMixture:
    m = np.ones(D)
    return GaussianMixture(np.stack([m, -m]), covariance=diagonal_spectrum())


MODELS = {"unequal": unequal, "hierarchical": hierarchical, "triangle": triangle, "diagonal": diagonal}
