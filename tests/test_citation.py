"""Citations come from one source, the References section of each public docstring."""

from __future__ import annotations

import re

import pytest

from theory.citation import PAPERS, citation, cited_papers, public_callables, qualified_name, references

PACKAGES = ("theory", "validation", "derivations", "regimes")

#: modules with no paper quantity in them: the ground floor, the citation machinery, the command
#: line, figures and run bookkeeping
EXEMPT_MODULES = ("theory.checks", "theory.files", "theory.progress", "theory.mp", "theory.citation",
                  "theory.estimate", "validation.backend", "validation.sweep", "regimes.cli", "regimes.runs",
                  "regimes.figures",
                  "regimes.manifold_figures", "regimes.spectral_figures", "regimes.analysis_figure")
#: pure utilities re-exported by science modules: input validation, data containers and loaders
EXEMPT_NAMES = {"theory.citation", "theory.manifold.check_subspaces", "theory.spectral.as_groups",
                "validation.Dataset", "validation.from_array", "validation.ImageData",
                "validation.load_path", "validation.datasets.select_classes"}
_AUTHOR_YEAR = re.compile(r"[A-Z][A-Za-z'\-]+.{0,80}?\b(19|20)\d{2}\b")


def _science_callables() -> dict:
    out = {}
    for qual, obj in public_callables(PACKAGES).items():
        module = getattr(obj, "__module__", "")
        if qual in EXEMPT_NAMES or any(qual.startswith(m + ".") or module == m for m in EXEMPT_MODULES):
            continue
        out[qual] = obj
    return out


def test_every_public_science_callable_cites_a_paper():
    callables = _science_callables()
    assert len(callables) > 150          # the walk found the packages' public API
    missing = [q for q, o in callables.items() if not references(o)]
    assert missing == [], f"no References section: {missing}"
    unnamed = [q for q, o in callables.items()
               if not cited_papers(references(o)) and not _AUTHOR_YEAR.search(references(o))]
    assert unnamed == [], f"References naming no paper: {unnamed}"


def test_citation_reads_the_docstring():
    from theory.gaussian_mixture import collapse_time, phi
    from validation.estimators import phi_identity

    text = citation(collapse_time)
    assert text.splitlines()[0] == ("theory.gaussian_mixture.collapse_time: "
                                    + references(collapse_time))
    assert "eq. 10" in text and "arXiv:2402.18491" in text
    assert qualified_name(phi) == "theory.gaussian_mixture.phi"
    assert citation("theory.gaussian_mixture.phi") == citation(phi)
    assert citation(phi_identity, bibtex=True) == PAPERS["biroli2024"].bibtex
    assert citation().count("@") == 3


def test_cited_papers_by_arxiv_or_first_author():
    assert cited_papers("Achilli et al. (2024), sec. 2; Ventura et al. (2025), eq. 9") == [
        PAPERS["achilli2024"], PAPERS["ventura2024"]]
    # several authors named: the first one decides; an arXiv number beats a name
    assert cited_papers("B. Achilli, E. Ventura, G. Silvestri (2024)") == [PAPERS["achilli2024"]]
    assert cited_papers("E. Ventura, B. Achilli, arXiv:2410.08727") == [PAPERS["achilli2024"]]
    assert cited_papers("Song et al. (2021), VE SDE") == []


def test_unknown_and_ambiguous_names():
    with pytest.raises(ValueError, match="no citation recorded"):
        citation("bogus")
    with pytest.raises(ValueError, match="no citation recorded"):
        citation("theory.timemap.bogus")
    # the same bare name in two modules is refused with the qualified names
    with pytest.raises(ValueError, match="ambiguous.*derivations.*empirical_score_jacobian"):
        citation("empirical_score_jacobian", packages=("validation", "derivations"))


_POINTER = re.compile(r"(?:docs/theory/)?"
                      r"(dynamical-regimes|losing-dimensions|spectral-gaps|models|finite-size)"
                      r"\.md,? (?:(?:secs?\.|sections?) ?)?((?:\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?"
                      r"(?:,? (?:and )?|, )?)+)")


def test_docs_pointers_resolve():
    """Every ``docs/theory/<page>.md sec. X`` in the code names a page and a section that exist."""
    import pathlib
    import subprocess

    root = pathlib.Path(__file__).resolve().parents[1]
    pages = {p.stem: p.read_text() for p in (root / "docs" / "theory").glob("*.md")}
    assert (root / "docs" / "architecture.md").is_file()
    files = subprocess.run(["git", "ls-files", "*.py", "*.md"], cwd=root, capture_output=True,
                           text=True).stdout.split()
    bad = []
    for name in files:
        text = (root / name).read_text()
        if "docs/theory/" not in text:
            continue
        flat = re.sub(r"\s*\n\s*(?:#\s*)?", " ", text)
        for m in re.finditer(r"docs/theory/([a-z-]+)\.md", flat):
            if m.group(1) not in pages:
                bad.append(f"{name}: no page {m.group(1)}.md")
        for m in _POINTER.finditer(flat):
            page = pages.get(m.group(1), "")
            for sec in re.findall(r"\d+(?:\.\d+)?", m.group(2)):
                if not re.search(rf"^#+ {re.escape(sec)}[. ]", page, re.M):
                    bad.append(f"{name}: {m.group(1)}.md has no section {sec}")
    assert bad == []


def test_no_pointer_outside_the_repository():
    """Docstrings and comments point to the package's own docs, never to reference sheets kept
    outside the repository."""
    import pathlib
    import subprocess

    root = pathlib.Path(__file__).resolve().parents[1]
    files = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.toml", "*.cff"], cwd=root,
                           capture_output=True, text=True).stdout.split()
    pattern = re.compile(r"theory[ -]sheet|\bsheets?\b|shared/theory|\.\./shared", re.I)
    bad = [f"{name}:{i}" for name in files if name != "tests/test_citation.py"
           for i, line in enumerate((root / name).read_text().splitlines(), start=1)
           if pattern.search(line)]
    assert bad == []
    assert not [q for q, o in public_callables(PACKAGES).items() if pattern.search(references(o))]
