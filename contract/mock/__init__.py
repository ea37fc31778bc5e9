"""A mock server for any contract (``python -m contract mock``): a stream drawn from the
contract for a seed, served over HTTP, optionally breaking one rule; docs/mock.md."""
