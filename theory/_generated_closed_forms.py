"""Closed forms printed from the sympy derivations (generated: do not edit).

Regenerate with ``python -m derivations.generate``; ``tests/test_generated.py`` regenerates this
module and fails on any difference.  Every time enters through the time-map kernels of
:mod:`theory.timemap`; a body made only of arithmetic and those kernels accepts numpy values and
mpmath numbers alike.
"""

from __future__ import annotations

import numpy as np

from .timemap import _alphabar, _delta, _ou_from_ve, _ve

__all__ = ["collapse_time_of_alpha", "half_log_delta_over_gamma", "signal_to_noise", "rem_cgf",
           "rem_energy", "t_star"]


def collapse_time_of_alpha(alpha, sigma):
    """Collapse time t_C(alpha, sigma) of the isotropic mixture, eq. 10.

    Generated from ``derivations.spectrum_rem().collapse_time``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 10 (``tc_GM``) and SI App. C.
    """
    return _ou_from_ve(sigma**2/_ve(alpha))


def half_log_delta_over_gamma(t, sigma):
    """1/2 log(Delta_t/Gamma_t) = -f_t(1/2); f^e = max(0, alpha + this).

    Generated from ``-derivations.spectrum_rem().rate_at_half``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C and eq. 5 (``crit-coll``).
    """
    return -_ou_from_ve(sigma**2/_ve(t))


def signal_to_noise(t, d, mu_tilde, sigma):
    """r_t = d mu~^2 e^{-2t}/Gamma_t, mean and variance of the class logit (eq. 6).

    Generated from ``derivations.cloning_integrand().signal_to_noise``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eq. 6 (``phi_GM``).
    """
    return d*mu_tilde**2/(sigma**2 + _ve(t))


def rem_cgf(lam, t, sigma):
    """REM cumulant generating function g_t(lambda).

    Generated from ``derivations.rem_collapse().cgf``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C.
    """
    _x0 = _delta(t)
    _x1 = sigma**2*_alphabar(t)
    _x2 = _x1*lam
    return -0.5*lam*(_x0 + _x1)/(_x0 + _x2) - _ou_from_ve(_x2/_x0)


def rem_energy(lam, t, sigma):
    """Saddle-point energy epsilon*(lambda) = -g_t'(lambda) (corrected numerator).

    Generated from ``derivations.rem_collapse().energy``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, SI App. C (lambda sigma_t^4 corrected).
    """
    _x0 = _delta(t)
    _x1 = _alphabar(t)
    _x2 = _x1*sigma**2
    return (0.5)*(_x0**2 + 2*_x0*_x2 + _x1**2*lam*sigma**4)/(_x0 + _x2*lam)**2


def t_star(d, mu_tilde):
    """t* = 1/2 log(2 d mu~^2), where the regime-I drift potential loses its curvature.

    Generated from ``derivations.landau_potential().t_star_large_d``.

    References
    ----------
    Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491, eqs. 7-8 and SI App. B.2.
    """
    return (0.5)*np.log(2*d*mu_tilde**2)
