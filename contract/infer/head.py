"""``[response]`` from the samples: the status, the media type, and the headers a stream
relies on when every sample sent them alike; pure."""

from __future__ import annotations

from collections.abc import Sequence

from contract.run.recording import Ending, Recording
from contract.spec.model import Response

from .errors import InferError

RELIED_ON = ("Cache-Control", "X-Accel-Buffering", "Access-Control-Allow-Origin")
"""Headers a stream relies on: no cache and no proxy buffering keep events flowing one by one,
and a page on another origin needs CORS to open the stream at all."""
EVENT_STREAM = "text/event-stream"


def check_samples(samples: Sequence[Recording]) -> None:
    """Raise ``InferError`` unless every sample is an event stream with a successful status."""
    for number, sample in enumerate(samples, 1):
        if sample.ending is Ending.UNREACHABLE:
            raise InferError(f"cannot reach {sample.url}: {sample.detail}")
        if sample.status is None:
            raise InferError(f"sample {number}: no response ({sample.ending_text()})")
        if not 200 <= sample.status < 300:
            raise InferError(
                f"sample {number}: status {sample.status}, not a stream: check the URL, "
                "the method (-X), the headers (-H) and the body (--data)"
            )
        if sample.media_type() != EVENT_STREAM:
            shown = sample.header("Content-Type") or "no Content-Type"
            raise InferError(f"sample {number}: {shown}, not {EVENT_STREAM}")
        if not sample.events:
            raise InferError(
                f"sample {number}: no event in {sample.ended_at:.1f} s ({sample.ending_text()}); "
                "a contract needs events to describe (a longer --seconds?)"
            )
    statuses = sorted({sample.status for sample in samples if sample.status is not None})
    if len(statuses) > 1:
        raise InferError(f"the samples disagree on the status: {', '.join(map(str, statuses))}")


def infer_response(samples: Sequence[Recording]) -> tuple[Response, list[str]]:
    """The head every sample had, and what was seen."""
    first = samples[0]
    assert first.status is not None
    headers: list[tuple[str, str]] = []
    notes = [f"every sample: status {first.status}, Content-Type {first.header('Content-Type')}"]
    for name in RELIED_ON:
        values = {tuple(sample.header_values(name)) for sample in samples}
        if len(values) == 1 and (only := next(iter(values))) and len(only) == 1:
            headers.append((name, only[0]))
        elif any(values):
            notes.append(f"{name} not required: the samples sent {sorted(values)}")
    if headers:
        notes.append("the headers below came alike in every sample; a stream relies on them")
    return Response(first.status, EVENT_STREAM, tuple(headers)), notes
