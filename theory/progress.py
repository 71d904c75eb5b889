"""Pluggable progress reporting: a bar on a terminal, silent otherwise (tests, CI, pipes), or log
lines off a terminal (``lines=True``, or every bar inside :func:`log_lines`: long runs writing to a
log file).

Log lines come at a modest rate: when the count passes a tenth of the total (at most one every
``min_interval`` seconds), when ``interval`` seconds have passed since the last line, and at the end;
a run shorter than ``min_interval`` writes its last line only.

Examples
--------
>>> import io
>>> from theory.progress import Progress
>>> log = io.StringIO()
>>> with Progress(20, "demo", stream=log, lines=True, min_interval=0) as bar:
...     for _ in range(20):
...         bar.update()
>>> len(log.getvalue().splitlines())          # one line per tenth, not one per step
10
>>> log.getvalue().splitlines()[-1].startswith("demo: 20/20 done (100%)")
True
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

__all__ = ["Progress", "log_lines"]

_LOG_LINES = [False]      # inside log_lines(): bars with lines=None write log lines off a terminal


@contextlib.contextmanager
def log_lines(enabled: bool = True) -> Iterator[None]:
    """Within the block, every :class:`Progress` left at ``lines=None`` writes log lines when its
    stream is not a terminal (the ``regimes`` commands that run long wrap their work in it).

    Library calls outside the block stay silent off a terminal.

    Parameters
    ----------
    enabled : bool, default True
        Turn the log lines on (False: off) for the duration of the block.

    Yields
    ------
    None
    """
    old = _LOG_LINES[0]
    _LOG_LINES[0] = bool(enabled)
    try:
        yield
    finally:
        _LOG_LINES[0] = old


class Progress:
    """Minimal progress bar on stderr; ``enabled=None`` shows it only when stderr is a terminal.

    With ``lines=True`` (or ``lines=None`` inside :func:`log_lines`) and ``enabled=None``, a stream
    that is not a terminal gets log lines instead (``label: 3/20 done (15%), 12.0 s elapsed, ~68.0 s
    left``), at each tenth of the total (at most one every ``min_interval`` seconds) or every
    ``interval`` seconds, and at the end.

    Used as a context manager; on ``KeyboardInterrupt`` the line is closed cleanly and the
    exception propagates (callers write their results atomically, so nothing is half-written).

    Parameters
    ----------
    total : int
        Number of steps.
    label : str, default ""
        Text in front of the bar or line.
    enabled : bool, optional
        Show the bar (default: only when ``stream`` is a terminal).
    stream : file-like, optional
        Where to write (default ``sys.stderr``).
    lines : bool, optional
        Off a terminal, write log lines (default: only inside :func:`log_lines`).
    interval : float, default 30.0
        Seconds after which a log line is written even if no tenth of the total has passed.
    min_interval : float, default 5.0
        Least seconds between two log lines at tenths of the total.
    """

    def __init__(self, total: int, label: str = "", enabled: bool | None = None,
                 stream=None, lines: bool | None = None, interval: float = 30.0,
                 min_interval: float = 5.0) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = (tty if enabled is None else bool(enabled))
        want = _LOG_LINES[0] if lines is None else bool(lines)
        self.lines = want and enabled is None and not tty
        self.interval = float(interval)
        self.min_interval = float(min_interval)
        self.count = 0
        self._t0 = time.perf_counter()
        self._last = 0.0
        self._last_line = self._t0
        self._tenth = 0

    def __enter__(self) -> Progress:
        return self

    def update(self, k: int = 1) -> None:
        self.count += k
        now = time.perf_counter()
        if self.lines:
            tenth = min(10 * self.count // self.total, 10)
            since = now - self._last_line
            if (self.count >= self.total and self._tenth < 10) or since >= self.interval or (
                    tenth > self._tenth and since >= self.min_interval):
                self._tenth = max(self._tenth, tenth)
                self._last_line = now
                elapsed = now - self._t0
                left = elapsed * (self.total - self.count) / self.count if self.count else float("nan")
                self.stream.write(f"{self.label}: {self.count}/{self.total} done "
                                  f"({100 * min(self.count / self.total, 1.0):.0f}%), {elapsed:.1f} s "
                                  f"elapsed, ~{left:.1f} s left\n")
                self.stream.flush()
            return
        if not self.enabled:
            return
        if now - self._last < 0.2 and self.count < self.total:
            return
        self._last = now
        frac = min(self.count / self.total, 1.0)
        bar = "#" * int(30 * frac)
        elapsed = now - self._t0
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        self.stream.write(f"\r{self.label} [{bar:<30}] {100 * frac:5.1f}% "
                          f"{elapsed:6.1f}s elapsed, {eta:6.1f}s left")
        self.stream.flush()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.enabled:
            self.stream.write("\n" if exc_type is None else "  (interrupted)\n")
            self.stream.flush()
