"""Argument types shared by the ``regimes`` subcommands."""

from __future__ import annotations

import argparse
import math


def finite(text: str) -> float:
    """A finite float argument; anything else is a one-line error naming the option."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a finite number (got {text!r})") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number (got {text!r})")
    return value


def add_gm_params(p: argparse.ArgumentParser, d: float = 1024, n: float | None = 20000) -> None:
    """``--d``, ``--n``, ``--mu-tilde``, ``--sigma`` of the symmetric Gaussian mixture."""
    p.add_argument("--d", type=finite, default=d, help=f"dimension, >= 1 (default {d:g})")
    if n is not None:
        p.add_argument("--n", type=finite, default=n,
                       help=f"number of training points, >= 2 (default {n:g})")
    p.add_argument("--mu-tilde", type=finite, default=1.0,
                   help="|m|^2 = d mu~^2, > 0 (default 1)")
    p.add_argument("--sigma", type=finite, default=1.0,
                   help="cluster standard deviation, > 0 (default 1)")
