"""Attack set of the numeric API and the data loaders (issue 13): bad, extreme and corrupt inputs.

Every case is ``Case(id, call, expect, param, check, kind)``:

- ``expect="ok"``: ``call()`` must return, and ``check(result)`` (a comparison with an independent
  reference: mpmath, a closed form evaluated in logs, a known limit) must hold;
- ``expect="value"`` / ``"type"``: ``call()`` must raise ValueError / TypeError whose message names
  ``param``; ``expect="error"`` accepts either (complex input: TypeError or ValueError).

:func:`outcome` runs one case and returns ``"pass"`` or the category of the fault, as counted by
``benchmarks/attack_counts_api.py``:

- ``traceback``: an exception of another type than expected (or any exception where a result was
  expected);
- ``nonfinite``: a NaN/inf result returned silently;
- ``accepted``: a finite result returned for an input that must be refused (a string, a boolean, a
  complex number taken as a number; a chunk of 0);
- ``wrong``: a finite result that disagrees with the reference;
- ``integrity``: any fault on a data-file or data-array case (``kind="data"``);
- ``unclear``: the expected exception type, but the message does not name the parameter.

The module imports only public names that already existed before the hardening, so the same table
can be run against an older checkout (``benchmarks/attack_counts_api.py --root``).
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from theory import collapse as tcollapse
from theory import gaussian_mixture as gm
from theory import manifold, phase_diagram, speciation, spectral, timemap
from theory.models import Gaussian, GaussianMixture, LinearManifold


@dataclass
class Case:
    id: str
    call: Callable[[], Any]
    expect: str                       # "ok", "value", "type", "error"
    param: str | None = None
    check: Callable[[Any], bool] | None = None
    kind: str = "api"                 # "api" or "data"


def _finite(res: Any) -> bool:
    if isinstance(res, (float, int, np.ndarray, np.floating, np.integer)):
        return bool(np.all(np.isfinite(np.asarray(res, dtype=float))))
    if isinstance(res, (tuple, list)):
        return all(_finite(r) for r in res)
    if hasattr(res, "__dataclass_fields__"):
        vals = [getattr(res, f) for f in res.__dataclass_fields__]
        return all(_finite(v) for v in vals if isinstance(v, (float, np.ndarray)) and
                   np.asarray(v).dtype.kind == "f")
    return True


def outcome(case: Case) -> tuple[str, str]:
    """Run one case: ``("pass", "")`` or ``(category, detail)``."""
    data = case.kind == "data"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = case.call()
    except Exception as exc:  # noqa: BLE001 - classifying every failure is the point
        msg = str(exc)
        want = {"value": (ValueError,), "type": (TypeError,), "error": (ValueError, TypeError),
                "ok": ()}[case.expect]
        if not isinstance(exc, want) or (case.expect == "value" and isinstance(exc, TypeError)):
            return ("integrity" if data else "traceback"), f"{type(exc).__name__}: {msg[:160]}"
        if case.param and not re.search(rf"(?<![A-Za-z_]){re.escape(case.param)}(?![A-Za-z_])", msg):
            return "unclear", f"{type(exc).__name__}: {msg[:160]}"
        return "pass", ""
    if case.expect != "ok":
        if not _finite(res):
            return ("integrity" if data else "nonfinite"), f"returned {str(res)[:120]}"
        return ("integrity" if data else "accepted"), f"accepted, returned {str(res)[:120]}"
    if not _finite(res):
        return ("integrity" if data else "nonfinite"), f"returned {str(res)[:120]}"
    if case.check is not None:
        try:
            good = bool(case.check(res))
        except Exception as exc:  # noqa: BLE001
            good = False
            res = f"check raised {type(exc).__name__}: {exc}"
        if not good:
            return ("integrity" if data else "wrong"), f"wrong value {str(res)[:160]}"
    return "pass", ""


def close(ref: Any, rtol: float = 1e-9, atol: float = 0.0) -> Callable[[Any], bool]:
    return lambda r: bool(np.allclose(np.asarray(r, dtype=float), np.asarray(ref, dtype=float),
                                      rtol=rtol, atol=atol))


# --- independent references (mpmath) -----------------------------------------------------------------

def _mp():
    import mpmath
    return mpmath


def ref_phi_of_r(r: float, dps: int = 30) -> float:
    """phi = 1 - E[sech^2(r + sqrt(r) z)] / 2, z ~ N(0, 1) (Biroli et al. 2024, eq. 6)."""
    mp = _mp()
    with mp.workdps(dps):
        r = mp.mpf(r)
        if r == 0:
            return 0.5
        s = mp.sqrt(r)
        f = lambda z: mp.sech(r + s * z) ** 2 * mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
        pts = sorted({mp.mpf(-8), -s, mp.mpf(0), mp.mpf(8)})
        return float(1 - mp.quad(f, [-mp.inf] + pts + [mp.inf]) / 2)


def ref_effective_variances(stds, dims, dps: int = 25) -> np.ndarray:
    """int_0^inf s_k^2/(1+2u s_k^2) prod_j (1+2u s_j^2)^(-d_j/2) du, with u = e^v (mpmath)."""
    mp = _mp()
    out = []
    with mp.workdps(dps):
        var = [mp.mpf(s) ** 2 for s in stds]
        dm = [mp.mpf(int(x)) for x in dims]
        brk = sorted({-mp.log(2 * v) for v in var})
        # nodes every 3 units between the turning points and along the tails (tanh-sinh on one long
        # piece, or on an infinite tail from a turning point, misses ~1e-6 of a long plateau)
        a, b = brk[0], brk[-1]
        m = max(1, int((b - a) / 3))
        nodes = {a + i * (b - a) / m for i in range(1, m)} | {a - 3 * 2**i for i in range(6)} \
            | {b + 3 * 2**i for i in range(8)}
        brk = sorted(set(brk) | nodes)
        lo, hi = mp.ninf, mp.inf
        for _k, vk in enumerate(var):
            def f(v, vk=vk):
                u = mp.exp(v)
                lp = -sum(dj * mp.log1p(2 * u * vj) for dj, vj in zip(dm, var, strict=False)) / 2
                return vk * u * mp.exp(lp - mp.log1p(2 * u * vk))
            pts = [lo] + brk + [hi]
            out.append(float(mp.quad(f, pts)))
    return np.array(out)


def ref_ts_paper(d: float, mu: float) -> float:
    return 0.5 * (math.log(d) + 2.0 * math.log(mu))


# --- generic batteries: wrong types and NaN for every numeric parameter ------------------------------

BASE: dict[str, tuple[Callable, dict]] = {
    "gm.phi": (gm.phi, dict(t=1.0, d=100.0, mu_tilde=1.0, sigma=1.0)),
    "gm.speciation_time": (gm.speciation_time, dict(d=100.0, mu_tilde=1.0, sigma=1.0)),
    "gm.collapse_time": (gm.collapse_time, dict(d=100.0, n=1e4, sigma=1.0)),
    "gm.excess_entropy": (gm.excess_entropy, dict(t=0.5, d=100.0, n=1e4, mu_tilde=1.0, sigma=1.0)),
    "gm.alpha": (gm.alpha, dict(d=100.0, n=1e4)),
    "gm.t_star": (gm.t_star, dict(d=100.0, mu_tilde=1.0)),
    "gm.signal_to_noise": (gm.signal_to_noise, dict(t=1.0, d=100.0, mu_tilde=1.0, sigma=1.0)),
    "gm.rate_function": (gm.rate_function, dict(epsilon=0.1, t=1.0, sigma=1.0)),
    "gm.rem_cgf": (gm.rem_cgf, dict(lam=0.5, t=1.0, sigma=1.0)),
    "gm.rem_energy": (gm.rem_energy, dict(lam=0.5, t=1.0, sigma=1.0)),
    "gm.rem_free_entropy": (gm.rem_free_entropy, dict(t=1.0, alpha=0.1, sigma=1.0)),
    "gm.annealed_free_entropy": (gm.annealed_free_entropy, dict(t=1.0, alpha=0.1, sigma=1.0)),
    "gm.class_entropy": (gm.class_entropy, dict(r=1.0)),
    "gm.phi_scaling": (gm.phi_scaling, dict(tau=0.0, mu_tilde=1.0)),
    "tm.delta": (timemap.delta, dict(t=1.0)),
    "tm.ve_variance": (timemap.ve_variance, dict(t=1.0)),
    "tm.ou_time_from_ve_variance": (timemap.ou_time_from_ve_variance, dict(s=1.0)),
    "tm.noised_variance": (timemap.noised_variance, dict(variance=2.0, t=1.0)),
    "tm.ve_sigma": (timemap.ve_sigma, dict(tau=0.5, sigma_min=0.01, sigma_max=50.0)),
    "tm.ou_time_from_alphabar": (timemap.ou_time_from_alphabar, dict(alphabar=0.5)),
    "tm.alphabar_from_ou_time": (timemap.alphabar_from_ou_time, dict(t=1.0)),
    "tm.vp_sde_ou_time": (timemap.vp_sde_ou_time, dict(tau=0.5, beta_min=0.1, beta_max=20.0)),
    "tm.ou_time_from_edm_sigma": (timemap.ou_time_from_edm_sigma, dict(sigma=1.0)),
    "tm.edm_sigmas": (timemap.edm_sigmas, dict(steps=18, sigma_min=0.002, sigma_max=80.0, rho=7.0)),
    "tm.ddpm_linear_alphabar": (timemap.ddpm_linear_alphabar, dict(steps=100, beta_start=1e-4,
                                                                   beta_end=0.02)),
    "sp.speciation_time_from_eigenvalue": (speciation.speciation_time_from_eigenvalue,
                                           dict(Lambda=10.0)),
    "co.collapse_time_from_spectrum": (tcollapse.collapse_time_from_spectrum,
                                       dict(eigenvalues=[1.0, 2.0, 3.0], n=1e3)),
    "co.excess_entropy_from_spectrum": (tcollapse.excess_entropy_from_spectrum,
                                        dict(t=0.5, eigenvalues=[1.0, 2.0, 3.0], n=1e3)),
    "mf.collapse_times": (manifold.collapse_times, dict(stds=[1.0, 0.3], dims=[2, 5], n=1e3)),
    "mf.effective_variances": (manifold.effective_variances, dict(stds=[1.0, 0.3], dims=[2, 5])),
    "mf.norm_collapse_time": (manifold.norm_collapse_time, dict(stds=[1.0, 0.3], dims=[2, 5], n=1e3)),
    "mf.global_collapse_time": (manifold.global_collapse_time,
                                dict(stds=[1.0, 0.3], dims=[2, 5], n=1e3)),
    "mf.critical_alphas": (manifold.critical_alphas, dict(stds=[1.0, 0.3], dims=[2, 5], t=0.5)),
    "mf.subspace_collapse_times": (manifold.subspace_collapse_times,
                                   dict(fractions=[0.2, 0.3], variances=[1.0, 0.1], alpha=0.5)),
    "spc.density": (spectral.density, dict(lam=1.0, fractions=[0.2, 0.3], variances=[1.0, 0.1])),
    "spc.cumulative": (spectral.cumulative, dict(lam=1.0, fractions=[0.2, 0.3], variances=[1.0, 0.1])),
    "spc.bulk_edges": (spectral.bulk_edges, dict(fractions=[0.2, 0.3], variances=[1.0, 0.1])),
    "spc.jacobian_edges": (spectral.jacobian_edges, dict(t=0.5, fractions=[0.2], variances=[1.0])),
    "spc.zero_atom": (spectral.zero_atom, dict(fractions=[0.2, 0.3], variances=[1.0, 0.1])),
    "spc.manifold_gap": (spectral.manifold_gap, dict(fractions=[0.2], variances=[1.0])),
    "spc.phase_boundaries": (spectral.phase_boundaries, dict(fractions=[0.2], variances=[1.0],
                                                             threshold=0.1)),
    "spc.phases": (spectral.phases, dict(t=0.5, fractions=[0.2], variances=[1.0], threshold=0.1)),
    "pd.phase_diagram_t_alpha": (phase_diagram.phase_diagram_t_alpha,
                                 dict(t=[0.5, 1.0], alpha=[0.1, 0.2], d=100.0, mu_tilde=1.0, sigma=1.0)),
    "pd.phase_diagram_d_n": (phase_diagram.phase_diagram_d_n,
                             dict(d=[10.0, 100.0], n=[1e3, 1e4], t=1.0, mu_tilde=1.0, sigma=1.0)),
    "md.GaussianMixture.symmetric": (GaussianMixture.symmetric, dict(d=5, mu_tilde=1.0, sigma=1.0,
                                                                     weight=0.5)),
    "md.Gaussian": (Gaussian, dict(spectrum=[1.0, 2.0])),
    "md.LinearManifold": (LinearManifold, dict(d=10, dims=[2, 3], variances=[1.0, 0.5])),
}

def _validation_base() -> dict[str, tuple[Callable, dict]]:
    """The Monte Carlo layer's data generators and estimators (small sizes)."""
    import validation as V
    from theory import collapse as C
    from theory import speciation as S
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 3))
    x = rng.normal(size=(4, 3))
    gmm = GaussianMixture.symmetric(3, 1.0)
    return {
        "va.gaussian_data": (V.gaussian_data, dict(d=3, n=10, variances=1.0, rng=0)),
        "va.gaussian_mixture_data": (V.gaussian_mixture_data, dict(d=3, n=10, mu_tilde=1.0, sigma=1.0,
                                                                   rng=0)),
        "va.time_grid": (V.time_grid, dict(T=3.0, t_min=0.01, steps=10)),
        "va.random_orthogonal": (V.random_orthogonal, dict(d=4, k=2, rng=0)),
        "va.nearest_points": (V.nearest_points, dict(x=x, data=X, t=0.5, chunk=5)),
        "va.posterior_summary": (V.posterior_summary, dict(x=x, t=0.5, data=X, chunk=5)),
        "va.linear_manifold_data": (V.linear_manifold_data, dict(d=6, n=8, variances=[1.0, 0.5],
                                                                 dims=[2, 1], rng=0)),
        "va.sample_noised_data": (V.sample_noised_data, dict(data=X, t=0.5, n_samples=5, rng=0)),
        "va.phi_identity": (V.phi_identity, dict(t=0.5, data=X, labels=np.arange(12) % 2, n_samples=16,
                                                 rng=0)),
        "co.collapse_time(model)": (C.collapse_time, dict(model=gmm, n=100.0)),
        "sp.phi(model)": (S.phi, dict(t=1.0, model=gmm)),
    }


