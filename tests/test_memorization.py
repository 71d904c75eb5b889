"""Per-subspace memorization with the exact empirical score (theory.models.LinearManifold,
validation/manifold_data.py, validation/memorization.py) against the population values and the REM picture of
docs/theory/losing-dimensions.md (secs. 2.3, 2.4, 2.6, 3.5).

Tolerances are k standard errors over independent test points (conditional on one seeded training
set), plus, where stated, an allowance for a known finite-n bias.
"""

from __future__ import annotations

import numpy as np
import pytest
from _legacy_manifold import axis_manifold_points

from theory.manifold import collapse_times, subspace_collapse_times
from theory.models import LinearManifold
from theory.timemap import ou_time_from_ve_variance
from validation.jacobian import empirical_score_jacobian
from validation.manifold_data import linear_manifold_data
from validation.memorization import (
    block_measurements,
    compare_with_rem,
    dimension_count,
    fixed_alpha_sweep,
    generation_retention,
    measure_memorization,
    population_posterior_variance,
    probe_spectrum,
    sample_test_points,
)
from validation.score import empirical_score

DIMS = [2, 5, 23]
PAPER = [1.0, 0.3, 0.01]                  # per-coordinate standard deviations of the paper's blocks
PAPER_VAR = np.square(PAPER)              # the model takes variances
EQUAL_DIMS = [3, 3, 24]
N = 1000
SEED = 20241011


@pytest.fixture(scope="module")
def paper():
    man = LinearManifold(30, DIMS, PAPER_VAR, on_sphere=True, radius=1.0)      # the unit sphere
    return man, man.sample(N, np.random.default_rng(SEED))


def _equal_dims(stds, seed):
    man = LinearManifold(30, EQUAL_DIMS, np.square(stds), on_sphere=True, radius=1.0)
    return man, man.sample(N, np.random.default_rng(seed))


# --- data -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("embedding", ["orthonormal", "rotated"])
@pytest.mark.parametrize("on_sphere", [False, True])
def test_manifold_data(embedding, on_sphere):
    data, man = linear_manifold_data(8, 40_000, [1.0, 0.25], [2, 3], on_sphere=on_sphere,
                                     embedding=embedding, radius=2.0, rng=3)
    bases = man.block_bases()
    frame = np.concatenate(bases, axis=1)
    np.testing.assert_allclose(frame.T @ frame, np.eye(5), atol=1e-13)
    if embedding == "orthonormal":
        np.testing.assert_array_equal(frame, np.eye(8)[:, :5])
    pts = data.points
    # no variance outside the subspaces
    np.testing.assert_allclose(pts - pts @ frame @ frame.T, 0.0, atol=1e-12)
    if on_sphere:
        np.testing.assert_allclose(np.linalg.norm(pts, axis=1), 2.0, rtol=1e-13)
    var = man.block_variances()
    if not on_sphere:
        np.testing.assert_array_equal(var, [1.0, 0.25])
    for k, b in enumerate(bases):
        per = (pts @ b) ** 2
        per = per.mean(axis=1)                      # one independent value per point
        se = per.std(ddof=1) / np.sqrt(per.size)
        assert abs(per.mean() - var[k]) < 5 * se


@pytest.mark.parametrize("embedding", ["orthonormal", "rotated"])
@pytest.mark.parametrize("on_sphere", [False, True])
def test_manifold_data_reproduces_the_former_generator(embedding, on_sphere):
    """Bit for bit the points and bases of the former validation.linear_manifold_data(d, n, stds, dims)
    for the same seed, with variances = stds^2 (tests/_legacy_manifold.py)."""
    for radius in (1.0, 2.0):
        old, old_bases = axis_manifold_points(30, 200, PAPER, DIMS, on_sphere,
                                              "axis" if embedding == "orthonormal" else "random",
                                              radius, rng=11)
        data, man = linear_manifold_data(30, 200, PAPER_VAR, DIMS, embedding=embedding,
                                         on_sphere=on_sphere, radius=radius, rng=11)
        np.testing.assert_array_equal(data.points, old)
        for b, ob in zip(man.block_bases(), old_bases, strict=True):
            np.testing.assert_array_equal(b, ob)
    f32, _ = linear_manifold_data(None, 5, PAPER_VAR, DIMS, rng=1, dtype=np.float32)
    assert f32.points.dtype == np.float32 and f32.points.shape == (5, 30)


