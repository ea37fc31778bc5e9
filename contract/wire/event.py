"""The event a parser gives: what a browser's ``MessageEvent`` carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    """One dispatched event, as a browser's ``MessageEvent`` would carry it."""

    type: str
    data: str
    last_event_id: str = ""
