"""Events and ids in words, for violations, reports and the fuzzer's plans."""

from __future__ import annotations

from collections.abc import Sequence

from contract.wire.event import Event


def show(event: Event) -> str:
    """One event in a violation message."""
    data = event.data if len(event.data) <= 60 else event.data[:57] + "..."
    return f"id={event.last_event_id!r} {event.type}: {data!r}"


def ids_text(events: Sequence[Event]) -> str:
    """Ids compactly: ``0..10``, ``4, 4..10``, ``none``."""
    if not events:
        return "none"
    parts: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}..{run[-1]}")
            run.clear()

    for event in events:
        value = event.last_event_id
        number = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
        if number is not None and run and number == run[-1] + 1:
            run.append(number)
            continue
        flush()
        if len(parts) >= 12:
            parts.append("...")
            return ", ".join(parts)
        if number is None:
            parts.append(repr(value))
        else:
            run.append(number)
    flush()
    return ", ".join(parts)
