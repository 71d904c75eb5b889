"""Every public function and class has numpydoc Parameters, Returns and References sections, and
every public module has an Examples section.

The sections are read by a small parser of numpydoc section headers (a title line underlined with
dashes), so the check needs no extra package.  Public callables are those ``theory.citation
.public_callables`` walks (names in the ``__all__`` of the packages and of their public modules);
References follow the exemptions of ``tests/test_citation.py`` (pure utilities cite no paper).

``python tests/test_docstrings.py`` prints what is missing, name by name.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap

import pytest

from theory.citation import public_callables

PACKAGES = ("theory", "validation", "derivations", "regimes")

_HEADER = re.compile(r"^([A-Z][A-Za-z ]+)\n-{3,}\s*$", re.M)
_PARAM = re.compile(r"^(\*{0,2}[A-Za-z_][\w]*(?:\s*,\s*\*{0,2}[A-Za-z_][\w]*)*)\s*(?::.*)?$")


def sections(doc: str | None) -> dict[str, str]:
    """The numpydoc sections of a docstring, ``{title: body}`` (body dedented)."""
    doc = inspect.cleandoc(doc or "")
    heads = list(_HEADER.finditer(doc))
    out = {}
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(doc)
        out[m.group(1).strip()] = textwrap.dedent(doc[m.end():end]).strip("\n")
    return out


def documented_names(body: str) -> set[str]:
    """Names listed at the left margin of a Parameters/Attributes section body."""
    names = set()
    for line in body.splitlines():
        if not line or line[0].isspace():
            continue
        m = _PARAM.match(line.strip())
        if m:
            for part in m.group(1).split(","):
                names.add(part.strip().lstrip("*"))
    return names


def _signature_names(obj) -> list[str]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    return [p.name for p in sig.parameters.values()
            if p.name not in ("self", "cls") and not p.name.startswith("_")
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _returns_something(func) -> bool:
    """A function returns something: a return annotation other than None, else a ``return value``
    in its source."""
    ann = inspect.signature(func).return_annotation
    if _is_generator(func):
        return True
    if ann is not inspect.Signature.empty:
        return ann not in (None, "None")
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return False
    fn = tree.body[0]
    for node in ast.walk(fn):
        if isinstance(node, ast.Return) and node.value is not None:
            return True
    return False


def _is_generator(func) -> bool:
    return inspect.isgeneratorfunction(inspect.unwrap(func))


def public_modules() -> list:
    """The packages and their public modules (names without a leading underscore)."""
    mods = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        mods.append(pkg)
        mods += [importlib.import_module(f"{pkg_name}.{m.name}")
                 for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name)
                 if not m.name.startswith("_")]
    return mods


def missing_sections() -> dict[str, list[str]]:
    """What is missing, by kind: Parameters (or some parameter names), Returns/Yields, References,
    Examples (per public module)."""
    from test_citation import _science_callables

    science = set(_science_callables())
    out: dict[str, list[str]] = {"Parameters": [], "Returns": [], "References": [], "Examples": []}
    for qual, obj in public_callables(PACKAGES).items():
        secs = sections(obj.__doc__)
        names = _signature_names(obj)
        if names:
            documented = documented_names(secs.get("Parameters", ""))
            if inspect.isclass(obj):
                documented |= documented_names(secs.get("Attributes", ""))
            absent = [n for n in names if n not in documented]
            if absent:
                out["Parameters"].append(f"{qual}: {', '.join(absent)}")
        if inspect.isfunction(obj):
            if _is_generator(obj):
                if "Yields" not in secs:
                    out["Returns"].append(f"{qual} (Yields)")
            elif _returns_something(obj) and "Returns" not in secs:
                out["Returns"].append(qual)
        if qual in science and "References" not in secs:
            out["References"].append(qual)
    for mod in public_modules():
        docs = [mod.__doc__] + [getattr(mod, a, None).__doc__ for a in getattr(mod, "__all__", ())
                                if getattr(getattr(mod, a, None), "__module__", None) == mod.__name__]
        if not any("Examples" in sections(d) and ">>>" in sections(d)["Examples"] for d in docs):
            out["Examples"].append(mod.__name__)
    return out


def test_the_walk_finds_the_public_api():
    assert len(public_callables(PACKAGES)) > 250
    assert len(public_modules()) > 50


@pytest.mark.parametrize("kind", ["Parameters", "Returns", "References", "Examples"])
def test_no_section_missing(kind):
    missing = missing_sections()[kind]
    assert missing == [], f"{len(missing)} missing {kind}: {missing}"


def test_the_parser_reads_numpydoc():
    doc = """Summary.

    Parameters
    ----------
    t, d : float
        Times.
    n : int
    **kwargs
        Passed on.

    Returns
    -------
    float
    """
    secs = sections(doc)
    assert set(secs) == {"Parameters", "Returns"}
    assert documented_names(secs["Parameters"]) == {"t", "d", "n", "kwargs"}
    # a parameter missing from the docstring is reported
    def f(t, d, n, m):
        """Summary.

        Parameters
        ----------
        t, d : float
        n : int

        Returns
        -------
        float
        """
        return t
    f.__module__ = "x"
    assert [n for n in _signature_names(f) if n not in documented_names(sections(f.__doc__)["Parameters"])] \
        == ["m"]
    assert _returns_something(f)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    print(len(public_callables(PACKAGES)), "public callables,", len(public_modules()), "public modules")
    for kind, names in missing_sections().items():
        print(f"== {kind}: {len(names)} missing")
        for n in names:
            print("  ", n)
