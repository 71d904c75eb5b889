"""The ``regimes`` command line: a thin layer over the Python API.

Each subcommand lives in a module ``regimes/_cli_<name>.py`` that exposes ``register(subparsers)``:
it adds its parser and names its handler with ``set_defaults(handler=...)`` (a handler returns the
exit status).  The subcommands are found by name, so adding one touches nothing else.  Bad input
exits with status 2 and a one-line message naming the parameter and its accepted range.

Examples
--------
>>> import contextlib, io, json
>>> from regimes.cli import main
>>> out = io.StringIO()
>>> with contextlib.redirect_stdout(out):
...     status = main(["gm", "--d", "1024", "--n", "20000", "--json", "--no-plot"])
>>> status, round(json.loads(out.getvalue())["t_collapse"], 4)
(0, 1.9775)
"""

from __future__ import annotations

import argparse
import importlib
import math
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from theory import __version__

__all__ = ["main", "build_parser"]


def _subcommand_modules() -> list:
    """The modules ``regimes/_cli_*.py``, in name order."""
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("_cli_"))
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``regimes`` (exposed for the documentation and the tests).

    Returns
    -------
    argparse.ArgumentParser
        The parser with every subcommand registered.
    """
    parser = argparse.ArgumentParser(
        prog="regimes",
        description="Statistical-physics theory of generative diffusion: speciation and collapse "
                    "times, phase diagrams (OU time convention, alpha = log(n)/d).")
    parser.add_argument("--version", action="version", version=f"regimes {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``regimes`` console script; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0 on success).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    for name in ("d", "n", "mu_tilde", "sigma", "t"):
        value = getattr(args, name, None)
        if isinstance(value, float) and not math.isfinite(value):
            parser.exit(2, f"regimes: error: {name} must be a finite number "
                           f"(got {value:g})\n")
    try:
        return args.handler(args)
    except ValueError as exc:
        parser.exit(2, f"regimes: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, "regimes: interrupted\n")
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
