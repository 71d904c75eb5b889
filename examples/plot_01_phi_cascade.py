"""
Cloning probability phi and the speciation cascade
==================================================

The cloning probability :math:`\\phi(t)` is the probability that two trajectories cloned at time
t end in the same class.  For the symmetric two-class mixture of Biroli et al. (2024) it has the
closed form of eq. 6 and falls from 1 to 1/2 around the speciation time
:math:`t_S = \\frac12\\log(d\\tilde\\mu^2)`.  A mixture with several classes at different
separations speciates in steps: one speciation time per eigenvalue of the between-class covariance
(:func:`theory.speciation.speciation_times`), and :func:`theory.speciation.phi` gives the exact
cloning probability of any mixture.  See ``docs/theory/dynamical-regimes.md`` sec. 2 and
``docs/theory/models.md``.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from theory.gaussian_mixture import phi as phi_symmetric
from theory.gaussian_mixture import speciation_time
from theory.models import GaussianMixture
from theory.speciation import phi, speciation_times

QUICK = os.environ.get("DOCS_QUICK") == "1"

# %%
# The symmetric mixture: phi against t / t_S for several dimensions (eq. 6).
fig, ax1 = plt.subplots(figsize=(6.5, 4.5))
x = np.linspace(0.4, 1.6, 300)
for d in (64, 256, 1024, 4096, 16384):
    t_s = speciation_time(d)
    ax1.plot(x, phi_symmetric(x * t_s, d), label=f"d = {d}")
ax1.axvline(1.0, color="k", ls="--", lw=0.8)
ax1.set_xlabel(r"$t/t_S$")
ax1.set_ylabel(r"$\phi(t)$")
ax1.set_title("symmetric mixture (eq. 6)")
ax1.legend(fontsize=8)
plt.show()

# %%
# Four classes in d = 64, as two pairs: the pair centres are 24 apart along one axis, the classes
# of the first pair 12 apart along a second axis and those of the second pair 6 apart along a
# third.  Three between-class eigenvalues, three speciation times: the pairs split first, then
# the wider pair, then the narrower one.
d = 64
means = np.zeros((4, d))
means[0, 0], means[1, 0] = 6.0, -6.0
means[2, 1], means[3, 1] = 3.0, -3.0
means[:2, 2] += 12.0
means[2:, 2] -= 12.0
model = GaussianMixture(means)
times = speciation_times(model)
print("speciation times (lambda reading):", np.round(times, 4))

t = np.linspace(0.05, 3.5, 24 if QUICK else 60)
p = phi(t, model, n_points=1024 if QUICK else 4096)
fig, ax2 = plt.subplots(figsize=(6.5, 4.5))
ax2.plot(t, p, "o-", ms=3, label=r"$\phi(t)$, 4 classes")
for ts in times:
    ax2.axvline(ts, color="C3", ls="--", lw=0.8)
ax2.axhline(1.0 / 4, color="k", lw=0.5)
ax2.set_xlabel("t (OU time)")
ax2.set_ylabel(r"$\phi(t)$")
ax2.set_title("4 classes: dashed lines at the $t_S$ of each eigenvalue")
ax2.legend(fontsize=8)
plt.show()
