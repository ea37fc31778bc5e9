"""Drafts from hand-made recordings (pure): the head, the end, bursts, ids, keep-alive and
resume as the samples show them; every draft loads back and passes its samples."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from contract import Ending, Event, Ids, Recording, Recordings, encode, evaluate, parse_contract
from contract.infer import InferError, draft_from
from contract.infer.resume import POINTS, QUERIES, TOLERATE, infer_resume, probes_to_send
from contract.infer.timing import JITTER, round_up
from contract.run.recording import Probe
from tests.contract.support import CORE_EVENTS, probe, recording, stream

SAMPLES = [stream(CORE_EVENTS, 0.05)] * 3


def failed(draft_text: str, samples: list[Recording]) -> set[str]:
    contract = parse_contract(draft_text, "draft.toml")
    return {r.rule for s in samples for r in evaluate(contract, Recordings(s)) if r.failed}


def test_the_demo_stream_drafted_from_hand_made_samples() -> None:
    draft = draft_from(SAMPLES)
    contract = draft.contract
    assert contract.sequence is not None
    assert contract.sequence.pattern == "(start progress+ end)+ close"
    assert [k.name for k in contract.kinds] == ["start", "progress", "end", "close"]
    assert contract.end.after == "close"
    assert contract.ids == Ids("sequential", 0)
    assert contract.incremental is not None
    assert contract.incremental.bursts == 3
    assert contract.keepalive is None
    assert failed(draft.text(), SAMPLES) == set()


def test_a_draft_is_the_same_for_the_same_samples_and_differs_only_in_numbers() -> None:
    slower = [stream(CORE_EVENTS, 0.07)] * 3
    first, again, other = (draft_from(s).text() for s in (SAMPLES, SAMPLES, slower))
    assert first == again
    assert re.sub(r"\d+(\.\d+)?", "N", first) == re.sub(r"\d+(\.\d+)?", "N", other)


# -- the head --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        (stream(status=404), "sample 1: status 404, not a stream"),
        (recording((0.0, b"hi"), headers=(("Content-Type", "text/plain"),)), "text/plain, not"),
        (recording((0.0, b": only a comment\n\n")), "sample 1: no event in 0.0 s"),
        (stream(status=None, ending=Ending.UNREACHABLE, detail="refused"), "cannot reach"),
    ],
    ids=["404", "text/plain", "no-event", "unreachable"],
)
def test_what_is_no_stream_gives_no_draft(sample: Recording, message: str) -> None:
    with pytest.raises(InferError, match=re.escape(message)):
        draft_from([sample])


def test_a_header_the_stream_relies_on_is_required_when_every_sample_sent_it() -> None:
    headers = (("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"))
    alike = stream()
    with_header = replace(alike, headers=headers)
    assert draft_from([with_header] * 2).contract.response.headers == (
        ("Cache-Control", "no-cache"),
    )
    draft = draft_from([with_header, alike])
    assert draft.contract.response.headers == ()
    assert "Cache-Control not required" in " ".join(draft.notes["response"])


def test_samples_with_different_statuses_give_no_draft() -> None:
    with pytest.raises(InferError, match="disagree on the status: 200, 201"):
        draft_from([stream(), stream(status=201)])


# -- the end ---------------------------------------------------------------------------------

CUT = stream(ending=Ending.TIMEOUT, detail="still open after 2 s (total time limit)")


def test_a_stream_the_limits_cut_every_time_never_ends() -> None:
    contract = draft_from([CUT] * 2).contract
    assert contract.end.never
    assert contract.end.after is None


@pytest.mark.parametrize(
    ("samples", "message"),
    [
        ([stream(), CUT], "the samples disagree on the end"),
        ([stream(ending=Ending.RESET, detail="reset")], "sample 1: reset: reset"),
    ],
    ids=["some-cut", "reset"],
)
def test_ends_that_cannot_be_drafted(samples: list[Recording], message: str) -> None:
    with pytest.raises(InferError, match=message):
        draft_from(samples)


def test_a_last_kind_that_comes_more_than_once_is_no_terminal() -> None:
    events = [Event("message", "part 1"), Event("message", "part 2")]
    assert draft_from([stream(events)]).contract.end.after is None


def test_a_slow_end_widens_the_grace() -> None:
    late = replace(stream(), ended_at=stream().events[-1].at + 3.0)
    assert draft_from([late]).contract.end.grace == 6.0


def test_round_up_keeps_two_significant_digits() -> None:
    assert [round_up(v) for v in (0.287, 15.03, 0.1, 2.0)] == [0.29, 16.0, 0.1, 2.0]


# -- bursts, ids, keep-alive --------------------------------------------------------------


def test_one_burst_is_not_incremental() -> None:
    once = recording((0.0, encode(CORE_EVENTS)))
    draft = draft_from([once])
    assert draft.contract.incremental is None
    assert "not incremental" in " ".join(draft.notes["incremental"])


@pytest.mark.parametrize(
    ("ids", "scheme"),
    [
        (["", ""], Ids("none")),
        (["7", "8"], Ids("sequential", 7)),
        (["7", "9"], Ids("increasing")),
        (["b", "a"], Ids("unique")),
        (["a", "a"], Ids("any")),
    ],
)
def test_the_strongest_id_scheme_every_sample_follows(ids: list[str], scheme: Ids) -> None:
    events = [Event("tick", str(n), i) for n, i in enumerate(ids)]
    samples = [recording((0.0, encode(events, with_ids=bool(ids[0]))))]
    assert draft_from(samples).contract.ids == scheme


def test_ids_that_start_elsewhere_in_another_sample_are_increasing() -> None:
    def ticks(start: int) -> Recording:
        return stream([Event("tick", "x", str(start + n)) for n in range(3)])

    assert draft_from([ticks(1), ticks(5)]).contract.ids == Ids("increasing")


def _comments(pause: float) -> Recording:
    writes = [
        (0.0, encode(CORE_EVENTS[:1])),
        (pause, b": ping\n\n"),
        (2 * pause, encode(CORE_EVENTS[1:])),
    ]
    return recording(*writes)


def test_keepalive_is_the_longest_silence_with_a_margin() -> None:
    keepalive = draft_from([_comments(1.0), _comments(2.0)]).contract.keepalive
    assert keepalive is not None
    assert keepalive.max_silence == round_up(2.0 * 1.5 + JITTER)
    assert keepalive.required


def test_keepalive_is_not_required_when_some_sample_had_no_comment() -> None:
    keepalive = draft_from([_comments(1.0), stream()]).contract.keepalive
    assert keepalive is not None
    assert not keepalive.required


# -- resume ----------------------------------------------------------------------------------

DRAFT = draft_from(SAMPLES).contract
MAIN = SAMPLES[0]
LAST = int(CORE_EVENTS[-1].last_event_id)


def answers(
    resume: bool = True, done: Recording | None = None, query: str | None = None, **refuse: int
) -> list[Probe]:
    """Probes of the demo: each position answered as a server that resumes would (or the
    whole stream when ``resume`` is false), the terminal id with ``done`` (204 by default),
    the values in ``refuse`` (by label) with that status."""
    out = []
    for planned in probes_to_send(DRAFT, MAIN):
        if planned.query not in (None, query):
            got = MAIN
        elif planned.purpose == "resume" and resume:
            got = stream(CORE_EVENTS[int(planned.value) + 1 :])
        elif planned.purpose == "done" and resume:
            got = done if done is not None else stream([], status=204)
        else:
            got = MAIN
        for value, status in refuse.items():
            if planned.purpose == "tolerant" and planned.value == value.strip("_"):
                got = stream([], status=status)
        out.append(probe(planned.purpose, planned.value, got, planned.query))
    return out


def test_probes_cover_each_form_some_ids_the_end_and_malformed_values() -> None:
    planned = probes_to_send(DRAFT, MAIN)
    assert {p.query for p in planned} == {None, *QUERIES}
    header = [p for p in planned if p.query is None]
    assert len([p for p in header if p.purpose == "resume"]) == POINTS
    assert [p.value for p in header if p.purpose == "done"][:2] == [str(LAST), str(LAST + 1)]
    assert [p.value for p in header if p.purpose == "tolerant"] == list(TOLERATE)


def test_a_server_that_resumes_by_header_and_query_gets_everything_required() -> None:
    resume, _ = infer_resume(DRAFT, MAIN, answers(query="last_event_id"))
    assert resume is not None
    assert resume.required == {"resume", "done", "tolerant"}
    assert resume.query == "last_event_id"
    assert resume.after_end == 204
    assert resume.past_end
    assert resume.tolerate == TOLERATE


def test_a_malformed_value_that_gets_an_error_is_not_tolerated() -> None:
    resume, notes = infer_resume(DRAFT, MAIN, answers(abc=400))
    assert resume is not None
    assert resume.tolerate == ("", "-1")
    assert "Last-Event-ID: 'abc' got status 400" in notes


def test_no_event_for_the_terminal_id_is_after_end_empty() -> None:
    resume, _ = infer_resume(DRAFT, MAIN, answers(done=stream([])))
    assert resume is not None
    assert resume.after_end == "empty"
    assert "done" in resume.required


def test_a_server_that_ignores_the_position_is_required_nothing() -> None:
    resume, notes = infer_resume(DRAFT, MAIN, answers(resume=False))
    assert resume is not None
    assert resume.required == frozenset()
    assert resume.tolerate == ()
    assert "the server ignores the position" in notes[0]


def test_a_broken_resume_is_left_out_and_said_why() -> None:
    repeats = [
        replace(p, recording=stream(CORE_EVENTS[int(p.value) :]))
        if p.purpose == "resume" and p.query is None
        else p
        for p in answers()
    ]
    resume, notes = infer_resume(DRAFT, MAIN, repeats)
    assert resume is None
    assert notes[0] == "[resume] left out: Last-Event-ID is handled wrong"


def test_no_ids_no_probes() -> None:
    unnumbered = [stream([Event("message", "a"), Event("message", "b")])]
    draft = draft_from(unnumbered).contract
    assert probes_to_send(draft, unnumbered[0]) == []
    assert infer_resume(draft, unnumbered[0], []) == (
        None,
        ["[resume] left out: no event carried an id to resume from"],
    )


def test_a_long_varied_stream_is_drafted() -> None:
    # Every text different, JSON objects and pings between them: a step that compared each
    # event with every other would take minutes here, past the test's timeout.
    def sample(seed: int) -> Recording:
        events = [Event("start", "{}", "0")]
        for n in range(1, 6000):
            if n % 97 == 0:
                events.append(Event("ping", "{}", str(n)))
            elif n % 3 == 0:
                events.append(Event("message", f'{{"n": {n * seed}}}', str(n)))
            else:
                events.append(Event("message", f"word {n * seed}", str(n)))
        return recording((0.0, encode(events)), (0.1, encode([Event("done", "[DONE]", "6000")])))

    samples = [sample(seed) for seed in (1, 2, 3)]
    draft = draft_from(samples)
    assert draft.contract.sequence is not None
    assert "ping" in draft.contract.sequence.anywhere
    assert failed(draft.text(), samples) == set()