NONE_OK = {("va.linear_manifold_data", "d")}       # documented: d = None takes the latent dimension
ARRAY_PARAMS = {"eigenvalues", "stds", "dims", "fractions", "variances", "spectrum"}
# parameters that take booleans or are not numbers: never attacked by the numeric battery
SKIP = {"convention", "finite_d", "normalized", "effective", "time", "precision"}


def _battery() -> list[Case]:
    cases = []
    for name, (fn, base) in {**BASE, **_validation_base()}.items():
        for p in base:
            if p in SKIP or p in ("x", "data", "model", "rng", "labels"):
                continue
            arr = p in ARRAY_PARAMS or isinstance(base[p], list)
            bad = {
                "str": (["1.5", "2"] if arr else "1.5", "type"),
                "bool": ([True, True] if arr else True, "type"),
                "complex": ([1 + 1j, 2.0] if arr else 1 + 1j, "error"),
                "nan": ([np.nan, 1.0] if arr else np.nan, "value"),
            }
            try:
                required = inspect.signature(fn).parameters[p].default is inspect.Parameter.empty
            except (KeyError, ValueError, TypeError):
                required = False
            if required and (name, p) not in NONE_OK:
                bad["none"] = (None, "error")
            for label, (value, expect) in bad.items():
                kw = dict(base)
                kw[p] = value
                cases.append(Case(f"{name}:{p}={label}", (lambda fn=fn, kw=kw: fn(**kw)), expect, p))
    return cases


