"""Speciation time of a dataset from its covariance spectrum (paper eq. 4, Table 1).

The reference spectra are numpy/scipy eigenvalues of ``np.cov(X.T)`` (the d x d covariance formed
explicitly, which the package never does); Table 1 values are Biroli et al.'s (dynamical-regimes.md sec. 4).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse.linalg

from theory.speciation import (
    DATA_CONVENTIONS,
    NoSpeciationError,
    covariance_spectrum,
    speciation_time_from_data,
    speciation_time_from_eigenvalue,
    top_covariance_eigenvalue,
)

TABLE1_LAMBDA = [7.66, 16.72, 3.05, 12.11, 60.52]        # MNIST, CIFAR, ImageNet16, ImageNet32, LSUN
TABLE1_CONTINUOUS = [1.018006, 1.408303, 0.557571, 1.247016, 2.051487]
TABLE1_DDPM = [1.018226, 1.411802, 0.558419, 1.251652, 2.051760]
TABLE1_PRINTED = [1.02, 1.41, 0.56, 1.25, 2.05]


# ---------------------------------------------------------------- Table 1


def test_table1_continuous():
    np.testing.assert_allclose(speciation_time_from_eigenvalue(TABLE1_LAMBDA), TABLE1_CONTINUOUS, atol=1e-6)


def test_table1_ddpm_discretised():
    got = speciation_time_from_eigenvalue(TABLE1_LAMBDA, ddpm=True)
    np.testing.assert_allclose(got, TABLE1_DDPM, atol=1e-6)
    np.testing.assert_array_equal(np.round(got, 2), TABLE1_PRINTED)
    # discretisation moves the time up to the next step of the schedule, never down
    assert np.all(got >= np.array(TABLE1_CONTINUOUS) - 1e-6)


@pytest.mark.parametrize(("lam", "t_s"), list(zip(TABLE1_LAMBDA, TABLE1_CONTINUOUS, strict=True)))
def test_table1_scalar(lam, t_s):
    got = speciation_time_from_eigenvalue(lam)
    assert type(got) is float
    assert got == pytest.approx(t_s, abs=1e-6)


def test_imagenet16_conventions():
    """dynamical-regimes.md sec. 2.1: Lambda = 3.05 gives 0.558 (1/2 log Lambda) and 0.359 (1/2 log(Lambda -
    1)).

    A value of 0.703 is sometimes quoted for 1/2 log(Lambda + 1), but 1/2 log 4.05 = 0.6994 (0.7002 on the
    DDPM grid): that number is inconsistent with the formula; the formula is tested here.
    """
    assert round(speciation_time_from_eigenvalue(3.05), 3) == 0.558
    assert round(speciation_time_from_eigenvalue(3.05, "lambda_minus_one"), 3) == 0.359
    assert speciation_time_from_eigenvalue(3.05, "lambda_plus_one") == pytest.approx(0.5 * np.log(4.05),
                                                                                     rel=1e-14)
    assert round(speciation_time_from_eigenvalue(3.05, "lambda_plus_one"), 3) == 0.699


@pytest.mark.parametrize("convention", DATA_CONVENTIONS)
def test_conventions_by_formula(convention):
    lam = np.array([2.5, 7.66, 100.0])
    shift = {"paper": 0.0, "lambda_plus_one": 1.0, "lambda_minus_one": -1.0}[convention]
    np.testing.assert_allclose(speciation_time_from_eigenvalue(lam, convention), 0.5 * np.log(lam + shift),
                               rtol=1e-15)


@pytest.mark.parametrize("lam", [0.3, 0.99, 1.0])
def test_no_speciation_below_one(lam):
    with pytest.raises(NoSpeciationError, match="lambda_plus_one") as info:
        speciation_time_from_eigenvalue(lam)
    assert isinstance(info.value, ValueError)
    # the message quotes the value that does exist
    assert f"{0.5 * np.log1p(lam):.4g}" in str(info.value)


def test_no_speciation_minus_one_convention_and_arrays():
    with pytest.raises(NoSpeciationError):
        speciation_time_from_eigenvalue(1.8, "lambda_minus_one")
    with pytest.raises(NoSpeciationError, match="0.5"):
        speciation_time_from_eigenvalue([7.66, 0.5])
    assert speciation_time_from_eigenvalue(0.5, "lambda_plus_one") == pytest.approx(0.5 * np.log(1.5))


# ---------------------------------------------------------------- spectra of data


def _spiked_data(n, d, spike, seed):
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    labels = rng.choice([-1.0, 1.0], size=n)
    return rng.standard_normal((n, d)) + spike * labels[:, None] * u[None, :] + 0.3


@pytest.mark.parametrize(("n", "d"), [(30, 50), (80, 20), (40, 40), (2, 5), (300, 1)])
def test_covariance_spectrum_matches_numpy(n, d):
    x = _spiked_data(n, d, 2.0, seed=n + d)
    ref = np.sort(np.linalg.eigvalsh(np.atleast_2d(np.cov(x.T))))[::-1]
    got = covariance_spectrum(x)
    k = min(n, d)
    assert got.shape == (k,)
    assert np.all(np.diff(got) <= 0)
    np.testing.assert_allclose(got, ref[:k], rtol=1e-8, atol=1e-8 * ref[0])
    # the rest of the spectrum is zero; for n <= d the centred data also lose one direction
    assert np.all(np.abs(ref[k:]) < 1e-10 * ref[0])
    if n <= d:
        assert abs(got[-1]) < 1e-10 * ref[0]


@pytest.mark.parametrize(("n", "d"), [(30, 50), (80, 20), (300, 400)])
def test_top_eigenvalue_dense_branch(n, d):
    x = _spiked_data(n, d, 3.0, seed=7 * n + d)
    ref = np.linalg.eigvalsh(np.cov(x.T))[-1]
    assert top_covariance_eigenvalue(x) == pytest.approx(ref, rel=1e-10)
    assert speciation_time_from_data(x) == pytest.approx(0.5 * np.log(ref), rel=1e-10)
    assert speciation_time_from_data(x, "lambda_plus_one") == pytest.approx(0.5 * np.log1p(ref), rel=1e-10)


def test_top_eigenvalue_lanczos_branch(monkeypatch):
    """min(n, d) > 2048: the eigenvalue comes from eigsh on X_c^T X_c v products."""
    n, d = 2100, 2500
    x = _spiked_data(n, d, 3.0, seed=11)
    calls = []
    real_eigsh = scipy.sparse.linalg.eigsh

    def spy(*args, **kwargs):
        calls.append(1)
        return real_eigsh(*args, **kwargs)

    monkeypatch.setattr(scipy.sparse.linalg, "eigsh", spy)
    got = top_covariance_eigenvalue(x)
    assert calls, "the Lanczos branch was not taken"
    # reference: power iteration on the explicit d x d covariance (a dense O(d^3) eigensolver would
    # dominate the suite's run time); the spectral gap lambda_2/lambda_1 < 0.5 makes 200 steps plenty
    cov = np.cov(x.T)
    v = np.ones(d) / np.sqrt(d)
    for _ in range(200):
        v = cov @ v
        v /= np.linalg.norm(v)
    ref = v @ cov @ v
    assert np.linalg.norm(cov @ v - ref * v) < 1e-9 * ref
    assert got == pytest.approx(ref, rel=1e-8)
    # spike 3 along a unit vector: Lambda ~ 9 + 1 + (bulk edge push-up), well separated from the bulk
    assert 9.0 < got < 14.0


def test_speciation_time_from_data_ddpm():
    x = _spiked_data(200, 30, 2.5, seed=5)
    lam = np.linalg.eigvalsh(np.cov(x.T))[-1]
    assert speciation_time_from_data(x, ddpm=True) == pytest.approx(
        speciation_time_from_eigenvalue(lam, ddpm=True), rel=1e-12)


def test_sampled_gaussian_mixture_lambda():
    """dynamical-regimes.md sec. 2.2: the GM covariance has top eigenvalue Lambda = d mu~^2 + sigma^2 (here
    41)."""
    n, d = 20000, 40
    rng = np.random.default_rng(2024)
    m = np.ones(d)                       # |m|^2 = d, mu~ = 1
    x = rng.choice([-1.0, 1.0], size=n)[:, None] * m + rng.standard_normal((n, d))
    lam = top_covariance_eigenvalue(x)
    # sampling error of the top eigenvalue ~ Lambda sqrt(2/n) = 0.41
    assert abs(lam - (d + 1.0)) < 5 * (d + 1.0) * np.sqrt(2.0 / n)


def test_data_without_speciation_raises():
    x = np.random.default_rng(1).uniform(0, 1, size=(100, 16))   # Lambda ~ 1/12
    with pytest.raises(NoSpeciationError, match="lambda_plus_one"):
        speciation_time_from_data(x)


def test_invariances():
    """Lambda is invariant under translation and rotation of the data and scales like c^2."""
    x = _spiked_data(60, 12, 2.0, seed=9)
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((12, 12)))
    lam = top_covariance_eigenvalue(x)
    assert top_covariance_eigenvalue(x @ q + 5.0) == pytest.approx(lam, rel=1e-12)
    assert top_covariance_eigenvalue(3.0 * x) == pytest.approx(9.0 * lam, rel=1e-12)
    np.testing.assert_allclose(covariance_spectrum(x @ q - 2.0), covariance_spectrum(x), rtol=1e-10,
                               atol=1e-12 * lam)
