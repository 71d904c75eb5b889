"""Bad input raises ValueError naming the parameter and its accepted range, never a silent NaN."""

from __future__ import annotations

import re

import numpy as np
import pytest

from regimes.gm_summary import solve_gaussian_mixture
from theory.collapse import collapse_time_from_spectrum, excess_entropy_from_spectrum
from theory.gaussian_mixture import (
    alpha,
    class_entropy,
    collapse_time,
    excess_entropy,
    phi,
    phi_scaling,
    rate_function,
    rem_cgf,
    rem_energy,
    speciation_time,
    t_star,
)
from theory.phase_diagram import phase_diagram_d_n, phase_diagram_t_alpha
from theory.speciation import (
    covariance_spectrum,
    speciation_time_from_data,
    speciation_time_from_eigenvalue,
    top_covariance_eigenvalue,
)

CASES = [
    # (call, parameter name, text of the accepted range)
    (lambda: phi(-1.0, 256), "t", ">= 0"),
    (lambda: phi(1.0, 0.5), "d", ">= 1"),
    (lambda: phi(1.0, 256, sigma=0.0), "sigma", "> 0"),
    (lambda: phi(np.nan, 256), "t", ">= 0"),
    (lambda: phi([0.5, -1.0], 256), "t", ">= 0"),
    (lambda: phi(1.0, 256, mu_tilde=-1.0), "mu_tilde", ">= 0"),
    (lambda: phi(1.0, np.inf), "d", "finite"),
    (lambda: phi(1.0, 256, precision=0), "precision", ">= 1"),
    (lambda: phi_scaling(np.nan), "tau", "finite"),
    (lambda: phi_scaling(0.0, mu_tilde=0.0), "mu_tilde", "> 0"),
    (lambda: phi_scaling(-400.0), "tau", ">"),
    (lambda: collapse_time(256, 1), "n", ">= 2"),
    (lambda: collapse_time(0, 20000), "d", ">= 1"),
    (lambda: collapse_time(256, np.inf), "n", "finite"),
    (lambda: collapse_time(256, 20000, sigma=-1.0), "sigma", "> 0"),
    (lambda: alpha(256, 1.5), "n", ">= 2"),
    (lambda: excess_entropy(-0.1, 256, 20000), "t", ">= 0"),
    (lambda: excess_entropy(1.0, 256, 20000, sigma=np.nan), "sigma", "> 0"),
    (lambda: class_entropy(-1.0), "r", ">= 0"),
    (lambda: rate_function(0.0, 1.0), "epsilon", "> 0"),
    (lambda: rate_function(0.5, 0.0), "t", "> 0"),
    (lambda: rate_function(0.5, np.inf), "t", "finite"),
    (lambda: rem_cgf(-0.5, 1.0), "lam", ">= 0"),
    (lambda: rem_energy(1.0, 1.0, sigma=0.0), "sigma", "> 0"),
    (lambda: speciation_time(0.5), "d", ">= 1"),
    (lambda: speciation_time(256, mu_tilde=0.0), "mu_tilde", "> 0"),
    (lambda: speciation_time(256, convention="bogus"), "convention", "paper"),
    (lambda: t_star(1024, mu_tilde=-2.0), "mu_tilde", "> 0"),
    (lambda: speciation_time_from_eigenvalue(-1.0), "Lambda", "> 0"),
    (lambda: speciation_time_from_eigenvalue(5.0, convention="bogus"), "convention", "paper"),
    (lambda: speciation_time_from_data(np.ones(10)), "X", "2-dimensional"),
    (lambda: speciation_time_from_data(np.ones((1, 10))), "X", "n >= 2"),
    (lambda: speciation_time_from_data(np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0]])), "X", "finite"),
    (lambda: top_covariance_eigenvalue(np.ones((5, 0))), "X", "d >= 1"),
    (lambda: covariance_spectrum(np.ones((3, 3, 3))), "X", "2-dimensional"),
    (lambda: collapse_time_from_spectrum([1.0, -0.5], 100), "eigenvalues", ">= 0"),
    (lambda: collapse_time_from_spectrum([1.0, 2.0, 3.0], 100, d=2), "d", ">= 3"),
    (lambda: collapse_time_from_spectrum([1.0, 2.0], 100, d=4.5), "d", "integer"),
    (lambda: collapse_time_from_spectrum([], 100), "eigenvalues", "non-empty"),
    (lambda: collapse_time_from_spectrum([0.0, 0.0], 100), "eigenvalues", "> 0"),
    (lambda: collapse_time_from_spectrum(np.ones((2, 2)), 100), "eigenvalues", "1-dimensional"),
    (lambda: collapse_time_from_spectrum([1.0, np.nan], 100), "eigenvalues", "finite"),
    (lambda: collapse_time_from_spectrum([1.0], 1), "n", ">= 2"),
    (lambda: excess_entropy_from_spectrum(0.0, [1.0], 100), "t", "> 0"),
    (lambda: phase_diagram_t_alpha([0.0, 1.0], [0.0, 0.1], 256), "alpha", "> 0"),
    (lambda: phase_diagram_t_alpha([[0.0, 1.0]], [0.1], 256), "t", "1-dimensional"),
    (lambda: phase_diagram_d_n([10.0], [1.0], 1.0), "n", ">= 2"),
    (lambda: solve_gaussian_mixture(0.5, 100), "d", ">= 1"),
]


