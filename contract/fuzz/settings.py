"""When the resume fuzzer runs: its default number of plans, its seed on CI, what it cannot fuzz."""

from __future__ import annotations

from collections.abc import Mapping

from contract.spec.model import Contract

FUZZ_RUNS = 50
"""Plans the resume fuzzer draws by default: enough to find a bug at one id of the demo's
stream in every one of 100 seeds (docs/fuzzing.md), in under a second on loopback."""


def default_seed(environ: Mapping[str, str]) -> int | None:
    """The fuzzer's seed when none is given: 0 on CI (derandomized, as Hypothesis does there),
    else ``None`` (a random one, shown in the report)."""
    return 0 if environ.get("CI") else None


def fuzz_problem(contract: Contract) -> str | None:
    """Why the resume fuzzer cannot run on ``contract``, or ``None``."""
    if contract.resume is None:
        return f"--fuzz-resume: the contract {contract.name!r} has no [resume]"
    if contract.end.never:
        return (
            f"--fuzz-resume: the contract {contract.name!r} never ends "
            "([end] never = true); a plan runs to the terminal event"
        )
    return None
