"""``python -m contract URL --clients N``: the load mode from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from contract.load.html_report import format_load_html
from contract.load.json_report import format_load_json
from contract.load.mode import run_load
from contract.load.runner import LoadPlan
from contract.load.text_report import format_load_text
from contract.run.options import Options
from contract.spec.model import Contract

from .args import parse_count, parse_seconds
from .output import PROG, reader_left


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """``--clients``, ``--ramp``, ``--workers`` and ``--html``."""
    group = parser.add_argument_group("load (docs/load.md)")
    group.add_argument(
        "--clients",
        type=parse_count,
        default=None,
        metavar="N",
        help="send the contract's request from N clients at once and judge every stream "
        "by the core rules (the extensions are probed once)",
    )
    group.add_argument(
        "--ramp",
        type=parse_seconds,
        default=None,
        metavar="S",
        help="spread the clients' starts evenly over S seconds (default: all at once)",
    )
    group.add_argument(
        "--workers",
        type=parse_count,
        default=None,
        metavar="K",
        help="run the clients in K processes (default: 1); the results merge as one",
    )
    group.add_argument(
        "--html",
        default=None,
        metavar="FILE",
        help="also write the load run as one self-contained HTML page",
    )


def load_problem(args: argparse.Namespace) -> str | None:
    """Why the load flags do not go together, or ``None``."""
    if args.clients is None:
        given = [f for f in ("ramp", "workers", "html") if getattr(args, f) is not None]
        if given:
            return f"--{given[0]} goes with --clients"
        return None
    if args.fuzz_resume:
        return "--fuzz-resume does not go with --clients (the probes run once)"
    if args.workers is not None and args.workers > args.clients:
        return f"--workers {args.workers} is more than --clients {args.clients}"
    if args.html is not None and not Path(args.html).resolve().parent.is_dir():
        return f"--html {args.html}: no such folder"
    return None


def run_load_command(
    args: argparse.Namespace, url: str, contract: Contract, options: Options
) -> int:
    """Run the load, print its report (and write the page); the exit status."""
    plan = LoadPlan(args.clients, args.ramp or 0.0, args.workers or 1)
    try:
        load = asyncio.run(run_load(url, contract, options, plan))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    if args.html is not None and load.summary is not None:
        try:
            Path(args.html).write_text(format_load_html(load), encoding="utf-8")
        except OSError as exc:
            print(f"{PROG}: error: cannot write {args.html}: {exc.strerror}", file=sys.stderr)
            return 2
    try:
        if args.json:
            print(format_load_json(load))
        elif load.report.error:
            print(f"{PROG}: error: {load.report.error}", file=sys.stderr)
        else:
            print(format_load_text(load))
        sys.stdout.flush()
    except BrokenPipeError:
        reader_left()
    return load.report.exit_code
