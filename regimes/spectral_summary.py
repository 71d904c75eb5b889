r"""Jacobian spectra of a latent-variance law or of a dataset's covariance spectrum, as plain records.

The numbers behind ``regimes spectrum --law`` / ``--spectrum FILE`` / ``--dataset``: each function
returns a dictionary (NumPy arrays inside; :func:`regimes._cli_spectrum` turns it into strict JSON)
with a ``"sources"`` entry naming, for every quantity, the function that computes it and the paper
and equation it comes from (read by :func:`theory.citation.citation` from that function's References).

Examples
--------
>>> import numpy as np
>>> from theory.spectral import power_law
>>> from regimes.spectral_summary import data_spectrum_summary, law_spectrum_summary
>>> r = law_spectrum_summary(power_law(1.0, 40, 0.4), np.geomspace(1e-3, 3, 5))
>>> len(r["bulks"]), r["law"]["groups"], "bulks" in r["sources"]
(3, 40, True)
>>> d = data_spectrum_summary([4.0, 1.0, 0.25, 0.0], [0.1, 1.0], n=100)
>>> d["prediction"]["count"].tolist(), round(d["collapse_time"], 4)
([3, 0], 0.0246)

References
----------
Ventura et al. (2025), arXiv:2410.05898, secs. 6.2-6.3, 8 and Fig. 3; Biroli et al. (2024),
arXiv:2402.18491, eq. 5; ``docs/theory/spectral-gaps.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from theory.checks import check_array, check_scalar
from theory.citation import citation
from theory.spectral import (
    VarianceLaw,
    as_groups,
    bulks,
    gap_structure,
    intermediate_gaps,
    manifold_gap,
    phase_boundaries,
    predict_jacobian_spectrum,
    sample_covariance_bulks,
    spike_weight,
    tangent_dimension_count,
)
from theory.timemap import ve_variance
from validation.spectral import sample_b_eigenvalues

__all__ = ["law_spectrum_summary", "law_monte_carlo", "data_spectrum_summary"]


def _sources(**funs: Callable) -> dict[str, str]:
    return {key: citation(fun) for key, fun in funs.items()}


def law_spectrum_summary(law: VarianceLaw, t: ArrayLike, threshold: float = 0.1,
                         K: int | None = None) -> dict:
    r"""Bulks, edges, gaps and phases of the Jacobian spectrum of a latent-variance law.

    Parameters
    ----------
    law : theory.spectral.VarianceLaw
        E.g. :func:`theory.spectral.named_law` or :func:`theory.spectral.from_values`.
    t : array_like
        OU times > 0 of the gap-structure grid (flattened).
    threshold : float
        Visibility threshold :math:`\Delta \in (0, 0.5)` of the gaps (units of :math:`\mu`).
    K : int, optional
        Groups of the quantile discretisation (the law's default if None).

    Returns
    -------
    dict
        ``law`` (name, fraction, groups, variance range), ``spike_weight``, ``bulks`` (lower, upper,
        mass, groups, variance range of its groups), ``edges``, ``manifold_gap``, ``gaps`` (one per
        gap of the support of B: its edges a < b, peak ``height`` at ``s_max`` / ``t_max``, and,
        when the peak exceeds the threshold, the times ``t_open > t_close`` between which it does;
        ``visible`` False and NaN times otherwise), ``phase_boundaries``, ``gap_structure`` (``t``,
        ``s``, ``manifold``, ``gaps`` (J - 1, T), ``visible`` (T,)) and ``sources``.

    Notes
    -----
    The gaps of the support are the detached pairs of :func:`theory.spectral.intermediate_gaps`
    (the gap between consecutive groups k, k + 1 is nonzero exactly when the bulks split there), so
    the peak :math:`s_{max} = \sqrt{ab}`, height :math:`(\sqrt b - \sqrt a)/(\sqrt b + \sqrt a)`
    and the opening and closing times are exact (eqs. 18-22), not read off the grid.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, eqs. 15-18, 20-22, secs. 5-6 and Fig. 3;
    ``docs/theory/spectral-gaps.md`` secs. 2.2-2.6.
    """
    thr = check_scalar(threshold, "threshold", lower=0.0, upper=0.5, lower_open=True,
                       upper_open=True)
    f, v = law.groups(K)
    grp = as_groups(f, v)
    blist = bulks(grp.fractions, grp.variances)
    gs = gap_structure(t, grp.fractions, grp.variances, thr)
    detached = [g for g in intermediate_gaps(grp.fractions, grp.variances, thr) if g.detached]
    gaps = []
    for j, g in enumerate(detached):
        rec = {"between_bulks": [j, j + 1], "a": g.a, "b": g.b, "s_max": g.s_max, "t_max": g.t_max,
               "tau_ve_max": g.tau_ve_max, "height": g.height, "visible": bool(g.height > thr),
               "s_open": g.s_open, "s_close": g.s_close, "t_open": g.t_open, "t_close": g.t_close}
        gaps.append(rec)
    return {
        "law": {"name": law.name, "fraction": law.fraction, "groups": int(f.size),
                "distinct_variances": int(grp.variances.size),
                "variance_range": [float(v.min()), float(v.max())]},
        "spike_weight": spike_weight(grp.fractions, grp.variances),
        "bulks": [{"lower": b.lower, "upper": b.upper, "mass": b.mass, "groups": len(b.groups),
                   "variance_range": [float(grp.variances[b.groups[0]]),
                                      float(grp.variances[b.groups[-1]])]} for b in blist],
        "edges": [e for b in blist for e in (b.lower, b.upper)],
        "manifold_gap": manifold_gap(grp.fractions, grp.variances, thr)._asdict(),
        "gaps": gaps,
        "phase_boundaries": phase_boundaries(grp.fractions, grp.variances, thr)._asdict(),
        "gap_structure": {"threshold": thr, "t": gs.t, "s": gs.s, "manifold": gs.manifold,
                          "gaps": gs.gaps, "visible": gs.visible},
        "sources": _sources(law=VarianceLaw.groups, spike_weight=spike_weight, bulks=bulks,
                            edges=bulks, manifold_gap=manifold_gap, gaps=intermediate_gaps,
                            phase_boundaries=phase_boundaries, gap_structure=gap_structure),
    }


def law_monte_carlo(law: VarianceLaw, d: int, t: ArrayLike, rng=None) -> dict:
    r"""Eigenvalues of B sampled at dimension d for a law, and the eigenvalue count of every bulk.

    Parameters
    ----------
    law : theory.spectral.VarianceLaw
    d : int
        Ambient dimension (10 to 20000); the law is discretised into :math:`m = \mathrm{round}(fd)`
        groups of one latent direction each.
    t : array_like
        OU times of the normalised spectra ``mu``.
    rng : int, None or numpy.random.Generator

    Returns
    -------
    dict
        ``d``, ``m``, ``eigenvalues`` (d,) ascending, ``t`` and ``mu`` (T, d), ``bulks`` (the
        theory's bulks at K = m), ``bulk_counts``: per bulk the predicted number of eigenvalues
        :math:`d \cdot \mathrm{mass}` and the sampled number between the midpoints of the
        neighbouring gaps, ``outside_support`` (sampled nonzero eigenvalues outside every bulk)
        and ``largest_excursion`` (their largest distance to the support, relative to its width).

    Notes
    -----
    Exact separation: for large d, each detached bulk holds exactly its groups' share of the d
    eigenvalues, so ``predicted == sampled`` bulk by bulk, and the eigenvalues leave the support
    only by the :math:`O(d^{-2/3})` edge fluctuations.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, sec. 6 (random linear manifold);
    Z. D. Bai, J. W. Silverstein, Ann. Probab. 26 (1998) 316 (exact separation);
    ``docs/theory/spectral-gaps.md`` sec. 3.3.
    """
    dd = int(check_scalar(d, "d", lower=10, upper=20000, integer=True))
    m = max(1, round(law.fraction * dd))
    f, v = law.groups(m)
    ta = check_array(t, "t", lower=0.0, lower_open=True).reshape(-1)
    lam = sample_b_eigenvalues(dd, f, v, rng=rng)[0]
    grp = as_groups(f, v)
    blist = bulks(grp.fractions, grp.variances)
    nz = lam[lam > 0]
    cuts = [0.0] + [0.5 * (a.upper + b.lower) for a, b in zip(blist[:-1], blist[1:], strict=True)]
    cuts.append(np.inf)
    counts = [{"predicted": b.mass * dd,
               "sampled": int(np.sum((nz > cuts[j]) & (nz <= cuts[j + 1])))}
              for j, b in enumerate(blist)]
    inside = np.zeros(nz.size, dtype=bool)
    dist = np.full(nz.size, np.inf)
    for b in blist:
        inside |= (nz >= b.lower) & (nz <= b.upper)
        dist = np.minimum(dist, np.maximum(b.lower - nz, nz - b.upper))
    width = blist[-1].upper - blist[0].lower
    s = np.asarray(ve_variance(ta))[:, None]
    return {"d": dd, "m": int(m), "eigenvalues": lam, "t": ta, "mu": s / (s + lam[None, :]),
            "bulks": blist, "bulk_counts": counts, "outside_support": int(np.sum(~inside)),
            "largest_excursion": float(np.max(np.clip(dist, 0.0, None)) / width) if nz.size else 0.0}


def data_spectrum_summary(eigenvalues: ArrayLike, t: ArrayLike, n: int | None = None,
                          d: int | None = None, threshold: float = 0.5,
                          gap_threshold: float = 0.1) -> dict:
    r"""Predicted Jacobian spectrum, tangent-dimension count and gaps of a covariance spectrum.

    Parameters
    ----------
    eigenvalues : array_like, shape (p,)
        Covariance eigenvalues >= 0 (a dataset's, or any population spectrum).
    t : array_like
        OU times > 0 (flattened).
    n : int, optional
        Number of data points: adds the collapse time :math:`t_C` of n Gaussian points with this
        spectrum, the count at :math:`t_C`, and the support of the sample covariance of n points
        (n - 1 degrees of freedom) with this population spectrum.
    d : int, optional
        Ambient dimension >= p (the spectrum is padded with zeros; it enters :math:`t_C`).
    threshold : float
        Count threshold in (0, 1): a direction is tangent when :math:`\mu < \theta`.
    gap_threshold : float
        Gap threshold of :func:`theory.spectral.estimate_dimensions`.

    Returns
    -------
    dict
        ``spectrum`` (p, positive count, range, trace; values below :math:`p\,\epsilon\max_i
        \lambda_i` count as zeros, as in :func:`theory.spectral.gaussian_jacobian_spectrum`),
        ``prediction`` (``t``, ``s``, ``count``,
        ``gap_dimension``, ``largest_gap``), ``threshold``, ``gap_threshold``, ``collapse_time``
        and ``count_at_collapse`` (NaN / None without n), ``sample_covariance`` (None without n:
        ``n_samples``, ``bulks``, ``single_eigenvalue_bulks``: the population eigenvalues that
        n points resolve one by one) and ``sources``.

    Notes
    -----
    :math:`\mu_i = s/(s + \lambda_i)`, :math:`s = e^{2t} - 1`; count
    :math:`\#\{\lambda_i > s(1-\theta)/\theta\}`; :math:`t_C` from the excess entropy of n Gaussian
    points (Biroli et al. 2024, eq. 5); sample covariance by the generalised Marchenko-Pastur law.

    References
    ----------
    Ventura et al. (2025), arXiv:2410.05898, secs. 4.1 and 8; Achilli et al. (2024),
    arXiv:2410.08727; Biroli et al. (2024), arXiv:2402.18491, eq. 5; J. W. Silverstein, Z. D. Bai,
    J. Multivariate Anal. 54 (1995) 175.
    docs/theory/spectral-gaps.md sec. 3.3.
    """
    lam = check_array(eigenvalues, "eigenvalues", ndim=1)
    pred = predict_jacobian_spectrum(lam, t, n=n, d=d, threshold=threshold,
                                     gap_threshold=gap_threshold)
    pos = np.sort(np.clip(lam, 0.0, None))
    pos = pos[pos > pos.size * np.finfo(float).eps * pos.max()]      # round-off zeros dropped
    out = {
        "spectrum": {"p": int(lam.size), "positive": int(pos.size),
                     "range": [float(pos.min()), float(pos.max())], "trace": float(pos.sum())},
        "prediction": {"t": pred.t, "s": pred.s, "count": pred.count,
                       "gap_dimension": pred.gap_dimension, "largest_gap": pred.largest_gap},
        "threshold": pred.threshold, "gap_threshold": pred.gap_threshold,
        "n": pred.n, "collapse_time": pred.collapse_time, "count_at_collapse": None,
        "sample_covariance": None,
    }
    sources = {"prediction": predict_jacobian_spectrum, "collapse_time": predict_jacobian_spectrum}
    if pred.n is not None:
        if np.isfinite(pred.collapse_time) and pred.collapse_time > 0:
            out["count_at_collapse"] = int(tangent_dimension_count(lam, pred.collapse_time,
                                                                   pred.threshold))
            sources["count_at_collapse"] = tangent_dimension_count
        blist = sample_covariance_bulks(lam, pred.n - 1)
        out["sample_covariance"] = {
            "n_samples": pred.n - 1,
            "bulks": [{"lower": b.lower, "upper": b.upper, "mass": b.mass,
                       "eigenvalues": len(b.groups)} for b in blist],
            "single_eigenvalue_bulks": int(sum(len(b.groups) == 1 for b in blist))}
        sources["sample_covariance"] = sample_covariance_bulks
    out["sources"] = _sources(**sources)
    return out
