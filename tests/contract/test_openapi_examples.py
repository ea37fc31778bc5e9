"""The shipped OpenAPI documents of the example streams (docs/openapi/), against the example
servers: each document alone checks the shapes; with its companion contract file it judges
every server and mutant as the shipped contract does; a broken shape fails ``data`` with
the path of what broke."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import pytest

from contract import (
    Contract,
    Event,
    OpenAPIFlags,
    Report,
    contract_from_openapi,
    find_contract,
    load_contract,
    run_suite,
)
from contract.cli import main
from contract.spec.overrides import with_flags
from tests.conftest import Serve
from tests.contract.cases import KEYS, STAGGER, Case, check_all, short_limits
from tests.jobs.support import bearer, expected_after, job_like, post_job
from tests.paths import OPENAPI_DOCS
from tests.servers.examples import EXAMPLES
from tests.servers.scripted import Responder, serve_app

DOCS = OPENAPI_DOCS


@dataclass(frozen=True)
class Document:
    """A shipped document: the operation to check, and what ``-H`` adds to it alone (the
    key its security scheme names: OpenAPI says how to send it, not its value)."""

    operation: str
    headers: tuple[tuple[str, str], ...] = ()


DOCUMENTS = {
    "openai-chat": Document(
        "createChatCompletionStream",
        (("Authorization", f"Bearer {KEYS['OPENAI_API_KEY']}"),),
    ),
    "anthropic-messages": Document(
        "createMessageStream", (("x-api-key", KEYS["ANTHROPIC_API_KEY"]),)
    ),
    "feed": Document("streamTicks"),
}
CASES = [(name, server) for name in DOCUMENTS for server in EXAMPLES[name].servers]
ALONE = ("alone", "as-sent")

Reports = dict[tuple[str, str], Report]
"""By (``shipped``, ``companion`` or ``alone``; server name)."""


def alone(name: str) -> Contract:
    """The document alone, with the tests' short limits."""
    flags = OpenAPIFlags(DOCS / f"{name}.yaml", DOCUMENTS[name].operation)
    return short_limits(name, contract_from_openapi(flags))


def verdicts(report: Report) -> dict[str, str]:
    """Rule to verdict."""
    assert not report.error, report.error
    return {result.rule: result.verdict.value for result in report.results}


def failing(report: Report) -> set[str]:
    """The rules that fail the run."""
    assert not report.error, report.error
    return {result.rule for result in report.results if result.failed}


@pytest.fixture(scope="module")
def reports() -> Callable[[str], Reports]:
    """Per example, every server checked by the shipped contract and by the document with its
    companion file, and the correct server by the document alone: all side by side."""
    done: dict[str, Reports] = {}

    def of(name: str) -> Reports:
        if name not in done:
            spec = EXAMPLES[name]
            cases: dict[tuple[str, str], Case] = {}
            for server, (factory, _) in spec.servers.items():
                shipped = find_contract(spec.contract)
                companion = load_contract(DOCS / f"{name}.toml")
                cases["shipped", server] = Case(
                    factory(), spec.path, short_limits(name, shipped, server)
                )
                cases["companion", server] = Case(
                    factory(), spec.path, short_limits(name, companion, server)
                )
            factory = spec.servers["as-sent"][0]
            cases[ALONE] = Case(factory(), spec.path, alone(name), DOCUMENTS[name].headers)
            done[name] = check_all(cases, STAGGER.get(name, 0.0))
        return done[name]

    return of


@pytest.mark.parametrize("name", ["openai-chat", "anthropic-messages"])
def test_the_document_alone_passes_its_server(name: str, reports: Callable[[str], Reports]) -> None:
    report = reports(name)[ALONE]
    assert failing(report) == set(), verdicts(report)
    assert report.contract == alone(name).name


def test_the_feed_document_alone_checks_the_shapes_and_cannot_say_the_feed_never_ends(
    reports: Callable[[str], Reports],
) -> None:
    report = reports("feed")[ALONE]
    assert failing(report) == {"end"}, verdicts(report)
    assert report.result("data").summary.endswith("event(s) fit their kind's data rule")
    assert "still open after 1.6 s (total time limit)" in report.result("end").summary


@pytest.mark.parametrize(("name", "server"), CASES, ids=[f"{n}:{s}" for n, s in CASES])
def test_the_document_and_its_companion_judge_as_the_shipped_contract(
    name: str, server: str, reports: Callable[[str], Reports]
) -> None:
    found = reports(name)
    companion, shipped = found["companion", server], found["shipped", server]
    assert verdicts(companion) == verdicts(shipped)
    assert failing(companion) == EXAMPLES[name].servers[server][1]


