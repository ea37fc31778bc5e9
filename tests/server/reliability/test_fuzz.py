"""Bad input never gets a 5xx and never hangs: Hypothesis against ``python -m aiohttp_sse_demo``."""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.support.serving import HOST, ServerProcess, demo_process_sync

EXAMPLES = 300
"""Examples per property at least (more if the Hypothesis profile asks for more)."""
TIMEOUT = 5.0
"""Seconds any one request may take; more counts as a hang."""
FIELD_LIMIT = 8190
"""aiohttp's default limit on a request line and on one header field."""
TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})")
LOG_RECORD = re.compile(r"\n(?=\d{4}-\d\d-\d\d \d\d:)")
PARSE_ERROR = re.compile(r"^aiohttp\.http_exceptions\.\w+: 4\d\d", re.MULTILINE)

tokens = st.text(alphabet=TCHARS, min_size=1, max_size=24)
known_methods = st.sampled_from(
    ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "PROPFIND", "get"]
)
methods = st.integers(0, 9).flatmap(lambda n: tokens if n == 0 else known_methods)
"""Mostly methods aiohttp's parser knows (it answers 400 to any other without a look)."""
url_text = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=120)
paths = st.one_of(
    st.sampled_from(
        [
            "/stream",
            "/",
            "/static/app.js",
            "/static/",
            "/static/../pyproject.toml",
            "/static/%2e%2e/%2e%2e/pyproject.toml",
            "//stream",
            "/stream/",
            "/stream?",
            "*",
            f"http://{HOST}/stream",
        ]
    ),
    url_text.map(lambda t: "/" + t),
    st.tuples(st.sampled_from(["/stream", "/"]), url_text).map(lambda p: f"{p[0]}?{p[1]}"),
    st.integers(0, FIELD_LIMIT + 200).map(lambda n: "/stream?" + "a" * n),
)
header_text = st.integers(0, 4).flatmap(
    lambda n: st.text(
        st.characters(exclude_characters="\r\n")
        if n == 0
        else st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        max_size=80,
    )
)
"""Mostly printable ASCII; sometimes any character at all (control, non-ASCII, surrogates)."""
last_event_ids = st.one_of(
    header_text,
    st.integers(min_value=-5, max_value=10**40).map(str),
    st.integers(0, FIELD_LIMIT + 200).map(lambda n: "9" * n),
    st.integers(0, FIELD_LIMIT + 200).map(lambda n: "0" * n + "4"),
    st.sampled_from(["", "-1", "+3", "3.0", "1_0", "\u0663", " 4 ", "0x4", "10", "11", "4\t"]),
)
accepts = st.one_of(
    st.sampled_from(["text/event-stream", "*/*", "", "text/html", "text/event-stream;q=0"]),
    header_text,
)
headers = st.lists(st.tuples(tokens, header_text), max_size=12)
filler = st.one_of(
    st.just((0, 0)), st.tuples(st.integers(0, 160), st.integers(0, FIELD_LIMIT + 200))
)
"""How many extra headers, and how long one big header value is (the limits are 128 and 8190)."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The demo server as shipped, with no pause between events so every stream ends at once."""
    log = tmp_path_factory.mktemp("fuzz") / "server.log"
    with demo_process_sync(log, "--interval", "0") as server:
        yield server


def assert_quiet(server: ServerProcess) -> int:
    """The server is still up and logged no error but aiohttp's for unparsable requests (4xx).

    aiohttp logs each request it cannot parse at ERROR with a traceback; returns how many.
    """
    assert server.proc.poll() is None
    parse_errors = 0
    for record in LOG_RECORD.split(server.log_text()):
        if " ERROR " in record or "Traceback" in record:
            assert PARSE_ERROR.search(record), record
            parse_errors += 1
    return parse_errors


def send(port: int, method: str, target: str, fields: list[tuple[str, str]]) -> int:
    """Send one well-formed request with ``http.client``; read the whole answer; its status."""
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in fields:
            conn.putheader(name, value.encode(errors="surrogatepass"))
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_requests_never_get_5xx(demo: ServerProcess) -> None:
    """Arbitrary methods, paths, queries and headers: a 1xx-4xx answer, in full, every time."""
    statuses: Counter[int] = Counter()

    @given(
        method=methods,
        target=paths,
        last_event_id=st.none() | last_event_ids,
        accept=st.none() | accepts,
        extra=headers,
        bulk=filler,
    )
    @settings(max_examples=max(EXAMPLES, settings().max_examples))
    @example(
        method="GET", target="/stream", last_event_id="9" * 8000, accept=None, extra=[], bulk=(0, 0)
    )
    @example(method="GET", target="/stream", last_event_id="4", accept="", extra=[], bulk=(0, 0))
    @example(
        method="GET",
        target="/stream",
        last_event_id=None,
        accept=None,
        extra=[],
        bulk=(127, FIELD_LIMIT),
    )
    def check(
        *,
        method: str,
        target: str,
        last_event_id: str | None,
        accept: str | None,
        extra: list[tuple[str, str]],
        bulk: tuple[int, int],
    ) -> None:
        fields = list(extra)
        if last_event_id is not None:
            fields.append(("Last-Event-ID", last_event_id))
        if accept is not None:
            fields.append(("Accept", accept))
        count, size = bulk
        fields += [(f"X-Filler-{i}", "f") for i in range(count)]
        if size:
            fields.append(("X-Big", "b" * size))
        status = send(demo.port, method, target, fields)
        statuses[status] += 1
        assert status < 500

    check()
    logged = assert_quiet(demo)
    print(
        f"\nfuzz well-formed: {statuses.total()} requests, statuses "
        f"{dict(sorted(statuses.items()))}; aiohttp parse errors logged so far: {logged}"
    )


