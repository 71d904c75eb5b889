"""The gallery: every example script has a title and is collected by sphinx-gallery (no execution).

The examples themselves run in the documentation build (``sphinx-build -W docs docs/_build``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
# the pattern of docs/conf.py (sphinx_gallery_conf["filename_pattern"]), read from the file so the
# test follows the configuration
_PATTERN = re.search(r'"filename_pattern":\s*r?"([^"]+)"', (ROOT / "docs" / "conf.py").read_text()).group(1)


def test_gallery_has_ten_examples_and_a_header():
    assert (EXAMPLES / "README.rst").is_file()
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_example_has_title_and_is_collected(path):
    doc = ast.get_docstring(ast.parse(path.read_text()))
    assert doc, f"{path.name} has no module docstring"
    lines = doc.strip().splitlines()
    # a reStructuredText title: text, then an underline of '=' at least as long
    assert len(lines) >= 3 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0]), path.name
    assert lines[2].strip() == "" and len(lines) > 3, f"{path.name}: title without a description"
    # sphinx-gallery runs a script when the pattern matches its path
    assert re.search(_PATTERN, str(path)), f"{path.name} does not match {_PATTERN!r}"


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_example_uses_public_api_and_draws(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert not any(part.startswith("_") for part in node.module.split(".")), \
                f"{path.name} imports the private module {node.module}"
            assert not any(a.name.startswith("_") for a in node.names), \
                f"{path.name} imports a private name from {node.module}"
    source = path.read_text()
    assert "plt.show()" in source, f"{path.name} draws no figure"
