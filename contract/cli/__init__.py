"""``python -m contract``: check a URL, or ``validate`` a contract."""

from .main import main

__all__ = ["main"]
