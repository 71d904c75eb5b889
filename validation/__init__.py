"""diffusion-regimes Monte Carlo: the exact empirical score, backward SDEs, cloning, estimators.

Everything takes the score as a callable ``score(x, t)`` (x of shape (B, d), OU time t), so the
same samplers and estimators measure the exact empirical score, a population score, or a trained
network's score.

Examples
--------
The cloning probability of a small Gaussian mixture, measured without an SDE, beside the
closed form:

>>> from theory.gaussian_mixture import phi
>>> from validation import gaussian_mixture_data, phi_identity
>>> data, m = gaussian_mixture_data(64, 500, rng=0)
>>> est = phi_identity(1.5, data, n_samples=512, rng=1)
>>> print(f"{est.value:.3f} +- {est.stderr:.3f}   theory {float(phi(1.5, 64)):.3f}")
0.950 +- 0.005   theory 0.944
"""

from ._posterior import Dataset as Dataset
from ._posterior import PosteriorStats as PosteriorStats
from ._posterior import nearest_points as nearest_points
from ._posterior import posterior_stats as posterior_summary
from .backend import get_backend as get_backend
from .backend import to_numpy as to_numpy
from .cloning import CloningResult as CloningResult
from .cloning import clone_experiment as clone_experiment
from .cloning import nearest_point_class as nearest_point_class
from .cloning import posterior_class as posterior_class
from .data import from_array as from_array
from .data import gaussian_data as gaussian_data
from .data import gaussian_mixture_data as gaussian_mixture_data
from .data import mixture_data as mixture_data
from .data import model_data as model_data
from .datasets import ImageData as ImageData
from .datasets import load_dataset as load_dataset
from .datasets import load_path as load_path
from .estimators import Estimate as Estimate
from .estimators import collapse_time_from_entropy as collapse_time_from_entropy
from .estimators import excess_entropy_loglik as excess_entropy_loglik
from .estimators import excess_entropy_posterior as excess_entropy_posterior
from .estimators import last_changing_index_time as last_changing_index_time
from .estimators import phi_c_identity as phi_c_identity
from .estimators import phi_identity as phi_identity
from .estimators import phi_population as phi_population
from .estimators import posterior_curves as posterior_curves
from .estimators import sample_noised_data as sample_noised_data
from .finite_size import retention_curves as retention_curves
from .finite_size import transition_curves as transition_curves
from .jacobian import empirical_score_jacobian as empirical_score_jacobian
from .jacobian import jacobian_from_covariance as jacobian_from_covariance
from .jacobian import posterior_moments as posterior_moments
from .jacobian import probe_singular_values as probe_singular_values
from .jacobian import random_orthogonal as random_orthogonal
from .large import fig3_large as fig3_large
from .large import fig3_point as fig3_point
from .large import phase_diagram_validation as phase_diagram_validation
from .large import phase_point as phase_point
from .manifold_data import linear_manifold_data as linear_manifold_data
from .memorization import MemorizationCurves as MemorizationCurves
from .memorization import REMComparison as REMComparison
from .memorization import block_measurements as block_measurements
from .memorization import compare_with_rem as compare_with_rem
from .memorization import dimension_count as dimension_count
from .memorization import fixed_alpha_sweep as fixed_alpha_sweep
from .memorization import generation_retention as generation_retention
from .memorization import measure_memorization as measure_memorization
from .memorization import population_posterior_variance as population_posterior_variance
from .memorization import probe_spectrum as probe_spectrum
from .memorization import sample_test_points as sample_test_points
from .score import EmpiricalScore as EmpiricalScore
from .score import GaussianMixtureScore as GaussianMixtureScore
from .score import GaussianScore as GaussianScore
from .score import empirical_score as empirical_score
from .score import posterior_weights as posterior_weights
from .sde import BackwardRun as BackwardRun
from .sde import backward_step as backward_step
from .sde import integrate_backward as integrate_backward
from .sde import time_grid as time_grid
from .sharded import ArrayShard as ArrayShard
from .sharded import MixtureShard as MixtureShard
from .sharded import ModelShard as ModelShard
from .sharded import ShardedData as ShardedData
from .sharded import mixture_shards as mixture_shards
from .sharded import model_shards as model_shards
from .sharded import sharded_posterior_curves as sharded_posterior_curves
from .spectral import empirical_jacobian_spectra as empirical_jacobian_spectra
from .spectral import histogram_check as histogram_check
from .spectral import sample_b_eigenvalues as sample_b_eigenvalues
from .spectral import separated_cluster_overlaps as separated_cluster_overlaps
from .spectral import subspace_overlaps as subspace_overlaps
from .sweep import Task as Task
from .sweep import grid_tasks as grid_tasks
from .sweep import remove_checkpoints as remove_checkpoints
from .sweep import run_sweep as run_sweep

__all__ = [
    "Dataset", "PosteriorStats", "nearest_points", "posterior_summary",
    "CloningResult", "clone_experiment", "nearest_point_class", "posterior_class",
    "from_array", "gaussian_data", "gaussian_mixture_data", "mixture_data", "model_data",
    "ImageData", "load_dataset", "load_path",
    "Estimate", "collapse_time_from_entropy", "excess_entropy_loglik", "excess_entropy_posterior",
    "last_changing_index_time", "phi_c_identity", "phi_identity", "phi_population", "posterior_curves",
    "sample_noised_data", "transition_curves", "retention_curves",
    "empirical_score_jacobian", "jacobian_from_covariance", "posterior_moments", "probe_singular_values",
    "random_orthogonal",
    "EmpiricalScore", "GaussianMixtureScore", "GaussianScore", "empirical_score",
    "posterior_weights",
    "BackwardRun", "backward_step", "integrate_backward", "time_grid",
    "linear_manifold_data",
    "MemorizationCurves", "REMComparison", "block_measurements", "compare_with_rem", "dimension_count",
    "fixed_alpha_sweep", "generation_retention", "measure_memorization",
    "population_posterior_variance", "probe_spectrum", "sample_test_points",
    "empirical_jacobian_spectra", "histogram_check", "sample_b_eigenvalues",
    "separated_cluster_overlaps", "subspace_overlaps",
    "get_backend", "to_numpy",
    "ArrayShard", "MixtureShard", "ModelShard", "ShardedData", "mixture_shards", "model_shards",
    "sharded_posterior_curves", "Task", "grid_tasks", "run_sweep", "remove_checkpoints",
    "fig3_large", "fig3_point", "phase_diagram_validation", "phase_point",
]
