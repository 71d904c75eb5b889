"""
The excess entropy across the collapse at finite n and d
========================================================

The large-d excess entropy :math:`f^e(t)` of n training points has a sharp zero at the collapse
time :math:`t_C` (eq. 10 of Biroli et al. 2024).  At finite n and d the exact curve is smooth
through the transition; :func:`theory.collapse.excess_entropy` with ``finite_size=True`` computes
it (an :class:`~theory.estimate.Estimate`: the error is that of its average over :math:`x_t`).
See ``docs/theory/finite-size.md``.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from theory.collapse import collapse_time, excess_entropy
from theory.models import GaussianMixture

QUICK = os.environ.get("DOCS_QUICK") == "1"

# %%
# The symmetric mixture in d = 32 with n = 500 training points.  The exact finite-size value costs
# about a second per time on two cores, so the grid is coarse.
d, n = 32, 500
model = GaussianMixture.symmetric(d)
alpha = np.log(n) / d
t_fine = np.linspace(0.05, 3.0, 300)
t = np.linspace(0.3, 2.7, 4 if QUICK else 8)
sharp = excess_entropy(t_fine, model, n, finite_d=False)
exact = excess_entropy(t, model, n, finite_size=True, n_x=16)

fig, ax = plt.subplots(figsize=(6.5, 4.5))
ax.plot(t_fine, sharp / alpha, "C0--", label="large d (sharp zero at $t_C$)")
ax.errorbar(t, exact.value / alpha, yerr=3 * exact.stderr / alpha, color="C1", marker="o", ms=4,
            label="exact finite size (3 s.e. of the average over $x_t$)")
ax.axvline(collapse_time(model, n), color="k", lw=0.8, ls=":", label="$t_C$")
ax.set_xlabel("t (OU time)")
ax.set_ylabel(r"$f^e(t)/\alpha$")
ax.set_title(f"excess entropy through the collapse, d = {d}, n = {n}")
ax.legend(fontsize=8)
plt.show()
