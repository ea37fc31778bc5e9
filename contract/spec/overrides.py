"""A contract with what the command line (or the pytest plugin) overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .errors import ContractError
from .model import Contract, Keepalive


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
