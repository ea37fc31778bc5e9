"""Which document and operation a contract's request and kinds come from: a contract's
``[openapi]`` table, and the ``--openapi``, ``--operation``, ``--param`` flags over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract.spec.errors import ContractError


@dataclass(frozen=True, slots=True)
class OpenAPIRef:
    """Which document and operation a contract's request and kinds come from, with parameters."""

    file: Path
    operation: str | None = None
    """An ``operationId`` or ``METHOD /path``; ``None``: the document's only SSE operation."""
    params: tuple[tuple[str, str], ...] = ()
    """Values for the operation's parameters, by name (``--param NAME=VALUE``)."""


@dataclass(frozen=True, slots=True)
class OpenAPIFlags:
    """``--openapi``, ``--operation``, ``--param``: ``--openapi`` replaces a contract's whole
    ``[openapi]``; without it, ``--operation`` replaces its operation, ``--param`` adds."""

    file: Path | None = None
    operation: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    def apply(self, ref: OpenAPIRef | None, source: str) -> OpenAPIRef | None:
        """``ref`` (a contract's ``[openapi]``) with the flags' file, operation and parameters."""
        if self.file is None and ref is None:
            if self.operation is not None or self.params:
                raise ContractError(
                    f"{source}: --operation and --param need an OpenAPI document: "
                    "--openapi FILE, or an [openapi] table in the contract"
                )
            return None
        if self.file is not None:
            return OpenAPIRef(self.file, self.operation, self.params)
        assert ref is not None
        params = dict(ref.params)
        params.update(self.params)
        return OpenAPIRef(ref.file, self.operation or ref.operation, tuple(params.items()))
