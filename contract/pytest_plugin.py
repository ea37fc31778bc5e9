"""pytest plugin: ``pytest --sse-url URL`` checks a server, one test item per rule.

Installed with this package (entry point ``pytest11``) and inert unless a URL is
given by ``--sse-url`` or the ``SSE_CONTRACT_URL`` environment variable. The
suite runs once per session, on the first item, and every item reports its rule.
Only the contract's tests: ``pytest --sse-url URL -m sse_contract --junitxml contract.xml``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from ._models import Options, Report

ENV_URL = "SSE_CONTRACT_URL"
MARKER = "sse_contract"
_REPORT = pytest.StashKey["Report"]()


class ContractViolation(Exception):
    """A rule failed; the message is the report's text for that rule."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--sse-url`` and ``--sse-require``."""
    group = parser.getgroup("sse-contract", "SSE /stream contract suite")
    group.addoption(
        "--sse-url",
        default=None,
        metavar="URL",
        help=f"check the SSE stream at URL against the /stream contract (env: {ENV_URL})",
    )
    group.addoption(
        "--sse-require",
        default="",
        metavar="EXT[,EXT...]",
        help="extensions that must be supported: resume, done, tolerant, keepalive, or all",
    )


def _url(config: pytest.Config) -> str | None:
    url = config.getoption("sse_url") or os.environ.get(ENV_URL, "")
    return str(url) or None


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, only when the suite runs."""
    if _url(config):
        _options(config)  # a bad --sse-require is a usage error before anything runs
        config.addinivalue_line("markers", f"{MARKER}: a rule of the SSE /stream contract suite")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per rule when a URL is given (before ``-k``/``-m`` select items)."""
    url = _url(config)
    if not url:
        return
    from ._checks import CORE_RULES
    from ._models import EXTENSIONS

    for rule in (*CORE_RULES, *EXTENSIONS):
        item = ContractItem.from_parent(session, name=rule, nodeid=f"sse-contract::{rule}")
        item.add_marker(MARKER)
        items.append(item)


def _options(config: pytest.Config) -> Options:
    from ._models import EXTENSIONS, Options

    text = str(config.getoption("sse_require") or "")
    names = {name.strip() for name in text.split(",") if name.strip()}
    if names == {"all"}:
        names = set(EXTENSIONS)
    try:
        return Options(require=frozenset(names))
    except ValueError as exc:
        raise pytest.UsageError(f"--sse-require: {exc}") from None


def _report(config: pytest.Config) -> Report:
    """The session's one report: recorded by the first item that asks, in a thread of its own."""
    if _REPORT not in config.stash:
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        from ._suite import run_suite

        url = _url(config)
        assert url is not None
        options = _options(config)
        # A thread of its own: the caller may already run an event loop.
        with ThreadPoolExecutor(1, thread_name_prefix="sse-contract") as pool:
            config.stash[_REPORT] = pool.submit(asyncio.run, run_suite(url, options)).result()
    return config.stash[_REPORT]


class ContractItem(pytest.Item):
    """One rule of the contract, judged on the session's shared recording."""

    def runtest(self) -> None:
        """Fail on a violation; skip an extension the server does not support (unless required)."""
        from ._models import Verdict

        report = _report(self.config)
        if report.error:
            raise ContractViolation(f"cannot run: {report.error}")
        result = report.result(self.name)
        if result.failed:
            lines = [f"{result.verdict.value} {result.rule}: {result.summary}"]
            lines += [f"  - {violation}" for violation in result.violations]
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
