"""Events sent through the real aiohttp-sse, over a real socket, parse back as they were sent."""

from __future__ import annotations

import re
from typing import TypedDict

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp_sse import sse_response
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest_aiohttp import AiohttpClient

from contract import Event, EventParser

SEPARATORS = {"lf": "\n", "cr": "\r", "crlf": "\r\n"}
LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""aiohttp-sse's own rule for splitting data into lines: each becomes a ``data:`` line."""


class Sent(TypedDict):
    """The arguments of one ``EventSourceResponse.send`` call."""

    data: str
    id: str | None
    event: str | None
    retry: int | None


async def replay(request: web.Request) -> web.StreamResponse:
    """Send the events the JSON body lists, separated as ``?sep=`` names, then end."""
    sent: list[Sent] = await request.json()
    sep = SEPARATORS[request.query["sep"]]
    async with sse_response(request, sep=sep, allow_all_methods=True) as resp:
        for item in sent:
            await resp.send(item["data"], id=item["id"], event=item["event"], retry=item["retry"])
    return resp


Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(aiohttp_client: AiohttpClient) -> Client:
    """One stateless server for all of a test's examples: each request carries its events."""
    app = web.Application()
    app.router.add_post("/replay", replay)
    return await aiohttp_client(app)


chars = st.one_of(
    st.sampled_from(["\u2028", "\x85", ":", " ", "\0", "\ufeff", "é", "😀", "\x0b"]),
    st.characters(codec="utf-8"),
)
fields = st.text(chars, max_size=8).filter(lambda v: not LINE_BREAK.search(v))
sent_events = st.fixed_dictionaries(
    {
        "data": st.text(chars, max_size=16),
        "id": st.none() | fields.filter(lambda v: "\0" not in v),
        "event": st.none() | fields,
        "retry": st.none() | st.integers(min_value=0, max_value=10**12),
    }
)


def expected(sent: list[Sent]) -> tuple[list[Event], str, int | None]:
    """What a browser sees: ids persist, an empty or absent type is message, data in LF lines."""
    events: list[Event] = []
    last_id = ""
    retry = None
    for item in sent:
        last_id = item["id"] if item["id"] is not None else last_id
        retry = item["retry"] if item["retry"] is not None else retry
        data = LINE_BREAK.sub("\n", item["data"])
        events.append(Event(item["event"] or "message", data, last_id))
    return events, last_id, retry


# One server serves every example: the function-scoped fixture is reused on purpose.
@settings(
    max_examples=max(10, settings().max_examples // 2),  # the profile's, halved
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(sent_events, max_size=6), st.sampled_from(sorted(SEPARATORS)))
@example([{"data": "a\r\nb\rc\n", "id": "1", "event": "", "retry": None}], "cr")
@example([{"data": "", "id": None, "event": "x", "retry": 0}], "crlf")
@example([{"data": "\u2028:", "id": " 1", "event": " e", "retry": 5}] * 2, "lf")
async def test_what_aiohttp_sse_sends_parses_back(
    client: Client, sent: list[Sent], sep: str
) -> None:
    parser = EventParser()
    events: list[Event] = []
    async with client.post("/replay", params={"sep": sep}, json=sent) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/event-stream"
        async for chunk in resp.content.iter_any():
            events += parser.feed(chunk)
    events += parser.close()
    assert (events, parser.last_event_id, parser.retry) == expected(sent)
