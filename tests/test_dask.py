"""Dask: sweeps equal the serial run, per-task checkpoints, and the sharded exact score equals the
one-machine kernel (LocalCluster of 2 in-process workers)."""

import math

import numpy as np
import pytest

from theory.files import CheckpointError
from validation import (
    Dataset,
    EmpiricalScore,
    excess_entropy_posterior,
    integrate_backward,
    posterior_summary,
)
from validation.sharded import ArrayShard, ShardedData, mixture_shards
from validation.sweep import Task, grid_tasks, run_sweep

distributed = pytest.importorskip("distributed")

CLUSTER = {"n_workers": 2, "processes": False, "threads_per_worker": 1}
CALLS: list[str] = []


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(dashboard_address=None, **CLUSTER)
    cl = distributed.Client(cluster)
    yield cl
    cl.close()
    cluster.close()


def fe_point(d: int, t: float, rng: int) -> float:
    """One Monte Carlo point of a sweep: f^e(t) of 400 mixture points in dimension d."""
    ds = mixture_shards(d=d, n=400, n_shards=1, seed=7)[0]()
    return excess_entropy_posterior(t, ds, 300, rng=rng).value


def counted(x: int, seed: int) -> int:
    CALLS.append(f"{x}/{seed}")
    return 10 * x + seed


def _joined(shards):
    parts = [s() for s in shards]
    return Dataset(np.vstack([p.points for p in parts]), np.concatenate([p.labels for p in parts]))


def test_sweep_on_a_cluster_equals_the_serial_run(client, tmp_path):
    tasks = grid_tasks(fe_point, {"d": [8, 16], "t": [0.3, 1.5]}, seeds=[1, 2], seed_name="rng")
    assert len(tasks) == 8
    serial = run_sweep(tasks, scheduler="serial")
    on_dask = run_sweep(tasks, scheduler=client, checkpoint_dir=tmp_path / "ck",
                        keep_checkpoint=True)
    assert list(on_dask) == [t.key for t in tasks]
    assert on_dask == serial                            # bit for bit
    assert len(list((tmp_path / "ck").glob("*.json"))) == 8
    assert run_sweep(tasks, scheduler=client, checkpoint_dir=tmp_path / "ck") == serial   # resumed
    assert not (tmp_path / "ck").exists()               # removed after success (a sweep made it)
    (tmp_path / "mine").mkdir()
    assert run_sweep(tasks[:2], "serial", tmp_path / "mine") == {k: serial[k] for k in list(serial)[:2]}
    assert list((tmp_path / "mine").iterdir()) == []    # files removed, the user's folder kept
    # by address: a second client on the same cluster
    by_addr = run_sweep(tasks[:2], scheduler=client.scheduler.address)
    assert by_addr == {k: serial[k] for k in list(serial)[:2]}


def test_checkpoints_rerun_only_missing_or_changed_tasks(tmp_path):
    tasks = grid_tasks(counted, {"x": [1, 2, 3]}, seeds=[0])
    CALLS.clear()
    first = run_sweep(tasks, scheduler="serial", checkpoint_dir=tmp_path, keep_checkpoint=True)
    assert first == {"x=1/seed=0": 10, "x=2/seed=0": 20, "x=3/seed=0": 30}
    assert len(CALLS) == 3
    files = sorted(tmp_path.glob("*.json"))
    files[0].unlink()                                   # a task lost with its worker
    CALLS.clear()
    assert run_sweep(tasks, scheduler="serial", checkpoint_dir=tmp_path, keep_checkpoint=True) == first
    assert len(CALLS) == 1
    # a task of other arguments under the same key: refused, never silently recomputed
    changed = [Task(tasks[0].key, counted, {"x": 5, "seed": 0})] + tasks[1:]
    CALLS.clear()
    with pytest.raises(CheckpointError, match="other parameters .differs in: arguments.x"):
        run_sweep(changed, scheduler="serial", checkpoint_dir=tmp_path)
    assert CALLS == []
    out = run_sweep(changed, scheduler="serial", checkpoint_dir=tmp_path, restart=True)
    assert out["x=1/seed=0"] == 50 and CALLS == ["5/0", "2/0", "3/0"]
    with pytest.raises(ValueError, match="unique"):
        run_sweep(tasks + tasks[:1], scheduler="serial")
    with pytest.raises(TypeError, match="scheduler"):
        run_sweep(tasks, scheduler=3.0)


