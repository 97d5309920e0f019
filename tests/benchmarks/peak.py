"""Resident memory of this process, now and at its peak, for benchmark children to report."""

from __future__ import annotations

import resource


def peak_mb() -> float:
    """VmHWM is this process's own peak; ru_maxrss can carry the parent's peak across exec on
    Linux, so it is only the fallback where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    """VmRSS: what the process holds now (Linux /proc; the peak elsewhere)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    except OSError:
        return peak_mb()
