"""The request ``infer`` samples: from the command line's flags or a contract file holding only
``[request]`` (and ``[limits]``); and the same request as the draft writes it, with the path
of the URL and secrets (``-H 'Authorization: Bearer sk-...'``) as ``${NAME}`` placeholders."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from yarl import URL

from contract.spec.errors import ContractError, read_utf8
from contract.spec.loader import FORMATS
from contract.spec.model import Limits, Request
from contract.spec.tables import read_limits, read_request
from contract.spec.toml import Table, as_nonempty_line

SECRET = re.compile(r"auth|key|token|secret|passw|session|cookie|signature", re.IGNORECASE)
"""Header names whose values are credentials: the draft names an environment variable."""
SCHEMES = ("bearer", "basic", "token")
READ = ("format", "name", "request", "limits")


def flag_request(
    method: str | None, headers: Sequence[tuple[str, str]], data: str | None
) -> Request:
    """The request of ``-X``, ``-H`` and ``--data`` (JSON; POST unless ``-X`` says otherwise)."""
    body: bytes | None = None
    content_type: str | None = None
    if data is not None:
        try:
            value = json.loads(data)
        except ValueError as exc:
            raise ContractError(f"--data: not JSON ({exc})") from None
        body, content_type = json.dumps(value).encode(), "application/json"
    chosen = (method or ("POST" if data is not None else "GET")).upper()
    return Request(chosen, "", tuple(headers), body, content_type, "the command line")


def request_file(path: str) -> tuple[str | None, Request, Limits]:
    """The name, ``[request]`` and ``[limits]`` of a contract file that holds only those."""
    file = Path(path)
    source = str(file)
    try:
        data = tomllib.loads(read_utf8(file))
    except tomllib.TOMLDecodeError as exc:
        raise ContractError(f"{source}: not valid TOML: {exc}") from None
    extra = [name for name in data if name not in READ]
    if extra:
        raise ContractError(
            f"{source}: {extra[0]}: infer reads only [request] and [limits] from a contract "
            "file, and drafts the rest"
        )
    root = Table(data, "", source)
    if root.get("format", lambda v: v if v in FORMATS else None, "format = 1", 1) != 1:
        raise root.error("format", "format = 1", got=False)  # pragma: no cover
    name = root.get("name", as_nonempty_line, "a name on one line", None)
    request = read_request(root.table("request"), source)
    limits = read_limits(root.table("limits"))
    root.finish()
    return name, request, limits


def placeholder(name: str, value: str) -> str:
    """A credential's value as ``${NAME}`` (keeping a scheme such as ``Bearer``)."""
    if "${" in value or not SECRET.search(name):
        return value
    variable = re.sub(r"\W", "_", name).upper()
    scheme, space, _ = value.partition(" ")
    if space and scheme.lower() in SCHEMES:
        return f"{scheme} ${{{variable}}}"
    return f"${{{variable}}}"


def for_draft(request: Request, url: str) -> Request:
    """``request`` as the draft writes it: its own URL, else the sampled URL's path and query;
    credentials as placeholders."""
    target = URL(url)
    path = request.url or target.raw_path_qs
    headers = tuple((name, placeholder(name, value)) for name, value in request.headers)
    return replace(request, url=path, headers=headers, source="")


def secrets(request: Request) -> list[str]:
    """The environment variables the draft's request reads, with the header that needs each."""
    return [
        f"{name}: set {value.split('${')[1].split('}')[0]} to run the suite"
        for name, value in request.headers
        if "${" in value
    ]
