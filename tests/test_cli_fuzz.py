"""Fuzz of every subcommand and every option of the ``regimes`` parser (introspected).

For each option of each subcommand, bad values of its kind (numbers: '', 'nan', 'inf', '-1', '0',
'1e308', 'abc', huge integers, ...; output paths: '', /proc, a folder, a path under a file,
/dev/null, ...; input files: missing, empty, truncated, complex, NaN, ...) are sent to
``regimes.cli.main`` and the result must be: exit 0 with finite, valid output (strict JSON for
``--json``), or exit 2 with exactly one stderr line ``regimes: error: ...`` naming the option; no
temporary files and no partial output left (``tests/_cli_attack.py``).  The default run takes two
values per option (one that has no valid reading, one out of range); ``-m slow`` runs them all.
"""

from __future__ import annotations

import collections

import matplotlib

matplotlib.use("Agg")

import _cli_attack as attack  # noqa: E402
import pytest  # noqa: E402

ALL = attack.fuzz_cases()
_FIRST = ("abc", "/proc/x/y.png", "/proc/x/y", "missing.npy", "bogus")
_SECOND = ("-1", "adir", "afile/sub", "trunc.npy", "")


def _representative(cases):
    groups = collections.defaultdict(list)
    for c in cases:
        groups[c.note].append(c)
    out = []
    for group in groups.values():
        value = {c.argv[-1] if not c.argv[-1].startswith("--") else c.argv[-1]: c for c in group}
        picked = [next((value[v] for v in pref if v in value), None) for pref in (_FIRST, _SECOND)]
        picked = [c for c in picked if c is not None] or group[:1]
        out.extend(dict.fromkeys(map(id, picked)) and picked)
    return out


DEFAULT = _representative(ALL)
DEFAULT_IDS = {id(c) for c in DEFAULT}
REST = [c for c in ALL if id(c) not in DEFAULT_IDS]


@pytest.fixture
def scratch(tmp_path):
    attack.setup_scratch(tmp_path)
    return tmp_path


def test_the_fuzz_covers_every_subcommand_and_option():
    import argparse

    from regimes.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    notes = {c.note for c in ALL}
    for cmd, p in sub.choices.items():
        for a in p._actions:
            if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction):
                assert f"{cmd} {max(a.option_strings, key=len)}" in notes
    assert len(ALL) >= 500 and len(DEFAULT) >= 100


@pytest.mark.parametrize("case", DEFAULT, ids=[c.label[-60:] for c in DEFAULT])
def test_fuzz(case, scratch):
    category, detail = attack.run_case(case, scratch)
    assert category == "pass", f"{category}: {detail}"


@pytest.mark.slow
@pytest.mark.parametrize("case", REST, ids=[c.label[-60:] for c in REST])
def test_fuzz_full(case, scratch):
    category, detail = attack.run_case(case, scratch)
    assert category in ("pass", "slow"), f"{category}: {detail}"