def exchange(port: int, data: bytes) -> int | None:
    """Send raw bytes, read until the server closes; the status it answered, None for none."""
    received = b""
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as sock:
        # The server may answer and close before it has read everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    if not received:
        return None
    match = STATUS_LINE.match(received)
    assert match is not None, received[:200]
    return int(match[1])


CLOSE = b"Host: x\r\nConnection: close\r\n\r\n"
request_lines = st.one_of(
    st.binary(max_size=120),
    st.tuples(
        st.one_of(st.binary(max_size=12), st.sampled_from([b"GET", b"G\x00T", b"GET "])),
        st.one_of(st.binary(max_size=40), st.sampled_from([b"/stream", b"", b"/\x7f", b"/ /"])),
        st.one_of(
            st.binary(max_size=12),
            st.sampled_from([b"HTTP/1.1", b"HTTP/2.0", b"HTTP/1.1x", b"http/1.1", b"HTTP/9"]),
        ),
    ).map(b" ".join),
)
header_lines = st.one_of(
    st.tuples(st.binary(max_size=30), st.binary(max_size=60)).map(b":".join),
    st.binary(max_size=60),
    st.sampled_from(
        [
            b"Last-Event-ID: 4\x00",
            b"Last-Event-ID : 4",
            b" Last-Event-ID: 4",
            b"X: a\rb",
            b"X: a\nb",
            b"Content-Length: -1",
            b"Content-Length: 1, 2",
            b"Transfer-Encoding: chunked, identity",
            b"Last-Event-ID: \xff\xfe",
            b"\x80: \x80",
        ]
    ),
)
oversized = st.tuples(
    st.sampled_from(["line", "field", "name", "count"]), st.integers(1, 4 * FIELD_LIMIT)
)


def oversize(kind: str, size: int) -> bytes:
    """A request with a request line, one header, a header name, or the header count too big."""
    if kind == "line":
        return b"GET /stream?" + b"a" * (FIELD_LIMIT + size) + b" HTTP/1.1\r\n" + CLOSE
    if kind == "field":
        return b"GET /stream HTTP/1.1\r\nLast-Event-ID: " + b"9" * (FIELD_LIMIT + size) + b"\r\n"
    if kind == "name":
        return b"GET /stream HTTP/1.1\r\n" + b"X" * (FIELD_LIMIT + size) + b": 1\r\n" + CLOSE
    return b"GET /stream HTTP/1.1\r\n" + b"X-F: 1\r\n" * (128 + size // 64) + CLOSE


def test_malformed_requests_get_4xx_or_close(demo: ServerProcess) -> None:
    """Broken request lines, header bytes and oversized heads: 4xx or a closed connection."""
    outcomes: Counter[str] = Counter()

    def record(status: int | None) -> None:
        outcomes["closed" if status is None else str(status)] += 1
        assert status is None or status < 500

    @given(line=request_lines)
    @settings(max_examples=max(EXAMPLES, settings().max_examples))
    def bad_line(line: bytes) -> None:
        record(exchange(demo.port, line + b"\r\n" + CLOSE))

    @given(fields=st.lists(header_lines, min_size=1, max_size=4))
    @settings(max_examples=max(EXAMPLES, settings().max_examples))
    def bad_header(fields: list[bytes]) -> None:
        head = b"GET /stream HTTP/1.1\r\n" + b"".join(f + b"\r\n" for f in fields)
        record(exchange(demo.port, head + CLOSE))

    @given(case=oversized)
    @settings(max_examples=max(EXAMPLES, settings().max_examples))
    def too_big(case: tuple[str, int]) -> None:
        record(exchange(demo.port, oversize(*case)))

    bad_line()
    bad_header()
    too_big()
    logged = assert_quiet(demo)
    print(
        f"\nfuzz malformed: {outcomes.total()} requests, outcomes "
        f"{dict(sorted(outcomes.items()))}; aiohttp parse errors logged so far: {logged}"
    )
