"""A run of a plan in words, one line per request, and the shell lines that replay it."""

from __future__ import annotations

import shlex
from dataclasses import replace

from yarl import URL

from contract.rules.words import ids_text
from contract.run.recording import Ending, Recording
from contract.run.target import raw_request, sent_headers
from contract.wire.decoding import ACCEPT_ENCODING
from contract.wire.event import Event

from .steps import Run, Step


def _opening(index: int, step: Step, query: str | None) -> str:
    if index == 0 and not step.done:
        return "connect"
    if not step.position:
        return "reconnect with no position (no event id seen yet)"
    if step.connection.query and query:
        return f"reconnect with ?{query}={step.position}"
    return f"reconnect with Last-Event-ID: {step.position}"


def _events(events: list[Event]) -> str:
    if len(events) == 1:
        return f"1 event (id {ids_text(events)})"
    return f"{len(events)} events" + (f" (ids {ids_text(events)})" if events else "")


def _action(step: Step, status: int) -> str:
    recording, drop = step.recording, step.connection.drop
    if recording is None:
        return "send the request, drop before the head" + (
            f" (not sent: {step.problem})" if step.problem else ""
        )
    if step.done:
        events = recording.event_list()
        text = f"status {recording.status}" + (f", {_events(events)}" if events else ", no event")
        return text + cut_short(recording)
    events = recording.event_list()
    if recording.ending is Ending.DROPPED and drop is not None:
        if not events and recording.framing.total_bytes == 0:
            return "drop right after the head"
        if drop.extra:
            return f"read {_events(events)} and {drop.extra} byte(s) of the next, drop mid-event"
        return f"read {_events(events)}, drop"
    if recording.status is None:
        return recording.ending_text()
    shown = "" if recording.status == status else f"status {recording.status}, "
    if recording.ending is Ending.EOF:
        return f"{shown}read to the end: {_events(events)}"
    return f"{shown}read {_events(events)}, then {recording.ending_text()}"


def cut_short(recording: Recording) -> str:
    """``, then`` how a response the client cut short ended (a limit, a reset), else ""."""
    if recording.ending in (Ending.EOF, Ending.DROPPED):
        return ""
    return f", then {recording.ending_text()}"


def describe(run: Run, query: str | None, status: int) -> list[str]:
    """The run in words, one numbered line per request; the failing one says why."""
    lines = []
    for index, step in enumerate(run.steps):
        line = f"{index + 1}. {_opening(index, step, query)}; {_action(step, status)}"
        if run.violation is not None and index == len(run.steps) - 1:
            line += f"  <- {run.note or run.violation.actual}"
        lines.append(line)
    return lines


HIDDEN = "..."
"""What a replay line shows for a header value from ``${NAME}`` or ``-H``."""


def curl(step: Step) -> str:
    """A shell line that sends ``step``'s request and stops reading where the plan did;
    a header value from ``${NAME}`` or ``-H`` is shown as ``HIDDEN``, so that a secret stays
    out of the report (and of CI logs)."""
    target = step.target
    target = replace(
        target,
        headers=tuple(
            (n, HIDDEN if n.lower() in target.protected else v) for n, v in target.headers
        ),
    )
    if step.recording is None:
        host, port = _host_port(target.url)
        code = (
            "import socket; s = socket.create_connection("
            f"({host!r}, {port})); s.sendall({raw_request(target)!r}); s.close()"
        )
        return f"python3 -c {shlex.quote(code)}"
    words = ["curl", "-si" if step.done else "-sN"]
    if target.method != "GET":
        words += ["-X", target.method]
    for name, value in sent_headers(target):
        if (name, value) == ("Accept-Encoding", ACCEPT_ENCODING):
            words.append("--compressed")  # asks for what curl decodes, and decodes it
            continue
        words += ["-H", f"{name}: {value}"]
    if target.body is not None:
        words += ["--data-binary", target.body.decode("utf-8", "replace")]
    words.append(target.url)
    line = shlex.join(words)
    if step.recording.ending is Ending.DROPPED:
        line += f" | head -c {step.recording.framing.total_bytes}"
    return line


def _host_port(url: str) -> tuple[str, int]:
    parsed = URL(url)
    return parsed.raw_host or "", parsed.port or 80
