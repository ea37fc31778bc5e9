"""The browser pages: their routes, and where their files live (the package, or ``static/``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (
    _PACKAGE / "static",  # a wheel: pyproject.toml copies static/ into the package
    _PACKAGE.parent / "static",  # a source checkout or an editable install
)


def static_dir() -> Path:
    """The folder holding ``index.html``; raises ``FileNotFoundError`` naming where it looked."""
    for candidate in _CANDIDATES:
        if (candidate / "index.html").is_file():
            return candidate
    looked = ", ".join(str(c) for c in _CANDIDATES)
    raise FileNotFoundError(f"the page (index.html) is in none of: {looked}")


PAGES = {"/": "index.html", "/watch": "jobs.html"}
"""The pages and their files: the ``/stream`` demo, and the jobs (``/watch?job=ID`` opens one)."""


def add_routes(app: web.Application, folder: Path) -> None:
    """Serve each of ``PAGES`` at its path and the rest of the folder under ``/static/``."""
    for path, name in PAGES.items():
        app.router.add_get(path, _page(folder / name))
    static = app.router.add_static("/static/", folder)

    # The files have no version in their names, so a browser may keep them but must ask
    # again each time (a 304 thanks to aiohttp's ETag and Last-Modified): a deploy shows at once.
    async def revalidate(request: web.Request, response: web.StreamResponse) -> None:
        if request.match_info.route.resource is static:
            response.headers.setdefault("Cache-Control", "no-cache")

    app.on_response_prepare.append(revalidate)


def _page(file: Path) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(file, headers={"Cache-Control": "no-cache"})

    return page
