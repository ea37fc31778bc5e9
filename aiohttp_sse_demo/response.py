"""aiohttp-sse's response with one addition: writing events framed ahead of time."""

from __future__ import annotations

import asyncio

from aiohttp_sse import EventSourceResponse


class FramedEventSourceResponse(EventSourceResponse):
    """An ``EventSourceResponse`` that can also send bytes already framed as SSE events."""

    async def send_frame(self, frame: bytes, send_timeout: float | None) -> None:
        """Write framed events; a client that does not take them within ``send_timeout`` is dropped.

        Mirrors ``EventSourceResponse.send`` without formatting the event again.
        """
        try:
            async with asyncio.timeout(send_timeout):
                await self.write(frame)
        except ConnectionResetError:
            self.stop_streaming()
            raise
        except TimeoutError:
            self.stop_streaming()
            if self._req is not None and self._req.transport is not None:
                self._req.transport.abort()
            raise
