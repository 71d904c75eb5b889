"""Finite-size comparison figure: the collapse and the per-block memorization through their transitions.

Three panels, theory at the simulated sizes against Monte Carlo with the exact empirical score:
:math:`f^e/\\alpha` and :math:`\\phi_C` across the collapse for the symmetric mixture (d = 256,
n = 5000) and for Gaussian data with the spread spectrum :math:`\\lambda_k = 10/k` (d = 200,
n = 3000), each with the sharp large-d curve; and the retention of each block of a linear manifold
(d = 60, blocks of 10 and 50 dimensions with variances 1 and 0.04, n = 100) with the large-d
thresholds marked. The theory is :func:`theory.collapse.finite_size_statistics` and
:func:`theory.manifold.retention` (``docs/theory/finite-size.md``).

Examples
--------
>>> from regimes.reproduce_finite import CASES
>>> sorted(CASES)
['manifold', 'mixture', 'spread']
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from theory.files import write_csv, write_json
from theory.models import Gaussian, GaussianMixture, LinearManifold
from validation.finite_size import retention_curves, transition_curves

from .figures import pyplot, save_figure
from .reproduce import FigureOutput
from .runs import run_metadata

__all__ = ["CASES", "reproduce_finite_size"]

#: the three comparisons: (model, n, OU times)
CASES = {
    "mixture": (GaussianMixture.symmetric(256), 5000, (1.0, 1.2, 1.3, 1.45, 1.6, 1.8, 2.0, 2.5)),
    "spread": (Gaussian(10.0 / np.arange(1, 201)), 3000, (0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0)),
    "manifold": (LinearManifold(60, [10, 50], [1.0, 0.04]), 100, (0.15, 0.25, 0.4, 0.6, 0.9)),
}


def reproduce_finite_size(out_dir: str | Path = "finite-size", *, quick: bool = False,
                          rng: int = 0, plot: bool = True) -> FigureOutput:
    """Finite-size theory against Monte Carlo across the collapse and the per-block memorization.

    Parameters
    ----------
    out_dir : path
        Folder for ``finite-size.png``, ``finite-size.csv`` and ``finite-size.json``.
    quick : bool
        Fewer training sets, query points and theory draws (about a minute on 2 cores).
    rng : int
        Integer seed (recorded with the results).
    plot : bool
        Draw the figure (False: the CSV and the JSON only; ``png`` is None).

    Returns
    -------
    FigureOutput
        The files, one CSV row per (case, t) and a summary with the largest ``|z|`` per case.

    Notes
    -----
    z = (theory - Monte Carlo) / (combined standard error); both sides are averages (over x for the
    theory, over training sets and query points for the Monte Carlo), the query points drawn from the
    generated law :math:`P_t^e`.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 10 and Fig. 3 (the sharp
    curves); Achilli et al. (2024), arXiv:2410.08727 (per-subspace thresholds);
    ``docs/theory/finite-size.md`` (the finite-size theory).
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sets, per, n_x = (4, 256, 32) if quick else (8, 1024, 128)
    curves, rows, summary = {}, [], {}
    for name in ("mixture", "spread"):
        model, n, ts = CASES[name]
        c = transition_curves(model, n, ts, sets=sets, per=per, n_x=n_x, rng=[rng, len(name)])
        curves[name] = c
        summary[name] = {"d": model.d, "n": n, "t_C_sharp": c["t_c"],
                         "max_abs_z_fe": float(np.max(np.abs(c["z_fe"]))),
                         "max_abs_z_phi_c": float(np.max(np.abs(c["z_phi_c"])))}
        for i, t in enumerate(c["t"]):
            rows.append({"case": name, "t": float(t), "block": "",
                         "theory": float(c["fe_over_alpha"][i]), "theory_se": float(c["fe_over_alpha_se"][i]),
                         "mc": float(c["mc_fe_over_alpha"][i]), "mc_se": float(c["mc_fe_over_alpha_se"][i]),
                         "quantity": "fe_over_alpha", "sharp": float(c["sharp_fe_over_alpha"][i])})
            rows.append({"case": name, "t": float(t), "block": "",
                         "theory": float(c["phi_c"][i]), "theory_se": float(c["phi_c_se"][i]),
                         "mc": float(c["mc_phi_c"][i]), "mc_se": float(c["mc_phi_c_se"][i]),
                         "quantity": "phi_c", "sharp": float("nan")})
    model, n, ts = CASES["manifold"]
    r = retention_curves(model, n, ts, sets=sets, per=max(24, per // 16), n_x=max(12, n_x // 4),
                         rng=[rng, 99])
    curves["manifold"] = r
    summary["manifold"] = {"d": model.d, "n": n, "max_abs_z": float(np.max(np.abs(r["z"]))),
                           "t_C_global": float(r["t_c_global"]),
                           "t_C_direction": [float(v) for v in r["t_c_direction"]],
                           "t_C_subspace": [float(v) for v in r["t_c_subspace"]]}
    for i, t in enumerate(r["t"]):
        for k in range(r["retention"].shape[1]):
            rows.append({"case": "manifold", "t": float(t), "block": k,
                         "theory": float(r["retention"][i, k]), "theory_se": float(r["retention_se"][i, k]),
                         "mc": float(r["mc_retention"][i, k]), "mc_se": float(r["mc_retention_se"][i, k]),
                         "quantity": "retention", "sharp": float(r["limit"][i, k])})
    png = _draw(curves, out / "finite-size.png") if plot else None
    write_csv(out / "finite-size.csv", rows)
    secs = time.perf_counter() - t0
    params = {"quick": quick, "sets": sets, "per": per, "n_x": n_x}
    write_json(out / "finite-size.json", {**run_metadata(params, rng), "seconds": secs,
                                          "summary": summary, "rows": rows})
    return FigureOutput(png, out / "finite-size.csv", out / "finite-size.json", rows, secs, summary)


def _draw(curves: dict, path: Path) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    for ax, name, title in ((axes[0], "mixture", "symmetric mixture, d = 256, n = 5000"),
                            (axes[1], "spread", r"Gaussian, $\lambda_k = 10/k$, d = 200, n = 3000")):
        c = curves[name]
        t = c["t"]
        ax.fill_between(t, c["fe_over_alpha"] - 2 * c["fe_over_alpha_se"],
                        c["fe_over_alpha"] + 2 * c["fe_over_alpha_se"], color="C0", alpha=0.3)
        ax.plot(t, c["fe_over_alpha"], "C0-", label=r"$f^e/\alpha$, finite-size theory")
        ax.errorbar(t, c["mc_fe_over_alpha"], 3 * c["mc_fe_over_alpha_se"], fmt="C0o", ms=4,
                    label=r"$f^e/\alpha$, Monte Carlo ($\pm 3$ s.e.)")
        ax.plot(t, c["sharp_fe_over_alpha"], "C0--", lw=1, label=r"$f^e/\alpha$, large d")
        ax.plot(t, c["phi_c"], "C3-", label=r"$\phi_C$, finite-size theory")
        ax.errorbar(t, c["mc_phi_c"], 3 * c["mc_phi_c_se"], fmt="C3s", ms=4, label=r"$\phi_C$, Monte Carlo")
        ax.axvline(c["t_c"], color="k", lw=0.8, ls=":", label=r"$t_C$ (large d)")
        ax.set(xlabel="OU time t", ylabel=r"$f^e/\alpha$ and $\phi_C$", title=title, ylim=(-0.03, 1.03))
        ax.legend(fontsize=7, loc="center right")
    r = curves["manifold"]
    ax = axes[2]
    for k in range(r["retention"].shape[1]):
        ax.plot(r["t"], r["retention"][:, k], f"C{k}-", label=f"block {k + 1}: finite-size theory")
        ax.errorbar(r["t"], r["mc_retention"][:, k], 3 * r["mc_retention_se"][:, k], fmt=f"C{k}o", ms=4,
                    label=f"block {k + 1}: Monte Carlo")
        ax.axvline(r["t_c_direction"][k], color=f"C{k}", lw=0.8, ls="--")
    ax.axvline(r["t_c_global"], color="k", lw=0.8, ls=":", label=r"global $t_C$")
    ax.set(xlabel="OU time t", ylabel="retention of the block's posterior variance",
           title="linear manifold, d = 60 (10 + 50), n = 100; dashed: per-block large-d t_C")
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path
