"""Speciation and collapse measured on any dataset: "what are t_S and t_C for my data?".

:func:`analyze_dataset` runs, on one dataset and with the exact empirical score,

1. the covariance spectrum, :math:`\\Lambda` and the speciation-time readings (eq. 4);
2. :math:`\\phi(t)` with class labels by the posterior-weight identity on a time grid, and by cloning
   (backward SDE with the exact empirical score) at a few times; the crossing of the 0.775 level;
3. :math:`f^e(t)/\\alpha` by the posterior-entropy estimator, the collapse time read off it (refined by
   bisection), :math:`\\phi_C(t)`, and the last-changing-index times :math:`\\hat t_C` of backward
   trajectories;
4. beside them, :func:`theory.collapse.collapse_time_from_spectrum` of the data's own spectrum (the
   collapse time of a Gaussian with the same covariance), and the gap between the two.

The result (:class:`DatasetAnalysis`) writes a figure, a CSV of the curves and a JSON summary, all
atomically.

References
----------
Biroli et al. (2024), eqs. 4-5, Figs. 4-5, SI App. D; docs/theory/dynamical-regimes.md secs. 2.1, 2.4,
2.5, 3.1, 3.3.

Examples
--------
The readings of :math:`t_S` for a top covariance eigenvalue just above 1:

>>> from regimes.analysis import speciation_reading
>>> r = speciation_reading(1.142)
>>> print(f"{r.paper:.4f} {r.lambda_plus_one:.4f} {r.convention}")
0.0664 0.3809 paper
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from theory.checks import NotFoundError, check_scalar
from theory.collapse import collapse_time_from_spectrum, excess_entropy_from_spectrum
from theory.files import write_csv, write_json, write_text
from theory.progress import Progress
from theory.speciation import (
    NoSpeciationError,
    covariance_spectrum,
    speciation_time_from_eigenvalue,
)
from validation import Dataset, nearest_points
from validation import posterior_summary as posterior_stats
from validation.cloning import clone_experiment
from validation.datasets import ImageData
from validation.estimators import last_changing_index_time, posterior_curves
from validation.score import EmpiricalScore
from validation.sde import integrate_backward

from .analysis_figure import plot_analysis
from .figures import PHI_LEVEL, T_S_READINGS
from .runs import run_metadata

__all__ = ["DatasetAnalysis", "SpeciationReading", "analyze_dataset", "speciation_reading",
           "phi_crossing_time", "normalized_phi", "PHI_LEVEL", "T_S_READINGS", "LAMBDA_NEAR_ONE"]

#: ``abs(Lambda - 1)`` below this: the readings of t_S disagree strongly (1/2 log Lambda -> 0 at Lambda = 1
#: while 1/2 log(Lambda + 1) -> 0.35), and the analysis warns
LAMBDA_NEAR_ONE = 0.5

_ZERO_K, _ZERO_ATOL = 3.0, 0.01     # f^e/alpha "is zero": within 3 s.e. + 0.01


@dataclass(frozen=True)
class SpeciationReading:
    """Top covariance eigenvalue and the speciation-time readings of one dataset (OU time).

    ``paper`` is :math:`\\tfrac12\\log\\Lambda` (None when :math:`\\Lambda \\le 1`: no positive speciation
    time in that reading), ``lambda_plus_one`` :math:`\\tfrac12\\log(\\Lambda + 1)` (always defined),
    ``lambda_minus_one`` :math:`\\tfrac12\\log(\\Lambda - 1)` (None when :math:`\\Lambda \\le 2`);
    ``used``/``convention`` is the reading the analysis scales time by; ``note`` says why.

    Attributes
    ----------
    Lambda : float
        Top covariance eigenvalue.
    paper : float or None
        :math:`\\tfrac12\\log\\Lambda`.
    lambda_plus_one : float
        :math:`\\tfrac12\\log(\\Lambda + 1)`.
    lambda_minus_one : float or None
        :math:`\\tfrac12\\log(\\Lambda - 1)`.
    used : float
        The reading the analysis scales time by.
    convention : str
        Its name.
    note : str
        Why it was chosen.
    warning : str or None
        Set when Lambda is near 1, where the readings disagree strongly.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 4 (crit-spec) and SI App. A;
    docs/theory/dynamical-regimes.md sec. 2.1.
    """

    Lambda: float
    paper: float | None
    lambda_plus_one: float
    lambda_minus_one: float | None
    used: float
    convention: str
    note: str
    warning: str | None = None


def speciation_reading(Lambda: float, convention: str | None = None) -> SpeciationReading:
    """The speciation-time readings of eq. 4 for a top eigenvalue ``Lambda``, never NaN or negative.

    Parameters
    ----------
    Lambda : float
        Top eigenvalue of the data covariance, ``> 0``.
    convention : str, optional
        The reading to use: ``"paper"``, ``"lambda_plus_one"`` or ``"lambda_minus_one"`` (default:
        ``"paper"`` when Lambda > 1, ``"lambda_plus_one"`` otherwise).

    Returns
    -------
    SpeciationReading
        The readings and the one used.

    Notes
    -----
    :math:`t_S = \\tfrac12\\log\\Lambda` (paper, Table 1); when :math:`\\Lambda \\le 1` it is not a
    positive time, and the consistent Landau reading :math:`\\tfrac12\\log(\\Lambda+1)` is used
    instead (and said so in ``note``), unless ``convention`` names the reading to use (one of
    :data:`T_S_READINGS`; a ValueError if that reading has no positive time at this Lambda).
    Near :math:`\\Lambda = 1` (:math:`|\\Lambda - 1| <` :data:`LAMBDA_NEAR_ONE`) the readings
    disagree strongly, and ``warning`` says so.

    References
    ----------
    Biroli et al. (2024), eq. 4 (``crit-spec``), SI App. A; docs/theory/dynamical-regimes.md sec. 2.1.
    """
    lam = check_scalar(Lambda, "Lambda", lower=0.0, lower_open=True)

    def reading(convention: str) -> float | None:
        try:
            return float(speciation_time_from_eigenvalue(lam, convention))
        except NoSpeciationError:
            return None

    paper, plus, minus = reading("paper"), reading("lambda_plus_one"), reading("lambda_minus_one")
    values = {"paper": paper, "lambda_plus_one": plus, "lambda_minus_one": minus}
    if convention is not None:
        if convention not in T_S_READINGS:
            raise ValueError(f"t-s-convention must be one of {', '.join(T_S_READINGS)} (got "
                             f"{convention!r})")
        if values[convention] is None:
            raise ValueError(f"t-s-convention {convention!r}: t_S = {T_S_READINGS[convention][0]} is "
                             f"not a positive time at Lambda = {lam:.4g}")
        used = values[convention]
        note = f"t_S = {T_S_READINGS[convention][0]} (chosen)"
    elif paper is not None:
        note = "t_S = 1/2 log Lambda (the paper's convention)"
        used, convention = paper, "paper"
    else:
        note = (f"Lambda = {lam:.4g} <= 1: 1/2 log Lambda gives no positive speciation time; "
                f"using 1/2 log(Lambda + 1) = {plus:.4g}")
        used, convention = plus, "lambda_plus_one"
    warning = None
    if abs(lam - 1.0) < LAMBDA_NEAR_ONE:
        shown = "; ".join(f"{T_S_READINGS[k][0]} = " + ("none" if v is None else f"{v:.4g}")
                          for k, v in values.items() if k != "lambda_minus_one")
        warning = (f"Lambda = {lam:.4g} is near 1, where the t_S readings disagree strongly ({shown}); "
                   f"using {T_S_READINGS[convention][0]}: choose with --t-s-convention")
    return SpeciationReading(lam, paper, plus, minus, used, convention, note, warning)


def normalized_phi(phi, class_weights) -> np.ndarray:
    """:math:`(\\phi - \\sum_c p_c^2)/(1 - \\sum_c p_c^2)`: 1 at t = 0, 0 at t = infinity for any K.

    For K classes of weights p_c, :math:`\\phi(t) \\to \\sum_c p_c^2` (not 1/2) as t grows; the
    0.775 criterion belongs to two symmetric classes, where the normalized level is
    (0.7752 - 1/2)/(1 - 1/2) = 0.5504.

    Parameters
    ----------
    phi : array_like
        phi(t) values.
    class_weights : array_like
        Class weights :math:`p_c` (summing to 1).

    Returns
    -------
    ndarray
        The normalized phi.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eq. 6 (phi -> 1/2 for two classes);
    docs/theory/dynamical-regimes.md sec. 2.4 (phi -> 1/2 for two classes); derived for K classes.
    """
    p = np.asarray(class_weights, dtype=float)
    floor = float(np.sum(p**2))
    return (np.asarray(phi, dtype=float) - floor) / (1.0 - floor)


def phi_crossing_time(times, phi_norm, level: float = 2 * PHI_LEVEL - 1) -> float:
    """Largest time at which the (normalized) phi curve comes down to ``level``, linearly interpolated.

    ``times`` ascending; raises :class:`theory.checks.NotFoundError` when the curve never reaches the
    level on the grid.  The default
    level is the normalized 0.7752 (two symmetric classes).

    Parameters
    ----------
    times : array_like
        Ascending OU times.
    phi_norm : array_like
        Normalized phi on ``times`` (:func:`normalized_phi`).
    level : float, default 0.5504
        Level of the crossing.

    Returns
    -------
    float
        The crossing time.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, Fig. 4 (phi(t_S) = 0.775);
    docs/theory/dynamical-regimes.md sec. 2.4: "for real data the notebook reads off t_S as the last
    time with phi < 0.775, after linear interpolation".
    """
    t = np.asarray(times, dtype=float)
    v = np.asarray(phi_norm, dtype=float)
    above = np.flatnonzero(v >= level)
    if above.size == 0 or above[-1] == t.size - 1:
        raise NotFoundError(f"phi_norm: the curve does not come down to level {level:g} inside the "
                            f"time grid [{t[0]:g}, {t[-1]:g}]")
    i = above[-1]
    return float(t[i] + (v[i] - level) / (v[i] - v[i + 1]) * (t[i + 1] - t[i]))


@dataclass
class DatasetAnalysis:
    """Everything measured on one dataset (see :func:`analyze_dataset`); times in OU units.

    Attributes
    ----------
    name : str
        Dataset name.
    n, d : int
        Number of points and dimension.
    alpha : float
        :math:`\\log(n)/d`.
    preprocessing : dict
        How the data were centred and scaled.
    spectrum : ndarray
        Covariance eigenvalues, descending.
    speciation : SpeciationReading
        Top eigenvalue and the t_S readings.
    classes, class_weights : list or None
        Class labels and their frequencies (None without labels).
    times : ndarray
        OU time grid of the curves.
    curves : dict of str to ndarray
        phi, phi_C, f^e/alpha (and standard errors) on ``times``.
    cloning : dict or None
        Cloning measurements of phi, if run.
    phi_crossing : float or None
        Time where the normalized phi comes down to its speciation level.
    t_collapse_entropy, t_collapse_entropy_error : float or None
        t_C read off the excess entropy and its uncertainty.
    t_collapse_spectrum : float
        t_C of Gaussian data with the same spectrum (eq. 5).
    last_change_times : ndarray or None
        Last-changing-index times of backward trajectories (Fig. 5).
    params : dict
        The parameters of the analysis.
    seconds : dict
        Run time of each stage.

    References
    ----------
    Biroli et al. (2024), arXiv:2402.18491, eqs. 4-5, Figs. 4-5, SI App. D.
    docs/theory/dynamical-regimes.md secs. 2.4, 3.4 and 4.
    """

    name: str
    n: int
    d: int
    alpha: float
    preprocessing: dict
    spectrum: np.ndarray
    speciation: SpeciationReading
    classes: list | None
    class_weights: list | None
    times: np.ndarray
    curves: dict[str, np.ndarray]
    cloning: dict | None
    phi_crossing: float | None
    t_collapse_entropy: float | None
    t_collapse_entropy_error: float | None
    t_collapse_spectrum: float
    last_change_times: np.ndarray | None
    params: dict
    seconds: dict = field(default_factory=dict)

    @property
    def two_symmetric_classes(self) -> bool:
        return self.class_weights is not None and len(self.class_weights) == 2

    def phi_crossing_level(self) -> dict | None:
        """The level the phi crossing is read at: ``normalized`` (2 x 0.7752 - 1 = 0.5504 of the
        normalized phi, for any K) and ``phi`` (the same level on phi itself,
        :math:`\\sum_c p_c^2 + 0.5504 (1 - \\sum_c p_c^2)`: 0.7752 for two equal classes)."""
        if self.class_weights is None:
            return None
        floor = float(np.sum(np.square(self.class_weights)))
        norm = 2 * PHI_LEVEL - 1
        return {"normalized": norm, "phi": floor + norm * (1.0 - floor)}

    def summary(self) -> dict:
        """JSON-ready numbers (no arrays but the top of the spectrum)."""
        sp = self.speciation
        out = {
            "dataset": self.name, "n": self.n, "d": self.d, "alpha": self.alpha,
            "Lambda": sp.Lambda, "t_S": {"paper": sp.paper, "lambda_plus_one": sp.lambda_plus_one,
                                         "lambda_minus_one": sp.lambda_minus_one},
            "t_S_used": sp.used, "t_S_convention": sp.convention, "t_S_note": sp.note,
            "t_S_reading": T_S_READINGS[sp.convention][0],
            "warnings": [] if sp.warning is None else [sp.warning],
            "phi_crossing_level": self.phi_crossing_level(),
            "classes": self.classes, "class_weights": self.class_weights,
            "phi_crossing": self.phi_crossing,
            "phi_crossing_over_t_S": None if self.phi_crossing is None
            else self.phi_crossing / sp.used,
            "t_C_entropy": self.t_collapse_entropy,
            "t_C_entropy_error": self.t_collapse_entropy_error,
            "t_C_spectrum": self.t_collapse_spectrum,
            "t_C_gap_entropy_minus_spectrum": None if self.t_collapse_entropy is None
            else self.t_collapse_entropy - self.t_collapse_spectrum,
            "mean_last_change_time": None if self.last_change_times is None
            else float(np.mean(self.last_change_times)),
            "last_change_time_se": None if self.last_change_times is None
            else float(np.std(self.last_change_times, ddof=1) / np.sqrt(self.last_change_times.size)),
            "top_eigenvalues": self.spectrum[:10].tolist(),
            "preprocessing": self.preprocessing, "seconds": self.seconds,
        }
        if self.cloning is not None:
            c = self.cloning
            out["cloning"] = {"times": c["times"].tolist(), "phi": c["phi"].tolist(),
                              "stderr": c["stderr"].tolist(),
                              "max_abs_z_vs_identity": c["max_abs_z"]}
        return out

    def rows(self) -> list[dict]:
        """One CSV row per time of the grid."""
        keys = list(self.curves)
        return [{"t": float(t), **{k: float(self.curves[k][i]) for k in keys}}
                for i, t in enumerate(self.times)]

    def save(self, out_dir: str | Path, stem: str | None = None, seed: int | None = None,
             figure: bool = True) -> dict[str, Path]:
        """Write ``<stem>.png``, ``<stem>.csv`` (curves), ``<stem>_cloning.csv``,
        ``<stem>_spectrum.csv`` (the whole covariance spectrum), ``<stem>_last_change.csv`` and
        ``<stem>.json`` atomically into ``out_dir``; returns the paths."""
        out = Path(out_dir)
        stem = stem or Path(self.name).stem
        paths = {"csv": out / f"{stem}.csv", "json": out / f"{stem}.json"}
        write_csv(paths["csv"], self.rows())
        if self.cloning is not None:
            c = self.cloning
            paths["cloning_csv"] = out / f"{stem}_cloning.csv"
            write_csv(paths["cloning_csv"], [
                {"t": float(t), "phi": float(p), "stderr": float(s),
                 "phi_identity": float(pi), "phi_identity_se": float(ps)}
                for t, p, s, pi, ps in zip(c["times"], c["phi"], c["stderr"], c["identity"],
                                           c["identity_se"], strict=True)])
        paths["spectrum_csv"] = out / f"{stem}_spectrum.csv"
        write_text(paths["spectrum_csv"], "index,covariance_eigenvalue\n" + "".join(
            f"{i + 1},{v:.10g}\n" for i, v in enumerate(self.spectrum)))
        if self.last_change_times is not None:
            paths["last_change_csv"] = out / f"{stem}_last_change.csv"
            write_text(paths["last_change_csv"],
                       "t_hat_C\n" + "\n".join(f"{v:.6g}" for v in self.last_change_times) + "\n")
        if figure:
            paths["png"] = out / f"{stem}.png"
            plot_analysis(self, paths["png"])
        write_json(paths["json"], {**run_metadata(self.params, seed), "summary": self.summary()})
        return paths


def _is_zero(value: float, se: float) -> bool:
    return value <= _ZERO_K * se + _ZERO_ATOL + 1e-12


def _class_sampler(ds: Dataset, t_min: float, rng: np.random.Generator):
    """Endpoint observable of the cloning run: a class drawn from the class masses at t_min.

    Under the exact empirical score a trajectory at (x, t_min) ends at training point mu with
    probability w_mu(x, t_min) (docs/theory/dynamical-regimes.md sec. 2.5), so drawing the class from the
    class masses is an exact, unbiased continuation to t = 0 of each clone (independent for the two clones).
    """
    def classify(x: np.ndarray) -> np.ndarray:
        st = posterior_stats(x, t_min, ds, want_mean=False, want_classes=True)
        u = rng.random(x.shape[0])
        cum = np.cumsum(st.class_mass, axis=1)
        return np.minimum((cum < u[:, None] * cum[:, -1:]).sum(axis=1), cum.shape[1] - 1)

    return classify


def _sizes(quick: bool) -> dict:
    if quick:
        return {"n_times": 14, "samples": 1000, "pairs": 150, "clone_times": 6, "steps": 200,
                "trajectories": 150, "bisections": 3}
    return {"n_times": 24, "samples": 4000, "pairs": 300, "clone_times": 8, "steps": 300,
            "trajectories": 400, "bisections": 4}


def analyze_dataset(data: ImageData | Dataset, *, name: str | None = None, quick: bool = False,
                    rng=0, times=None, cloning: bool = True, trajectories: bool = True,
                    sizes: dict | None = None, progress: bool | None = None,
                    t_s_convention: str | None = None) -> DatasetAnalysis:
    """Measure the speciation and collapse of a dataset with the exact empirical score.

    Parameters
    ----------
    data : ImageData or Dataset
        Preprocessed points (labels needed for phi).
    name : str, optional
        Name used in the outputs (default: the ImageData's).
    quick : bool
        Smaller sample sizes (about ten times cheaper).
    rng : int, None or numpy.random.Generator
        Source of every random draw (default seed 0).
    times : array_like, optional
        Ascending OU times of the curves (default: 24 (quick 14) log-spaced times from
        min(0.2 t_C, 0.01) to t_S + 2.5, t_C and t_S from the spectrum).
    cloning : bool
        Also measure phi by cloning (needs labels).
    trajectories : bool
        Also run backward trajectories for the last-changing-index times.
    sizes : dict, optional
        Override sample sizes (keys ``samples``, ``pairs``, ``clone_times``, ``steps``,
        ``trajectories``, ``bisections``, ``n_times``).
    progress : bool, optional
    t_s_convention : {"paper", "lambda_plus_one", "lambda_minus_one"}, optional
        The reading of t_S that scales time (default: 1/2 log Lambda, or 1/2 log(Lambda + 1) when
        Lambda <= 1; :func:`speciation_reading`).

    Returns
    -------
    DatasetAnalysis

    Notes
    -----
    Identity estimators (docs/theory/dynamical-regimes.md sec. 2.5, 3.1) at every time, from one kernel pass
    over samples :math:`x = e^{-t}a^\\nu + \\sqrt{\\Delta_t}\\xi`: :math:`\\phi = E\\sum_c(\\sum_{\\mu\\in
    c}w_\\mu)^2`, :math:`\\phi_C = E\\sum_\\mu w_\\mu^2`, :math:`f^e = E H(w)/d`.  The collapse time from the
    entropy is the largest time at which :math:`f^e/\\alpha` is zero within 3 s.e. + 0.01, refined by
    bisection between that grid time and the next; its error is half the final bracket.  Cloning: backward SDE
    (exponential integrator) from T = t_S + 3 (at least 3) with the exact empirical score, two clones per
    trunk at each cloning time, each clone's class drawn from its class masses at t_min (an exact continuation
    to t = 0).  Last-changing index: nearest training point of each backward trajectory recorded at every step
    (SI App. D).

    References
    ----------
    Biroli et al. (2024), eqs. 4-5, Figs. 4-5, SI App. D; docs/theory/dynamical-regimes.md secs. 2.4,
    2.5, 3.1, 3.3.
    """
    if isinstance(data, ImageData):
        ds, label, prep = data.dataset, data.name, dict(data.preprocessing)
    elif isinstance(data, Dataset):
        ds, label, prep = data, "data", {}
    else:
        raise ValueError(f"data must be an ImageData or a Dataset (got {type(data).__name__})")
    name = name or label
    if ds.n < 2:
        raise ValueError(f"data must have n >= 2 points (got {ds.n})")
    size = {**_sizes(quick), **(sizes or {})}
    rng = np.random.default_rng(rng)
    secs: dict[str, float] = {}
    tic = time.perf_counter()
    X = ds.points.astype(np.float64, copy=False)
    spectrum = covariance_spectrum(X)
    if not spectrum[0] > 0:
        raise ValueError(f"data: the data have no variance (all {ds.n} points are identical), so no "
                         "speciation or collapse time is defined")
    reading = speciation_reading(float(spectrum[0]), t_s_convention)
    t_c_spec = float(collapse_time_from_spectrum(spectrum, ds.n, ds.d))
    alpha = float(np.log(ds.n) / ds.d)
    secs["spectrum"] = time.perf_counter() - tic

    if times is None:
        lo = min(0.2 * t_c_spec, 0.01)
        times = np.geomspace(lo, reading.used + 2.5, int(size["n_times"]))
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 2 or np.any(times <= 0) or np.any(np.diff(times) <= 0):
        raise ValueError("times must be an ascending 1-D array of at least two positive OU times")
    classes = weights = None
    labelled = ds.labels is not None
    if labelled:
        cls, counts = np.unique(ds.labels, return_counts=True)
        if cls.size < 2:
            raise ValueError(f"labels: phi needs at least two classes (got only class {cls[0]})")
        classes, weights = cls.tolist(), (counts / counts.sum()).tolist()

    tic = time.perf_counter()
    est = {}
    with Progress(times.size, "phi, phi_C, f^e", enabled=progress) as bar:
        for i, t in enumerate(times):
            est[i] = posterior_curves(t, ds, int(size["samples"]), rng=rng)
            bar.update()
    curves = {
        "fe_over_alpha": np.array([est[i]["fe"].value for i in est]) / alpha,
        "fe_over_alpha_se": np.array([est[i]["fe"].stderr for i in est]) / alpha,
        "fe_gaussian_over_alpha": excess_entropy_from_spectrum(times, spectrum, ds.n, ds.d) / alpha,
        "phi_c": np.array([est[i]["phi_c"].value for i in est]),
        "phi_c_se": np.array([est[i]["phi_c"].stderr for i in est]),
    }
    crossing = None
    if labelled:
        curves["phi"] = np.array([est[i]["phi"].value for i in est])
        curves["phi_se"] = np.array([est[i]["phi"].stderr for i in est])
        curves["phi_normalized"] = normalized_phi(curves["phi"], weights)
        curves["phi_normalized_se"] = curves["phi_se"] / (1.0 - float(np.sum(np.square(weights))))
        with contextlib.suppress(NotFoundError):
            crossing = phi_crossing_time(times, curves["phi_normalized"])
    secs["identities"] = time.perf_counter() - tic

    # collapse time from the entropy, refined by bisection
    tic = time.perf_counter()
    fe, fe_se = curves["fe_over_alpha"], curves["fe_over_alpha_se"]
    zero = np.array([_is_zero(v, s) for v, s in zip(fe, fe_se, strict=True)])
    t_c = t_c_err = None
    if zero.any():
        k = int(np.flatnonzero(zero).max())
        if k == times.size - 1:
            t_c, t_c_err = float(times[k]), None
        else:
            lo, hi = float(times[k]), float(times[k + 1])
            for _ in range(int(size["bisections"])):
                mid = 0.5 * (lo + hi)
                e = posterior_curves(mid, ds, int(size["samples"]), rng=rng)["fe"]
                if _is_zero(e.value / alpha, e.stderr / alpha):
                    lo = mid
                else:
                    hi = mid
            t_c, t_c_err = 0.5 * (lo + hi), 0.5 * (hi - lo)
    secs["collapse_refinement"] = time.perf_counter() - tic

    T = max(3.0, reading.used + 3.0)
    t_min = float(min(times[0], 0.01))
    clone_res = None
    if cloning and labelled:
        tic = time.perf_counter()
        sel = times[(times >= 0.25 * reading.used) & (times <= 3.0 * reading.used) & (times < T)]
        if sel.size > int(size["clone_times"]):
            sel = sel[np.round(np.linspace(0, sel.size - 1, int(size["clone_times"]))).astype(int)]
        if sel.size:
            res = clone_experiment(EmpiricalScore(ds), ds.d, sel, int(size["pairs"]),
                                   {"class": _class_sampler(ds, t_min, rng)}, T=T, t_min=t_min,
                                   steps=int(size["steps"]), method="exponential", rng=rng,
                                   progress=progress)
            ct = res.times[::-1]                     # ascending
            phi_c = res.same["class"][::-1]
            se_c = res.stderr["class"][::-1]
            ident = [posterior_curves(t, ds, int(size["samples"]), rng=rng)["phi"] for t in ct]
            iv = np.array([e.value for e in ident])
            ise = np.array([e.stderr for e in ident])
            # z-score under the null phi_clone = phi_identity: the binomial variance of the cloning
            # estimate at the identity value (its own s.e. is 0 when every pair agrees)
            pairs = int(size["pairs"])
            z = (phi_c - iv) / np.sqrt(np.clip(iv * (1 - iv), 0, None) / pairs + ise**2 + 1e-300)
            clone_res = {"times": ct, "phi": phi_c, "stderr": se_c, "identity": iv,
                         "identity_se": ise, "max_abs_z": float(np.abs(z).max()),
                         "normalized": normalized_phi(phi_c, weights), "pairs": pairs,
                         "z": z}
        secs["cloning"] = time.perf_counter() - tic

    last = None
    if trajectories:
        tic = time.perf_counter()
        run = integrate_backward(EmpiricalScore(ds), rng.standard_normal((int(size["trajectories"]),
                                                                          ds.d)),
                                 T, t_min, int(size["steps"]), method="exponential", rng=rng,
                                 save_every=1, record=lambda y, t: nearest_points(y, ds, t),
                                 progress=progress)
        last = last_changing_index_time(run.saved_times, np.array(run.saved))
        secs["trajectories"] = time.perf_counter() - tic

    params = {"dataset": name, "quick": quick, "sizes": size, "times": times.tolist(), "T": T,
              "t_min": t_min, "integrator": "exponential", "zero_criterion":
              f"f^e/alpha <= {_ZERO_K} s.e. + {_ZERO_ATOL}", "preprocessing": prep}
    return DatasetAnalysis(name, ds.n, ds.d, alpha, prep, spectrum, reading, classes, weights,
                           times, curves, clone_res, crossing, t_c, t_c_err, t_c_spec, last,
                           params, secs)
