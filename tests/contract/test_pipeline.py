"""One pass of the pipeline: each event classified once per run, the pattern compiled once.

The recorder decides each event's kind as it arrives and keeps it with the main
recording; the planner, the terminal search, every probe (which repeats the main
stream's events) and the rules read it or look it up, never validate it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import contract.classify.fits
import contract.match.fastschema
import contract.match.pattern
from contract import Event, Options, encode, parse_contract, run_suite
from tests.servers.scripted import Reply, last_event_id, serve_app

CONTRACT = parse_contract(
    """
format = 1
name = "ticks"

[kinds.tick]
type = "tick"
schema = { type = "object", required = ["n"], properties = { n = { type = "integer" } } }

[kinds.bye]
type = "bye"
schema = { const = "bye" }

[sequence]
pattern = "tick+ bye"

[end]
after = "bye"
grace = 0.5

[ids]
scheme = "sequential"

[resume]
tolerate = ["abc", "-1"]
""",
    "ticks.toml",
)
TICKS = 30
EVENTS = [Event("tick", json.dumps({"n": n}), str(n)) for n in range(TICKS)]
EVENTS.append(Event("bye", '"bye"', str(TICKS)))


def _after(value: str | None) -> int:
    return int(value) if value is not None and value.isdigit() and int(value) <= TICKS else -1


def _reply(request: Any) -> Reply:
    after = _after(last_event_id(request))
    if after == TICKS:
        return Reply(status=204)
    return Reply([encode(EVENTS[after + 1 : after + 11]), 0.01, encode(EVENTS[after + 11 :])])


@pytest.fixture
def schema_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every instance a data schema judged during the test, one entry per call (the fast
    check every event gets, ``match/fastschema.py``)."""
    calls: list[str] = []
    real = contract.match.fastschema.rs_validator

    def counting(schema: Any) -> tuple[Callable[[Any], bool] | None, Any]:
        check, reason = real(schema)
        assert check is not None, reason

        def counted(instance: Any) -> bool:
            calls.append(json.dumps(instance, sort_keys=True))
            return check(instance)

        return counted, reason

    monkeypatch.setattr(contract.classify.fits, "rs_validator", counting)
    return calls


async def test_each_event_is_classified_once_per_run(schema_calls: list[str]) -> None:
    async with serve_app(_reply) as base:
        report = await run_suite(f"{base}/stream", CONTRACT, Options())
    assert report.passed, report
    assert report.result("resume").verdict.value == "SUPPORTED"
    # 30 ticks and a bye in the main stream; up to 20 probes repeat them (hundreds of
    # events): each distinct event reaches a schema exactly once.
    assert sorted(schema_calls) == sorted(json.dumps(json.loads(e.data)) for e in EVENTS)


async def test_the_pattern_is_compiled_with_the_contract_not_per_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled: list[str] = []
    real = contract.match.pattern.Pattern.__init__

    def counting(self: contract.match.pattern.Pattern, text: str) -> None:
        compiled.append(text)
        real(self, text)

    monkeypatch.setattr(contract.match.pattern.Pattern, "__init__", counting)
    async with serve_app(_reply) as base:
        report = await run_suite(f"{base}/stream", CONTRACT, Options(fuzz_resume=5, seed=1))
    assert report.passed, report
    assert compiled == []
