"""``python -m contract validate FILE|NAME...``: load contracts and explain them; no network."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from contract.spec.errors import ContractError
from contract.spec.explain import explain
from contract.spec.shipped import choose

from .args import add_openapi_arguments, openapi_flags
from .output import PROG, reader_left


def validate(argv: Sequence[str]) -> int:
    """``validate FILE|NAME...``: load each contract and explain it; 0 if all load, else 2."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} validate",
        description="Load contract files (or an OpenAPI document) and explain them; no network.",
    )
    parser.add_argument("contracts", nargs="*", metavar="FILE|NAME")
    add_openapi_arguments(parser)
    args = parser.parse_args(argv)
    flags = openapi_flags(args.openapi, args.operation, args.param)
    if not args.contracts and (flags is None or flags.file is None):
        parser.error("give contract files or names, or --openapi FILE")
    status = 0
    try:
        for name in args.contracts or [None]:
            try:
                print(explain(choose(name, flags)))
            except ContractError as exc:
                print(f"{PROG} validate: error: {exc}", file=sys.stderr)
                status = 2
        sys.stdout.flush()
    except BrokenPipeError:
        reader_left()
    return status
