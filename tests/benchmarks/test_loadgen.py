"""The load generators' protocols read a chunked SSE body whole, byte by byte, and in pieces."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from benchmarks.jobs.viewers import Audience, JobViewer
from benchmarks.server.loadgen import StreamClient, count_separators

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
END = b"0\r\n\r\n"


class Transport(asyncio.Transport):
    """Records what the client wrote and whether it closed."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def splits(wire: bytes) -> Iterator[list[bytes]]:
    """The response whole, one byte at a time, and in pieces of 7 bytes."""
    yield [wire]
    yield [wire[i : i + 1] for i in range(len(wire))]
    yield [wire[i : i + 7] for i in range(0, len(wire), 7)]


@pytest.mark.parametrize(
    "parts", list(splits(HEAD + chunk(b"id: 0\r\ndata: a\r\n\r\n") * 11 + END))
)
async def test_stream_client_counts_events_and_ends_at_the_terminator(parts: list[bytes]) -> None:
    loop = asyncio.get_running_loop()
    client = StreamClient(b"GET /stream", loop.create_future())
    client.first_future = loop.create_future()
    transport = Transport()
    client.connection_made(transport)
    for part in parts:
        assert not client.done.done()
        client.data_received(part)
    assert transport.written == b"GET /stream"
    assert (client.status, count_separators(client.body)) == (200, 11)
    assert client.done.done()
    assert client.first_future.done()
    assert client.first_event > 0
    assert transport.closed


async def test_a_stream_cut_before_its_end_fails() -> None:
    client = StreamClient(b"GET /stream", asyncio.get_running_loop().create_future())
    client.connection_made(Transport())
    client.data_received(HEAD + chunk(b"data: a\r\n\r\n"))
    client.connection_lost(None)
    with pytest.raises(ConnectionResetError):
        await client.done


def job_wire() -> bytes:
    events = [b": ping\r\n\r\n"]
    events += [
        b"id: %d\r\nevent: progress\r\ndata: %d %d\r\n\r\n" % (s, s, 1000 + s) for s in (0, 1)
    ]
    events += [b"id: 2\r\nevent: progress\r\ndata: 5 1005\r\n\r\n"]  # out of order
    events += [b"id: 3\r\nevent: close\r\ndata: api completed\r\n\r\n"]
    return HEAD + b"".join(chunk(e) for e in events) + END


@pytest.mark.parametrize("parts", list(splits(job_wire())))
async def test_job_viewer_reports_each_event_and_close(parts: list[bytes]) -> None:
    audience = Audience("127.0.0.1", 1, "/jobs/x/events", 1)
    viewer = JobViewer(b"GET", audience)
    audience.connected = 1
    viewer.connection_made(Transport())
    for part in parts:
        viewer.data_received(part)
    assert viewer.head.done()
    assert viewer.done.done()
    assert viewer.closed
    assert audience.written == {0: 1000, 1: 1001, 5: 1005}
    assert set(audience.last_read) == {0, 1, 5}
    assert audience.errors == 1, "event 5 came after event 1"
