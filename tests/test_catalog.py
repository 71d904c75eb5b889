"""The catalog of derived results: every numeric function exists, every cross-checked entry has
its cross-layer test, every generated entry's function calls the generated module."""

from __future__ import annotations

import importlib
import inspect

import pytest

from derivations import ASSUMPTIONS, STATUSES, catalog, catalog_entry, catalog_table


def _resolve(qualname: str):
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(qualname)


def test_every_numeric_function_exists():
    missing = []
    for entry in catalog():
        if entry.numeric is None:
            assert entry.status == "derived", entry.name
            continue
        try:
            obj = _resolve(entry.numeric)
        except (ImportError, AttributeError):
            missing.append(entry.numeric)
            continue
        assert callable(obj), entry.numeric
    assert missing == []


def test_every_cross_checked_entry_has_a_test():
    from test_cross_layer import CHECKED

    names = {e.name for e in catalog()}
    assert CHECKED <= names, f"stale names in test_cross_layer: {sorted(CHECKED - names)}"
    untested = sorted(e.name for e in catalog() if e.status == "cross-checked" and e.name not in CHECKED)
    assert untested == [], f"cross-checked entries without a cross-layer test: {untested}"


def test_generated_entries_call_the_generated_module():
    import theory._generated_closed_forms as gen

    generated = [e for e in catalog() if e.status == "generated"]
    assert len(generated) >= 5
    for entry in generated:
        func = _resolve(entry.numeric)
        source = inspect.getsource(inspect.getmodule(func))
        assert "_generated_closed_forms" in source, entry.numeric
    assert set(gen.__all__) >= {"collapse_time_of_alpha", "half_log_delta_over_gamma",
                                "signal_to_noise"}


def test_entries_are_well_formed_and_cover_the_papers():
    entries = catalog()
    assert len({e.name for e in entries}) == len(entries)
    for e in entries:
        assert e.status in STATUSES and set(e.assumptions) <= set(ASSUMPTIONS)
        assert e.derivation.startswith("derivations.")
    papers = " ".join(e.paper for e in entries)
    for arxiv in ("2402.18491", "2410.08727", "2410.05898"):
        assert arxiv in papers
    # the closed forms the issue names go through one of the two routes
    for name in ("collapse.time_of_alpha", "speciation.t_lambda", "speciation.t_paper",
                 "speciation.phi_integrand", "collapse.excess_entropy", "spectral.stieltjes_coefficients"):
        assert catalog_entry(name).status in ("generated", "cross-checked"), name
    table = catalog_table()
    assert table.count("\n") == len(entries) + 1


def test_unknown_name():
    with pytest.raises(ValueError, match="valid names"):
        catalog_entry("nope")


def test_docs_page_holds_the_table_and_its_examples_run():
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "theory" / "derivations.md"
    assert catalog_table() in page.read_text(), "regenerate the table: derivations.catalog_table()"
    res = doctest.testfile(str(page), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted >= 30
