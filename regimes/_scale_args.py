"""Options shared by the Dask-backed subcommands (``validate``, ``reproduce fig3 --large``)."""

from __future__ import annotations

import argparse
import math


def add_scheduler_options(p: argparse.ArgumentParser) -> None:
    """``--scheduler``, ``--checkpoint-dir``, ``--workers``, ``--connect-timeout``."""
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786) or 'serial' (this process); "
                        "default: a local cluster of --workers processes")
    p.add_argument("--checkpoint-dir", metavar="DIR",
                   help="one checkpoint file per finished point (default: inside the output folder)")
    p.add_argument("--workers", metavar="K", default="0",
                   help="worker processes of the local cluster (default: the CPU count, at most 4)")
    p.add_argument("--connect-timeout", metavar="S", default="5",
                   help="seconds to wait for the scheduler at --scheduler ADDRESS (default 5)")


def scheduler_options(args: argparse.Namespace) -> dict:
    """The checked scheduler options as keyword arguments of :mod:`regimes.scale`."""
    workers = parse_ints(args.workers, "--workers", lower=0)
    if len(workers) != 1 or workers[0] > 256:
        raise ValueError(f"--workers must be one integer in [1, 256] (got {args.workers!r})")
    try:
        timeout = float(args.connect_timeout)
    except ValueError:
        timeout = math.nan
    if not (0 < timeout <= 600):
        raise ValueError(f"--connect-timeout must be a number of seconds in (0, 600] "
                         f"(got {args.connect_timeout!r})")
    if args.scheduler is not None and not args.scheduler.strip():
        raise ValueError("--scheduler must be 'serial' or a Dask scheduler address such as "
                         "tcp://host:8786 (got '')")
    return {"scheduler": args.scheduler, "checkpoint_dir": args.checkpoint_dir,
            "workers": workers[0] or None, "connect_timeout": timeout}


def parse_ints(values, option: str, lower: int) -> list[int]:
    """Integers from ``--x 1 2 3`` or ``--x 1,2,3`` (``1e4`` accepted when it is an integer)."""
    items = [v for text in ([values] if isinstance(values, str) else values)
             for v in str(text).replace(",", " ").split()]
    out = []
    for v in items:
        try:
            x = float(v)
        except ValueError:
            x = math.nan
        if not math.isfinite(x) or x != round(x) or x < lower or x > 1e12:
            raise ValueError(f"{option} must be integers >= {lower} (got {v!r})")
        out.append(int(x))
    if not out:
        raise ValueError(f"{option} needs at least one integer >= {lower}")
    if len(set(out)) != len(out):
        raise ValueError(f"{option} must not repeat a value (got {' '.join(items)})")
    return out
