"""The rules, each a pure function of the contract and the recordings; ``evaluate`` runs them."""

from __future__ import annotations

from contract.classify import Classifier
from contract.run.recording import Recordings
from contract.spec.model import Contract

from .context import Context
from .data import check_data
from .done import check_done
from .end import check_end
from .events import check_events
from .framing import check_framing
from .head import check_head
from .ids import check_ids
from .incremental import check_incremental
from .keepalive import check_keepalive
from .result import RuleResult
from .resume import check_resume
from .tolerant import check_tolerant

CORE_RULES = ("head", "events", "data", "ids", "end", "incremental", "framing")
"""The names of the core rules, in report order."""
EXTENSIONS = ("resume", "done", "tolerant", "keepalive")
"""The extension names, in report order, as ``--require`` takes them."""


def evaluate(
    contract: Contract, recordings: Recordings, classifier: Classifier | None = None
) -> tuple[RuleResult, ...]:
    """Every rule's result, in report order: the core rules, then the extensions.

    ``classifier``: the run's, whose kinds the recordings keep (a new one when none is given).
    """
    ctx = Context(contract, recordings, classifier)
    core = check_core(ctx)
    resume = check_resume(ctx)
    extensions = (resume, check_done(ctx), check_tolerant(ctx, resume), check_keepalive(ctx))
    required = contract.required
    return core + tuple(
        RuleResult(r.rule, True, r.verdict, r.summary, r.violations, r.rule in required)
        for r in extensions
    )


def check_core(ctx: Context) -> tuple[RuleResult, ...]:
    """The core rules' results on the main recording, in report order."""
    return (
        check_head(ctx),
        check_events(ctx),
        check_data(ctx),
        check_ids(ctx),
        check_end(ctx),
        check_incremental(ctx),
        check_framing(ctx),
    )


__all__ = ["CORE_RULES", "EXTENSIONS", "check_core", "evaluate"]
