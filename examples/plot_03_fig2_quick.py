"""
Fig. 2 (quick): cloning with the population score
=================================================

A quick reproduction of Fig. 2 of Biroli et al. (2024): pairs of backward trajectories of the
symmetric mixture are cloned at time t, integrated to the end with the exact population score, and
:math:`\\phi(t)` is the fraction that end in the same class.  The Monte Carlo points (bars: 3
standard errors) follow eq. 6 for each dimension d.  :func:`regimes.reproduce.reproduce_fig2`
with ``quick=True`` uses 2,000 pairs and 500 steps (``regimes reproduce fig2 --quick`` on the
command line); the example re-draws its rows.
"""

import tempfile

import matplotlib.pyplot as plt
import numpy as np

from regimes.reproduce import reproduce_fig2
from theory.gaussian_mixture import phi, speciation_time

with tempfile.TemporaryDirectory() as out:
    result = reproduce_fig2(out, quick=True, progress=False)
print(f"{len(result.rows)} points in {result.seconds:.1f} s; "
      f"largest |z| = {result.summary['max_abs_z']:.2f}")

fig, ax = plt.subplots(figsize=(6.5, 4.5))
x = np.linspace(0.45, 1.55, 300)
for i, d in enumerate(sorted({r["d"] for r in result.rows})):
    ts = speciation_time(d)
    ax.plot(x, phi(x * ts, d), color=f"C{i}", label=f"d = {d}")
    rows = [r for r in result.rows if r["d"] == d and 0.45 <= r["t_over_tS"] <= 1.55]
    ax.errorbar([r["t_over_tS"] for r in rows], [r["phi_mc"] for r in rows],
                yerr=[3 * r["phi_se"] for r in rows], fmt="o", ms=3, color=f"C{i}")
ax.axvline(1.0, color="k", ls="--", lw=0.8)
ax.set_xlabel(r"$t/t_S$,  $t_S = \frac{1}{2}\log d$")
ax.set_ylabel(r"$\phi(t)$")
ax.set_title("Fig. 2 (quick): lines eq. 6, points cloning Monte Carlo")
ax.legend(fontsize=8)
plt.show()
