"""``regimes gm``: the documented default output, and K-class mixtures (weights, simplex classes, a
means file, a class-covariance spectrum, super-classes), their figure and every bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regimes.cli import main  # noqa: E402
from regimes.figures import plot_mixture  # noqa: E402
from regimes.gm_summary import solve_mixture  # noqa: E402
from theory.collapse import collapse_time as model_collapse_time  # noqa: E402
from theory.gaussian_mixture import collapse_time as eq10_collapse_time  # noqa: E402
from theory.gaussian_mixture import phi as eq6_phi  # noqa: E402
from theory.models import GaussianMixture  # noqa: E402
from theory.speciation import phi as model_phi  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"
D = 256
N = 20000


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run every command in a scratch folder (default figure names never land in the repo)."""
    monkeypatch.chdir(tmp_path)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _directions(d: int) -> tuple[np.ndarray, np.ndarray]:
    """Two orthonormal directions spread over every coordinate: (1, ..., 1) and (1, -1, 1, ...)."""
    u = np.ones(d) / np.sqrt(d)
    v = np.where(np.arange(d) % 2 == 0, 1.0, -1.0) / np.sqrt(d)
    return u, v


def _hierarchical(a: float = 8.0, b: float = 2.0, d: int = D) -> np.ndarray:
    """Two super-classes +/- a u, each split into two sub-classes +/- b v: B has eigenvalues a^2, b^2."""
    u, v = _directions(d)
    return np.stack([a * u + b * v, a * u - b * v, -a * u + b * v, -a * u - b * v])


def _save(tmp_path, name: str, arr) -> str:
    path = tmp_path / name
    np.save(path, arr)
    return str(path)


def _json(capsys, argv: list[str]) -> dict:
    assert main([*argv, "--json", "--no-plot"]) == 0
    return json.loads(capsys.readouterr().out)


# ----------------------------------------------------------------------------- the default call

def test_default_output_is_the_readme_block(capsys, tmp_path):
    """``regimes gm`` prints, byte for byte, the block the README shows."""
    text = README.read_text()
    block = text.split("```\n$ regimes gm\n", 1)[1].split("```", 1)[0]
    assert main(["gm"]) == 0
    assert capsys.readouterr().out == block
    assert (tmp_path / "regimes_gm.png").stat().st_size > 0


def test_readme_hierarchical_example(capsys, tmp_path):
    """The README's K-class example: its snippet writes hier.npy, and the command prints its block."""
    text = README.read_text()
    code = text.split('$ python3 -c "', 1)[1].split('"\n$ regimes gm --means', 1)[0]
    exec(code, {})                                                  # writes hier.npy in tmp_path
    np.testing.assert_allclose(np.load(tmp_path / "hier.npy"), _hierarchical(), atol=1e-15)
    command = "$ regimes gm --means hier.npy --groups 0 0 1 1\n"
    block = text.split(command, 1)[1].split("```", 1)[0]
    assert main(command.split()[2:]) == 0
    assert capsys.readouterr().out == block


# ----------------------------------------------------------------------------- K-class mixtures

