"""A client's stream judged: as ``check_core`` judges it, the events' rules remembered per
list of events (clients that saw the same stream share one judgment of those)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import contract.load.outcome
from contract import Classifier, Event, Recording, Recordings, TimedEvent, default_contract
from contract.load.outcome import Judge
from contract.rules import check_core
from contract.rules.context import Context
from contract.rules.events import check_events
from contract.rules.result import RuleResult
from contract.run.recording import Ending
from tests.contract.support import CORE_EVENTS

HEAD = (("Content-Type", "text/event-stream"),)


def recording(events: Sequence[Event], step: float, *, status: int = 200) -> Recording:
    timed = tuple(TimedEvent(0.01 + i * step, e) for i, e in enumerate(events))
    end = timed[-1].at if timed else 0.0
    return Recording(
        "http://x/stream",
        status=status,
        headers=HEAD,
        head_at=0.005,
        events=timed,
        ending=Ending.EOF,
        ended_at=end,
    )


STREAMS = {
    "good, slow": recording(CORE_EVENTS, 0.05),
    "good, at once": recording(CORE_EVENTS, 0.0),
    "id 5 lost": recording([e for e in CORE_EVENTS if e.last_event_id != "5"], 0.05),
    "a 503": recording([], 0.0, status=503),
}  # fmt: skip


def test_a_client_is_judged_as_check_core_judges_and_the_events_rules_run_once_per_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = default_contract()
    classifier = Classifier(demo)
    calls: list[int] = []

    def counted(ctx: Context) -> RuleResult:
        calls.append(1)
        return check_events(ctx)

    monkeypatch.setattr(contract.load.outcome, "check_events", counted)
    judge = Judge(demo, classifier)
    for _ in range(3):
        for name, stream in STREAMS.items():
            wanted = check_core(Context(demo, Recordings(stream), classifier))
            assert judge.results(stream) == wanted, name
    # Four streams, three distinct lists of events ("good" twice, at other times).
    assert len(calls) == 3
    outcome = judge(STREAMS["id 5 lost"], 7, 0.5, connected_at=0.001)
    assert [f.rule for f in outcome.failures] == ["events", "ids"]
    assert outcome.number == 7
    assert outcome.error is None
    assert judge(STREAMS["a 503"], 8, 0.5).error == "status 503"
