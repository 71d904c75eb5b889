"""
A real dataset: the digits of scikit-learn
==========================================

:func:`regimes.analysis.analyze_dataset` runs the theory on a dataset: its covariance spectrum and
the speciation time of its classes, the collapse time from the excess entropy of the exact
empirical score and from the spectrum, cloning Monte Carlo and backward trajectories.  The 8x8
digits ship with scikit-learn (the ``data`` extra), so nothing is downloaded.
:func:`regimes.analysis_figure.plot_analysis` draws the result (``regimes analyze digits`` on the
command line).
"""

import os

import matplotlib.pyplot as plt

from regimes.analysis import analyze_dataset
from regimes.analysis_figure import plot_analysis
from validation import load_dataset

QUICK = os.environ.get("DOCS_QUICK") == "1"

data = load_dataset("digits", classes=(3, 5))
result = analyze_dataset(data, name="digits 3 vs 5", quick=True, cloning=not QUICK,
                         progress=False)
print(f"n = {result.n}, d = {result.d}, alpha = {result.alpha:.4f}")
print("t_C from the excess entropy:", result.t_collapse_entropy,
      " from the spectrum:", result.t_collapse_spectrum)
fig = plot_analysis(result)
plt.show()
