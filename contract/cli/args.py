"""What the command line and the pytest plugin both take: flag values parsed, or a clear error."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from contract.rules import EXTENSIONS

if TYPE_CHECKING:
    from contract.spec.openapi.flags import OpenAPIFlags


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


def add_header_argument(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``-H/--header 'Name: value'``, repeatable, into ``args.header`` as (name, value) pairs."""
    parser.add_argument(
        "-H",
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help=help_text,
    )


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

    from contract.spec.openapi.flags import OpenAPIFlags

    return OpenAPIFlags(None if file is None else Path(file), operation, tuple(params))


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


def parse_origin(text: str) -> str:
    """An origin to allow: ``scheme://host[:port]`` (http or https), as ``scheme://host:port``."""
    from urllib.parse import urlsplit

    expected = f"expected an origin such as https://api.example.com, got {text!r}"
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise argparse.ArgumentTypeError(expected) from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise argparse.ArgumentTypeError(expected)
    scheme = parts.scheme.lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}:{port or default}"


def parse_seed(text: str) -> int:
    """A seed: 0 or more."""
    return _whole_number(text, 0, "0 or more")


def add_openapi_arguments(parser: argparse.ArgumentParser) -> None:
    """``--openapi``, ``--operation`` and ``--param``, for checking and for ``validate``."""
    parser.add_argument(
        "--openapi",
        default=None,
        metavar="FILE",
        help="an OpenAPI 3.2 document (YAML or JSON) giving the request and the kinds of event",
    )
    parser.add_argument(
        "--operation",
        default=None,
        metavar="ID",
        help="the operationId (or 'METHOD /path') to check; may be left out when only one "
        "operation has a text/event-stream response",
    )
    parser.add_argument(
        "--param",
        type=parse_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a value for a parameter of the operation (repeatable); default: its example",
    )
