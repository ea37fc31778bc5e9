"""One resume plan against a live server: its connections in order, judged as they go.

Every request goes through the suite's client within the contract's limits. A
connection must get the contract's status and, after the events of the ones before
it, exactly the next events of the reference; a connection that is not dropped must
reach the terminal event. Then the terminal id must get ``[resume] after_end``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import aiohttp

from contract.rules.done import answer_text, done_wanted, is_done
from contract.rules.result import Violation
from contract.rules.words import ids_text, show
from contract.run.client import abandon, record
from contract.run.plan import Planned, probe_caps
from contract.run.recording import Ending, Recording
from contract.run.target import Target, probe_target
from contract.spec.model import Contract
from contract.wire.event import Event

from .plans import Connection, Drop, Plan
from .steps import Run, Step
from .words import cut_short

RULE = "resume"


class Runner:
    """Runs one plan at a time against the server and judges it as it goes."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        contract: Contract,
        main: Target,
        reference: list[Event],
    ) -> None:
        assert contract.resume is not None
        self.session = session
        self.contract = contract
        self.resume = contract.resume
        self.status = contract.response.status
        self.limits = contract.limits
        self.reference = reference
        self.positions: dict[str, int] = {}
        for index, event in enumerate(reference):
            self.positions.setdefault(event.last_event_id, index)
        self.main = replace(main, max_events=len(reference) + 1)

    def target(self, position: str, query: bool, drop: Drop | None) -> Target:
        """The request of a connection: the position, where it is dropped."""
        base = self.main
        if position:
            form = self.resume.query if query else None
            caps = probe_caps(self.reference, self.limits)
            base = probe_target(base, Planned(RULE, position, form), caps)
        cut = None if drop is None or drop.before_head else (drop.events, drop.extra)
        return replace(base, last_event_id=position, drop=cut)

    async def run(self, plan: Plan) -> Run:
        """Every connection of ``plan``, then the terminal id; stops at the first violation."""
        steps: list[Step] = []
        position = ""
        for connection in plan.connections:
            drop = connection.drop
            target = self.target(position, connection.query, drop)
            if drop is not None and drop.before_head:
                problem = await abandon(target, self.limits)
                steps.append(Step(connection, position, target, problem=problem))
                if problem:
                    return self.failed(plan, steps, "the request sent", problem)
                continue
            recording = await record(self.session, target, self.limits)
            steps.append(Step(connection, position, target, recording))
            start = self.start(position)
            wrong = self.check(recording, start)
            if wrong is not None:
                return self.failed(plan, steps, *wrong)
            events = recording.event_list()
            if events:
                position = events[-1].last_event_id
            if start + len(events) == len(self.reference):
                return await self.done(plan, steps)
        return self.failed(plan, steps, "the terminal event", "never came")

    def start(self, position: str) -> int:
        """Where a connection sent ``position`` continues in the reference: right after the
        event that set that id (events without an id of their own after it come again, as
        they carry it too), the same rule as the probes'; from the start without one."""
        return 0 if not position else self.positions[position] + 1

    def failed(
        self, plan: Plan, steps: Sequence[Step], expected: str, actual: str, note: str = ""
    ) -> Run:
        """The run ending at its last step, with the violation (and the plan's note) it ends on."""
        step = steps[-1]
        if not step.position:
            where = "no position"
        elif step.connection.query and self.resume.query:
            where = f"?{self.resume.query}={step.position}"
        else:
            where = f"Last-Event-ID: {step.position}"
        violation = Violation(RULE, expected, actual, f"request {len(steps)} of a plan ({where})")
        return Run(plan, tuple(steps), violation, note or actual)

    def check(self, recording: Recording, start: int) -> tuple[str, str, str] | None:
        """What is wrong with one connection's response, which should continue the reference
        from event ``start``: expected, actual, and a note for the plan's line; ``None`` when
        nothing is."""
        want = self.reference[start:]
        if recording.status != self.status:
            shown = recording.status_text()
            return f"{self.status} with ids {ids_text(want)}", shown, shown
        got = recording.event_list()
        if got != want[: len(got)]:
            why = _difference(self.reference[:start], got, want)
            return f"ids {ids_text(want)}", f"ids {ids_text(got)}: {why}", why
        if len(got) < len(want) and recording.ending is not Ending.DROPPED:
            ended = "it ended" if recording.ending is Ending.EOF else recording.ending_text()
            why = f"{ended} before the terminal event"
            return f"ids {ids_text(want)}", f"ids {ids_text(got)}, then {why}", why
        return None

    async def done(self, plan: Plan, steps: list[Step]) -> Run:
        """The terminal id once more: it must get ``after_end`` (204, or no event)."""
        final = self.reference[-1].last_event_id
        if not final:
            return Run(plan, tuple(steps))
        connection = Connection(None, plan.done_query)
        target = self.target(final, plan.done_query, None)
        recording = await record(self.session, target, self.limits)
        steps.append(Step(connection, final, target, recording, done=True))
        if is_done(self.contract, recording):
            return Run(plan, tuple(steps))
        wanted = done_wanted(self.contract)
        shown = answer_text(recording)
        if recording.status is not None:
            shown += cut_short(recording)
        return self.failed(plan, steps, f"after the terminal id, {wanted}", shown, f"not {wanted}")


def _difference(received: list[Event], got: list[Event], want: list[Event]) -> str:
    """The first way ``got`` departs from ``want``: a duplicate, a gap, or another event."""
    for index, event in enumerate(got):
        if index >= len(want):
            return f"{show(event)} after the terminal event"
        if event == want[index]:
            continue
        if event in received or event in got[:index]:
            return f"id {ids_text([event])} again (a duplicate)"
        if event in want[index + 1 :]:
            gap = want[index : want.index(event, index + 1)]
            return f"{ids_text(gap)} missing (a gap)"
        return f"{show(event)} where {show(want[index])} was due"
    return "other events"
