"""``python -m contract URL``: check an SSE endpoint against a contract."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from contract.fuzz.settings import FUZZ_RUNS, default_seed, fuzz_problem
from contract.report.json import format_json
from contract.report.text import format_text
from contract.run.options import Options
from contract.spec.errors import ContractError
from contract.spec.model import Limits
from contract.spec.overrides import with_flags
from contract.spec.shipped import DEFAULT, choose, shipped_names
from contract.suite import run_suite

from .args import (
    LIMIT_FLAGS,
    add_header_argument,
    add_openapi_arguments,
    openapi_flags,
    parse_count,
    parse_ids,
    parse_origin,
    parse_require,
    parse_seconds,
    parse_seed,
)
from .load import add_load_arguments, load_problem, run_load_command
from .output import PROG, reader_left

_EPILOG = f"""\
A contract says what the endpoint must send: an exact list of events, or kinds of
event and a pattern over them, how it ends, its ids, resume, keep-alive
(docs/contract-files.md). Without --contract the demo's /stream contract is used.
`{PROG} validate FILE` loads a contract and explains it without any request;
`{PROG} mock FILE` serves a stream drawn from it (docs/mock.md);
`{PROG} infer URL` drafts one from a live endpoint (docs/inference.md).

OpenAPI (docs/openapi.md): --openapi FILE --operation ID takes the request and the
kinds of event from an OpenAPI 3.2 document (itemSchema); alone, any order of
those kinds passes and the body must end. With --contract (or an [openapi] table
in the contract file) the file adds the order, the end, ids, resume, keep-alive.

extensions (--require takes a comma-separated list, or "all"):
  resume     Last-Event-ID: X (or the contract's query parameter) continues right after X
  done       the terminal event's id gets 204 No Content (or no event, as the contract says)
  tolerant   a malformed Last-Event-ID gets the whole stream, never an error
  keepalive  while open, some bytes (a comment) at least every max_silence seconds

--fuzz-resume [N]: Hypothesis draws N plans of drops and reconnections (docs/fuzzing.md);
a failing one is shrunk and shown in words, as curl lines and with its seed.

Each extension is reported SUPPORTED, NOT SUPPORTED (ignored) or BROKEN (attempted
and wrong); a contract without its table reports PASS, nothing to judge. Only core
failures and BROKEN extensions fail a run, plus NOT SUPPORTED for a required one.

exit status: 0 the contract holds, 1 a violation, 2 cannot run (bad arguments, a
contract that does not load, a bad URL, nothing listening).
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m contract``."""
    limits, options = Limits(), Options()
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check an SSE endpoint against a contract, by URL.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="the stream's URL (or the base a contract's request.url joins)")
    parser.add_argument(
        "--contract",
        default=None,
        metavar="FILE|NAME",
        help=f"a contract file, or a shipped one by name ({', '.join(shipped_names())}); "
        f"default: {DEFAULT}, or none with --openapi",
    )
    add_openapi_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--require",
        type=parse_require,
        default=frozenset(),
        metavar="EXT[,EXT...]",
        help="extensions that must be supported: resume, done, tolerant, keepalive, or all",
    )
    add_header_argument(parser, "an extra request header for every request (repeatable)")
    parser.add_argument(
        "--allow-origin",
        type=parse_origin,
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin (https://host[:port]) besides the URL's where header values from "
        "${NAME} and -H may go: a contract's absolute url, or a redirect (repeatable; "
        "without it, a request there is refused, exit 2)",
    )
    parser.add_argument(
        "--resume-from",
        type=parse_ids,
        default=None,
        metavar="ID[,ID...]",
        help="the ids to resume from, instead of the contract's [resume].from",
    )
    for flag, field, kind, text in LIMIT_FLAGS:
        parser.add_argument(
            flag,
            dest=field,
            type=kind,
            default=None,
            metavar="N" if kind is parse_count else "S",
            help=f"{text} (default: the contract's, else {getattr(limits, field):g})",
        )
    parser.add_argument(
        "--close-grace",
        type=parse_seconds,
        default=None,
        metavar="S",
        help="seconds the response may stay open after its terminal event "
        "(default: the contract's [end].grace)",
    )
    parser.add_argument(
        "--keepalive",
        type=parse_seconds,
        default=None,
        metavar="S",
        help="longest silence allowed while open (default: the contract's [keepalive].max_silence)",
    )
    parser.add_argument(
        "--concurrency",
        type=parse_count,
        default=options.concurrency,
        metavar="N",
        help=f"responses recorded at once (default: {options.concurrency})",
    )
    parser.add_argument(
        "--fuzz-resume",
        type=parse_count,
        nargs="?",
        const=FUZZ_RUNS,
        default=0,
        metavar="N",
        help="then draw N plans of drops and reconnections, judged as part of resume "
        f"(default N: {FUZZ_RUNS}; docs/fuzzing.md)",
    )
    parser.add_argument(
        "--seed",
        type=parse_seed,
        default=None,
        metavar="S",
        help="the fuzzer's seed, to repeat a run (default: random, or 0 when CI is set)",
    )
    add_load_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; return 0 when the contract holds, 1 on a violation, 2 if it cannot run."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["validate"]:
        from .validate import validate

        return validate(argv[1:])
    if argv[:1] == ["infer"]:
        from .infer import infer_command

        return infer_command(argv[1:])
    if argv[:1] == ["mock"]:
        from .mock import mock

        return mock(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    try:
        url.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        parser.error(f"bad port in URL {args.url!r}")
    if url.scheme not in ("http", "https") or not url.hostname:
        parser.error(f"not an http(s) URL: {args.url!r}")
    if args.seed is not None and not args.fuzz_resume:
        parser.error("--seed goes with --fuzz-resume")
    problem = load_problem(args)
    if problem:
        parser.error(problem)
    try:
        contract = with_flags(
            choose(args.contract, openapi_flags(args.openapi, args.operation, args.param)),
            limits={
                f: getattr(args, f) for _, f, _, _ in LIMIT_FLAGS if getattr(args, f) is not None
            },
            require=args.require,
            close_grace=args.close_grace,
            keepalive=args.keepalive,
            resume_from=args.resume_from,
        )
        contract.request.resolved_headers()  # an unset ${NAME} stops here, before any request
        problem = fuzz_problem(contract) if args.fuzz_resume else None
        if problem:
            raise ContractError(problem)
    except ContractError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    options = Options(
        concurrency=args.concurrency,
        headers=tuple(args.header),
        fuzz_resume=args.fuzz_resume,
        seed=args.seed if args.seed is not None else default_seed(os.environ),
        allow_origins=tuple(args.allow_origin),
    )
    if args.clients is not None:
        return run_load_command(args, args.url, contract, options)
    try:
        report = asyncio.run(run_suite(args.url, contract, options))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    try:
        if args.json:
            print(format_json(report))
        elif report.error:
            print(f"{PROG}: error: {report.error}", file=sys.stderr)
        else:
            print(format_text(report))
        sys.stdout.flush()
    except BrokenPipeError:
        reader_left()
    return report.exit_code
