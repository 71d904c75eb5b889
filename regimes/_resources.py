"""Memory available to this process, and the up-front refusal of requests that would not fit."""

from __future__ import annotations

import os
import resource

__all__ = ["available_memory", "check_memory"]

GiB = 2.0**30


def available_memory() -> float:
    """Bytes this process can still allocate: MemAvailable of /proc/meminfo (fallback: the physical
    memory from os.sysconf), capped by a cgroup limit and by the address-space limit (ulimit -v)."""
    avail = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = float(line.split()[1]) * 1024.0
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):
            avail = float("inf")
    try:
        text = open("/sys/fs/cgroup/memory.max", encoding="ascii").read().strip()
        if text != "max":
            avail = min(avail, float(text))
    except (OSError, ValueError):
        pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        avail = min(avail, float(soft) - _address_space_used())
    return max(avail, 0.0)


def _address_space_used() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return float(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0.0


def check_memory(nbytes: float, what: str) -> None:
    """Refuse (ValueError) a request whose estimated memory need exceeds the available memory.

    ``what`` names the parameters and the arrays, e.g. ``"d = 100000: the (d, d) embedding"``.
    """
    avail = available_memory()
    if nbytes > avail:
        raise ValueError(f"{what} would need about {nbytes / GiB:.3g} GiB of memory, more than the "
                         f"{avail / GiB:.3g} GiB available; use smaller values")
