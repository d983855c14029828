"""Small helpers: percentiles, process memory, the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(p / 100 * len(ordered) + 0.5))))
    return ordered[rank - 1]


def summary(values_ms: list[float]) -> dict:
    return {"n": len(values_ms), "p50_ms": _r(percentile(values_ms, 50)), "p99_ms": _r(percentile(values_ms, 99)),
            "max_ms": _r(max(values_ms) if values_ms else None)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of a process, in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, value, _ = line.split()
                out[name.rstrip(":")] = round(int(value) / 1024, 1)
    return out


def machine() -> dict:
    def git(*args, strip=True):
        try:
            text = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5).stdout
        except OSError:
            return None
        return text.strip() if strip else text
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), None)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": mem, "python": sys.version.split()[0],
            "platform": platform.platform(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_service_changes": [line[3:] for line in (git("status", "--porcelain", "--", "services",
                                                                      "contracts", strip=False) or "").splitlines()],
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
