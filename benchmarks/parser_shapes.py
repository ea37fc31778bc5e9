"""EventParser against its line machine alone on other stream shapes and chunk sizes.

The byte path only takes runs of short, usual events; every other stream goes through
the line machine. Each shape is parsed by both, in turn, and must give the same events.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

from .parser_bench import CHUNK, run_contract, run_line_machine


def _shape_main(i: int) -> str:
    # The corpus of parser_bench: CRLF, id and type on each event, pings, multi-line data.
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


@dataclass(frozen=True)
class ShapeResult:
    """The two parsers on one shape in one chunk size: MB/s of the best run of each."""

    shape: str
    chunk: int
    line_mbs: float
    parser_mbs: float

    @property
    def ratio(self) -> float:
        """EventParser's MB/s over its line machine's."""
        return self.parser_mbs / self.line_mbs


def _stream(shape: Callable[[int], str], target_bytes: int) -> bytes:
    parts: list[bytes] = []
    size = i = 0
    while size < target_bytes:
        parts.append(shape(i).encode())
        size += len(parts[-1])
        i += 1
    return b"".join(parts)


def measure_shapes(target_bytes: int, runs: int) -> list[ShapeResult]:
    """MB/s of ``EventParser`` and of its line machine, per shape and chunk size.

    Each figure is the best of ``runs`` CPU-time runs, the two parsers in turn: for two
    paths over the same bytes, load from elsewhere only ever adds time. Raises if the
    two paths give different events on a stream.
    """
    results = []
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
            results.append(ShapeResult(name, size, line, parser))
    return results
