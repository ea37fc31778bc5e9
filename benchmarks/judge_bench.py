"""Judging throughput: ``contract.evaluate`` on recorded streams of 10k and 100k events.

The contract is in kinds mode, as a chat-completions-style stream would be written:
unnamed events whose JSON data must validate against a schema, ``[DONE]`` last (an
equal rule on the same type), pings allowed anywhere, a pattern, sequential ids,
``end.after``, ``[incremental]``,
``[resume]`` and ``[keepalive]``. The main recording is judged alone, and again with
the probes the suite would have recorded beside it (20 resume points, each with what
followed it, the terminal id answered 204, and a malformed id answered with the whole
stream), so the resume comparisons are measured too. Recordings are built in memory:
only ``evaluate`` is timed.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from contract import (
    Contract,
    Event,
    Framing,
    Probe,
    Recording,
    Recordings,
    TimedEvent,
    evaluate,
    parse_contract,
)
from contract.run.plan import plan

CONTRACT = """
format = 1
name = "judging benchmark"

[kinds.chunk]
[kinds.chunk.schema]
type = "object"
required = ["id", "object", "choices"]
properties.id = { type = "string", pattern = "^chatcmpl-" }
properties.object = { const = "chat.completion.chunk" }
properties.choices.type = "array"
properties.choices.minItems = 1
properties.choices.items.type = "object"
properties.choices.items.required = ["index", "delta"]
properties.choices.items.properties.index = { type = "integer", minimum = 0 }
properties.choices.items.properties.delta.type = "object"
properties.choices.items.properties.delta.properties.content.type = "string"

[kinds.done]
data = "[DONE]"

[kinds.ping]
type = "ping"
data = "{}"

[sequence]
pattern = "chunk+ done"
anywhere = ["ping"]

[end]
after = "done"

[incremental]
bursts = 2

[ids]
scheme = "sequential"

[resume]
tolerate = ["x"]

[keepalive]
max_silence = 15
"""
PING_EVERY = 50
STEP = 0.001
"""Seconds between two recorded events; every ``BURST`` events, a pause of ``PAUSE``."""
BURST = 100
PAUSE = 0.05


REGEX_CHUNK = """
[kinds.chunk]
data_match = '[{].*"chat[.]completion[.]chunk".*'
"""
"""The chunk kind as a regex instead of a schema: the cost of the rules without jsonschema."""


def contract(*, schema: bool = True) -> Contract:
    """The benchmark's contract; with ``schema=False`` its chunk kind is a regex."""
    text = CONTRACT
    if not schema:
        start = text.index("[kinds.chunk]")
        text = text[:start] + REGEX_CHUNK + text[text.index("[kinds.done]") :]
    return parse_contract(text, "judge_bench")


def _chunk(i: int) -> str:
    delta = {"index": 0, "delta": {"content": f" token{i}"}, "finish_reason": None}
    return json.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [delta]})


def stream(size: int) -> list[Event]:
    """``size`` events: chunks with a ping every ``PING_EVERY``, then ``[DONE]``; ids 0, 1, ..."""
    events = [
        Event("ping", "{}") if i % PING_EVERY == PING_EVERY - 1 else Event("message", _chunk(i))
        for i in range(size - 1)
    ]
    events.append(Event("message", "[DONE]"))
    return [Event(e.type, e.data, str(i)) for i, e in enumerate(events)]


def recording(events: Sequence[Event], status: int = 200) -> Recording:
    """A response that sent ``events`` one per millisecond and ended at once."""
    timed = tuple(TimedEvent(i * STEP + i // BURST * PAUSE, e) for i, e in enumerate(events))
    end = timed[-1].at if timed else 0.0
    size = sum(len(e.data) + 20 for e in events)
    framing = Framing(
        total_bytes=size,
        chunks=len(events),
        smallest_chunk=20,
        largest_chunk=200,
        lf=3 * len(events),
        longest_silence=PAUSE,
        silence_from=0.0,
    )
    headers = (("Content-Type", "text/event-stream"),) if status == 200 else ()
    return Recording(
        "http://bench/stream",
        status=status,
        headers=headers,
        head_at=0.0,
        events=timed,
        ended_at=end,
        framing=framing,
    )


def recordings(judged: Contract, size: int, *, probes: bool) -> Recordings:
    """The main recording, and with ``probes`` every probe the suite plans, answered well.

    Each probe's events are objects of their own, as parsing another response makes them:
    comparing them with the main stream's costs what it costs in a real run.
    """
    events = stream(size)
    main = recording(events)
    if not probes:
        return Recordings(main)
    ids = [e.last_event_id for e in events]
    answered = []
    for planned in plan(judged, events, len(events) - 1):
        if planned.purpose == "resume":
            start = ids.index(planned.value) + 1
            answer = recording([Event(e.type, e.data, e.last_event_id) for e in events[start:]])
        elif planned.purpose == "done":
            answer = recording([], status=204)
        else:
            answer = recording([Event(e.type, e.data, e.last_event_id) for e in events])
        answered.append(Probe(planned.purpose, planned.value, answer, planned.query))
    return Recordings(main, tuple(answered))


@dataclass
class JudgeResult:
    """``evaluate`` timed on one recording set."""

    label: str
    events: int
    probes: int
    seconds: list[float]
    passed: bool
    """Whether every rule passed (the recordings are of a good server)."""

    @property
    def per_event_us(self) -> float:
        """Median microseconds of CPU per event of the main recording."""
        return statistics.median(self.seconds) / self.events * 1e6


def measure_judging(sizes: Sequence[int], runs: int) -> list[JudgeResult]:
    """``evaluate`` ``runs`` times on each size, alone and with probes; CPU seconds each.

    CPU time of this process, so other work on a shared machine does not count; the
    recordings are frozen out of the garbage collector's reach first (``gc.freeze``),
    as they are built before judging and would otherwise be rescanned by every
    collection that judging's own allocations trigger.
    """
    schema, regex = contract(), contract(schema=False)
    cases = [
        ("main stream only", schema, False),
        ("main stream and its probes", schema, True),
        ("main stream only, chunks by regex (no schema)", regex, False),
    ]
    results = []
    prepared = []
    for label, judged, probes in cases:
        for size in sizes:
            rec = recordings(judged, size, probes=probes)
            passed = not any(r.failed for r in evaluate(judged, rec))
            results.append(JudgeResult(label, size, len(rec.probes), [], passed))
            prepared.append((judged, rec))
    for _ in range(runs):
        for result, (judged, rec) in zip(results, prepared, strict=True):
            gc.collect()
            gc.freeze()
            start = time.process_time()
            evaluate(judged, rec)
            result.seconds.append(time.process_time() - start)
            gc.unfreeze()
    return results


def linearity(results: Sequence[JudgeResult]) -> float:
    """The per-event cost on the largest recordings over that on the smallest, with probes."""
    with_probes = [r for r in results if r.probes] or list(results)
    large = max(with_probes, key=lambda r: r.events)
    small = min(with_probes, key=lambda r: r.events)
    return large.per_event_us / small.per_event_us
