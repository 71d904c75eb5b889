"""Which papers and equations a computed number comes from.

>>> from theory import citation
>>> from theory.gaussian_mixture import collapse_time
>>> print(citation(collapse_time))  # doctest: +ELLIPSIS
collapse_time: Biroli, Bonnaire, de Bortoli, Mezard (2024), ... eq. 10 (tc_GM) ...

``citation()`` with no argument returns the BibTeX of the three papers; ``citation(f, bibtex=True)``
the BibTeX of the papers that ``f`` uses (the same spirit as diffrax's ``citation`` helper).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Paper", "PAPERS", "SOURCES", "citation", "sources"]


@dataclass(frozen=True)
class Paper:
    """Bibliographic record of one of the package's source papers."""

    key: str
    short: str
    title: str
    arxiv: str
    bibtex: str


PAPERS: dict[str, Paper] = {
    "biroli2024": Paper(
        "biroli2024",
        "Biroli, Bonnaire, de Bortoli, Mezard (2024)",
        "Dynamical regimes of diffusion models",
        "2402.18491",
        """@article{biroli2024dynamical,
  title   = {Dynamical regimes of diffusion models},
  author  = {Biroli, Giulio and Bonnaire, Tony and de Bortoli, Valentin and M{\\'e}zard, Marc},
  journal = {Nature Communications},
  volume  = {15},
  pages   = {9957},
  year    = {2024},
  doi     = {10.1038/s41467-024-54281-3},
  eprint  = {2402.18491},
  archivePrefix = {arXiv}
}""",
    ),
    "achilli2024": Paper(
        "achilli2024",
        "Achilli, Ventura, Silvestri, Pham, Raya, Krotov, Lucibello, Ambrogioni (2024)",
        "Losing dimensions: geometric memorization in generative diffusion",
        "2410.08727",
        """@article{achilli2024losing,
  title   = {Losing dimensions: Geometric memorization in generative diffusion},
  author  = {Achilli, Beatrice and Ventura, Enrico and Silvestri, Gianluigi and Pham, Bao and
             Raya, Gabriel and Krotov, Dmitry and Lucibello, Carlo and Ambrogioni, Luca},
  journal = {arXiv preprint arXiv:2410.08727},
  year    = {2024}
}""",
    ),
    "ventura2024": Paper(
        "ventura2024",
        "Ventura, Achilli, Silvestri, Lucibello, Ambrogioni (2025)",
        "Manifolds, random matrices and spectral gaps: the geometric phases of generative diffusion",
        "2410.05898",
        """@inproceedings{ventura2025manifolds,
  title     = {Manifolds, Random Matrices and Spectral Gaps: The geometric phases of generative
               diffusion},
  author    = {Ventura, Enrico and Achilli, Beatrice and Silvestri, Gianluigi and Lucibello, Carlo
               and Ambrogioni, Luca},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year      = {2025},
  eprint    = {2410.05898},
  archivePrefix = {arXiv}
}""",
    ),
}

