"""``regimes citation``: the papers and equations behind a function."""

from __future__ import annotations

import argparse

from theory.citation import citation

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``citation`` subcommand."""
    cit = subparsers.add_parser("citation", help="papers and equations behind a function")
    cit.add_argument("name", nargs="?", help="function name, e.g. collapse_time")
    cit.add_argument("--bibtex", action="store_true")
    cit.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    print(citation(args.name, bibtex=args.bibtex))
    return 0
