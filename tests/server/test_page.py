"""The pages and their files: revalidated on every load, so a new deploy shows at once."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from aiohttp_sse_demo import Settings, create_app
from tests.conftest import Launch


async def test_static_files_are_revalidated_and_a_deploy_is_picked_up(
    launch: Launch, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text("<title>page</title>")
    script = tmp_path / "app.js"
    script.write_text("one")
    server = await launch(create_app(Settings(), static=tmp_path))
    url = server.url + "/static/app.js"
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            assert resp.status == 200
            assert await resp.text() == "one"
            assert resp.headers["Cache-Control"] == "no-cache"
            assert "Last-Modified" in resp.headers
            etag = resp.headers["ETag"]
        async with session.get(url, headers={"If-None-Match": etag}) as resp:
            assert resp.status == 304
            assert resp.headers["Cache-Control"] == "no-cache"
        script.write_text("two!")  # a deploy
        async with session.get(url, headers={"If-None-Match": etag}) as resp:
            assert resp.status == 200
            assert await resp.text() == "two!"
            assert resp.headers["ETag"] != etag
        async with session.get(server.url + "/") as resp:
            assert resp.status == 200
            assert resp.headers["Cache-Control"] == "no-cache"


async def test_the_jobs_page_and_its_modules_are_served(launch: Launch) -> None:
    server = await launch(create_app(Settings()))
    async with aiohttp.ClientSession() as session:
        for query in ("", "?job=abc"):
            async with session.get(server.url + "/watch" + query) as resp:
                assert resp.status == 200
                assert resp.content_type == "text/html"
                assert resp.headers["Cache-Control"] == "no-cache"
                assert '<script type="module" src="/static/jobs.js">' in await resp.text()
        # A browser runs a module only when it is sent with a JavaScript MIME type (either
        # of these, as Python's mimetypes and the system's tables say).
        for name in ("app.js", "jobs.js", "follow.js", "view.js", "seen.js"):
            async with session.get(f"{server.url}/static/{name}") as resp:
                assert resp.status == 200, name
                assert resp.content_type in {"text/javascript", "application/javascript"}, name
