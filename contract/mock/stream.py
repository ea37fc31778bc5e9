"""A contract's stream for one seed: its events in order, each with its id and the pause before
it; a tuple for a stream that ends, made as it is read for one that never does. Pure.

Exact mode sends the listed events, pausing where ``pause_before`` says. Kinds mode walks the
pattern (``walk.py``), sprinkles ``[sequence] anywhere`` kinds in, and gives each event data
from its kind's pool (``kinds.py``) and the next id of the scheme (``ids.py``). Pauses make
the bursts ``[incremental]`` asks for (one more than asked, for a busy machine), and a quiet
spell before the first event shows ``[keepalive]`` comments. The same seed gives the same
events, so a resumed request sees what followed its position in the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from random import Random

from contract.spec.model import Contract

from . import breaks
from .errors import MockError
from .event import MockEvent
from .ids import choose_form, ids, order_key
from .kinds import Oracle, Pools
from .walk import Walker

CACHED = 10_000
"""Events of a stream that never ends kept once made: resuming searches them for its id."""
BURST = 12
"""Events a feed sends in its one burst when ``incremental`` is broken."""
QUIET_EVERY = 8
"""A stream that never ends is quiet (comments only) after every so many spells of events."""
SPRINKLE = (0.0, 0.15, 0.3)
"""How often a kind of ``[sequence] anywhere`` comes before an event, by seed."""
EXTRA_WORDS = 6
"""Names a walk may take beyond the shortest stream (and the bursts asked for)."""


def first_id(contract: Contract, seed: int) -> str:
    """The id the first event of ``contract``'s stream carries for ``seed`` (kinds mode)."""
    rng = Random(f"{seed}:ids")
    form = choose_form(contract, rng, Oracle(contract).takes_id)
    start = contract.ids.start if contract.ids.scheme == "sequential" else 0
    return next(ids(form, start, rng))


def timings(contract: Contract) -> tuple[float, float]:
    """Seconds of a pause between bursts, and of the quiet spell before the first event."""
    gap = contract.incremental.gap if contract.incremental is not None else 0.02
    quiet = 1.25 * contract.keepalive.max_silence if contract.keepalive is not None else 0.0
    return max(3 * gap, 0.05), quiet


