"""What a mock answers, without a server: the whole stream, what follows a position, the answer
to the terminal id and past it, the whole stream for a value that is no id; the same events for
the same seed; and each break changes what it says and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import pytest

from contract import Contract, Event, EventParser, parse_contract
from contract.mock.breaks import CHANGED, RULES, STRANGER, unbreakable
from contract.mock.errors import MockError
from contract.mock.frames import Step, Write
from contract.mock.replies import CUT_SHORT, Mock

TOKENS = """format = 1
[request]
method = "POST"
url = "/v1/tokens"
[response]
headers = { Cache-Control = "no-store" }
[kinds.start]
type = "start"
schema = { type = "object", required = ["n"], properties = { n = { type = "integer" } } }
[kinds.token]
data_match = '[a-z]+'
[kinds.done]
type = "done"
data = "[DONE]"
[kinds.ping]
type = "ping"
[sequence]
pattern = "start token{2,} done"
anywhere = ["ping"]
[end]
after = "done"
[ids]
scheme = "sequential"
start = 1
[resume]
past_end = true
query = "from"
tolerate = ["", "abc"]
"""
FEED = """format = 1
[kinds.tick]
type = "tick"
data_match = '[0-9]+'
[sequence]
pattern = "tick+"
[end]
never = true
[ids]
scheme = "increasing"
[resume]
tolerate = ["nope"]
[keepalive]
max_silence = 1
"""


def _contract(text: str, **tables: str) -> Contract:
    for table, body in tables.items():
        text = text.replace(f"[{table}]\n", f"[{table}]\n{body}\n", 1)
    return parse_contract(text, "test.toml")


def _events(
    steps: Iterable[Step], last_event_id: str = "", steps_at_most: int | None = None
) -> list[Event]:
    parser = EventParser(last_event_id)
    found: list[Event] = []
    for step in islice(steps, steps_at_most):
        if isinstance(step, Write):
            found += parser.feed(step.data)
    return found + parser.close()


def _stream(mock: Mock) -> list[Event]:
    assert mock.stream.events is not None
    return [Event(e.type, e.data, e.id) for e in mock.stream.events]


@pytest.mark.parametrize("seed", range(6))
def test_each_position_gets_what_followed_it(seed: int) -> None:
    mock = Mock(_contract(TOKENS), seed)
    whole = _stream(mock)
    assert [e.last_event_id for e in whole] == [str(1 + i) for i in range(len(whole))]
    assert whole[-1] == Event("done", "[DONE]", str(len(whole)))
    reply = mock.reply(None)
    assert reply.status == 200
    assert _events(reply.steps) == whole
    for index, event in enumerate(whole[:-1]):
        resumed = mock.reply(event.last_event_id)
        assert _events(resumed.steps, event.last_event_id) == whole[index + 1 :]
    for value in ("", "abc", "0", "-1", "1.0"):
        assert _events(mock.reply(value).steps) == whole


def test_the_terminal_id_and_ids_past_it_get_204() -> None:
    mock = Mock(_contract(TOKENS), 0)
    last = int(_stream(mock)[-1].last_event_id)
    for value in (str(last), str(last + 1), "1" + "0" * 4999):
        assert mock.reply(value).status == 204
    empty = Mock(_contract(TOKENS, resume='after_end = "empty"'), 0).reply(str(last))
    assert (empty.status, _events(empty.steps)) == (200, [])


def test_the_head_has_the_media_type_and_the_contracts_headers() -> None:
    for seed in range(12):
        head = {name.lower(): value for name, value in Mock(_contract(TOKENS), seed).head()}
        assert head["content-type"].split(";")[0].lower() == "text/event-stream"
        assert head["cache-control"] == "no-store"
        assert head["x-accel-buffering"] == "no"


def test_the_same_seed_draws_the_same_stream_and_another_seed_another() -> None:
    streams = [_stream(Mock(_contract(TOKENS), seed)) for seed in (5, 5, 6)]
    assert streams[0] == streams[1]
    assert streams[0] != streams[2]
    assert len({tuple(_stream(Mock(_contract(TOKENS), seed))) for seed in range(8)}) == 8


def test_a_feed_resumes_anywhere_and_never_ends() -> None:
    mock = Mock(_contract(FEED), 3)
    first = list(islice(mock.stream.iterate(), 300))
    ids = [e.id for e in first]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
    assert len(set(ids)) == len(ids)
    wanted = [Event(e.type, e.data, e.id) for e in first[101:121]]
    resumed = _events(mock.reply(first[100].id).steps, first[100].id, steps_at_most=400)
    assert resumed[:20] == wanted
    assert _events(mock.reply("nope").steps, steps_at_most=40)[:5] == [
        Event(e.type, e.data, e.id) for e in first[:5]
    ]


# -- breaks -----------------------------------------------------------------------------------


def test_each_event_break_changes_one_event() -> None:
    contract = _contract(TOKENS)
    whole = _stream(Mock(contract, 2))
    extra = _stream(Mock(contract, 2, "events"))
    assert [e.type for e in extra].count(STRANGER) == 1
    assert [e for e in extra if e.type != STRANGER] == [
        Event(e.type, e.data, str(int(e.last_event_id) + (i > 0))) for i, e in enumerate(whole)
    ]
    for rule, field in (("data", "data"), ("ids", "last_event_id")):
        changed = _stream(Mock(contract, 2, rule))
        differing = [(a, b) for a, b in zip(whole, changed, strict=True) if a != b]
        assert len(differing) == 1, rule
        before, after = differing[0]
        assert getattr(before, field) != getattr(after, field)


def test_an_exact_list_breaks_events_by_changing_a_listed_data() -> None:
    listed = """format = 1
