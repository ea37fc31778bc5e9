"""Valid ways to frame and chunk the same events: each passes its contract."""

from __future__ import annotations

from dataclasses import replace

from contract import Event, encode

from .servers import (
    BOM,
    SCRIPT,
    TOKENS,
    Frame,
    Server,
)


def _newline(newline: str) -> Frame:
    return lambda event: encode([event], newline=newline, with_ids=bool(event.last_event_id))


def _lines(event: Event) -> list[bytes]:
    head = [f"id: {event.last_event_id}".encode()]
    if event.type != "message":
        head.append(f"event: {event.type}".encode())
    return head + [f"data: {line}".encode() for line in event.data.split("\n")]


def _mixed(event: Event) -> bytes:
    """Field lines ending in turn with LF, CR, CRLF; the blank line with CRLF (CR then LF
    would be one CRLF, no blank line)."""
    endings = (b"\n", b"\r", b"\r\n")
    lines = [line + endings[i % 3] for i, line in enumerate(_lines(event))]
    return b"".join(lines) + b"\r\n"


def _commented(event: Event) -> bytes:
    """Comments between all fields (one in Latin-1, invalid UTF-8), retry and unknown fields."""
    extras = [b": caf\xe9 au lait", b"retry: 100", b"x-trace: 1", b":"]
    out = [b": before"]
    for index, line in enumerate(_lines(event)):
        out += [line, extras[index % len(extras)]]
    return b"\n".join([*out, b"", b""])


VALID: dict[str, tuple[str, Server]] = {
    "tokens-lf": ("tokens", TOKENS),
    "tokens-cr": ("tokens", replace(TOKENS, frame=_newline("\r"))),
    "tokens-crlf": ("tokens", replace(TOKENS, frame=_newline("\r\n"))),
    "tokens-mixed-endings": ("tokens", replace(TOKENS, frame=_mixed)),
    "tokens-bom": ("tokens", replace(TOKENS, prefix=BOM)),
    "tokens-one-byte-chunks-bom-crlf": (
        "tokens",
        replace(TOKENS, prefix=BOM, frame=_newline("\r\n"), chunks="bytes"),
    ),
    "tokens-comments-everywhere": (
        "tokens",
        replace(
            TOKENS, frame=_commented, prefix=b": hello\n\n", trailer=b": bye\n\n", comments=True
        ),
    ),
    "script-lf": ("script", SCRIPT),
    "script-one-byte-chunks-cr": ("script", replace(SCRIPT, frame=_newline("\r"), chunks="bytes")),
}
"""Valid ways to frame and chunk the same events: each passes its contract."""
