"""Folders of the repository that tests read files from."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository's root."""
TESTS = ROOT / "tests"
DOCS = ROOT / "docs"
OPENAPI_DOCS = DOCS / "openapi"
CONTRACTS = TESTS / "contracts"
"""Contract files of the tests (the shipped ones live in contract/contracts/)."""
PEERS = TESTS / "peers"