[[events]]
data = "one"
[[events]]
data = "two"
"""
    events = _stream(Mock(parse_contract(listed), 0, "events"))
    assert [e.data for e in events] == ["one" + CHANGED, "two"]


def test_the_reply_breaks() -> None:
    contract = _contract(TOKENS)
    whole = _stream(Mock(contract, 1))
    terminal = whole[-1].last_event_id
    assert Mock(contract, 1, "done").reply(terminal).status == 200
    assert Mock(contract, 1, "tolerant").reply("abc").status == 400
    assert Mock(contract, 1, "tolerant").reply(whole[0].last_event_id).status == 200
    skipped = _events(Mock(contract, 1, "resume").reply("1").steps, "1")
    assert skipped == whole[2:]
    assert "cache-control" not in {name.lower() for name, _ in Mock(contract, 1, "head").head()}
    media = {n.lower(): v for n, v in Mock(parse_contract(FEED), 1, "head").head()}
    assert media["content-type"].startswith("text/plain")
    cut = [s.data for s in Mock(contract, 1, "framing").reply(None).steps if isinstance(s, Write)]
    assert cut[-1] == CUT_SHORT
    assert _events([Write(b"".join(cut))]) == whole


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("data", "exact mode compares data in the events rule"),
        ("ids", "every listed event names its id, so a wrong id fails events too"),
        ("resume", "no [resume]"),
        ("keepalive", "no [keepalive]"),
        ("incremental", "no pause to miss: no [incremental] and no pause_before"),
    ],
)
def test_a_rule_with_nothing_to_judge_cannot_be_broken(rule: str, why: str) -> None:
    listed = """format = 1
[[events]]
data = "one"
id = "1"
[[events]]
data = "two"
id = "2"
[ids]
scheme = "sequential"
start = 1
"""
    contract = parse_contract(listed, "two.toml")
    assert unbreakable(contract, rule) == why
    with pytest.raises(MockError, match=f"two.toml: cannot break {rule} alone: "):
        Mock(contract, 0, rule)


def test_every_rule_of_the_report_can_be_named() -> None:
    from contract import CORE_RULES, EXTENSIONS

    assert (*CORE_RULES, *EXTENSIONS) == RULES
    assert unbreakable(_contract(TOKENS), "speed") == f"no rule 'speed' (rules: {', '.join(RULES)})"
