"""pytest plugin: ``pytest --sse-url URL [--sse-contract FILE]``: one test item per rule.

Installed with this package (entry point ``pytest11``) and inert unless a URL is given
by ``--sse-url``, the ``sse_url`` ini key or ``SSE_CONTRACT_URL``. The contract comes
from ``--sse-contract``, the ``sse_contract`` ini key or ``SSE_CONTRACT`` (a file or a
shipped name; the demo's by default), and ``--sse-openapi FILE --sse-operation ID
[--sse-param NAME=VALUE]`` take the request and kinds from an OpenAPI document, as
``python -m contract`` does. The suite runs once per session, on the first
item, and every item reports its rule. ``--sse-clients N`` (or the ``sse_clients`` ini key)
judges the streams of N concurrent clients instead: a core rule fails when any client fails
it (docs/load.md). Only the contract's tests:
``pytest --sse-url URL -m sse_contract --junitxml contract.xml``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from .report.model import Report
    from .run.options import Options
    from .spec.model import Contract

ENV_URL = "SSE_CONTRACT_URL"
ENV_CONTRACT = "SSE_CONTRACT"
MARKER = "sse_contract"
_REPORT = pytest.StashKey["Report"]()
_SETUP = pytest.StashKey["tuple[Contract, Options]"]()
_CLIENTS = pytest.StashKey[int]()


class ContractViolation(Exception):
    """A rule failed; the message is the report's text for that rule."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--sse-url``, ``--sse-contract``, ``--sse-require``, headers and limits."""
    group = parser.getgroup("sse-contract", "SSE contract suite")
    group.addoption(
        "--sse-url",
        default=None,
        metavar="URL",
        help=f"check the SSE endpoint at URL (ini: sse_url, env: {ENV_URL})",
    )
    group.addoption(
        "--sse-contract",
        default=None,
        metavar="FILE|NAME",
        help=f"the contract to check (ini: sse_contract, env: {ENV_CONTRACT}; default: demo)",
    )
    group.addoption(
        "--sse-require",
        default="",
        metavar="EXT[,EXT...]",
        help="extensions that must be supported: resume, done, tolerant, keepalive, or all",
    )
    group.addoption(
        "--sse-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header for every request (repeatable)",
    )
    group.addoption(
        "--sse-allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin besides the URL's where header values from ${NAME} and --sse-header "
        "may go (repeatable)",
    )
    group.addoption(
        "--sse-openapi",
        default=None,
        metavar="FILE",
        help="an OpenAPI 3.2 document giving the request and the kinds of event (docs/openapi.md)",
    )
    group.addoption(
        "--sse-operation",
        default=None,
        metavar="ID",
        help="the operationId (or 'METHOD /path') of the document to check",
    )
    group.addoption(
        "--sse-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a value for a parameter of the operation (repeatable)",
    )
    from .cli.args import LIMIT_FLAGS  # argparse and dataclasses only, no HTTP library

    for flag, _, _, text in LIMIT_FLAGS:
        name = "--sse-" + flag.removeprefix("--")
        group.addoption(name, default=None, metavar="N", help=f"{text} (default: the contract's)")
    group.addoption(
        "--sse-fuzz-resume",
        default=None,
        metavar="N",
        help="then draw N plans of drops and reconnections, judged as part of resume",
    )
    group.addoption(
        "--sse-seed",
        default=None,
        metavar="S",
        help="the resume fuzzer's seed (default: random, or 0 when CI is set)",
    )
    group.addoption(
        "--sse-clients",
        default=None,
        metavar="N",
        help="judge the stream of each of N concurrent clients by the core rules (ini: "
        "sse_clients; docs/load.md)",
    )
    parser.addini("sse_clients", "concurrent clients whose streams are each judged", default="")
    parser.addini("sse_url", "the SSE endpoint the contract suite checks", default="")
    parser.addini(
        "sse_contract", "the contract file (or shipped name) to check it against", default=""
    )


def _url(config: pytest.Config) -> str | None:
    url = config.getoption("sse_url") or config.getini("sse_url") or os.environ.get(ENV_URL, "")
    return str(url) or None


