"""``python -m contract URL``: check any SSE server against the ``/stream`` contract."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from ._models import EXTENSIONS, Limits, Options
from ._report import format_json, format_text
from ._suite import run_suite

_EPILOG = f"""\
extensions (--require takes a comma-separated list, or "all"):
  resume     Last-Event-ID: n (0..9) continues at id n+1, no duplicate, no gap
  done       Last-Event-ID: 10, 11 or a 5,000-digit integer answers 204 No Content
  tolerant   a malformed Last-Event-ID (empty, -1, +3, 3.0, 1_0, abc, \u0663) gets the whole stream
  keepalive  Cache-Control: no-cache, X-Accel-Buffering: no, a comment line every 15 s

Each extension is reported SUPPORTED, NOT SUPPORTED (ignored, as the original server
did) or BROKEN (attempted and wrong). Only core failures and BROKEN extensions fail a
run, plus NOT SUPPORTED for a required one.

exit status: 0 the contract holds, 1 a violation, 2 cannot run (bad arguments, bad URL,
nothing listening). Extensions: {", ".join(EXTENSIONS)}.
"""


def _require(text: str) -> frozenset[str]:
    names = {name.strip() for name in text.split(",") if name.strip()}
    if names == {"all"}:
        return frozenset(EXTENSIONS)
    unknown = sorted(names - set(EXTENSIONS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown extension {', '.join(unknown)} (choose from {', '.join(EXTENSIONS)}, all)"
        )
    return frozenset(names)


def _header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def _ids(text: str) -> tuple[int, ...]:
    try:
        ids = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ids such as 0,4,9, got {text!r}") from None
    if not ids or any(not 0 <= n <= 9 for n in ids):
        raise argparse.ArgumentTypeError(f"ids must be from 0 to 9, got {text!r}")
    return ids


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m contract``."""
    limits, options = Limits(), Options()
    parser = argparse.ArgumentParser(
        prog="python -m contract",
        description="Check an SSE server against the /stream event contract, by URL.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="the stream's URL, e.g. http://127.0.0.1:8000/stream")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--require",
        type=_require,
        default=frozenset(),
        metavar="EXT[,EXT...]",
        help="extensions that must be supported: resume, done, tolerant, keepalive, or all",
    )
    parser.add_argument(
        "-H",
        "--header",
        type=_header,
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header for every request (repeatable)",
    )
    parser.add_argument(
        "--resume-ids",
        type=_ids,
        default=options.resume_ids,
        metavar="N[,N...]",
        help="Last-Event-ID values the resume probes send (default: 0..9)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=limits.total,
        metavar="S",
        help=f"seconds one response may take in all (default: {limits.total:g})",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=limits.idle,
        metavar="S",
        help=f"seconds without a byte before giving up (default: {limits.idle:g})",
    )
    parser.add_argument(
        "--close-grace",
        type=_seconds,
        default=limits.close_grace,
        metavar="S",
        help=f"seconds the response may stay open after close (default: {limits.close_grace:g})",
    )
    parser.add_argument(
        "--keepalive",
        type=_seconds,
        default=options.keepalive,
        metavar="S",
        help=f"longest silence without a comment line (default: {options.keepalive:g})",
    )
    parser.add_argument(
        "--max-event-bytes",
        type=_count,
        default=limits.max_event_bytes,
        metavar="N",
        help=f"largest line or event read (default: {limits.max_event_bytes})",
    )
    parser.add_argument(
        "--max-bytes",
        type=_count,
        default=limits.max_bytes,
        metavar="N",
        help=f"largest body read per response (default: {limits.max_bytes})",
    )
    parser.add_argument(
        "--concurrency",
        type=_count,
        default=options.concurrency,
        metavar="N",
        help=f"responses recorded at once (default: {options.concurrency})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; return 0 when the contract holds, 1 on a violation, 2 if it cannot run."""
    parser = build_parser()
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    try:
        url.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        parser.error(f"bad port in URL {args.url!r}")
    if url.scheme not in ("http", "https") or not url.hostname:
        parser.error(f"not an http(s) URL: {args.url!r}")
    options = Options(
        limits=Limits(
            total=args.timeout,
            idle=args.idle_timeout,
            close_grace=args.close_grace,
            max_event_bytes=args.max_event_bytes,
            max_bytes=args.max_bytes,
        ),
        require=args.require,
        resume_ids=args.resume_ids,
        keepalive=args.keepalive,
        concurrency=args.concurrency,
        headers=tuple(args.header),
    )
    try:
        report = asyncio.run(run_suite(args.url, options))
    except KeyboardInterrupt:
        print("python -m contract: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(format_json(report))
    elif report.error:
        print(f"python -m contract: error: {report.error}", file=sys.stderr)
    else:
        print(format_text(report))
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
