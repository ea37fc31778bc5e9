"""Two simulated tasks streamed to a browser over Server-Sent Events (aiohttp + aiohttp-sse)."""

from .app import create_app
from .settings import Settings

__version__ = "0.1.0"
__all__ = ["Settings", "__version__", "create_app"]
