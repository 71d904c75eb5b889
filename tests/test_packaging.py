"""Packaging: license, one version source, py.typed markers, CITATION.cff, declared dependencies."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import regimes
import theory

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
PACKAGES = PYPROJECT["tool"]["setuptools"]["packages"]


def test_license_file_and_spdx_string():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 diffusion-regimes developers" in text
    assert PROJECT["license"] == "MIT"                  # an SPDX expression, not a table
    assert PROJECT["license-files"] == ["LICENSE"]
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])   # PEP 639
    requires = PYPROJECT["build-system"]["requires"]
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77 for r in requires)


def test_one_version_source():
    assert "__version__ =" not in (ROOT / "theory" / "__init__.py").read_text().replace(
        "__version__ = \"0+unknown\"", "")
    assert regimes.__version__ == theory.__version__
    try:
        installed = version("diffusion-regimes")
    except PackageNotFoundError:
        assert theory.__version__ == "0+unknown"
        pytest.skip("diffusion-regimes is not installed: no metadata to compare")
    assert theory.__version__ == installed
    assert installed == PROJECT["version"]


def test_citation_cff_cites_the_software_and_the_papers():
    text = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^version: (\S+)$", text, re.M).group(1) == PROJECT["version"]
    assert re.search(r"^type: software$", text, re.M)
    assert re.search(r"^license: MIT$", text, re.M)
    for arxiv in ("2402.18491", "2410.08727", "2410.05898"):
        assert f"arXiv:{arxiv}" in text


def test_python_and_tool_targets_agree():
    assert PROJECT["requires-python"] == ">=3.11"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py311"
    versions = {c.rsplit(":: ", 1)[1] for c in PROJECT["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert min(versions, key=lambda v: tuple(map(int, v.split(".")))) == "3.11"


def test_dependencies_declared_with_lower_bounds():
    names = {re.split(r"[<>=!~\[ ]", dep, maxsplit=1)[0].lower(): dep for dep in PROJECT["dependencies"]}
    for name in ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "pillow"):
        assert name in names, f"{name} is not declared"
        assert ">=" in names[name], f"{name} has no lower bound"


@pytest.mark.parametrize("package", PACKAGES)
def test_py_typed_marker(package):
    assert (ROOT / package / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["*"]