def test_hierarchical_means_file_cascade_and_super_class_phi(capsys, tmp_path):
    means = _save(tmp_path, "hier.npy", _hierarchical())
    out = _json(capsys, ["gm", "--means", means, "--groups", "0", "0", "1", "1"])
    assert out["K"] == 4 and out["d"] == D
    # eq. 4 direction by direction, lambda reading: 1/2 log(lambda_j + sigma^2)
    ts = np.array(out["speciation_times"])
    np.testing.assert_allclose(ts, 0.5 * np.log([64.0 + 1.0, 4.0 + 1.0]), rtol=1e-12)
    assert ts[0] - ts[1] > 1.0
    np.testing.assert_allclose([r["between_class_eigenvalue"] for r in out["cascade"]], [64.0, 4.0],
                               rtol=1e-12)
    # the class means do not enter t_C: eq. 10 at this d
    assert out["t_collapse"] == pytest.approx(eq10_collapse_time(D, N), rel=1e-12)
    assert out["alpha"] == pytest.approx(np.log(N) / D, rel=1e-12)
    # the super-classes +/- 8u are a symmetric two-class mixture along u with |m|^2 = 64: eq. 6 at
    # d mu~^2 = 64 (u and v orthogonal, isotropic classes)
    phi_super = [r["phi_groups"] for r in out["cascade"]]
    np.testing.assert_allclose(phi_super, eq6_phi(ts, 64, 1.0, 1.0), atol=1e-10)
    gm = GaussianMixture(_hierarchical())
    np.testing.assert_allclose([r["phi"] for r in out["cascade"]], model_phi(ts, gm), atol=1e-12)
    assert out["phi_floor"] == pytest.approx(0.25) and out["phi_groups_floor"] == pytest.approx(0.5)
    assert out["groups"] == [0, 0, 1, 1] and out["has_regime_two"] is True
    # sources: the paper and equation of every number
    src = out["sources"]
    assert "eq. 4" in src["speciation_times"] and "eq. 10" in src["t_collapse"]
    assert "eq. 6" in src["phi"] and "2402.18491" in src["alpha"]
    assert out["speciation_conventions"]["paper"] == pytest.approx(0.5 * np.log([64.0, 4.0]))


def test_hierarchical_text(capsys, tmp_path):
    means = _save(tmp_path, "hier.npy", _hierarchical())
    assert main(["gm", "--means", means, "--groups", "0", "0", "1", "1", "--no-plot"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if re.match(r"^\s+[12]\s+\d", line)]
    assert [r[0] for r in rows] == ["1", "2"]                      # one line per time, decreasing
    assert float(rows[0][1]) == pytest.approx(0.5 * np.log(65.0), abs=1e-6)
    assert float(rows[1][1]) == pytest.approx(0.5 * np.log(5.0), abs=1e-6)
    assert "t_C  (eq. 10)" in out and "super-classes (--groups)" in out
    assert "speciation 2 after the collapse" in out


def test_weights_two_classes_symmetric_means(capsys):
    out = _json(capsys, ["gm", "--d", str(D), "--weights", "0.8", "0.2"])
    lam = 4 * 0.8 * 0.2 * D                                        # 4 w (1 - w) |m|^2
    assert out["speciation_times"] == pytest.approx([0.5 * np.log(lam + 1.0)], rel=1e-12)
    gm = GaussianMixture.symmetric(D, weight=0.8)
    assert out["cascade"][0]["phi"] == pytest.approx(model_phi(0.5 * np.log(lam + 1.0), gm), abs=1e-12)
    assert out["phi_floor"] == pytest.approx(0.68)
    assert out["weights"] == pytest.approx([0.8, 0.2])


def test_classes_simplex(capsys):
    out = _json(capsys, ["gm", "--d", str(D), "--classes", "3", "--mu-tilde", "0.8"])
    lam = D * 0.64 / 2                                             # d mu~^2 / (K - 1), twice
    np.testing.assert_allclose(out["speciation_times"], [0.5 * np.log(lam + 1.0)] * 2, rtol=1e-10)
    assert out["K"] == 3 and out["phi_floor"] == pytest.approx(1 / 3)
    gm = GaussianMixture.simplex(D, 3, 0.8)
    np.testing.assert_allclose(np.linalg.norm(gm.means, axis=1), np.sqrt(D) * 0.8, rtol=1e-12)
    cos = gm.means @ gm.means.T / (D * 0.64)
    np.testing.assert_allclose(cos[~np.eye(3, dtype=bool)], -0.5, atol=1e-12)   # 120 degrees


def test_classes_with_weights_and_qmc_error(capsys):
    out = _json(capsys, ["gm", "--d", "64", "--classes", "4", "--weights", "0.4", "0.3", "0.2", "0.1"])
    assert len(out["speciation_times"]) == 3
    assert np.all(np.diff(out["speciation_times"]) < 0)
    # r = 3: quasi-Monte-Carlo with its standard error
    assert all(0 < r["phi_stderr"] < 1e-3 for r in out["cascade"])


def test_class_spectrum_sets_t_collapse(capsys, tmp_path):
    flat = _save(tmp_path, "flat.npy", np.full(D, 2.0))
    out = _json(capsys, ["gm", "--d", str(D), "--class-spectrum", flat])
    assert out["t_collapse"] == pytest.approx(eq10_collapse_time(D, N, np.sqrt(2.0)), rel=1e-9)
    spread = np.linspace(0.5, 1.5, D)
    path = _save(tmp_path, "spread.npy", spread)
    out = _json(capsys, ["gm", "--means", _save(tmp_path, "h.npy", _hierarchical()),
                         "--class-spectrum", path])
    gm = GaussianMixture(_hierarchical(), covariance=spread)
    assert out["t_collapse"] == pytest.approx(model_collapse_time(gm, N), rel=1e-12)
    assert "diagonal" in out["class_covariance"]


def test_means_file_sets_d_and_checks_given_d(capsys, tmp_path):
    means = _save(tmp_path, "m.npy", _hierarchical(d=32))
    assert _json(capsys, ["gm", "--means", means, "--d", "32"])["d"] == 32


def test_figure_labels_do_not_overlap_and_legend_is_outside(tmp_path):
    # t_S,1 = 1.40, t_S,2 = 1.33 and t_C = 1.299 within 0.1 of each other
    a, b = np.sqrt(np.expm1(2.8)), np.sqrt(np.expm1(2.66))
    res = solve_mixture(GaussianMixture(_hierarchical(a, b)), N, groups=[0, 0, 1, 1])
    fig = plot_mixture(res, tmp_path / "close.png")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "time-label"]
    assert len(labels) == 3
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not boxes[i].overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1          # beside the axes, covers no curve
    names = {line.get_label() for line in ax.get_lines()}
    assert any("super-classes" in s for s in names)
    assert (tmp_path / "close.png").stat().st_size > 0