def _setup(config: pytest.Config) -> tuple[Contract, Options]:
    """The contract with the command line's overrides, and the run options; a usage error if bad."""
    if _SETUP in config.stash:
        return config.stash[_SETUP]
    from argparse import ArgumentTypeError

    from .cli.args import (
        LIMIT_FLAGS,
        openapi_flags,
        parse_count,
        parse_header,
        parse_origin,
        parse_param,
        parse_require,
        parse_seed,
    )
    from .fuzz.settings import default_seed, fuzz_problem
    from .run.options import Options
    from .spec.errors import ContractError
    from .spec.overrides import with_flags
    from .spec.shipped import choose

    name = (
        config.getoption("sse_contract")
        or config.getini("sse_contract")
        or os.environ.get(ENV_CONTRACT, "")
        or None
    )
    try:
        require = parse_require(str(config.getoption("sse_require") or ""))
        limits = {}
        for flag, field, parse, _ in LIMIT_FLAGS:
            raw = config.getoption("sse_" + flag.removeprefix("--").replace("-", "_"))
            if raw is not None:
                limits[field] = parse(str(raw))
        headers = tuple(parse_header(str(text)) for text in config.getoption("sse_header"))
        origins = tuple(parse_origin(str(text)) for text in config.getoption("sse_allow_origin"))
        openapi = openapi_flags(
            config.getoption("sse_openapi"),
            config.getoption("sse_operation"),
            [parse_param(str(text)) for text in config.getoption("sse_param")],
        )
        contract = with_flags(
            choose(None if name is None else str(name), openapi), limits=limits, require=require
        )
        contract.request.resolved_headers()
        fuzz, seed = config.getoption("sse_fuzz_resume"), config.getoption("sse_seed")
        runs = 0 if fuzz is None else parse_count(str(fuzz))
        chosen = default_seed(os.environ) if seed is None else parse_seed(str(seed))
        problem = fuzz_problem(contract) if runs else None
        if problem:
            raise ContractError(problem)
        clients = config.getoption("sse_clients") or config.getini("sse_clients")
        config.stash[_CLIENTS] = parse_count(str(clients)) if clients else 0
        if config.stash[_CLIENTS] and runs:
            raise ContractError("--sse-fuzz-resume does not go with --sse-clients")
    except (ArgumentTypeError, ContractError) as exc:
        raise pytest.UsageError(f"sse contract: {exc}") from None
    options = Options(headers=headers, fuzz_resume=runs, seed=chosen, allow_origins=origins)
    config.stash[_SETUP] = (contract, options)
    return config.stash[_SETUP]


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, only when the suite runs; a bad contract is a usage error at once."""
    if _url(config):
        _setup(config)
        config.addinivalue_line("markers", f"{MARKER}: a rule of the SSE contract suite")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per rule when a URL is given (before ``-k``/``-m`` select items)."""
    if not _url(config):
        return
    from .rules import CORE_RULES, EXTENSIONS

    for rule in (*CORE_RULES, *EXTENSIONS):
        item = ContractItem.from_parent(session, name=rule, nodeid=f"sse-contract::{rule}")
        item.add_marker(MARKER)
        items.append(item)


def _report(config: pytest.Config) -> Report:
    """The session's one report: recorded by the first item that asks, in a thread of its own."""
    if _REPORT not in config.stash:
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        from .suite import run_suite

        url = _url(config)
        assert url is not None
        contract, options = _setup(config)
        clients = config.stash[_CLIENTS]
        # A thread of its own: the caller may already run an event loop.
        with ThreadPoolExecutor(1, thread_name_prefix="sse-contract") as pool:
            if clients:
                from .load.mode import run_load
                from .load.runner import LoadPlan

                load = run_load(url, contract, options, LoadPlan(clients))
                config.stash[_REPORT] = pool.submit(asyncio.run, load).result().report
            else:
                config.stash[_REPORT] = pool.submit(
                    asyncio.run, run_suite(url, contract, options)
                ).result()
    return config.stash[_REPORT]


class ContractItem(pytest.Item):
    """One rule of the contract, judged on the session's shared recording."""

    def runtest(self) -> None:
        """Fail on a violation; skip an extension the server does not support (unless required)."""
        from .rules.result import Verdict

        report = _report(self.config)
        if report.error:
            raise ContractViolation(f"cannot run: {report.error}")
        result = report.result(self.name)
        if result.failed:
            lines = [f"{result.verdict.value} {result.rule}: {result.summary}"]
            lines += [f"  - {violation}" for violation in result.violations]
            lines += [f"  {line}" for line in result.details]
            raise ContractViolation("\n".join(lines))
        if result.verdict is Verdict.NOT_SUPPORTED:
            # An optional extension the user's server lacks is neither a pass nor a failure;
            # with --sse-require it fails above instead. This project's own run never skips.
            pytest.skip(f"extension not supported: {result.summary}")

    def repr_failure(
        self,
        excinfo: ExceptionInfo[BaseException],
        style: object = None,
    ) -> str | TerminalRepr:
        """The rule's violations, without a traceback."""
        if isinstance(excinfo.value, ContractViolation):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, None, str]:
        """Where the item comes from, as pytest shows it."""
        return str(self.path), None, f"sse contract: {self.name}"
