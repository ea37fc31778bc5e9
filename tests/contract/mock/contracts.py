"""Every contract the project has, by name, and the timings the mock tests give them.

Shipped (contract/contracts/), the docs' (docs/openapi/*.toml, each OpenAPI document alone,
the worked example of docs/contract-files.md), the tests' (tests/contracts/) and the peers'
(tests/peers/*.toml).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from contract import Contract, OpenAPIFlags, contract_from_openapi, find_contract, parse_contract
from contract.spec.shipped import shipped_names
from tests.paths import CONTRACTS, DOCS, OPENAPI_DOCS, PEERS

KEYS = {"OPENAI_API_KEY": "sk-mock", "ANTHROPIC_API_KEY": "sk-ant-mock", "TEETH_TOKEN": "mock"}
"""The ``${NAME}`` the contracts' headers read (the suite sends them; the mock reads none)."""
OPERATIONS = {
    "demo": "streamDemo",
    "jobs": "jobEvents",
    "feed": "streamTicks",
    "openai-chat": "createChatCompletionStream",
    "anthropic-messages": "createMessageStream",
}
"""The event-stream operation of each OpenAPI document under docs/openapi/."""


def _worked_example() -> Contract:
    """The first contract of docs/contract-files.md, with its deliberate typo fixed."""
    page = (DOCS / "contract-files.md").read_text("utf-8")
    text = re.findall(r"```toml\n(.*?)```", page, re.S)[0]
    return parse_contract(text.replace("max_silnce", "max_silence"), "docs/contract-files.md")


def _document(name: str) -> Callable[[], Contract]:
    return lambda: contract_from_openapi(
        OpenAPIFlags(OPENAPI_DOCS / f"{name}.yaml", OPERATIONS[name])
    )


def _file(path: Path) -> Callable[[], Contract]:
    return lambda: find_contract(str(path))


def _shipped(name: str) -> Callable[[], Contract]:
    return lambda: find_contract(name)


def all_contracts() -> dict[str, Callable[[], Contract]]:
    """Every contract, by a name for test ids, loaded when called."""
    found: dict[str, Callable[[], Contract]] = {name: _shipped(name) for name in shipped_names()}
    found["docs:contract-files"] = _worked_example
    for path in sorted(OPENAPI_DOCS.glob("*.toml")):
        found[f"docs:{path.stem}.toml"] = _file(path)
    for name in OPERATIONS:
        found[f"docs:{name}.yaml"] = _document(name)
    for folder, label in ((CONTRACTS, "tests"), (PEERS, "peers")):
        for path in sorted(folder.glob("*.toml")):
            found[f"{label}:{path.stem}"] = _file(path)
    return found


KEEPALIVE = 2.0
"""Seconds of silence the tests allow (the shipped 15 s, the peers' 0.15 s): short for a quick
run, long enough that a busy machine's stalls (the suite and the mocks share it) do not count."""
GRACE = 1.5
"""Seconds a stream may stay open after its terminal event (shipped: 2 s; a test's 0.3 s)."""
SECONDS, NEVER_SECONDS, IDLE = 7.0, 5.0, 5.0
"""One recording's limits: a stream that ends ends well before (a silence that breaks
keep-alive is 3.2 s); a feed is recorded 5 s."""


def for_tests(contract: Contract) -> Contract:
    """``contract`` with the tests' timings: limits, grace and keep-alive silence."""
    seconds = NEVER_SECONDS if contract.end.never else SECONDS
    limits = dataclasses.replace(contract.limits, seconds=seconds, idle_seconds=IDLE)
    end = dataclasses.replace(contract.end, grace=GRACE)
    keepalive = contract.keepalive
    if keepalive is not None:
        keepalive = dataclasses.replace(keepalive, max_silence=KEEPALIVE)
    return dataclasses.replace(contract, limits=limits, end=end, keepalive=keepalive)
