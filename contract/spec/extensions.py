"""The extension tables of a contract file: ``[resume]`` and ``[keepalive]``."""

from __future__ import annotations

from .model import SUPPORTABLE, Keepalive, Resume
from .toml import TOKEN, Table, as_bool, as_id, as_seconds, as_strings


def read_resume(table: Table | None) -> Resume | None:
    if table is None:
        return None

    def from_ids(value: object) -> tuple[str, ...] | None:
        if value == "all":
            return ()
        ids = as_strings(value)
        return ids if ids and all(as_id(i) is not None for i in ids) else None

    none: tuple[str, ...] = ()
    chosen = table.get("from", from_ids, '"all" or a non-empty list of ids', none)
    resume = Resume(
        from_ids=chosen or None,
        after_end=table.get(
            "after_end", lambda v: v if v in (204, "empty") else None, '204 or "empty"', 204
        ),
        tolerate=table.get("tolerate", as_strings, "a list of Last-Event-ID values", none),
        query=table.get(
            "query",
            lambda v: v if isinstance(v, str) and TOKEN.fullmatch(v) else None,
            "a query parameter name",
            None,
        ),
        required=frozenset(
            table.get(
                "required",
                lambda v: (
                    s if (s := as_strings(v)) is not None and set(s) <= set(SUPPORTABLE) else None
                ),
                f"a list of {', '.join(SUPPORTABLE)}",
                none,
            )
        ),
        past_end=table.get("past_end", as_bool, "true or false", False),
    )
    for value in resume.tolerate:
        if as_id(value) is None:
            raise table.error("tolerate", "values on one line, without NUL", value)
    table.finish()
    return resume


def read_keepalive(table: Table | None) -> Keepalive | None:
    if table is None:
        return None
    result = Keepalive(
        max_silence=table.get("max_silence", as_seconds(), "seconds above 0", 15.0),
        required=table.get("required", as_bool, "true or false", False),
    )
    table.finish()
    return result
