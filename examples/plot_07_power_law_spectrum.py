"""
Heat map of a power-law spectrum
================================

Real data have no few well-separated variance groups but a continuum of latent variances, often
close to a power law.  :func:`theory.spectral.power_law` discretises such a law by quantiles into
K groups; :func:`regimes.spectral_figures.plot_law_spectrum` draws the Jacobian density over
(t, mu), the support of the spectrum and its gaps (``docs/theory/spectral-gaps.md``).
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from regimes.spectral_figures import plot_law_spectrum
from theory.spectral import power_law

QUICK = os.environ.get("DOCS_QUICK") == "1"

# 400 latent variances v_k proportional to k^(-1), on 40 % of the dimensions.
law = power_law(1.0, 400, 0.4)
t = np.geomspace(1e-3, 3.0, 30 if QUICK else 60)
fig = plot_law_spectrum(law, t, K=100 if QUICK else 400, mu_points=60 if QUICK else 150,
                        heat_times=30 if QUICK else 80)
plt.show()
