"""The one error of a contract that cannot be loaded or used, and reading its files."""

from __future__ import annotations

from pathlib import Path


class ContractError(ValueError):
    """A contract cannot be loaded or used; the message names the file, the key and the fix."""


def read_utf8(file: Path) -> str:
    """The text of ``file``; a file that cannot be read, or is not UTF-8, is a ContractError."""
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContractError(f"{file}: not UTF-8 text") from None
    except OSError as exc:
        raise ContractError(f"{file}: cannot read: {exc.strerror or exc}") from None
