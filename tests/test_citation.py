"""Citations come from one source, the References section of each public docstring."""

from __future__ import annotations

import re

import pytest

from theory.citation import PAPERS, citation, cited_papers, public_callables, qualified_name, references

PACKAGES = ("theory", "validation", "derivations", "regimes")

#: modules with no paper quantity in them: the ground floor, the citation machinery, the command
#: line, figures and run bookkeeping
EXEMPT_MODULES = ("theory.checks", "theory.files", "theory.progress", "theory.mp", "theory.citation",
                  "theory.estimate", "regimes.cli", "regimes.runs", "regimes.figures",
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
