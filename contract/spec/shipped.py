"""The contracts shipped with the package, by name, and choosing the contract a run checks."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ContractError
from .loader import load_contract, parse_contract
from .model import Contract

if TYPE_CHECKING:
    from .openapi.flags import OpenAPIFlags

SHIPPED = "contracts"
"""The package folder of the contracts shipped by name (``--contract demo``)."""
DEFAULT = "demo"


def _folder() -> Traversable:
    return resources.files("contract") / SHIPPED


def shipped_names() -> list[str]:
    """The contracts shipped with the package, by name."""
    folder = _folder()
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def find_contract(name_or_path: str, openapi: OpenAPIFlags | None = None) -> Contract:
    """A shipped contract by name (``demo``), or a contract file by path."""
    if name_or_path in shipped_names():
        folder = _folder()
        resource = folder / f"{name_or_path}.toml"
        return parse_contract(
            resource.read_text(encoding="utf-8"),
            f"{name_or_path} (shipped)",
            base=folder if isinstance(folder, Path) else None,
            openapi=openapi,
        )
    if Path(name_or_path).exists() or name_or_path.endswith(".toml") or "/" in name_or_path:
        return load_contract(name_or_path, openapi)
    raise ContractError(
        f"{name_or_path}: no such file, and no shipped contract of that name "
        f"(shipped: {', '.join(shipped_names())})"
    )


def default_contract() -> Contract:
    """The demo's ``/stream`` contract, used when none is given."""
    return find_contract(DEFAULT)


def choose(contract: str | None, openapi: OpenAPIFlags | None) -> Contract:
    """The contract to check: a file or shipped name (default: the demo's), with the OpenAPI
    flags over its ``[openapi]``; ``--openapi`` without a contract: the document's alone."""
    if contract is None and openapi is not None and openapi.file is not None:
        from .openapi.merge import contract_from_openapi

        return contract_from_openapi(openapi)
    return find_contract(contract or DEFAULT, openapi)
