"""What a kind name is: one definition for contract files, OpenAPI kinds and patterns."""

from __future__ import annotations

import re

KIND_NAME_TEXT = r"[A-Za-z_][\w.:-]*"
"""A letter or ``_``, then letters, digits, ``_ . : -``: a symbol of a pattern."""
KIND_NAME = re.compile(KIND_NAME_TEXT)
