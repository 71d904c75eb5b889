"""diffusion-regimes application: the ``regimes`` command, figures, paper reproductions and drivers.

The top layer of the package: it imports ``theory`` and ``validation`` and nothing imports it.

Modules
-------
cli
    The ``regimes`` command (one module ``_cli_<name>.py`` per subcommand, each with ``register``).
gm_summary
    One call that solves the three regimes of the symmetric Gaussian mixture
    (``solve_gaussian_mixture``) or of any K-class mixture (``solve_mixture``: the speciation cascade).
analysis
    t_S, t_C and the regimes of any dataset with the exact empirical score (``regimes analyze``).
manifold_experiment
    Theory and Monte Carlo of geometric memorization on a linear manifold (``regimes manifold``).
spectral_summary
    Jacobian spectra of a latent-variance law or of a covariance spectrum, with the source of every
    number (``regimes spectrum --law / --spectrum / --dataset``).
reproduce, reproduce_real
    The paper's Figs. 2-3 (Gaussian mixture) and 4-5 (real digits), checkpointed.
scale
    Fig. 3 at large d and n, and the phase diagram validated over a (d, n) grid, on Dask
    (``regimes reproduce fig3 --large``, ``regimes validate``).
figures, manifold_figures, spectral_figures, analysis_figure
    Figures (matplotlib, imported on first use).
runs
    Checkpointed, interruptible runs.

Examples
--------
>>> from regimes import solve_gaussian_mixture
>>> r = solve_gaussian_mixture(1024, 20000)
>>> print(f"t_S = {r.t_speciation:.4f}, t_C = {r.t_collapse:.4f}, phi(t_S) = {r.phi_at_t_speciation:.4f}")
t_S = 3.4657, t_C = 1.9775, phi(t_S) = 0.7752
"""

from theory import __version__ as __version__

from .analysis import DatasetAnalysis as DatasetAnalysis
from .analysis import analyze_dataset as analyze_dataset
from .gm_summary import GaussianMixtureRegimes as GaussianMixtureRegimes
from .gm_summary import MixtureRegimes as MixtureRegimes
from .gm_summary import solve_gaussian_mixture as solve_gaussian_mixture
from .gm_summary import solve_mixture as solve_mixture
from .manifold_experiment import manifold_experiment as manifold_experiment
from .reproduce_finite import reproduce_finite_size as reproduce_finite_size
from .spectral_summary import data_spectrum_summary as data_spectrum_summary
from .spectral_summary import law_monte_carlo as law_monte_carlo
from .spectral_summary import law_spectrum_summary as law_spectrum_summary

__all__ = ["DatasetAnalysis", "analyze_dataset", "GaussianMixtureRegimes", "solve_gaussian_mixture",
           "MixtureRegimes", "solve_mixture", "manifold_experiment",
           "reproduce_finite_size", "law_spectrum_summary", "law_monte_carlo", "data_spectrum_summary",
           "__version__"]