# --- extreme values: correct finite results against independent references ---------------------------

def _extremes() -> list[Case]:
    c: list[Case] = []
    # t_S and phi(t_S) for huge mu_tilde (issue: inf and nan); at the paper's t_S, r = 1 when sigma = 1
    phi_r1 = ref_phi_of_r(1.0)
    for mu in (1e10, 1e100, 1e155, 1e200, 1e300):
        for d in (1.0, 100.0, 1e6):
            c.append(Case(f"gm.speciation_time(d={d:g},mu={mu:g})",
                          (lambda d=d, mu=mu: gm.speciation_time(d, mu)), "ok",
                          check=close(ref_ts_paper(d, mu), 1e-12)))
        c.append(Case(f"gm.phi(t_S, mu={mu:g})",
                      (lambda mu=mu: gm.phi(ref_ts_paper(100.0, mu), 100.0, mu)), "ok",
                      check=close(phi_r1, 1e-6)))
    for mu in (1e155, 1e300):
        lam = 100.0 * mu * mu if mu < 1e154 else None
        ref = 0.5 * (math.log(100.0) + 2 * math.log(mu))   # + O(1/Lambda): below float64 resolution
        for conv in ("lambda", "lambda_plus_one", "lambda_minus_one", "exact_hessian"):
            c.append(Case(f"gm.speciation_time(mu={mu:g},{conv})",
                          (lambda mu=mu, conv=conv: gm.speciation_time(100.0, mu, convention=conv)),
                          "ok", check=close(ref, 1e-12)))
        del lam
    # r_t for huge mu: r = d mu^2 e^{-2t}/Gamma_t evaluated in logs
    for mu, t in ((1e155, 360.0), (1e200, 461.0), (1e300, 691.0)):
        logr = math.log(100.0) + 2 * math.log(mu) - 2 * t   # Gamma_t = 1 for sigma = 1
        c.append(Case(f"gm.signal_to_noise(t={t},mu={mu:g})",
                      (lambda mu=mu, t=t: gm.signal_to_noise(t, 100.0, mu)), "ok",
                      check=close(math.exp(logr), 1e-9)))
        c.append(Case(f"gm.phi(t={t},mu={mu:g})", (lambda mu=mu, t=t: gm.phi(t, 100.0, mu)), "ok",
                      check=close(ref_phi_of_r(math.exp(logr)), 1e-6)))
    # phi at huge r: the limit 1 (E sech^2 -> 0)
    for mu in (1e160, 1e250):
        c.append(Case(f"gm.phi(t=0,mu={mu:g})", (lambda mu=mu: gm.phi(0.0, 100.0, mu)), "ok",
                      check=close(1.0, 1e-12)))
    # t_star in logs: 1/2 log(2 d mu^2)
    for mu in (1e155, 1e300):
        c.append(Case(f"gm.t_star(mu={mu:g})", (lambda mu=mu: gm.t_star(100.0, mu)), "ok",
                      check=close(0.5 * (math.log(200.0) + 2 * math.log(mu)), 1e-12)))
    # effective variances against the mpmath integral (issue: 0.25 instead of 0.5)
    for stds, dims in (([1e3, 1e-3], [2, 5]), ([1e4, 1.0], [1, 50]), ([1.0, 1e-6, 1e-12], [3, 2, 2]),
                       ([1e2, 1e-2], [5, 5]), ([1.0, 0.3], [2, 5]), ([1e-150, 1e-151], [2, 3]),
                       ([1e6], [4]), ([1.0, 1.0], [1, 1])):
        ref = ref_effective_variances(stds, dims)
        c.append(Case(f"mf.effective_variances({stds},{dims})",
                      (lambda s=stds, d=dims: manifold.effective_variances(s, d)), "ok",
                      check=close(ref, 1e-7, atol=1e-300)))
    # two blocks (dims 2 and d2) of variances A >> 1 and 1: sigma~_2^2 = [log A - psi(1 + d2/2)
    # + psi(1)]/(2A) + O(log A/A^2) (expanding int_0^inf (1+w)^(-1-d2/2)/(1+Aw) dw/2 for small 1/A),
    # sigma~_1^2 = (1 - d2 sigma~_2^2)/2 by the sum rule
    mp = _mp()
    for sd1, sd2, d2 in ((1e20, 1.0, 5), (1e100, 1.0, 3), (1e150, 1.0, 3), (1e151, 1.0, 5),
                         (1e300, 1.0, 5), (1e300, 1.0, 1), (1e-10, 1e-170, 5)):
        with mp.workdps(30):
            A = (mp.mpf(sd1) / mp.mpf(sd2)) ** 2
            v2 = (mp.log(A) - mp.digamma(1 + mp.mpf(d2) / 2) + mp.digamma(1)) / (2 * A)
            ref = [float((1 - d2 * v2) / 2), float(v2)]
        c.append(Case(f"mf.effective_variances(asymptotic [{sd1:g},{sd2:g}],[2,{d2}])",
                      (lambda s1=sd1, s2=sd2, d2=d2: manifold.effective_variances([s1, s2], [2, d2])), "ok",
                      check=close(ref, 1e-8, atol=1e-320)))
    # spectral edges with extreme variances: the edges scale linearly with the variances
    base_edges = spectral.bulk_edges([0.2], [1.0])
    for v in (1e-300, 1e-200, 1e-100, 1e100, 1e200, 1e300):
        c.append(Case(f"spc.bulk_edges([0.2],[{v:g}])",
                      (lambda v=v: spectral.bulk_edges([0.2], [v])), "ok",
                      check=(lambda r, v=v: np.allclose(np.asarray(r) / v, base_edges, rtol=1e-8))))
    two = spectral.bulk_edges([0.2, 0.3], [1.0, 0.01])
    for v in (1e-300, 1e-150, 1e150, 1e300):
        c.append(Case(f"spc.bulk_edges([0.2,0.3],[{v:g},{v * 0.01:g}])",
                      (lambda v=v: spectral.bulk_edges([0.2, 0.3], [v, v * 0.01])), "ok",
                      check=(lambda r, v=v: np.allclose(np.asarray(r) / v, two, rtol=1e-8))))
    # widely spread variances: as the spread grows the bulks decouple, each tending to the bulk at a
    # moderate spread rescaled (the moderate case, 1e8, differs from the limit by ~1e-8 relative)
    mid = spectral.bulk_edges([0.2, 0.3, 0.1], [1e-8, 1.0, 1e8]) / np.repeat([1e-8, 1.0, 1e8], 2)
    for e in (10, 20, 30, 39):
        v = [10.0**-e, 1.0, 10.0**e]
        c.append(Case(f"spc.bulk_edges(3 groups, spread 1e{2 * e})",
                      (lambda v=v: spectral.bulk_edges([0.2, 0.3, 0.1], v)), "ok",
                      check=(lambda r, v=v: np.allclose(np.asarray(r) / np.repeat(v, 2), mid,
                                                        rtol=1e-6))))
    # gap records at tiny and huge scales: every noise variance s scales with the variances, the
    # heights do not (the products a*b of two 1e-300 edges underflowed: "peak 0.9999 ... no gap")
    f3, v3 = [0.2, 0.3], np.array([1.0, 1e10])
    g1 = spectral.intermediate_gaps(f3, v3, threshold=0.1)[0]
    b1 = spectral.phase_boundaries(f3, v3)
    o1 = spectral.separation_order([0.2, 0.3, 0.1], [1.0, 1e3, 1e6])
    for sc in (1e-300, 1e-200, 1e-60, 1e60, 1e200):
        c.append(Case(f"spc.intermediate_gaps(scale {sc:g})",
                      (lambda sc=sc: spectral.intermediate_gaps(f3, v3 * sc, threshold=0.1)[0]), "ok",
                      check=(lambda r, sc=sc: np.allclose([r.a, r.b, r.s_max, r.s_open, r.s_close],
                                                          np.array([g1.a, g1.b, g1.s_max, g1.s_open,
                                                                    g1.s_close]) * sc, rtol=1e-8)
                             and np.isclose(r.height, g1.height, rtol=1e-12) and r.detached)))
        c.append(Case(f"spc.phase_boundaries(scale {sc:g})",
                      (lambda sc=sc: spectral.phase_boundaries(f3, v3 * sc)), "ok",
                      check=(lambda r, sc=sc: np.allclose([r.s_coverage, r.s_consolidation],
                                                          np.array([b1.s_coverage, b1.s_consolidation]) * sc,
                                                          rtol=1e-8))))
        c.append(Case(f"spc.separation_order(scale {sc:g})",
                      (lambda sc=sc: spectral.separation_order([0.2, 0.3, 0.1],
                                                               np.array([1.0, 1e3, 1e6]) * sc)),
                      "ok", check=(lambda r, sc=sc: r.order == o1.order
                                   and np.allclose(r.s_separation, o1.s_separation * sc, rtol=1e-8))))
    # nearly equal variances (found by the property test): the gap between {1, 1 + delta} and 10
    # stays, with edges converging to the merged group's as delta -> 0
    merged = spectral.bulk_edges([0.25, 0.125, 0.125], [1.0, 10.0, 100.0])
    for dl in (1e-12, 1e-9, 1e-7, 1e-5):
        c.append(Case(f"spc.bulk_edges(near-equal variances 1+{dl:g})",
                      (lambda dl=dl: spectral.bulk_edges([0.125] * 4, [1.0, 1.0 + dl, 10.0, 100.0])), "ok",
                      check=(lambda r, dl=dl: np.shape(r) == merged.shape
                             and np.allclose(r, merged, rtol=10 * dl + 1e-10))))
    for lo, hi in ((1e-300, 1e300), (1e-45, 1e45), (1.0, 1e81)):
        c.append(Case(f"spc.bulk_edges(spread {hi / lo:g})",
                      (lambda lo=lo, hi=hi: spectral.bulk_edges([0.2, 0.3], [lo, hi])), "value",
                      "variances"))
    # phase diagram with huge alpha: regime III (collapsed) everywhere, t_C from the alpha -> inf limit
    for amax in (1e10, 1e300):
        c.append(Case(f"pd.phase_diagram_t_alpha(alpha={amax:g})",
                      (lambda a=amax: phase_diagram.phase_diagram_t_alpha([0.5, 1.0], [0.1, a], 100.0)),
                      "ok", check=lambda r: np.all(r.regime[:, -1] == r.regime[:, -1].max())))
    # collapse time at huge alpha: t_C = 1/2 log1p(sigma^2/expm1(2 alpha)) -> sigma^2 e^{-2 alpha}/2
    for d, n in ((1.0, 1e300), (2.0, 1e300)):
        a = math.log(n) / d
        mp = _mp()
        ref = float(mp.log1p(1 / mp.expm1(2 * mp.mpf(a))) / 2)
        c.append(Case(f"gm.collapse_time(d={d},n={n:g})", (lambda d=d, n=n: gm.collapse_time(d, n)),
                      "ok", check=close(ref, 1e-9, atol=1e-320)))
    # chunks of the empirical-score kernel
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    x = rng.normal(size=(4, 3))
    from validation import empirical_score, posterior_weights
    ref_w = _ref_weights(x, 1.0, X)
    for ch in (1, 3, 7, 20, 1000):
        c.append(Case(f"posterior_weights(chunk={ch})",
                      (lambda ch=ch: posterior_weights(x, 1.0, X, chunk=ch)), "ok",
                      check=close(ref_w, 1e-10, atol=1e-300)))
    for ch, exp in ((-1, "value"), (0, "value"), (1.5, "value"), ("3", "type"), (True, "type"),
                    (np.nan, "value"), (-(10**30), "value")):
        c.append(Case(f"posterior_weights(chunk={ch!r})",
                      (lambda ch=ch: posterior_weights(x, 1.0, X, chunk=ch)), exp, "chunk"))
        c.append(Case(f"empirical_score(chunk={ch!r})",
                      (lambda ch=ch: empirical_score(x, 1.0, X, chunk=ch)), exp, "chunk"))
    for tbad, exp in ((-1.0, "value"), (np.nan, "value"), ("1", "type"), (1j, "error"), (0.0, "value")):
        c.append(Case(f"posterior_weights(t={tbad!r})",
                      (lambda tb=tbad: posterior_weights(x, tb, X)), exp, "t"))
    c.append(Case("posterior_weights(x complex)", lambda: posterior_weights(x + 1j, 1.0, X), "error", "x"))
    c.append(Case("posterior_weights(data complex)", lambda: posterior_weights(x, 1.0, X + 1j),
                  "error", "data"))
    c.append(Case("empirical_score(x str)", lambda: empirical_score(x.astype(str), 1.0, X), "type", "x"))
    c.append(Case("posterior_weights(x nan)",
                  lambda: posterior_weights(np.where(x > 1, np.nan, x), 1.0, X), "value", "x"))
    c.append(Case("posterior_weights(data nan)",
                  lambda: posterior_weights(x, 1.0, np.where(X > 1, np.nan, X)), "value", "data"))
    # huge data values: weights still sum to one and match the float64 reference
    for s in (1e100, 1e150):
        c.append(Case(f"posterior_weights(scale={s:g})",
                      (lambda s=s: posterior_weights(x * s, 1.0, X * s)), "ok",
                      check=(lambda r, s=s: np.allclose(r.sum(axis=1), 1.0, rtol=1e-12))))
    return c


