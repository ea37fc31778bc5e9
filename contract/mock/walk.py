"""Words a pattern accepts, drawn at random: the kinds of a mock's events, in order.

A walk follows the pattern's position automaton (``Pattern.positions``): any path from a
first position to a last one spells a word the pattern accepts. Names that end the stream
(``[end] after``) are taken only as the last name of a word, so the stream ends right
after its first terminal event. Pure: the randomness comes from the caller's ``Random``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from random import Random

from contract.match.pattern import Positions

from .errors import MockError


class Walker:
    """Draws words from one pattern; ``final`` names (if any) must end a word and only end it,
    and ``banned`` names never come (kinds the mock has no data for)."""

    def __init__(
        self,
        positions: Positions,
        final: frozenset[str] = frozenset(),
        banned: frozenset[str] = frozenset(),
    ) -> None:
        self.positions = positions
        self.final = final
        names = positions.names
        self._allowed = frozenset(
            p
            for p in range(len(names))
            if names[p] not in banned and (names[p] not in final or p in positions.last)
        )
        self._accepting = (
            frozenset(p for p in positions.last if not final or names[p] in final) & self._allowed
        )
        self._distance = self._distances()
        self._live = self._endless_positions()

    def _next(self, position: int | None) -> frozenset[int]:
        """Where a walk may go from ``position`` (``None``: the start)."""
        if position is None:
            following = self.positions.first
        elif self.positions.names[position] in self.final:
            return frozenset()  # a terminal name ends the word
        else:
            following = self.positions.follow[position]
        return following & self._allowed

    def _distances(self) -> dict[int, int]:
        """For each position, the fewest names more to reach an accepting one."""
        before: dict[int, set[int]] = {}
        for p in self._allowed:
            for q in self._next(p):
                before.setdefault(q, set()).add(p)
        distance = dict.fromkeys(self._accepting, 0)
        queue = deque(self._accepting)
        while queue:
            q = queue.popleft()
            for p in before.get(q, ()):
                if p not in distance:
                    distance[p] = distance[q] + 1
                    queue.append(p)
        return distance

    def _endless_positions(self) -> frozenset[int]:
        """Positions from which a walk can go on for ever."""
        live = set(self._allowed)
        changed = True
        while changed:
            changed = False
            for p in list(live):
                if not self._next(p) & live:
                    live.discard(p)
                    changed = True
        return frozenset(live)

    def _can_be_empty(self) -> bool:
        return self.positions.nullable and not self.final

    def shortest(self) -> int:
        """The length of the shortest word; ``MockError`` when the pattern has none."""
        reachable = [self._distance[p] for p in self._next(None) if p in self._distance]
        if self._can_be_empty():
            return 0
        if not reachable:
            ending = f" that ends with {' or '.join(sorted(self.final))}" if self.final else ""
            raise MockError(f"the pattern accepts no stream{ending}")
        return 1 + min(reachable)

    def word(self, rng: Random, target: int) -> list[str]:
        """A word the pattern accepts, as near ``target`` names long as the pattern lets it."""
        self.shortest()
        names = self.positions.names
        word: list[str] = []
        here: int | None = None
        while True:
            can_stop = here in self._accepting if here is not None else self._can_be_empty()
            options = [q for q in self._next(here) if q in self._distance]
            if not options or (can_stop and len(word) >= target):
                return word
            if len(word) + 1 >= target:
                nearest = min(self._distance[q] for q in options)
                options = [q for q in options if self._distance[q] == nearest]
            else:
                going_on = [q for q in options if names[q] not in self.final]
                options = going_on or options
            here = rng.choice(sorted(options))
            word.append(names[here])

    def endless(self, rng: Random) -> Iterator[str]:
        """Names for ever, or until the pattern allows no more (a feed then only comments)."""
        names = self.positions.names
        here: int | None = None
        while True:
            options = self._next(here)
            if not options:
                return
            here = rng.choice(sorted(options & self._live or options))
            yield names[here]
