"""``run_suite``: one pass of the pipeline, then the resume fuzzer when asked; what the command
line and the pytest plugin run."""

from __future__ import annotations

from .fuzz.settings import fuzz_problem
from .pipeline import run_pass
from .report.model import Report
from .run.options import Options
from .spec.errors import ContractError
from .spec.model import Contract
from .spec.shipped import default_contract


async def run_suite(
    url: str, contract: Contract | None = None, options: Options | None = None
) -> Report:
    """Record the stream and every probe at ``url`` and judge them against ``contract``.

    The demo's contract when none is given. Never raises for anything the server does;
    a run that cannot happen (nothing listening, an unset ``${NAME}``, a failing probe)
    is a report with ``error`` set (exit status 2). With ``options.fuzz_resume``, the
    resume fuzzer then draws that many plans (``fuzz/``) and judges ``resume`` again.
    """
    contract = default_contract() if contract is None else contract
    options = Options() if options is None else options
    problem = fuzz_problem(contract) if options.fuzz_resume else None
    if problem:
        return Report(url, error=problem, contract=contract.name)
    done = await run_pass(url, contract, options)
    if done.recordings is None or not options.fuzz_resume:
        return done.report()
    from .fuzz.resume import fuzz_resume  # Hypothesis only when fuzzing
    from .run.recorder import ProbeError

    try:
        results = await fuzz_resume(url, done, options)
    except ContractError as exc:  # a reconnection's redirect the secrets may not follow
        return Report(url, error=str(exc), contract=contract.name)
    except ProbeError as exc:
        return Report(url, error=f"internal error while fuzzing: {exc}", contract=contract.name)
    return done.report(results)
