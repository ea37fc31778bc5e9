"""Run the whole suite against a URL: record (the client, imported lazily) then judge."""

from __future__ import annotations

import time

from ._contract import Contract, ContractError
from ._flags import fuzz_problem
from ._models import Ending, Options, Report
from ._rules import evaluate


async def run_suite(
    url: str, contract: Contract | None = None, options: Options | None = None
) -> Report:
    """Record the stream and every probe at ``url`` and judge them against ``contract``.

    The demo's contract when none is given. Never raises for anything the server does;
    a run that cannot happen (nothing listening, an unset ``${NAME}``, a failing probe)
    is a report with ``error`` set (exit status 2). With ``options.fuzz_resume``, the
    resume fuzzer then draws that many plans (``_fuzz.py``) and judges ``resume`` again.
    """
    from ._loader import default_contract
    from ._recorder import ProbeError, record_all  # aiohttp only when the suite runs

    contract = default_contract() if contract is None else contract
    options = Options() if options is None else options
    problem = fuzz_problem(contract) if options.fuzz_resume else None
    if problem:
        return Report(url, error=problem, contract=contract.name)
    started = time.monotonic()
    try:
        recordings = await record_all(url, contract, options)
    except ContractError as exc:
        return Report(url, error=str(exc), contract=contract.name)
    except (ProbeError, ExceptionGroup) as exc:
        while isinstance(exc, ExceptionGroup):
            exc = exc.exceptions[0]
        return Report(url, error=f"internal error while recording {exc}", contract=contract.name)
    if recordings.main.ending is Ending.UNREACHABLE:
        error = f"cannot reach {recordings.main.url}: {recordings.main.detail}"
        return Report(url, error=error, elapsed=time.monotonic() - started, contract=contract.name)
    results = evaluate(contract, recordings)
    if options.fuzz_resume:
        from ._fuzz import fuzz_resume  # Hypothesis only when fuzzing

        try:
            results = await fuzz_resume(url, contract, options, recordings, results)
        except ProbeError as exc:
            return Report(url, error=f"internal error while fuzzing: {exc}", contract=contract.name)
    elapsed = time.monotonic() - started
    return Report(url, results, elapsed=elapsed, contract=contract.name)
