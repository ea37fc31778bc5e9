"""The pieces every report is made of: cells with their spread, tables, targets, failures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benchmarks.stats import measured, spread


def cell(values: Sequence[float], fmt: str = "{:,.0f}") -> str:
    """``median (min-max)``, or a dash when there is nothing."""
    values = measured(values)
    if not values:
        return "-"
    mid, low, high = spread(values)
    if len(values) == 1:
        return fmt.format(mid)
    return f"{fmt.format(mid)} ({fmt.format(low)}-{fmt.format(high)})"


def row(cells: Iterable[object]) -> str:
    """One markdown table row."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(head: Sequence[str], align: str, rows: Iterable[Sequence[object]]) -> list[str]:
    """A markdown table; ``align`` has an ``l`` or ``r`` per column (``lrr``...)."""
    rule = "|" + "".join("---|" if a == "l" else "---:|" for a in align)
    return [row(head), rule, *(row(r) for r in rows)]


@dataclass(frozen=True)
class Target:
    """A measure set against its target; ``met`` is None where the figure is context only."""

    measure: str
    value: float
    target: str
    met: bool | None


def targets_table(targets: Iterable[Target]) -> list[str]:
    """Each measure, its value, its target and whether it was met."""
    rows = []
    for t in targets:
        unknown = math.isnan(t.value)
        verdict = "-" if t.met is None or unknown else ("yes" if t.met else "no")
        rows.append((t.measure, "-" if unknown else f"{t.value:.2f}", t.target, verdict))
    return table(("measure", "value", "target", "met"), "lrll", rows)


def failures_list(title: str, failures: Sequence[str]) -> list[str]:
    """``title`` and a bullet per failed measurement, or nothing when none failed."""
    return [title, "", *(f"- {f}" for f in failures), ""] if failures else []
