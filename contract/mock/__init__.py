"""A mock server for any contract (``python -m contract mock``): a stream drawn from the
contract for a seed, served over HTTP, optionally breaking one rule; docs/mock.md."""

from .errors import MockError
from .replies import Mock, Reply
from .server import create_mock_app

__all__ = ["Mock", "MockError", "Reply", "create_mock_app"]
