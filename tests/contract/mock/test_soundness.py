"""The suite passes the mock of every contract the project has, and fails exactly the rule a
mock is asked to break (tests/contract/mock/soundness.py), over seeds.

Timings are the tests' (contracts.py): limits of 4 s (3 s for a feed), a grace of 1 s, 1 s of
keep-alive silence. The default run checks seed 0 with every break and seed 1 as drawn;
the slow run three more seeds with every break.
"""

from __future__ import annotations

import pytest

from tests.contract.mock.soundness import check_everywhere


def test_the_suite_passes_every_mock_and_fails_exactly_each_break() -> None:
    problems = check_everywhere([0], breaking=True) + check_everywhere([1], breaking=False)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_same_over_more_seeds() -> None:
    problems = check_everywhere([2, 3], breaking=True, every_position=True)
    assert not problems, "\n".join(problems)
