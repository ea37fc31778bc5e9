"""``infer``: sample an endpoint, draft its contract, probe its resume, check the draft.

The order is the pipeline's: record the samples (``record.py``, the suite's client and
limits), infer the draft from them (``assemble.py``, pure), record the probes it calls for
and add ``[resume]`` (``resume.py``), write the file (``writer.py``), load it back as any
contract file is loaded, then judge it against the samples and in a run of the suite
against the server. A draft that disagrees with either is returned with the problems,
for the caller to refuse to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from contract.report.model import Report
from contract.run.options import Options
from contract.run.recording import Recording
from contract.spec.errors import ContractError
from contract.spec.loader import parse_contract
from contract.spec.model import Contract, Limits, Request
from contract.suite import run_suite

from .assemble import Draft, draft_from, with_resume
from .check import report_problems, sample_problems
from .errors import InferError
from .record import record_probes, record_samples
from .request import for_draft
from .resume import infer_resume, probes_to_send


@dataclass(frozen=True, slots=True)
class Outcome:
    """A draft, its file, and every way it disagrees with the samples or the server."""

    draft: Draft
    text: str
    contract: Contract
    """The file loaded back, as the suite will load it."""
    checked: Contract
    """The same with the request as sampled (credentials as given, not as ``${NAME}``)."""
    problems: tuple[str, ...]
    samples: tuple[Recording, ...]
    report: Report | None = None
    """The suite's run of the draft against the server (``None`` when not run)."""

    @property
    def holds(self) -> bool:
        """Whether the draft passes against its samples and its server."""
        return not self.problems


async def infer(
    url: str,
    request: Request | None = None,
    *,
    limits: Limits | None = None,
    samples: int = 3,
    options: Options | None = None,
    name: str | None = None,
    check: bool = True,
) -> Outcome:
    """Sample ``url`` with ``request`` and draft its contract; ``InferError`` when the endpoint
    gives nothing to draft from (not a stream, unreachable, samples that disagree)."""
    if samples < 1:
        raise InferError(f"samples must be 1 or more, got {samples}")
    request = Request() if request is None else request
    limits = Limits() if limits is None else limits
    options = Options() if options is None else options
    skeleton = Contract(name="samples", source="infer", request=request, limits=limits)
    recorded = await record_samples(url, skeleton, samples, options)
    written = for_draft(request, url)
    name = name or f"{written.method} {written.url} (inferred)"
    draft = draft_from(recorded, written, limits, name)
    literal = replace(draft.contract, request=request)
    planned = probes_to_send(literal, recorded[0])
    probes = await record_probes(url, literal, recorded[0], planned, options) if planned else []
    draft = with_resume(draft, *infer_resume(literal, recorded[0], probes))
    text = draft.text()
    try:
        contract = parse_contract(text, "<draft>")
    except ContractError as exc:  # a bug: every draft must load
        raise InferError(f"the draft does not load: {exc}") from exc
    checked = replace(contract, request=request)
    problems = sample_problems(contract, recorded)
    report = None
    if check and not problems:
        report = await run_suite(url, checked, options)
        problems += report_problems(report)
    return Outcome(draft, text, contract, checked, tuple(problems), tuple(recorded), report)


def warned(text: str, problems: Sequence[str]) -> str:
    """The draft's text headed by the problems found, for ``--force``."""
    head = ["# WARNING: this draft does not hold against the server it came from:"]
    head += [f"#   {line}" for line in problems]
    return "\n".join([*head, "", text])
