"""The ``regimes`` command line: a thin layer over the Python API.

Each subcommand lives in a module ``regimes/_cli_<name>.py`` that exposes ``register(subparsers)``:
it adds its parser and names its handler with ``set_defaults(handler=...)`` (a handler returns the
exit status).  The subcommands are found by name, so adding one touches nothing else.

The contract (docs/cli-contract.md): a command either exits 0 with finite, valid output, or exits
2 with one line ``regimes: error: ...`` on stderr naming the option, its value and the accepted
range; no traceback reaches the user (an unexpected failure is one line ``regimes: internal
error: ...`` and exit 1; ``--debug`` or ``REGIMES_DEBUG=1`` shows the traceback).  Output paths
are checked before any computation; the files of a run form one set, removed again if the run
fails or is interrupted (Ctrl-C: exit 130, SIGTERM: exit 143); ``--json`` prints strict JSON
(non-finite numbers as null with a note) with the sources of the numbers and the package version.

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
import contextlib
import importlib
import io
import json
import math
import os
import pickle
import pkgutil
import re
import signal
import sys
import tempfile
import threading
import traceback
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

from theory import __version__
from theory.citation import citation
from theory.files import output_set

__all__ = ["main", "build_parser"]

#: options whose value is an output file, and those whose value is an output folder
OUTPUT_FILES = ("plot", "save", "phase_diagram", "json")
OUTPUT_DIRS = ("out", "checkpoint_dir")
#: API parameter names that differ from the option (or positional) that sets them
ALIASES = {"rng": "seed", "n_points": "points", "images": "path", "data": "path"}
#: sources of the JSON outputs whose handler does not give them (qualified names for citation)
SOURCES = {
    "manifold": {"theory": "theory.manifold.geometric_memorization",
                 "monte_carlo": "validation.memorization.measure_memorization",
                 "comparison": "validation.memorization.compare_with_rem",
                 "phase_diagram": "theory.manifold.manifold_phase_diagram",
                 "experiment": "regimes.manifold_experiment.manifold_experiment"},
    "validate": {"summary": "regimes.scale.validate_phase_diagram",
                 "t_S_theory": "theory.gaussian_mixture.phi",
                 "t_C_theory": "theory.gaussian_mixture.collapse_time"},
    "analyze": {"summary": "regimes.analysis.analyze_dataset",
                "Lambda": "theory.speciation.covariance_spectrum"},
    "phase-diagram": {"regime": "theory.phase_diagram.phase_diagram_t_alpha"},
}
_CITE_PACKAGES = ("theory", "validation", "derivations", "regimes")
_NONFINITE_TEXT = re.compile(r"(?<=[\s=\[,])([-+]?)(inf|nan|infinity)(?=[\s,;\])]|$)",
                             re.IGNORECASE | re.MULTILINE)
_NONFINITE_NOTE = ("not a finite float64 number for these inputs (beyond the range of float64, or "
                   "a level never reached on the grid)")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line ``regimes: error: --option ...`` (exit 2)."""

    def error(self, message: str):
        self.exit(2, f"regimes: error: {_argparse_message(message)} (see {self.prog} --help)\n")


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so that the output set is undone on the way out."""


def _argparse_message(message: str) -> str:
    message = " ".join(message.split())
    m = re.match(r"argument ([^:]+): (.*)$", message)
    if not m:
        return message
    opt = max(m.group(1).split("/"), key=len)
    rest = m.group(2)
    return f"{opt} {rest}" if rest.startswith("must") else f"{opt}: {rest}"


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
    parser = _Parser(
        prog="regimes",
        description="Statistical-physics theory of generative diffusion: speciation and collapse "
                    "times, phase diagrams (OU time convention, alpha = log(n)/d).")
    parser.add_argument("--version", action="version", version=f"regimes {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an unexpected error (also REGIMES_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in _subcommand_modules():
        module.register(sub)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


def _option_names(p: argparse.ArgumentParser) -> dict[str, str]:
    """Every name a message may use for an option (dest, option without dashes) -> the option."""
    names: dict[str, str] = {}
    for a in p._actions:
        if isinstance(a, argparse._HelpAction):
            continue
        opt = max(a.option_strings, key=len) if a.option_strings else a.dest.upper()
        for key in {a.dest, a.dest.replace("_", "-"), opt.lstrip("-"), opt.lstrip("-").replace("-", "_")}:
            names.setdefault(key, opt)
    for alias, target in ALIASES.items():
        if target in names:
            names.setdefault(alias, names[target])
    return names


def _rename(message: str, names: dict[str, str]) -> str:
    """Put the option names in a message of the API (which names its parameters)."""
    if message.startswith("-"):
        return message
    head, sep, tail = message.partition(":") if ":" in message[:160] else (message, "", "")
    m = re.match(r"([A-Za-z_][\w-]*)(\s+and\s+([A-Za-z_][\w-]*))?(?=[\s:,=]|$)", message)
    if m and m.group(1) in names and not message[m.end(1):].startswith(" = "):
        out = names[m.group(1)] + message[m.end(1):]
        if m.group(3) in names:
            out = out.replace(f" and {m.group(3)}", f" and {names[m.group(3)]}", 1)
        return out
    if sep:                                   # "d = 5, n = 3: ..." -> "--d = 5, --n = 3: ..."
        head = re.sub(r"(?<![\w-])([A-Za-z_][\w-]*)(?= = )",
                      lambda k: names.get(k.group(1), k.group(1)), head)
        return head + sep + tail
    return message


def _given(argv: Sequence[str], p: argparse.ArgumentParser) -> str:
    """The options given on the command line with their values (for messages on numeric failures)."""
    opts = {s for a in p._actions for s in a.option_strings}
    out, i = [], 0
    argv = list(argv)
    while i < len(argv):
        tok = argv[i]
        key = tok.split("=", 1)[0]
        if key in opts and key not in ("--json", "--quick", "--no-plot"):
            vals = [tok.split("=", 1)[1]] if "=" in tok else []
            j = i + 1
            while "=" not in tok and j < len(argv) and not (argv[j].startswith("--") and
                                                            argv[j].split("=")[0] in opts):
                vals.append(argv[j])
                j += 1
            out.append(" ".join([key, *vals]))
            i = j
        else:
            i += 1
    for a in p._actions:                      # positionals: NAME value
        if not a.option_strings and a.dest not in ("help", "command"):
            value = getattr(_given.args, a.dest, None)
            if isinstance(value, str):
                out.insert(0, f"{a.dest.upper()} {value!r}")
    return " ".join(out) if out else "with the default options"


# ------------------------------------------------------------------------------ checks before running

def _fail(message: str, code: int = 2):
    sys.stderr.write(" ".join(str(message).split()) + "\n")
    raise SystemExit(code)


def _check_values(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    """Non-finite floats (of any option) and negative or huge seeds, before any computation."""
    for a in p._actions:
        value = getattr(args, a.dest, None)
        opt = max(a.option_strings, key=len) if a.option_strings else a.dest.upper()
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, float) and not math.isfinite(v):
                _fail(f"regimes: error: {opt} must be a finite number (got {v!r})")
        if a.dest == "seed" and isinstance(value, int) and not 0 <= value < 2**63:
            _fail(f"regimes: error: --seed must be an integer in [0, 2^63 - 1] (got {value})")


def _nearest_existing(path: Path) -> Path:
    p = path
    while not (p.exists() or p.is_symlink()) and p != p.parent:
        p = p.parent
    return p


def _probe_writable(folder: Path) -> str | None:
    """None if a file can be created in ``folder`` (tried, then removed), else the reason."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".regimes-probe.", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def _check_output(opt: str, value: str, folder: bool) -> None:
    """An output path: not empty, not a folder (a file) / not a file (a folder), writable."""
    what = "an output folder" if folder else "an output file"
    if not value.strip():
        _fail(f"regimes: error: {opt} must name {what} (got {value!r}: empty)")
    path = Path(value)
    if folder:
        if path.exists() and not path.is_dir():
            _fail(f"regimes: error: {opt} must name {what}; {value!r} is an existing file")
        start = path
    else:
        if value.endswith(os.sep) or path.is_dir():
            _fail(f"regimes: error: {opt} must name {what}, not a folder (got {value!r})")
        if path.exists() and not path.is_file():
            _fail(f"regimes: error: {opt} must name a regular file (got {value!r}: a device or "
                  f"special file)")
        start = path.parent
    base = _nearest_existing(start.absolute())
    if not base.is_dir():
        _fail(f"regimes: error: {opt} {value!r} cannot be written: {base} is a file, not a folder")
    reason = _probe_writable(base)
    if reason:
        _fail(f"regimes: error: {opt} {value!r} cannot be written: no file can be created in "
              f"{base} ({reason})")