_B = "biroli2024"
_V = "ventura2024"
_A = "achilli2024"
#: public function name -> list of (paper key, where in the paper)
SOURCES: dict[str, list[tuple[str, str]]] = {
    "phi": [(_B, "eq. 6 (phi_GM), SI App. B.3; one-parameter r-form of the theory sheet 2.4")],
    "phi_scaling": [(_B, "eq. 6 large-d limit with scaling variable sqrt(d) e^{-t} (SI App. B.2)")],
    "signal_to_noise": [(_B, "eq. 6 (phi_GM): r_t = d mu~^2 e^{-2t}/Gamma_t")],
    "speciation_time": [(_B, "eq. 4 (crit-spec), SI App. A (Landau expansion, corrected), "
                             "App. B.1 (t_S = 1/2 log(d mu~^2))")],
    "t_star": [(_B, "eqs. 7-8 (eq:qt), SI App. B.2")],
    "collapse_time": [(_B, "eq. 10 (tc_GM), SI App. C (condensation alpha = f_t(1/2))")],
    "alpha": [(_B, "alpha = log(n)/d, sec. Collapse")],
    "excess_entropy": [(_B, "eq. 5 (crit-coll), Fig. 3 theory curve; finite-d class-entropy "
                            "correction from the theory sheet 3.2 (derived, not in the paper)")],
    "class_entropy": [(_B, "theory sheet 3.2, finite-d correction (derived)")],
    "rem_cgf": [(_B, "SI App. C, g_t(lambda)")],
    "rem_energy": [(_B, "SI App. C, epsilon*(lambda) (misprint lambda sigma_t^2 -> "
                        "lambda sigma_t^4 corrected)")],
    "rem_lambda": [(_B, "SI App. C, lambda*(epsilon)")],
    "rate_function": [(_B, "SI App. C, eq. fdef (misprinted; corrected closed form)")],
    "annealed_free_entropy": [(_B, "SI App. C, psi_+^ann = alpha + g_t(1)")],
    "rem_free_entropy": [(_B, "SI App. C (phase inequalities corrected)")],
    "speciation_time_from_data": [(_B, "eq. 4 (crit-spec), Table 1")],
    "speciation_time_from_eigenvalue": [(_B, "eq. 4 (crit-spec), Table 1 (DDPM discretised)")],
    "top_covariance_eigenvalue": [(_B, "eq. 4 (crit-spec), SI App. D")],
    "covariance_spectrum": [(_B, "eq. 11 and eq. 4")],
    "collapse_time_from_spectrum": [(_B, "eq. 5 (crit-coll); Gaussian-data form of the theory "
                                         "sheet 3.3 (derived)")],
    "excess_entropy_from_spectrum": [(_B, "eq. 5 (crit-coll); theory sheet 3.3 (derived)")],
    "phase_diagram_t_alpha": [(_B, "eqs. 4 and 10, Fig. 1 (three regimes)")],
    "phase_diagram_d_n": [(_B, "eqs. 4 and 10, Fig. 1 (three regimes)")],
    "ddpm_ou_times": [(_B, "SI 'Denoising Diffusion Probabilistic Models': t = -1/2 log alphabar")],
    "ou_time_from_alphabar": [(_B, "SI 'Denoising Diffusion Probabilistic Models'")],
    "ve_variance": [(_B, "eq. 2 (x_t e^t = a + sqrt(e^{2t}-1) z)")],
    # real data (regimes.analysis, validation.datasets, validation.estimators)
    "analyze_dataset": [(_B, "eqs. 4-5, Figs. 4-5, SI App. D; identities of the theory sheet "
                             "secs. 2.5, 3.1 (derived)")],
    "speciation_reading": [(_B, "eq. 4 (crit-spec), SI App. A; readings 1/2 log Lambda, "
                                "1/2 log(Lambda +- 1)")],
    "normalized_phi": [(_B, "eq. 6 limits phi -> 1/2 (two classes); K classes derived")],
    "phi_crossing_time": [(_B, "Fig. 4, phi(t_S) ~ 0.775 (theory sheet 2.4)")],
    "posterior_curves": [(_B, "eqs. 5-6, Figs. 4-5; identities of the theory sheet 2.5, 3.1")],
    "load_dataset": [(_B, "SI App. D preprocessing: pixels in [0, 1], centred per channel")],
    "preprocess": [(_B, "SI App. D preprocessing: pixels in [0, 1], centred per channel")],
    "reproduce_fig4": [(_B, "Fig. 4 (real-data speciation), redrawn on offline digits")],
    "reproduce_fig5": [(_B, "Fig. 5 (real-data collapse), redrawn on offline digits")],
    # spectral gaps of linear-manifold data (theory.spectral, validation.spectral)
    "density": [(_V, "sec. 6.2-6.3 (replica spectrum, Fig. 4); sheet spectral-gaps 2.2 (derived)")],
    "cumulative": [(_V, "sec. 6; sheet spectral-gaps 2.2 (derived)")],
    "zero_atom": [(_V, "sec. 6.2; sheet spectral-gaps 2.1")],
    "spike_weight": [(_V, "sec. 6.2, line 246 (Dirac spike); sheet spectral-gaps 2.1")],
    "jacobian_density": [(_V, "sec. 6, Figs. 2, 4; sheet spectral-gaps 2.1-2.2 (derived)")],
    "bulks": [(_V, "sec. 6.3 (detached bulks), eq. 16; sheet spectral-gaps 2.2 (critical points)")],
    "bulk_edges": [(_V, "eq. 16 (MP edges), sec. 6.3; sheet spectral-gaps 2.2")],
    "jacobian_edges": [(_V, "sec. 6; sheet spectral-gaps 2.3-2.4")],
    "intermediate_gaps": [(_V, "eqs. 9, 18, 20-22, 25 (the paper's t_max is a noise variance); "
                               "sheet spectral-gaps 2.4-2.5")],
    "manifold_gap": [(_V, "eqs. 15, 17, sec. 4.1; sheet spectral-gaps 2.3")],
    "gap_heights": [(_V, "eqs. 15, 18; sheet spectral-gaps 2.3-2.5")],
    "phase_boundaries": [(_V, "secs. 5.1-5.3, Fig. 1c; boundaries derived, sheet spectral-gaps 2.6")],
    "phases": [(_V, "sec. 5; sheet spectral-gaps 2.6")],
    "separation_order": [(_V, "sec. 6.3, Fig. 3 (sigma_1 <-> sigma_2 swap); sheet spectral-gaps 2.4")],
    "estimate_dimensions": [(_V, "sec. 4.1, line 106, Fig. 1a; sheet spectral-gaps 1.1")],
    "ve_schedule_time": [(_V, "VE schedule (Song et al. 2021), sheet spectral-gaps conventions")],
    "empirical_jacobian_spectra": [(_V, "sheet spectral-gaps 2.7"),
                                   ("achilli2024", "empirical-score Jacobian")],
    # geometric memorization (theory.manifold, validation.memorization)
    "collapse_times": [(_A, "theory code of the figure, t_c (sheet losing-dimensions 2.1); closed form "
                            "sheet 2.3 (derived)")],
    "norm_collapse_time": [(_A, "t_c0 (sheet losing-dimensions 2.1); sheet 2.3 (derived)")],
    "log_critical_sizes": [(_A, "critical dataset sizes (abstract); sheet losing-dimensions 2.3 "
                                "(derived)")],
    "critical_alphas": [(_A, "sheet losing-dimensions 2.3, alpha_C = log n_C / d (derived)")],
    "energy_variances": [(_A, "REM reading of t_c, sheet losing-dimensions 2.2 (derived; Derrida "
                              "1981)")],
    "rem_retention": [(_A, "REM participation ratio, sheet losing-dimensions 2.2 (derived, "
                           "heuristic)")],
    "subspace_collapse_times": [(_A, "EXTENSION, not in the paper: sheet losing-dimensions 2.4 "
                                     "(derived)")],
    "subspace_rem_retention": [(_A, "EXTENSION, not in the paper: sheet losing-dimensions 2.4 "
                                    "(derived)")],
    "global_collapse_time": [(_B, "eq. 5 (crit-coll); sheets dynamical-regimes 3.3, "
                                  "losing-dimensions 2.5")],
    "effective_variances": [(_A, "sphere-normalized data, sheet losing-dimensions 1.2 (exact form "
                                 "derived)")],
    "geometric_memorization": [(_A, "abstract ('higher variance lost first'); sheet "
                                    "losing-dimensions 2.3 (derived)"), (_B, "eq. 5 (global time)")],
    "manifold_phase_diagram": [(_A, "sheet losing-dimensions 2.3 (derived)"),
                               (_B, "eq. 5 (global line)")],
    "theory_spectrum": [(_A, "theory panel of the three-panel figure, sheet losing-dimensions 2.1 "
                             "(factor(t) and quadrature sum: heuristic)")],
    "normalized_spectrum": [(_A, "three-panel figure, sheet losing-dimensions 3.3")],
    "theory_dimension_count": [(_A, "three-panel figure, sheet losing-dimensions 3.3 (read-out "
                                    "convention of the package)")],
    "measure_memorization": [(_A, "protocol of sheet losing-dimensions 3.5 (derived), caveats 2.6")],
    "block_measurements": [(_A, "exact Jacobian, sheet losing-dimensions 1.4 and 3.5")],
    "generation_retention": [(_A, "sample-level check, sheet losing-dimensions 3.5 item 5"),
                             (_B, "eq. 3 (backward SDE)")],
    "probe_spectrum": [(_A, "estimate_spectrum_ortho, sheet losing-dimensions 3.1-3.2"),
                       (_V, "Algorithms 1-2")],
    "compare_with_rem": [(_A, "sheet losing-dimensions 2.2-2.6")],
    "fixed_alpha_sweep": [(_A, "sheet losing-dimensions 1.3 and 2.4 (extension)")],
    # Jacobians of scores (validation.jacobian)
    "empirical_score_jacobian": [("ventura2024", "theory sheet spectral-gaps sec. 2.7: "
                                                 "J = -I/s + Cov_w(a)/s^2 (OU form)"),
                                 ("achilli2024", "empirical-score Jacobian")],
    "jacobian_from_covariance": [(_V, "theory sheet spectral-gaps sec. 2.7: J = -I/s + Cov_w(a)/s^2 "
                                      "(OU form)")],
    "posterior_moments": [("ventura2024", "theory sheet spectral-gaps sec. 2.7")],
    "probe_singular_values": [("ventura2024", "Algorithms 1-2 (finite-difference singular "
                                              "values), theory sheet spectral-gaps sec. 3.2-3.3")],
}


