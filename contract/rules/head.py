"""Rule ``head``: the status, the media type, the required headers, a coding a browser decodes."""

from __future__ import annotations

from contract.wire.decoding import CODINGS, codings

from .context import Context
from .result import RuleResult, Violation, core

RULE = "head"


def check_head(ctx: Context) -> RuleResult:
    """Status and media type as the contract says, its headers present with their exact values."""
    recording, wanted = ctx.main, ctx.contract.response
    if recording.status is None:
        found = [
            Violation(RULE, f"status {wanted.status}", f"no response ({recording.ending_text()})")
        ]
        return core(RULE, found, "")
    found = []
    if recording.status != wanted.status:
        found.append(Violation(RULE, f"status {wanted.status}", f"status {recording.status}"))
    if recording.media_type() != wanted.media_type:
        shown = recording.header("Content-Type")
        found.append(
            Violation(
                RULE,
                f"Content-Type {wanted.media_type}",
                "no Content-Type" if shown is None else f"Content-Type {shown}",
            )
        )
    for name, value in wanted.headers:
        values = recording.header_values(name)
        if value not in values:
            actual = f"{name}: {', '.join(values)}" if values else f"no {name} header"
            found.append(Violation(RULE, f"{name}: {value}", actual))
    encoding = recording.header("Content-Encoding")
    try:
        codings(encoding)
    except ValueError:  # the body is not read: a browser fails such a response
        found.append(
            Violation(
                RULE,
                f"a Content-Encoding a browser decodes ({', '.join(CODINGS)}) or none",
                f"Content-Encoding {encoding}",
            )
        )
    extra = f", {len(wanted.headers)} required header(s)" if wanted.headers else ""
    return core(
        RULE, found, f"status {recording.status}, {recording.header('Content-Type')}{extra}"
    )
