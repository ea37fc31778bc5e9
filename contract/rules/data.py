"""Rule ``data``: an event whose type has kinds must fit one of them (equal, regex, schema)."""

from __future__ import annotations

from .context import Context
from .result import MAX_VIOLATIONS, RuleResult, Violation, core, nothing

RULE = "data"


def check_data(ctx: Context) -> RuleResult:
    """Every event of a type that has kinds fits one; each misfit says why (schema path, regex)."""
    if ctx.contract.exact:
        return nothing(RULE, "exact mode compares each event's data in the events rule")
    ruled = [
        k
        for k in ctx.contract.kinds
        if not k.implicit
        and (k.data, k.data_match, k.schema, k.event_schema) != (None, None, None, None)
    ]
    if not ruled:
        return nothing(RULE, "no kind has a data rule")
    misfits = [i for i, c in enumerate(ctx.classes) if c.misfit]
    # Why is worked out for the violations a report keeps, not for every misfit of a flood.
    found = [
        Violation(
            RULE,
            f"data that fits a kind of type {ctx.events[i].type!r}",
            "; ".join(ctx.classifier.reasons(ctx.events[i])),
            f"event #{i + 1}",
        )
        for i in misfits[:MAX_VIOLATIONS]
    ]
    names = {k.name for k in ruled}
    checked = sum(1 for c in ctx.classes if c.kind in names)
    more = len(misfits) - len(found)
    return core(RULE, found, f"{checked} event(s) fit their kind's data rule", more=more)