# --- Monte Carlo: higher variance lost first, swapping swaps the order --------------------------------

def _paired_gap(man, data, hi: int, lo: int, rng) -> tuple[float, float]:
    """Mean over test points (three times pooled) of R_lo - R_hi, and its standard error."""
    diffs = []
    for t_ve in (0.1, 0.05, 0.025):
        t = float(ou_time_from_ve_variance(t_ve))
        x = sample_test_points(data, t, 96, rng)
        r = block_measurements(x, t, data, man)["retention"]
        diffs.append(r[:, lo] - r[:, hi])
    d = np.concatenate(diffs)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(d.size))


def test_higher_variance_lost_first(paper):
    rng = np.random.default_rng(SEED + 2)
    assert np.argmax(collapse_times(PAPER, DIMS, N)) == 0                    # theory
    # Monte Carlo, paired over test points: the high-variance block retains less (z > 3)
    gap, se = _paired_gap(*paper, hi=0, lo=1, rng=rng)
    assert gap > 3 * se and gap > 0.05


def test_swapping_the_variances_swaps_the_order():
    # two tangent blocks of equal dimension (3 + 3, normal block 24): only the variances differ.
    # (With the paper's 2/5 split swapped the Monte Carlo gap is within noise at n = 1000: see the
    # report of issue 5; the theory order swaps there too.)
    rng = np.random.default_rng(SEED + 7)
    assert collapse_times([1.0, 0.3, 0.01], EQUAL_DIMS, N).argmax() == 0
    assert collapse_times([0.3, 1.0, 0.01], EQUAL_DIMS, N).argmax() == 1
    assert collapse_times([0.3, 1.0, 0.01], DIMS, N).argmax() == 1
    gap, se = _paired_gap(*_equal_dims([1.0, 0.3, 0.01], SEED + 8), hi=0, lo=1, rng=rng)
    assert gap > 3 * se
    gap_sw, se_sw = _paired_gap(*_equal_dims([0.3, 1.0, 0.01], SEED + 9), hi=1, lo=0, rng=rng)
    assert gap_sw > 3 * se_sw


def test_retention_limits_and_fresh_points(paper):
    man, data = paper
    t = ou_time_from_ve_variance(np.array([3.0, 0.0005]))
    per = [np.mean((data @ b) ** 2, axis=1) for b in man.block_bases()]
    data_se = np.array([p.std(ddof=1) / np.sqrt(p.size) for p in per]) / man.block_variances()
    for fresh in (False, True):
        c = measure_memorization(data, man, t, 48, fresh=fresh, rng=SEED + 3)
        # large t: retention 1 within 4 s.e. -- over test points, and of the training set's own
        # block variance against the population one (the test-point s.e. is conditional on the
        # data) -- plus the finite-n shrinkage of a weighted variance, at most sum w^2 (< 0.01)
        assert c.participation[0] < 0.01
        se = np.hypot(c.retention_se[0], data_se)
        assert np.all(np.abs(c.retention[0] - 1) < 4 * se + c.participation[0] + 0.01)
        # small t: collapsed on one training point, nothing retained.  Fresh points sit between
        # training points: the weights still condense (Y > 0.9) but the few points left are far
        # apart on the noise scale, so their spread is no longer small against the population one
        assert c.participation[1] > 0.9
        if not fresh:
            assert np.all(c.retention[1, :2] < 0.05)
        assert c.source == ("fresh" if fresh else "training")
    assert c.block_eigenvalues[0].shape == (2, 2)


