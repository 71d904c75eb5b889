"""Which papers and equations a computed number comes from, read from the code's own docstrings.

The single source of a citation is the numpydoc ``References`` section of the public function or
class that computes the number; :func:`citation` reads it (keyed by the qualified name
``module.qualname``) and recognises the package's three source papers in it (by arXiv number or by
first author), for their full reference and BibTeX.

``citation()`` with no argument returns the BibTeX of the three papers; ``citation(f, bibtex=True)``
the BibTeX of the papers that ``f`` cites.

References
----------
Biroli, Bonnaire, de Bortoli, Mezard (2024), arXiv:2402.18491; Achilli et al. (2024),
arXiv:2410.08727; Ventura et al. (2025), arXiv:2410.05898 (the three papers of :data:`PAPERS`).

Examples
--------
>>> from theory import citation
>>> from theory.gaussian_mixture import collapse_time
>>> print(citation(collapse_time))  # doctest: +NORMALIZE_WHITESPACE
theory.gaussian_mixture.collapse_time: Biroli et al. (2024), eq. 10 (tc_GM) and SI App. C.
docs/theory/dynamical-regimes.md sec. 3.2.
  [Biroli, Bonnaire, de Bortoli, Mezard (2024), 'Dynamical regimes of diffusion models', arXiv:2402.18491]
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Paper", "PAPERS", "citation", "references", "cited_papers", "public_callables",
           "qualified_name", "resolve"]


@dataclass(frozen=True)
class Paper:
    """Bibliographic record of one of the package's source papers.

    Parameters
    ----------
    key : str
        Short key, e.g. ``"biroli2024"``.
    short : str
        Author-year label, e.g. ``"Biroli et al. (2024)"``.
    title : str
        Title of the paper.
    arxiv : str
        arXiv number, e.g. ``"2402.18491"``.
    bibtex : str
        BibTeX entry.
    first_author : str
        Surname of the first author (used to recognise the paper in a References text).
    """

    key: str
    short: str
    title: str
    arxiv: str
    bibtex: str
    first_author: str


PAPERS: dict[str, Paper] = {
    "biroli2024": Paper(
        "biroli2024",
        "Biroli, Bonnaire, de Bortoli, Mezard (2024)",
        "Dynamical regimes of diffusion models",
        "2402.18491",
        """@article{biroli2024dynamical,
  title   = {Dynamical regimes of diffusion models},
  author  = {Biroli, Giulio and Bonnaire, Tony and de Bortoli, Valentin and M{\\'e}zard, Marc},
  journal = {Nature Communications},
  volume  = {15},
  pages   = {9957},
  year    = {2024},
  doi     = {10.1038/s41467-024-54281-3},
  eprint  = {2402.18491},
  archivePrefix = {arXiv}
}""",
        "Biroli",
    ),
    "achilli2024": Paper(
        "achilli2024",
        "Achilli, Ventura, Silvestri, Pham, Raya, Krotov, Lucibello, Ambrogioni (2024)",
        "Losing dimensions: geometric memorization in generative diffusion",
        "2410.08727",
        """@article{achilli2024losing,
  title   = {Losing dimensions: Geometric memorization in generative diffusion},
  author  = {Achilli, Beatrice and Ventura, Enrico and Silvestri, Gianluigi and Pham, Bao and
             Raya, Gabriel and Krotov, Dmitry and Lucibello, Carlo and Ambrogioni, Luca},
  journal = {arXiv preprint arXiv:2410.08727},
  year    = {2024}
}""",
        "Achilli",
    ),
    "ventura2024": Paper(
        "ventura2024",
        "Ventura, Achilli, Silvestri, Lucibello, Ambrogioni (2025)",
        "Manifolds, random matrices and spectral gaps: the geometric phases of generative diffusion",
        "2410.05898",
        """@inproceedings{ventura2025manifolds,
  title     = {Manifolds, Random Matrices and Spectral Gaps: The geometric phases of generative
               diffusion},
  author    = {Ventura, Enrico and Achilli, Beatrice and Silvestri, Gianluigi and Lucibello, Carlo
               and Ambrogioni, Luca},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year      = {2025},
  eprint    = {2410.05898},
  archivePrefix = {arXiv}
}""",
        "Ventura",
    ),
}


_SECTION = re.compile(r"^(?P<indent>[ \t]*)References[ \t]*\n(?P=indent)-{3,}[ \t]*\n", re.M)
_NEXT = re.compile(r"^[ \t]*[A-Z][A-Za-z ]+[ \t]*\n[ \t]*-{3,}[ \t]*$", re.M)


def references(obj: object) -> str:
    """The ``References`` section of ``obj``'s docstring, as one line ('' if it has none).

    Parameters
    ----------
    obj : object
        A function, class or module with a numpydoc docstring.

    Returns
    -------
    str
        The section's text on one line, double back-quotes removed, numbered entries
        (``.. [1]``) separated by "; ".
    """
    doc = inspect.getdoc(obj) or ""
    m = _SECTION.search(doc)
    if m is None:
        return ""
    body = doc[m.end():]
    nxt = _NEXT.search(body)
    body = body[:nxt.start()] if nxt else body
    body = re.sub(r"\.\. \[\w+\]\s*", "; ", body).replace("``", "")
    return " ".join(body.split()).strip("; ")


def cited_papers(text: str) -> list[Paper]:
    """The package's source papers named in a references text, in order of first mention.

    A paper is named by its arXiv number or by its first author; in an entry that lists several
    authors (e.g. "B. Achilli, E. Ventura, ..."), the first one named decides.

    Parameters
    ----------
    text : str
        A References text (e.g. :func:`references` of a function).

    Returns
    -------
    list of Paper
        The papers of :data:`PAPERS` named in ``text``, in order of first mention.
    """
    found: list[Paper] = []
    for entry in text.split(";"):
        hits = []
        for paper in PAPERS.values():
            pos = [m.start() for m in (re.search(re.escape(paper.arxiv), entry),
                                       re.search(rf"\b{paper.first_author}\b", entry)) if m]
            if pos:
                # an arXiv number beats an author name; otherwise the first author named wins
                by_arxiv = paper.arxiv in entry
                hits.append((0 if by_arxiv else 1, min(pos), paper))
        if hits:
            paper = min(hits, key=lambda h: (h[0], h[1]))[2]
            if paper not in found:
                found.append(paper)
    return found


def _is_public_callable(obj: object) -> bool:
    """A function, a class, or a wrapped function (``functools.lru_cache`` and the like)."""
    return (inspect.isfunction(obj) or inspect.isclass(obj)
            or (callable(obj) and inspect.isfunction(getattr(obj, "__wrapped__", None))))


def qualified_name(obj: object) -> str:
    """``module.qualname`` of a public function or class, with the public module that exports it.

    A function defined in a private module (``theory._gm_collapse``) is named after the public
    module, among those already imported, whose ``__all__`` lists it (``theory.gaussian_mixture``).

    Parameters
    ----------
    obj : function or class
        A public function or class of the package.

    Returns
    -------
    str
        ``"module.name"`` under its public module, e.g. ``"theory.gaussian_mixture.phi"``.
    """
    module = getattr(obj, "__module__", None) or ""
    qual = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
    if any(part.startswith("_") for part in module.split(".")):
        top = module.split(".")[0]
        for name, mod in sorted(sys.modules.items()):
            if (name.split(".")[0] == top and mod is not None
                    and not any(p.startswith("_") for p in name.split("."))
                    and qual in getattr(mod, "__all__", ()) and getattr(mod, qual, None) is obj):
                return f"{name}.{qual}"
    return f"{module}.{qual}"


def public_callables(packages: Iterable[str] = ("theory",)) -> dict[str, Callable]:
    """Every public function and class of the given packages, by qualified name.

    Walks the public modules (names without a leading underscore) of each package and takes the
    functions and classes their ``__all__`` lists; an object exported by several modules is listed
    once, under its first public module in name order.

    Parameters
    ----------
    packages : iterable of str
        Importable package names, e.g. ``("theory", "validation", "derivations")``.

    Returns
    -------
    dict
        ``{"theory.gaussian_mixture.phi": phi, ...}``.
    """
    out: dict[str, Callable] = {}
    seen: set[int] = set()
    for pkg_name in packages:
        pkg = importlib.import_module(pkg_name)
        names = [pkg_name] + sorted(
            f"{pkg_name}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
            if not m.name.startswith("_"))
        for mod_name in names:
            mod = importlib.import_module(mod_name)
            for attr in getattr(mod, "__all__", ()):
                obj = getattr(mod, attr, None)
                if _is_public_callable(obj) and id(obj) not in seen:
                    seen.add(id(obj))
                    out[f"{mod_name}.{attr}"] = obj
    return out


def resolve(name: str, packages: Iterable[str] = ("theory",)) -> Callable:
    """The function or class called ``name``: a qualified name, or a bare name unique in ``packages``.

    Parameters
    ----------
    name : str
        Qualified name (``"theory.gaussian_mixture.phi"``) or bare name (``"phi"``).
    packages : iterable of str, default ("theory",)
        Packages searched for a bare name.

    Returns
    -------
    callable
        The function or class.

    Raises
    ------
    ValueError
        If nothing has that name ("no citation recorded ...") or a bare name is ambiguous (the
        message lists the qualified names).
    """
    if "." in name:
        mod_name, _, attr = name.rpartition(".")
        try:
            obj = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError):
            obj = None
        if obj is not None and _is_public_callable(obj):
            return obj
        raise ValueError(f"no citation recorded for {name!r}: no such public function or class")
    matches = {q: o for q, o in public_callables(packages).items() if q.rsplit(".", 1)[-1] == name}
    if not matches:
        raise ValueError(f"no citation recorded for {name!r}: no public function or class of "
                         f"{', '.join(packages)} has that name")
    if len({id(o) for o in matches.values()}) > 1:
        raise ValueError(f"name {name!r} is ambiguous: give one of {', '.join(sorted(matches))}")
    return next(iter(matches.values()))


def citation(obj: Callable | str | None = None, *, bibtex: bool = False,
             packages: Iterable[str] = ("theory",)) -> str:
    """Say which papers and equations produce the numbers of ``obj``.

    Parameters
    ----------
    obj : callable or str, optional
        A public function or class, its qualified name (``"theory.gaussian_mixture.phi"``) or a
        bare name unique in ``packages``.  ``None``: the BibTeX of all three papers.
    bibtex : bool
        Return the BibTeX entries of the papers cited instead of the text.
    packages : iterable of str
        Where a bare name is looked up (default ``theory``).

    Returns
    -------
    str
        ``"<qualified name>: <References section>"`` followed by the full reference of each of
        the package's papers it names; or BibTeX.

    Raises
    ------
    ValueError
        Unknown or ambiguous name, or no References section ("no citation recorded").
    """
    if obj is None:
        return "\n\n".join(p.bibtex for p in PAPERS.values())
    fun = resolve(obj, packages) if isinstance(obj, str) else obj
    name = qualified_name(fun)
    text = references(fun)
    if not text:
        raise ValueError(f"no citation recorded for {name!r}: its docstring has no References "
                         "section")
    papers = cited_papers(text)
    if bibtex:
        return "\n\n".join(p.bibtex for p in papers)
    lines = [f"{name}: {text}"] + [f"  [{p.short}, '{p.title}', arXiv:{p.arxiv}]" for p in papers]
    return "\n".join(lines)