def test_plot_and_cli_figure(capsys, tmp_path):
    fig = tmp_path / "out" / "h.png"
    assert main(["gm", "--means", _save(tmp_path, "h.npy", _hierarchical()), "--groups", "0", "0",
                 "1", "1", "--plot", str(fig), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["figure"] == str(fig)
    assert fig.stat().st_size > 0
    assert os.listdir(fig.parent) == ["h.png"]


# ----------------------------------------------------------------------------- bad input

def _files(tmp_path) -> dict[str, str]:
    """Bad (and good) input files, by name."""
    out = {}
    for name, arr in {"good": _hierarchical(d=16), "vec": np.ones(16), "one": np.ones((1, 16)),
                      "nan": np.where(np.eye(2, 16) > 0, np.nan, 1.0),
                      "cplx": np.ones((2, 16)) + 1j, "spec": np.ones(16), "short": np.ones(8),
                      "negspec": -np.ones(16), "infspec": np.full(16, np.inf),
                      "cspec": np.ones(16, dtype=complex), "strs": np.array([["a", "b"], ["c", "d"]])
                      }.items():
        out[name] = _save(tmp_path, f"{name}.npy", arr)
    (tmp_path / "text.npy").write_text("not an array\n")
    out["text"] = str(tmp_path / "text.npy")
    np.savez(tmp_path / "arch.npz", a=np.ones((2, 16)))
    out["npz"] = str(tmp_path / "arch.npz")
    out["missing"] = str(tmp_path / "missing.npy")
    return out


BAD = [
    (["--weights", "0.5", "0.6"], "weights", "sum to 1"),
    (["--weights", "1.2", "-0.2"], "weights", "positive"),
    (["--weights", "0", "1"], "weights", "positive"),
    (["--weights", "nan", "0.5"], "weights", "finite"),
    (["--weights", "1"], "weights", "K >= 2"),
    (["--classes", "3", "--weights", "0.5", "0.5"], "weights", "one entry per class"),
    (["--classes", "1"], "classes", ">= 2"),
    (["--classes", "2.5"], "classes", "integer"),
    (["--classes", "40", "--d", "16"], "classes", "d \\+ 1"),
    (["--means", "{missing}"], "means", "no such file"),
    (["--means", "{vec}"], "means", "\\(K, d\\)"),
    (["--means", "{one}"], "means", "K >= 2"),
    (["--means", "{nan}"], "means", "finite"),
    (["--means", "{cplx}"], "means", "complex"),
    (["--means", "{strs}"], "means", "real numbers"),
    (["--means", "{text}"], "means", "numpy.save"),
    (["--means", "{npz}"], "means", "one array"),
    (["--means", "{good}", "--d", "32"], "d", "agree with --means"),
    (["--means", "{good}", "--classes", "4"], "classes", "--means"),
    (["--means", "{good}", "--mu-tilde", "2"], "mu_tilde", "--means"),
    (["--means", "{good}", "--groups", "0", "1"], "groups", "one super-class label per class"),
    (["--means", "{good}", "--groups", "0", "0", "1", "1.5"], "groups", "integer"),
    (["--means", "{good}", "--groups", "3", "3", "3", "3"], "groups", "at least 2"),
    (["--means", "{good}", "--class-spectrum", "{short}"], "class-spectrum", "length-d = 16"),
    (["--means", "{good}", "--class-spectrum", "{negspec}"], "class-spectrum", "positive"),
    (["--means", "{good}", "--class-spectrum", "{infspec}"], "class-spectrum", "finite"),
    (["--means", "{good}", "--class-spectrum", "{cspec}"], "class-spectrum", "complex"),
    (["--means", "{good}", "--class-spectrum", "{missing}"], "class-spectrum", "no such file"),
    (["--means", "{good}", "--class-spectrum", "{spec}", "--sigma", "2"], "sigma", "--class-spectrum"),
    (["--weights", "0.5", "0.5", "--d", "0"], "d", ">= 1"),
    (["--weights", "0.5", "0.5", "--d", "12.5"], "d", "integer"),
    (["--weights", "0.5", "0.5", "--n", "1"], "n", ">= 2"),
    (["--weights", "0.5", "0.5", "--sigma", "0"], "sigma", "> 0"),
]


@pytest.mark.parametrize(("argv", "param", "says"), BAD)
def test_bad_input_exits_2_with_one_line(argv, param, says, capsys, tmp_path):
    files = _files(tmp_path)
    argv = [a.format(**files) for a in argv]
    with pytest.raises(SystemExit) as info:
        main(["gm", *argv, "--plot", "never.png"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert re.match(rf"regimes: error: --{param.replace('_', '-')} must", err), err
    assert re.search(says, err), err
    assert captured.out == ""
    assert not os.path.exists("never.png")


def test_subprocess_hierarchical_json(tmp_path):
    means = _save(tmp_path, "hier.npy", _hierarchical())
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "regimes.cli", "gm", "--means", means, "--groups", "0",
                           "0", "1", "1", "--no-plot", "--json"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["cascade"]) == 2 and out["figure"] is None
    bad = subprocess.run([sys.executable, "-m", "regimes.cli", "gm", "--means", str(tmp_path / "no.npy")],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.startswith("regimes: error: --means must name an existing .npy file")


@pytest.mark.parametrize("argv, shown", [(["--d", "1", "--n", "2"], "d mu~^2 = 1)"),
                                         (["--d", "4", "--mu-tilde", "0.4"], "d mu~^2 = 0.64)"),
                                         (["--mu-tilde", "1e-200"], "d mu~^2 = 10^-397)")])
def test_no_speciation_is_one_line_naming_d_and_mu_tilde(capsys, argv, shown):
    """d mu~^2 <= 1: t_S = 1/2 log(d mu~^2) of eq. 4 is not positive; refused up front by name."""
    with pytest.raises(SystemExit) as e:
        main(["gm", "--no-plot", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and len(err) == 1
    assert "--d" in err[0] and "--mu-tilde" in err[0] and shown in err[0]
