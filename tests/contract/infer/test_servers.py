"""Drafts inferred from real servers: each holds against its server, and fails most of the
broken variants of that server the suite's tests already have.

A variant is caught when the draft fails a rule of the kind its mistake breaks (the rules
its own contract fails it on; in kinds mode a wrong data shows in ``data`` where an exact
list shows it in ``events``, and resume, done and tolerant are one family). What each
draft lets through, and why, is in docs/inference.md; the table there is checked here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest

from aiohttp_sse_demo import Settings, create_app
from contract import Ids, Verdict
from contract.infer import Outcome
from tests.paths import DOCS

from .servers import app_at, catches, draft_of
from .sources import INTERVAL, PING, SOURCES, Source, caught


@dataclass(frozen=True)
class Drafted:
    """A source's draft, and the rules it fails on each variant and valid variation."""

    source: Source
    outcome: Outcome
    found: dict[str, frozenset[str]]


@pytest.fixture(scope="module")
def drafted() -> Callable[[str], Drafted]:
    """Each source's draft and its runs against the variants, made once, on first use."""
    done: dict[str, Drafted] = {}

    async def run(name: str) -> Drafted:
        source = SOURCES[name]()
        outcome = await draft_of(source.served, source.request, source.limits)
        assert outcome.holds, "\n".join([*outcome.problems, outcome.text])
        servers = {**{n: s for n, (s, _) in source.variants.items()}, **source.valid}
        return Drafted(source, outcome, await catches(outcome, servers, source.stagger))

    def of(name: str) -> Drafted:
        if name not in done:
            done[name] = asyncio.run(run(name))
        return done[name]

    return of


NEVER_ENDING = ("feed", "sse-channel")
"""Sources whose every recording lasts its time limit: about 10 s each, so marked slow."""


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=[pytest.mark.slow] * (n in NEVER_ENDING)) for n in SOURCES]
)
def test_a_draft_holds_and_catches_most_broken_variants(
    name: str, drafted: Callable[[str], Drafted]
) -> None:
    result = drafted(name)
    source, found = result.source, result.found
    missed = {n for n, (_, mistake) in source.variants.items() if not caught(found[n], mistake)}
    differ = {n: sorted(found[n]) for n in missed ^ source.missed}
    assert missed == source.missed, (differ, result.outcome.text)
    assert {n: found[n] for n in source.valid} == dict.fromkeys(source.valid, frozenset())
    assert len(missed) * 4 < len(source.variants)  # "most": at least three in four


def test_the_demo_stream_drafted(drafted: Callable[[str], Drafted]) -> None:
    contract = drafted("demo /stream").outcome.contract
    assert contract.sequence is not None
    assert contract.sequence.pattern == "(start progress+ end)+ close"
    assert contract.end.after == "close"
    assert contract.ids == Ids("sequential", 0)
    assert ("Cache-Control", "no-cache") in contract.response.headers
    assert contract.resume is not None
    assert contract.resume.required == {"resume", "done", "tolerant"}
    assert contract.resume.past_end
    assert contract.resume.query is None
    assert contract.keepalive is not None
    assert contract.keepalive.required
    assert contract.incremental is not None
    assert contract.incremental.bursts == 3


def test_a_jobs_events_drafted_with_the_query_parameter(
    drafted: Callable[[str], Drafted],
) -> None:
    contract = drafted("a job's events").outcome.contract
    assert contract.resume is not None
    assert contract.resume.query == "last_event_id"
    assert contract.end.after == "close"


def test_the_chat_stream_drafted_with_a_kind_per_shape(
    drafted: Callable[[str], Drafted],
) -> None:
    outcome = drafted("openai-chat").outcome
    contract = outcome.contract
    assert contract.sequence is not None
    assert contract.sequence.pattern == "message_1 message_2+ message_3 done"
    assert contract.kinds[0].name == "done"
    assert contract.kinds[0].data == "[DONE]"
    assert contract.request.headers == (("Authorization", "Bearer ${AUTHORIZATION}"),)
    assert "sk-test" not in outcome.text
    assert contract.resume is None
    assert "no event carried an id" in outcome.text


def test_pings_go_anywhere(drafted: Callable[[str], Drafted]) -> None:
    contract = drafted("anthropic-messages").outcome.contract
    assert contract.sequence is not None
    assert contract.sequence.anywhere == ("ping",)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "ids", "query"),
    [
        ("feed", Ids("sequential", 1001), "last_event_id"),
        ("sse-channel", Ids("increasing"), "lastEventId"),
    ],
)
def test_never_ending_feeds_drafted(
    name: str, ids: Ids, query: str, drafted: Callable[[str], Drafted]
) -> None:
    contract = drafted(name).outcome.contract
    assert contract.end.never
    assert contract.ids == ids
    assert contract.resume is not None
    assert contract.resume.query == query
    assert contract.keepalive is not None
    assert contract.keepalive.required


@pytest.mark.parametrize("name", ["better-sse", "sse-starlette"])
def test_a_server_that_ignores_the_position_is_required_nothing(
    name: str, drafted: Callable[[str], Drafted]
) -> None:
    result = drafted(name)
    contract = result.outcome.contract
    assert contract.resume is not None
    assert contract.resume.required == frozenset()
    assert result.outcome.report is not None
    assert result.outcome.report.result("resume").verdict is Verdict.NOT_SUPPORTED


def _masked(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?", "N", text)


async def test_two_drafts_of_one_server_differ_only_in_numbers() -> None:
    served = app_at(partial(create_app, Settings(interval=INTERVAL, ping_interval=PING)), "/stream")
    first, second = [await draft_of(served) for _ in range(2)]
    assert first.holds
    assert second.holds
    assert _masked(first.text) == _masked(second.text)


def test_the_docs_list_each_drafts_catches() -> None:
    page = (DOCS / "inference.md").read_text("utf-8")
    section = page.split("\n## What the drafts catch\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    listed = {row[0].strip(): (row[1].strip(), row[2].strip()) for row in rows[1:]}
    expected = {}
    for name, make in SOURCES.items():
        source = make()
        total = len(source.variants)
        expected[name] = (
            f"{total - len(source.missed)} of {total}",
            ", ".join(sorted(source.missed)) or "none",
        )
    assert {k: v[:1] for k, v in listed.items()} == {k: v[:1] for k, v in expected.items()}
    for name, (_, missed) in expected.items():
        assert all(part in listed[name][1] for part in missed.split(", ")), name
