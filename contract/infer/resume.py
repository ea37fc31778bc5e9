"""``[resume]`` from probes: which positions to send (``probes_to_send``), and what the server
did with them (``infer_resume``), judged by the suite's own resume, done and tolerant rules;
pure.

Each position goes in the ``Last-Event-ID`` header and in each candidate query parameter:
some recorded ids, the terminal id and two past it, and malformed values. ``required``
names what the server really supports; a form the server handles wrong is left out and
said why, so that the draft passes against the server it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from contract.classify import Classifier, terminal_index
from contract.rules.compare import stream_outcome
from contract.rules.context import Context
from contract.rules.done import answer_text, check_done
from contract.rules.result import RuleResult, Verdict
from contract.rules.resume import check_resume
from contract.run.plan import Planned, done_values, resume_points, spread
from contract.run.recording import Probe, Recording, Recordings
from contract.spec.model import Contract, Resume

QUERIES = ("last_event_id", "lastEventId")
"""Query parameters tried for the position (a page that reloads cannot set the header)."""
TOLERATE = ("", "abc", "-1")
"""Malformed positions tried: those that get the whole stream are listed in ``tolerate``."""
POINTS = 8
"""Recorded ids resumed from while inferring (the draft's own runs use up to 20)."""
AfterEnd = int | Literal["empty"]


def _trial(draft: Contract, after_end: AfterEnd = 204) -> Contract:
    return replace(draft, resume=Resume(after_end=after_end, tolerate=TOLERATE, past_end=True))


def probes_to_send(draft: Contract, main: Recording) -> list[Planned]:
    """The probes that show how the server takes a position: none when no event had an id."""
    contract = _trial(draft)
    events = main.event_list()
    terminal = terminal_index(contract, Classifier(contract), events)
    points = spread(resume_points(contract, events, terminal), POINTS)
    if not points:
        return []
    chosen = [
        *(("resume", value) for value in points),
        *(("done", value) for value in done_values(contract, events, terminal)),
        *(("tolerant", value) for value in TOLERATE),
    ]
    return [
        Planned(purpose, value, query) for query in (None, *QUERIES) for purpose, value in chosen
    ]


@dataclass(frozen=True, slots=True)
class Form:
    """What the server did with positions given one way (the header, or a query parameter)."""

    label: str
    resume: RuleResult
    done: Verdict | None
    """``None``: nothing to judge (no terminal event with an id, a stream that never ends)."""
    after_end: AfterEnd
    done_text: str
    past_end: bool
    tolerated: tuple[str, ...]
    refused: tuple[str, ...]


def _done(
    draft: Contract, main: Recording, probes: Sequence[Probe]
) -> tuple[Verdict | None, AfterEnd, str, bool]:
    """The terminal id's verdict and what it got, and whether ids past it get the same."""
    if not probes:
        return None, 204, "", False
    terminal, past = probes[0], probes[1:]
    got = terminal.recording
    after_end: AfterEnd = 204
    if got.status != 204 and got.status == main.status and not got.events:
        after_end = "empty"
    contract = _trial(draft, after_end)
    verdict = check_done(Context(contract, Recordings(main, (terminal,)))).verdict
    ok = [check_done(Context(contract, Recordings(main, (p,)))).verdict for p in past]
    past_end = verdict is Verdict.SUPPORTED and all(v is Verdict.SUPPORTED for v in ok)
    text = f"{terminal.label} (the terminal id) got {answer_text(got)}"
    if past:
        values = " and ".join(p.shown_value for p in past)
        text += f"; so did {values}" if past_end else f"; {values} did not all get the same"
    return verdict, after_end, text, past_end


def _form(draft: Contract, main: Recording, probes: Sequence[Probe], label: str) -> Form:
    contract = _trial(draft)
    resumed = tuple(p for p in probes if p.purpose == "resume")
    result = check_resume(Context(contract, Recordings(main, resumed)))
    done, after_end, done_text, past_end = _done(
        draft, main, [p for p in probes if p.purpose == "done"]
    )
    tolerated, refused = [], []
    for probe in (p for p in probes if p.purpose == "tolerant"):
        ctx = Context(contract, Recordings(main, (probe,)))
        if stream_outcome(ctx, probe, 0, "tolerant"):
            refused.append(f"{probe.label} got {answer_text(probe.recording)}")
        else:
            tolerated.append(probe.value)
    return Form(
        label, result, done, after_end, done_text, past_end, tuple(tolerated), tuple(refused)
    )


def _form_notes(form: Form) -> list[str]:
    verdict = form.resume.verdict
    if form.label != "Last-Event-ID" and verdict is Verdict.NOT_SUPPORTED:
        return [f"{form.label} ignored: the whole stream again"]
    lines = [f"{verdict.value}: {form.resume.summary}"]
    if form.done_text:
        lines.append(form.done_text)
    if form.tolerated:
        lines.append(f"{', '.join(map(repr, form.tolerated))} got the whole stream")
    return lines + list(form.refused)


def infer_resume(
    draft: Contract, main: Recording, probes: Sequence[Probe]
) -> tuple[Resume | None, list[str]]:
    """``[resume]`` as the probes showed it (``None``: left out, the notes say why)."""
    if not probes:
        return None, ["[resume] left out: no event carried an id to resume from"]
    header = _form(draft, main, [p for p in probes if p.query is None], "Last-Event-ID")
    queries = [
        _form(draft, main, [p for p in probes if p.query == q], f"?{q}=")
        for q in dict.fromkeys(p.query for p in probes if p.query is not None)
    ]
    notes = [line for form in (header, *queries) for line in _form_notes(form)]
    supported = [f for f in queries if f.resume.verdict is Verdict.SUPPORTED]
    verdict = header.resume.verdict
    if verdict is Verdict.BROKEN:
        return None, ["[resume] left out: Last-Event-ID is handled wrong", *notes]
    if header.done is Verdict.BROKEN:
        return None, ["[resume] left out: the terminal id gets an answer no rule allows", *notes]
    if verdict is Verdict.NOT_SUPPORTED:
        if supported:
            return None, [
                f"[resume] left out: the server resumes from {supported[0].label} only, and "
                "the suite always sends Last-Event-ID too",
                *notes,
            ]
        required = frozenset({"done"}) if header.done is Verdict.SUPPORTED else frozenset()
        return Resume(after_end=header.after_end, required=required), [
            "the server ignores the position: nothing is required of it, but a server "
            "that starts to read it must do it right",
            *notes,
        ]
    query = next(
        (f for f in supported if (f.done, f.after_end) == (header.done, header.after_end)), None
    )
    forms = [header] if query is None else [header, query]
    tolerate = tuple(v for v in TOLERATE if all(v in f.tolerated for f in forms))
    wanted = {"resume"}
    if header.done is Verdict.SUPPORTED:
        wanted.add("done")
    if tolerate:
        wanted.add("tolerant")
    resume = Resume(
        after_end=header.after_end,
        tolerate=tolerate,
        query=None if query is None else query.label.strip("?="),
        required=frozenset(wanted),
        past_end=all(f.past_end for f in forms),
    )
    return resume, notes
