"""Parser tables: the parsers on one corpus, EventParser against its line machine on others."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.parser_bench import Corpus, ParserResult
from benchmarks.parser_shapes import ShapeResult
from benchmarks.stats import median

from .machine import machine
from .markdown import Target, cell, table

PACKAGES = ("httpx-sse", "sseclient-py")


def corpus_heading(corpus: Corpus) -> str:
    """The section heading that says what the corpus is."""
    return (
        f"## Parser ({corpus.size / 1e6:.1f} MB, {len(corpus.chunks):,} chunks of 4 KiB, "
        f"CRLF, a `: ping` comment every 10 events, multi-line and non-ASCII data)"
    )


def parser_table(corpus: Corpus, parsers: Sequence[ParserResult]) -> list[str]:
    """MB/s and events/s per parser, with the events each yielded."""
    expected = len(corpus.expected)
    rows: list[tuple[object, ...]] = []
    for p in parsers:
        if p.missing:
            rows.append((p.name, "-", "-", "-", p.missing))
            continue
        mbs = [corpus.size / s / 1e6 for s in p.seconds]
        eps = [p.events / s for s in p.seconds]
        extra = p.events - expected
        count = f"{p.events:,}" + (f" ({extra:+,})" if extra else "")
        rows.append((p.name, cell(mbs, "{:.1f}"), cell(eps), count, "yes" if p.correct else "no"))
    head = ("parser", "MB/s", "events/s", f"events yielded (expected {expected:,})")
    return table((*head, "spec-correct"), "lrrrl", rows)


def parser_targets(parsers: Sequence[ParserResult]) -> list[Target]:
    """EventParser against httpx-sse, and against its own line machine, from the same run."""
    by_name = {p.name.split(" ")[0]: p for p in parsers if not p.missing}
    if "contract.EventParser" not in by_name or "httpx-sse" not in by_name:
        return []
    ours = median([1 / s for s in by_name["contract.EventParser"].seconds])
    theirs = median([1 / s for s in by_name["httpx-sse"].seconds])
    targets = [
        Target(
            "parser MB/s, contract.EventParser / httpx-sse",
            ours / theirs,
            ">= 2 (aim 3)",
            ours >= 2 * theirs,
        )
    ]
    if "contract.EventParser," in by_name:
        line = median([1 / s for s in by_name["contract.EventParser,"].seconds])
        targets.append(
            Target(
                "parser MB/s, EventParser / its line machine only", ours / line, "(context)", None
            )
        )
    return targets


def shapes_table(results: Sequence[ShapeResult]) -> list[str]:
    """MB/s of EventParser and of its line machine, per stream shape and chunk size."""
    rows = [
        (r.shape, f"{r.chunk:,} B", f"{r.line_mbs:.1f}", f"{r.parser_mbs:.1f}", f"{r.ratio:.2f}")
        for r in results
    ]
    head = ("stream", "chunk", "line machine MB/s", "EventParser MB/s")
    return table((*head, "EventParser / line machine"), "lrrrr", rows)


def shapes_report(results: Sequence[ShapeResult], megabytes: float, runs: int) -> str:
    """The markdown of a ``python -m benchmarks parser`` run."""
    lines = [
        f"## Parser on other streams ({megabytes:g} MB of each, best of {runs} CPU-time "
        "run(s) per cell, the two parsers in turn)",
        "",
        *machine(("aiohttp-sse-demo",)),
        "",
        *shapes_table(results),
        "",
    ]
    return "\n".join(lines)
