"""``regimes citation``: the papers and equations behind a function."""

from __future__ import annotations

import argparse

from theory.citation import citation

__all__ = ["register", "PACKAGES"]

#: where a bare name is looked up
PACKAGES = ("theory", "validation", "derivations", "regimes")


def register(subparsers) -> None:
    """Add the ``citation`` subcommand."""
    cit = subparsers.add_parser(
        "citation", help="papers and equations behind a function",
        description="Print the References of a public function or class (read from its docstring) "
                    "and the papers it names; without NAME, the BibTeX of the three papers.")
    cit.add_argument("name", nargs="?",
                     help="qualified name (theory.gaussian_mixture.collapse_time) or a bare name "
                          "that is unique in theory, validation, derivations and regimes")
    cit.add_argument("--bibtex", action="store_true")
    cit.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    print(citation(args.name, bibtex=args.bibtex, packages=PACKAGES))
    return 0
