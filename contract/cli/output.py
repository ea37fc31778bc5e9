"""What every command of ``python -m contract`` shares: its name, and a reader that left."""

from __future__ import annotations

import os
import sys

PROG = "python -m contract"


def reader_left() -> None:
    """The reader left (``| head``): stdout goes nowhere, the verdict still goes out as the
    exit status, and the interpreter's final flush raises nothing."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
