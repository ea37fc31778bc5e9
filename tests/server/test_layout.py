"""The server's modules import in one direction and stay small (the architecture, as tests)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

SERVER = ROOT / "aiohttp_sse_demo"
JOBS = SERVER / "jobs"
MAX_LINES = 300
IMPLEMENTATIONS = {"memory", "redis_broker", "redis_reader", "redis_clients", "redis_scripts"}


def imported(path: Path) -> set[str]:
    """The sibling modules ``path`` imports (``from .x import`` and ``from . import x``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def top_level_names(path: Path) -> set[str]:
    """The names a module binds at its top level."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


@pytest.mark.parametrize("path", sorted(SERVER.rglob("*.py")), ids=lambda p: p.name)
def test_every_server_module_is_small(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_the_broker_seam_imports_no_implementation() -> None:
    for seam in ("broker", "fanout", "push", "model", "errors"):
        assert not imported(JOBS / f"{seam}.py") & IMPLEMENTATIONS, seam


def test_only_where_the_app_is_assembled_names_a_broker() -> None:
    """Handlers and runners see the seam; ``routes.py`` alone picks the broker."""
    for path in JOBS.glob("*.py"):
        if path.stem in IMPLEMENTATIONS or path.stem in ("routes", "__init__"):
            continue
        assert not imported(path) & {"memory", "redis_broker"}, path.name


def test_no_implementation_imports_the_assembly() -> None:
    for path in JOBS.glob("*.py"):
        if path.stem not in ("routes", "__init__"):
            assert "routes" not in imported(path), path.name


@pytest.mark.parametrize("name", ["RETRY_DELAYS", "BrokerUnavailable", "JobsFull"])
def test_errors_and_retry_delays_have_one_home(name: str) -> None:
    homes = [p.name for p in SERVER.rglob("*.py") if name in top_level_names(p)]
    assert homes == ["errors.py"]