SHAPES = {
    # A contentSchema failure names the JSON path in the data; an event-shape failure (the
    # [DONE] branch here) also the keyword path in the branch's schema.
    "openai-chat": (
        "chunk-without-created",
        "event #4: expected data that fits a kind of type 'message'; actual "
        "message: schema: at $: 'created' is a required property; "
        "message.2: schema: at $: 'created' is a required property; "
        "message.3: schema: at $: 'created' is a required property; "
        "message.4: event schema: at $.data: '[DONE]' was expected "
        "(schema path allOf/1/properties/data/const)",
    ),
    "anthropic-messages": (
        "type-differs-from-name",
        "event #5: expected data that fits a kind of type 'content_block_delta'; actual "
        "schema: at $.type: 'content_block_delta' was expected",
    ),
    "feed": (
        "price-as-text",
        "event #1: expected data that fits a kind of type 'tick'; actual "
        "schema: at $.price: '90.0' is not of type 'number'",
    ),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_a_broken_shape_fails_data_with_its_path(
    name: str, reports: Callable[[str], Reports]
) -> None:
    server, first = SHAPES[name]
    report = reports(name)["companion", server]
    assert failing(report) == {"data"}
    assert str(report.result("data").violations[0]) == first


# -- the jobs stream: GET /jobs/{id}/events, the id a path parameter ------------------------

JOBS_DOC = DOCS / "jobs.yaml"
JOBS_LIMITS = {"seconds": 10.0, "idle_seconds": 3.0}


def jobs_contracts(job_id: str) -> tuple[Contract, Contract]:
    """The shipped ``jobs`` contract and the document with its companion, for one job."""
    flags = OpenAPIFlags(params=(("id", job_id),))
    companion = load_contract(DOCS / "jobs.toml", flags)
    return (
        with_flags(find_contract("jobs"), limits=JOBS_LIMITS),
        with_flags(companion, limits=JOBS_LIMITS),
    )


async def judge_job(base: str, job_id: str) -> tuple[Report, Report]:
    """A job judged by the shipped contract (by URL) and by the document with its companion."""
    shipped, companion = jobs_contracts(job_id)
    return await asyncio.gather(
        run_suite(f"{base}/jobs/{job_id}/events", shipped), run_suite(base, companion)
    )


async def test_a_job_passes_the_document_alone_given_its_id(
    serve: Serve, capsys: pytest.CaptureFixture[str]
) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as session:
        job = await post_job(session, base, interval=0.02)
    args = [base, "--openapi", str(JOBS_DOC), "--param", f"id={job['id']}", "--json"]
    status = await asyncio.to_thread(main, [*args, "--timeout", "10", "--idle-timeout", "3"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0, report
    assert report["contract"] == "jobEvents (GET /jobs/{id}/events), OpenAPI 3.2.0"
    results = {r["rule"]: r["summary"] for r in report["rules"]}
    assert results["data"] == "11 event(s) fit their kind's data rule"
    # Without --param, the document's example id is asked for: no such job.
    status = await asyncio.to_thread(main, [base, "--openapi", str(JOBS_DOC), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert next(r for r in report["rules"] if r["rule"] == "head")["summary"] == (
        "expected status 200; actual status 404"
    )


async def test_jobs_judged_by_the_document_and_its_companion_as_by_the_shipped_contract(
    serve: Serve, broker: str
) -> None:
    base = await serve(broker=broker)
    async with aiohttp.ClientSession() as session:
        done = await post_job(session, base, interval=0.02)
        cancelled = await post_job(session, base, interval=0.2)
        await asyncio.sleep(0.05)
        async with session.delete(
            f"{base}/jobs/{cancelled['id']}", headers=bearer(cancelled["token"])
        ) as resp:
            assert resp.status == 202
    for job in (done, cancelled):
        shipped, companion = await judge_job(base, job["id"])
        assert failing(companion) == set(), verdicts(companion)
        assert verdicts(companion) == verdicts(shipped)


def broken_jobs() -> dict[str, tuple[Responder, set[str]]]:
    """Job-like servers, each with one mistake, and the rules it fails."""
    whole = expected_after()
    half_done = Event("progress", "function1 half done", "2")
    return {
        "resume repeats the last event": (job_like(whole, resume_repeats=True), {"resume"}),
        "stopped without close": (
            job_like([*whole[:3], Event("cancelled", "cancelled by a client (DELETE)", "3")]),
            {"events", "end"},
        ),
        "a task that never starts": (job_like([whole[1], *whole[2:]]), {"events", "ids"}),
        "a progress text of its own": (job_like([*whole[:2], half_done, *whole[3:]]), {"data"}),
    }


async def test_broken_job_streams_fail_the_same_rules_by_the_document() -> None:
    for name, (respond, rules) in broken_jobs().items():
        async with serve_app(respond, {"/jobs/{id}/events": respond}) as base:
            shipped, companion = await judge_job(base, "j1")
        assert failing(companion) == rules, (name, verdicts(companion))
        assert verdicts(companion) == verdicts(shipped), name
        if rules == {"data"}:
            assert [str(v) for v in companion.result("data").violations] == [
                "event #3: expected data that fits a kind of type 'progress'; actual event "
                "schema: at $.data: 'function1 half done' does not match "
                "'^function[12] (started|halfway done|completed successfully)$' "
                "(schema path allOf/1/properties/data/pattern)"
            ]
