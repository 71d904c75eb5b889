"""Pluggable progress reporting: a bar on a terminal, silent otherwise (tests, CI, pipes), or one
log line per step off a terminal (``lines=True``: long runs writing to a log file).

Examples
--------
>>> import io
>>> from theory.progress import Progress
>>> log = io.StringIO()
>>> with Progress(2, label="fig2", stream=log, lines=True) as bar:
...     bar.update()
>>> log.getvalue().startswith("fig2: 1/2 done")
True
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Minimal progress bar on stderr; ``enabled=None`` shows it only when stderr is a terminal.

    With ``lines=True`` and ``enabled=None``, a stream that is not a terminal gets one line per
    update instead (``label: 3/20 done, 12.0 s elapsed, ~68.0 s left``), for logs of long runs.

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
    lines : bool, default False
        Off a terminal, write one log line per update.
    """

    def __init__(self, total: int, label: str = "", enabled: bool | None = None,
                 stream=None, lines: bool = False) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream or sys.stderr
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = (tty if enabled is None else bool(enabled))
        self.lines = bool(lines) and enabled is None and not tty
        self.count = 0
        self._t0 = time.perf_counter()
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def update(self, k: int = 1) -> None:
        self.count += k
        now = time.perf_counter()
        if self.lines:
            elapsed = now - self._t0
            left = elapsed * (self.total - self.count) / self.count if self.count else float("nan")
            self.stream.write(f"{self.label}: {self.count}/{self.total} done, {elapsed:.1f} s "
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
