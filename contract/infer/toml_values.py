"""TOML 1.0 text for values, keys and tables, written for people to read; pure.

Strings are plain (``"..."``) when they need no escape, literal (``'...'``: a regex reads
as written) when they can be, else basic strings with escapes. A table whose entries fit
on one line stays an inline table; a longer one becomes a sub-table (``[a.b]``) after the
plain entries, and a long list of tables an array of tables (``[[a.b]]``), so a JSON
Schema reads as a tree.
TOML has no null: a value holding one (or a lone surrogate, or an integer past 64
bits) raises ``Unwritable``; callers check with ``writable`` first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

WIDTH = 100
"""Characters a line may take before a table is written as a sub-table instead."""
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LITERAL_OK = re.compile(r"[^'\x00-\x08\x0a-\x1f\x7f]*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"
_INT64 = (-(1 << 63), (1 << 63) - 1)


class Unwritable(ValueError):
    """A value TOML cannot hold: null, a lone surrogate, an integer past 64 bits."""


def writable(value: object) -> bool:
    """Whether ``value`` (a JSON-like value) can be written as TOML."""
    try:
        inline(value)
    except Unwritable:
        return False
    return True


def key(name: str) -> str:
    """A key, bare when TOML allows it, else quoted."""
    return name if _BARE_KEY.fullmatch(name) else basic_string(name)


def dotted(path: Sequence[str]) -> str:
    """A table header's path: ``kinds.done.schema``."""
    return ".".join(key(part) for part in path)


def basic_string(text: str) -> str:
    """``"..."`` with every character TOML cannot hold raw escaped."""
    out = ['"']
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise Unwritable(f"a lone surrogate in {text[:40]!r}")
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def string(text: str) -> str:
    """``"text"`` when it needs no escape; else ``'text'`` when it can be (a regex with
    backslashes reads as written); else a basic string with escapes."""
    plain = _LITERAL_OK.fullmatch(text) and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    if plain and '"' not in text and "\\" not in text:
        return f'"{text}"'
    if plain:
        return f"'{text}'"
    return basic_string(text)


def inline(value: object) -> str:
    """``value`` on one line: a string, number, boolean, array or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise Unwritable(f"an integer past 64 bits: {value}")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{key(str(k))} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(item) for item in value) + "]"
    if value is None:
        raise Unwritable("null (TOML has none)")
    raise Unwritable(f"a {type(value).__name__}")


def _is_tables(value: object) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def table(path: Sequence[str], entries: Mapping[str, object], *, header: bool = True) -> list[str]:
    """Lines of the table at ``path``: its header (``[a.b]``), the entries that fit on a
    line, then the longer tables as sub-tables and the longer lists of tables as ``[[...]]``."""
    lines = [f"[{dotted(path)}]"] if header else []
    later: list[tuple[str, object]] = []
    for name, value in entries.items():
        text = f"{key(name)} = {inline(value)}"
        if len(text) <= WIDTH or not (isinstance(value, Mapping) or _is_tables(value)):
            lines.append(text)
        else:
            later.append((name, value))
    for name, value in later:
        lines.append("")
        if isinstance(value, Mapping):
            lines += table([*path, name], value)
        else:
            assert isinstance(value, list | tuple)
            for index, item in enumerate(value):
                head = f"[[{dotted([*path, name])}]]"
                lines += [*([""] if index else []), head, *table([*path, name], item, header=False)]
    return lines
