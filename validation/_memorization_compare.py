r"""Measured retention curves against the REM predictions, and their trend as d grows at fixed alpha.

The REM prediction of the retention of subspace k is :math:`\min(1, \sqrt{2\log n/v_k(t)})`; its
threshold (where it leaves 1) marks where condensation *starts*, so it is compared with the measured
onset of the loss (retention below 0.9), and the half-loss time is reported beside it.

References
----------
docs/theory/losing-dimensions.md secs. 2.2-2.6 (REM reading [D], extension sec. 2.4, Monte
Carlo caveats sec. 2.6); Achilli et al. (2024), arXiv:2410.08727.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.checks import check_scalar
from theory.manifold import (
    collapse_times,
    global_collapse_time,
    rem_retention,
    subspace_collapse_times,
    subspace_rem_retention,
)
from theory.models import LinearManifold


def crossing_time(t: np.ndarray, values: np.ndarray, level: float) -> float:
    r"""Largest time at which a curve (sampled at decreasing or increasing t) falls below ``level``.

    Scans from the largest t down; linear interpolation in :math:`\log t` between the last point
    above and the first point below.  ``nan`` if the curve never falls below, ``inf`` if it starts
    below.
    """
    order = np.argsort(-t)
    ts, vs = t[order], values[order]
    below = np.flatnonzero(vs < level)
    if below.size == 0:
        return float("nan")
    i = int(below[0])
    if i == 0:
        return float("inf")
    lt0, lt1 = np.log(ts[i - 1]), np.log(ts[i])
    frac = (vs[i - 1] - level) / (vs[i - 1] - vs[i])
    return float(np.exp(lt0 + frac * (lt1 - lt0)))


@dataclass(frozen=True)
class REMComparison:
    r"""Measured retention of each subspace against the REM predictions (all times OU).

    Attributes
    ----------
    onset_time, half_time : ndarray (K,)
        Where the measured retention falls below 0.9 and 0.5 (:func:`crossing_time`).
    predicted_time : ndarray (K,)
        Per-direction REM threshold :math:`t_C^{(k)}` with the raw stds (the authors' theory).
    predicted_time_effective : ndarray (K,) or None
        Same with the effective variances of sphere data (``None`` for Gaussian data).
    extension_time : ndarray (K,)
        Subspace-resolved extension :math:`\tfrac12\log(1 + \psi_k\sigma_k^2/(2\alpha))`, with the
        population per-coordinate variances.
    global_time_data : float
        Global collapse time (OU) of the data's own covariance: the Gaussian criterion of Biroli et
        al. eq. 5 with the population per-coordinate variances of the sampled distribution (on the
        sphere the effective variances :math:`r^2\tilde\sigma_k^2`, which sum to :math:`r^2`;
        for Gaussian data the latent variances).  On the sphere it differs from
        :attr:`theory.manifold.GeometricMemorization.global_time`, which takes the nominal
        (pre-projection) variances :math:`\sigma_k^2` as the per-direction formula does.
    predicted_retention, extension_retention : ndarray (T, K)
        :math:`\min(1, \sqrt{2\log n/v_k})` for the two readings on the measured grid.
    rms_error, rms_error_extension : ndarray (K,)
        Root-mean-square of measured minus predicted retention over the grid.
    measured_order, predicted_order : ndarray of int
        Subspaces sorted by decreasing half-loss time (measured) and by decreasing
        :math:`t_C^{(k)}`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727; the REM reading of docs/theory/losing-dimensions.md sec.
    2.2; Derrida (1981).
    """

    onset_time: np.ndarray
    half_time: np.ndarray
    predicted_time: np.ndarray
    predicted_time_effective: np.ndarray | None
    extension_time: np.ndarray
    global_time_data: float
    predicted_retention: np.ndarray
    extension_retention: np.ndarray
    rms_error: np.ndarray
    rms_error_extension: np.ndarray
    measured_order: np.ndarray
    predicted_order: np.ndarray

    def to_dict(self) -> dict:
        out = {}
        for key, val in self.__dict__.items():
            out[key] = val.tolist() if isinstance(val, np.ndarray) else val
        return out


def compare_with_rem(curves, manifold: LinearManifold, n: float,
                     onset_level: float = 0.9) -> REMComparison:
    r"""Compare measured retention curves with the per-direction REM and the sec. 2.4 extension.

    Parameters
    ----------
    curves : MemorizationCurves
        From :func:`validation.memorization.measure_memorization` (OU times).
    manifold : theory.models.LinearManifold
        The population of the data (orthonormal or rotated blocks).
    n : float
        Number of training points, ``>= 2``.
    onset_level : float
        Retention level that marks the measured onset of the loss, in (0, 1).

    Returns
    -------
    REMComparison

    Notes
    -----
    Per-direction: :math:`v_k = [gQ_4/2 + t\sigma_k^2]/t^2` (VE; g = 0 on the sphere), threshold
    :math:`t_C^{(k)}`; extension (sec. 2.4): :math:`v_k = d_k\sigma_k^2/t`, threshold
    :math:`\psi_k\sigma_k^2/(2\alpha)`.  Both predict the retention :math:`\min(1, \sqrt{2\log n
    /v_k})`.

    References
    ----------
    Achilli et al. (2024), arXiv:2410.08727;
    docs/theory/losing-dimensions.md secs. 2.2-2.6.
    """
    nn = check_scalar(n, "n", lower=2.0)
    level = check_scalar(onset_level, "onset_level", lower=0.0, upper=1.0, lower_open=True,
                         upper_open=True)
    t, ret = curves.t, curves.retention
    K = ret.shape[1]
    # the theory.manifold thresholds take per-coordinate standard deviations
    sd, dm, normalized = np.sqrt(manifold.variances), manifold.dims, manifold.on_sphere
    onset = np.array([crossing_time(t, ret[:, k], level) for k in range(K)])
    half = np.array([crossing_time(t, ret[:, k], 0.5) for k in range(K)])
    tc = collapse_times(sd, dm, nn, normalized, effective=False)     # the authors' formula
    pop_var = manifold.block_variances()  # effective variances (times radius^2) on the sphere
    tc_eff = collapse_times(np.sqrt(pop_var), dm, nn, True, effective=False) if normalized else None
    d = int(manifold.d)
    psi = dm / d
    alpha = np.log(nn) / d
    ext = subspace_collapse_times(psi, pop_var, alpha)
    glob = float(global_collapse_time(np.sqrt(pop_var), dm, nn))
    pred = rem_retention(sd, dm, nn, t, normalized)
    pred_ext = subspace_rem_retention(psi, pop_var, alpha, t)
    rms = np.sqrt(np.mean((ret - pred) ** 2, axis=0))
    rms_ext = np.sqrt(np.mean((ret - pred_ext) ** 2, axis=0))
    key = np.where(np.isnan(half), -np.inf, half)
    return REMComparison(onset, half, tc, tc_eff, ext, glob, pred, pred_ext, rms, rms_ext,
                         np.argsort(-key, kind="stable"), np.argsort(-tc, kind="stable"))
