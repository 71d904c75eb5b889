"""derivations.verify on the misprints of Biroli et al. (2024) SI that the package corrects
(docs/theory/dynamical-regimes.md sec. 5) and on user expressions for other models."""

from __future__ import annotations

import pytest
import sympy as sp

from derivations import SymbolicMixture, verify
from derivations._verify import _match_symbols

D = "(1 - exp(-2*t))"
S2 = "(sigma**2*exp(-2*t))"
A = f"sqrt({S2}**2 + 8*eps*{D}*({D} + {S2}))"
# SI eq. fdef as printed: "(1 + 2 eps A)" where "(1 + 2 eps) A" is meant
FDEF_PRINTED = (f"-log(4*eps*{D}/({S2} + {A}))/2"
                f" + {D}*((1 + 2*eps*{A}) + (1 - 6*eps)*{S2} - 8*eps*{D})/(2*{S2}*({S2} + {A}))")
FDEF_CORRECTED = FDEF_PRINTED.replace(f"(1 + 2*eps*{A})", f"(1 + 2*eps)*{A}")
# the form used in docs/theory/dynamical-regimes.md sec. 3.2
U = f"(({S2} + {A})/(4*eps))"
FDEF_DOCS = f"-log(4*eps*{D}/({S2} + {A}))/2 + ({U} - {D})*(({D} + {S2}) - 2*eps*{U})/(2*{S2}*{U})"


def test_printed_fdef_is_the_misplaced_parenthesis():
    """The printed closed form gives -1.308 at t = 1, sigma = 1, eps = 1/2 (the value quoted in
    docs/theory/dynamical-regimes.md sec. 3.2): the parenthesis, reconstructed."""
    rec = verify(FDEF_PRINTED, "rem.rate_function")
    assert rec.verdict == "different" and rec.method == "numeric" and not rec
    assert len(rec.differences) == rec.points == 12
    value = _match_symbols(FDEF_PRINTED, rec.reference).subs(
        {sp.Symbol("t", positive=True): 1, sp.Symbol("sigma", positive=True): 1,
         sp.Symbol("epsilon", positive=True): sp.Rational(1, 2)})
    assert abs(float(value) - (-1.308)) < 5e-4
    good = verify(FDEF_CORRECTED, "rem.rate_function")
    assert good.verdict == "equal" and good.method == "symbolic" and good
    assert verify(FDEF_DOCS, "rem.rate_function").verdict == "equal"


def test_printed_energy_numerator():
    printed = f"({D}**2 + 2*{D}*{S2} + lam*{S2})/(2*({D} + lam*{S2})**2)"
    corrected = printed.replace(f"lam*{S2})/", f"lam*{S2}**2)/")
    rec = verify(printed, "rem.energy")
    assert rec.verdict == "different"
    assert all(p.relative_difference > 1e-3 for p in rec.differences)
    assert verify(corrected, "rem.energy").verdict == "equal"


def test_printed_landau_matrix_and_scaling_variable():
    assert verify("log(Lambda)/2", "speciation.landau_zero").verdict == "different"
    assert verify("log(1 + Lambda)/2", "speciation.landau_zero").verdict == "equal"
    assert verify("log(Lambda)/2", "speciation.landau_zero_printed_m").verdict == "equal"
    printed = "q**2/2 - 2*mu**2*log(cosh(q*exp(-sqrt(t))*d))"
    assert verify(printed, "speciation.regime_one_potential").verdict == "different"
    right = "q**2/2 - 2*mu**2*log(cosh(q*exp(-t)*sqrt(d)))"
    assert verify(right, "speciation.regime_one_potential").verdict == "equal"


def test_noise_variance_differs_except_at_mu_one():
    rec = verify("2", "speciation.regime_one_noise_variance", points=6)
    assert rec.verdict == "different"
    for p in rec.differences:
        assert abs(float(p.reference_value) - 2 * p.point["mu_tilde"] ** 2) < 1e-12
    assert verify("2", "speciation.regime_one_noise_variance",
                  domain={"mu_tilde": (1.0, 1.0)}).verdict == "equal"


def test_verify_for_a_given_model():
    model = SymbolicMixture([[1], [-1], [3]], covariance=4)
    assert verify("log(1 + 4/(exp(2*alpha) - 1))/2", "collapse.time_of_alpha", model)
    # the mutation sigma^2 -> sigma of eq. 10
    assert not verify("log(1 + sigma/(exp(2*alpha) - 1))/2", "collapse.time_of_alpha")
    w = sp.Symbol("w", positive=True)
    c2 = ("(1/(1 - exp(-2*t) + sigma**2*exp(-2*t))"
          " - 4*w*(1-w)*d*mu**2*exp(-2*t)/(1 - exp(-2*t) + sigma**2*exp(-2*t))**2)/2")
    rec = verify(c2, "speciation.landau_coefficients", SymbolicMixture.symmetric(weight=w))
    assert rec.verdict == "equal"


def test_verify_errors():
    with pytest.raises(ValueError, match="valid names"):
        verify("t", "no.such.result")
    with pytest.raises(ValueError, match="no single derived expression"):
        verify("t", "mixture.log_density")
