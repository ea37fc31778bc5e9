"""Parser throughput: ``contract.EventParser`` against httpx-sse and sseclient-py on one stream.

The stream is what real servers send: CRLF framing, ``: ping`` comments between
events, multi-line and non-ASCII data, ids on every event. It is fed in 4 KiB
chunks to each parser, which also counts the events it yields: a parser that yields
more or fewer than expected is shown with its count. ``EventParser``'s line machine
alone (its path for unusual streams, and the whole parser before the byte path) runs
beside it, so the gain of the byte path is measured in the same run.
"""

from __future__ import annotations

import codecs
import gc
import importlib.util
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from contract import Event, EventParser
from contract.wire.parser import _LineParser

CHUNK = 4096
PING_EVERY = 10
SLICES = 20
"""Parts of the stream per timed run: each parser parses each part in turn."""


@dataclass(frozen=True)
class Corpus:
    """The stream's chunks and the events a spec-correct parser yields from it."""

    chunks: tuple[bytes, ...]
    expected: tuple[Event, ...]
    pings: int

    @property
    def size(self) -> int:
        """Bytes in the stream."""
        return sum(len(c) for c in self.chunks)


def build_corpus(target_bytes: int, chunk: int = CHUNK) -> Corpus:
    """About ``target_bytes`` of events, split every ``chunk`` bytes (mid-line, mid-CRLF too)."""
    parts: list[bytes] = []
    expected: list[Event] = []
    size = pings = i = 0
    while size < target_bytes:
        kind = ("progress", "message", "update")[i % 3]
        lines = [f"task {i} is {i % 100}% done", "naïve café: ünïcödé ✓ 日本語 🚀", f"line {i}"]
        data_lines = lines[: 1 + i % 3]
        head = f"id: {i}\r\n" + ("" if kind == "message" else f"event: {kind}\r\n")
        block = head + "".join(f"data: {line}\r\n" for line in data_lines) + "\r\n"
        if i % PING_EVERY == PING_EVERY - 1:
            block += ": ping\r\n\r\n"
            pings += 1
        raw = block.encode()
        parts.append(raw)
        size += len(raw)
        expected.append(Event(kind, "\n".join(data_lines), str(i)))
        i += 1
    stream = b"".join(parts)
    chunks = tuple(stream[k : k + chunk] for k in range(0, len(stream), chunk))
    return Corpus(chunks, tuple(expected), pings)


def run_contract(chunks: Sequence[bytes]) -> Iterator[Event]:
    """This project's parser, yielding events as their chunks complete them."""
    parser = EventParser()
    for c in chunks:
        yield from parser.feed(c)
    yield from parser.close()


def run_line_machine(chunks: Sequence[bytes]) -> Iterator[Event]:
    """This project's parser with its line machine only, for every chunk."""
    parser = _LineParser()
    for c in chunks:
        yield from parser.feed(c)
    yield from parser.close()


class _Response:
    """Enough of an ``httpx.Response`` for ``httpx_sse.EventSource``: headers, ``iter_text``."""

    def __init__(self, chunks: Sequence[bytes]) -> None:
        self.headers = {"content-type": "text/event-stream"}
        self._chunks = chunks

    def iter_text(self) -> Iterator[str]:
        """The chunks decoded as httpx decodes them: incrementally, invalid bytes replaced."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        for c in self._chunks:
            if text := decoder.decode(c):
                yield text
        if text := decoder.decode(b"", final=True):
            yield text


def run_httpx_sse(chunks: Sequence[bytes]) -> Iterator[Any]:
    """httpx-sse's ``EventSource.iter_sse``, its public API, over the chunks (no network)."""
    from httpx_sse import EventSource

    return EventSource(cast(Any, _Response(chunks))).iter_sse()


def from_httpx_sse(e: Any) -> Event:
    """An httpx-sse ``ServerSentEvent`` as this project's ``Event``."""
    return Event(e.event or "message", e.data, e.id)


def run_sseclient(chunks: Sequence[bytes]) -> Iterator[Any]:
    """sseclient-py's ``SSEClient`` over an iterator of the chunks."""
    from sseclient import SSEClient

    return iter(SSEClient(iter(chunks)).events())


def from_sseclient(e: Any) -> Event:
    """An sseclient-py ``Event`` as this project's ``Event``."""
    return Event(e.event, e.data, e.id or "")


def _same(e: Event) -> Event:
    return e


Runner = Callable[[Sequence[bytes]], Iterator[Any]]
"""Parse the chunks, yielding each parser's own event objects."""

PARSERS: tuple[tuple[str, str | None, Runner, Callable[[Any], Event]], ...] = (
    ("contract.EventParser (this project)", None, run_contract, _same),
    ("contract.EventParser, line machine only", None, run_line_machine, _same),
    ("httpx-sse (EventSource.iter_sse)", "httpx_sse", run_httpx_sse, from_httpx_sse),
    ("sseclient-py (SSEClient)", "sseclient", run_sseclient, from_sseclient),
)


@dataclass
class ParserResult:
    """One parser's runs over the corpus."""

    name: str
    seconds: list[float]
    events: int
    correct: bool
    """True when the events equal the expected ones exactly."""
    missing: str | None = None
    """Why it did not run (a package not installed)."""


def _parts(chunks: Sequence[bytes]) -> list[Sequence[bytes]]:
    """The chunks in up to ``SLICES`` runs of about equal length, each a stream of its own.

    A part may only end with a chunk that ends with a blank line, so that no event,
    line or character is cut between parts (the chunks themselves stay as they are).
    """
    ends = [k + 1 for k, chunk in enumerate(chunks) if chunk.endswith(b"\r\n\r\n")]
    cuts = {0, len(chunks)}
    for j in range(1, SLICES):
        target = j * len(chunks) // SLICES
        cuts.add(min(ends, key=lambda end: abs(end - target), default=0))
    edges = sorted(cuts)
    return [chunks[a:b] for a, b in itertools.pairwise(edges) if b > a]


def measure(corpus: Corpus, runs: int) -> list[ParserResult]:
    """Each installed parser ``runs`` times over the corpus, interleaved.

    Timed runs consume each parser's own event objects as a client does, one at a
    time, without keeping them, so the garbage collector costs every parser the same
    little. Time is CPU seconds of this process, which other work on a shared machine
    disturbs less than the wall clock; and each run takes the stream in ``SLICES``
    parts, every parser parsing a part in turn (a new parser per part, the order
    rotating), so that load that comes and goes falls on all parsers alike. An untimed
    run first checks each parser's events over the whole stream against the expected ones.
    """
    results: list[ParserResult] = []
    usable: list[tuple[ParserResult, Runner]] = []
    for name, module, run, convert in PARSERS:
        if module is not None and importlib.util.find_spec(module) is None:
            results.append(ParserResult(name, [], 0, False, missing=f"{module} not installed"))
            continue
        events = [convert(e) for e in run(corpus.chunks)]
        result = ParserResult(name, [], len(events), events == list(corpus.expected))
        del events
        results.append(result)
        usable.append((result, run))
    parts = _parts(corpus.chunks)
    for _ in range(runs):
        gc.collect()
        spent = [0.0] * len(usable)
        for number, part in enumerate(parts):
            for turn in range(len(usable)):
                index = (number + turn) % len(usable)
                start = time.process_time()
                for _event in usable[index][1](part):
                    pass
                spent[index] += time.process_time() - start
        for (result, _run), seconds in zip(usable, spent, strict=True):
            result.seconds.append(seconds)
    return results
