"""
Deriving for a new model
========================

The symbolic layer takes a model: :class:`derivations.SymbolicMixture` describes a mixture with
symbolic or numeric parameters, and the derivations expand its noised density.  Two classes with
unequal weights w and 1 - w get a field (a linear term) and a cubic term in the Landau potential of
the class coordinate, so the pitchfork of the symmetric mixture becomes a crossover
(:func:`derivations.landau_coefficients`, :func:`derivations.landau_potential`), and
:func:`derivations.collapse_time` solves the collapse condition of the model
(``docs/theory/derivations.md`` sec. 4).
"""

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp

from derivations import SymbolicMixture, collapse_time, landau_coefficients, landau_potential

w = sp.Symbol("w", positive=True)
model = SymbolicMixture.symmetric(weight=w)
c = landau_coefficients(model, order=3)
print("linear coefficient:", sp.factor(c[0]))
lp = landau_potential(model)
print("nature:", lp.nature)
print("instability time:", lp.instability_time)

# %%
# The instability time against the weight, for d = 256, mu~ = sigma = 1: the between-class
# eigenvalue 4 w (1 - w) d mu~^2 shrinks as the classes become unbalanced.
free = {s.name: s for s in lp.instability_time.free_symbols}
t_inst = sp.lambdify(free["w"], lp.instability_time.subs(
    {free[k]: v for k, v in {"d": 256, "mu_tilde": 1, "sigma": 1}.items() if k in free}), "numpy")
weights = np.linspace(0.02, 0.5, 200)

# %%
# The collapse time of a three-class mixture with a symbolic class variance s2, as a function of
# alpha = log(n)/d.
s2 = sp.Symbol("s2", positive=True)
tc = collapse_time(SymbolicMixture([[1], [-1], [3]], covariance=s2))
print("t_C(alpha) =", tc)
alpha_sym = [s for s in tc.free_symbols if s.name == "alpha"][0]
alphas = np.linspace(0.01, 1.0, 200)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.plot(weights, t_inst(weights))
ax1.set_xlabel("class weight w")
ax1.set_ylabel("instability time of the origin")
ax1.set_title("two unequal classes, d = 256 (derived)")
for v in (0.5, 1.0, 4.0):
    ax2.plot(alphas, sp.lambdify(alpha_sym, tc.subs(s2, v), "numpy")(alphas), label=f"s2 = {v}")
ax2.set_xlabel(r"$\alpha = \log(n)/d$")
ax2.set_ylabel(r"$t_C$")
ax2.set_title("collapse time of a 3-class mixture (derived)")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()
