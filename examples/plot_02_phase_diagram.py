"""
Phase diagram of a custom mixture
=================================

The three regimes of the backward dynamics over (t, alpha), alpha = log(n)/d, for a mixture given
by the user: regime I (before speciation), II (speciated, not collapsed) and III (collapsed onto
the training points).  :func:`theory.phase_diagram.model_phase_diagram` takes any
:class:`theory.models.GaussianMixture`; with several classes the number of speciated directions
is counted, and the collapse time :math:`t_C(\\alpha)` comes from the excess entropy of the model
(``docs/theory/models.md``, "K classes: the phase diagram").
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from theory.models import GaussianMixture
from theory.phase_diagram import model_phase_diagram

QUICK = os.environ.get("DOCS_QUICK") == "1"

# %%
# Three classes in d = 100 with unequal weights and a diagonal class covariance.
d = 100
rng = np.random.default_rng(0)
means = rng.normal(size=(3, d)) * 0.6
variances = np.linspace(0.5, 1.5, d)
model = GaussianMixture(means, weights=[0.5, 0.3, 0.2], covariance=variances)

t = np.linspace(0.02, 4.0, 80 if QUICK else 200)
alpha = np.linspace(0.02, 0.6, 60 if QUICK else 150)
pd = model_phase_diagram(model, t, alpha)
print("speciation times:", np.round(pd.speciation_times, 4))

# %%
# Regime codes: 1 + j where j speciations have happened and the dynamics has not collapsed,
# J + 2 where it has collapsed (t < t_C).  ``pd.plot`` fills the regions between the analytic
# boundaries (the speciation lines and the curve :math:`t_C(\alpha)` of ``pd.boundaries()``,
# recomputed from the model on a fine grid), labels the lines and marks a point of our own.
point = (1.0, 0.3)                         # (t, alpha): its regime goes in the legend
print("regime at t = 1, alpha = 0.3:", pd.point(*point)["regime"])
ax = pd.plot(point=point)
ax.figure.set_size_inches(9, 4.5)
plt.show()
