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
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

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
# J + 2 where it has collapsed (t < t_C).
J = len(pd.speciation_times)
labels = [f"{j} speciation(s), not collapsed" for j in range(J + 1)] + ["collapsed (memorizing)"]
cmap = ListedColormap(plt.get_cmap("Pastel1").colors[: J + 2])
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.pcolormesh(pd.x, pd.y, pd.regime, shading="nearest", cmap=cmap, vmin=0.5, vmax=J + 2.5)
handles = [Patch(color=cmap(k), label=lab) for k, lab in enumerate(labels)]
ax.plot(pd.collapse_times, alpha, "k-", lw=1.5, label=r"$t_C(\alpha)$")
for ts in pd.speciation_times:
    ax.axvline(ts, color="C3", ls="--", lw=1, label=f"$t_S$ = {ts:.3f}")
ax.set_xlabel(pd.x_name)
ax.set_ylabel(pd.y_name)
ax.set_title("regimes of a 3-class mixture (colour: regime; lines: $t_C$ and $t_S$)")
ax.legend(handles=handles + ax.get_legend_handles_labels()[0], fontsize=7, loc="upper right")
plt.show()
