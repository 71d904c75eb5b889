"""Per-subspace memorization theory (theory/manifold.py) against independent mpmath evaluations of
docs/theory/losing-dimensions.md closed forms (secs. 2.1-2.5, rows 1, 4, 5 of sec. 4)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import mpmath as mp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from theory.manifold import (  # noqa: E402
    collapse_times,
    critical_alphas,
    effective_variances,
    energy_variances,
    geometric_memorization,
    global_collapse_time,
    log_critical_sizes,
    manifold_phase_diagram,
    norm_collapse_time,
    normalized_spectrum,
    rem_retention,
    subspace_collapse_times,
    subspace_rem_retention,
    theory_dimension_count,
    theory_spectrum,
)

STDS, DIMS = [1.0, 0.3, 0.01], [2, 5, 23]          # the paper's data (losing-dimensions.md sec. 1.2)
THEORY_STDS = [1.0, 0.3, 1e-6]                     # the theory panel's normal block


def mp_tc(s2, L, gq4):
    """losing-dimensions.md sec. 2.3: positive root of t^2 - s2 t/(2L) - g Q4/(4L) = 0, in mpmath."""
    s2, L, gq4 = mp.mpf(s2), mp.mpf(L), mp.mpf(gq4)
    return (s2 / (2 * L) + mp.sqrt(s2**2 / (4 * L**2) + gq4 / L)) / 2


# --- critical times (docs/theory/losing-dimensions.md sec. 2.3, row 1)
# ----------------------------------------------------------------

def test_row_1_sphere_values():
    tc = collapse_times([1.0, 0.3], [2, 5], 1000, effective=False, time="ve_variance")
    assert tc == pytest.approx([0.072382, 0.006514], abs=5e-7)          # losing-dimensions.md sec. 4 row 1
    assert np.sqrt(tc) == pytest.approx([0.2690, 0.0807], abs=5e-5)    # noise std


@pytest.mark.parametrize("n", [250, 500, 1000, 20000])
def test_sphere_times_against_mpmath(n):
    with mp.workdps(40):
        L = mp.log(n)
        ref = [mp_tc(mp.mpf(s) ** 2, L, 0) for s in ("1", "0.3")]
        ref_ou = [mp.log1p(r) / 2 for r in ref]
    ve = collapse_times([1, 0.3], [2, 5], n, effective=False, time="ve_variance")
    ou = collapse_times([1, 0.3], [2, 5], n, effective=False)
    np.testing.assert_allclose(ve, [float(r) for r in ref], rtol=1e-14)
    np.testing.assert_allclose(ou, [float(r) for r in ref_ou], rtol=1e-14)
    assert ve[1] / ve[0] == pytest.approx(0.09, rel=1e-13)            # sigma_2^2 / sigma_1^2
    np.testing.assert_allclose(np.expm1(2 * ou), ve, rtol=1e-13)     # VE <-> OU round trip


def test_times_decrease_with_n_and_broadcast():
    n = np.array([[250, 500], [1000, 20000]])
    tc = collapse_times(STDS, DIMS, n)
    assert tc.shape == (2, 2, 3)
    flat = tc.reshape(4, 3)
    assert np.all(np.diff(flat, axis=0) < 0)


def test_gaussian_branch_solves_its_quadratic():
    n = 1000
    stds, dims = np.array(THEORY_STDS), np.array(DIMS)
    q4 = float(np.sum(dims * stds**4))
    tc = collapse_times(stds, dims, n, normalized=False, time="ve_variance")
    t0 = norm_collapse_time(stds, dims, n, time="ve_variance")
    with mp.workdps(40):
        L = mp.log(n)
        for s, tk in zip(stds, tc, strict=True):
            ref = mp_tc(mp.mpf(s) ** 2, L, q4)
            assert abs(tk - ref) < 1e-15 * ref
            # residual of t^2 - s^2 t/(2L) - Q4/(4L) at the float64 root
            tkm = mp.mpf(tk)
            assert abs(tkm**2 - mp.mpf(s) ** 2 * tkm / (2 * L) - q4 / (4 * L)) < 1e-14
        assert abs(t0 - mp.sqrt(q4 / (4 * L))) < 1e-15
    assert np.all(tc >= t0)
    # the selective window is much narrower than on the sphere (docs/theory/losing-dimensions.md sec. 2.3)
    sph = collapse_times(stds, dims, n, effective=False, time="ve_variance")
    assert np.log(tc[0] / tc[1]) < 0.1 * np.log(sph[0] / sph[1])


def test_effective_variances():
    eff = effective_variances(STDS, DIMS)
    assert float(np.dot(eff, DIMS)) == pytest.approx(1.0, abs=1e-12)
    with mp.workdps(30):
        var = [mp.mpf(s) ** 2 for s in ("1", "0.3", "0.01")]

        def integrand(u, k):
            prod = mp.mpf(1)
            for v, dk in zip(var, DIMS, strict=True):
                prod *= (1 + 2 * u * v) ** (-mp.mpf(dk) / 2)
            return var[k] / (1 + 2 * u * var[k]) * prod

        for k in range(3):
            edges = [0, mp.mpf(1) / 2, mp.mpf(1) / (2 * var[1]), mp.mpf(1) / (2 * var[2]), mp.inf]
            ref = mp.quad(lambda u, k=k: integrand(u, k), edges)
            assert abs(eff[k] - ref) < 1e-11 * ref
    # the large-d approximation sigma^2 / sum d sigma^2 (0.408, 0.0367) is off at d1 = 2
    approx = np.array(STDS) ** 2 / np.dot(np.array(STDS) ** 2, DIMS)
    assert approx[:2] == pytest.approx([0.408, 0.0367], abs=5e-4)
    assert abs(eff[0] - approx[0]) > 0.05
    # a sample of sphere-normalized points: coordinate variances within 5 standard errors
    rng = np.random.default_rng(11)
    y = rng.standard_normal((200_000, 30)) * np.repeat(STDS, DIMS)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    blocks = np.split(y**2, np.cumsum(DIMS)[:-1], axis=1)
    for k, b in enumerate(blocks):
        per = b.mean(axis=1)                   # block mean per point: one independent sample each
        assert abs(per.mean() - eff[k]) < 5 * per.std(ddof=1) / np.sqrt(per.size)


def test_effective_times_use_effective_variances():
    eff = effective_variances(STDS, DIMS)
    tc = collapse_times(STDS, DIMS, 1000, effective=True, time="ve_variance")
    np.testing.assert_allclose(tc, eff / (2 * np.log(1000)), rtol=1e-14)


# --- critical sizes (docs/theory/losing-dimensions.md sec. 2.3)
# ---------------------------------------------------------------------

@pytest.mark.parametrize("normalized", [True, False])
def test_log_critical_sizes(normalized):
    t_ve = np.array([0.001, 0.005, 0.02, 0.1, 0.5])
    lnc = log_critical_sizes(STDS, DIMS, t_ve, normalized, time="ve_variance")
    g = 0 if normalized else 1
    q4 = float(np.sum(np.array(DIMS) * np.array(STDS) ** 4))
    with mp.workdps(40):
        for i, tv in enumerate(t_ve):
            for k, s in enumerate(STDS):
                ref = (g * mp.mpf(q4) / 2 + mp.mpf(tv) * mp.mpf(s) ** 2) / (2 * mp.mpf(tv) ** 2)
                assert abs(lnc[i, k] - ref) < 1e-14 * ref
    # OU form at the same physical times
    ou = log_critical_sizes(STDS, DIMS, 0.5 * np.log1p(t_ve), normalized)
    np.testing.assert_allclose(ou, lnc, rtol=1e-12)
    assert np.all(lnc[:, 0] > lnc[:, 1])
    np.testing.assert_allclose(critical_alphas(STDS, DIMS, t_ve, normalized, time="ve_variance"),
                               lnc / 30, rtol=1e-15)
    # round trip: log n_C(t_C(n)) = log n
    for n in (250, 1000, 1e5):
        tc = collapse_times(STDS, DIMS, n, normalized, effective=False)
        back = np.array([log_critical_sizes(STDS, DIMS, tc[k], normalized)[k] for k in range(3)])
        np.testing.assert_allclose(back, np.log(n), rtol=1e-12)


def test_rem_retention_threshold():
    n = 1000
    tc = collapse_times([1, 0.3], [2, 5], n, effective=False)
    above = rem_retention([1, 0.3], [2, 5], n, tc * 1.01)
    below = rem_retention([1, 0.3], [2, 5], n, tc * 0.99)
    assert np.all(np.diag(above) == 1.0) and np.all(np.diag(below) < 1.0)
    v = energy_variances([1, 0.3], [2, 5], 0.01, time="ve_variance")
    np.testing.assert_allclose(v, np.array([1, 0.09]) / 0.01, rtol=1e-15)


# --- extension (docs/theory/losing-dimensions.md sec. 2.4) and global time (docs/theory/losing-dimensions.md
# sec. 2.5) ---------------------------------------------

def test_subspace_extension():
    psi, var = np.array([2, 5, 23]) / 30, np.array([1, 0.09, 1e-4])
    for alpha in (0.05, 0.1, np.log(1000) / 30):
        ve = subspace_collapse_times(psi, var, alpha, time="ve_variance")
        np.testing.assert_allclose(ve, psi * var / (2 * alpha), rtol=1e-15)
        ou = subspace_collapse_times(psi, var, alpha)
        with mp.workdps(30):
            ref = [mp.log1p(mp.mpf(p) * mp.mpf(v) / (2 * mp.mpf(alpha))) / 2 for p, v in zip(psi, var,
                                                                                            strict=True)]
        np.testing.assert_allclose(ou, [float(r) for r in ref], rtol=1e-14)
        # extension with d_k = 1 is the per-direction sphere threshold (docs/theory/losing-dimensions.md sec.
        # 2.4 vs 2.3)
        one = subspace_collapse_times([1 / 30], [1.0], alpha, time="ve_variance")[0]
        assert one == pytest.approx(1 / (2 * alpha * 30), rel=1e-14)
    r = subspace_rem_retention(psi, var, 0.1, [0.01, 10.0], time="ve_variance")
    np.testing.assert_allclose(r[0], np.minimum(1, np.sqrt(2 * 0.1 * 0.01 / (psi * var))), rtol=1e-14)
    assert np.all(r[1] == 1.0)


@pytest.mark.parametrize("n", [1e3, 1e4, 1e5])
def test_global_collapse_time_against_mpmath(n):
    stds = np.array(STDS)
    ve = global_collapse_time(stds, DIMS, n, time="ve_variance")
    with mp.workdps(30):
        alpha = mp.log(n) / 30
        f = lambda s: sum(dk * mp.log1p(mp.mpf(sd) ** 2 / s) for sd, dk in  # noqa: E731
                          zip(stds, DIMS, strict=True)) / 60 - alpha
        ref = mp.findroot(f, (mp.mpf("1e-6"), mp.mpf(10)), solver="anderson")
    assert ve == pytest.approx(float(ref), rel=1e-10)
    ou = global_collapse_time(stds, DIMS, n)
    assert np.expm1(2 * ou) == pytest.approx(ve, rel=1e-12)


# --- the theory spectrum (docs/theory/losing-dimensions.md sec. 2.1, rows 4-5; sec. 3.3)
# -------------------------------------------

def mp_singular(t, stds, dims, n, g):
    """Independent mpmath transcription of the losing-dimensions.md sec. 2.1 listing (VE variance t)."""
    sig = [mp.mpf(s) for s, dk in zip(stds, dims, strict=True) for _ in range(dk)]
    L, t = mp.log(n), mp.mpf(t)
    q4 = sum(s**4 for s in sig)
    factor = sum(s**2 / (t**2 * (t + s**2)) for s in sig)
    phi0 = max(0, 1 / t - 1 / mp.sqrt(g * q4 / 2 / (2 * L))) if g else 0
    out = []
    for s in sig:
        tc = mp.sqrt((g * q4 / 2 + t * s**2) / (2 * L))
        phi = max(0, 1 / t - 1 / tc)
        out.append(mp.sqrt(1 / (t + s**2) ** 2 + (factor * (phi0 + phi)) ** 2))
    return out


def test_rows_4_and_5():
    s = theory_spectrum(THEORY_STDS, DIMS, 1000, [1.0, 0.1], time="ve_variance")
    assert s[0, [0, 2, 10]] == pytest.approx([0.5000, 0.9174, 1.0000], abs=5e-5)
    assert s[1, [0, 2, 10]] == pytest.approx([0.9091, 5.2632, 10.0], abs=5e-5)


@pytest.mark.parametrize("normalized", [True, False])
@pytest.mark.parametrize("t_ve", [0.02, 0.003, 0.3])
def test_theory_spectrum_against_mpmath(t_ve, normalized):
    with mp.workdps(30):
        ref = np.array([float(v) for v in mp_singular(t_ve, THEORY_STDS, DIMS, 1000,
                                                       0 if normalized else 1)])
    got = theory_spectrum(THEORY_STDS, DIMS, 1000, t_ve, normalized, time="ve_variance")
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    ou = theory_spectrum(THEORY_STDS, DIMS, 1000, 0.5 * np.log1p(t_ve), normalized)
    np.testing.assert_allclose(ou, (1 + t_ve) * got, rtol=1e-12)


def test_lost_block_rises_above_bulk_and_count_sequence():
    t_between, t_below = 0.02, 0.003         # t_C^(2) = 0.0065 < 0.02 < t_C^(1) = 0.072
    s = theory_spectrum(THEORY_STDS, DIMS, 1000, [t_between, t_below], time="ve_variance")
    assert np.all(s[0, :2] > 1 / t_between)                         # block 1 lost
    np.testing.assert_allclose(s[0, 2:7], 1 / (t_between + 0.09), rtol=1e-14)  # block 2 intact
    assert np.all(s[1, :7] > 1 / t_below)                           # both lost
    counts = theory_dimension_count(THEORY_STDS, DIMS, 1000, [0.08, 0.05, 0.005],
                                    time="ve_variance")
    assert counts.tolist() == [7, 5, 0]                              # losing-dimensions.md sec. 3.3
    ns = normalized_spectrum(s, drop=7)
    assert ns.shape == (2, 23) and np.all(ns <= 1) and np.all(ns[:, 0] == 1)


# --- ordering, window, phase diagram ----------------------------------------------------------------

def test_summary_ordering_window_and_swap():
    tangent = [True, True, False]
    gm = geometric_memorization(STDS, DIMS, 1000, tangent=tangent, time="ve_variance")
    assert gm.loss_order.tolist() == [0, 1]
    assert gm.window == pytest.approx((0.0065144, 0.0723824), abs=1e-7)
    assert gm.window_log_ratio == pytest.approx(np.log(1 / 0.09), rel=1e-13)
    assert gm.surviving_dimensions([0.1, 0.02, 0.001]).tolist() == [7, 5, 0]
    swapped = geometric_memorization([0.3, 1.0, 0.01], DIMS, 1000, tangent=tangent)
    assert swapped.loss_order.tolist() == [1, 0]
    gauss = geometric_memorization(STDS, DIMS, 1000, normalized=False, tangent=tangent)
    assert gauss.norm_time is not None and gauss.window_log_ratio < 0.2
    d = gm.to_dict()
    assert d["loss_order"] == [0, 1] and d["global_time"] == pytest.approx(
        float(global_collapse_time(STDS, DIMS, 1000, time="ve_variance")))


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 3.0), st.floats(0.05, 3.0), st.integers(1, 10), st.integers(1, 10),
       st.floats(2.5, 1e6), st.booleans())
def test_properties_monotone_and_swap(s1, s2, d1, d2, n, normalized):
    tc = collapse_times([s1, s2], [d1, d2], n, normalized)
    sw = collapse_times([s2, s1], [d1, d2], n, normalized)
    if s1 > s2:
        assert tc[0] >= tc[1] and sw[1] >= sw[0]
    bigger = collapse_times([s1 * 1.1, s2], [d1, d2], n, normalized)
    assert bigger[0] > tc[0]
    lnc = log_critical_sizes([s1, s2], [d1, d2], 0.05, normalized)
    assert log_critical_sizes([s1 * 1.1, s2], [d1, d2], 0.05, normalized)[0] > lnc[0]
    ve = collapse_times([s1, s2], [d1, d2], n, normalized, time="ve_variance")
    np.testing.assert_allclose(np.expm1(2 * tc), ve, rtol=1e-12)


def test_phase_diagram(tmp_path):
    t = np.linspace(0.001, 0.2, 120)
    log_n = np.linspace(np.log(2), 15, 60)
    pd = manifold_phase_diagram(STDS, DIMS, t, log_n, tangent=[True, True, False])
    assert pd.surviving.shape == (60, 120)
    assert pd.regions() == [0, 5, 7]
    # every grid point agrees with collapse_times
    i, j = 37, 11
    tc = collapse_times(STDS, DIMS, np.exp(log_n[i]), effective=False)
    assert pd.surviving[i, j] == 2 * (t[j] > tc[0]) + 5 * (t[j] > tc[1])
    # surviving dims never decrease with t or with n
    assert np.all(np.diff(pd.surviving, axis=1) >= 0) and np.all(np.diff(pd.surviving, axis=0) >= 0)
    path = pd.save(tmp_path / "pd.npz")
    assert np.load(path)["surviving"].shape == (60, 120)
    ax = pd.plot()
    assert ax.get_ylabel() == "log n"


# --- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: collapse_times([-1.0, 0.3], [2, 5], 1000), "stds must be"),
    (lambda: collapse_times([1.0, 0.3], [2, 5], 1), "n must be"),
    (lambda: collapse_times([1.0, 0.3], [2, 5.5], 1000), "dims must be"),
    (lambda: collapse_times([1.0, 0.3], [2], 1000), "dims must have one entry"),
    (lambda: collapse_times([1.0, np.nan], [2, 5], 1000), "stds must be"),
    (lambda: collapse_times([1.0], [2], 1000, time="vp"), "time must be"),
    (lambda: collapse_times([1.0], [2], 1000, normalized=False, effective=True), "effective"),
    (lambda: log_critical_sizes([1.0], [2], 0.0), "t must be"),
    (lambda: log_critical_sizes([1.0], [2], -1.0), "t must be"),
    (lambda: subspace_collapse_times([0.6, 0.5], [1, 1], 0.1), "fractions must sum"),
    (lambda: subspace_collapse_times([0.2, 0.5], [1, -1], 0.1), "variances must be"),
    (lambda: subspace_collapse_times([0.2], [1], 0.0), "alpha must be"),
    (lambda: theory_spectrum([1.0], [2], 1.5, 0.1), "n must be"),
    (lambda: manifold_phase_diagram([1.0], [2], [0.1], [0.1]), "log_n must be"),
    (lambda: geometric_memorization([1.0, 0.5], [2, 2], 100, tangent=[True]), "tangent must"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
