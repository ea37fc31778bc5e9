"""OpenAPI documents checked against live servers: the demo passes, broken shapes fail ``data``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from contract import Event, encode
from contract.cli import main
from tests.conftest import Launch, Serve
from tests.contract.support import CORE_EVENTS
from tests.paths import OPENAPI_DOCS
from tests.servers.scripted import Reply, frame_steps, serve_app

DOCS = OPENAPI_DOCS
DEMO = str(DOCS / "demo.yaml")
FAST = ["--timeout", "10", "--idle-timeout", "3", "--close-grace", "0.3"]

pytest_plugins = ["pytester"]


async def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """``python -m contract ARGS --json`` in a thread; the exit status and the JSON report."""
    status = await asyncio.to_thread(main, [*args, *FAST, "--json"])
    return status, json.loads(capsys.readouterr().out)


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {rule["rule"]: rule["verdict"] for rule in report["rules"]}


def failed(report: dict[str, Any]) -> set[str]:
    return {rule["rule"] for rule in report["rules"] if rule["failed"]}


def violations(report: dict[str, Any], rule: str) -> list[str]:
    found = next(r for r in report["rules"] if r["rule"] == rule)
    return [f"{v['message']}: {v['actual']}" for v in found["violations"]]


async def test_the_demo_document_alone_passes_the_demo_server(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    base = await serve()
    status, report = await run(capsys, base, "--openapi", DEMO, "--operation", "streamDemo")
    assert status == 0, report
    assert report["contract"] == "streamDemo (GET /stream), OpenAPI 3.2.0"
    assert report["url"] == base
    results = {r["rule"]: r for r in report["rules"]}
    assert results["data"]["summary"] == "11 event(s) fit their kind's data rule"
    assert results["events"]["verdict"] == "PASS"
    assert {results[name]["verdict"] for name in ("resume", "done", "tolerant")} == {"PASS"}


async def test_the_demo_document_with_its_contract_file_checks_order_and_resume(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    base = await serve()
    contract = str(DOCS / "demo.toml")
    status, report = await run(capsys, base, "--contract", contract, "--resume-from", "0,4,9")
    assert status == 0, report
    assert report["contract"] == "demo /stream (OpenAPI shapes, file order)"
    assert verdicts(report) | {"keepalive": "-"} == {
        "head": "PASS",
        "events": "PASS",
        "data": "PASS",
        "ids": "PASS",
        "end": "PASS",
        "incremental": "PASS",
        "framing": "PASS",
        "resume": "SUPPORTED",
        "done": "SUPPORTED",
        "tolerant": "SUPPORTED",
        "keepalive": "-",
    }


def broken_demo(request: web.Request) -> Reply:
    """The demo's events with two shapes broken: a progress text and the close data."""
    events = list(CORE_EVENTS)
    events[2] = Event("progress", "function1 half done", "2")
    events[10] = Event("close", "bye", "10")
    return Reply(frame_steps(events, 0.01))


async def test_a_server_that_breaks_the_shapes_fails_rule_data_with_the_schema_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve_app(broken_demo) as base:
        status, report = await run(capsys, base, "--openapi", DEMO)
        assert status == 1
        assert failed(report) == {"data"}
        assert violations(report, "data") == [
            "event #3: event schema: at $.data: 'function1 half done' does not match "
            "'^function[12] (started|halfway done|completed successfully)$' "
            "(schema path allOf/1/properties/data/pattern)",
            "event #11: event schema: at $.data: 'api completed' was expected "
            "(schema path allOf/1/properties/data/const)",
        ]
        # The same server against the file that adds the order: the order still holds.
        status, report = await run(capsys, base, "--contract", str(DOCS / "demo.toml"))
        assert status == 1
        assert "data" in failed(report)
        assert "events" not in failed(report)


CHAT = """
openapi: 3.2.0
info: {title: chat, version: "1"}
servers: [{url: "https://api.invalid/v1"}]
paths:
  /rooms/{room}/reply:
    post:
      operationId: reply
      parameters:
        - {name: room, in: path, required: true, schema: {type: string}}
        - {name: X-Trace, in: header, required: true, example: t-1}
      requestBody:
        required: true
        content:
          application/json:
            example: {prompt: hi, stream: true}
      responses:
        "200":
          content:
            text/event-stream:
              itemSchema:
                oneOf:
                  - $ref: "#/components/schemas/Delta"
                  - properties: {event: {const: done}, data: {const: "[DONE]"}}
components:
  schemas:
    Delta:
      required: [event, data]
      properties:
        event: {const: delta}
        data:
          contentMediaType: application/json
          contentSchema:
            type: object
            required: [text]
            properties:
              text: {type: string}
              usage: {$ref: "#/components/schemas/Usage"}
    Usage:
      type: object
      properties:
        total: {type: integer, minimum: 0}
"""


