"""What the command line and the pytest plugin both take: values parsed, contracts overridden."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._contract import Contract, ContractError, Keepalive
from ._models import EXTENSIONS

if TYPE_CHECKING:
    from ._openapi import OpenAPIFlags


def parse_require(text: str) -> frozenset[str]:
    names = {name.strip() for name in text.split(",") if name.strip()}
    if names == {"all"}:
        return frozenset(EXTENSIONS)
    unknown = sorted(names - set(EXTENSIONS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown extension {', '.join(unknown)} (choose from {', '.join(EXTENSIONS)}, all)"
        )
    return frozenset(names)


def parse_header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def parse_ids(text: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(","))
    if not all(ids):
        raise argparse.ArgumentTypeError(f"expected ids such as 0,4,9, got {text!r}")
    return ids


def parse_param(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def openapi_flags(
    file: str | None, operation: str | None, params: list[tuple[str, str]]
) -> OpenAPIFlags | None:
    """``--openapi``, ``--operation`` and ``--param`` as one value; ``None`` when none is given."""
    if file is None and operation is None and not params:
        return None
    from pathlib import Path

    from ._openapi import OpenAPIFlags

    return OpenAPIFlags(None if file is None else Path(file), operation, tuple(params))


def load(contract: str | None, openapi: OpenAPIFlags | None) -> Contract:
    """The contract to check: a file or shipped name (default: the demo's), with the OpenAPI
    flags over its ``[openapi]``; ``--openapi`` without a contract: the document's alone."""
    from ._loader import DEFAULT, find_contract

    if contract is None and openapi is not None and openapi.file is not None:
        from ._openapi import contract_from_openapi

        return contract_from_openapi(openapi)
    return find_contract(contract or DEFAULT, openapi)


def parse_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text!r}")
    return value


def _whole_number(text: str, low: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def parse_count(text: str) -> int:
    """A count of 1 or more."""
    return _whole_number(text, 1, "at least 1")


LIMIT_FLAGS: tuple[tuple[str, str, Callable[[str], float], str], ...] = (
    ("--timeout", "seconds", parse_seconds, "seconds one response may take in all"),
    ("--idle-timeout", "idle_seconds", parse_seconds, "seconds without a byte before giving up"),
    ("--max-bytes", "max_bytes", parse_count, "largest body read per response"),
    ("--max-event-bytes", "max_event_bytes", parse_count, "largest line or event read"),
    ("--max-events", "max_events", parse_count, "most events recorded per response"),
)


def with_flags(
    contract: Contract,
    *,
    limits: Mapping[str, Any] | None = None,
    require: frozenset[str] = frozenset(),
    close_grace: float | None = None,
    keepalive: float | None = None,
    resume_from: tuple[str, ...] | None = None,
) -> Contract:
    """The contract with what the command line (or the pytest plugin) overrides."""
    contract = dataclasses.replace(
        contract,
        limits=dataclasses.replace(contract.limits, **(limits or {})),
        require=contract.require | require,
    )
    if close_grace is not None:
        contract = dataclasses.replace(
            contract, end=dataclasses.replace(contract.end, grace=close_grace)
        )
    if keepalive is not None:
        current = contract.keepalive or Keepalive()
        contract = dataclasses.replace(
            contract, keepalive=dataclasses.replace(current, max_silence=keepalive)
        )
    if resume_from is not None:
        if contract.resume is None:
            raise ContractError(f"--resume-from: the contract {contract.name!r} has no [resume]")
        resume = dataclasses.replace(contract.resume, from_ids=resume_from)
        contract = dataclasses.replace(contract, resume=resume)
    return contract


FUZZ_RUNS = 50
"""Plans the resume fuzzer draws by default: enough to find a bug at one id of the demo's
stream in every one of 100 seeds (docs/fuzzing.md), in under a second on loopback."""


def parse_seed(text: str) -> int:
    """A seed: 0 or more."""
    return _whole_number(text, 0, "0 or more")


def default_seed(environ: Mapping[str, str]) -> int | None:
    """The fuzzer's seed when none is given: 0 on CI (derandomized, as Hypothesis does there),
    else ``None`` (a random one, shown in the report)."""
    return 0 if environ.get("CI") else None


def fuzz_problem(contract: Contract) -> str | None:
    """Why the resume fuzzer cannot run on ``contract``, or ``None``."""
    if contract.resume is None:
        return f"--fuzz-resume: the contract {contract.name!r} has no [resume]"
    if contract.end.never:
        return (
            f"--fuzz-resume: the contract {contract.name!r} never ends "
            "([end] never = true); a plan runs to the terminal event"
        )
    return None
