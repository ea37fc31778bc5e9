"""How the suite runs, beyond what the contract says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    """How the suite runs, beyond the contract: parallel recordings, extra request headers."""

    concurrency: int = 24
    """Responses recorded at once: the probes run side by side."""
    headers: tuple[tuple[str, str], ...] = ()
    """Extra request headers sent on every request (authentication, for example)."""
    fuzz_resume: int = 0
    """Plans of drops and reconnections the resume fuzzer draws (0: no fuzzing)."""
    seed: int | None = None
    """The fuzzer's seed (``None``: a random one, shown in the report)."""
    allow_origins: tuple[str, ...] = ()
    """Origins (``scheme://host:port``) besides the URL given's where header values from
    ``${NAME}`` and ``headers`` may go: a contract's absolute url, or a redirect."""

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.fuzz_resume < 0:
            raise ValueError(f"fuzz_resume must be 0 or more, got {self.fuzz_resume}")
