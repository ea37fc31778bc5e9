"""The simulated work of the demo as plain data and plain async code; no HTTP in here.

Two tasks run one after the other. Each announces itself, reports progress after
each of two units of work, and ends; a final ``close`` event says the whole run
is over. The table below is the core sequence of the ``/stream`` contract. A unit
of work is an ``interval`` of waiting (``StreamRegistry.pause``), never a blocking
sleep, and shutdown cuts it short.
"""

from __future__ import annotations

from dataclasses import dataclass

TASK_NAMES = ("function1", "function2")


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the run and whether a unit of work precedes it."""

    id: int
    type: str
    data: str
    work_before: bool = False


def script() -> tuple[Step, ...]:
    """The whole run: 11 events, ids 0..10, with a unit of work before four of them."""
    rows: list[tuple[str, str, bool]] = []
    for name in TASK_NAMES:
        rows += [
            ("start", f"{name} started", False),
            ("progress", f"{name} started", False),
            ("progress", f"{name} halfway done", True),
            ("progress", f"{name} completed successfully", True),
            ("end", f"{name} ended", False),
        ]
    rows.append(("close", "api completed", False))
    return tuple(Step(i, kind, data, work) for i, (kind, data, work) in enumerate(rows))


LAST_ID = len(script()) - 1


def batches(after_id: int, *, merge_work: bool = False) -> tuple[tuple[Step, ...], ...]:
    """The steps with an id above ``after_id``, grouped into runs due at the same moment.

    A new group starts at every step preceded by work; the work before a step that
    is not sent again (id <= after_id) is skipped with it. With ``merge_work`` (no
    time passes during work) everything is due at once: a single group.
    """
    groups: list[list[Step]] = []
    for step in script():
        if step.id <= after_id:
            continue
        if not groups or (step.work_before and not merge_work):
            groups.append([])
        groups[-1].append(step)
    return tuple(tuple(group) for group in groups)