def sources(obj: Callable | str) -> list[tuple[Paper, str]]:
    """The (paper, location) pairs behind a public function (object or name)."""
    name = obj if isinstance(obj, str) else getattr(obj, "__name__", repr(obj))
    name = name.rsplit(".", 1)[-1]
    if name not in SOURCES:
        known = ", ".join(sorted(SOURCES))
        raise ValueError(f"no citation recorded for {name!r}; known names: {known}")
    return [(PAPERS[key], where) for key, where in SOURCES[name]]


def citation(obj: Callable | str | None = None, *, bibtex: bool = False) -> str:
    """Say which papers and equations produce the numbers of ``obj``.

    Parameters
    ----------
    obj : callable or str, optional
        A public function of the package (or its name).  ``None``: all papers.
    bibtex : bool
        Return BibTeX entries instead of a one-line description.
    """
    if obj is None:
        return "\n\n".join(p.bibtex for p in PAPERS.values())
    pairs = sources(obj)
    if bibtex:
        return "\n\n".join(dict.fromkeys(p.bibtex for p, _ in pairs))
    name = obj if isinstance(obj, str) else obj.__name__
    lines = [f"{p.short}, '{p.title}', arXiv:{p.arxiv}: {where}" for p, where in pairs]
    return f"{name.rsplit('.', 1)[-1]}: " + "; ".join(lines)
