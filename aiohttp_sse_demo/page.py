"""Where the browser page lives: in the installed package, or in ``static/`` of a checkout."""

from __future__ import annotations

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


def add_routes(app: web.Application, folder: Path) -> None:
    """Serve ``index.html`` at ``/`` and the rest of the folder under ``/static/``."""
    index = folder / "index.html"

    async def page(request: web.Request) -> web.FileResponse:
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.router.add_get("/", page)
    static = app.router.add_static("/static/", folder)

    # The files have no version in their names, so a browser may keep them but must ask
    # again each time (a 304 thanks to aiohttp's ETag and Last-Modified): a deploy shows at once.
    async def revalidate(request: web.Request, response: web.StreamResponse) -> None:
        if request.match_info.route.resource is static:
            response.headers.setdefault("Cache-Control", "no-cache")

    app.on_response_prepare.append(revalidate)
