"""The suite's I/O edge: send one request, record its response within the limits.

Every response is read to its end or to a limit and kept as a ``Recording``: status,
headers, parsed events with their arrival times (seconds after the request, from
``time.monotonic``), framing counts, and how the response ended. Every limit holds
whatever arrives and however fast: the clock is checked after every read (a read
that never waits never lets a timeout fire) and the loop yields between reads;
bytes, event size and event count stop the reading as they are crossed, and
nothing kept grows with the stream beyond them.
"""

from __future__ import annotations

import asyncio

import aiohttp
from yarl import URL

from contract.spec.model import Limits

from .reader import Reader, Stop
from .recording import Ending, Recording
from .target import Target, raw_request, sent_headers

_UNREACHABLE = (aiohttp.ClientConnectorError, aiohttp.InvalidURL)


async def record(session: aiohttp.ClientSession, target: Target, limits: Limits) -> Recording:
    """Send ``target``'s request; record the response to its end or to a limit; never raises
    for anything the server does."""
    sent = sent_headers(target)
    reader = Reader(limits, target)
    status: int | None = None
    head: tuple[tuple[str, str], ...] = ()
    head_at: float | None = None
    ending, detail = Ending.EOF, ""
    response: aiohttp.ClientResponse | None = None
    try:
        wait, why = reader.wait()
        try:
            async with asyncio.timeout(wait):
                response = await session.request(
                    target.method,
                    target.url,
                    headers=list(sent),
                    data=target.body,
                    allow_redirects=True,
                    max_redirects=limits.max_redirects,
                )
        except TimeoutError:
            raise Stop(Ending.TIMEOUT, f"no response head: {why}") from None
        status = response.status
        head = tuple(response.headers.items())
        head_at = reader.now()
        reader.opened(response.headers.get("Content-Encoding"))
        while True:
            wait, why = reader.wait()
            if wait <= 0:
                raise Stop(Ending.TIMEOUT, why)
            try:
                async with asyncio.timeout(wait):
                    data = await response.content.readany()
            except TimeoutError:
                raise Stop(Ending.TIMEOUT, why) from None
            if not data:
                break
            reader.take(data)
            # A server that sends faster than we parse never makes a read wait:
            # give the other recordings (and the clock checks above) their turn.
            await asyncio.sleep(0)
        reader.finish()
    except Stop as stop:
        ending, detail = stop.ending, stop.detail
    except aiohttp.TooManyRedirects as exc:
        status = exc.history[-1].status if exc.history else None
        ending, detail = Ending.ERROR, f"redirect loop: more than {limits.max_redirects} redirects"
    except _UNREACHABLE as exc:
        ending, detail = Ending.UNREACHABLE, describe(exc)
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, OSError) as exc:
        ending, detail = Ending.RESET, describe(exc)
    except aiohttp.ClientError as exc:
        ending = Ending.ERROR if status is None else Ending.RESET
        detail = describe(exc)
    finally:
        if response is not None:
            response.close()
    return reader.recording(sent, status, head, head_at, ending=ending, detail=detail)


def open_session(limit: int) -> aiohttp.ClientSession:
    """A session as the suite records with: ``limit`` connections, each closed after its
    response, the body read as sent, no total timeout (the limits stop a recording), no proxy
    from the environment."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit, force_close=True),
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
    )


def describe(exc: BaseException) -> str:
    """An exception in one line, for a recording's detail or an error."""
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())[:300]


async def abandon(target: Target, limits: Limits) -> str:
    """Send ``target``'s request and close the connection before any of the answer is read.

    Returns "" once the request is sent, else why it could not be (as ``record`` would say).
    """
    url = URL(target.url)
    request = raw_request(target)
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(limits.idle_seconds):
            _, writer = await asyncio.open_connection(
                url.raw_host, url.port, ssl=True if url.scheme == "https" else None
            )
            writer.write(request)
            await writer.drain()
    except TimeoutError:
        return f"request not sent within {limits.idle_seconds:g} s (idle timeout)"
    except OSError as exc:
        return describe(exc)
    finally:
        if writer is not None:
            writer.close()
    return ""