def _mp_tc(d, n, sigma):
    """t_C = 1/2 log1p(sigma^2/expm1(2 log(n)/d)) (Biroli et al. 2024, eq. 10) in mpmath."""
    mp = _mp()
    with mp.workdps(30):
        a = mp.log(mp.mpf(n)) / d
        return float(mp.log1p(mp.mpf(sigma) ** 2 / mp.expm1(2 * a)) / 2)


def _extremes_overflow() -> list[Case]:
    """Parameters whose squares or exponentials leave float64: a finite value from logs, or a
    ValueError naming the parameter where the result itself is beyond float64."""
    mp = _mp()
    c: list[Case] = []
    for sg in (1e160, 1e200, 1e300):
        c.append(Case(f"gm.collapse_time(sigma={sg:g})", (lambda sg=sg: gm.collapse_time(100.0, 1e4, sg)),
                      "ok", check=close(_mp_tc(100, 1e4, sg), 1e-12)))
        c.append(Case(f"pd.phase_diagram_d_n(sigma={sg:g})",
                      (lambda sg=sg: phase_diagram.phase_diagram_d_n([10.0, 100.0], [1e3, 1e4], 1.0,
                                                                     sigma=sg).t_collapse), "ok",
                      check=close([[_mp_tc(d, n, sg) for d in (10.0, 100.0)] for n in (1e3, 1e4)], 1e-12)))
        c.append(Case(f"pd.phase_diagram_t_alpha(sigma={sg:g})",
                      (lambda sg=sg: phase_diagram.phase_diagram_t_alpha([0.5, 1.0], [0.1, 0.2], 100.0,
                                                                         sigma=sg).t_collapse), "ok",
                      check=close([[_mp_tc(1.0, math.exp(a), sg)] * 2 for a in (0.1, 0.2)], 1e-12)))
    for mu in (1e160, 1e300):
        c.append(Case(f"pd.phase_diagram_t_alpha(mu={mu:g})",
                      (lambda mu=mu: phase_diagram.phase_diagram_t_alpha([0.5, 1.0], [0.1, 0.2], 100.0,
                                                                         mu_tilde=mu).t_speciation),
                      "ok", check=close(ref_ts_paper(100.0, mu), 1e-12)))
        c.append(Case(f"pd.phase_diagram_d_n(mu={mu:g})",
                      (lambda mu=mu: phase_diagram.phase_diagram_d_n([10.0, 100.0], [1e3, 1e4], 1.0,
                                                                     mu_tilde=mu).t_speciation),
                      "ok", check=close([[ref_ts_paper(d, mu) for d in (10.0, 100.0)]] * 2, 1e-12)))
        c.append(Case(f"gm.phi(t=1,mu={mu:g})", (lambda mu=mu: gm.phi(1.0, 100.0, mu)), "ok",
                      check=close(1.0, 1e-15)))
        c.append(Case(f"gm.signal_to_noise(t=1,mu={mu:g})",
                      (lambda mu=mu: gm.signal_to_noise(1.0, 100.0, mu)), "value", "mu_tilde"))
        # h(r) = 0 once r is huge: the finite-d excess entropy equals its value at r = 1e200
        ref = gm.excess_entropy(0.5, 100.0, 1e4, 1e100, finite_d=True)
        c.append(Case(f"gm.excess_entropy(finite_d, mu={mu:g})",
                      (lambda mu=mu: gm.excess_entropy(0.5, 100.0, 1e4, mu, finite_d=True)), "ok",
                      check=close(ref, 1e-14)))
    for rho in (1e-300, 1e-30, 1e-3):
        with mp.workdps(40):
            r = mp.mpf(rho)
            ref = [float(((1 - mp.mpf(i) / 4) * mp.mpf(80) ** (1 / r)
                          + mp.mpf(i) / 4 * mp.mpf("0.002") ** (1 / r)) ** r) for i in range(5)]
        c.append(Case(f"tm.edm_sigmas(rho={rho:g})", (lambda rho=rho: timemap.edm_sigmas(5, rho=rho)), "ok",
                      check=close(ref, 1e-10)))
    for sg in (1e160, 1e300):
        with mp.workdps(30):
            ref = float(mp.log1p(mp.mpf(sg) ** 2) / 2)
        c.append(Case(f"tm.ou_time_from_edm_sigma({sg:g})",
                      (lambda sg=sg: timemap.ou_time_from_edm_sigma(sg)), "ok", check=close(ref, 1e-14)))
    for fn, nm in ((timemap.edm_sigmas, "edm"), (timemap.ddpm_linear_alphabar, "ddpm"),
                   (timemap.ddpm_cosine_alphabar, "cosine")):
        for st_ in (1e12, 1e300):
            c.append(Case(f"tm.{nm}(steps={st_:g})", (lambda fn=fn, st_=st_: fn(st_)), "value", "steps"))
    for t in (400.0, 1e30, 1e300):
        with mp.workdps(30):
            e = spectral.bulk_edges([0.2], [1.0])[::-1]
            sv = mp.expm1(2 * mp.mpf(t))
            ref = [float(sv / (sv + mp.mpf(x))) for x in e]
        c.append(Case(f"spc.jacobian_edges(t={t:g})",
                      (lambda t=t: spectral.jacobian_edges(t, [0.2], [1.0])), "ok", check=close(ref, 1e-14)))
    for t in (1e-300, 1e-100, 1e3, 1e300):
        with mp.workdps(30):
            sv = mp.expm1(2 * mp.mpf(t))
            ref = [float(mp.mpf(sd) ** 2 / (2 * 7 * sv)) for sd in (1.0, 0.3)]
        c.append(Case(f"mf.critical_alphas(t={t:g})",
                      (lambda t=t: manifold.critical_alphas([1.0, 0.3], [2, 5], t)), "ok",
                      check=close(ref, 1e-12, atol=1e-300)))
    c.append(Case("mf.critical_alphas(Gaussian, t=1e-300)",
                  lambda: manifold.critical_alphas([1.0, 0.3], [2, 5], 1e-300, normalized=False),
                  "value", "t"))
    for sd in (1e100, 1e150):
        with mp.workdps(30):
            q4 = 2 * mp.mpf(sd) ** 4 + 5
            sv = mp.sqrt(q4 / (4 * mp.log(1000)))
            ref = float(mp.log1p(sv) / 2)
        c.append(Case(f"mf.norm_collapse_time(stds=[{sd:g},1])",
                      (lambda sd=sd: manifold.norm_collapse_time([sd, 1.0], [2, 5], 1e3)), "ok",
                      check=close(ref, 1e-12)))
    c.append(Case("mf.norm_collapse_time(stds=1e300)",
                  lambda: manifold.norm_collapse_time([1e300, 1.0], [2, 5], 1e3), "value", "stds"))
    for sd in (1e151, 1e300):
        c.append(Case(f"mf.collapse_times(stds={sd:g})",
                      (lambda sd=sd: manifold.collapse_times([sd, 1.0], [2, 5], 1e3, effective=False)),
                      "value", "stds"))
        # effective variances (scale-free, from the mpmath integral), then sigma~^2/(2 log n) and the
        # OU time 1/2 log1p(s) on the sphere
        with mp.workdps(30):
            A = mp.mpf(sd) ** 2
            v2 = (mp.log(A) - mp.digamma(mp.mpf(7) / 2) + mp.digamma(1)) / (2 * A)
            ev = np.array([float((1 - 5 * v2) / 2), float(v2)])
        ref = 0.5 * np.log1p(ev / (2.0 * math.log(1e3)))
        c.append(Case(f"mf.collapse_times(effective, stds={sd:g})",
                      (lambda sd=sd: manifold.collapse_times([sd, 1.0], [2, 5], 1e3)), "ok",
                      check=close(ref, 1e-7, atol=1e-320)))
    c.append(Case("mf.collapse_times(Gaussian, stds=1e80)",
                  lambda: manifold.collapse_times([1e80, 1.0], [2, 5], 1e3, normalized=False),
                  "value", "stds"))
    with mp.workdps(30):
        ref = float(mp.log1p(mp.mpf(1e149) ** 2 / (2 * mp.log(1000))) / 2)   # sigma^2/(2 log n), sphere
    c.append(Case("mf.collapse_times(stds=1e149)",
                  lambda: manifold.collapse_times([1e149, 1.0], [2, 5], 1e3, effective=False)[0], "ok",
                  check=close(ref, 1e-12)))
    for dm in (1e20, 1e300):
        c.append(Case(f"mf.effective_variances(dims={dm:g})",
                      (lambda dm=dm: manifold.effective_variances([1.0, 0.3], [dm, 5])), "value", "dims"))
        c.append(Case(f"md.LinearManifold(dims={dm:g})",
                      (lambda dm=dm: LinearManifold(10, [dm, 3], [1.0, 0.5])), "value", "dims"))
    for d in (1e12, 1e300):
        c.append(Case(f"md.GaussianMixture.symmetric(d={d:g})",
                      (lambda d=d: GaussianMixture.symmetric(d)), "value", "d"))
        c.append(Case(f"md.LinearManifold(d={d:g})",
                      (lambda d=d: LinearManifold(d, [2, 3], [1.0, 0.5])), "value", "d"))
    for sg in (1e160, 1e300, 1e-160):
        c.append(Case(f"md.GaussianMixture.symmetric(sigma={sg:g})",
                      (lambda sg=sg: GaussianMixture.symmetric(5, 1.0, sg)), "value", "sigma"))
    for fn, nm in ((gm.rem_cgf, "rem_cgf"), (gm.rem_energy, "rem_energy")):
        c.append(Case(f"gm.{nm}(sigma=1e300)", (lambda fn=fn: fn(0.5, 1.0, 1e300)), "value", "sigma"))
        c.append(Case(f"gm.{nm}(t=1e300)", (lambda fn=fn: fn(0.5, 1e300, 1.0)), "value", "t"))
    c.append(Case("gm.rate_function(epsilon=1e300)", lambda: gm.rate_function(1e300, 1.0), "value",
                  "epsilon"))
    c.append(Case("gm.rate_function(t=1e30)", lambda: gm.rate_function(0.1, 1e30), "value", "t"))
    c.append(Case("gm.annealed_free_entropy(sigma=1e300)", lambda: gm.annealed_free_entropy(1.0, 0.1, 1e300),
                  "value", "sigma"))
    return c


