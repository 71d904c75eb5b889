"""Properties (hypothesis) of the manifold thresholds of theory.manifold (Achilli et al. 2024,
arXiv:2410.08727; docs/theory/losing-dimensions.md).

- effective variances: the sum rule :math:`\\sum_k d_k\\tilde\\sigma_k^2 = E[|y|^2/|y|^2] = 1`,
  invariance under a common rescaling of the stds, the order of the stds kept, and agreement with
  the large-d approximation :math:`\\sigma_k^2/\\sum_j d_j\\sigma_j^2` when one block dominates d;
- per-subspace collapse times decrease with n and follow the order of the stds;
- critical alphas decrease with t and follow the order of the stds.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory import manifold

SETTINGS = settings(max_examples=30, deadline=None, database=None, derandomize=True)


@st.composite
def blocks(draw, max_blocks: int = 4, spread: float = 3.0):
    k = draw(st.integers(1, max_blocks))
    logs = draw(st.lists(st.floats(-spread, spread), min_size=k, max_size=k, unique=True))
    dims = draw(st.lists(st.integers(1, 30), min_size=k, max_size=k))
    return 10.0 ** np.asarray(logs), np.asarray(dims)


@SETTINGS
@given(b=blocks(spread=100.0), logc=st.floats(-100.0, 100.0))
def test_effective_variances_sum_rule_scale_and_order(b, logc):
    stds, dims = b
    ev = manifold.effective_variances(stds, dims)
    assert np.all(ev >= 0) and np.all(np.isfinite(ev))
    assert np.isclose(np.dot(dims, ev), 1.0, rtol=1e-9)
    order = np.argsort(stds)
    assert np.all(np.diff(ev[order]) >= 0)
    assert np.allclose(manifold.effective_variances(stds * 10.0**logc, dims), ev, rtol=1e-7,
                       atol=1e-300)


@settings(max_examples=15, deadline=None, database=None, derandomize=True)
@given(std=st.floats(0.1, 10.0), d=st.integers(200, 5000))
def test_effective_variances_large_d_limit(std, d):
    # one isotropic block of dimension d: exactly 1/d; plus a small second block, 1/d up to O(1/d^2)
    assert np.isclose(manifold.effective_variances([std], [d])[0], 1.0 / d, rtol=1e-10)
    ev = manifold.effective_variances([std, std * 0.5], [d, 3])
    approx = np.array([std**2, std**2 / 4]) / (d * std**2 + 3 * std**2 / 4)
    assert np.allclose(ev, approx, rtol=10.0 / d)


@SETTINGS
@given(b=blocks(), logn=st.lists(st.floats(1.0, 30.0), min_size=2, max_size=5, unique=True),
       normalized=st.booleans())
def test_collapse_times_monotone_in_n_and_ordered_by_std(b, logn, normalized):
    stds, dims = b
    n = np.exp(np.sort(logn))
    tc = np.asarray(manifold.collapse_times(stds, dims, n, normalized=normalized))
    assume(np.all(np.isfinite(tc)))
    assert np.all(np.diff(tc, axis=0) <= 1e-12 * np.abs(tc[:-1]))
    order = np.argsort(stds)
    assert np.all(np.diff(tc[:, order], axis=1) >= -1e-12 * np.abs(tc[:, order][:, 1:]))


@SETTINGS
@given(b=blocks(), t=st.lists(st.floats(1e-3, 10.0), min_size=2, max_size=5, unique=True))
def test_critical_alphas_monotone_in_t_and_ordered_by_std(b, t):
    stds, dims = b
    t = np.sort(np.asarray(t))
    a = np.asarray(manifold.critical_alphas(stds, dims, t))
    assert np.all(np.isfinite(a)) and np.all(a >= 0)
    assert np.all(np.diff(a, axis=0) <= 1e-12 * np.abs(a[:-1]))
    order = np.argsort(stds)
    assert np.all(np.diff(a[:, order], axis=1) >= -1e-12 * np.abs(a[:, order][:, 1:]))
