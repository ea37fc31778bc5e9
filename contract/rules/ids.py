"""Rule ``ids``: every event's lastEventId follows the contract's scheme."""

from __future__ import annotations

import re

from .context import Context
from .result import RuleResult, Violation, core, nothing
from .words import ids_text

RULE = "ids"
_INTEGER = re.compile(r"[0-9]+")
_MS_SEQ = re.compile(r"([0-9]+)-([0-9]+)")


def _integer_key(text: str) -> tuple[int, str]:
    """An order on decimal strings of any length, without ``int()`` (no digit limit)."""
    significant = text.lstrip("0") or "0"
    return len(significant), significant


def _order_key(text: str) -> tuple[tuple[int, str], ...] | None:
    if _INTEGER.fullmatch(text):
        return (_integer_key(text),)
    match = _MS_SEQ.fullmatch(text)
    if match:
        return (_integer_key(match.group(1)), _integer_key(match.group(2)))
    return None


def check_ids(ctx: Context) -> RuleResult:
    """sequential, increasing (integers or ms-seq pairs), unique or none; any is not checked."""
    scheme, events = ctx.contract.ids.scheme, ctx.events
    if scheme == "any":
        return nothing(RULE, "the contract does not check ids")
    found: list[Violation] = []
    if scheme == "none":
        found = [
            Violation(RULE, "no id", f"id {e.last_event_id!r}", f"event #{i + 1} ({e.type})")
            for i, e in enumerate(events)
            if e.last_event_id
        ]
        return core(RULE, found, f"{len(events)} event(s), none with an id")
    if scheme == "sequential":
        start = ctx.contract.ids.start
        wanted = list(map(str, range(start, start + len(events))))
        if events and [e.last_event_id for e in events] == wanted and len(wanted[-1]) < 10:
            # All in order (compared in C): ids_text would say as much, event by event.
            shown = wanted[0] if len(wanted) == 1 else f"{wanted[0]}..{wanted[-1]}"
            return core(RULE, [], f"ids {shown} ({scheme})")
        found = [
            Violation(
                RULE, f"id {start + i}", f"id {e.last_event_id!r}", f"event #{i + 1} ({e.type})"
            )
            for i, e in enumerate(events)
            if e.last_event_id != str(start + i)
        ]
    elif scheme == "unique":
        seen: dict[str, int] = {}
        for i, e in enumerate(events):
            if not e.last_event_id:
                found.append(Violation(RULE, "an id", "none", f"event #{i + 1} ({e.type})"))
            elif e.last_event_id in seen:
                found.append(
                    Violation(
                        RULE,
                        "an id no other event has",
                        f"id {e.last_event_id!r}, as event #{seen[e.last_event_id] + 1}",
                        f"event #{i + 1} ({e.type})",
                    )
                )
            else:
                seen[e.last_event_id] = i
    else:  # increasing
        previous: tuple[tuple[int, str], ...] | None = None
        for i, e in enumerate(events):
            key = _order_key(e.last_event_id)
            label = f"event #{i + 1} ({e.type})"
            if key is None:
                found.append(
                    Violation(
                        RULE, "an integer id or an ms-seq pair", f"id {e.last_event_id!r}", label
                    )
                )
            elif previous is not None and (len(key) != len(previous) or key <= previous):
                shown = events[i - 1].last_event_id
                found.append(
                    Violation(RULE, f"an id after {shown!r}", f"id {e.last_event_id!r}", label)
                )
            previous = key if key is not None else previous
    if not events and scheme == "sequential":
        found.append(Violation(RULE, f"ids from {ctx.contract.ids.start}", "no events"))
    return core(RULE, found, f"ids {ids_text(events)} ({scheme})")
