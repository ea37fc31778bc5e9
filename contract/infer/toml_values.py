"""Values as tomlkit items, laid out for people to read; pure.

TOML itself (quoting keys, escaping strings, writing numbers, tables and arrays of tables)
is tomlkit's. This module decides the layout: a string with a backslash or a quote is a
literal string (``'...'``: a regex reads as written) when it can be; a table whose entries
fit on one line of ``WIDTH`` stays an inline table, a longer one becomes a sub-table
(``[a.b]``) after the plain entries, and a long list of tables an array of tables
(``[[a.b]]``), so a JSON Schema reads as a tree.

It also refuses what a contract file cannot hold, naming the value and where it is: null
(TOML has none), an integer past 64 bits (TOML 1.0's range), a lone surrogate (no UTF-8
text holds one). Callers that may meet such a value check with ``writable`` first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tomlkit
from tomlkit.exceptions import InvalidStringError
from tomlkit.items import Item, String, Table

WIDTH = 100
"""Characters a line may take before a table is written as a sub-table instead."""
_INT64 = (-(1 << 63), (1 << 63) - 1)


class Unwritable(ValueError):
    """A value TOML cannot hold; the message says which and where."""


def writable(value: object) -> bool:
    """Whether ``value`` (a JSON-like value) can be written as TOML."""
    try:
        inline(value, "value")
    except Unwritable:
        return False
    return True


def _text(text: str, where: str) -> str:
    """``text``, checked to be text: a lone surrogate (from JSON's ``\\ud800``) is none."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise Unwritable(f"{where}: a lone surrogate in {text[:40]!r}") from error
    return text


def string(text: str, where: str) -> String:
    """``text`` as a TOML string: literal when it holds a backslash or a quote and can be."""
    _text(text, where)
    if "\\" in text or '"' in text:
        try:
            return tomlkit.string(text, literal=True)
        except InvalidStringError:
            pass  # a quote or a control character: a basic string escapes it
    return tomlkit.string(text)


def inline(value: object, where: str) -> Item:
    """``value`` on one line: a string, number, boolean, array or inline table.

    ``where`` is the value's place in the file (``kinds.done.schema.const``), for the error.
    """
    if isinstance(value, bool | float):
        return tomlkit.item(value)
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise Unwritable(f"{where}: an integer past 64 bits ({value})")
        return tomlkit.integer(value)
    if isinstance(value, str):
        return string(value, where)
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for name, entry in value.items():
            table.append(_text(str(name), where), inline(entry, f"{where}.{name}"))
        return table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        array.extend(inline(entry, f"{where}[{index}]") for index, entry in enumerate(value))
        return array
    if value is None:
        raise Unwritable(f"{where}: null (TOML has none)")
    raise Unwritable(f"{where}: a {type(value).__name__} (not a TOML value)")


def _is_tables(value: object) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(entry, Mapping) for entry in value)
    )


def _fits(name: str, item: Item) -> bool:
    return len(f"{tomlkit.key(name).as_string()} = {item.as_string()}") <= WIDTH


def table(entries: Mapping[str, object], where: str) -> Table:
    """The table of ``entries``: those that fit on a line first, then the longer tables as
    sub-tables and the longer lists of tables as arrays of tables."""
    out = tomlkit.table()
    later: list[tuple[str, object]] = []
    for name, value in entries.items():
        item = inline(value, f"{where}.{_text(name, where)}")
        if _fits(name, item) or not (isinstance(value, Mapping) or _is_tables(value)):
            out.append(name, item)
        else:
            later.append((name, value))
    for name, value in later:
        place = f"{where}.{name}"
        if isinstance(value, Mapping):
            out.append(name, table(value, place))
        else:
            assert isinstance(value, Sequence)
            tables = tomlkit.aot()
            for index, entry in enumerate(value):
                tables.append(table(entry, f"{place}[{index}]"))
            out.append(name, tables)
    return out
