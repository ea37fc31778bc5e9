"""Parser throughput: ``contract.EventParser`` against httpx-sse and sseclient-py on one stream.

The stream is what real servers send: CRLF framing, ``: ping`` comments between
events, multi-line and non-ASCII data, ids on every event. It is fed in 4 KiB
chunks to each parser, which also counts the events it yields: a parser that yields
more or fewer than expected is shown with its count. ``EventParser``'s line machine
alone (its path for unusual streams, and the whole parser before the byte path) runs
beside it, so the gain of the byte path is measured in the same run.
"""

from __future__ import annotations

import argparse
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


# --- other streams: the byte path against the line machine alone --------------------------


def _shape_main(i: int) -> str:
    # The corpus above: CRLF, id and type on each event, pings, multi-line non-ASCII data.
    lines = ["naïve café ✓ 日本語 🚀", f"line {i}"][: 1 + i % 2]
    head = f"id: {i}\r\n" + ("" if i % 3 else "event: progress\r\n")
    ping = ": ping\r\n\r\n" if i % 10 == 9 else ""
    return head + "".join(f"data: {x}\r\n" for x in lines) + "\r\n" + ping


def _shape_json(i: int) -> str:
    return f'data: {{"i": {i}, "text": "{"hello world " * 8}"}}\n\n'


def _shape_no_space(i: int) -> str:
    return f"data:{i} {'x' * 40}\n\n"


def _shape_timed_comment(i: int) -> str:
    return f"data: {i} {'x' * 40}\n\n: ping {i}\n\n"


def _shape_retry(i: int) -> str:
    return f"retry: 1000\ndata: {i} {'x' * 40}\n\n"


def _shape_cr(i: int) -> str:
    return f"data: {i} {'x' * 40}\r\r"


def _shape_medium(i: int) -> str:
    return f"id: {i}\r\n" + f"data: {'m' * 100}\r\n" * 15 + "\r\n"


def _shape_long(i: int) -> str:
    return f"id: {i}\n" + f"data: {'y' * 1000}\n" * 50 + "\n"


SHAPES: tuple[tuple[str, Callable[[int], str]], ...] = (
    ("the corpus above (CRLF, id, type, pings)", _shape_main),
    ("data-only JSON, LF", _shape_json),
    ("`data:` without a space", _shape_no_space),
    ("a comment with a count after each event", _shape_timed_comment),
    ("`retry:` in each event", _shape_retry),
    ("CR line ends", _shape_cr),
    ("1.6 KB events of 15 lines", _shape_medium),
    ("50 KB events", _shape_long),
)
"""Stream shapes, each as the text of its event number ``i``."""
SHAPE_CHUNKS = (100, CHUNK, 65_536)


def _stream(shape: Callable[[int], str], target_bytes: int) -> bytes:
    parts: list[bytes] = []
    size = i = 0
    while size < target_bytes:
        parts.append(shape(i).encode())
        size += len(parts[-1])
        i += 1
    return b"".join(parts)


def compare_shapes(target_bytes: int, runs: int) -> list[str]:
    """A markdown table: MB/s of ``EventParser`` and of its line machine, per shape and chunk.

    Each cell is the best of ``runs`` CPU-time runs, the two parsers in turn: for two
    paths over the same bytes, load from elsewhere only ever adds time.
    """
    lines = [
        "| stream | chunk | line machine MB/s | EventParser MB/s | EventParser / line machine |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, shape in SHAPES:
        stream = _stream(shape, target_bytes)
        for size in SHAPE_CHUNKS:
            chunks = [stream[k : k + size] for k in range(0, len(stream), size)]
            if list(run_contract(chunks)) != list(run_line_machine(chunks)):
                raise AssertionError(f"the two paths differ on {name}, {size} B chunks")
            seconds: dict[str, list[float]] = {"line": [], "parser": []}
            for _ in range(runs):
                for key, run in (("line", run_line_machine), ("parser", run_contract)):
                    gc.collect()
                    start = time.process_time()
                    for _event in run(chunks):
                        pass
                    seconds[key].append(time.process_time() - start)
            line, parser = (len(stream) / min(seconds[k]) / 1e6 for k in ("line", "parser"))
            lines.append(
                f"| {name} | {size:,} B | {line:.1f} | {parser:.1f} | {parser / line:.2f} |"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.parser_bench``: the shapes table on stdout."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.parser_bench",
        description="EventParser against its line machine alone on other stream shapes.",
    )
    parser.add_argument("--mb", type=float, default=4.0, help="size of each stream (MB)")
    parser.add_argument("--runs", type=int, default=7, help="runs per cell; the best is shown")
    args = parser.parse_args(argv)
    print("\n".join(compare_shapes(int(args.mb * 1e6), args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
