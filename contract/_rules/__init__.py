"""The rules, each a pure function of the contract and the recordings; ``evaluate`` runs them."""

from __future__ import annotations

from contract._contract import Contract
from contract._models import Recordings, RuleResult

from ._context import Context
from .data import check_data
from .end import check_end
from .events import check_events
from .framing import check_framing
from .head import check_head
from .ids import check_ids
from .incremental import check_incremental
from .keepalive import check_keepalive
from .resume import check_done, check_resume, check_tolerant

CORE_RULES = ("head", "events", "data", "ids", "end", "incremental", "framing")
"""The names of the core rules, in report order."""


def evaluate(contract: Contract, recordings: Recordings) -> tuple[RuleResult, ...]:
    """Every rule's result, in report order: the core rules, then the extensions."""
    ctx = Context(contract, recordings)
    core = (
        check_head(ctx),
        check_events(ctx),
        check_data(ctx),
        check_ids(ctx),
        check_end(ctx),
        check_incremental(ctx),
        check_framing(ctx),
    )
    resume = check_resume(ctx)
    extensions = (resume, check_done(ctx), check_tolerant(ctx, resume), check_keepalive(ctx))
    required = contract.required
    return core + tuple(
        RuleResult(r.rule, True, r.verdict, r.summary, r.violations, r.rule in required)
        for r in extensions
    )


__all__ = ["CORE_RULES", "evaluate"]
