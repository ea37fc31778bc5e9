"""``python -m contract infer URL``: draft a contract from a live endpoint (docs/inference.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from contract.infer.driver import infer, warned
from contract.infer.errors import InferError
from contract.infer.request import flag_request, request_file, secrets
from contract.run.options import Options
from contract.spec.errors import ContractError
from contract.spec.model import Limits

from .args import add_header_argument, parse_count, parse_seconds
from .output import PROG, reader_left

NAME = f"{PROG} infer"
_EPILOG = """\
It records the endpoint N times within the limits, probes Last-Event-ID, writes a
contract that generalises what it saw (each table with a comment saying what), then
runs the suite with the draft against the server. A draft that does not hold is not
written (exit 1) unless --force. Review the file before committing it: docs/inference.md.

exit status: 0 the draft holds and was written, 1 it does not hold, 2 cannot run.
"""


def _data(text: str) -> str:
    if not text.startswith("@"):
        return text
    try:
        return Path(text[1:]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"cannot read {text[1:]}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m contract infer``."""
    parser = argparse.ArgumentParser(
        prog=NAME,
        description="Draft a contract from a live SSE endpoint.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="the stream's URL (or the base a --contract request.url joins)")
    parser.add_argument(
        "-X", "--method", default=None, help="the HTTP method (default GET, or POST with --data)"
    )
    add_header_argument(
        parser, "a request header (repeatable); credentials are written as ${NAME} in the draft"
    )
    parser.add_argument(
        "--data", type=_data, default=None, metavar="JSON|@FILE", help="a JSON request body"
    )
    parser.add_argument(
        "--contract",
        default=None,
        metavar="FILE",
        help="a contract file holding only [request] (and [limits]): the request to sample",
    )
    parser.add_argument(
        "--samples", type=parse_count, default=3, metavar="N", help="recordings (default: 3)"
    )
    parser.add_argument(
        "--seconds",
        type=parse_seconds,
        default=None,
        metavar="S",
        help=f"seconds one recording may take (default {Limits().seconds:g}); a stream still "
        "open then is drafted as one that never ends",
    )
    parser.add_argument("--out", default=None, metavar="FILE", help="write here (default: stdout)")
    parser.add_argument(
        "--force", action="store_true", help="write a draft that does not hold, with a warning"
    )
    return parser


def infer_command(argv: Sequence[str]) -> int:
    """``infer URL ...``: 0 the draft holds and was written, 1 it does not, 2 cannot run."""
    parser = build_parser()
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.scheme not in ("http", "https") or not url.hostname:
        parser.error(f"not an http(s) URL: {args.url!r}")
    try:
        if args.contract is not None:
            if args.method or args.header or args.data is not None:
                parser.error("--contract gives the request: no -X, -H or --data with it")
            name, request, limits = request_file(args.contract)
        else:
            name, limits = None, Limits()
            request = flag_request(args.method, args.header, args.data)
        if args.seconds is not None:
            limits = replace(limits, seconds=args.seconds)
        request.resolved_headers()  # an unset ${NAME} stops here, before any request
        outcome = asyncio.run(
            infer(
                args.url, request, limits=limits, samples=args.samples, options=Options(), name=name
            )
        )
    except (ContractError, InferError) as exc:
        print(f"{NAME}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{NAME}: interrupted", file=sys.stderr)
        return 130
    text = outcome.text
    if not outcome.holds:
        print(f"{NAME}: the draft does not hold against the server:", file=sys.stderr)
        for line in outcome.problems:
            print(f"  {line}", file=sys.stderr)
        if not args.force:
            print(f"{NAME}: nothing written (--force writes it anyway)", file=sys.stderr)
            return 1
        text = warned(text, outcome.problems)
    try:
        if args.out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            Path(args.out).write_text(text, encoding="utf-8")
    except BrokenPipeError:
        reader_left()
    except OSError as exc:
        print(f"{NAME}: error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    contract = outcome.contract
    kinds = sum(1 for kind in contract.kinds if not kind.implicit)
    where = "stdout" if args.out is None else args.out
    verdict = "holds against the server" if outcome.holds else "DOES NOT HOLD"
    print(
        f"{NAME}: {len(outcome.samples)} sample(s), {kinds} kind(s), pattern "
        f"{contract.sequence.pattern if contract.sequence else ''!r}; the draft {verdict}; "
        f"written to {where}",
        file=sys.stderr,
    )
    for line in secrets(contract.request):
        print(f"  {line}", file=sys.stderr)
    return 0 if outcome.holds else 1
