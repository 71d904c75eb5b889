"""
Verifying a derivation: a misprint of the paper
===============================================

:func:`derivations.verify` compares a user's expression with a result of the catalog: it simplifies
the difference symbolically and, if that does not settle it, evaluates both at random points with
30-digit arithmetic and returns the points where they differ.  The SI of Biroli et al. (2024)
prints the REM rate function (eq. ``fdef``) with a misplaced parenthesis, "(1 + 2 eps A)" where
"(1 + 2 eps) A" is meant; ``verify`` finds the printed form different and the corrected one equal
(``docs/theory/derivations.md`` sec. 5, ``docs/theory/dynamical-regimes.md`` sec. 5).
"""

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

from derivations import verify

D, S2 = "(1 - exp(-2*t))", "(sigma**2*exp(-2*t))"
A = f"sqrt({S2}**2 + 8*eps*{D}*({D} + {S2}))"
printed = (f"-log(4*eps*{D}/({S2} + {A}))/2"
           f" + {D}*((1 + 2*eps*{A}) + (1 - 6*eps)*{S2} - 8*eps*{D})/(2*{S2}*({S2} + {A}))")
fixed = printed.replace(f"(1 + 2*eps*{A})", f"(1 + 2*eps)*{A}")

for name, expr in [("printed", printed), ("corrected", fixed)]:
    rec = verify(expr, "rem.rate_function")
    print(f"{name:9s}: {rec.verdict} ({rec.method}), differing points: {len(rec.differences)}")

# %%
# The two forms against epsilon at t = 1, sigma = 1.
t, sigma, eps = sp.symbols("t sigma eps")
eps_grid = np.linspace(0.05, 1.0, 200)
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for name, expr, style in [("printed (SI eq. fdef)", printed, "C3--"), ("corrected", fixed, "C0-")]:
    f = sp.lambdify(eps, sp.sympify(expr, locals={"eps": eps, "t": t, "sigma": sigma}).subs(
        {t: 1, sigma: 1}), "numpy")
    ax.plot(eps_grid, f(eps_grid), style, label=name)
ax.set_xlabel(r"$\varepsilon$")
ax.set_ylabel("rate function at t = 1, sigma = 1")
ax.set_title("the misprint found by derivations.verify")
ax.legend(fontsize=8)
plt.show()
