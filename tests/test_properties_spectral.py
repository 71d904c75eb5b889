"""Properties (hypothesis) of the spectral solvers of theory.spectral (Jacobian spectra of linear
manifolds): bulk edges ordered, density non-negative with mass sum(f), the cumulative distribution
from the zero atom 1 - sum(f) to 1, edges proportional to the variances, Jacobian edges in (0, 1).

The density is the one of docs/theory/spectral-gaps.md (latent groups of fractions f_k and
variances v_k; Ventura et al. (2025), arXiv:2410.05898); Silverstein, Choi (1995), J. Multivariate
Anal. 54, 295: the support and its edges scale with the variances.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory import spectral

SETTINGS = settings(max_examples=30, deadline=None, database=None, derandomize=True)


@st.composite
def groups(draw, max_groups: int = 4):
    k = draw(st.integers(1, max_groups))
    raw = draw(st.lists(st.floats(0.02, 1.0), min_size=k, max_size=k))
    total = draw(st.floats(0.05, 0.9))
    f = np.asarray(raw) / np.sum(raw) * total
    logv = draw(st.lists(st.floats(-6.0, 6.0), min_size=k, max_size=k, unique=True))
    return f, 10.0 ** np.asarray(logv)


@SETTINGS
@given(g=groups())
def test_edges_ordered_and_masses(g):
    f, v = g
    b = spectral.bulks(f, v)
    edges = spectral.bulk_edges(f, v)
    assert np.all(edges > 0) and np.all(np.diff(edges) > 0)
    assert np.isclose(sum(x.mass for x in b), f.sum(), rtol=1e-12)
    assert np.isclose(spectral.zero_atom(f, v), 1.0 - f.sum(), rtol=1e-12)
    assert spectral.bulk_count(f, v) == len(b)


@settings(max_examples=20, deadline=None, database=None, derandomize=True)
@given(g=groups(max_groups=3))
def test_density_nonnegative_with_mass_sum_f(g):
    f, v = g
    assume(np.max(v) / np.min(v) < 1e6)          # keeps the quadrature below a second
    total = 0.0
    for b in spectral.bulks(f, v):
        lam = np.linspace(b.lower, b.upper, 41)
        assert np.all(np.asarray(spectral.density(lam, f, v)) >= 0.0)
        # vectorised Gauss-Legendre on x = lower + (upper - lower)(1 - cos th)/2: the square-root
        # edges become smooth in th
        th, wq = np.polynomial.legendre.leggauss(200)
        th = (th + 1) * np.pi / 2
        x = b.lower + (b.upper - b.lower) * (1 - np.cos(th)) / 2
        jac = (b.upper - b.lower) * np.sin(th) / 2 * np.pi / 2
        total += float(np.sum(wq * jac * np.asarray(spectral.density(x, f, v))))
    assert np.isclose(total, f.sum(), rtol=1e-4)
    below = spectral.bulk_edges(f, v)[0] * 0.5
    assert np.isclose(spectral.density(below, f, v), 0.0, atol=1e-12)


@SETTINGS
@given(g=groups())
def test_cumulative_from_zero_atom_to_one(g):
    f, v = g
    edges = spectral.bulk_edges(f, v)
    lam = np.sort(np.concatenate([edges, np.geomspace(edges[0] / 10, edges[-1] * 10, 25)]))
    F = np.asarray(spectral.cumulative(lam, f, v))
    assert np.all(np.diff(F) >= -1e-9)
    assert np.isclose(F[0], 1.0 - f.sum(), atol=1e-9)
    assert np.isclose(F[-1], 1.0, atol=1e-9)


@SETTINGS
@given(g=groups(), logc=st.floats(-250.0, 250.0))
def test_edges_scale_with_the_variances(g, logc):
    f, v = g
    c = 10.0**logc
    assume(np.all(np.isfinite(v * c)) and np.all(v * c > 1e-300))
    assume(np.max(v) / np.min(v) < 1e8)           # the same solver path on both sides
    assert np.allclose(spectral.bulk_edges(f, v * c) / c, spectral.bulk_edges(f, v), rtol=1e-8)


@SETTINGS
@given(g=groups(), t=st.lists(st.floats(1e-3, 8.0), min_size=2, max_size=6, unique=True))
def test_jacobian_edges_in_unit_interval_and_monotone_in_t(g, t):
    f, v = g
    t = np.sort(np.asarray(t))
    e = spectral.jacobian_edges(t, f, v)
    assert np.all((e > 0) & (e < 1))
    assert np.all(np.diff(e, axis=-1) > 0)                 # ordered within each time
    assert np.all(np.diff(e, axis=0) >= 0)                 # no edge falls as t grows
