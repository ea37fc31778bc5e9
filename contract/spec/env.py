"""``${NAME}`` in a contract's header values: found at load, read from the environment at run."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import ContractError

_ENV = re.compile(r"\$\{([^}]*)\}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_names(text: str) -> list[str]:
    """The ``${NAME}`` references in ``text``, in order."""
    return _ENV.findall(text)


def expand(text: str, environ: Mapping[str, str], where: str) -> str:
    """``text`` with every ``${NAME}`` replaced from ``environ``; an unset name is an error."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ContractError(f"{where}: environment variable {name} is not set")
        return environ[name]

    return _ENV.sub(one, text)
