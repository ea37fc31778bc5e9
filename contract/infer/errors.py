"""The one error of inference: the samples cannot give a contract, and why."""

from __future__ import annotations


class InferError(ValueError):
    """The endpoint or its samples cannot give a contract; the message says why and what to do."""