def test_block_spectrum_identity(paper):
    man, data = paper
    t = float(ou_time_from_ve_variance(0.05))
    x = sample_test_points(data, t, 8, rng=1)
    m = block_measurements(x, t, data, man)
    jac = empirical_score_jacobian(x, t, data)
    delta = -np.expm1(-2 * t)
    pop = population_posterior_variance(man.block_variances(), t)
    for k, b in enumerate(man.block_bases()):
        # trace of the block of J = -d_k/Delta + e^{-2t} tr(Cov_k)/Delta^2, tr(Cov_k) = d_k R_k pop_k
        trace = np.einsum("ia,bij,ja->b", b, jac, b)
        expect = -b.shape[1] / delta + np.exp(-2 * t) * b.shape[1] * m["retention"][:, k] * pop[k] \
            / delta**2
        np.testing.assert_allclose(trace, expect, rtol=1e-10)
        np.testing.assert_allclose(m["block_eigenvalues"][k].sum(axis=1), trace, rtol=1e-10)
        # Cov_w >= 0 bounds J below by -1/Delta; no upper bound: where the weights split between
        # distant training points Cov_w exceeds the VE noise variance and J has positive eigenvalues
        assert np.all(m["block_eigenvalues"][k] >= -1 / delta * (1 + 1e-9))
    np.testing.assert_array_equal(m["dimension_count"], dimension_count(jac, t))


def test_dimension_count_exact():
    t = 0.3
    delta = -np.expm1(-2 * t)
    # eigenvalues -(1 - c)/Delta with c = e^{-2t} cov / Delta: small iff 1 - c < threshold
    c = np.array([0.9, 0.6, 0.49, 0.2, 0.0])
    jac = np.diag(-(1 - c) / delta)[None]
    assert dimension_count(jac, t).tolist() == [2]
    assert dimension_count(jac, t, threshold=0.9).tolist() == [4]


def test_generation_matches_posterior_spread(paper):
    man, data = paper
    t = float(ou_time_from_ve_variance(0.05))
    gen = generation_retention(data, man, t, n_starts=8, n_clones=24, steps=80, rng=SEED + 4)
    direct = measure_memorization(data, man, [t], 48, rng=SEED + 5)
    for k in (0, 1):
        se = np.hypot(gen["retention"].stderr[k], direct.retention_se[0, k])
        # 0.1: time-discretization bias of 80 exponential steps down to t/50 (measured ~0.05)
        assert abs(gen["retention"].value[k] - direct.retention[0, k]) < 3 * se + 0.1
    # deep in the collapse regime the clones of one state all end on the same training point
    late = generation_retention(data, man, float(ou_time_from_ve_variance(0.001)), n_starts=4,
                                n_clones=16, steps=40, rng=SEED + 10)
    assert np.all(late["retention"].value[:2] < late["floor"][:2] + 0.06)
    assert np.all(late["floor"] > 0) and np.all(gen["floor"][:2] < 0.05)


def test_probe_protocol_parity(paper):
    man, data = paper
    t = 0.05
    sv, _ = probe_spectrum(data, t, reps=1, h=1e-6, rng=0)
    eig = np.linalg.eigvalsh(empirical_score_jacobian(np.zeros((1, 30)), t, data)[0])
    np.testing.assert_allclose(sv, np.sort(np.abs(eig))[::-1], rtol=1e-5)
    smooth, se = probe_spectrum(data, t, reps=2, drop=1, rng=0)
    assert smooth.shape == (29,) and smooth[0] == 1.0 and np.all(smooth <= 1 + 1e-12)
    # the origin probe also sees the tangent directions as the smallest singular values
    full, _ = probe_spectrum(data, t, reps=2, rng=0)
    assert full[-1] < 0.8 * full[0]


def test_comparison_with_rem(paper):
    man, data = paper
    t = ou_time_from_ve_variance(np.geomspace(1, 0.002, 9))
    c = measure_memorization(data, man, t, 32, rng=SEED + 6)
    cmp = compare_with_rem(c, man, N)
    assert cmp.predicted_order[:2].tolist() == [0, 1]
    assert cmp.measured_order[0] == 0                       # block 1 is lost first, as predicted
    assert cmp.onset_time[0] > cmp.onset_time[1]
    assert cmp.predicted_retention.shape == (9, 3)
    np.testing.assert_allclose(cmp.extension_time[:2], subspace_collapse_times(
        np.array(DIMS[:2]) / 30, man.block_variances()[:2], np.log(N) / 30), rtol=1e-14)
    assert set(cmp.to_dict()) >= {"onset_time", "half_time", "rms_error", "global_time_data"}


