"""``python -m contract mock CONTRACT``: serve a stream drawn from a contract (docs/mock.md)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
from collections.abc import Sequence

from aiohttp import web
from hypothesis.configuration import set_hypothesis_home_dir

from contract.mock.errors import MockError
from contract.mock.replies import Mock
from contract.mock.server import create_mock_app, stream_path
from contract.rules import CORE_RULES, EXTENSIONS
from contract.spec.errors import ContractError
from contract.spec.overrides import with_flags
from contract.spec.shipped import DEFAULT, choose, shipped_names

from .args import add_openapi_arguments, openapi_flags, parse_seconds, parse_seed
from .output import PROG


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m contract mock``."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} mock",
        description="Serve a stream drawn from a contract: develop an SSE client before the "
        "server exists, or check that the suite fails what it should (--break).",
        epilog="The same seed serves the same events, so a resumed request continues the "
        "stream it left. SIGINT or SIGTERM ends every stream and stops the server.",
    )
    parser.add_argument(
        "contract",
        nargs="?",
        default=None,
        metavar="CONTRACT",
        help=f"a contract file, or a shipped one by name ({', '.join(shipped_names())}); "
        f"default: {DEFAULT}, or none with --openapi",
    )
    add_openapi_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8000, help="TCP port; 0 picks a free one (8000)"
    )
    parser.add_argument(
        "--seed", type=parse_seed, default=0, metavar="S", help="which stream to draw (0)"
    )
    parser.add_argument(
        "--break",
        dest="rule",
        choices=(*CORE_RULES, *EXTENSIONS),
        default=None,
        metavar="RULE",
        help="break this rule of the report, and no other: "
        f"{', '.join((*CORE_RULES, *EXTENSIONS))}",
    )
    parser.add_argument(
        "--keepalive",
        type=parse_seconds,
        default=None,
        metavar="S",
        help="the contract's [keepalive] max_silence, shorter (pass the suite the same)",
    )
    parser.add_argument(
        "--close-grace",
        type=parse_seconds,
        default=None,
        metavar="S",
        help="the contract's [end] grace (pass the suite the same)",
    )
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return value


def mock(argv: Sequence[str]) -> int:
    """``mock CONTRACT``: serve until SIGINT or SIGTERM; 0 then, 2 if it cannot serve."""
    parser = build_parser()
    args = parser.parse_args(argv)
    flags = openapi_flags(args.openapi, args.operation, args.param)
    try:
        contract = choose(args.contract, flags)
        if args.keepalive is not None and contract.keepalive is None:
            raise ContractError("--keepalive: the contract has no [keepalive]")
        contract = with_flags(contract, keepalive=args.keepalive, close_grace=args.close_grace)
        with tempfile.TemporaryDirectory(prefix="sse-mock-") as home:
            # Hypothesis caches what it learns of the code in its home directory (./.hypothesis
            # by default): a mock leaves the directory it runs in as it found it.
            set_hypothesis_home_dir(home)
            try:
                served = Mock(contract, args.seed, args.rule)
            finally:
                set_hypothesis_home_dir(None)
    except (ContractError, MockError) as exc:
        print(f"{PROG} mock: error: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(served, args.host, args.port))
    except OSError as exc:
        where = f"{args.host}:{args.port}"
        print(f"{PROG} mock: error: cannot listen on {where}: {exc}", file=sys.stderr)
        return 2
    return 0


async def serve(served: Mock, host: str, port: int) -> None:
    """Serve ``served`` until SIGINT or SIGTERM; print the URL of its stream first."""
    runner = web.AppRunner(
        create_mock_app(served),
        handle_signals=False,
        handler_cancellation=True,
        shutdown_timeout=1.0,
        access_log=None,
    )
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, host, port).start()
        contract = served.contract
        breaking = f", breaking {served.rule}" if served.rule else ""
        for address in runner.addresses:
            shown = f"[{address[0]}]" if ":" in address[0] else address[0]
            url = f"http://{shown}:{address[1]}{stream_path(contract)}"
            print(
                f"serving on {url} ({contract.request.method}): a mock of {contract.name!r}, "
                f"seed {served.seed}{breaking}; Ctrl+C stops",
                flush=True,
            )
        await stop.wait()
    finally:
        await runner.cleanup()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
