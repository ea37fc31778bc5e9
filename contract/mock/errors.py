"""The one error of a mock that cannot be made: a contract the mock cannot draw a stream for."""

from __future__ import annotations


class MockError(ValueError):
    """The contract cannot be mocked (nothing fits a kind, a pattern that cannot end, a rule that
    cannot be broken alone); the message names the contract and what is wrong."""
