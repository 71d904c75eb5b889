"""Pluggable progress reporting: a bar on a terminal, silent otherwise (tests, CI, pipes)."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Minimal progress bar on stderr; ``enabled=None`` shows it only when stderr is a terminal.

    Used as a context manager; on ``KeyboardInterrupt`` the line is closed cleanly and the
    exception propagates (callers write their results atomically, so nothing is half-written).
    """

    def __init__(self, total: int, label: str = "", enabled: bool | None = None,
                 stream=None) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None else bool(enabled))
        self.count = 0
        self._t0 = time.perf_counter()
        self._last = 0.0

    def __enter__(self) -> Progress:
        return self

    def update(self, k: int = 1) -> None:
        self.count += k
        if not self.enabled:
            return
        now = time.perf_counter()
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
