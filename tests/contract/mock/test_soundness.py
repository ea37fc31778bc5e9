"""The suite passes the mock of every contract the project has, and fails exactly the rule a
mock is asked to break (tests/contract/mock/soundness.py), over seeds.

Timings are the tests' (contracts.py): limits of 7 s (a feed is recorded 5 s), a grace of
1.5 s, 2 s of keep-alive silence; the suite resumes from four positions of each stream. The
default run checks seed 0, as drawn and with every break; the slow run seeds 1 and 2 the
same way, and seed 3 as drawn, resuming from every position the contract asks for.
"""

from __future__ import annotations

import pytest

from tests.contract.mock.soundness import check_everywhere


def test_the_suite_passes_every_mock_and_fails_exactly_each_break() -> None:
    problems = check_everywhere([0], breaking=True)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_same_over_more_seeds() -> None:
    # One seed at a time: the runs of two at once would crowd a worker, and a run that waits
    # on a busy machine past its limits fails for the machine's sake, not the suite's.
    problems = check_everywhere([1], breaking=True) + check_everywhere([2], breaking=True)
    problems += check_everywhere([3], breaking=False, every_position=True)
    assert not problems, "\n".join(problems)