def _check_outputs(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    opts = {a.dest: max(a.option_strings, key=len) for a in p._actions if a.option_strings}
    for dest in OUTPUT_FILES:
        value = getattr(args, dest, None)
        if dest == "plot" and getattr(args, "no_plot", False):
            continue
        if isinstance(value, str):
            _check_output(opts.get(dest, "--" + dest), value, folder=False)
    for dest in OUTPUT_DIRS:
        value = getattr(args, dest, None)
        if isinstance(value, str):
            _check_output(opts.get(dest, "--" + dest), value, folder=True)


# ------------------------------------------------------------------------------------- the output

def _sources(command: str) -> dict:
    out = {}
    for key, name in SOURCES.get(command, {}).items():
        try:
            out[key] = citation(name, packages=_CITE_PACKAGES)
        except ValueError:
            out[key] = name
    return out


def _nonfinite_to_null(obj, path: str, notes: list):
    if isinstance(obj, dict):
        return {k: _nonfinite_to_null(v, f"{path}.{k}" if path else str(k), notes)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_nonfinite_to_null(v, f"{path}[{i}]", notes) for i, v in enumerate(obj)]
    if isinstance(obj, float) and not math.isfinite(obj):
        notes.append({"key": path, "value": repr(obj), "reason": _NONFINITE_NOTE})
        return None
    return obj


def _finish_json(text: str, command: str) -> str:
    """Strict JSON: non-finite numbers as null with a note, plus sources and the version."""
    try:
        obj = json.loads(text)
    except ValueError:
        return text
    notes: list = []
    obj = _nonfinite_to_null(obj, "", notes)
    if isinstance(obj, dict):
        if notes:
            obj["non_finite"] = notes
        obj.setdefault("sources", _sources(command) or
                       "regimes citation NAME gives the papers behind each function")
        obj.setdefault("version", __version__)
    elif notes:
        obj = {"results": obj, "non_finite": notes, "version": __version__}
    return json.dumps(obj, indent=2, allow_nan=False) + "\n"


def _finish_text(text: str) -> str:
    """Text output: a non-finite number is printed as n/a, with a note saying why."""
    if not _NONFINITE_TEXT.search(text):
        return text
    text = _NONFINITE_TEXT.sub("n/a", text)
    return text.rstrip("\n") + f"\n  note: n/a = {_NONFINITE_NOTE}\n"


# ------------------------------------------------------------------------------------ entry point

def _raised_by_a_check(exc: BaseException) -> bool:
    """True for an exception raised by a ``raise`` statement of this package's input checks; False
    for one raised by Python itself (a wrong call, an unsupported operand): a bug, not bad input."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and (frames[-1].line or "").startswith("raise")


def _message(exc: BaseException, names: dict[str, str], given: str) -> tuple[str, int]:
    """The one line (and exit status) of an exception of a handler."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, ValueError) or (isinstance(exc, TypeError) and _raised_by_a_check(exc)):
        text = _rename(text, names)
        named = [o for o in set(names.values())
                 if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text)]
        if not named or not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", given)
                                for o in named):
            # the API's own words, or an option left at its default: say which inputs they are about
            text = f"{given}: {text}"
        return f"regimes: error: {text}", 2
    if isinstance(exc, (EOFError, zipfile.BadZipFile, pickle.UnpicklingError)):
        return f"regimes: error: {given}: cannot read the input ({type(exc).__name__}: {text})", 2
    if isinstance(exc, MemoryError):
        return (f"regimes: error: {given}: not enough memory for this request "
                f"({text}); use smaller values"), 2
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else ""
        return (f"regimes: error: {given}: cannot read or write {where!s}: "
                f"{exc.strerror or text}"), 2
    if isinstance(exc, (ArithmeticError, RuntimeError)):
        return (f"regimes: error: {given}: outside the range the solvers handle "
                f"({type(exc).__name__}: {text})"), 2
    return (f"regimes: internal error: {type(exc).__name__}: {text} (please report it; "
            f"--debug or REGIMES_DEBUG=1 shows the traceback)"), 1


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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    debug = args.debug or os.environ.get("REGIMES_DEBUG", "") not in ("", "0")
    p = _subparser(parser, args.command)
    names = _option_names(p)
    _check_values(args, p)
    _check_outputs(args, p)
    buf = io.StringIO()
    prev = None
    if threading.current_thread() is threading.main_thread():
        def _on_sigterm(signum, frame):
            raise _Terminated()
        prev = signal.signal(signal.SIGTERM, _on_sigterm)
    caught: list = []
    try:
        with output_set(), contextlib.redirect_stdout(buf), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            code = args.handler(args)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("regimes: interrupted; no partial output was left", 130)
    except _Terminated:
        _fail("regimes: terminated (SIGTERM); no partial output was left", 143)
    except Exception as exc:  # noqa: BLE001 - the contract: one line, never a traceback
        if debug:
            raise
        _given.args = args
        line, status = _message(exc, names, _given(argv, p))
        _fail(line, status)
    finally:
        if prev is not None:
            signal.signal(signal.SIGTERM, prev)
    seen = set()
    for w in caught:                  # after a success: each distinct warning once, on one line
        line = f"regimes: warning: {w.category.__name__}: {' '.join(str(w.message).split())}"
        if line not in seen:
            seen.add(line)
            sys.stderr.write(line + "\n")
    text = buf.getvalue()
    if getattr(args, "json", None) is True:
        text = _finish_json(text, args.command)
    else:
        text = _finish_text(text)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0 if code is None else code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
