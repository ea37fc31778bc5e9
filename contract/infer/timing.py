"""What the samples show over time: how the body ends (``[end]``), whether events come in
bursts (``[incremental]``) and how long the stream stays silent (``[keepalive]``); pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from contract.run.recording import Ending, Recording
from contract.spec.model import End, Incremental, Keepalive

from .errors import InferError

GAP = 0.02
"""Seconds of silence that end a burst: the ``incremental`` rule's default."""
MOST_BURSTS = 3
"""Bursts asked for at most: a buffering proxy delivers one, a half-flushing one two, and a
loaded machine may merge a few of the server's pauses."""
MARGIN = 1.5
"""The longest silence seen, times this, is the keep-alive bound (10 s pings: 15 s) ..."""
JITTER = 0.2
"""... plus these seconds: a loaded machine delays a read by about that much."""
CUT = (Ending.TIMEOUT, Ending.LIMIT)


def round_up(value: float) -> float:
    """``value`` rounded up to two significant digits: 0.287 -> 0.29, 15.03 -> 16."""
    if value <= 0:
        return 0.0
    scale = 10.0 ** (math.floor(math.log10(value)) - 1)
    return round(math.ceil(round(value / scale, 6)) * scale, 10)


def cut_short(samples: Sequence[Recording]) -> bool:
    """Whether the limits stopped every sample (a stream that never ends); ``InferError`` when
    some ended and others did not, or one broke."""
    endings = [sample.ending for sample in samples]
    for number, sample in enumerate(samples, 1):
        if sample.ending not in (Ending.EOF, *CUT):
            raise InferError(f"sample {number}: {sample.ending_text()}")
    if all(ending in CUT for ending in endings):
        return True
    if any(ending in CUT for ending in endings):
        shown = "; ".join(f"sample {n}: {s.ending_text()}" for n, s in enumerate(samples, 1))
        raise InferError(
            f"the samples disagree on the end ({shown}): raise --seconds past the stream's "
            "length, or check why the server ends some responses and not others"
        )
    return False


def infer_end(
    samples: Sequence[Recording], labels: Sequence[Sequence[str]], anywhere: Sequence[str]
) -> tuple[End, list[str]]:
    """``never`` when the limits cut every sample, else after which kind the body ends."""
    if cut_short(samples):
        reasons = sorted({sample.detail for sample in samples})
        return End(never=True), [
            f"every sample was still open when the limits stopped it ({'; '.join(reasons)})"
        ]
    lasts = {names[-1] for names in labels}
    last = next(iter(lasts))
    delays = [sample.ended_at - sample.events[-1].at for sample in samples]
    grace = End().grace
    if max(delays) > grace / 2:
        grace = round_up(max(delays) * 2)
    notes = [f"every sample ended {max(delays):.2f} s or less after its last event"]
    once = all(names.count(last) == 1 for names in labels)
    if len(lasts) == 1 and once and last not in anywhere:
        notes.append(f"each sample ended right after its one {last} event")
        return End(after=last, grace=grace), notes
    notes.append("the last events differ, or come more than once: the body must end, after any")
    return End(grace=grace), notes


def bursts(sample: Recording, gap: float = GAP) -> int:
    """How many bursts the sample's events came in (``gap`` seconds of silence between)."""
    times = [timed.at for timed in sample.events]
    return 1 + sum(1 for a, b in pairwise(times) if b - a >= gap)


def infer_incremental(samples: Sequence[Recording]) -> tuple[Incremental | None, list[str]]:
    """At least some of the bursts every sample showed, when each showed two or more."""
    counts = [bursts(sample) for sample in samples]
    shown = ", ".join(map(str, counts))
    if min(counts) < 2:
        return None, [f"the events arrived in {shown} burst(s): not incremental in every sample"]
    wanted = min(MOST_BURSTS, *counts)
    return Incremental(wanted, GAP), [
        f"the events arrived in {shown} bursts ({GAP:g} s or more of silence between two)",
        f"asking for {wanted}: one burst is what a buffering proxy delivers",
    ]


def infer_keepalive(samples: Sequence[Recording]) -> tuple[Keepalive | None, list[str]]:
    """The longest silence with a margin, when the server sent comment lines."""
    comments = [sample.framing.comments for sample in samples]
    if not any(comments):
        return None, ["[keepalive] left out: no sample had a comment line (no keep-alive seen)"]
    silences = [sample.framing.longest_silence for sample in samples]
    longest = max(silences)
    bound = round_up(longest * MARGIN + JITTER)
    return Keepalive(bound, required=all(comments)), [
        f"comment lines per sample: {', '.join(map(str, comments))}; the longest silence "
        f"{longest:.2f} s ({', '.join(f'{s:.2f}' for s in silences)})",
        f"allowed: {MARGIN:g} times that, and {JITTER:g} s more"
        + ("; required: every sample kept alive" if all(comments) else ""),
    ]
