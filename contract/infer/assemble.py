"""A draft contract from recorded samples, and the probes' ``[resume]`` added to it; pure.

``draft_from`` takes the samples (``Recording``s of the same request) and gives a
``Draft``: the ``Contract`` and, for each table, comment lines saying what the samples
showed. Each table comes from its own module; nothing here touches the network, so a
draft can be inferred from hand-made recordings as well as from a live endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from contract.run.recording import Recording
from contract.spec.model import Contract, EventSequence, Limits, Request, Resume

from .head import check_samples, infer_response
from .ids import infer_ids
from .kinds import infer_kinds
from .sequence import infer_sequence
from .timing import cut_short, infer_end, infer_incremental, infer_keepalive
from .writer import render


@dataclass(frozen=True, slots=True)
class Draft:
    """An inferred contract and, per table, what the samples showed."""

    contract: Contract
    notes: dict[str, list[str]] = field(default_factory=dict)

    def text(self) -> str:
        """The contract file, each table under its notes."""
        return render(self.contract, self.notes)


def draft_from(
    samples: Sequence[Recording],
    request: Request | None = None,
    limits: Limits | None = None,
    name: str = "inferred",
) -> Draft:
    """A contract every sample satisfies; ``InferError`` when the samples cannot give one."""
    request = Request() if request is None else request
    limits = Limits() if limits is None else limits
    check_samples(samples)
    cut = cut_short(samples)
    kinds = infer_kinds([sample.event_list() for sample in samples])
    pattern, anywhere, sequence_notes = infer_sequence(
        kinds.labels, kinds.constant, cut, kinds.pings
    )
    end, end_notes = infer_end(samples, kinds.labels, anywhere)
    response, response_notes = infer_response(samples)
    incremental, incremental_notes = infer_incremental(samples)
    ids, ids_notes = infer_ids(samples)
    keepalive, keepalive_notes = infer_keepalive(samples)
    contract = Contract(
        name=name,
        source="<draft>",
        request=request,
        response=response,
        limits=limits,
        kinds=kinds.kinds,
        sequence=EventSequence(pattern, anywhere),
        end=end,
        incremental=incremental,
        ids=ids,
        keepalive=keepalive,
    )
    count = len(samples)
    notes = {
        "file": [
            f"Drafted by `python -m contract infer` from {count} sample(s) of "
            f"{request.method} {request.url or '(the URL given)'}.",
            "Review it before you commit it: each table says what the samples showed.",
        ],
        "response": response_notes,
        "sequence": sequence_notes,
        "end": end_notes,
        "incremental": incremental_notes,
        "ids": ids_notes,
        "keepalive": keepalive_notes,
        **kinds.notes,
    }
    if request != Request(source=request.source):
        notes["request"] = ["the request the samples were recorded with"]
    if limits != Limits():
        notes["limits"] = ["the limits the samples were recorded with"]
    return Draft(contract, notes)


def with_resume(draft: Draft, resume: Resume | None, notes: Sequence[str]) -> Draft:
    """The draft with the ``[resume]`` the probes showed (or the notes saying why none)."""
    return Draft(replace(draft.contract, resume=resume), {**draft.notes, "resume": list(notes)})