async def test_a_post_operation_with_parameters_body_and_json_shapes(
    launch: Launch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, str, str | None, bytes]] = []
    chunks = [
        Event("delta", json.dumps({"text": "Hel"})),
        Event("delta", json.dumps({"text": "lo", "usage": {"total": -2}})),
        Event("done", "[DONE]"),
    ]

    async def reply(request: web.Request) -> web.StreamResponse:
        seen.append(
            (request.method, request.path_qs, request.headers.get("X-Trace"), await request.read())
        )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in chunks:
            await response.write(encode([event]))
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/rooms/{room}/reply", reply)
    base = (await launch(app)).url
    (tmp_path / "chat.yaml").write_text(textwrap.dedent(CHAT))
    doc = str(tmp_path / "chat.yaml")
    status, report = await run(capsys, base, "--openapi", doc, "--param", "room=a b")
    assert seen == [("POST", "/v1/rooms/a%20b/reply", "t-1", b'{"prompt": "hi", "stream": true}')]
    assert status == 1
    assert failed(report) == {"data"}
    assert violations(report, "data") == [
        "event #2: schema: at $.usage.total: -2 is less than the minimum of 0"
    ]
    chunks[1] = Event("delta", json.dumps({"text": "lo", "usage": {"total": 2}}))
    status, report = await run(capsys, base, "--openapi", doc, "--param", "room=x")
    assert status == 0, report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--operation", "nope"], "no operation 'nope' (operations: streamDemo (GET /stream))"),
        (["--param", "room=1"], "--param room: streamDemo (GET /stream) has no such parameter"),
        (["--param", "room"], "argument --param: expected NAME=VALUE, got 'room'"),
    ],
)
def test_bad_openapi_arguments_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = "argument" in message  # argparse's own errors exit 2 by SystemExit
    with pytest.raises(SystemExit) if usage else contextlib.nullcontext():
        status = main(["http://127.0.0.1:9/", "--openapi", DEMO, *args])
        assert status == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_a_broken_document_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text("openapi: 3.2.0\npaths: {/a: [}\n")
    assert main(["http://127.0.0.1:9/", "--openapi", str(tmp_path / "bad.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"python -m contract: error: {tmp_path / 'bad.yaml'}: not valid YAML at")
    assert len(err.splitlines()) == 1


def test_validate_explains_an_openapi_contract_and_a_3_1_fallback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--openapi", DEMO]) == 0
    out = capsys.readouterr().out
    assert "openapi: " + DEMO + " (OpenAPI 3.2.0), operation streamDemo (GET /stream)" in out
    assert "events: kinds in the pattern '(start | progress | end | close)+' (OpenAPI" in out
    assert "  progress: type 'progress', the event (event, data, id) valid against" in out
    old = DOCS.joinpath("demo.yaml").read_text().replace("openapi: 3.2.0", "openapi: 3.1.1")
    (tmp_path / "old.yaml").write_text(old.replace("itemSchema:", "schema:"))
    assert main(["validate", "--openapi", str(tmp_path / "old.yaml")]) == 0
    out = capsys.readouterr().out
    assert (
        "  a document before 3.2 without itemSchema: the text/event-stream schema read as each "
        "event's shape (as Schemathesis does)"
    ) in out
    assert main(["validate", str(DOCS / "demo.toml")]) == 0
    assert "events: kinds in the pattern '(start progress{3} end){2} close'\n" in (
        capsys.readouterr().out
    )


async def test_the_pytest_plugin_takes_the_same_options(
    serve: Serve, pytester: pytest.Pytester
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    base = await serve()
    result = await asyncio.to_thread(
        pytester.runpytest_subprocess,
        "-p",
        "no:cacheprovider",
        "--sse-url",
        base,
        f"--sse-openapi={DEMO}",  # one word: pytest takes a bare path for its rootdir
        "--sse-operation",
        "streamDemo",
        "-v",
        timeout=60,
    )
    result.assert_outcomes(passed=11)
    result.stdout.fnmatch_lines(["*sse-contract::data PASSED*"])
    bad = await asyncio.to_thread(
        pytester.runpytest_subprocess,
        "-p",
        "no:cacheprovider",
        "--sse-url",
        base,
        f"--sse-openapi={DEMO}",
        "--sse-param",
        "x=1",
        timeout=60,
    )
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*sse contract: *--param x: streamDemo (GET /stream) has no such*"])
