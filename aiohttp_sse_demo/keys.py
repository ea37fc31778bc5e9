"""Typed keys for the state an app keeps (``web.AppKey``), so no module holds globals."""

from __future__ import annotations

from aiohttp import web

from .frames import Frame
from .registry import StreamRegistry
from .settings import Settings

SETTINGS = web.AppKey("settings", Settings)
REGISTRY = web.AppKey("registry", StreamRegistry)
FRAMES = web.AppKey("frames", tuple[tuple[Frame, ...], ...])
