"""``[ids]`` from the samples: the strongest scheme every sample satisfies; pure.

The candidates are tried from the strongest (none, sequential from the first id,
increasing, unique) and each is judged by the suite's own ``ids`` rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract.rules.context import Context
from contract.rules.ids import check_ids
from contract.rules.result import Verdict
from contract.rules.words import ids_text
from contract.run.recording import Recording, Recordings
from contract.spec.model import Contract, Ids


def _holds(ids: Ids, samples: Sequence[Recording]) -> bool:
    contract = Contract(name="ids", source="infer", ids=ids)
    return all(
        check_ids(Context(contract, Recordings(sample))).verdict is Verdict.PASS
        for sample in samples
    )


def infer_ids(samples: Sequence[Recording]) -> tuple[Ids, list[str]]:
    """The strongest scheme all samples satisfy, and the ids seen."""
    texts = [ids_text(sample.event_list()) for sample in samples]
    if not any(timed.event.last_event_id for sample in samples for timed in sample.events):
        seen = ["no event carried an id"]
    elif len(set(texts)) == 1:
        seen = [f"every sample: ids {texts[0]}"]
    else:
        seen = [f"sample {n}: ids {text}" for n, text in enumerate(texts, 1)]
    first = samples[0].events[0].event.last_event_id
    candidates = [Ids("none")]
    if first.isascii() and first.isdigit() and len(first) < 19:
        candidates.append(Ids("sequential", int(first)))
    candidates += [Ids("increasing"), Ids("unique")]
    for ids in candidates:
        if _holds(ids, samples):
            return ids, [*seen, f"the strongest scheme every sample follows: {ids.scheme}"]
    return Ids("any"), [*seen, "no scheme holds in every sample: ids are not checked"]
