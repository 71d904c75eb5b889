"""Maps between the OU time and the DDPM / VE / VP-SDE / EDM schedules (dynamical-regimes.md section 1,
section 7 row 2)."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from scipy.integrate import quad

from theory.timemap import (
    alphabar_from_ou_time,
    ddpm_cosine_alphabar,
    ddpm_first_step_after,
    ddpm_linear_alphabar,
    ddpm_ou_times,
    delta,
    edm_sigmas,
    ou_time_from_alphabar,
    ou_time_from_edm_sigma,
    ou_time_from_ve_schedule,
    ou_time_from_ve_variance,
    ve_sigma,
    ve_variance,
    vp_sde_ou_time,
)


def mp_ref(fun, x, dps=30):
    """Element-wise mpmath reference, rounded to float64."""
    with mp.workdps(dps):
        return np.array([float(fun(mp.mpf(float(v)))) for v in np.ravel(x)]).reshape(np.shape(x))


# ---------------------------------------------------------------- DDPM linear schedule


@pytest.mark.parametrize(("k", "t"), [(999, 5.05886), (500, 1.27683), (446, 1.01823)])
def test_ddpm_ou_times_reference_row2(k, t):
    assert ddpm_ou_times()[k] == pytest.approx(t, abs=5e-6)


def test_ddpm_linear_alphabar_vs_mpmath_product():
    ab = ddpm_linear_alphabar()
    assert ab.shape == (1000,)
    with mp.workdps(30):
        betas = [mp.mpf(1e-4) + (mp.mpf(2e-2) - mp.mpf(1e-4)) * k / 999 for k in range(1000)]
        prod, ref = mp.mpf(1), []
        for b in betas:
            prod *= 1 - b
            ref.append(prod)
    np.testing.assert_allclose(ab, [float(x) for x in ref], rtol=1e-12)
    np.testing.assert_allclose(ddpm_ou_times(), -0.5 * np.log([float(x) for x in ref]), rtol=1e-12)
    assert np.all(np.diff(ab) < 0)


@pytest.mark.parametrize(("lam", "k"), [(7.66, 446), (16.72, 526), (3.05, 329), (12.11, 495), (60.52, 635)])
def test_ddpm_first_step_after_table1(lam, k):
    t = 0.5 * np.log(lam)
    assert ddpm_first_step_after(t) == k
    times = ddpm_ou_times()
    assert times[k - 1] <= t < times[k]
    ab = ddpm_linear_alphabar()
    assert ab[k] < 1 / lam <= ab[k - 1]


def test_ddpm_first_step_after_vector_and_edges():
    t = 0.5 * np.log(np.array([7.66, 16.72, 3.05, 12.11, 60.52]))
    np.testing.assert_array_equal(ddpm_first_step_after(t), [446, 526, 329, 495, 635])
    assert isinstance(ddpm_first_step_after(1.0), int)
    assert ddpm_first_step_after(0.0) == 0
    with pytest.raises(ValueError, match="t must be"):
        ddpm_first_step_after(5.1)


def test_ddpm_first_step_after_is_strict():
    """'First step whose OU time exceeds t': a t on the grid maps to the next step."""
    times = ddpm_ou_times()
    for k in (0, 100, 446, 998):
        assert ddpm_first_step_after(times[k]) == k + 1
        assert ddpm_first_step_after(np.nextafter(times[k], 0)) == k


def test_ddpm_first_step_after_custom_schedule():
    ab = ddpm_cosine_alphabar(200)
    times = ddpm_ou_times(ab)
    for t in (0.05, 0.7, 2.0):
        k = ddpm_first_step_after(t, ab)
        assert times[k] > t and (k == 0 or times[k - 1] <= t)


# ---------------------------------------------------------------- cosine schedule


@pytest.mark.parametrize("steps", [10, 1000, 4000])
def test_cosine_schedule(steps):
    ab = ddpm_cosine_alphabar(steps)
    assert ab.shape == (steps,)
    assert np.all((ab > 0) & (ab <= 1))
    assert np.all(np.diff(ab) < 0)
    # the cumulative product telescopes to f(u)/f(0) wherever no beta is clipped at 0.999
    s = 0.008
    f = lambda u: np.cos((u + s) / (1 + s) * np.pi / 2) ** 2  # noqa: E731
    u = np.arange(1, steps + 1) / steps
    ratio = f(u) / f(0.0)
    unclipped = np.r_[True, ratio[1:] / ratio[:-1] > 1 - 0.999]
    unclipped = np.logical_and.accumulate(unclipped)
    np.testing.assert_allclose(ab[unclipped], ratio[unclipped], rtol=1e-10)
    times = ddpm_ou_times(ab)
    assert np.all(np.diff(times) > 0)


# ---------------------------------------------------------------- VE, VP, alphabar, EDM


def test_delta_and_ve_variance():
    t = np.array([0.0, 1e-12, 0.3, 2.0, 20.0])
    np.testing.assert_allclose(delta(t), mp_ref(lambda x: 1 - mp.exp(-2 * x), t), rtol=1e-14, atol=0)
    assert delta(1e-12) == pytest.approx(2e-12, rel=1e-10)
    assert delta(np.inf) == 1.0
    np.testing.assert_allclose(ve_variance(t), mp_ref(lambda x: mp.exp(2 * x) - 1, t), rtol=1e-14)
    # x_t e^t = a + sqrt(s) z: s = Delta_t e^{2t}
    np.testing.assert_allclose(ve_variance(t[1:]), delta(t[1:]) * np.exp(2 * t[1:]), rtol=1e-13)


def test_ve_round_trips():
    t = np.array([0.0, 1e-9, 0.01, 0.5, 3.0, 15.0])
    np.testing.assert_allclose(ou_time_from_ve_variance(ve_variance(t)), t, rtol=1e-13, atol=0)
    s = np.array([0.0, 1e-10, 0.2, 10.0, 1e8])
    np.testing.assert_allclose(ve_variance(ou_time_from_ve_variance(s)), s, rtol=1e-12)
    assert ou_time_from_ve_variance(np.inf) == np.inf


def test_ve_schedule():
    tau = np.linspace(0, 1, 11)
    sig = ve_sigma(tau)
    assert sig[0] == pytest.approx(0.01, rel=1e-14)
    assert sig[-1] == pytest.approx(50.0, rel=1e-14)
    np.testing.assert_allclose(sig, 0.01 * (50 / 0.01) ** tau, rtol=1e-14)
    np.testing.assert_allclose(ou_time_from_ve_schedule(tau), mp_ref(lambda x: mp.log(1 + x**2) / 2, sig),
                               rtol=1e-13)
    np.testing.assert_allclose(ve_variance(ou_time_from_ve_schedule(tau)), sig**2, rtol=1e-12)
    np.testing.assert_allclose(ou_time_from_ve_schedule(tau, 0.1, 3.0),
                               0.5 * np.log1p(ve_sigma(tau, 0.1, 3.0) ** 2), rtol=1e-14)


def test_alphabar_maps():
    t = np.array([0.0, 0.1, 1.0, 5.0])
    np.testing.assert_allclose(alphabar_from_ou_time(t), np.exp(-2 * t), rtol=1e-15)
    np.testing.assert_allclose(ou_time_from_alphabar(alphabar_from_ou_time(t)), t, rtol=1e-14, atol=1e-16)
    ab = np.array([1.0, 0.9, 1e-3, 1e-300])
    np.testing.assert_allclose(alphabar_from_ou_time(ou_time_from_alphabar(ab)), ab, rtol=1e-13)
    assert alphabar_from_ou_time(np.inf) == 0.0


@pytest.mark.parametrize(("beta_min", "beta_max"), [(0.1, 20.0), (1.0, 1.0), (0.5, 7.0)])
def test_vp_sde_ou_time_vs_quadrature(beta_min, beta_max):
    for tau in (0.0, 0.1, 0.5, 1.0):
        integral, _ = quad(lambda s: beta_min + (beta_max - beta_min) * s, 0.0, tau)
        alphabar = np.exp(-integral)
        assert vp_sde_ou_time(tau, beta_min, beta_max) == pytest.approx(-0.5 * np.log(alphabar), abs=1e-13)
    tau = np.linspace(0, 1, 50)
    assert np.all(np.diff(vp_sde_ou_time(tau)) > 0)


@pytest.mark.parametrize(("steps", "smin", "smax", "rho"), [(18, 0.002, 80.0, 7.0), (2, 0.01, 1.0, 3.0),
                                                            (40, 0.02, 100.0, 1.0)])
def test_edm_sigmas(steps, smin, smax, rho):
    sig = edm_sigmas(steps, smin, smax, rho)
    assert sig.shape == (steps,)
    assert sig[0] == pytest.approx(smax, rel=1e-13)
    assert sig[-1] == pytest.approx(smin, rel=1e-13)
    assert np.all(np.diff(sig) < 0)
    # equal steps in sigma^{1/rho}
    step = (smin ** (1 / rho) - smax ** (1 / rho)) / (steps - 1)
    np.testing.assert_allclose(np.diff(sig ** (1 / rho)), step, rtol=1e-10)
    t = ou_time_from_edm_sigma(sig)
    np.testing.assert_allclose(t, mp_ref(lambda x: mp.log(1 + x**2) / 2, sig), rtol=1e-13)
    assert np.all(np.diff(t) < 0)


def test_scalar_and_shape_conventions():
    assert type(delta(1.0)) is float
    assert type(ou_time_from_alphabar(0.5)) is float
    assert delta(np.ones((2, 3))).shape == (2, 3)
    assert ve_sigma(np.array([[0.0, 1.0]])).shape == (1, 2)


@pytest.mark.parametrize(("fun", "arg", "name"), [
    (delta, -1.0, "t"), (ve_variance, np.nan, "t"), (ou_time_from_ve_variance, -0.1, "s"),
    (ve_sigma, 1.5, "tau"), (ou_time_from_alphabar, 0.0, "alphabar"),
    (ou_time_from_alphabar, 1.2, "alphabar"),
    (vp_sde_ou_time, -0.1, "tau"), (ou_time_from_edm_sigma, -1.0, "sigma"),
])
def test_timemap_input_errors(fun, arg, name):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        fun(arg)


def test_schedule_parameter_errors():
    with pytest.raises(ValueError, match="sigma_max"):
        ve_sigma(0.5, sigma_min=1.0, sigma_max=0.5)
    with pytest.raises(ValueError, match="beta_end"):
        ddpm_linear_alphabar(beta_end=1.0)
    with pytest.raises(ValueError, match="steps"):
        edm_sigmas(steps=1)
    with pytest.raises(ValueError, match="rho"):
        edm_sigmas(rho=0.0)
