"""Issue 13: every input of the attack set gets a correct finite result or a clear error.

The table lives in tests/_attack_api_cases.py (wrong types and NaN for every numeric parameter of
the public solvers, float64 overflow and underflow, extreme variances, chunk sizes, corrupt and
degenerate data files); benchmarks/attack_counts_api.py prints the counts by fault category.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from _attack_api_cases import all_cases, outcome

_TMP = tempfile.TemporaryDirectory(prefix="attack_api_")
CASES = all_cases(Path(_TMP.name))


def test_attack_set_is_large():
    assert len(CASES) >= 350
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_attack(case):
    category, detail = outcome(case)
    assert category == "pass", f"{category}: {detail}"
