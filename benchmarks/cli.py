"""The one command line: ``python -m benchmarks [server|parser|judge|jobs|load|profile] [options]``.

Without a subcommand it runs ``server``: every /stream measure, the parsers and
judging, written into docs/benchmarks.md, as ``make bench`` does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .commands import jobs, judge, load, parser, profile, server

Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
"""A subcommand: its description, what adds its flags, what runs it."""
COMMANDS: dict[str, Command] = {
    "server": (server.DESCRIPTION, server.add_arguments, server.run),
    "parser": (parser.DESCRIPTION, parser.add_arguments, parser.run),
    "judge": (judge.DESCRIPTION, judge.add_arguments, judge.run),
    "jobs": (jobs.DESCRIPTION, jobs.add_arguments, jobs.run),
    "load": (load.DESCRIPTION, load.add_arguments, load.run),
    "profile": (profile.DESCRIPTION, profile.add_arguments, profile.run),
}
DEFAULT = "server"


def build_parser() -> argparse.ArgumentParser:
    """The command line, one subparser per subcommand."""
    top = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=f"The project's benchmarks. Without a subcommand: {DEFAULT}.",
    )
    subs = top.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    for name, (description, add_arguments, run) in COMMANDS.items():
        sub = subs.add_parser(name, help=description, description=description)
        add_arguments(sub)
        sub.set_defaults(run=run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand (``server`` when none is named); its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help")):
        args.insert(0, DEFAULT)
    parsed = build_parser().parse_args(args)
    run: Callable[[argparse.Namespace], int] = parsed.run
    return run(parsed)