@pytest.mark.parametrize("t", [0.4, 2.0, 1e-4])
def test_sharded_score_equals_the_unsharded_kernel(client, t):
    shards = mixture_shards(d=12, n=1800, n_shards=4, seed=5, mu_tilde=1.5)
    ds = _joined(shards)
    rng = np.random.default_rng(3)
    x = math.exp(-t) * ds.points[rng.integers(0, ds.n, 10)] + \
        math.sqrt(-math.expm1(-2 * t)) * rng.standard_normal((10, 12))
    ref = posterior_summary(x, t, ds, want_classes=True)
    assert ref.refined.any() == (t < 1e-3)              # the collapse regime is exercised
    for scheduler in ("serial", client):
        with ShardedData(shards, scheduler=scheduler) as sd:
            assert sd.n == 1800 and sd.d == 12 and sd.sizes == [450] * 4
            st = sd.posterior_summary(x, t, want_classes=True)
            np.testing.assert_allclose(st.log_z, ref.log_z, rtol=1e-12)
            for name in ("participation", "entropy", "mean", "class_mass"):
                np.testing.assert_allclose(getattr(st, name), getattr(ref, name), rtol=1e-12,
                                           atol=1e-12)
            np.testing.assert_array_equal(st.argmax, ref.argmax)
            np.testing.assert_allclose(sd.score(x, t), EmpiricalScore(ds)(x, t), rtol=1e-12,
                                       atol=1e-12 / -math.expm1(-2 * t))


def test_sharded_score_drives_the_backward_sde(client):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((500, 6))
    shards = [ArrayShard(a[:200]), ArrayShard(a[200:])]
    x0 = rng.standard_normal((5, 6))
    ref = integrate_backward(EmpiricalScore(a), x0, 2.0, 0.05, 20, rng=9).x
    with ShardedData(shards, scheduler=client) as sd:
        out = integrate_backward(sd, x0, 2.0, 0.05, 20, rng=9).x
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-10)


def test_sharded_estimators_equal_the_unsharded_ones(client):
    from validation import posterior_curves
    from validation.sharded import sharded_posterior_curves

    shards = mixture_shards(d=10, n=900, n_shards=3, seed=2)
    ds = _joined(shards)
    with ShardedData(shards, scheduler=client) as sd:
        got = sharded_posterior_curves(0.7, sd, 500, rng=5)
    ref = posterior_curves(0.7, ds, 500, rng=5)           # the same samples of P_t^e
    for name in ("fe", "phi_c", "phi"):
        assert got[name].n == ref[name].n == 500
        np.testing.assert_allclose(got[name].value, ref[name].value, rtol=1e-12)
        np.testing.assert_allclose(got[name].stderr, ref[name].stderr, rtol=1e-9)


def test_fig3_large_and_phase_diagram_on_a_cluster_equal_serial(client, tmp_path):
    from validation.large import fig3_large, phase_diagram_validation

    kw = dict(configs=[(16, 1500), (8, 4000)], times=[2.5, 0.8], target=0.05, pilot=64,
              task_bytes=8 * 16 * 1500, shard_bytes=8 * 8 * 1000)
    serial = fig3_large("serial", **kw)
    dask = fig3_large(client, checkpoint_dir=tmp_path / "fig3", keep_checkpoint=True, **kw)
    assert [(r["d"], r["n"], r["t"]) for r in dask] == [(16, 1500, 2.5), (16, 1500, 0.8),
                                                         (8, 4000, 2.5), (8, 4000, 0.8)]
    for a, b in zip(serial, dask, strict=True):
        np.testing.assert_allclose(b["fe_over_alpha"], a["fe_over_alpha"], rtol=1e-12)
        np.testing.assert_allclose(b["se"], a["se"], rtol=1e-9)
        # Monte Carlo against the finite-d closed form
        assert abs(b["fe_over_alpha"] - b["theory_finite_d"]) < 4 * b["se"] + 0.02
    assert len(list((tmp_path / "fig3").glob("*.json"))) == 4
    resumed = fig3_large("serial", checkpoint_dir=tmp_path / "fig3", **kw)
    assert resumed == dask and not (tmp_path / "fig3").exists()
    rows = phase_diagram_validation([64], [3000], seeds=[0, 1], scheduler=client, n_samples=300)
    again = phase_diagram_validation([64], [3000], seeds=[0, 1], scheduler="serial", n_samples=300)
    assert [r["t_S_mc"] for r in rows] == [r["t_S_mc"] for r in again]
    for r in rows:
        # the phi(t) = 3/4 reading of the Monte Carlo curve and of eq. 6 (grid spacing ~ 0.3 at t_S)
        assert abs(r["t_S_mc"] - r["t_S_theory"]) < 0.2
        assert 0.0 < r["t_C_mc"] <= r["t_C_finite_d"] + 0.1
