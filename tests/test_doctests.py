"""Every Examples section of the four packages runs as a doctest in the default test run.

One test per module (public and private: a private module's examples show on the public names it
feeds).  Examples print Python floats (``float(...)``, ``round``, f-strings), so numpy 2's scalar
reprs never appear in the expected output.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("theory", "validation", "derivations", "regimes")


def _modules() -> list[str]:
    names = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        names += sorted(f"{pkg_name}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__))
    return names


_FINDER = doctest.DocTestFinder(exclude_empty=True)


def _tests(name: str) -> list[doctest.DocTest]:
    mod = importlib.import_module(name)
    # only the module's own objects: a re-exported function is tested where it is defined
    return [t for t in _FINDER.find(mod, name) if t.examples]


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # examples that write files write them here
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    tests = _tests(name)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_are_found():
    total = sum(len(t.examples) for name in MODULES for t in _tests(name))
    assert total > 100
