"""The header of every report: when and where the numbers were taken, with what packages."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchmarks.host import pinning


def cpu_model() -> str:
    """The CPU's model name, from /proc/cpuinfo."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def package_versions(names: Sequence[str]) -> list[str]:
    """``name version`` for each installed package, ``name (not installed)`` for the others."""
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return versions


def machine(
    packages: Sequence[str],
    *,
    pinned: str | None = None,
    load: tuple[float, float, float] | None = None,
    python_note: str = "",
    packages_note: str = "",
    extra: Sequence[str] = (),
) -> list[str]:
    """Lines describing where the numbers were taken.

    ``pinned`` says which process ran on which CPU (no pinning line without it), ``load``
    is the load average before the run; the notes end the Python and packages lines.
    """
    cpus = f"- CPUs (`nproc`): {os.cpu_count()}; model: {cpu_model()}"
    if load is not None:
        cpus += f"; load average before the run: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min)"
    lines = [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        cpus,
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}{python_note}",
        f"- packages: {', '.join(package_versions(packages))}{packages_note}",
    ]
    if pinned is not None:
        shown = pinned if pinning() else "not pinned (no taskset or a single CPU)"
        lines.append(f"- pinning: {shown}")
    return [*lines, *extra]
