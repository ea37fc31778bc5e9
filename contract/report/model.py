"""The suite's result for one URL: every rule's result, or why it could not run."""

from __future__ import annotations

from dataclasses import dataclass

from contract.rules.result import RuleResult


@dataclass(frozen=True, slots=True)
class Report:
    """The suite's result for one URL; ``error`` is set when it could not run at all."""

    url: str
    results: tuple[RuleResult, ...] = ()
    error: str = ""
    elapsed: float = 0.0
    contract: str = ""
    """The name of the contract checked."""

    @property
    def passed(self) -> bool:
        """True when the suite ran and no result fails the run."""
        return not self.error and not any(result.failed for result in self.results)

    @property
    def exit_code(self) -> int:
        """0 passed, 1 a violation, 2 could not run."""
        if self.error:
            return 2
        return 0 if self.passed else 1

    def result(self, rule: str) -> RuleResult:
        """The result of the rule called ``rule``; ``KeyError`` if there is none."""
        for result in self.results:
            if result.rule == rule:
                return result
        raise KeyError(rule)