@pytest.mark.parametrize("call, match", [
    (lambda m, d: measure_memorization(d, LinearManifold(3, [3], [1.0]), [0.1]), "manifold.d"),
    (lambda m, d: measure_memorization(d, LinearManifold(30, [5], [1.0], embedding="random"), [0.1]),
     "orthonormal blocks"),
    (lambda m, d: measure_memorization(d, "paper", [0.1]), "theory.models.LinearManifold"),
    (lambda m, d: measure_memorization(d, m, [0.0]), "t must be"),
    (lambda m, d: measure_memorization(d, m, [0.1], n_points=1), "n_points must be"),
    (lambda m, d: dimension_count(np.zeros((1, 2, 2)), 0.1, threshold=1.5), "threshold must be"),
    (lambda m, d: linear_manifold_data(None, 5, [1.0, -0.09], [2, 5]), "variances must be"),
    (lambda m, d: linear_manifold_data(1, 5, [1.0], [2]), "d must be"),
    (lambda m, d: linear_manifold_data(None, 5, [1.0], [2], embedding="spiral"), "embedding must be"),
    (lambda m, d: linear_manifold_data(None, 0, [1.0], [2]), "n must be"),
    (lambda m, d: fixed_alpha_sweep([1.0, 0.5], [0.7, 0.5], 0.1, [20], [0.1]), "fractions must sum"),
    (lambda m, d: generation_retention(d, m, 0.1, n_clones=1), "n_clones must be"),
])
def test_bad_input(paper, call, match):
    man, data = paper
    with pytest.raises(ValueError, match=match):
        call(man, data)


def test_empirical_score_is_reused(paper):
    # the measurements go through the one kernel: posterior mean from block_measurements' kernel
    man, data = paper
    t = 0.2
    x = sample_test_points(data, t, 4, rng=2)
    s = empirical_score(x, t, data)
    assert s.shape == (4, 30) and np.all(np.isfinite(s))


# --- command line -------------------------------------------------------------------------------------

def test_cli_manifold(tmp_path, capsys):
    import json

    import matplotlib

    matplotlib.use("Agg")
    from regimes.cli import main

    fig = tmp_path / "m.png"
    diagram = tmp_path / "pd.png"
    rc = main(["manifold", "--stds", "1", "0.3", "--dims", "2", "3", "--d", "12", "--n", "300",
               "--quick", "--points", "4", "--plot", str(fig), "--json",
               "--phase-diagram", str(diagram)])
    assert rc == 0 and fig.stat().st_size > 10_000 and diagram.stat().st_size > 10_000
    out = json.loads(capsys.readouterr().out)
    assert out["phase_diagram"] == str(diagram)
    expect = collapse_times([1, 0.3, 0.01], [2, 3, 7], 300, effective=False)
    np.testing.assert_allclose(out["theory"]["critical_times"], expect, rtol=1e-12)
    assert out["theory"]["loss_order"] == [1, 2]            # blocks numbered from 1, as in the text
    assert len(out["monte_carlo"]["retention"]) == 8
    rc = main(["manifold", "--stds", "1", "0.3", "--dims", "2", "3", "--d", "12", "--n", "300",
               "--quick", "--points", "4"])
    assert rc == 0 and "geometric memorization window" in capsys.readouterr().out
    for bad, msg in ((["--stds", "-1", "--dims", "2"], "stds must be"),
                     (["--stds", "1", "--dims", "2", "--n", "1"], "n must be"),
                     (["--stds", "1", "0.3", "--dims", "2"], "dims must have"),
                     (["--dims", "20", "20", "--d", "30"], "d must be")):
        with pytest.raises(SystemExit) as exc:
            main(["manifold", "--quick"] + bad)
        assert exc.value.code == 2 and msg in capsys.readouterr().err


# --- slow: REM thresholds against measured losses (numbers in the report of issue 5) ----------------

