"""
Fig. 3 (quick): the excess entropy across the collapse
======================================================

Fig. 3 of Biroli et al. (2024) measures the excess entropy density :math:`f^e(t)` of n = 20,000
training points of the symmetric mixture from samples of the generated law :math:`P^e_t`, and
compares :math:`f^e/\\alpha` with the closed form: zero below the collapse time :math:`t_C`
(eq. 10), :math:`\\alpha = \\log(n)/d` at large t.  The full reproduction
(:func:`regimes.reproduce.reproduce_fig3`, ``regimes reproduce fig3``) takes minutes; this
example measures d = 256 only, with the posterior-entropy estimator
(:func:`validation.excess_entropy_posterior`) on a coarse time grid.  The finite-d curve
subtracts the class information and is what the samples follow.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from theory.gaussian_mixture import alpha as alpha_of
from theory.gaussian_mixture import collapse_time, excess_entropy
from validation import excess_entropy_posterior, gaussian_mixture_data

QUICK = os.environ.get("DOCS_QUICK") == "1"
d, n = 256, 20000
data, _ = gaussian_mixture_data(d, n, rng=232)
a = alpha_of(d, n)

t_mc = np.linspace(0.6, 4.0, 8 if QUICK else 14)
est = [excess_entropy_posterior(t, data, n_samples=256 if QUICK else 1024, rng=k)
       for k, t in enumerate(t_mc)]
value = np.array([e.value for e in est]) / a
err = np.array([e.stderr for e in est]) / a

t = np.linspace(0.3, 4.2, 300)
fig, ax = plt.subplots(figsize=(6.5, 4.5))
ax.plot(t, excess_entropy(t, d, n) / a, label="large d (eq. 10 family)")
ax.plot(t, excess_entropy(t, d, n, finite_d=True) / a, label="finite d (class information removed)")
ax.errorbar(t_mc, value, yerr=3 * err, fmt="o", ms=4, color="k", label="samples (3 s.e.)")
ax.axvline(collapse_time(d, n), color="C3", ls="--", lw=1, label=r"$t_C$ (eq. 10)")
ax.set_xlabel("t (OU time)")
ax.set_ylabel(r"$f^e(t)/\alpha$")
ax.set_title(f"Fig. 3 (quick): d = {d}, n = {n}")
ax.legend(fontsize=8)
plt.show()
