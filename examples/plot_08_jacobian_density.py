"""
Continuous-spectrum Jacobian density
====================================

The density of the normalised Jacobian :math:`-\\Delta_t J` at a few times, for a continuous law of
latent variances: uniform on [0.5, 1.5] and a power law.  :meth:`theory.spectral.VarianceLaw.jacobian_density`
solves the self-consistent (Stieltjes) equation of the discretised law; the bulk moves from
:math:`\\mu \\approx 1` (large t, everything is noise) towards 0 as t decreases, leaving a gap below
the spike of the normal directions (``docs/theory/spectral-gaps.md``).
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from theory.spectral import power_law, uniform_law

QUICK = os.environ.get("DOCS_QUICK") == "1"
K = 200 if QUICK else 1000
mu = np.linspace(0.002, 0.998, 150 if QUICK else 400)

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, law) in zip(axes, [("uniform variances on [0.5, 1.5]", uniform_law(0.5, 1.5, 0.4)),
                                  ("power law, beta = 1", power_law(1.0, 400, 0.4))], strict=True):
    for t in (0.05, 0.2, 0.5, 1.0):
        ax.plot(mu, law.jacobian_density(mu, t, K=K), label=f"t = {t}")
    ax.set_title(name + " (40 % of the dimensions)")
    ax.set_xlabel(r"$\mu$ (eigenvalue of $-\Delta_t J$)")
    ax.set_yscale("log")
axes[0].set_ylabel("density (tangent bulk)")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()
