"""A plan as it went: each request sent, what came back, and the violation it ended on."""

from __future__ import annotations

from dataclasses import dataclass

from contract.rules.result import Violation
from contract.run.recording import Recording
from contract.run.target import Target

from .plans import Connection, Plan


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a run: what was sent and what came back."""

    connection: Connection
    position: str
    """The id sent ("" for none)."""
    target: Target
    recording: Recording | None = None
    """``None`` for a request dropped before the head."""
    problem: str = ""
    """Why a request dropped before the head could not be sent."""
    done: bool = False
    """The request with the terminal id, after the last event."""


@dataclass(frozen=True, slots=True)
class Run:
    """A plan as it went: its steps, and the violation the last one ended with, if any."""

    plan: Plan
    steps: tuple[Step, ...]
    violation: Violation | None = None
    note: str = ""
    """What went wrong, as the failing step's line says it."""
