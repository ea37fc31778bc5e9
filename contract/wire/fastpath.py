"""The byte path of ``EventParser``: whole blocks of usual events parsed with C-level operations.

Servers send events of one shape: an optional ``id: `` line, an optional ``event: `` line,
then ``data: `` lines, with ``: ping`` comments between events, all lines ended by LF or
all by CRLF. For a run of such blocks, the work per event is a few ``bytes`` methods
mapped over the blocks (no Python code per line or per event), and each field is
decoded once for the whole run. Anything else is refused (``None``) and the exact line
machine in ``parser.py`` parses that run instead, so the events never depend on which
path ran. The rules are those of WHATWG HTML "interpreting an event stream":
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import Any

from .event import Event

_new_event = Event.__new__
_set_type = vars(Event)["type"].__set__
_set_data = vars(Event)["data"].__set__
_set_last_event_id = vars(Event)["last_event_id"].__set__
_partition = bytes.partition
_LF = (b"\n", b"\n\n", b"\n\n:", b"\ndata: ")
_CRLF = (b"\r\n", b"\r\n\r\n", b"\r\n\r\n:", b"\r\ndata: ")
"""Per line ending: the line end, the blank line, a comment block's start, a data line's start."""
_MAX_TYPES = 64
"""Event types remembered per parser; a stream with more still parses, a little slower."""


def new_event(type: str, data: str, last_event_id: str) -> Event:
    """``Event(type, data, last_event_id)`` without the frozen ``__init__``'s per-field checks.

    A frozen dataclass sets each field through ``object.__setattr__``; the slots'
    own descriptors do the same store at about half the cost.
    """
    event = _new_event(Event)
    _set_type(event, type)
    _set_data(event, data)
    _set_last_event_id(event, last_event_id)
    return event


def _new_events(types: Any, datas: Any, ids: Any) -> list[Event]:
    """``new_event`` over three columns, with ``map`` doing the calls in C."""
    events = list(map(_new_event, repeat(Event, len(datas))))
    # The setters return None: any() just drives each map to its end.
    any(map(_set_type, events, types))
    any(map(_set_data, events, datas))
    any(map(_set_last_event_id, events, ids))
    return events


def blank_line_end(buffer: bytes, *, last: bool) -> int:
    """The offset just past the first (or last) ``\\n\\n`` or ``\\r\\n\\r\\n`` in ``buffer``, or -1.

    Each ends a blank line whatever came before, so the parser is at the start of a
    line with no event pending there. Other blank lines (after a lone CR) are missed,
    which costs speed, never correctness.
    """
    if b"\n" not in buffer:
        return -1
    if b"\r" not in buffer:
        end = buffer.rfind(b"\n\n") if last else buffer.find(b"\n\n")
        return end + 2 if end >= 0 else -1
    # The CRLF form first: it is the one found early in a CRLF stream.
    if last:
        crlf = buffer.rfind(b"\r\n\r\n")
        # Only an LF LF starting at the CRLF CRLF's last LF or later ends further on.
        lf = buffer.rfind(b"\n\n", crlf + 3 if crlf >= 0 else 0)
    else:
        crlf = buffer.find(b"\r\n\r\n")
        # Only an LF LF starting before the CRLF CRLF's last LF ends earlier.
        lf = buffer.find(b"\n\n", 0, crlf + 3 if crlf >= 0 else len(buffer))
    if lf >= 0:
        return lf + 2
    return crlf + 4 if crlf >= 0 else -1


def _type_of(part: bytes) -> str | None:
    """The type set by ``part``: no line or one ``event: `` line (LF or CRLF), else None."""
    if not part:
        return "message"
    if part[:7] != b"event: ":
        return None
    value = part[7:-2] if part[-2:] == b"\r\n" else part[7:-1]
    if part[-1:] != b"\n" or b"\r" in value or b"\n" in value:
        return None
    return value.decode("utf-8", "replace") or "message"


def _data_only(
    body: bytes, separator: bytes, data_line: bytes, crlf: bool, id_buffer: str
) -> list[Event] | None:
    """The events of blocks that are all data lines, without splitting them; else None."""
    # Mark each block break before a data line with CR, then join each block's data lines.
    marked = body[6:].replace(separator + b"data: ", b"\r")
    breaks = (len(body) - 6 - len(marked)) // (len(separator) + 5)
    joined = marked.replace(data_line, b"\n")
    # An LF left over, or a CR other than the marks, belonged to another kind of line.
    if joined.count(b"\n") != (len(marked) - len(joined)) // (len(data_line) - 1):
        return None
    if crlf and joined.count(b"\r") != breaks:
        return None
    data_list = joined.decode("utf-8", "replace").split("\r")
    count = breaks + 1
    return _new_events(repeat("message", count), data_list, repeat(id_buffer, count))


def parse_blocks(
    region: bytes, id_buffer: str, types: dict[bytes, str]
) -> tuple[list[Event], str] | None:
    """The events of ``region`` and the id buffer after it, or None where the region is unusual.

    ``region`` starts at the start of a line with no event pending and ends with a
    blank line, so its last event is dispatched and no state but the id buffer
    carries over. ``types`` maps ``event: `` lines already seen to their type.
    """
    crlf = b"\r" in region
    nl, separator, comment_block, data_line = _CRLF if crlf else _LF
    # Blank lines before the first line or after the last one dispatch nothing.
    body = region.strip(b"\r\n")
    if not body:
        return [], id_buffer
    if body[:6] == b"data: ":
        events = _data_only(body, separator, data_line, crlf, id_buffer)
        if events is not None:
            return events, id_buffer
    blocks = body.split(separator)
    # Blocks of one comment line, all alike (": ping"), change nothing: drop them.
    comment = 0 if body[:1] == b":" else body.find(comment_block)
    if comment >= 0:
        start = comment + len(separator) if comment else 0
        end = body.find(separator, start)
        ping = body[start : end if end >= 0 else len(body)]
        if b"\r" not in ping and b"\n" not in ping:
            blocks = list(filter(ping.__ne__, blocks))
            if not blocks:
                return [], id_buffer
    count = len(blocks)
    rests: Sequence[bytes] = blocks
    if blocks[0][:4] == b"id: ":
        # Every block starts with its id line: split it off, check all, decode all at once.
        id_lines, _, rests = zip(*map(_partition, blocks, repeat(nl)), strict=True)
        joined = b"\r".join(id_lines)
        ids = joined.replace(b"\rid: ", b"\r")
        if joined[:4] != b"id: " or len(joined) - len(ids) != 4 * (count - 1) or b"\0" in ids:
            return None
        # CR separates the ids here; LF or another CR would be a line break inside one.
        if crlf and (b"\n" in ids or ids.count(b"\r") != count - 1):
            return None
        id_list = ids[4:].decode("utf-8", "replace").split("\r")
    else:
        id_list = [id_buffer] * count
    heads, found, bodies = zip(*map(_partition, rests, repeat(b"data: ")), strict=True)
    if b"" in found:
        return None
    # What comes before the first data line is nothing or one event line (a known one, mostly).
    type_list = list(map(types.get, heads))
    if None in type_list:
        for index, head in enumerate(heads):
            if type_list[index] is None:
                value = _type_of(head)
                if value is None:
                    return None
                type_list[index] = value
                if len(types) < _MAX_TYPES:
                    types[head] = value
    # The rest of each block must be data lines: join them with LF, the blocks with CR.
    data = b"\r".join(bodies)
    joined_data = data.replace(data_line, b"\n")
    data_lines = (len(data) - len(joined_data)) // (len(data_line) - 1)
    if joined_data.count(b"\n") != data_lines:
        return None
    if crlf and joined_data.count(b"\r") != count - 1:
        return None
    data_list = joined_data.decode("utf-8", "replace").split("\r")
    return _new_events(type_list, data_list, id_list), id_list[-1]
