"""A data rule for plain-text data: the text itself when constant, else a regular expression
that generalises the values seen (digit runs become ``\\d+``); pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

FEW = 8
"""Distinct forms (values with their digits generalised) written out as alternatives."""
_DIGITS = re.compile(r"[0-9]+")
_SPECIAL = set(".^$*+?{}[]\\|()")
_NAMED = {"\n": r"\n", "\r": r"\r", "\t": r"\t"}


def _escape(char: str) -> str:
    if char in _SPECIAL:
        return "\\" + char
    if char in _NAMED:
        return _NAMED[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\x{ord(char):02x}"
    return char


def tokens(text: str) -> tuple[str, ...]:
    """``text`` as regex tokens: ``\\d+`` for each digit run, every other character escaped."""
    out: list[str] = []
    position = 0
    for match in _DIGITS.finditer(text):
        out += [_escape(char) for char in text[position : match.start()]]
        out.append(r"\d+")
        position = match.end()
    out += [_escape(char) for char in text[position:]]
    return tuple(out)


def _common(forms: Sequence[tuple[str, ...]]) -> int:
    """How many leading tokens every form shares, up to a boundary (a character that is no
    letter or digit, or a digit run), so that words are never cut in two."""
    shared = 0
    for count, column in enumerate(zip(*forms, strict=False), 1):
        if len(set(column)) > 1:
            break
        if not column[0].isalnum():
            shared = count
    return shared


def alternation(forms: Sequence[tuple[str, ...]]) -> str:
    """One regex for the token forms: their common start and end around the alternatives."""
    if len(forms) == 1:
        return "".join(forms[0])
    head = _common(forms)
    rests = [form[head:] for form in forms]
    tail = _common([tuple(reversed(rest)) for rest in rests])
    middles = sorted({"".join(rest[: len(rest) - tail]) for rest in rests})
    prefix, suffix = "".join(forms[0][:head]), "".join(forms[0][len(forms[0]) - tail :])
    choices = [m for m in middles if m]
    group = "(" + "|".join(choices) + ")" + ("?" if len(choices) < len(middles) else "")
    if not prefix and not suffix and len(choices) == len(middles):
        return "|".join(choices)
    return prefix + group + suffix


def text_rule(values: Sequence[str]) -> tuple[dict[str, str], str]:
    """``{"data": text}`` or ``{"data_match": regex}`` for these values, and what was seen."""
    distinct = sorted(set(values))
    if len(distinct) == 1:
        return {"data": distinct[0]}, f"always {_shown(distinct[0])}"
    forms = sorted(set(map(tokens, distinct)))
    seen = f"{len(distinct)} distinct values, such as {', '.join(map(_shown, distinct[:3]))}"
    if len(forms) <= FEW:
        digits = " (digits generalised)" if any(_DIGITS.search(v) for v in distinct) else ""
        return {"data_match": alternation(forms)}, seen + digits
    lines = "" if all("\n" not in v and "\r" not in v for v in values) else "(?s)"
    rule = lines + (".+" if all(values) else ".*")
    return {"data_match": rule}, seen + ": too many to list, any text"


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37]) + "..."