def _report(tag, d, n, cmp, curves):
    print(f"\n[{tag}] d = {d}, n = {n}: retention (rows: t OU = {np.round(curves.t, 4).tolist()})")
    print("  measured    ", np.round(curves.retention, 3).tolist())
    print("  s.e. (max)  ", float(np.nanmax(curves.retention_se)))
    print("  onset R<0.9 ", np.round(cmp.onset_time, 4).tolist(), " half R<0.5",
          np.round(cmp.half_time, 4).tolist())
    print("  t_C per-direction", np.round(cmp.predicted_time, 4).tolist(),
          " effective", None if cmp.predicted_time_effective is None
          else np.round(cmp.predicted_time_effective, 4).tolist())
    print("  t_C extension", np.round(cmp.extension_time, 4).tolist(), " global",
          round(cmp.global_time_data, 4))
    print("  rms(measured - REM) per-direction", np.round(cmp.rms_error, 3).tolist(),
          " extension", np.round(cmp.rms_error_extension, 3).tolist())


@pytest.mark.slow
def test_fixed_alpha_sweep_gaussian():
    """alpha = 0.1, d = 40, 80, 120 (n = 55, 2981, 162755), blocks psi = 0.1/0.2/0.7, stds 1/0.5/0.1."""
    t = ou_time_from_ve_variance(np.geomspace(3.0, 0.03, 9))
    res = fixed_alpha_sweep(np.square([1.0, 0.5, 0.1]), [0.1, 0.2, 0.7], 0.1, [40, 80, 120], t, 24,
                            on_sphere=False, rng=SEED + 20)
    for r in res:
        c, cmp = r["curves"], r["comparison"]
        _report("gaussian", r["d"], r["n"], cmp, c)
        # limits: intact at t_VE = 3 (within 4 s.e. + the 1/n_eff shrinkage), lost at t_VE = 0.03
        assert np.all(c.retention[0] > 1 - 4 * c.retention_se[0] - c.participation[0] - 0.05)
        assert np.all(c.retention[-1] < 0.05)
        if r["d"] >= 80:
            # every block is lost at the same time, the global collapse time (within 20%) ...
            assert np.all(np.abs(cmp.half_time / cmp.global_time_data - 1) < 0.2)
            # ... where the extension predicts staggered losses: block 3 measured 10x earlier
            assert cmp.half_time[2] > 10 * cmp.extension_time[2]


@pytest.mark.slow
def test_fixed_alpha_sweep_fixed_norm():
    """Same blocks projected onto the sphere of radius sqrt(sum d_k sigma_k^2) (fixed norm)."""
    t = ou_time_from_ve_variance(np.geomspace(3.0, 0.03, 9))
    res = fixed_alpha_sweep(np.square([1.0, 0.5, 0.1]), [0.1, 0.2, 0.7], 0.1, [40, 80, 120], t, 24,
                            on_sphere=True, rng=SEED + 21)
    per_direction = []
    for r in res:
        c, cmp = r["curves"], r["comparison"]
        _report("fixed norm", r["d"], r["n"], cmp, c)
        assert np.all(c.retention[0] > 1 - 4 * c.retention_se[0] - c.participation[0] - 0.05)
        assert np.all(c.retention[-1] < 0.05)
        per_direction.append(cmp.predicted_time[0])
    # the per-direction threshold shrinks as 1/d while the measured loss stays put
    assert per_direction[2] < 0.5 * per_direction[0]
    assert res[2]["comparison"].half_time[0] > 2 * per_direction[2]


@pytest.mark.slow
@pytest.mark.parametrize("n", [250, 1000, 20000])
def test_paper_configuration_sizes(n):
    """Sphere data 2/5/23 (stds 1, 0.3, 0.01) at the README's dataset sizes."""
    man = LinearManifold(30, DIMS, PAPER_VAR, on_sphere=True, radius=1.0)
    data = man.sample(n, np.random.default_rng(SEED + 30))
    t = ou_time_from_ve_variance(np.geomspace(1.0, 0.0005, 12))
    c = measure_memorization(data, man, t, 48, rng=SEED + 31)
    cmp = compare_with_rem(c, man, n)
    _report("paper", 30, n, cmp, c)
    assert cmp.measured_order[0] == 0                                    # block 1 lost first
    assert cmp.half_time[0] > cmp.half_time[1]
    assert np.all(c.retention[-1, :2] < 0.1)
