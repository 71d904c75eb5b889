"""The CLI / file / checkpoint attack set: inputs, and a classifier of what ``regimes`` does with them.

Shared by ``tests/test_cli_fuzz.py``, ``tests/test_cli_contract.py`` and
``benchmarks/attack_counts_cli.py`` (which prints the counts by category, before and after the
hardening).  Every case runs ``regimes.cli.main(argv)`` in-process in a scratch folder, with stdout
and stderr captured, and is classified as

- ``pass``: exit 0 with finite, valid output (strict JSON for ``--json``), or exit 2 with exactly one
  stderr line ``regimes: error: ...`` naming the attacked option;
- ``traceback``: an exception other than SystemExit escaped ``main`` (what a user sees as a traceback);
- ``nonfinite``: exit 0 but ``inf``/``nan`` printed or invalid JSON (``Infinity``, ``NaN``);
- ``wrong``: exit 0 on an input that has no valid reading (accepted silently);
- ``integrity``: temporary files left behind, or a partial output set after a failure;
- ``unclear``: a non-zero exit whose message is not one line naming the option (or a wrong status);
- ``slow``: did not finish within the time allowed (not judged).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CATEGORIES = ("traceback", "nonfinite", "wrong", "integrity", "unclear")
_NONFINITE = re.compile(r"(?<=[\s=\[,])[-+]?(inf|nan|infinity)(?=[\s,;\])]|$)",
                        re.IGNORECASE | re.MULTILINE)


@dataclass
class Case:
    """One attack: ``argv``; ``expect`` 'error' (exit 2 naming ``option``), 'ok' or 'either'."""

    argv: list[str]
    expect: str = "either"
    option: str | None = None
    outputs: tuple[str, ...] = ()         # files/folders that must not exist after a failure
    note: str = ""
    timeout: float = 30.0
    label: str = field(default="")

    def __post_init__(self):
        if not self.label:
            self.label = " ".join(self.argv)


class _Timeout(BaseException):
    pass


def setup_scratch(root: Path) -> None:
    """Input files the cases refer to (relative names inside the scratch folder ``root``)."""
    rng = np.random.default_rng(0)
    np.save(root / "tiny.npy", rng.normal(size=(40, 16)))
    np.save(root / "spec.npy", np.array([3.0, 1.0, 0.5, 0.1]))
    np.save(root / "means.npy", np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]]))
    np.save(root / "cspec.npy", np.array([1.0, 0.5, 0.25]))
    np.save(root / "empty.npy", np.empty(0))
    np.save(root / "const.npy", np.ones((20, 8)))
    np.save(root / "complex.npy", np.ones(4, dtype=complex))
    np.save(root / "nanspec.npy", np.array([1.0, np.nan]))
    (root / "trunc.npy").write_bytes((root / "spec.npy").read_bytes()[:40])
    (root / "zero.npy").write_bytes(b"")
    (root / "text.npy").write_text("not numpy\n")
    (root / "afile").write_text("x")
    (root / "adir").mkdir(exist_ok=True)
    # a special file (never /dev/null itself: code that renames onto its output path would replace
    # the device for the whole machine when run as root)
    if not (root / "fifo").exists():
        os.mkfifo(root / "fifo")


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def run_case(case: Case, root: Path) -> tuple[str, str]:
    """Run one case in the scratch folder ``root``; returns (category, detail)."""
    from regimes.cli import main

    before = _files(root)
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(root)

    def _alarm(signum, frame):
        raise _Timeout()

    prev = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, case.timeout)
    code: object = None
    exc: BaseException | None = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(case.argv))
    except SystemExit as e:
        code = e.code
    except _Timeout:
        code = "timeout"
    except BaseException as e:        # noqa: BLE001 - what would reach the user as a traceback
        exc = e
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, prev)
        os.chdir(old)
        try:
            import matplotlib.pyplot as plt
            plt.close("all")
        except ImportError:         # pragma: no cover
            pass
    new = _files(root) - before
    stdout, stderr = out.getvalue(), err.getvalue()
    if code == "timeout":
        return "slow", f"more than {case.timeout:g} s"
    if exc is not None:
        return "traceback", f"{type(exc).__name__}: {str(exc)[:120]}"
    if code is None:
        code = 0
    hidden = sorted(f for f in new if any(part.startswith(".") for part in Path(f).parts))
    if hidden:
        return "integrity", f"temporary files left: {hidden[:3]}"
    if code != 0:
        partial = sorted(f for f in new if any(f == o or f.startswith(o.rstrip("/") + "/")
                                               for o in case.outputs))
        partial = [f for f in partial if "checkpoint" not in f and ".ck" not in f]
        if partial:
            return "integrity", f"partial output left after a failure: {partial[:3]}"
    if code == 0:
        if case.expect == "error":
            return "wrong", f"accepted (exit 0): {stdout[:80]!r}"
        if "--json" in case.argv:
            try:
                json.loads(stdout, parse_constant=_reject_constant)
            except ValueError as e:
                return "nonfinite", f"invalid JSON: {str(e)[:100]}"
        elif _NONFINITE.search(stdout):
            m = _NONFINITE.search(stdout)
            line = next(ln for ln in stdout.splitlines() if m.group(0) in ln)
            return "nonfinite", f"printed {line.strip()[:100]!r}"
        return "pass", "exit 0"
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    if case.expect == "ok":
        return "unclear", f"exit {code} on a valid input: {stderr.strip()[:120]!r}"
    if code == 130:
        return "pass", "interrupted"
    if code != 2:
        return "unclear", f"exit {code}: {stderr.strip()[:120]!r}"
    if len(lines) != 1:
        return "unclear", f"{len(lines)} stderr lines: {stderr.strip()[:160]!r}"
    if not lines[0].startswith("regimes: error: "):
        return "unclear", f"not 'regimes: error:': {lines[0][:120]!r}"
    if case.option and case.option not in lines[0]:
        return "unclear", f"does not name {case.option}: {lines[0][:160]!r}"
    return "pass", lines[0][:160]


def _reject_constant(name: str):
    raise ValueError(f"non-finite JSON constant {name}")


# ----------------------------------------------------------------------------------------- the cases

#: fast valid base command of every subcommand (relative paths inside the scratch folder)
BASE = {
    "gm": ["gm", "--no-plot"],
    "phase-diagram": ["phase-diagram", "--points", "12", "--plot", "pd.png"],
    "spectrum": ["spectrum", "--quick", "--points", "20"],
    "manifold": ["manifold", "--quick", "--n", "40", "--points", "2", "--d", "12"],
    "citation": ["citation"],
    "validate": ["validate", "--d", "4", "--n", "10", "--samples", "20", "--scheduler", "serial",
                 "--no-plot", "--out", "v"],
    "analyze": ["analyze", "tiny.npy", "--quick", "--no-cloning", "--no-trajectories", "--out", "a"],
    "reproduce": ["reproduce", "fig2", "--quick", "--out", "r"],
}
#: outputs of each base command (must not be left after a failure)
OUTPUTS = {"phase-diagram": ("pd.png", "pd.npz"), "validate": ("v",), "analyze": ("a",),
           "reproduce": ("r",), "gm": ("g.png",), "spectrum": ("s.png",), "manifold": ("m.png",)}
#: commands whose valid runs are too slow for the fuzz: only inputs expected to fail are sent
ERRORS_ONLY = {"reproduce"}

NUMBER_VALUES = ("", "nan", "inf", "-inf", "-1", "0", "1e308", "abc", "1.5", "-0", "1e-320",
                 "99999999999999999999999999", "0x10", "1e400")
#: output files: (value, expected)
PATH_VALUES = (("", "error"), ("/proc/x/y.png", "error"), ("adir", "error"), ("adir/", "error"),
               ("afile/x.png", "error"), ("/dev/null/x", "error"), ("fifo", "error"),
               (".", "error"), ("/proc/x.png", "error"), ("nodir/x.png", "either"))
#: output folders: (value, expected)
DIR_VALUES = (("", "error"), ("/proc/x/y", "error"), ("afile", "error"), ("afile/sub", "error"),
              ("/dev/null/x", "error"), ("adir", "either"), ("newdir/sub", "either"))
INPUT_PATH_VALUES = ("", "missing.npy", "adir", "zero.npy", "trunc.npy", "text.npy", "empty.npy",
                     "complex.npy", "nanspec.npy", "/proc/x")
#: options whose value is an output path / folder, and those that read a file
OUTPUT_OPTIONS = {"--plot", "--save", "--phase-diagram"}
DIR_OPTIONS = {"--out", "--checkpoint-dir"}
INPUT_OPTIONS = {"--means", "--class-spectrum", "--spectrum", "--labels"}
#: options that take no numbers (their own value sets)
SPECIAL = {"--law": ("uniform", "bogus", "uniform low=1", "uniform low=abc high=2 fraction=0.5",
                     "power beta=1 count=1e30 fraction=0.5"),
           "--sweep": ("abc", "low=", "low=nan"),
           "--scheduler": ("", "tcp://256.0.0.1:1", "bogus"),
           "--dataset": ("bogus", ""),
           "--config": ("abc", "4", "4,1", "-4,10"),
           "--over": ("bogus",), "--centring": ("bogus",)}


def _with(base: list[str], opt: str, value: str, nargs) -> list[str]:
    """``base`` with ``opt value`` (replacing the option when base has it)."""
    argv = list(base)
    if opt in argv:
        i = argv.index(opt)
        j = i + 1
        while j < len(argv) and not argv[j].startswith("--"):
            j += 1
        del argv[i:j]
    if opt == "--plot" and "--no-plot" in argv:
        argv.remove("--no-plot")
    return [*argv, f"{opt}={value}"] if value.startswith("-") and nargs is None else [*argv, opt, value]


def _numeric_is_bad(value: str) -> bool:
    return value in ("", "nan", "inf", "-inf", "abc", "1e400", "0x10")


def fuzz_cases() -> list[Case]:
    """For every subcommand and every option of ``build_parser()``: the bad values of its kind."""
    import argparse

    from regimes.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases = []
    for cmd, p in sub.choices.items():
        base = BASE[cmd]
        for action in p._actions:
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            if action.nargs == 0:          # flags: nothing to attack but combinations
                continue
            if not action.option_strings:
                continue                    # positionals: see positional_cases
            opt = max(action.option_strings, key=len)
            if action.choices is not None:
                values = SPECIAL.get(opt, ("bogus", ""))
                kind = "error"
            elif opt in SPECIAL:
                values, kind = SPECIAL[opt], "error" if cmd in ERRORS_ONLY else "either"
            elif opt in OUTPUT_OPTIONS or opt in DIR_OPTIONS:
                pairs = PATH_VALUES if opt in OUTPUT_OPTIONS else DIR_VALUES
                values, kind = tuple(v for v, _ in pairs), dict(pairs)
            elif opt in INPUT_OPTIONS:
                values, kind = INPUT_PATH_VALUES, "error"
            else:
                values, kind = NUMBER_VALUES, "number"
            for v in values:
                expect = kind[v] if isinstance(kind, dict) else kind
                if kind == "number":
                    expect = "error" if _numeric_is_bad(v) else "either"
                if cmd in ERRORS_ONLY and expect != "error":
                    continue
                argv = _with(base, opt, v, action.nargs)
                if cmd == "spectrum" and opt in ("--fraction", "--groups", "--sweep"):
                    argv += ["--law", "uniform", "low=0.1", "high=1", "fraction=0.5"] \
                        if opt != "--fraction" else ["--spectrum", "spec.npy"]
                if cmd == "spectrum" and opt in ("--subsample", "--mc-points") and expect != "error":
                    continue                # a shipped dataset is not needed to attack the number
                outputs = OUTPUTS.get(cmd, ())
                cases.append(Case(argv, expect, opt, outputs, note=f"{cmd} {opt}"))
    return cases


def positional_cases() -> list[Case]:
    return [
        Case(["citation", ""], "error", "NAME"),
        Case(["citation", "no_such_thing"], "error", "NAME"),
        Case(["citation", "theory.nope.nope"], "error", "NAME"),
        Case(["reproduce", "bogus"], "error", "figure"),
        *[Case([*BASE["analyze"][:1], v, *BASE["analyze"][2:]], "error", "PATH" if v else "",
               ("a",), note="analyze PATH") for v in INPUT_PATH_VALUES + ("const.npy",)],
        Case(["bogus-command"], "error", "bogus-command"),
        Case(["gm", "--bogus-option"], "error", "--bogus-option"),
    ]


def issue_cases() -> list[Case]:
    """The cases quoted in issue 13 and the contract's own (files, memory, combinations)."""
    return [
        Case(["manifold", "--quick", "--n", "2", "--json"], "either", "--n"),
        Case(["gm", "--no-plot", "--mu-tilde", "1e155"], "either", "--mu-tilde"),
        Case(["gm", "--no-plot", "--mu-tilde", "1e155", "--json"], "either", "--mu-tilde"),
        Case(["gm", "--no-plot", "--mu-tilde", "1e-200"], "either", "--mu-tilde"),
        Case(["gm", "--no-plot", "--d", "1e308"], "either", "--d"),
        Case(["gm", "--no-plot", "--n", "1e308", "--json"], "either", "--n"),
        Case(["gm", "--no-plot", "--sigma", "1e-300"], "either", "--sigma"),
        Case(["gm", "--no-plot", "--sigma", "1e300", "--json"], "either", "--sigma"),
        Case(["spectrum", "--fractions", "0.2", "--variances", "1e-300"], "either", "--variances"),
        Case(["spectrum", "--fractions", "0.2", "--variances", "1e300", "--json"], "either",
             "--variances"),
        Case(["spectrum", "--fractions", "0.5", "0.6", "--variances", "1", "2"], "error",
             "--fractions"),
        Case(["spectrum", "--fractions", "0.2", "--variances", "1", "2"], "error", "--variances"),
        Case(["phase-diagram", "--alpha-max", "1e300", "--points", "12", "--plot", "pd.png"],
             "either", "--alpha-max", ("pd.png",)),
        Case(["phase-diagram", "--t-max", "1e300", "--points", "12", "--plot", "pd.png"],
             "either", "--t-max", ("pd.png",)),
        Case(["phase-diagram", "--over", "d-n", "--d-max", "1e300", "--points", "12", "--plot",
              "pd.png"], "either", "--d-max", ("pd.png",)),
        Case(["manifold", "--quick", "--d", "100000"], "error", "--d", timeout=60),
        # a valid request (about 40 s on 2 cores): a result, or "slow" past the timeout
        Case(["manifold", "--quick", "--d", "12", "--n", "10000000", "--points", "2"], "either",
             "--n", timeout=60),
        Case(["manifold", "--quick", "--d", "12", "--n", "40", "--points", "100000000"], "error",
             "--points", timeout=60),
        Case(["manifold", "--quick", "--seed", "-1"], "error", "--seed"),
        Case(["spectrum", "--quick", "--monte-carlo", "--seed", "-1"], "error", "--seed"),
        Case(["analyze", "tiny.npy", "--quick", "--seed", "-1", "--out", "a"], "error", "--seed",
             ("a",)),
        Case(["reproduce", "fig2", "--quick", "--seed", "-1", "--out", "r"], "error", "--seed",
             ("r",)),
        Case(["manifold", "--quick", "--stds", "1", "--dims", "2", "3"], "error", "--dims"),
        Case(["gm", "--plot", ""], "error", "--plot"),
        Case(["gm", "--plot", "/proc/x.png"], "error", "--plot"),
        Case(["gm", "--plot", "afile/x.png"], "error", "--plot"),
        Case(["gm", "--plot", "adir"], "error", "--plot"),
        Case(["gm", "--plot", "g.png", "--sigma", "0"], "error", "--sigma", ("g.png",)),
        Case(["phase-diagram", "--points", "12", "--plot", "pd.png", "--save", "/proc/x.npz"],
             "error", "--save", ("pd.png",)),
        Case(["phase-diagram", "--points", "12", "--plot", "pd.png", "--save", "afile/x.npz"],
             "error", "--save", ("pd.png",)),
        Case(["manifold", "--quick", "--n", "40", "--points", "2", "--d", "12", "--plot", "m.png",
              "--phase-diagram", "/proc/x.png"], "error", "--phase-diagram", ("m.png",)),
        Case(["spectrum", "--quick", "--plot", "/proc/x.png"], "error", "--plot"),
        Case(["spectrum", "--quick", "--json"], "ok"),
        Case(["gm", "--no-plot", "--json"], "ok"),
        Case(["gm", "--no-plot", "--weights", "0.3", "0.7", "--json"], "ok"),
        Case(["gm", "--no-plot", "--means", "means.npy", "--class-spectrum", "cspec.npy", "--json"],
             "ok"),
        Case(["manifold", "--quick", "--n", "40", "--points", "2", "--d", "12", "--json"], "ok"),
        Case(["validate", "--d", "4", "--n", "10", "--samples", "20", "--scheduler", "serial",
              "--no-plot", "--out", "/proc/v"], "error", "--out"),
        Case(["validate", "--d", "4", "--n", "10", "--samples", "20", "--scheduler", "serial",
              "--no-plot", "--out", "afile"], "error", "--out"),
        Case(["analyze", "const.npy", "--quick", "--no-cloning", "--no-trajectories", "--out", "a"],
             "either", "PATH", ("a",)),
        Case(["analyze", "tiny.npy", "--quick", "--out", "afile"], "error", "--out"),
        Case(["reproduce", "fig2", "--quick", "--out", "/proc/r"], "error", "--out"),
        Case(["reproduce", "fig2", "--quick", "--out", "afile"], "error", "--out"),
        Case(["gm", "--no-plot", "--n", "2", "--d", "1", "--json"], "either", "--d"),
        Case(["gm", "--no-plot", "--classes", "1e9"], "error", "--classes"),
        Case(["gm", "--no-plot", "--classes", "3", "--d", "1e9"], "error", "--d", timeout=60),
    ]


def all_cases() -> list[Case]:
    return issue_cases() + positional_cases() + fuzz_cases()
