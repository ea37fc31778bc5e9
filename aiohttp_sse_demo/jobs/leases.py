"""This process's leases on the jobs it runs, and the claim of jobs whose runner died.

One chore, on one timer, in this order each ``lease / 4`` seconds: renew this
process's leases (moving each deadline to ``lease / 2`` ahead), then, only if that
worked, claim the jobs whose deadline has passed (never this process's own), then
tidy. A runner that dies at time t renewed after t - lease/4, so its deadline is
before t + lease/2 and a live process claims it by t + 3/4 lease: within
``--lease``, while a process that misses one renewal keeps its jobs.

While the broker is unreachable the chore retries at once and then every
``lease / 8`` seconds at most, so a process renews well within ``lease / 2`` of
Redis answering again. Redis itself refuses claims until calls have gone on for
``lease / 2`` after a silence (``redis_scripts``), so an outage of any length fails
no job whose process is alive.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection

from .broker import Broker
from .errors import BrokerUnavailable, retry_delay

log = logging.getLogger(__name__)

RUNNER_LOST = "its runner stopped: the process running it did not renew its lease"
TIDY_EVERY = 4
"""Ticks between two tidies (a lease apart)."""


class LeaseKeeper:
    """Renews the leases of ``running()`` and claims expired ones, every ``lease / 4`` s."""

    def __init__(
        self, broker: Broker, lease: float, running: Callable[[], Collection[str]]
    ) -> None:
        self._broker = broker
        self._lease = lease
        self._running = running
        self.renewals = 0
        """Leases renewed (one per job and renewal)."""
        self.claims = 0
        """Jobs of dead runners this process failed."""

    async def run(self) -> None:
        """Tick until cancelled."""
        failures = 0
        ticks = 0
        while True:
            try:
                await self.tick(tidy=ticks % TIDY_EVERY == 0)
            except BrokerUnavailable as exc:
                if not failures:
                    log.warning("cannot renew leases or claim expired ones: %s", exc)
                await asyncio.sleep(min(retry_delay(failures), self._lease / 8))
                failures += 1
                continue
            if failures:
                log.info("leases renewed again after %d failed attempt(s)", failures)
                failures = 0
            ticks += 1
            await asyncio.sleep(self._lease / 4)

    async def tick(self, *, tidy: bool = False) -> None:
        """Renew, then claim, then (when asked) tidy; raises ``BrokerUnavailable``."""
        mine = set(self._running())
        await self._broker.renew(mine, self._lease / 2)
        self.renewals += len(mine)
        for job_id in await self._broker.claim_expired(RUNNER_LOST, mine=mine):
            self.claims += 1
            log.warning("job %s: its runner's lease ran out; marked failed", job_id)
        if tidy:
            await self._broker.tidy()
