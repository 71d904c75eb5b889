"""
Geometric memorization: losing the dimensions one by one
========================================================

Data on a linear manifold made of blocks (sub-manifolds) of different variances.  Read as one
random energy model per direction, the empirical score loses a block (its Jacobian eigenvalues
return to the normal bulk) below a critical time that grows with the block's variance: the
high-variance directions are memorized first, and between the first and the last loss lies a
window of geometric memorization (Achilli et al.; ``docs/theory/losing-dimensions.md``).
:func:`theory.manifold.rem_retention` gives the predicted retention of each block against time and
:func:`theory.manifold.geometric_memorization` the critical times and the window.
"""

import matplotlib.pyplot as plt
import numpy as np

from theory.manifold import geometric_memorization, rem_retention

stds = np.array([2.0, 1.0, 0.5])      # standard deviations of the three blocks
dims = np.array([8, 16, 32])           # their dimensions
n = 1e5                                # training points

gm = geometric_memorization(stds, dims, n)
print("critical times:", np.round(gm.critical_times, 4))
print("order of the losses:", gm.loss_order, "window:", np.round(gm.window, 4))

t = np.geomspace(1e-3, 10.0, 400)
ret = rem_retention(stds, dims, n, t)
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for k in range(len(stds)):
    ax.plot(t, ret[:, k], color=f"C{k}", label=f"block {k + 1}: std {stds[k]}, {dims[k]} dims")
    ax.axvline(gm.critical_times[k], color=f"C{k}", ls=":", lw=0.8)
ax.axvspan(*gm.window, color="0.9", zorder=0, label="window of geometric memorization")
ax.set_xscale("log")
ax.set_xlabel("t (OU time)")
ax.set_ylabel("retained fraction of the block (REM reading)")
ax.set_title(f"per-block retention, n = {n:.0e} (dotted: critical times)")
ax.legend(fontsize=8)
plt.show()
