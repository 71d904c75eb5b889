"""Properties (hypothesis) of the exact empirical-score kernel (validation._posterior, public wrappers).

With :math:`w_\\mu(x,t) \\propto \\exp(-|x - a^\\mu e^{-t}|^2/2\\Delta_t)` (Biroli et al. 2024, eq. 2):
the weights are a probability vector for every chunk size and dtype; permuting the data permutes
the weights and leaves the score unchanged; rotating data and point rotates the score; shifting the
data by c and the point by :math:`e^{-t}c` changes neither weights nor score.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.timemap import delta
from validation import empirical_score, posterior_weights

SETTINGS = settings(max_examples=25, deadline=None, database=None, derandomize=True)

sizes = st.tuples(st.integers(1, 40), st.integers(1, 6), st.integers(1, 5))     # n, d, B
seeds = st.integers(0, 2**32 - 1)
times = st.floats(1e-3, 5.0)


def _draw(n, d, B, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(B, d)) * scale, rng.normal(size=(n, d)) * scale, rng


def _reference(x, t, X):
    """Dense float64 softmax of -|x - a e^{-t}|^2 / 2 Delta_t (eq. 2), independent of the kernel."""
    e = np.exp(-t)
    logits = -((x[:, None, :] - e * X[None, :, :]) ** 2).sum(-1) / (2.0 * delta(t))
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return w / w.sum(axis=1, keepdims=True)


@SETTINGS
@given(size=sizes, seed=seeds, t=times, chunk=st.integers(1, 50),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_weights_are_probabilities_for_any_chunk_and_dtype(size, seed, t, chunk, dtype):
    x, X, _ = _draw(*size, seed)
    w = np.asarray(posterior_weights(x.astype(dtype), t, X.astype(dtype), chunk=chunk))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert w.shape == (size[2], size[0])
    assert np.all(w >= 0.0)
    assert np.allclose(w.sum(axis=1), 1.0, atol=tol, rtol=0)
    assert np.allclose(w, _reference(x.astype(dtype).astype(float), t, X.astype(dtype).astype(float)),
                       atol=50 * tol, rtol=0)


@SETTINGS
@given(size=sizes, seed=seeds, t=times, chunk=st.one_of(st.none(), st.integers(1, 7)))
def test_permutation_of_the_data(size, seed, t, chunk):
    x, X, rng = _draw(*size, seed)
    perm = rng.permutation(len(X))
    w = posterior_weights(x, t, X, chunk=chunk)
    wp = posterior_weights(x, t, X[perm], chunk=chunk)
    assert np.allclose(wp, w[:, perm], atol=1e-13, rtol=0)
    s = empirical_score(x, t, X, chunk=chunk)
    sp = empirical_score(x, t, X[perm], chunk=chunk)
    assert np.allclose(sp, s, atol=1e-10 * (1 + np.abs(s).max()), rtol=0)


@SETTINGS
@given(size=sizes, seed=seeds, t=times)
def test_rotation_equivariance(size, seed, t):
    x, X, rng = _draw(*size, seed)
    d = X.shape[1]
    Q, R = np.linalg.qr(rng.normal(size=(d, d)))
    Q *= np.sign(np.diag(R))
    w = posterior_weights(x, t, X)
    assert np.allclose(posterior_weights(x @ Q, t, X @ Q), w, atol=1e-12, rtol=0)
    s = empirical_score(x, t, X)
    assert np.allclose(empirical_score(x @ Q, t, X @ Q), s @ Q, atol=1e-10 * (1 + np.abs(s).max()),
                       rtol=0)


@SETTINGS
@given(size=sizes, seed=seeds, t=times, shift=st.floats(-50.0, 50.0))
def test_translation_invariance(size, seed, t, shift):
    x, X, rng = _draw(*size, seed)
    c = shift * rng.normal(size=X.shape[1])
    xs = x + np.exp(-t) * c
    w = posterior_weights(x, t, X)
    # |x + e^{-t}c - (a + c)e^{-t}| = |x - a e^{-t}|: the weights and the score do not move
    assert np.allclose(posterior_weights(xs, t, X + c), w, atol=1e-9, rtol=0)
    s = empirical_score(x, t, X)
    scale = (1 + np.abs(s).max()) * (1 + abs(shift)) / delta(t)
    assert np.allclose(empirical_score(xs, t, X + c), s, atol=1e-10 * scale, rtol=0)
