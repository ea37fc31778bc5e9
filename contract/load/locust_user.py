"""A Locust user that judges every stream it opens against the contract (locust 2.x).

Beyond one machine, Locust runs the load: its master and workers, its web UI, its CSV
stats. Each user opens the contract's stream again and again; the bytes go through the
same HTTP/1.1 reader, ``Reader`` (limits, parser, framing, live classification) and core
rules as ``--clients``, on gevent's sockets instead of asyncio's. Each stream is reported
to Locust as requests of these types, so failures per rule and the time to first event
land in its statistics:

- ``SSE`` / ``stream``: the whole stream (its time; a failure names the first broken rule);
- ``SSE`` / ``first event``: the time to the first event (a failure when none came);
- ``rule`` / ``head``, ``events``, ...: one per core rule per stream, failed as the rule.

A locustfile needs one line, ``from contract.load.locust_user import SSEContractUser``;
``--host`` is the stream's URL and ``--sse-contract`` the contract (a file or a shipped
name; the demo's by default), passed by the master to its workers.

Importing this module imports Locust, which patches the standard library for gevent:
only a locustfile imports it, never the suite.
"""

from __future__ import annotations

import itertools
import socket
import ssl
from typing import Any

import gevent
from locust import User, events, task
from yarl import URL

from contract.classify import Classifier
from contract.rules import CORE_RULES
from contract.run.options import Options
from contract.run.reader import Reader, Stop
from contract.run.recording import Ending, Recording
from contract.run.target import Target, main_target, raw_request, sent_headers
from contract.spec.errors import ContractError
from contract.spec.model import Contract, Limits
from contract.spec.shipped import choose

from .http1 import Malformed, ResponseReader
from .outcome import ClientOutcome, Judge

READ = 64 * 1024


class RuleFailed(Exception):
    """A stream broke a rule: the message is its first violation, as the suite words it."""


def _options(parser: Any) -> None:
    parser.add_argument(
        "--sse-contract",
        default="",
        include_in_web_ui=True,
        help="the contract each stream is judged against (a file or a shipped name; "
        "default: the demo's /stream contract)",
    )


events.init_command_line_parser.add_listener(_options)  # type: ignore[no-untyped-call]


def record_blocking(
    target: Target, limits: Limits, request: bytes
) -> tuple[Recording, float | None]:
    """Send ``target``'s request on a new (gevent) socket and record the response, within
    the limits, as ``--clients`` records it; never raises for anything the server does.
    With the recording, when the connection was made (seconds after the start)."""
    reader = Reader(limits, target)
    sent = sent_headers(target)
    url = URL(target.url)
    host, port = url.raw_host or "", url.port or (443 if url.scheme == "https" else 80)
    response = ResponseReader(no_body=target.method == "HEAD")
    head_at: float | None = None
    connected_at: float | None = None
    ending, detail = Ending.EOF, ""
    connection: socket.socket | None = None
    try:
        wait, why = reader.wait()
        try:
            with gevent.Timeout(wait, TimeoutError(why)):
                connection = socket.create_connection((host, port))
                connected_at = reader.now()
                if url.scheme == "https":
                    wrapped = ssl.create_default_context()
                    connection = wrapped.wrap_socket(connection, server_hostname=host)
                connection.sendall(request)
        except ConnectionRefusedError as exc:
            ending, detail = Ending.UNREACHABLE, f"connection refused: {exc.strerror or exc}"
            return reader.recording(sent, None, (), None, ending=ending, detail=detail), None
        last = reader.now()
        while True:
            wait, why = reader.wait(last)
            if wait <= 0:
                raise Stop(Ending.TIMEOUT, why)
            with gevent.Timeout(wait, Stop(Ending.TIMEOUT, why)):
                data = connection.recv(READ)
            last = reader.now()
            if not data:
                if response.head is None or not response.until_close:
                    ending, detail = Ending.RESET, "connection closed before the end"
                    break
                reader.finish()
                break
            body = response.feed(data)
            if head_at is None and response.head is not None:
                head_at = reader.now()
                reader.opened(response.head.header("Content-Encoding"))
            if body:
                reader.take(body)
            if response.done:
                reader.finish()
                break
    except Stop as stop:
        ending, detail = stop.ending, stop.detail
        if head_at is None and ending is Ending.TIMEOUT:
            detail = f"no response head: {detail}"
    except Malformed as exc:
        ending, detail = (Ending.ERROR if head_at is None else Ending.RESET), str(exc)
    except TimeoutError as exc:
        ending, detail = Ending.TIMEOUT, f"no connection: {exc}"
    except OSError as exc:
        none_yet = connection is None
        ending = Ending.UNREACHABLE if none_yet else Ending.RESET
        detail = f"{'cannot connect' if none_yet else 'connection broken'}: {exc.strerror or exc}"
    finally:
        if connection is not None:
            connection.close()
    head = response.head
    status, headers = (None, ()) if head is None else (head.status, head.headers)
    recording = reader.recording(sent, status, headers, head_at, ending=ending, detail=detail)
    return recording, connected_at


class _Judge:
    """What every user of one process shares: the contract, its classifier, the request."""

    def __init__(self, host: str, name: str) -> None:
        try:
            self.contract: Contract = choose(name or None, None)
        except ContractError as exc:
            raise SystemExit(f"--sse-contract: {exc}") from None
        self.classifier = Classifier(self.contract)
        self.target = main_target(host, self.contract, Options(), self.classifier)
        self.request = raw_request(self.target)
        self.judge = Judge(self.contract, self.classifier)
        self.numbers = itertools.count(1)

    def stream(self) -> tuple[ClientOutcome, Recording]:
        """One stream recorded and judged."""
        recording, connected = record_blocking(self.target, self.contract.limits, self.request)
        number = next(self.numbers)
        outcome = self.judge(recording, number, 0.0, connected_at=connected)
        return outcome, recording


_JUDGES: dict[tuple[str, str], _Judge] = {}


class SSEContractUser(User):
    """Opens the contract's stream, judges it by the core rules, reports it; again."""

    def on_start(self) -> None:
        """The process's judge for this host and contract (built by the first user)."""
        name = str(getattr(self.environment.parsed_options, "sse_contract", "") or "")
        host = str(self.host or "")
        key = (host, name)
        if key not in _JUDGES:
            _JUDGES[key] = _Judge(host, name)
        self.judge = _JUDGES[key]

    @task
    def stream(self) -> None:
        """One stream, reported as Locust requests: the stream, its first event, each rule."""
        outcome, recording = self.judge.stream()
        fire = self.environment.events.request.fire
        size = recording.framing.total_bytes
        first = outcome.failures[0] if outcome.failures else None
        fire(
            request_type="SSE",
            name="stream",
            response_time=outcome.ended_at * 1000,
            response_length=size,
            exception=None if first is None else RuleFailed(f"{first.rule}: {first}"),
            context={"client": outcome.number},
        )
        arrived = outcome.first_event_at
        fire(
            request_type="SSE",
            name="first event",
            response_time=(arrived if arrived is not None else outcome.ended_at) * 1000,
            response_length=0,
            exception=None if arrived is not None else RuleFailed(recording.ending_text()),
            context={},
        )
        failed = {failure.rule: failure for failure in outcome.failures}
        for index, summary in enumerate(outcome.summaries):
            rule = CORE_RULES[index]
            failure = failed.get(rule)
            fire(
                request_type="rule",
                name=rule,
                response_time=outcome.ended_at * 1000,
                response_length=0,
                exception=None if failure is None else RuleFailed(str(failure)),
                context={"summary": summary},
            )
