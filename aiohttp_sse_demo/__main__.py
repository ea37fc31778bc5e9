"""``python -m aiohttp_sse_demo``: read flags and ``SSE_DEMO_*`` variables, serve until a signal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from aiohttp import web

from . import __version__
from .app import create_app
from .settings import ENV_PREFIX, Settings, SettingsError, convert

log = logging.getLogger("aiohttp_sse_demo")

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

_FLAGS: tuple[tuple[str, str], ...] = (
    ("host", "address to listen on"),
    ("port", "TCP port; 0 picks a free one"),
    ("interval", "seconds of simulated work between progress events (0 allowed)"),
    ("ping_interval", "seconds between keep-alive comments"),
    ("send_timeout", "seconds a client may leave a write unread before it is dropped"),
    ("max_streams", "streams served at once; more get 503 with Retry-After"),
    ("shutdown_grace", "seconds open streams get to end at shutdown"),
    ("broker", "where jobs live: memory (this process, lost on restart) or redis://HOST:PORT/DB"),
    ("lease", "seconds within which a job whose process died is marked failed (Redis)"),
    ("job_ttl", "seconds a finished job and its events are kept"),
    ("max_jobs", "jobs this process runs at once; more get 503 with Retry-After"),
    ("max_kept", "finished jobs kept per store, oldest finished first out (then 404)"),
    ("admin_token", "bearer token that may list every job and cancel any (none: no one)"),
)
_SECRET = frozenset({"admin_token"})
"""Flags whose value --help must not show."""


def build_parser(defaults: Settings, log_level: str = "INFO") -> argparse.ArgumentParser:
    """The command line, with defaults taken from ``defaults`` (the environment's settings)."""
    parser = argparse.ArgumentParser(
        prog="python -m aiohttp_sse_demo",
        description="Serve the SSE demo: the page at / and the event stream at /stream.",
        epilog=f"Every option can also be set as an environment variable {ENV_PREFIX}<NAME>, "
        f"for example {ENV_PREFIX}PORT=8080; a flag wins over the variable.",
    )
    for name, help_text in _FLAGS:
        default = getattr(defaults, name)
        shown = ("set" if default else "none") if name in _SECRET else default
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            default=default,
            type=_typed(name, type(default)),
            metavar=name.upper(),
            help=f"{help_text} (default: {shown})",
        )
    parser.add_argument(
        "--reuse-port",
        action="store_true",
        help="set SO_REUSEPORT so several processes can share the port",
    )
    parser.add_argument(
        "--log-level",
        default=log_level,
        choices=LOG_LEVELS,
        type=str.upper,
        help=f"how much to log (default: {log_level})",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the server; returns the process exit status (2 for bad settings)."""
    environ = os.environ if environ is None else environ
    try:
        defaults = Settings.from_env(environ)
    except SettingsError as exc:
        print(f"python -m aiohttp_sse_demo: error: environment: {exc}", file=sys.stderr)
        return 2
    log_level = environ.get(ENV_PREFIX + "LOG_LEVEL", "INFO").strip().upper()
    if log_level not in LOG_LEVELS:
        print(
            f"python -m aiohttp_sse_demo: error: environment: log_level must be one of "
            f"{', '.join(LOG_LEVELS)}, got {environ[ENV_PREFIX + 'LOG_LEVEL']!r}",
            file=sys.stderr,
        )
        return 2
    parser = build_parser(defaults, log_level)
    args = parser.parse_args(argv)
    try:
        # replace() keeps the settings that have no flag (reap_interval) from the environment.
        settings = replace(defaults, **{name: getattr(args, name) for name, _ in _FLAGS})
    except SettingsError as exc:
        parser.error(str(exc))
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(serve(settings, reuse_port=args.reuse_port))
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", settings.host, settings.port, exc.strerror or exc)
        return 1
    return 0


async def serve(settings: Settings, *, reuse_port: bool = False) -> None:
    """Serve until SIGINT or SIGTERM, then end every open stream and return."""
    runner = web.AppRunner(
        create_app(settings),
        handle_signals=False,
        handler_cancellation=True,
        shutdown_timeout=settings.shutdown_grace,
        access_log=None,
    )
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        site = web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port or None)
        await site.start()
        for address in runner.addresses:
            host, port = address[0], address[1]
            shown = f"[{host}]" if ":" in host else host
            log.info("serving on http://%s:%d/ (stream at /stream); Ctrl+C stops", shown, port)
        await stop.wait()
        log.info("shutting down")
    finally:
        await runner.cleanup()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _typed(name: str, kind: type) -> Callable[[str], object]:
    def parse(raw: str) -> object:
        try:
            return convert(name, raw, kind)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = kind.__name__
    return parse


if __name__ == "__main__":
    raise SystemExit(main())
