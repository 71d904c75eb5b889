"""
Spectral gaps of the score Jacobian
===================================

Data on a random linear manifold (:class:`theory.models.LinearManifold` with ``embedding="random"``):
the exact score is linear and the normalised Jacobian :math:`-\\Delta_t J` has a spike at 1 (the
normal directions) and tangent bulks in (0, 1).  As t decreases, gaps open between the bulks and
the spike: the trivial, coverage and consolidation phases of Ventura et al. (2025).
:func:`regimes.spectral_figures.plot_spectrum` draws the density heat map against time with the
edges, gaps and phases from :mod:`theory.spectral` (``docs/theory/spectral-gaps.md``).
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from regimes.spectral_figures import plot_spectrum

QUICK = os.environ.get("DOCS_QUICK") == "1"

# Two sub-manifolds: 10 % of the dimensions with latent variance 1, 20 % with variance 0.05.
fractions, variances = [0.1, 0.2], [1.0, 0.05]
t = np.geomspace(1e-3, 5.0, 40 if QUICK else 120)
fig = plot_spectrum(fractions, variances, t, mu_points=80 if QUICK else 300)
plt.show()
