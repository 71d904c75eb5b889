"""Sphinx configuration of the diffusion-regimes documentation.

Build with ``sphinx-build -W docs docs/_build`` from the repository root.  Environment variables:

- ``DOCS_QUICK=1``: the gallery examples run their quick mode (smaller grids and samples), which is
  what CI uses;
- ``DOCS_NO_GALLERY=1``: the gallery pages are built without running the examples (no figures).

The build needs no network: intersphinx is not used.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

os.environ.setdefault("MPLBACKEND", "Agg")

from theory import __version__  # noqa: E402

project = "diffusion-regimes"
author = "diffusion-regimes developers"
copyright = "2026, diffusion-regimes developers"  # noqa: A001
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "argparse_help",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "auto_examples/*.json",
                    "auto_examples/*.md5"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"

# -- API reference ------------------------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's members are its __all__
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- Markdown pages -------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 4
myst_dmath_double_inline = True

# -- Gallery ----------------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": "False" if os.environ.get("DOCS_NO_GALLERY") else "True",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
}

# -- HTML -------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"diffusion-regimes {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
}
html_static_path: list[str] = []

# numpydoc renames the citations of a References section; module docstrings list references
# that are not cited in the text, which is intended.
suppress_warnings = ["ref.citation"]

# A class re-exported by several public modules (validation.Dataset, validation.data.Dataset, ...) is
# documented once per public name; autodoc also registers each under its canonical name, and when
# that name goes through a private module (validation._posterior.Dataset) the registrations collide
# ("duplicate object description").  Private names are not part of the API: a canonical name with
# a private component is dropped (Sphinx >= 9 keeps it on _ClassDefProperties).
try:
    from sphinx.ext.autodoc._property_types import _ClassDefProperties
except ImportError:  # pragma: no cover - other Sphinx layouts keep their default
    _ClassDefProperties = None
if _ClassDefProperties is not None:
    _canonical = _ClassDefProperties.canonical_full_name

    def _public_canonical(self):
        name = _canonical.fget(self)
        if name and any(part.startswith("_") for part in name.split(".")):
            return None
        return name

    _ClassDefProperties.canonical_full_name = property(_public_canonical)
