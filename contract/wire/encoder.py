"""Events to bytes: the inverse of the parser, for round-trip properties and test servers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .event import Event

NEWLINES = ("\n", "\r\n", "\r")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _unencodable(fields: dict[str, str | None]) -> ValueError:
    """The error for a field UTF-8 cannot carry (a lone surrogate), naming the first such field."""
    for name, value in fields.items():
        if value is not None:
            try:
                value.encode()
            except UnicodeEncodeError:
                return ValueError(
                    f"{name} must be valid Unicode text (no lone surrogates), got {value!r}"
                )
    return ValueError("the event is not encodable as UTF-8")


def _field(name: str, value: str, space: bool) -> str:
    return f"{name}: {value}" if space or value.startswith(" ") else f"{name}:{value}"


def encode_event(
    data: str,
    *,
    type: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    newline: str = "\n",
    space: bool = True,
) -> bytes:
    """Frame one event; line breaks in ``data`` become separate ``data:`` lines.

    Without ``space``, no space follows a field's colon (``data:x``, as some servers send),
    except before a value that starts with one, which a parser would otherwise strip.
    Raises ``ValueError`` for a field the stream cannot carry: a line break in
    ``type`` or ``id``, NUL in ``id``, an empty ``type``, a ``retry`` that is not a
    non-negative int, a lone surrogate anywhere, or an unknown ``newline``.
    """
    if newline not in NEWLINES:
        raise ValueError(f"newline must be one of {NEWLINES!r}, got {newline!r}")
    lines: list[str] = []
    if id is not None:
        if _LINE_BREAK.search(id) or "\0" in id:
            raise ValueError(f"id must not contain a line break or NUL, got {id!r}")
        lines.append(_field("id", id, space))
    if type is not None:
        if not type or _LINE_BREAK.search(type):
            raise ValueError(f"type must be non-empty without line breaks, got {type!r}")
        lines.append(_field("event", type, space))
    if retry is not None:
        # bool is an int subclass: True would go out as "retry: True", which no client reads.
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise ValueError(f"retry must be a non-negative int, got {retry!r}")
        lines.append(_field("retry", str(retry), space))
    lines.extend(_field("data", line, space) for line in _LINE_BREAK.split(data))
    lines.append("")
    try:
        return (newline.join(lines) + newline).encode()
    except UnicodeEncodeError as exc:
        raise _unencodable({"id": id, "type": type, "data": data}) from exc


def encode(events: Iterable[Event], *, newline: str = "\n", with_ids: bool = True) -> bytes:
    """Frame events so that a parser gives them back (data line breaks normalised to LF).

    The ``id`` field is written when it differs from the previous event's, or always
    with ``with_ids`` (the default, as the original server did). A field that cannot
    be framed raises ``ValueError`` naming the event's position.
    """
    if newline not in NEWLINES:
        raise ValueError(f"newline must be one of {NEWLINES!r}, got {newline!r}")
    out: list[bytes] = []
    previous_id = ""
    for index, event in enumerate(events):
        id_field = event.last_event_id if with_ids or event.last_event_id != previous_id else None
        previous_id = event.last_event_id
        type_field = None if event.type == "message" else event.type
        try:
            out.append(encode_event(event.data, type=type_field, id=id_field, newline=newline))
        except ValueError as exc:
            raise ValueError(f"event {index}: {exc}") from exc
    return b"".join(out)
