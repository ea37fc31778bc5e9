"""Summaries of repeated measurements: nearest-rank percentiles, medians that skip NaN."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measured(values: Sequence[float]) -> list[float]:
    """The values that are numbers (a measure that could not be taken is NaN)."""
    return [v for v in values if not math.isnan(v)]


def median(values: Sequence[float]) -> float:
    """The median of the measured values; NaN when there are none."""
    kept = measured(values)
    return statistics.median(kept) if kept else math.nan


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """Median, min and max."""
    return statistics.median(values), min(values), max(values)