class Stream:
    """The events of ``contract`` for ``seed``; ``rule`` names a rule the events must break."""

    def __init__(
        self,
        contract: Contract,
        seed: int,
        pools: Pools,
        rule: str | None = None,
    ) -> None:
        self.contract = contract
        self.seed = seed
        self.pools = pools
        self.rule = rule
        self.oracle = Oracle(contract)
        self.pause, self.quiet = timings(contract)
        form = choose_form(contract, self._random("ids"), self.oracle.takes_id)
        self.ordered = form in ("sequential", "integers", "ms-seq")
        """Whether ids rise, so that a search for one stops past it."""
        if rule == "keepalive":
            silence = breaks.keepalive_silence(contract)
            assert silence is not None
            self.quiet = silence
        self.events: tuple[MockEvent, ...] | None = None
        """Every event of a stream that ends (``None`` for one that never does)."""
        self._made: list[MockEvent] = []
        self._making: Iterator[MockEvent] = iter(())
        if contract.end.never:
            self._making = self._make()
        else:
            self.events = tuple(self._make())
            if not self.events:
                raise MockError(f"{contract.source}: the stream would have no event")

    def _random(self, purpose: str) -> Random:
        return Random(f"{self.seed}:{purpose}")

    def iterate(self, start: int = 0) -> Iterator[MockEvent]:
        """The events from index ``start`` on, the same on every call."""
        if self.events is not None:
            yield from self.events[start:]
            return
        index = start
        while index < CACHED:
            while index >= len(self._made):
                made = next(self._making, None)
                if made is None:
                    return
                self._made.append(made)
            yield self._made[index]
            index += 1
        yield from islice(self._make(), index, None)

    @property
    def terminal(self) -> int | None:
        """The index of the event after which the response ends (a stream that ends)."""
        return None if self.events is None else len(self.events) - 1

    def find(self, value: str) -> int | None:
        """The index of the first event whose id is ``value``: of a stream that never ends,
        among the events before the first id past it (or the first ``CACHED``)."""
        if not value:
            return None
        wanted = order_key(value)
        for index, event in enumerate(islice(self.iterate(), CACHED)):
            if event.id == value:
                return index
            key = order_key(event.id)
            # A broken id (--break ids) is one of the first few: the order holds after them.
            past = key is not None and (wanted is None or key > wanted)
            if self.ordered and past and index > breaks.SEARCHED_IDS:
                return None
        return None

    # -- making the events ------------------------------------------------------------------

    def _make(self) -> Iterator[MockEvent]:
        drafts = self._exact() if self.contract.exact else self._kinds()
        events = self._identified(drafts)
        if self.rule in ("data", "ids"):
            events = breaks.event_break(self.contract, self.oracle, events, self.rule)
        return self._paced(events)

    def _exact(self) -> Iterator[MockEvent]:
        listed = self.contract.events
        drafts = (
            MockEvent(e.type, e.data, e.id or "", None, 1.0 if e.pause_before else 0.0)
            for e in listed
        )
        if self.rule == "events":
            return breaks.changed_listed(list(drafts))
        return drafts

    def _kinds(self) -> Iterator[MockEvent]:
        contract = self.contract
        assert contract.sequence is not None
        final = breaks.terminal_names(contract)
        unusable = frozenset(self.pools.unusable)
        walker = Walker(contract.sequence.compiled.positions(), final, unusable)
        try:
            shortest = walker.shortest()
        except MockError as exc:
            why = "".join(f"; kind {k}: {v}" for k, v in self.pools.unusable.items())
            raise MockError(f"{contract.source}: {exc}{why}") from None
        rng = self._random("walk")
        if contract.end.never:
            names: Iterable[str] = walker.endless(rng)
        else:
            wanted = contract.incremental.bursts + 1 if contract.incremental else 0
            # Room for a break that changes an event before the terminal one.
            room = 4 if self.rule in ("events", "data", "ids") else 1
            if contract.resume is not None:
                room = max(room, 3)  # ids before the terminal one, to resume from
            least = max(shortest, wanted + 1, room)
            target = least + rng.randrange(EXTRA_WORDS + 1)
            names = walker.word(rng, target)
        drafts = self._sprinkled(names, final)
        if self.rule == "events":
            return breaks.with_stranger(self.contract, drafts)
        return drafts

    def _sprinkled(self, names: Iterable[str], final: frozenset[str]) -> Iterator[MockEvent]:
        sequence = self.contract.sequence
        assert sequence is not None
        rng = self._random("anywhere")
        kinds = [k for k in sequence.anywhere if k not in final and self.pools.data[k]]
        often = rng.choice(SPRINKLE) if kinds else 0.0
        for name in names:
            while name not in final and rng.random() < often:
                yield self._draft(rng.choice(kinds))
            yield self._draft(name)

    def _draft(self, name: str) -> MockEvent:
        kind = self.contract.kind(name)
        assert kind is not None
        return MockEvent(kind.type, "", "", name)

    def _identified(self, drafts: Iterable[MockEvent]) -> Iterator[MockEvent]:
        """The events with their ids, and (kinds mode) data that fits their kind with that id."""
        rng = self._random("ids")
        form = choose_form(self.contract, rng, self.oracle.takes_id)
        start = self.contract.ids.start if self.contract.ids.scheme == "sequential" else 0
        picks = self._random("data")
        for draft, drawn in zip(drafts, ids(form, start, rng), strict=False):
            event = replace(draft, id=draft.id or drawn)
            if event.kind is not None:
                event = replace(event, data=self._data(event, picks))
            yield event

    def _data(self, event: MockEvent, rng: Random) -> str:
        assert event.kind is not None
        pool = list(self.pools.data[event.kind])
        rng.shuffle(pool)
        for data in pool:
            if self.oracle.kind_of(event.type, data, event.id) == event.kind:
                return data
        raise MockError(
            f"{self.contract.source}: kind {event.kind}: no data drawn fits it with id {event.id!r}"
            " (does its event schema accept the ids of [ids]?)"
        )

    def _paced(self, events: Iterable[MockEvent]) -> Iterator[MockEvent]:
        """The events with the pauses before them: bursts, and the quiet spell first."""
        rng = self._random("pauses")
        contract = self.contract
        if self.rule == "incremental":
            # A wait (so that the burst is not at the very start), then every event at once;
            # a feed then sends no more events, only comments.
            never = contract.end.never
            first = self.pause if never else max(self.quiet, self.pause)
            for index, event in enumerate(islice(events, BURST if never else None)):
                yield replace(event, pause=first if index == 0 else 0.0)
            return
        if contract.end.never:
            # Spells of events; every few, a quiet spell (comments), but at the start when it
            # is the silence that breaks keepalive.
            spell = spells = 0
            quiet = self.quiet if self.rule not in ("keepalive", "end") else 0.0
            for index, event in enumerate(events):
                pause = 0.0
                if index and spell == 0:
                    spells += 1
                    pause = quiet if quiet and spells % QUIET_EVERY == 0 else self.pause
                    if spells == 1 and self.rule == "keepalive":
                        pause = self.quiet  # the silence, after the first spell
                if spell:
                    spell -= 1
                else:  # the next spell: a few events, now and then a catch-up of many
                    spell = rng.randrange(8, 24) if rng.random() < 0.1 else rng.randrange(4)
                yield replace(event, pause=pause)
            return
        listed = list(events)
        splits = self._splits(listed, rng)
        for index, event in enumerate(listed):
            pause = self.quiet if index == 0 else self.pause if index in splits else 0.0
            yield replace(event, pause=pause)

    def _splits(self, events: list[MockEvent], rng: Random) -> set[int]:
        """Where the pauses of a stream that ends go: ``pause_before``, then enough for the
        bursts asked for, or a few at random."""
        splits = {i for i, e in enumerate(events) if i and e.pause}
        places = [i for i in range(1, len(events)) if i not in splits]
        rng.shuffle(places)
        if self.contract.incremental is not None:
            wanted = self.contract.incremental.bursts  # bursts: one more than asked
            splits |= set(places[: max(0, wanted - len(splits))])
        elif not self.contract.exact:
            splits |= set(places[: rng.randrange(4)])
        return splits