def _ref_weights(x, t, X):
    e = math.exp(-t)
    dl = timemap.delta(t)
    logits = -((x[:, None, :] - e * X[None, :, :]) ** 2).sum(-1) / (2 * dl)
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return w / w.sum(axis=1, keepdims=True)


# --- data: arrays and files ------------------------------------------------------------------------

def _data_cases(tmp: Path) -> list[Case]:
    from validation import from_array
    from validation.datasets import load_path, preprocess
    c: list[Case] = []
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 6))
    const = np.ones((40, 6))
    dup = np.concatenate([X, X])
    ts = speciation.speciation_time_from_data
    c.append(Case("ts_from_data(constant)", lambda: ts(const), "value", "X", kind="data"))
    c.append(Case("ts_from_data(constant, message)", lambda: ts(const), "value", "variance", kind="data"))
    c.append(Case("top_eigenvalue(constant)", lambda: speciation.top_covariance_eigenvalue(const), "ok",
                  check=close(0.0, 0, 1e-300), kind="data"))
    lam_dup = float(np.linalg.eigvalsh(np.cov(dup.T))[-1])
    lam_X = float(np.linalg.eigvalsh(np.cov(X.T))[-1])
    # duplicating every point scales the unbiased covariance by 2(n-1)/(2n-1)
    c.append(Case("top_eigenvalue(duplicated)", lambda: speciation.top_covariance_eigenvalue(dup), "ok",
                  check=lambda r: np.isclose(r, lam_dup, rtol=1e-10)
                  and np.isclose(r, lam_X * 2 * 49 / 99, rtol=1e-10), kind="data"))
    c.append(Case("ts_from_data(duplicated, lambda_plus_one)",
                  lambda: ts(dup, convention="lambda_plus_one"), "ok",
                  check=lambda r: abs(r - ts(X, convention="lambda_plus_one")) < 0.02, kind="data"))
    c.append(Case("ts_from_data(complex)", lambda: ts(X + 1j), "error", "X", kind="data"))
    c.append(Case("ts_from_data(nan)", lambda: ts(np.where(X > 2, np.nan, X)), "value", "X", kind="data"))
    c.append(Case("ts_from_data(str)", lambda: ts(X.astype(str)), "type", "X", kind="data"))
    c.append(Case("ts_from_data(one point)", lambda: ts(X[:1]), "value", "X", kind="data"))
    c.append(Case("ts_from_data(1-D)", lambda: ts(X[0]), "value", "X", kind="data"))
    c.append(Case("ts_from_data(huge)", lambda: ts(X * 1e200), "ok",
                  check=lambda r: abs(r - (ts(X) + math.log(1e200))) < 1e-6, kind="data"))
    c.append(Case("from_array(complex)", lambda: from_array(X + 1j), "error", "points", kind="data"))
    c.append(Case("from_array(nan)", lambda: from_array(np.full((3, 2), np.nan)), "value", "points",
                  kind="data"))
    c.append(Case("from_array(str)", lambda: from_array(X.astype(str)), "type", "points", kind="data"))
    # the dataset analysis behind `regimes analyze`: constant data refused, duplicated data analysed
    from regimes.analysis import analyze_dataset
    c.append(Case("analyze_dataset(constant)", lambda: analyze_dataset(from_array(const), quick=True),
                  "value", "variance", kind="data"))
    c.append(Case("analyze_dataset(duplicated) Lambda",
                  lambda: analyze_dataset(from_array(dup), quick=True,
                                          sizes={"samples": 200, "pairs": 30, "trajectories": 30,
                                                 "steps": 50})
                  .summary()["Lambda"], "ok", check=close(lam_dup, 1e-9), kind="data"))
    # images of any integer range
    img255 = rng.integers(0, 256, size=(30, 4, 4)).astype(np.int64)
    ref255 = img255.reshape(30, -1) / 255.0
    ref255 = ref255 - ref255.mean()
    c.append(Case("preprocess(int64 <= 255)", lambda: preprocess(img255)[0], "ok", check=close(ref255, 1e-12),
                  kind="data"))
    for hi in (1000, 65535, 2**40, 2**62):
        img = rng.integers(0, hi, size=(30, 4, 4)).astype(np.int64)
        # integers above 8 bits: divided by 2^b - 1, b = max(16, bits of the largest value), so a
        # 16-bit image keeps its usual scale and wider integers land in [0, 1], never near zero
        def chk(r, img=img):
            b = max(16, int(img.max()).bit_length())
            ratio = (img.reshape(30, -1) - img.mean()) / float(2**b - 1)
            return np.allclose(r, ratio, rtol=1e-9, atol=1e-12) and r.std() > 1e-3
        c.append(Case(f"preprocess(int64 up to {hi})", (lambda img=img: preprocess(img)[0]), "ok",
                      check=chk, kind="data"))
    neg = rng.integers(-300, 300, size=(30, 4, 4))
    c.append(Case("preprocess(negative ints)", lambda: preprocess(neg)[0], "ok",
                  check=lambda r: np.all(np.abs(r) <= 2.0) and np.isclose(r.mean(), 0.0, atol=1e-12),
                  kind="data"))
    c.append(Case("preprocess(uint64 max)",
                  lambda: preprocess(np.full((5, 3), np.iinfo(np.uint64).max, dtype=np.uint64)
                                     - np.arange(15, dtype=np.uint64).reshape(5, 3))[0],
                  "ok", check=lambda r: np.all(np.abs(r) <= 1.0), kind="data"))
    c.append(Case("preprocess(complex)", lambda: preprocess(X + 1j), "error", "images", kind="data"))
    c.append(Case("preprocess(str)", lambda: preprocess(X.astype(str)), "error", "images", kind="data"))
    c.append(Case("preprocess(nan)", lambda: preprocess(np.where(X > 2, np.nan, X)), "value", "images",
                  kind="data"))
    # files
    good = tmp / "good.npy"
    np.save(good, rng.integers(0, 256, size=(20, 5, 5)).astype(np.uint8))
    empty = tmp / "empty.npy"
    empty.write_bytes(b"")
    trunc = tmp / "trunc.npy"
    trunc.write_bytes(good.read_bytes()[:100])
    npz = tmp / "good.npz"
    np.savez(npz, x=rng.normal(size=(10, 4)), y=np.arange(10) % 2)
    tnpz = tmp / "trunc.npz"
    tnpz.write_bytes(npz.read_bytes()[:200])
    enpz = tmp / "empty.npz"
    enpz.write_bytes(b"")
    garbage = tmp / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    badzip_member = tmp / "member.npz"
    with zipfile.ZipFile(badzip_member, "w") as z:
        z.writestr("x.npy", b"not an npy file")
    obj = tmp / "object.npy"
    np.save(obj, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    cplx = tmp / "complex.npy"
    np.save(cplx, (rng.normal(size=(10, 4)) + 1j).astype(np.complex128))
    consts = tmp / "const.npy"
    np.save(consts, np.full((10, 4), 7, dtype=np.uint8))
    nanf = tmp / "nan.npy"
    np.save(nanf, np.full((10, 4), np.nan))
    zero = tmp / "zero_rows.npy"
    np.save(zero, np.zeros((0, 4)))
    strs = tmp / "strings.npy"
    np.save(strs, np.array([["a", "b"], ["c", "d"]]))
    big = tmp / "int64big.npy"
    np.save(big, rng.integers(0, 2**40, size=(10, 3, 3)))
    for f, exp in ((empty, "value"), (trunc, "value"), (tnpz, "value"), (enpz, "value"),
                   (garbage, "value"), (badzip_member, "value"), (obj, "value"), (cplx, "error"),
                   (nanf, "value"), (zero, "value"), (strs, "error")):
        c.append(Case(f"load_path({f.name})", (lambda f=f: load_path(f)), exp, f.name, kind="data"))
    c.append(Case("load_path(const.npy) loads", lambda: load_path(consts).dataset.points, "ok",
                  check=close(np.zeros((10, 4)), 0, 1e-12), kind="data"))
    c.append(Case("load_path(int64big.npy)", lambda: load_path(big).dataset.points, "ok",
                  check=lambda r: np.all(np.abs(r) <= 1.0) and r.std() > 0.1, kind="data"))
    c.append(Case("load_path(good.npy)", lambda: load_path(good).dataset.points.shape, "ok",
                  check=lambda r: tuple(r) == (20, 25), kind="data"))
    c.append(Case("load_path(missing)", lambda: load_path(tmp / "nope.npy"), "value", "nope.npy",
                  kind="data"))
    c.append(Case("load_path(directory of nothing)", lambda: load_path(tmp / "emptydir"), "value",
                  "emptydir", kind="data"))
    (tmp / "emptydir").mkdir(exist_ok=True)
    return c


def all_cases(tmp: Path) -> list[Case]:
    return _battery() + _extremes() + _extremes_overflow() + _data_cases(Path(tmp))
