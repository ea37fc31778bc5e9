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

from contract.spec.errors import ContractError
from contract.spec.model import Limits

from .reader import Reader, Stop
from .recording import Ending, Recording
from .target import Target, raw_request, refusal, sent_headers

_UNREACHABLE = (aiohttp.ClientConnectorError, aiohttp.InvalidURL)


async def record(session: aiohttp.ClientSession, target: Target, limits: Limits) -> Recording:
    """Send ``target``'s request; record the response to its end or to a limit; never raises
    for anything the server does but a redirect that would take protected headers to another
    origin (``ContractError``: the user must allow that origin)."""
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
                response = await _follow(session, target, sent, limits)
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
    except _Loop as loop:
        status = loop.status
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


REDIRECTS = frozenset((301, 302, 303, 307, 308))


class _Loop(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def _follow(
    session: aiohttp.ClientSession,
    target: Target,
    sent: tuple[tuple[str, str], ...],
    limits: Limits,
) -> aiohttp.ClientResponse:
    """The response at the end of ``target``'s redirects, followed by hand as a browser follows
    them (a 303, or a POST's 301 or 302, becomes a GET without a body), so that each hop's
    origin is checked: protected headers never go to another origin (``ContractError``)."""
    url, method, body, headers = target.url, target.method, target.body, list(sent)
    for hop in range(limits.max_redirects + 1):
        response = await session.request(
            method, url, headers=headers, data=body, allow_redirects=False
        )
        location = response.headers.get("Location")
        if response.status not in REDIRECTS or location is None:
            return response
        response.close()
        if hop == limits.max_redirects:
            raise _Loop(response.status)
        try:
            following = URL(url).join(URL(location))
        except ValueError:
            raise Stop(Ending.ERROR, f"a redirect to {location!r}, which does not parse") from None
        if following.scheme not in ("http", "https") or not following.host:
            raise Stop(Ending.ERROR, f"a redirect to {location!r}, not an http(s) URL")
        refused = refusal(target, str(following), f"{url} redirects to {following},")
        if refused is not None:
            raise ContractError(refused)
        if (response.status == 303 and method != "HEAD") or (
            response.status in (301, 302) and method == "POST"
        ):
            method, body = "GET", None
            headers = [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS]
        url = str(following)
    raise AssertionError("unreachable: the last hop returns or raises")


_BODY_HEADERS = frozenset(
    ("content-type", "content-length", "content-encoding", "content-language")
)


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
