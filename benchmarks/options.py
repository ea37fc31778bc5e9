"""Flags the subcommands share, their value types, and a plan with the flags applied."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

P = TypeVar("P", bound="DataclassInstance")


def counts(text: str) -> tuple[int, ...]:
    """``1000,10000`` as ``(1000, 10000)``."""
    try:
        return tuple(int(n) for n in text.split(",") if n)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not comma-separated numbers: {text!r}") from None


def megabytes(text: str) -> int:
    """``20`` (MB) as 20,000,000 bytes."""
    return int(float(text) * 1e6)


def names(allowed: Sequence[str], what: str) -> Callable[[str], tuple[str, ...]]:
    """A flag type: comma-separated names, each one of ``allowed``."""

    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(n for n in text.split(",") if n)
        unknown = sorted(set(chosen) - set(allowed))
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {what}: {', '.join(unknown)} (of {','.join(allowed)})"
            )
        return chosen

    return parse


def add_counts(parser: argparse.ArgumentParser, flag: str, what: str) -> None:
    """``FLAG 1000,10000``: the sizes to measure at."""
    parser.add_argument(flag, type=counts, help=f"comma-separated {what}, e.g. 1000,10000")


def add_subset(parser: argparse.ArgumentParser, flag: str, allowed: Sequence[str]) -> None:
    """``FLAG a,b``: which of ``allowed`` to measure (all of them by default)."""
    what = flag.lstrip("-")
    parser.add_argument(
        flag,
        type=names(allowed, what),
        default=",".join(allowed),
        help=f"which {what}, of {','.join(allowed)}",
    )


def add_smoke(parser: argparse.ArgumentParser) -> None:
    """``--smoke``: a run of a few seconds whose numbers mean nothing."""
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks it works")


def add_runs(parser: argparse.ArgumentParser, default: int | None = None) -> None:
    """``--runs N``: how many times each measure is taken."""
    shown = "" if default is None else f" (default {default})"
    parser.add_argument(
        "--runs", type=int, default=default, help=f"runs per measure; the median is reported{shown}"
    )


def add_output(parser: argparse.ArgumentParser) -> None:
    """``--output FILE``: where the results block goes."""
    parser.add_argument(
        "--output",
        type=Path,
        help="write the markdown here (default: docs/benchmarks.md for a full run, none for smoke)",
    )


def plan_from(plan: P, args: argparse.Namespace) -> P:
    """``plan`` with each field that a flag of the same name was given for replaced."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(plan):
        value = getattr(args, field.name, None)
        if value is not None:
            changes[field.name] = value
    return dataclasses.replace(plan, **changes)