@pytest.mark.parametrize(("call", "name", "range_text"), CASES)
def test_value_error_names_parameter(call, name, range_text):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value)
    assert re.search(rf"(^|\W){re.escape(name)}\b", msg), msg
    assert range_text in msg, msg
    assert "\n" not in msg


@pytest.mark.parametrize("bad", [np.nan, -np.inf, -1.0])
def test_no_nan_leaks_from_vector_input(bad):
    """One bad entry in an array raises; nothing is returned with a NaN in it."""
    t = np.array([0.5, 1.0, bad])
    for fun in (lambda x: phi(x, 256), lambda x: excess_entropy(x, 256, 20000)):
        with pytest.raises(ValueError, match=r"^t must be"):
            fun(t)


def test_valid_edge_values_do_not_raise():
    """The edges of the accepted ranges are accepted and give finite numbers."""
    assert phi(0.0, 1.0, 0.0) == pytest.approx(0.5, abs=1e-15)
    assert np.isfinite(collapse_time(1.0, 2.0))
    assert excess_entropy(0.0, 256, 20000) == 0.0
    assert np.isfinite(rate_function(1e-8, 1e-8))
    assert speciation_time_from_eigenvalue(1.0 + 1e-12) > 0
    assert np.isfinite(collapse_time_from_spectrum([1.0, -1e-13], 10))   # round-off is clipped


def test_not_found_convention():
    """One "not found" convention (docs/architecture.md): a function raises NotFoundError (a
    ValueError); an entry of a grid is NaN; never 0 or a clipped value."""
    from theory.checks import NotFoundError
    from theory.gaussian_mixture import speciation_time
    from theory.phase_diagram import phase_diagram_d_n
    from theory.speciation import NoSpeciationError, speciation_time_from_eigenvalue
    from validation.estimators import collapse_time_from_entropy

    assert issubclass(NoSpeciationError, NotFoundError) and issubclass(NotFoundError, ValueError)
    with pytest.raises(NoSpeciationError, match="no positive speciation time"):
        speciation_time(1.0)                              # d mu~^2 = 1
    with pytest.raises(NoSpeciationError, match="lambda_plus_one"):
        speciation_time_from_eigenvalue(0.9)
    with pytest.raises(NotFoundError, match="compatible with zero"):
        collapse_time_from_entropy([1.0, 2.0], [0.5, 0.6], [0.01, 0.01])
    diag = phase_diagram_d_n(np.array([1.0, 4.0]), np.array([10.0]), 0.1)
    assert np.isnan(diag.t_speciation[0, 0]) and diag.t_speciation[0, 1] == pytest.approx(0.5 * np.log(4))
