"""A tiny Sphinx extension: the ``argparse-help`` directive prints the help of a parser and of
each of its subcommands, walking the subparsers recursively.

Usage::

    .. argparse-help:: regimes.cli:build_parser

The argument names a module and a function that returns an :class:`argparse.ArgumentParser`.
The help text is formatted at a fixed width (88 columns) so the page does not depend on the
terminal of whoever builds the docs.
"""

from __future__ import annotations

import argparse
import importlib
import os

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

_WIDTH = "88"
_UNDERLINES = "-~^\""


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The (name, parser) pairs of the subcommands of ``parser``, in registration order."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen = set()
            for name, sub in action.choices.items():
                if id(sub) in seen:  # aliases point to the same parser
                    continue
                seen.add(id(sub))
                found.append((name, sub))
    return found


def _help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = _WIDTH
    try:
        return parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _lines(parser: argparse.ArgumentParser, title: str, depth: int) -> list[str]:
    text = _help(parser)
    out = [title, _UNDERLINES[min(depth, len(_UNDERLINES) - 1)] * len(title), "",
           ".. code-block:: text", ""]
    out += ["   " + line if line.strip() else "" for line in text.rstrip().splitlines()]
    out.append("")
    for name, sub in _subparsers(parser):
        out += _lines(sub, f"{title} {name}", depth + 1)
    return out


class ArgparseHelp(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        module_name, _, func_name = self.arguments[0].partition(":")
        parser = getattr(importlib.import_module(module_name), func_name)()
        lines = []
        # the top-level help without a title (the page has one), then one section per subcommand
        lines += [".. code-block:: text", ""]
        lines += ["   " + line if line.strip() else "" for line in _help(parser).rstrip().splitlines()]
        lines.append("")
        for name, sub in _subparsers(parser):
            lines += _lines(sub, f"{parser.prog} {name}", 0)
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source=self.arguments[0]), container)
        return container.children


def setup(app):
    app.add_directive("argparse-help", ArgparseHelp)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
