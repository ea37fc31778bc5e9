"""The page is found from a wheel installed into a fresh venv elsewhere, and from this checkout."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import aiohttp
import pytest

import aiohttp_sse_demo
from aiohttp_sse_demo.page import static_dir
from tests.support.serving import start_demo

ROOT = Path(__file__).resolve().parent.parent


def test_checkout_uses_the_top_level_static_folder() -> None:
    assert Path(aiohttp_sse_demo.__file__).resolve().parent.parent == ROOT
    assert static_dir() == ROOT / "static"


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv outside the checkout with the project's wheel installed (deps borrowed)."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = base.glob("aiohttp_sse_demo-*.whl")
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies come from this venv's site-packages; a plain path line in a .pth file does
    # not run that folder's own .pth files, so this checkout's editable install stays out.
    Path(site, "borrowed_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(wheel)],
        check=True,
        capture_output=True,
    )
    where = subprocess.run(
        [python, "-c", "import aiohttp_sse_demo; print(aiohttp_sse_demo.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=base,
    ).stdout.strip()
    assert Path(where).is_relative_to(site), where
    return python


async def test_wheel_in_a_fresh_venv_serves_the_page(wheel_venv: Path, tmp_path: Path) -> None:
    async with (
        start_demo(
            tmp_path / "server.log",
            "--interval",
            "0",
            python=str(wheel_venv),
            cwd=tmp_path,
            env={"PYTHONPATH": ""},
        ) as server,
        aiohttp.ClientSession() as session,
    ):
        for path, marker in (("/", "/static/app.js"), ("/watch", "/static/jobs.js")):
            async with session.get(server.url + path) as resp:
                assert resp.status == 200, path
                assert marker in await resp.text()
        for file in sorted((ROOT / "static").iterdir()):  # every file the pages load
            async with session.get(f"{server.url}/static/{file.name}") as resp:
                assert resp.status == 200, file.name
                assert await resp.read() == file.read_bytes(), file.name
        async with session.get(server.url + "/stream") as resp:
            body = await asyncio.wait_for(resp.read(), timeout=5)
        assert b"event: close" in body


def test_wheel_ships_the_example_contracts(wheel_venv: Path, tmp_path: Path) -> None:
    listed = subprocess.run(
        [wheel_venv, "-m", "contract", "validate", "openai-chat", "anthropic-messages", "feed"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": ""},
    ).stdout
    for name in ("openai-chat", "anthropic-messages", "feed"):
        assert f" from {name} (shipped): valid\n" in listed
