"""Rule ``framing``: whatever framing is used parses as a browser would; report what was seen."""

from __future__ import annotations

from contract.run.recording import Ending
from contract.wire.framing import Framing

from .context import Context
from .result import RuleResult, Violation, core, nothing

RULE = "framing"


def describe(framing: Framing) -> str:
    """The framing in words: bytes, chunks, line endings, BOM, comments, other fields."""
    endings = [name for name, count in framing.endings.items() if count]
    size = f"{framing.total_bytes} bytes"
    if framing.encoding:
        size = f"{framing.encoding}: {framing.received_bytes} bytes decoded to {size}"
    parts = [
        f"{size} in {framing.chunks} chunk(s)"
        + (
            f" of {framing.smallest_chunk}..{framing.largest_chunk} bytes" if framing.chunks else ""
        ),
        "line endings " + ("/".join(endings) if endings else "none"),
    ]
    if framing.bom:
        parts.append("a BOM")
    if framing.comments:
        parts.append(f"{framing.comments} comment line(s)")
    if framing.retry_fields:
        parts.append(f"{framing.retry_fields} retry field(s)")
    if framing.unknown_fields:
        parts.append(f"{framing.unknown_fields} unknown field(s)")
    return "parsed as a browser would: " + ", ".join(parts)


def check_framing(ctx: Context) -> RuleResult:
    """Fails what a browser cannot recover; comments, retry, endings, BOM, chunking all pass.

    Invalid UTF-8 in a field that feeds an event (a browser shows U+FFFD), an id with
    NUL (a browser ignores it), a body that ends inside an event (discarded), and bytes
    after the end of a compressed stream (ignored).
    Anything a browser ignores, a comment with invalid UTF-8 included, never fails.
    """
    recording = ctx.main
    framing = recording.framing
    if recording.status is not None and recording.media_type() != "text/event-stream":
        # A browser's EventSource fails such a response without parsing it: the head says so.
        return nothing(RULE, f"not an event stream ({recording.header('Content-Type')})")
    found = []
    if framing.invalid_utf8_lines:
        found.append(
            Violation(
                RULE,
                "UTF-8 text in data, event and id fields",
                f"{framing.invalid_utf8_lines} line(s) of invalid UTF-8 (a browser shows U+FFFD)",
            )
        )
    if framing.nul_ids:
        found.append(
            Violation(
                RULE,
                "ids without NUL",
                f"{framing.nul_ids} id field(s) with NUL (a browser ignores them)",
            )
        )
    if recording.ending is Ending.EOF and framing.cut_off:
        found.append(
            Violation(
                RULE,
                "the body to end on an event boundary (a blank line)",
                f"it ends inside an event: a browser discards the last {framing.cut_off} bytes",
            )
        )
    if framing.trailing_bytes:
        found.append(
            Violation(
                RULE,
                f"the body to end with its {framing.encoding} stream",
                f"{framing.trailing_bytes} bytes after the end of the {framing.encoding} stream "
                "(a browser ignores them)",
            )
        )
    result = core(RULE, found, describe(framing))
    if found:
        return type(result)(
            result.rule,
            False,
            result.verdict,
            f"{result.summary} ({describe(framing)})",
            result.violations,
        )
    return result
